// HttpTestServer: a small real HTTP(S) server on 127.0.0.1 with an ephemeral port, for tests of
// the HTTP client. Answers are scripted (status, headers, body, a delay, or a dropped
// connection), every request is recorded, and connections are counted, so tests see what really
// went over the socket: no mocks. Built on libmicrohttpd, one thread per connection, so a delayed
// answer holds only its own connection.
//
// Ownership: owns the daemon; the destructor stops it, interrupting pending delays.
// Thread-safety: every member function may be called from any thread while the server runs.
#ifndef SCIMFLOW_TESTS_HTTP_TEST_SERVER_H_
#define SCIMFLOW_TESTS_HTTP_TEST_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "io/http_client.h"

struct MHD_Daemon;

namespace scimflow::testing {

struct RecordedRequest {
  std::string method;
  std::string path;                 // without the query
  std::vector<HttpHeader> headers;  // names in lower case
  std::vector<HttpHeader> query;    // the query's arguments, decoded, in order
  std::string body;
  // The value of header `name` (lower case), or empty.
  std::string Header(std::string_view name) const;
};

struct ScriptedAnswer {
  int status = 200;
  std::vector<HttpHeader> headers;
  std::string body = "{}";
  std::chrono::milliseconds delay{0};  // wait before answering
  bool drop_connection = false;        // close the connection without answering
};

class HttpTestServer {
 public:
  // Decides the answer to a request when no scripted answer is queued.
  using Handler = std::function<ScriptedAnswer(const RecordedRequest&)>;

  // Starts a server; with `tls_cert_pem` and `tls_key_pem` non-empty it speaks HTTPS. Returns
  // nullptr when the daemon cannot start (the test fails on it).
  static std::unique_ptr<HttpTestServer> Start(Handler handler = nullptr,
                                               std::string tls_cert_pem = "",
                                               std::string tls_key_pem = "");
  ~HttpTestServer();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https when TLS).
  std::string Url(std::string_view path) const;

  // Queues an answer; queued answers are used in order before the handler.
  void Enqueue(ScriptedAnswer answer);
  std::vector<RecordedRequest> requests() const;
  size_t connections_opened() const;
  // The most requests being answered at the same moment since the start.
  size_t max_concurrent() const;

  // Stops the daemon (idempotent); pending delays end at once.
  void Stop();

  // libmicrohttpd callbacks; public only so the C trampolines can reach them.
  ScriptedAnswer Answer(const RecordedRequest& request);
  void OnConnectionOpened();
  void WaitOrStop(std::chrono::milliseconds delay);
  void EnterRequest();
  void LeaveRequest();

 private:
  HttpTestServer() = default;

  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
  bool tls_ = false;
  std::string cert_, key_;  // must outlive the daemon
  Handler handler_;

  mutable std::mutex mutex_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;                  // guarded by mutex_
  std::deque<ScriptedAnswer> scripted_;    // guarded by mutex_
  std::vector<RecordedRequest> requests_;  // guarded by mutex_
  size_t connections_ = 0;                 // guarded by mutex_
  size_t active_ = 0;                      // guarded by mutex_
  size_t max_active_ = 0;                  // guarded by mutex_
};

}  // namespace scimflow::testing

#endif  // SCIMFLOW_TESTS_HTTP_TEST_SERVER_H_
