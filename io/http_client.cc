#include "io/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "engine/ascii.h"
#include "io/proxy_environment.h"

namespace scimflow {
namespace {

// Response headers kept for the engine; everything else is dropped as it arrives.
constexpr std::string_view kKeptHeaders[] = {
    "retry-after",       "x-ratelimit-limit", "x-ratelimit-remaining",
    "x-ratelimit-reset", "x-ratelimit-used",  "x-ratelimit-resource",
    "content-type",      "location",          "etag",
};

// A token file larger than this is not a token; refusing it avoids reading a wrong path whole.
constexpr size_t kMaxTokenFileBytes = 64 * 1024;
// Where Debian's libcurl finds the system trust store when curl reports no bundle path.
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

std::once_flag curl_init_once;

bool IsBlank(char byte) { return byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::string contents;
  char buffer[4096];
  while (file.read(buffer, sizeof(buffer)) || file.gcount() > 0) {
    contents.append(buffer, static_cast<size_t>(file.gcount()));
    if (contents.size() > max_bytes) {
      return InvalidArgument(fmt::format("{}: larger than {} bytes", path, max_bytes));
    }
  }
  return contents;
}

// Checks a token's bytes; `where` names its source for the message (never the token itself).
Result<std::string> ValidateToken(std::string_view raw, std::string_view where) {
  const std::string_view token = Trim(raw);
  if (token.empty()) return InvalidArgument(fmt::format("{} holds no token", where));
  for (const char byte : token) {
    const auto code = static_cast<unsigned char>(byte);
    // A line break inside would end the Authorization header and start another one.
    if (code < 0x20 || code == 0x7f) {
      return InvalidArgument(fmt::format("{}: the token contains a control character", where));
    }
  }
  return std::string(token);
}

Result<std::string> LoadToken(const TokenSource& source, std::vector<std::string>* warnings) {
  if (!source.file.empty()) {
    struct stat info {};
    if (warnings != nullptr && ::stat(source.file.c_str(), &info) == 0 &&
        (info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
      warnings->push_back(fmt::format(
          "token file {} has mode {:04o}, readable by group or others; restrict it with chmod 600",
          source.file, info.st_mode & 07777));
    }
    SCIMFLOW_ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(source.file, kMaxTokenFileBytes));
    return ValidateToken(contents, fmt::format("token file {}", source.file));
  }
  const char* value = std::getenv(source.env_var.c_str());
  if (value == nullptr || *value == '\0') {
    return InvalidArgument(
        fmt::format("token environment variable {} is not set or empty", source.env_var));
  }
  return ValidateToken(value, fmt::format("token environment variable {}", source.env_var));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  std::string bare(host);
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, bare.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

TransportError ClassifyCurlCode(CURLcode code, bool body_too_large) {
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportError::kConnectFailed;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportError::kReset;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return TransportError::kTls;
    case CURLE_WRITE_ERROR:
      return body_too_large ? TransportError::kResponseTooLarge : TransportError::kOther;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return TransportError::kInvalidRequest;
    default:
      return TransportError::kOther;
  }
}

// The request headers of a transfer as a curl list: `Authorization` with one token, `Expect:`
// (no 100-continue), a default `Content-Type` when the request has a body and names none, and the
// request's own headers. The engine sends the same few sets over and over, so consecutive
// transfers with the same token and headers share one list instead of building it each time.
struct HeaderSet {
  std::string token;
  std::vector<HttpHeader> headers;
  bool default_content_type = false;
  curl_slist* list = nullptr;

  HeaderSet() = default;
  HeaderSet(const HeaderSet&) = delete;
  HeaderSet& operator=(const HeaderSet&) = delete;
  ~HeaderSet() {
    if (list != nullptr) curl_slist_free_all(list);
  }
  bool Matches(const std::string& other_token, const std::vector<HttpHeader>& other_headers,
               bool other_default) const {
    return default_content_type == other_default && token == other_token &&
           headers == other_headers;
  }
};

// One request on its way: the easy handle and everything it points into.
struct Transfer {
  HttpRequest request;
  CURL* easy = nullptr;
  std::shared_ptr<const HeaderSet> header_set;  // what CURLOPT_HTTPHEADER points into
  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  size_t max_body = 0;
  bool body_too_large = false;
  bool refreshed = false;

  // The token this transfer sent, compared with the file's token after a 401.
  const std::string& token_used() const { return header_set->token; }

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > transfer->max_body) {
    transfer->body_too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  const std::string_view line(data, bytes);
  // A new status line (after a 100 Continue, say) starts a new set of headers.
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  // Compared without building a lower-case copy: most headers of an answer are dropped.
  const std::string_view name = Trim(line.substr(0, colon));
  const auto kept =
      std::find_if(std::begin(kKeptHeaders), std::end(kKeptHeaders),
                   [&](std::string_view wanted) { return EqualsIgnoringAsciiCase(wanted, name); });
  if (kept != std::end(kKeptHeaders)) {
    // An answer keeps a few (a create's: content-type, location, etag): one allocation for
    // them rather than one per doubling.
    if (transfer->response.headers.empty()) transfer->response.headers.reserve(4);
    transfer->response.headers.emplace_back(std::string(*kept),
                                            std::string(Trim(line.substr(colon + 1))));
  }
  return bytes;
}

// `scheme://authority` of an absolute URL (everything before the path, query or fragment), or
// empty when `url` has no `://`.
std::string_view OriginOf(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, authority_end);
}

bool HasHeaderNamed(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const HttpHeader& header) {
    return EqualsIgnoringAsciiCase(header.first, name);
  });
}

// Bytes a path or query may hold for the URL handle's fast path (Impl::UrlFor): RFC 3986's
// unreserved and sub-delimiter characters, ':', '@', '/', '?' and '%'. Anything else (spaces,
// '#', quotes, non-ASCII, ...) takes the parse of the whole URL, which decides about it as before.
bool IsPlainTargetByte(char byte) {
  if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
      (byte >= '0' && byte <= '9')) {
    return true;
  }
  return std::string_view("-._~!$&'()*+,;=:@/?%").find(byte) != std::string_view::npos;
}

// True when `target` (what follows the origin: path, then perhaps `?query`) gives the same path
// and query set as parts of a URL handle as a parse of the whole URL would: it starts with '/',
// holds only plain bytes, has a non-empty query if any, and no dot segment ("/./", "/../" or a
// trailing "/." or "/.."), which a parse would remove.
bool IsPlainTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  if (!std::all_of(target.begin(), target.end(), IsPlainTargetByte)) return false;
  if (target.back() == '?') return false;
  for (size_t dot = target.find("/."); dot != std::string_view::npos;
       dot = target.find("/.", dot + 1)) {
    const size_t after = dot + 2;
    if (after == target.size() || target[after] == '/' || target[after] == '?' ||
        target[after] == '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const HttpHeader& header : headers) {
    if (header.first == name) return header.second;
  }
  return {};
}

bool HttpResponse::HasHeader(std::string_view name) const { return HasHeaderNamed(headers, name); }

struct HttpClient::Impl {
  HttpClientOptions options;
  CURLM* multi = nullptr;
  std::string ca_blob;  // system bundle + ca_file, when ca_file is set
  std::string token;    // driver thread only after Create()
  // The environment's proxies, read at Create() (io/proxy_environment.h). When http and https
  // URLs have the same proxy (or none), it is set once per easy handle, else per transfer.
  ProxyEnvironment proxies;

  mutable std::mutex mutex;
  std::deque<HttpRequest> queued;      // guarded by mutex
  std::vector<HttpResponse> rejected;  // guarded by mutex: answered without sending
  std::string checked_origin;          // guarded by mutex: the last origin CheckTargetUrl passed
  std::atomic<size_t> pending{0};
  std::atomic<bool> woken{false};
  // True while the driver is about to wait, or waits, in epoll_wait. Submit() and Wake() wake
  // the driver only then: a wakeup costs a write to `wake_fd` and a wait that returns at once,
  // and a driver that submits its own requests between two Polls needs neither.
  std::atomic<bool> polling{false};

  // libcurl's socket interface: curl says which sockets to watch (OnSocket) and when to call it
  // back for its timeouts (OnTimer); the driver waits on the sockets with epoll and hands each
  // ready one to curl_multi_socket_action. Unlike curl_multi_perform, which walks every transfer
  // on each call, only the transfers with something to do are touched.
  int epoll_fd = -1;
  int wake_fd = -1;  // eventfd: other threads' Submit() and Wake() write it
  // Driver thread only: when curl wants CURL_SOCKET_TIMEOUT, if it does.
  bool timer_armed = false;
  std::chrono::steady_clock::time_point timer_due;

  // Driver thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  // Easy handles of finished transfers, kept for the next ones with their fixed options set
  // (ConfigureFixed): creating a handle allocates and clears several kilobytes, which showed in
  // the profile of a bulk apply, and so did curl_easy_reset plus setting every option again.
  std::vector<CURL*> idle_easy;
  // The parsed URL of each easy handle (CURLOPT_CURLU). libcurl parses a CURLOPT_URL string
  // again for every transfer and prints it back into a normalised copy (together a tenth of the
  // driver's time per request in the profile of an apply of creates); a URL handle whose origin
  // was parsed once only has its path and query replaced (UrlFor). curl copies the handle when
  // the transfer starts, so each easy handle needs its own.
  struct UrlHandle {
    CURLU* url = nullptr;
    std::string origin;    // `scheme://authority` that `url` holds; empty: none yet
    std::string target;    // the path and query `url` holds (creates send the same each time)
    bool on_easy = false;  // CURLOPT_CURLU of the easy handle points at `url`
  };
  std::unordered_map<CURL*, UrlHandle> url_handles;
  // The header list of the last transfer started; the next one shares it when it matches.
  std::shared_ptr<const HeaderSet> header_set;
  std::deque<std::unique_ptr<Transfer>> resend;  // 401 answered, token rotated: send again

  ~Impl() {
    for (auto& [easy, transfer] : running) curl_multi_remove_handle(multi, easy);
    running.clear();
    for (CURL* easy : idle_easy) curl_easy_cleanup(easy);
    for (auto& [easy, handle] : url_handles) curl_url_cleanup(handle.url);
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  // What the epoll set holds for each socket, indexed by descriptor (SocketState). A keep-alive
  // connection that goes back to curl's pool after its answer stays registered for EPOLLIN
  // although curl no longer watches it, so the next transfer on it, which again waits for input,
  // costs no epoll_ctl: this saved an EPOLL_CTL_DEL and an EPOLL_CTL_ADD per request. Only
  // sockets curl opened for a connection through OnOpenSocket are kept this way, because their
  // closing passes through OnCloseSocket, which forgets the state before the descriptor can be
  // reused (closing a socket drops it from the epoll set).
  enum SocketBits : uint8_t {
    kRegisteredIn = 1,   // EPOLLIN is registered
    kRegisteredOut = 2,  // EPOLLOUT is registered
    kWatched = 4,        // curl watches the socket (between its first callback and REMOVE)
    kConnection = 8,     // opened by OnOpenSocket; its close passes through OnCloseSocket
  };
  static constexpr uint8_t kRegistered = kRegisteredIn | kRegisteredOut;
  std::vector<uint8_t> socket_states;  // driver thread only
  uint8_t& SocketState(curl_socket_t socket) {
    const auto index = static_cast<size_t>(socket);
    if (index >= socket_states.size()) socket_states.resize(index + 1, 0);
    return socket_states[index];
  }
  // Sets the epoll registration of `socket` to `events` (kRegistered* bits), from `registered`.
  void Register(curl_socket_t socket, uint8_t registered, uint8_t events);

  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* user, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* user);
  static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address);
  static int OnCloseSocket(void* user, curl_socket_t socket);
  void WakeDriver() {
    const uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof(one));
  }
  // Runs curl's timeout actions when they are due.
  void RunTimer();
  // Waits up to `timeout` for a socket curl watches or a wakeup, and hands ready sockets to curl.
  void WaitAndAct(std::chrono::milliseconds timeout);

  // The options every transfer of this client has alike; set once per easy handle.
  void ConfigureFixed(CURL* easy);
  // The options of this transfer: URL, callbacks' data, headers, method and body.
  void ConfigureEasy(Transfer* transfer);
  void ConfigureMethod(Transfer* transfer);
  // Points `easy` at `url`: through its URL handle when `url`'s path and query can be set as
  // parts (IsPlainTarget), else as a CURLOPT_URL string that libcurl parses.
  void ConfigureUrl(CURL* easy, const std::string& url);
  // The URL handle of `easy` set to `url`, or null when `url` must be parsed whole.
  UrlHandle* UrlFor(CURL* easy, const std::string& url);
  std::shared_ptr<const HeaderSet> HeadersFor(const HttpRequest& request);
  void Start(std::unique_ptr<Transfer> transfer);
  void StartQueued();
  // Finishes the transfer of `easy`; appends its answer to `*done` unless it is sent again.
  void Finish(CURL* easy, CURLcode code, std::vector<HttpResponse>* done);
  bool ResendWithNewToken(std::unique_ptr<Transfer>& transfer);
  size_t DrainFinished(std::vector<HttpResponse>* done);
  // Requests queued that could start now, or answers waiting to be delivered.
  bool HasWork() {
    std::lock_guard lock(mutex);
    return !rejected.empty() || (!queued.empty() && running.size() < options.max_in_flight);
  }
};

void HttpClient::Impl::ConfigureFixed(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Wait for an HTTP/2 connection to multiplex on rather than opening another one.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Impl::OnOpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Impl::OnCloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
  // Given explicitly, so libcurl does not look the proxy variables up for every transfer.
  curl_easy_setopt(easy, CURLOPT_NOPROXY, proxies.no_proxy.c_str());
  if (proxies.http == proxies.https) curl_easy_setopt(easy, CURLOPT_PROXY, proxies.http.c_str());
  if (!ca_blob.empty()) {
    curl_blob blob{ca_blob.data(), ca_blob.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
  }
}

std::shared_ptr<const HeaderSet> HttpClient::Impl::HeadersFor(const HttpRequest& request) {
  const bool default_type =
      !request.body.empty() && !HasHeaderNamed(request.headers, "content-type");
  if (header_set != nullptr && header_set->Matches(token, request.headers, default_type)) {
    return header_set;
  }
  auto fresh = std::make_shared<HeaderSet>();
  fresh->token = token;
  fresh->headers = request.headers;
  fresh->default_content_type = default_type;
  const std::string authorization = "Authorization: Bearer " + token;
  curl_slist* list = curl_slist_append(nullptr, authorization.c_str());
  // No "Expect: 100-continue": it costs a round trip (or a second) per large body.
  list = curl_slist_append(list, "Expect:");
  // In the list rather than CURLOPT_USERAGENT, which libcurl prints into a fresh string for
  // every request. A request's own User-Agent wins, as it would over the option.
  if (!HasHeaderNamed(request.headers, "user-agent")) {
    list = curl_slist_append(list, ("User-Agent: " + options.user_agent).c_str());
  }
  if (default_type) list = curl_slist_append(list, "Content-Type: application/json");
  for (const HttpHeader& header : request.headers) {
    list = curl_slist_append(list, fmt::format("{}: {}", header.first, header.second).c_str());
  }
  fresh->list = list;
  header_set = fresh;
  return fresh;
}

void HttpClient::Impl::ConfigureEasy(Transfer* transfer) {
  CURL* easy = transfer->easy;
  const HttpRequest& request = transfer->request;
  ConfigureUrl(easy, request.url);
  if (proxies.http != proxies.https) {
    curl_easy_setopt(easy, CURLOPT_PROXY, proxies.For(request.url).c_str());
  }
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
  // The header list is that of the current token; the transfer keeps it alive.
  transfer->header_set = HeadersFor(request);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->header_set->list);
  ConfigureMethod(transfer);
}

HttpClient::Impl::UrlHandle* HttpClient::Impl::UrlFor(CURL* easy, const std::string& url) {
  const std::string_view origin = OriginOf(url);
  if (origin.empty()) return nullptr;
  const std::string_view target = std::string_view(url).substr(origin.size());
  if (!IsPlainTarget(target)) return nullptr;
  UrlHandle& handle = url_handles[easy];
  if (handle.url == nullptr && (handle.url = curl_url()) == nullptr) return nullptr;
  if (handle.origin != origin) {
    // The flags libcurl parses a CURLOPT_URL string with.
    const std::string base = std::string(origin) + "/";
    if (curl_url_set(handle.url, CURLUPART_URL, base.c_str(),
                     CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
      handle.origin.clear();
      return nullptr;
    }
    handle.origin = origin;
    handle.target.clear();
  }
  if (handle.target == target) return &handle;
  const size_t question = target.find('?');
  const std::string path(target.substr(0, question));
  const std::string query =
      question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
  if (curl_url_set(handle.url, CURLUPART_PATH, path.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.url, CURLUPART_QUERY, query.empty() ? nullptr : query.c_str(), 0) !=
          CURLUE_OK) {
    handle.origin.clear();  // Parsed again next time: the handle is in an unknown state.
    return nullptr;
  }
  handle.target = target;
  return &handle;
}

void HttpClient::Impl::ConfigureUrl(CURL* easy, const std::string& url) {
  if (UrlHandle* handle = UrlFor(easy, url)) {
    // Set once: the handle stays the easy handle's, only its parts change between transfers.
    if (!handle->on_easy) curl_easy_setopt(easy, CURLOPT_CURLU, handle->url);
    handle->on_easy = true;
    return;
  }
  // CURLOPT_CURLU overrides CURLOPT_URL: it is cleared before the string is set.
  const auto found = url_handles.find(easy);
  if (found != url_handles.end() && found->second.on_easy) {
    curl_easy_setopt(easy, CURLOPT_CURLU, nullptr);
    found->second.on_easy = false;
  }
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
}

void HttpClient::Impl::ConfigureMethod(Transfer* transfer) {
  CURL* easy = transfer->easy;
  const HttpRequest& request = transfer->request;
  // The handle may come from a transfer of another method: HTTPGET resets it to a GET without a
  // body, then the body (which makes it a POST) and the method name, if any, are set anew.
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  const bool has_body = !request.body.empty() || request.method == "POST" ||
                        request.method == "PUT" || request.method == "PATCH";
  if (has_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
  }
  const bool plain = request.method == "GET" || request.method == "POST";
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, plain ? nullptr : request.method.c_str());
}

void HttpClient::Impl::Start(std::unique_ptr<Transfer> transfer) {
  if (idle_easy.empty()) {
    transfer->easy = curl_easy_init();
    if (transfer->easy != nullptr) ConfigureFixed(transfer->easy);
  } else {
    transfer->easy = idle_easy.back();
    idle_easy.pop_back();
  }
  transfer->max_body = options.max_response_bytes;
  transfer->response.tag = transfer->request.tag;
  CURL* easy = transfer->easy;
  if (easy != nullptr) ConfigureEasy(transfer.get());
  if (easy == nullptr || curl_multi_add_handle(multi, easy) != CURLM_OK) {
    // The handle dies with the transfer; its URL handle must not pass to a later one that
    // happens to get the same address.
    if (const auto found = url_handles.find(easy); found != url_handles.end()) {
      curl_url_cleanup(found->second.url);
      url_handles.erase(found);
    }
    transfer->response.transport = TransportError::kOther;
    transfer->response.transport_message = "libcurl could not start the transfer";
    std::lock_guard lock(mutex);
    rejected.push_back(std::move(transfer->response));
    return;
  }
  running.emplace(easy, std::move(transfer));
}

void HttpClient::Impl::StartQueued() {
  while (!resend.empty() && running.size() < options.max_in_flight) {
    Start(std::move(resend.front()));
    resend.pop_front();
  }
  while (running.size() < options.max_in_flight) {
    auto transfer = std::make_unique<Transfer>();
    {
      std::lock_guard lock(mutex);
      if (queued.empty()) return;
      transfer->request = std::move(queued.front());
      queued.pop_front();
    }
    Start(std::move(transfer));
  }
}

bool HttpClient::Impl::ResendWithNewToken(std::unique_ptr<Transfer>& transfer) {
  if (transfer->refreshed || options.token.file.empty()) return false;
  Result<std::string> fresh = LoadToken(options.token, nullptr);
  if (!fresh.ok() || *fresh == transfer->token_used()) return false;
  // The token was rotated: every later request uses the new one, and this one is sent again
  // (a 401 means the target did nothing, so a re-send cannot duplicate a create).
  token = std::move(fresh).value();
  auto again = std::make_unique<Transfer>();
  again->request = std::move(transfer->request);
  again->refreshed = true;
  resend.push_back(std::move(again));
  return true;
}

void HttpClient::Impl::Finish(CURL* easy, CURLcode code, std::vector<HttpResponse>* done) {
  const auto found = running.find(easy);
  if (found == running.end()) return;
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  running.erase(found);
  curl_multi_remove_handle(multi, easy);

  HttpResponse& response = transfer->response;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  long request_bytes = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  response.status = static_cast<int>(status);
  response.http_version = version == CURL_HTTP_VERSION_2_0 ? "2" : "1.1";
  response.transport = ClassifyCurlCode(code, transfer->body_too_large);
  // Sending starts after pretransfer, and request bytes counted were written to the socket; a
  // status proves the request arrived. Any of them means the target may have acted on it.
  response.request_sent = pretransfer_us > 0 || request_bytes > 0 || status > 0;
  if (response.transport != TransportError::kNone) {
    response.transport_message =
        transfer->error_buffer[0] != '\0' ? transfer->error_buffer : curl_easy_strerror(code);
  }
  response.token_refreshed = transfer->refreshed;
  // Everything the answer needs is read: the handle goes back to the pool with its fixed options;
  // the pointers into this transfer are cleared, the rest is set again by the next one.
  transfer->easy = nullptr;
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
  idle_easy.push_back(easy);
  if (response.transport == TransportError::kNone && status == 401 &&
      ResendWithNewToken(transfer)) {
    return;
  }
  done->push_back(std::move(response));
  pending.fetch_sub(1);
}

void HttpClient::Impl::Register(curl_socket_t socket, uint8_t registered, uint8_t events) {
  epoll_event event{};
  event.data.fd = socket;
  event.events = ((events & kRegisteredIn) != 0 ? EPOLLIN : 0u) |
                 ((events & kRegisteredOut) != 0 ? EPOLLOUT : 0u);
  // The fallbacks cover a state that is out of step with the kernel's set.
  if (registered == 0) {
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, socket, &event) != 0 && errno == EEXIST) {
      ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket, &event);
    }
  } else if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, socket, &event);
  }
}

int HttpClient::Impl::OnSocket(CURL* easy, curl_socket_t socket, int what, void* user,
                               void* socket_data) {
  auto* impl = static_cast<Impl*>(user);
  uint8_t& state = impl->SocketState(socket);
  uint8_t registered = state & kRegistered;
  if (what == CURL_POLL_REMOVE) {
    // A connection socket waiting for input stays registered (see SocketBits); any other is
    // dropped from the set.
    if ((state & kConnection) != 0 && registered == kRegisteredIn) {
      state = kConnection | kRegisteredIn;
      return 0;
    }
    if (registered != 0) ::epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
    state &= kConnection;
    return 0;
  }
  // curl keeps `socket_data` for a socket until it is removed: null means curl starts watching
  // it now. Only a connection socket kept registered may then be trusted to be in the set.
  if (socket_data == nullptr) {
    curl_multi_assign(impl->multi, socket, impl);
    if ((state & kConnection) == 0) registered = 0;
  }
  const uint8_t wanted = ((what & CURL_POLL_IN) != 0 ? kRegisteredIn : 0) |
                         ((what & CURL_POLL_OUT) != 0 ? kRegisteredOut : 0);
  if (wanted != registered || registered == 0) impl->Register(socket, registered, wanted);
  state = static_cast<uint8_t>((state & kConnection) | kWatched | wanted);
  return 0;
}

curl_socket_t HttpClient::Impl::OnOpenSocket(void* user, curlsocktype purpose,
                                             curl_sockaddr* address) {
  auto* impl = static_cast<Impl*>(user);
  const curl_socket_t socket =
      ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (socket < 0) return CURL_SOCKET_BAD;
  // A new descriptor is in no epoll set, whatever an earlier socket of the same number was.
  impl->SocketState(socket) = purpose == CURLSOCKTYPE_IPCXN ? kConnection : 0;
  return socket;
}

int HttpClient::Impl::OnCloseSocket(void* user, curl_socket_t socket) {
  auto* impl = static_cast<Impl*>(user);
  // Closing drops the socket from the epoll set; the number may come back as another socket.
  impl->SocketState(socket) = 0;
  return ::close(socket);
}

int HttpClient::Impl::OnTimer(CURLM* multi, long timeout_ms, void* user) {
  auto* impl = static_cast<Impl*>(user);
  impl->timer_armed = timeout_ms >= 0;
  if (impl->timer_armed) {
    impl->timer_due = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

void HttpClient::Impl::RunTimer() {
  if (!timer_armed || std::chrono::steady_clock::now() < timer_due) return;
  timer_armed = false;
  int still_running = 0;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &still_running);
}

void HttpClient::Impl::WaitAndAct(std::chrono::milliseconds timeout) {
  if (timer_armed) {
    // Rounded up, so the wait does not end just before the timer is due and spin.
    const auto until_timer =
        std::chrono::ceil<std::chrono::milliseconds>(timer_due - std::chrono::steady_clock::now());
    timeout = std::clamp(until_timer, std::chrono::milliseconds(0), timeout);
  }
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  const int ready = ::epoll_wait(epoll_fd, events, kMaxEvents, static_cast<int>(timeout.count()));
  int still_running = 0;
  for (int position = 0; position < ready; ++position) {
    const epoll_event& event = events[position];
    if (event.data.fd == wake_fd) {
      uint64_t count = 0;
      (void)!::read(wake_fd, &count, sizeof(count));
      continue;
    }
    uint8_t& state = SocketState(event.data.fd);
    if ((state & kWatched) == 0) {
      // An idle pooled connection kept registered: the server closed it or sent something.
      // curl finds out when it reuses the connection; until then it leaves the set.
      ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, event.data.fd, nullptr);
      state &= kConnection;
      continue;
    }
    int mask = 0;
    if ((event.events & EPOLLIN) != 0) mask |= CURL_CSELECT_IN;
    if ((event.events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
    if ((event.events & (EPOLLERR | EPOLLHUP)) != 0) mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(multi, event.data.fd, mask, &still_running);
  }
}

size_t HttpClient::Impl::DrainFinished(std::vector<HttpResponse>* done) {
  const size_t before = done->size();
  {
    std::lock_guard lock(mutex);
    for (HttpResponse& response : rejected) {
      done->push_back(std::move(response));
      pending.fetch_sub(1);
    }
    rejected.clear();
  }
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
    if (message->msg == CURLMSG_DONE) Finish(message->easy_handle, message->data.result, done);
  }
  return done->size() - before;
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Status HttpClient::CheckTargetUrl(std::string_view url, bool insecure) {
  CURLU* parsed = curl_url();
  const std::string text(url);
  std::string scheme, host;
  bool credentials = false;
  if (curl_url_set(parsed, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(parsed, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = part;
    curl_free(part);
    part = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &part, 0) == CURLUE_OK) host = part;
    curl_free(part);
    part = nullptr;
    credentials = curl_url_get(parsed, CURLUPART_USER, &part, 0) == CURLUE_OK;
    curl_free(part);
  }
  curl_url_cleanup(parsed);
  // Checked first, and the URL not repeated: every later message, report and the state
  // database would otherwise carry the password.
  if (credentials) {
    return InvalidArgument(
        "the target URL carries credentials (user:password@); scimflow sends a bearer token "
        "(--token-env or --token-file): give the URL without them");
  }
  if (host.empty() || (scheme != "http" && scheme != "https")) {
    return InvalidArgument(fmt::format("{}: not an http:// or https:// URL", url));
  }
  const bool loopback = IsLoopbackHost(host);
  if (insecure && !loopback) {
    return InvalidArgument(fmt::format(
        "{}: --insecure is allowed only for loopback targets; use --ca-file for a private CA",
        url));
  }
  // Cleartext would show the bearer token to every hop between here and the target.
  if (scheme == "http" && !loopback) {
    return InvalidArgument(fmt::format("{}: plain http is allowed only for loopback targets", url));
  }
  return Status::Ok();
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto impl = std::make_unique<Impl>();
  std::vector<std::string> warnings;
  SCIMFLOW_ASSIGN_OR_RETURN(impl->token, LoadToken(options.token, &warnings));
  impl->proxies = ProxyEnvironment::Read();
  if (!options.ca_file.empty()) {
    SCIMFLOW_ASSIGN_OR_RETURN(std::string extra, ReadWholeFile(options.ca_file, 16u << 20));
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    const std::string system_bundle =
        info != nullptr && info->cainfo != nullptr ? info->cainfo : kSystemCaBundle;
    Result<std::string> system = ReadWholeFile(system_bundle, 64u << 20);
    if (system.ok()) {
      impl->ca_blob = std::move(system).value() + "\n";
    } else {
      warnings.push_back(fmt::format("system CA bundle {} unreadable; trusting only {}",
                                     system_bundle, options.ca_file));
    }
    impl->ca_blob += extra;
  }
  impl->multi = curl_multi_init();
  if (impl->multi == nullptr) return Internal("libcurl: cannot create a multi handle");
  impl->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->epoll_fd < 0 || impl->wake_fd < 0) {
    return Internal(fmt::format("cannot create the client's epoll set: {}", std::strerror(errno)));
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = impl->wake_fd;
  if (::epoll_ctl(impl->epoll_fd, EPOLL_CTL_ADD, impl->wake_fd, &wake) != 0) {
    return Internal(fmt::format("cannot create the client's epoll set: {}", std::strerror(errno)));
  }
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnSocket);
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETDATA, impl.get());
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERFUNCTION, &Impl::OnTimer);
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERDATA, impl.get());
  curl_multi_setopt(impl->multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  curl_multi_setopt(impl->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(std::max<uint32_t>(options.max_host_connections, 1)));
  options.max_in_flight = std::max<uint32_t>(options.max_in_flight, 1);
  impl->options = std::move(options);
  auto client = std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
  client->warnings_ = std::move(warnings);
  return client;
}

void HttpClient::Submit(HttpRequest request) {
  impl_->pending.fetch_add(1);
  const std::string_view origin = OriginOf(request.url);
  {
    std::lock_guard lock(impl_->mutex);
    // The check depends on the scheme and host alone: a URL of an origin that passed it passes.
    Status check;
    if (origin.empty() || origin != impl_->checked_origin) {
      check = CheckTargetUrl(request.url, impl_->options.insecure);
      if (check.ok() && !origin.empty()) impl_->checked_origin = origin;
    }
    if (check.ok()) {
      impl_->queued.push_back(std::move(request));
    } else {
      HttpResponse response;
      response.tag = request.tag;
      response.transport = TransportError::kInvalidRequest;
      response.transport_message = check.message();
      impl_->rejected.push_back(std::move(response));
    }
  }
  // Pairs with Poll(): it sets `polling` before it looks at the queues a last time, so either it
  // sees this request there or this sees `polling` and wakes it (both sequentially consistent).
  if (impl_->polling.load()) impl_->WakeDriver();
}

void HttpClient::Wake() {
  impl_->woken.store(true);
  if (impl_->polling.load()) impl_->WakeDriver();
}

size_t HttpClient::pending() const { return impl_->pending.load(); }

size_t HttpClient::Poll(std::chrono::milliseconds wait, std::vector<HttpResponse>* done) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + wait;
  size_t delivered = 0;
  bool waited = false;  // The sockets are looked at at least once, even for a wait of 0.
  while (true) {
    impl_->StartQueued();
    impl_->RunTimer();  // Transfers just added start here: curl asks for a timeout of 0.
    delivered += impl_->DrainFinished(done);
    if (delivered > 0 || impl_->woken.exchange(false)) break;
    const auto left =
        std::max(std::chrono::milliseconds(0),
                 std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (left.count() == 0 && waited) break;
    impl_->polling.store(true);
    if (impl_->woken.load() || impl_->HasWork()) {
      impl_->polling.store(false);
      continue;
    }
    impl_->WaitAndAct(left);
    impl_->polling.store(false);
    waited = true;
    delivered += impl_->DrainFinished(done);
  }
  // A 401 answered with a rotated token is re-sent at once, not at the next Poll().
  impl_->StartQueued();
  return delivered;
}

}  // namespace scimflow
