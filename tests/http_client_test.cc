#include "io/http_client.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "io/http_outcome.h"
#include "tests/http_test_server.h"

namespace scimflow {
namespace {

using std::chrono::milliseconds;
using testing::HttpTestServer;
using testing::RecordedRequest;
using testing::ScriptedAnswer;

constexpr char kToken[] = "ghp_sekrit-token-9f8e7d6c";

// A temporary directory removed with the fixture.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/scimflow-http-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, std::string_view contents, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  ::chmod(path.c_str(), mode);
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("SCIMFLOW_TEST_TOKEN", kToken, 1); }
  void TearDown() override { ::unsetenv("SCIMFLOW_TEST_TOKEN"); }

  static HttpClientOptions Options() {
    HttpClientOptions options;
    options.token.env_var = "SCIMFLOW_TEST_TOKEN";
    options.connect_timeout = milliseconds(2'000);
    options.total_timeout = milliseconds(10'000);
    return options;
  }

  static std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = Options()) {
    Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  // One transfer at a time over one connection: every request after the first reuses the easy
  // handle of the one before.
  static std::unique_ptr<HttpClient> MakeOneHandleClient() {
    HttpClientOptions options = Options();
    options.max_in_flight = 1;
    options.max_host_connections = 1;
    return MakeClient(options);
  }

  // Sends `request` and waits for its answer, which must come.
  static HttpResponse SendAndWait(HttpClient& client, HttpRequest request) {
    client.Submit(std::move(request));
    std::vector<HttpResponse> done = Collect(client, 1);
    EXPECT_EQ(done.size(), 1u);
    return done.empty() ? HttpResponse{} : std::move(done[0]);
  }

  // Polls until `count` answers arrived (or 30 s passed: a hung test fails instead of hanging).
  static std::vector<HttpResponse> Collect(HttpClient& client, size_t count) {
    std::vector<HttpResponse> done;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (done.size() < count && std::chrono::steady_clock::now() < give_up) {
      client.Poll(milliseconds(200), &done);
    }
    EXPECT_EQ(done.size(), count);
    return done;
  }

  static HttpRequest Get(const HttpTestServer& server, uint64_t tag, std::string path = "/Users") {
    HttpRequest request;
    request.tag = tag;
    request.method = "GET";
    request.url = server.Url(path);
    return request;
  }
};

TEST_F(HttpClientTest, DeliversStatusKeptHeadersAndBodyWithTheTag) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->Enqueue({201,
                   {{"Content-Type", "application/scim+json"},
                    {"Location", "/Users/42"},
                    {"X-RateLimit-Remaining", "4999"},
                    {"X-Unrelated", "dropped"}},
                   R"({"id":"42"})"});
  auto client = MakeClient();
  client->Submit(Get(*server, 7));
  EXPECT_EQ(client->pending(), 1u);
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 7u);
  EXPECT_EQ(done[0].status, 201);
  EXPECT_EQ(done[0].transport, TransportError::kNone);
  EXPECT_TRUE(done[0].request_sent);
  EXPECT_EQ(done[0].body, R"({"id":"42"})");
  EXPECT_EQ(done[0].Header("content-type"), "application/scim+json");
  EXPECT_EQ(done[0].Header("location"), "/Users/42");
  EXPECT_EQ(done[0].Header("x-ratelimit-remaining"), "4999");
  EXPECT_FALSE(done[0].HasHeader("x-unrelated"));
  EXPECT_EQ(client->pending(), 0u);
}

TEST_F(HttpClientTest, SendsUserAgentBearerTokenMethodAndBody) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto client = MakeClient();
  uint64_t tag = 0;
  for (const char* method : {"POST", "PATCH", "PUT", "DELETE"}) {
    HttpRequest request = Get(*server, ++tag, "/Users/1");
    request.method = method;
    if (std::string_view(method) != "DELETE") request.body = R"({"active":false})";
    request.headers.emplace_back("Content-Type", "application/scim+json");
    client->Submit(std::move(request));
    Collect(*client, 1);
  }
  const std::vector<RecordedRequest> seen = server->requests();
  ASSERT_EQ(seen.size(), 4u);
  for (const RecordedRequest& request : seen) {
    EXPECT_EQ(request.Header("user-agent"), std::string("scimflow/") + SCIMFLOW_VERSION);
    EXPECT_EQ(request.Header("authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(request.Header("content-type"), "application/scim+json");
    EXPECT_EQ(request.Header("expect"), "");
    EXPECT_EQ(request.path, "/Users/1");
  }
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"active":false})");
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_EQ(seen[2].method, "PUT");
  EXPECT_EQ(seen[3].method, "DELETE");
  EXPECT_EQ(seen[3].body, "");
}

TEST_F(HttpClientTest, ReusedHandleSendsEachRequestsOwnMethodBodyAndHeaders) {
  // One transfer at a time over one connection: every request after the first reuses the easy
  // handle (and header list) of the one before, whose method, body and headers differ.
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto client = MakeOneHandleClient();
  std::vector<HttpRequest> requests;
  requests.push_back(Get(*server, 1, "/Users"));
  requests.back().method = "POST";
  requests.back().body = R"({"userName":"a"})";
  requests.back().headers.emplace_back("Content-Type", "application/scim+json");
  requests.push_back(Get(*server, 2, "/Users/1"));
  requests.push_back(Get(*server, 3, "/Users/1"));
  requests.back().method = "PATCH";
  requests.back().body = R"({"Operations":[]})";
  requests.back().headers.emplace_back("X-Tenant", "acme");
  requests.push_back(Get(*server, 4, "/Users/1"));
  requests.back().method = "DELETE";
  requests.push_back(Get(*server, 5, "/Users"));
  requests.back().method = "POST";
  for (HttpRequest& request : requests) {
    EXPECT_EQ(SendAndWait(*client, std::move(request)).status, 200);
  }
  const std::vector<RecordedRequest> seen = server->requests();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"userName":"a"})");
  EXPECT_EQ(seen[0].Header("content-type"), "application/scim+json");
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].body, "");
  EXPECT_EQ(seen[1].Header("content-type"), "");
  EXPECT_EQ(seen[2].method, "PATCH");
  EXPECT_EQ(seen[2].body, R"({"Operations":[]})");
  EXPECT_EQ(seen[2].Header("x-tenant"), "acme");
  EXPECT_EQ(seen[2].Header("content-type"), "application/json");
  EXPECT_EQ(seen[3].method, "DELETE");
  EXPECT_EQ(seen[3].body, "");
  EXPECT_EQ(seen[3].Header("x-tenant"), "");
  EXPECT_EQ(seen[4].method, "POST");
  EXPECT_EQ(seen[4].body, "");
  EXPECT_EQ(seen[4].Header("content-length"), "0");
  for (const RecordedRequest& request : seen) {
    EXPECT_EQ(request.Header("authorization"), std::string("Bearer ") + kToken);
  }
  EXPECT_EQ(server->connections_opened(), 1u);
}

TEST_F(HttpClientTest, ReusedHandleSendsEachRequestsOwnPathAndQuery) {
  // One easy handle for all: its URL handle has only path and query replaced from one request to
  // the next, and URLs whose path a parse would change (dot segments) or that hold bytes outside
  // the plain set go to libcurl as strings, as before, on the same handle in between.
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto client = MakeOneHandleClient();
  const std::vector<std::string> paths = {
      "/Users/1",
      "/Users?filter=externalId%20eq%20%22e-1%22&count=1",
      "/Users",
      "/Users",
      "/Users/a/../2",
      "/Groups/g%201",
      "/Users?filter=userName eq \"x\"",
      "/Users/3",
  };
  uint64_t tag = 0;
  for (const std::string& path : paths) {
    // libcurl refuses a URL with spaces, as it did before URL handles.
    EXPECT_EQ(SendAndWait(*client, Get(*server, ++tag, path)).transport,
              path.find(' ') == std::string::npos ? TransportError::kNone
                                                  : TransportError::kInvalidRequest)
        << path;
  }
  const std::vector<RecordedRequest> seen = server->requests();
  ASSERT_EQ(seen.size(), paths.size() - 1);  // The URL with spaces is refused by libcurl.
  EXPECT_EQ(seen[0].path, "/Users/1");
  EXPECT_TRUE(seen[0].query.empty());
  EXPECT_EQ(seen[1].path, "/Users");
  EXPECT_EQ(seen[1].query,
            (std::vector<HttpHeader>{{"filter", "externalId eq \"e-1\""}, {"count", "1"}}));
  for (const size_t same : {2, 3}) {  // The path again without the query, then once more.
    EXPECT_EQ(seen[same].path, "/Users");
    EXPECT_TRUE(seen[same].query.empty());
  }
  EXPECT_EQ(seen[4].path, "/Users/2");
  EXPECT_EQ(seen[5].path, "/Groups/g 1");
  EXPECT_EQ(seen[6].path, "/Users/3");
  EXPECT_TRUE(seen[6].query.empty());
  EXPECT_EQ(server->connections_opened(), 1u);
}

// A loopback HTTP/1.1 server that answers the first request of each connection with a keep-alive
// 200 and closes the connection as soon as the answer is sent, the way a server drops an idle
// keep-alive connection: the client learns of it only while the connection sits in its pool.
class ClosingServer {
 public:
  ClosingServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ClosingServer() {
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void Serve() {
    while (true) {
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      ++accepted_;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<size_t>(got));
      }
      constexpr std::string_view kAnswer =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
      (void)!::send(connection, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL);
      ::close(connection);
    }
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST_F(HttpClientTest, PooledConnectionClosedByTheServerIsReplacedForTheNextRequest) {
  ClosingServer server;
  ASSERT_NE(server.port(), 0);
  auto client = MakeClient();
  const std::string url = fmt::format("http://127.0.0.1:{}/Users", server.port());
  for (uint64_t tag = 1; tag <= 3; ++tag) {
    HttpRequest request;
    request.tag = tag;
    request.method = "GET";
    request.url = url;
    client->Submit(std::move(request));
    const std::vector<HttpResponse> done = Collect(*client, 1);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].status, 200);
    EXPECT_EQ(done[0].transport, TransportError::kNone);
    EXPECT_EQ(done[0].body, "{}");
    // The closed connection sits in the pool (and in the epoll set) while nothing is in flight:
    // a Poll neither delivers anything nor fails.
    std::vector<HttpResponse> idle;
    EXPECT_EQ(client->Poll(milliseconds(50), &idle), 0u);
    EXPECT_TRUE(idle.empty());
  }
  // Each request found the connection before it closed and opened a new one.
  EXPECT_EQ(server.accepted(), 3);
}

TEST_F(HttpClientTest, ReusesOneConnectionForManyRequests) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  HttpClientOptions options = Options();
  options.max_host_connections = 1;
  auto client = MakeClient(options);
  for (uint64_t tag = 0; tag < 20; ++tag) client->Submit(Get(*server, tag));
  const std::vector<HttpResponse> done = Collect(*client, 20);
  std::set<uint64_t> tags;
  for (const HttpResponse& response : done) {
    EXPECT_EQ(response.status, 200);
    tags.insert(response.tag);
  }
  EXPECT_EQ(tags.size(), 20u);
  EXPECT_EQ(server->connections_opened(), 1u);
}

TEST_F(HttpClientTest, KeepsAtMostMaxInFlightTransfersRunning) {
  auto server = HttpTestServer::Start([](const RecordedRequest&) {
    ScriptedAnswer answer;
    answer.delay = milliseconds(150);
    return answer;
  });
  ASSERT_NE(server, nullptr);
  HttpClientOptions options = Options();
  options.max_in_flight = 3;
  options.max_host_connections = 8;
  auto client = MakeClient(options);
  for (uint64_t tag = 0; tag < 12; ++tag) client->Submit(Get(*server, tag));
  Collect(*client, 12);
  EXPECT_EQ(server->max_concurrent(), 3u);
}

TEST_F(HttpClientTest, SubmitFromOtherThreadsWhileTheDriverPolls) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto client = MakeClient();
  std::vector<std::thread> submitters;
  for (uint64_t thread_index = 0; thread_index < 4; ++thread_index) {
    submitters.emplace_back([&, thread_index] {
      for (uint64_t request_index = 0; request_index < 25; ++request_index) {
        client->Submit(Get(*server, thread_index * 100 + request_index));
      }
    });
  }
  const std::vector<HttpResponse> done = Collect(*client, 100);
  for (std::thread& submitter : submitters) submitter.join();
  std::set<uint64_t> tags;
  for (const HttpResponse& response : done) tags.insert(response.tag);
  EXPECT_EQ(tags.size(), 100u);
}

TEST_F(HttpClientTest, WakeEndsAWaitingPollEarly) {
  auto client = MakeClient();
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(50));
    client->Wake();
  });
  std::vector<HttpResponse> done;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client->Poll(milliseconds(60'000), &done), 0u);
  waker.join();
  // Generous bound: the point is that it did not wait the full minute.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST_F(HttpClientTest, SlowAnswerIsATimeoutAfterTheRequestWasSent) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  ScriptedAnswer slow;
  slow.delay = milliseconds(5'000);
  server->Enqueue(slow);
  HttpClientOptions options = Options();
  options.total_timeout = milliseconds(300);
  auto client = MakeClient(options);
  HttpRequest create = Get(*server, 1);
  create.method = "POST";
  create.body = R"({"userName":"mona"})";
  client->Submit(std::move(create));
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].transport, TransportError::kTimeout);
  EXPECT_TRUE(done[0].request_sent);
  EXPECT_EQ(ClassifyHttpResponse(done[0], RequestKind::kCreate, std::chrono::system_clock::now())
                .status.code(),
            StatusCode::kAborted);
}

TEST_F(HttpClientTest, DroppedConnectionIsAResetAfterSending) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  ScriptedAnswer drop;
  drop.drop_connection = true;
  server->Enqueue(drop);
  auto client = MakeClient();
  client->Submit(Get(*server, 1));
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].transport, TransportError::kReset);
  EXPECT_TRUE(done[0].request_sent);
  EXPECT_EQ(done[0].status, 0);
}

TEST_F(HttpClientTest, ClosedPortIsAConnectFailureThatNeverSent) {
  std::string url;
  {
    auto server = HttpTestServer::Start();
    ASSERT_NE(server, nullptr);
    url = server->Url("/Users");
  }
  auto client = MakeClient();
  HttpRequest request;
  request.tag = 3;
  request.method = "POST";
  request.url = url;
  request.body = "{}";
  client->Submit(std::move(request));
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].transport, TransportError::kConnectFailed);
  EXPECT_FALSE(done[0].request_sent);
  EXPECT_EQ(ClassifyHttpResponse(done[0], RequestKind::kCreate, std::chrono::system_clock::now())
                .status.code(),
            StatusCode::kUnavailable);
}

TEST_F(HttpClientTest, OversizedAnswerIsCutOff) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->Enqueue({200, {}, std::string(100'000, 'x')});
  HttpClientOptions options = Options();
  options.max_response_bytes = 1'000;
  auto client = MakeClient(options);
  client->Submit(Get(*server, 1));
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].transport, TransportError::kResponseTooLarge);
  EXPECT_LE(done[0].body.size(), 1'000u);
}

TEST_F(HttpClientTest, InsecureAndCleartextAreRefusedForNonLoopbackTargets) {
  EXPECT_EQ(HttpClient::CheckTargetUrl("https://api.github.com/scim/v2", true),
            InvalidArgument("https://api.github.com/scim/v2: --insecure is allowed only for "
                            "loopback targets; use --ca-file for a private CA"));
  EXPECT_EQ(HttpClient::CheckTargetUrl("http://ghes.example.com/api/v3/scim/v2", false),
            InvalidArgument("http://ghes.example.com/api/v3/scim/v2: plain http is allowed only "
                            "for loopback targets"));
  EXPECT_EQ(HttpClient::CheckTargetUrl("ftp://127.0.0.1/", false),
            InvalidArgument("ftp://127.0.0.1/: not an http:// or https:// URL"));
  EXPECT_TRUE(HttpClient::CheckTargetUrl("https://api.github.com/scim/v2", false).ok());
  EXPECT_TRUE(HttpClient::CheckTargetUrl("http://127.0.0.1:8080/scim", true).ok());
  EXPECT_TRUE(HttpClient::CheckTargetUrl("https://localhost/scim", true).ok());
  EXPECT_TRUE(HttpClient::CheckTargetUrl("http://[::1]:9/scim", true).ok());
  EXPECT_FALSE(HttpClient::CheckTargetUrl("https://127.evil.example/", true).ok());
  // Credentials in the URL are refused, without repeating them.
  const Status credentials =
      HttpClient::CheckTargetUrl("https://bob:s3cret@ghes.example.com/scim/v2", false);
  EXPECT_EQ(credentials.message(),
            "the target URL carries credentials (user:password@); scimflow sends a bearer token "
            "(--token-env or --token-file): give the URL without them");
  EXPECT_EQ(credentials.message().find("s3cret"), std::string::npos);
  EXPECT_FALSE(HttpClient::CheckTargetUrl("http://bob@127.0.0.1:8080/scim", true).ok());

  HttpClientOptions options = Options();
  options.insecure = true;
  auto client = MakeClient(options);
  HttpRequest request;
  request.tag = 9;
  request.method = "GET";
  request.url = "https://api.github.com/scim/v2/Users";
  client->Submit(std::move(request));
  const std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 9u);
  EXPECT_EQ(done[0].transport, TransportError::kInvalidRequest);
  EXPECT_FALSE(done[0].request_sent);
}

TEST_F(HttpClientTest, MissingOrBadTokensAreConfigurationErrors) {
  HttpClientOptions options = Options();
  options.token.env_var = "SCIMFLOW_TEST_TOKEN_UNSET";
  EXPECT_EQ(HttpClient::Create(options).status(),
            InvalidArgument("token environment variable SCIMFLOW_TEST_TOKEN_UNSET is not set or "
                            "empty"));
  TempDir dir;
  options.token.file = dir.File("missing");
  EXPECT_EQ(HttpClient::Create(options).status(),
            InvalidArgument(dir.File("missing") + ": cannot read: No such file or directory"));
  WriteFile(dir.File("blank"), " \n");
  options.token.file = dir.File("blank");
  EXPECT_EQ(HttpClient::Create(options).status(),
            InvalidArgument("token file " + dir.File("blank") + " holds no token"));
  WriteFile(dir.File("injected"), std::string(kToken) + "\nX-Evil: 1\n");
  options.token.file = dir.File("injected");
  const Status injected = HttpClient::Create(options).status();
  EXPECT_EQ(injected, InvalidArgument("token file " + dir.File("injected") +
                                      ": the token contains a control character"));
  EXPECT_EQ(injected.message().find(kToken), std::string::npos);
}

TEST_F(HttpClientTest, TokenFileReadableByOthersIsWarnedAbout) {
  TempDir dir;
  WriteFile(dir.File("token"), std::string(kToken) + "\n", 0644);
  HttpClientOptions options = Options();
  options.token.file = dir.File("token");
  auto client = MakeClient(options);
  ASSERT_EQ(client->warnings().size(), 1u);
  EXPECT_EQ(client->warnings()[0], "token file " + dir.File("token") +
                                       " has mode 0644, readable by group or others; restrict "
                                       "it with chmod 600");
  WriteFile(dir.File("private"), kToken, 0600);
  options.token.file = dir.File("private");
  EXPECT_TRUE(MakeClient(options)->warnings().empty());
}

TEST_F(HttpClientTest, RotatedTokenFileIsPickedUpAfterA401) {
  auto server = HttpTestServer::Start([](const RecordedRequest& request) {
    ScriptedAnswer answer;
    if (request.Header("authorization") != "Bearer new-token") {
      answer.status = 401;
      answer.body = R"({"message":"Bad credentials"})";
    }
    return answer;
  });
  ASSERT_NE(server, nullptr);
  TempDir dir;
  WriteFile(dir.File("token"), "old-token\n");
  HttpClientOptions options = Options();
  options.token.file = dir.File("token");
  auto client = MakeClient(options);

  // Unchanged file: the 401 is delivered, nothing is re-sent.
  client->Submit(Get(*server, 1));
  std::vector<HttpResponse> done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, 401);
  EXPECT_EQ(server->requests().size(), 1u);

  // Rotated: the same request goes out once more with the new token and succeeds.
  WriteFile(dir.File("token"), "new-token\n");
  client->Submit(Get(*server, 2));
  done = Collect(*client, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 2u);
  EXPECT_EQ(done[0].status, 200);
  EXPECT_TRUE(done[0].token_refreshed);
  const std::vector<RecordedRequest> seen = server->requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].Header("authorization"), "Bearer old-token");
  EXPECT_EQ(seen[2].Header("authorization"), "Bearer new-token");
  // Later requests use the new token from the start.
  client->Submit(Get(*server, 3));
  done = Collect(*client, 1);
  EXPECT_EQ(server->requests().back().Header("authorization"), "Bearer new-token");
}

TEST_F(HttpClientTest, TokenAppearsInNoAnswerMessageOrWarning) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  // The drop comes first, on a fresh connection: libcurl re-sends a request dropped on a reused
  // one (see http_client.h), which would shift the script.
  ScriptedAnswer drop;
  drop.drop_connection = true;
  server->Enqueue(drop);
  server->Enqueue({401, {}, R"({"message":"Bad credentials"})"});
  ScriptedAnswer slow;
  slow.delay = milliseconds(3'000);
  server->Enqueue(slow);
  HttpClientOptions options = Options();
  options.total_timeout = milliseconds(300);
  auto client = MakeClient(options);
  std::vector<HttpResponse> done;
  for (uint64_t tag = 0; tag < 3; ++tag) {
    HttpRequest request = Get(*server, tag);
    request.method = "POST";
    request.body = "{}";
    client->Submit(std::move(request));
    // One at a time, so the scripted answers go in order: dropped, 401, timeout.
    std::vector<HttpResponse> one = Collect(*client, 1);
    done.insert(done.end(), one.begin(), one.end());
  }
  HttpRequest refused = Get(*server, 3);
  refused.url = "http://203.0.113.1/Users";  // documentation address, refused before sending
  client->Submit(std::move(refused));
  std::vector<HttpResponse> last = Collect(*client, 1);
  done.insert(done.end(), last.begin(), last.end());
  ASSERT_EQ(done.size(), 4u);
  EXPECT_EQ(done[0].transport, TransportError::kReset);
  EXPECT_EQ(done[1].status, 401);
  EXPECT_EQ(done[2].transport, TransportError::kTimeout);
  EXPECT_EQ(done[3].transport, TransportError::kInvalidRequest);
  ASSERT_EQ(server->requests().size(), 3u);
  for (const RecordedRequest& request : server->requests()) {
    EXPECT_EQ(request.Header("authorization"), std::string("Bearer ") + kToken);
  }
  // Everything the client and the outcome mapping produce is free of the token.
  std::vector<std::string> texts = client->warnings();
  for (const HttpResponse& response : done) {
    texts.push_back(response.transport_message);
    texts.push_back(response.body);
    for (const HttpHeader& header : response.headers) texts.push_back(header.second);
    texts.push_back(
        ClassifyHttpResponse(response, RequestKind::kCreate, std::chrono::system_clock::now())
            .status.ToString());
  }
  for (const std::string& text : texts) EXPECT_EQ(text.find(kToken), std::string::npos) << text;
}

// Proxies from the environment, as libcurl reads them (io/proxy_environment.h). Two test servers:
// the target answers "direct", the one named as proxy "via proxy"; a request that went through the
// proxy reaches it in absolute form, naming the target.
class HttpClientProxyTest : public HttpClientTest {
 protected:
  static constexpr const char* kVariables[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                               "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                               "no_proxy",    "NO_PROXY"};

  void SetUp() override {
    HttpClientTest::SetUp();
    for (const char* name : kVariables) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
    target_ = HttpTestServer::Start([](const RecordedRequest&) {
      return ScriptedAnswer{200, {}, "direct"};
    });
    proxy_ = HttpTestServer::Start([](const RecordedRequest&) {
      return ScriptedAnswer{200, {}, "via proxy"};
    });
    ASSERT_NE(target_, nullptr);
    ASSERT_NE(proxy_, nullptr);
  }

  void TearDown() override {
    for (const char* name : kVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    HttpClientTest::TearDown();
  }

  std::string ProxyUrl() const { return fmt::format("http://127.0.0.1:{}", proxy_->port()); }

  // The body of the answer to a GET of the target by a client created now.
  std::string Fetch() {
    auto client = MakeClient();
    if (client == nullptr) return "";
    return SendAndWait(*client, Get(*target_, 1)).body;
  }

  std::unique_ptr<HttpTestServer> target_;
  std::unique_ptr<HttpTestServer> proxy_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(HttpClientProxyTest, HttpProxyVariableCarriesHttpRequests) {
  ::setenv("http_proxy", ProxyUrl().c_str(), 1);
  EXPECT_EQ(Fetch(), "via proxy");
  ASSERT_EQ(proxy_->requests().size(), 1u);
  EXPECT_NE(proxy_->requests()[0].path.find(target_->Url("/Users")), std::string::npos)
      << proxy_->requests()[0].path;
  EXPECT_TRUE(target_->requests().empty());
}

TEST_F(HttpClientProxyTest, UpperCaseHttpProxyIsIgnoredForHttp) {
  ::setenv("HTTP_PROXY", ProxyUrl().c_str(), 1);
  EXPECT_EQ(Fetch(), "direct");
  EXPECT_TRUE(proxy_->requests().empty());
}

TEST_F(HttpClientProxyTest, AllProxyIsUsedWhenTheSchemeHasNone) {
  ::setenv("http_proxy", "", 1);  // empty counts as unset
  ::setenv("ALL_PROXY", ProxyUrl().c_str(), 1);
  EXPECT_EQ(Fetch(), "via proxy");
}

TEST_F(HttpClientProxyTest, HttpsProxyIsNotUsedForHttp) {
  ::setenv("https_proxy", ProxyUrl().c_str(), 1);
  EXPECT_EQ(Fetch(), "direct");
  // Each scheme its own: http_proxy still carries http requests.
  ::setenv("http_proxy", ProxyUrl().c_str(), 1);
  ::setenv("https_proxy", "http://127.0.0.1:9", 1);
  EXPECT_EQ(Fetch(), "via proxy");
}

TEST_F(HttpClientProxyTest, NoProxyHostsAreReachedDirectly) {
  ::setenv("http_proxy", ProxyUrl().c_str(), 1);
  ::setenv("NO_PROXY", "example.com,127.0.0.1", 1);
  EXPECT_EQ(Fetch(), "direct");
  ::setenv("no_proxy", "example.com", 1);  // the lower-case one wins
  EXPECT_EQ(Fetch(), "via proxy");
}

// TLS: a self-signed certificate made with the openssl command for this test.
class HttpClientTlsTest : public HttpClientTest {
 protected:
  void SetUp() override {
    HttpClientTest::SetUp();
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) GTEST_SKIP() << "no TLS in MHD";
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        dir_.File("key.pem") + " -out " + dir_.File("cert.pem") + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) GTEST_SKIP() << "openssl cannot make a certificate";
    std::ifstream cert(dir_.File("cert.pem")), key(dir_.File("key.pem"));
    cert_.assign(std::istreambuf_iterator<char>(cert), {});
    key_.assign(std::istreambuf_iterator<char>(key), {});
  }

  HttpResponse FetchOnce(HttpClientOptions options) {
    auto server = HttpTestServer::Start(nullptr, cert_, key_);
    EXPECT_NE(server, nullptr);
    if (server == nullptr) return {};
    auto client = MakeClient(std::move(options));
    client->Submit(Get(*server, 1));
    std::vector<HttpResponse> done = Collect(*client, 1);
    return done.empty() ? HttpResponse() : done[0];
  }

  TempDir dir_;
  std::string cert_, key_;
};

TEST_F(HttpClientTlsTest, UnknownCertificateIsRefused) {
  const HttpResponse response = FetchOnce(Options());
  EXPECT_EQ(response.transport, TransportError::kTls);
  EXPECT_FALSE(response.request_sent);
  EXPECT_EQ(ClassifyHttpResponse(response, RequestKind::kOther, std::chrono::system_clock::now())
                .status.code(),
            StatusCode::kUnauthenticated);
}

TEST_F(HttpClientTlsTest, CaFileAddsTheCertificateToTheTrustStore) {
  HttpClientOptions options = Options();
  options.ca_file = dir_.File("cert.pem");
  const HttpResponse response = FetchOnce(options);
  EXPECT_EQ(response.transport, TransportError::kNone) << response.transport_message;
  EXPECT_EQ(response.status, 200);
}

TEST_F(HttpClientTlsTest, InsecureSkipsVerificationOnLoopback) {
  HttpClientOptions options = Options();
  options.insecure = true;
  EXPECT_EQ(FetchOnce(options).status, 200);
}

}  // namespace
}  // namespace scimflow
