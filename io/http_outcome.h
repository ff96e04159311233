// HTTP outcome mapping: the one place where an answer from the target (status, headers, body, or
// a transport error) becomes a Status from the vocabulary of engine/status.h plus pacing hints.
// Every other part of the engine decides from the Status code alone (STYLE §4):
//
//   answer                                              code                 caller does
//   2xx                                                 kOk                  done
//   429; 403 with x-ratelimit-remaining: 0 or a
//        "rate limit" message                           kResourceExhausted   pace, then retry
//   5xx; timeout, reset, connect failure                kUnavailable         backoff, retry
//   409 to a create; a create's answer lost after
//        the request was sent (timeout, reset)          kAborted             look up, adopt
//   401                                                 kUnauthenticated     stop the run
//   TLS verification failure                            kUnauthenticated     stop the run
//   other 4xx (and 3xx: redirects are not followed)     kFailedPrecondition  fail this op only
//
// Messages have the form `HTTP 400 invalidValue: <detail>` (scimType present), `HTTP 404:
// <detail>` or `HTTP 503` (no readable body); transport errors read `timeout: <libcurl text>`,
// and a lost create answer `create answer lost (timeout): <libcurl text>`. The target's error
// body is parsed leniently: SCIM errors `{schemas, status, scimType, detail}` and GitHub errors
// `{message, documentation_url}`; anything else (not JSON, truncated, invalid UTF-8, huge)
// contributes a sanitised excerpt of at most kMaxErrorTextBytes, never a crash.
//
// Thread-safety: pure functions.
#ifndef SCIMFLOW_IO_HTTP_OUTCOME_H_
#define SCIMFLOW_IO_HTTP_OUTCOME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "io/http_client.h"

namespace scimflow {

namespace config {
// Longest error text kept from a target's answer. A SCIM `detail` is one sentence; anything longer
// is a page of HTML or a stack trace, and the journal keeps one row per failed operation.
inline constexpr size_t kMaxErrorTextBytes = 512;
// Bodies larger than this are not parsed as JSON, only excerpted: error bodies are small.
inline constexpr size_t kMaxErrorBodyParseBytes = 64 * 1024;
// Wait after a rate-limit answer that names no time (GitHub: "wait for at least one minute").
inline constexpr std::chrono::seconds kDefaultRateLimitWait{60};
// Longest wait honoured from Retry-After or x-ratelimit-reset: a day. A larger value is a broken
// header, and waiting longer would stall a migration silently.
inline constexpr std::chrono::seconds kMaxServerWait{24 * 3600};
}  // namespace config

// What the request was, as far as classification cares.
enum class RequestKind : uint8_t {
  kCreate,  // POST of a new user or group: a lost answer or a 409 needs a lookup
  kOther,
};

// Rate-limit information from the answer's headers (any status, 2xx included, so buckets can be
// corrected before they run dry). Absent headers, or unparseable values, stay empty.
struct RateLimitHints {
  std::optional<int64_t> limit;      // x-ratelimit-limit
  std::optional<int64_t> remaining;  // x-ratelimit-remaining
  std::optional<int64_t> used;       // x-ratelimit-used
  // x-ratelimit-reset (epoch seconds) turned into a wait from `now`, in [0, kMaxServerWait].
  std::optional<std::chrono::seconds> reset_after;
  // Retry-After (delta-seconds or HTTP-date), in [0, kMaxServerWait]. ClassifyHttpResponse fills
  // it for every rate-limit answer: Retry-After if present, else reset_after when remaining is 0,
  // else kDefaultRateLimitWait (GitHub's advice for secondary limits).
  std::optional<std::chrono::seconds> retry_after;
};

// The target's error body, parsed.
struct TargetError {
  std::string scim_type;  // SCIM `scimType`, e.g. "uniqueness"; empty if absent
  std::string text;       // `detail`, else `message`, else a body excerpt; sanitised, bounded
  std::string documentation_url;  // GitHub's `documentation_url`; empty if absent
};

struct HttpOutcome {
  Status status;
  int http_status = 0;
  RateLimitHints hints;
  TargetError error;  // filled for non-2xx answers with a body
};

// Classifies `response` to a request of `kind`. `now` is the wall-clock time the answer arrived,
// used to turn x-ratelimit-reset and an HTTP-date Retry-After into waits.
HttpOutcome ClassifyHttpResponse(const HttpResponse& response, RequestKind kind,
                                 std::chrono::system_clock::time_point now);

// Reads the rate-limit headers of `response` (see RateLimitHints; no default wait is applied).
RateLimitHints ParseRateLimitHints(const HttpResponse& response,
                                   std::chrono::system_clock::time_point now);

// Parses a target's error body leniently (see the file comment). Never fails.
TargetError ParseTargetError(std::string_view body);

// Returns `text` made safe for a one-line message: control characters become spaces, invalid
// UTF-8 bytes become '?', and text beyond `max_bytes` is cut at a character boundary and marked
// with "...".
std::string SanitizeErrorText(std::string_view text, size_t max_bytes);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_HTTP_OUTCOME_H_
