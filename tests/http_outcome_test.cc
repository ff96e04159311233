#include "io/http_outcome.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

using std::chrono::seconds;

// A fixed "now": 2026-01-01T00:00:00Z.
const std::chrono::system_clock::time_point kNow{seconds(1767225600)};

HttpResponse Answer(int status, std::string body = "", std::vector<HttpHeader> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

HttpResponse Transport(TransportError error, bool sent, std::string message) {
  HttpResponse response;
  response.transport = error;
  response.request_sent = sent;
  response.transport_message = std::move(message);
  return response;
}

TEST(HttpOutcomeTest, SuccessIsOkAndStillCarriesRateLimitHeaders) {
  const HttpOutcome outcome = ClassifyHttpResponse(
      Answer(201, "{}", {{"x-ratelimit-remaining", "4999"}, {"x-ratelimit-reset", "1767229200"}}),
      RequestKind::kCreate, kNow);
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_EQ(outcome.hints.remaining, 4999);
  EXPECT_EQ(outcome.hints.reset_after, seconds(3600));
  EXPECT_FALSE(outcome.hints.retry_after.has_value());
}

TEST(HttpOutcomeTest, TooManyRequestsHonoursRetryAfterSeconds) {
  const HttpOutcome outcome =
      ClassifyHttpResponse(Answer(429, "", {{"retry-after", "30"}}), RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.status, Status(StatusCode::kResourceExhausted, "HTTP 429"));
  EXPECT_EQ(outcome.hints.retry_after, seconds(30));
}

TEST(HttpOutcomeTest, RetryAfterAsHttpDateBecomesAWait) {
  const HttpOutcome outcome =
      ClassifyHttpResponse(Answer(429, "", {{"retry-after", "Thu, 01 Jan 2026 00:02:00 GMT"}}),
                           RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.hints.retry_after, seconds(120));
}

TEST(HttpOutcomeTest, TooManyRequestsWithoutHintsWaitsAMinute) {
  const HttpOutcome outcome =
      ClassifyHttpResponse(Answer(429, "slow down"), RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.status, Status(StatusCode::kResourceExhausted, "HTTP 429: slow down"));
  EXPECT_EQ(outcome.hints.retry_after, seconds(60));
}

TEST(HttpOutcomeTest, ForbiddenWithRemainingZeroIsARateLimitUntilReset) {
  const HttpOutcome outcome = ClassifyHttpResponse(
      Answer(403, R"({"message":"API rate limit exceeded for user ID 1."})",
             {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1767226500"}}),
      RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.status, Status(StatusCode::kResourceExhausted,
                                   "HTTP 403: API rate limit exceeded for user ID 1."));
  EXPECT_EQ(outcome.hints.retry_after, seconds(900));
}

TEST(HttpOutcomeTest, ForbiddenWithSecondaryRateLimitMessageIsARateLimit) {
  const HttpOutcome outcome =
      ClassifyHttpResponse(Answer(403, R"({"message":"You have exceeded a secondary rate limit.",)"
                                       R"("documentation_url":"https://docs.github.com/rest"})"),
                           RequestKind::kCreate, kNow);
  EXPECT_EQ(outcome.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(outcome.error.documentation_url, "https://docs.github.com/rest");
  EXPECT_EQ(outcome.hints.retry_after, seconds(60));
}

TEST(HttpOutcomeTest, PlainForbiddenFailsTheOperation) {
  const HttpOutcome outcome = ClassifyHttpResponse(
      Answer(403, R"({"message":"Resource not accessible by personal access token"})"),
      RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.status, Status(StatusCode::kFailedPrecondition,
                                   "HTTP 403: Resource not accessible by personal access token"));
}

TEST(HttpOutcomeTest, ServerErrorsAreUnavailable) {
  EXPECT_EQ(ClassifyHttpResponse(Answer(503), RequestKind::kCreate, kNow).status,
            Status(StatusCode::kUnavailable, "HTTP 503"));
  EXPECT_EQ(
      ClassifyHttpResponse(Answer(500, "<html>oops</html>"), RequestKind::kOther, kNow).status,
      Status(StatusCode::kUnavailable, "HTTP 500: <html>oops</html>"));
}

TEST(HttpOutcomeTest, ConflictOnCreateMeansLookUpAndAdopt) {
  const std::string body =
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409",)"
      R"("scimType":"uniqueness","detail":"User already exists"})";
  EXPECT_EQ(ClassifyHttpResponse(Answer(409, body), RequestKind::kCreate, kNow).status,
            Status(StatusCode::kAborted, "HTTP 409 uniqueness: User already exists"));
  EXPECT_EQ(ClassifyHttpResponse(Answer(409, body), RequestKind::kOther, kNow).status.code(),
            StatusCode::kFailedPrecondition);
}

TEST(HttpOutcomeTest, UnauthorizedStopsTheRun) {
  EXPECT_EQ(ClassifyHttpResponse(Answer(401, R"({"message":"Bad credentials"})"),
                                 RequestKind::kOther, kNow)
                .status,
            Status(StatusCode::kUnauthenticated, "HTTP 401: Bad credentials"));
}

TEST(HttpOutcomeTest, ScimErrorBodyGivesTypeAndDetail) {
  const HttpOutcome outcome = ClassifyHttpResponse(
      Answer(400, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],)"
                  R"("status":400,"scimType":"invalidValue","detail":"emails is required"})"),
      RequestKind::kCreate, kNow);
  EXPECT_EQ(outcome.status,
            Status(StatusCode::kFailedPrecondition, "HTTP 400 invalidValue: emails is required"));
  EXPECT_EQ(outcome.error.scim_type, "invalidValue");
}

TEST(HttpOutcomeTest, RedirectIsNotFollowedAndFailsTheOperation) {
  EXPECT_EQ(ClassifyHttpResponse(Answer(307, "", {{"location", "https://elsewhere/"}}),
                                 RequestKind::kOther, kNow)
                .status,
            Status(StatusCode::kFailedPrecondition, "HTTP 307"));
}

TEST(HttpOutcomeTest, LostCreateAnswerMeansLookUpNeverResend) {
  const HttpOutcome outcome = ClassifyHttpResponse(
      Transport(TransportError::kTimeout, true, "Operation timed out after 3000 milliseconds"),
      RequestKind::kCreate, kNow);
  EXPECT_EQ(outcome.status,
            Status(StatusCode::kAborted,
                   "create answer lost (timeout: Operation timed out after 3000 milliseconds)"));
  EXPECT_EQ(ClassifyHttpResponse(Transport(TransportError::kReset, true, "Empty reply from server"),
                                 RequestKind::kCreate, kNow)
                .status.code(),
            StatusCode::kAborted);
}

TEST(HttpOutcomeTest, TransportErrorsOfOtherRequestsAreUnavailable) {
  EXPECT_EQ(ClassifyHttpResponse(Transport(TransportError::kReset, true, "Empty reply from server"),
                                 RequestKind::kOther, kNow)
                .status,
            Status(StatusCode::kUnavailable, "connection reset: Empty reply from server"));
}

TEST(HttpOutcomeTest, CreateThatNeverLeftIsSimplyRetried) {
  EXPECT_EQ(
      ClassifyHttpResponse(
          Transport(TransportError::kConnectFailed, false, "Failed to connect to 127.0.0.1 port 9"),
          RequestKind::kCreate, kNow)
          .status,
      Status(StatusCode::kUnavailable, "connect failed: Failed to connect to 127.0.0.1 port 9"));
  EXPECT_EQ(ClassifyHttpResponse(Transport(TransportError::kTimeout, false, "connect timeout"),
                                 RequestKind::kCreate, kNow)
                .status.code(),
            StatusCode::kUnavailable);
}

TEST(HttpOutcomeTest, TlsFailureStopsTheRun) {
  EXPECT_EQ(ClassifyHttpResponse(Transport(TransportError::kTls, false, "SSL certificate problem"),
                                 RequestKind::kOther, kNow)
                .status,
            Status(StatusCode::kUnauthenticated, "tls: SSL certificate problem"));
}

TEST(HttpOutcomeTest, TruncatedJsonBodyIsExcerpted) {
  EXPECT_EQ(
      ClassifyHttpResponse(Answer(400, R"({"detail":"emails is req)"), RequestKind::kOther, kNow)
          .status.message(),
      R"(HTTP 400: {"detail":"emails is req)");
}

TEST(HttpOutcomeTest, JsonWithWrongTypesFallsBackToTheBody) {
  EXPECT_EQ(ClassifyHttpResponse(Answer(400, R"({"detail":42,"scimType":[1]})"),
                                 RequestKind::kOther, kNow)
                .status.message(),
            R"(HTTP 400: {"detail":42,"scimType":[1]})");
  EXPECT_EQ(ClassifyHttpResponse(Answer(422, R"(["not","an","object"])"), RequestKind::kOther, kNow)
                .status.message(),
            R"(HTTP 422: ["not","an","object"])");
}

TEST(HttpOutcomeTest, InvalidUtf8AndControlCharactersAreSanitised) {
  const std::string body = std::string("bad \xff\xfe bytes\nnext line \xc3\xa9") + "\x01";
  EXPECT_EQ(ClassifyHttpResponse(Answer(400, body), RequestKind::kOther, kNow).status.message(),
            "HTTP 400: bad ?? bytes next line \xc3\xa9");
  const std::string json = std::string(R"({"detail":"caf)") + "\xe9" + R"("})";
  EXPECT_EQ(ClassifyHttpResponse(Answer(400, json), RequestKind::kOther, kNow).status.message(),
            R"(HTTP 400: {"detail":"caf?"})");
}

TEST(HttpOutcomeTest, HugeBodyIsBoundedAndCutAtACharacterBoundary) {
  std::string body(10'000'000, 'x');
  body[511] = '\xc3';  // "é" straddling the 512-byte cut
  body[512] = '\xa9';
  const HttpOutcome outcome = ClassifyHttpResponse(Answer(500, body), RequestKind::kOther, kNow);
  EXPECT_EQ(outcome.error.text, std::string(511, 'x') + "...");
  std::string json = R"({"detail":")" + std::string(1'000'000, 'y') + R"("})";
  EXPECT_EQ(ClassifyHttpResponse(Answer(400, json), RequestKind::kOther, kNow).error.text.size(),
            config::kMaxErrorTextBytes + 3);
}

TEST(HttpOutcomeTest, MalformedRateLimitHeadersAreIgnored) {
  const RateLimitHints hints = ParseRateLimitHints(Answer(200, "",
                                                          {{"x-ratelimit-remaining", "lots"},
                                                           {"x-ratelimit-reset", "1e9"},
                                                           {"retry-after", "soon"}}),
                                                   kNow);
  EXPECT_FALSE(hints.remaining.has_value());
  EXPECT_FALSE(hints.reset_after.has_value());
  EXPECT_FALSE(hints.retry_after.has_value());
}

TEST(HttpOutcomeTest, AbsurdWaitsAreClampedToADayAndPastResetsToZero) {
  const RateLimitHints hints = ParseRateLimitHints(
      Answer(429, "", {{"retry-after", "99999999999"}, {"x-ratelimit-reset", "1000"}}), kNow);
  EXPECT_EQ(hints.retry_after, config::kMaxServerWait);
  EXPECT_EQ(hints.reset_after, seconds(0));
}

TEST(HttpOutcomeTest, MissingStatusLineIsTreatedAsAReset) {
  HttpResponse response;
  response.request_sent = true;
  EXPECT_EQ(ClassifyHttpResponse(response, RequestKind::kCreate, kNow).status,
            Status(StatusCode::kAborted,
                   "create answer lost (connection reset: no status line in the answer)"));
}

}  // namespace
}  // namespace scimflow
