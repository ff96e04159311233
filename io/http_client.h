// HttpClient: sends HTTP requests to one SCIM target over libcurl's multi interface and hands the
// answers back through one completion queue. It knows nothing of SCIM: requests are method, URL,
// headers and body; answers are status, the few headers the engine needs, body, or a transport
// error. Mapping answers to what the engine does next is io/http_outcome's job.
//
// What it does for every request:
// - Connections are reused, and multiplexed over HTTP/2 where the server offers it through TLS
//   ALPN (CURLPIPE_MULTIPLEX, CURLOPT_PIPEWAIT); cleartext loopback targets use HTTP/1.1.
// - At most `max_in_flight` transfers run at once (more wait in a FIFO), over at most
//   `max_host_connections` connections per host.
// - TLS peer and host verification are always on. `ca_file` adds the PEM certificates of a file to
//   the system's trust store for this client (the system bundle plus the file are handed to curl
//   as one CURLOPT_CAINFO_BLOB): unlike curl's own `--cacert`, public CAs stay trusted. A
//   directory of hashed certificates (CAPATH) is not supported. `insecure` switches verification
//   off, and is refused for any host but loopback (localhost, 127.0.0.0/8, ::1).
// - `User-Agent: scimflow/VERSION` (GitHub rejects requests without one) and
//   `Authorization: Bearer TOKEN`. Redirects are not followed, so the token never leaves the
//   target's origin.
// - Proxies come from the environment as for libcurl (http_proxy, https_proxy, all_proxy,
//   no_proxy, io/proxy_environment.h), read once when the client is created.
// - Connect and total timeouts from the options; a transfer that fails carries a transport error
//   and says whether the request may have reached the server (`request_sent`): a create whose
//   answer was lost must be looked up, never re-sent blind. One re-send is libcurl's own: when a
//   reused keep-alive connection closes before any byte of the answer, libcurl sends the request
//   once more on a new connection (the server may have closed an idle connection just as it was
//   reused). For a create that did reach the server this shows up as a 409, which
//   io/http_outcome turns into a lookup, so nothing is created twice.
//
// The token: read from an environment variable or a file when the client is created. When a
// request is answered 401 and the token came from a file, the file is read again; if it holds a
// different token the request is sent once more with it (a rotated token is picked up without a
// restart), otherwise the 401 is delivered. The token appears in no message, warning or answer
// this client produces; callers must not log request headers.
//
// - Transfers are driven through libcurl's socket interface (curl_multi_socket_action) and an
//   epoll set of the sockets curl watches, so each Poll() touches only the transfers that have
//   something to do, and easy handles are reused from one request to the next with the options
//   all transfers share left in place. A keep-alive connection that goes back to curl's pool
//   stays in the epoll set, so a request on a reused connection costs no epoll_ctl. Each easy
//   handle keeps a parsed URL (CURLOPT_CURLU) whose origin is parsed once; a request changes only
//   its path and query, unless its URL is one whose parse could differ (dot segments, bytes
//   outside RFC 3986's plain set), which goes to libcurl as a string.
//
// Thread model: one thread, the driver, calls Poll() in a loop; that thread alone touches the
// curl handles. Submit() and Wake() may be called from any thread (the pipeline's async_node
// submits from worker threads) and wake the driver. Completions are delivered only by Poll(), in
// the order transfers finish.
#ifndef SCIMFLOW_IO_HTTP_CLIENT_H_
#define SCIMFLOW_IO_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace scimflow {

// Where the bearer token comes from. Exactly one of the two is used: `file` when non-empty.
struct TokenSource {
  std::string env_var = "SCIMFLOW_TOKEN";  // --token-env
  std::string file;                        // --token-file
};

struct HttpClientOptions {
  uint32_t max_in_flight = 16;        // transfers running at once; more wait in a FIFO
  uint32_t max_host_connections = 8;  // connections per host (HTTP/2 multiplexes over them)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};  // whole transfer, connect included
  // Answers larger than this are cut off and reported as kResponseTooLarge, so a broken or
  // hostile server cannot make the engine buffer without limit.
  size_t max_response_bytes = 64u << 20;
  std::string ca_file;    // PEM file added to the system trust store; empty: system store only
  bool insecure = false;  // skip TLS verification; loopback hosts only
  std::string user_agent = std::string("scimflow/") + SCIMFLOW_VERSION;
  TokenSource token;
};

// One header of a request, e.g. {"Content-Type", "application/scim+json"}.
using HttpHeader = std::pair<std::string, std::string>;

struct HttpRequest {
  uint64_t tag = 0;                 // the caller's, returned with the answer
  std::string method;               // "GET", "POST", "PATCH", "PUT", "DELETE"
  std::string url;                  // absolute http:// or https:// URL
  std::string body;                 // sent as is when non-empty
  std::vector<HttpHeader> headers;  // extra headers; never Authorization (the client adds it)
};

// Why a transfer produced no complete answer.
enum class TransportError : uint8_t {
  kNone = 0,          // an answer was received (any status)
  kConnectFailed,     // DNS or TCP connect failed: the request never left
  kTimeout,           // connect or total timeout
  kReset,             // connection reset, closed, or answer truncated
  kTls,               // TLS handshake or certificate verification failed
  kResponseTooLarge,  // the answer exceeded max_response_bytes
  kInvalidRequest,    // bad URL or method, or --insecure for a non-loopback host
  kOther,             // any other libcurl failure
};

// Lower-case name, e.g. "timeout", for messages.
std::string_view TransportErrorName(TransportError error);

struct HttpResponse {
  uint64_t tag = 0;
  int status = 0;  // HTTP status; 0 when no status line arrived
  TransportError transport = TransportError::kNone;
  // True when the request may have reached the server: the connection was established and
  // sending had begun. False means it certainly did not (connect failed, TLS failed, refused).
  bool request_sent = false;
  std::string transport_message;  // libcurl's description; never contains the token
  // Response headers the engine reads, names in lower case: retry-after, x-ratelimit-limit,
  // x-ratelimit-remaining, x-ratelimit-reset, x-ratelimit-used, x-ratelimit-resource,
  // content-type, location, etag. Others are dropped.
  std::vector<HttpHeader> headers;
  std::string body;
  std::string http_version;      // "1.1" or "2"
  bool token_refreshed = false;  // re-sent after a 401 with a token re-read from the file

  // The value of header `name` (lower case), or empty.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

class HttpClient {
 public:
  // Creates a client and reads the token.
  // Errors: kInvalidArgument when the token variable is unset or empty, the token file cannot be
  // read or is empty, the token holds a line break or a control character, or `ca_file` cannot
  // be read; kInternal when libcurl cannot be initialised. Messages name the variable or file,
  // never the token.
  static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);

  // Checks that `url` is an http(s) URL without user:password@ credentials and, when
  // `insecure`, that its host is loopback. Errors: kInvalidArgument with the reason (a URL with
  // credentials is not repeated in it).
  static Status CheckTargetUrl(std::string_view url, bool insecure);

  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request`; its answer comes out of a later Poll() with the same tag. Never blocks on
  // the network. A request that cannot be sent (bad URL, insecure non-loopback host) still gets
  // an answer, with transport kInvalidRequest. Thread-safe.
  void Submit(HttpRequest request);

  // Makes a Poll() that is waiting return early. Thread-safe.
  void Wake();

  // Driver thread only. Starts queued requests, drives transfers for at most `wait` (returning
  // sooner when something completes or Wake() is called), and appends finished answers to
  // `*done`. Returns the number appended.
  size_t Poll(std::chrono::milliseconds wait, std::vector<HttpResponse>* done);

  // Requests submitted and not yet delivered by Poll(). Thread-safe.
  size_t pending() const;

  // Non-fatal notes from Create(), e.g. a token file readable by others; never the token.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::vector<std::string> warnings_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_HTTP_CLIENT_H_
