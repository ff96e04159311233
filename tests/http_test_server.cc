#include "tests/http_test_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace scimflow::testing {
namespace {

// Per-request state kept by libmicrohttpd between calls of the access handler.
struct PendingRequest {
  RecordedRequest request;
};

MHD_Result CollectHeader(void* user, MHD_ValueKind, const char* key, const char* value) {
  auto* headers = static_cast<std::vector<HttpHeader>*>(user);
  std::string name(key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char byte) { return static_cast<char>(std::tolower(byte)); });
  headers->emplace_back(std::move(name), value != nullptr ? value : "");
  return MHD_YES;
}

MHD_Result CollectArgument(void* user, MHD_ValueKind, const char* key, const char* value) {
  static_cast<std::vector<HttpHeader>*>(user)->emplace_back(key, value != nullptr ? value : "");
  return MHD_YES;
}

MHD_Result SendAnswer(MHD_Connection* connection, const ScriptedAnswer& answer) {
  MHD_Response* response = MHD_create_response_from_buffer(
      answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
  for (const HttpHeader& header : answer.headers) {
    MHD_add_response_header(response, header.first.c_str(), header.second.c_str());
  }
  const MHD_Result queued =
      MHD_queue_response(connection, static_cast<unsigned int>(answer.status), response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result OnRequest(void* user, MHD_Connection* connection, const char* url, const char* method,
                     const char*, const char* upload_data, size_t* upload_data_size, void** state) {
  auto* server = static_cast<HttpTestServer*>(user);
  if (*state == nullptr) {
    auto* pending = new PendingRequest();
    pending->request.method = method;
    pending->request.path = url;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, CollectHeader,
                              &pending->request.headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, CollectArgument,
                              &pending->request.query);
    *state = pending;
    return MHD_YES;
  }
  auto* pending = static_cast<PendingRequest*>(*state);
  if (*upload_data_size > 0) {
    pending->request.body.append(upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  server->EnterRequest();
  const ScriptedAnswer answer = server->Answer(pending->request);
  server->WaitOrStop(answer.delay);
  server->LeaveRequest();
  if (answer.drop_connection) return MHD_NO;
  return SendAnswer(connection, answer);
}

void OnRequestDone(void*, MHD_Connection*, void** state, MHD_RequestTerminationCode) {
  delete static_cast<PendingRequest*>(*state);
  *state = nullptr;
}

void OnConnection(void* user, MHD_Connection*, void**, MHD_ConnectionNotificationCode code) {
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    static_cast<HttpTestServer*>(user)->OnConnectionOpened();
  }
}

}  // namespace

std::string RecordedRequest::Header(std::string_view name) const {
  for (const HttpHeader& header : headers) {
    if (header.first == name) return header.second;
  }
  return "";
}

std::unique_ptr<HttpTestServer> HttpTestServer::Start(Handler handler, std::string tls_cert_pem,
                                                      std::string tls_key_pem) {
  std::unique_ptr<HttpTestServer> server(new HttpTestServer());
  server->handler_ = std::move(handler);
  server->cert_ = std::move(tls_cert_pem);
  server->key_ = std::move(tls_key_pem);
  server->tls_ = !server->cert_.empty();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;  // the kernel picks a free port
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
  if (server->tls_) flags |= MHD_USE_TLS;
  HttpTestServer* self = server.get();
  if (server->tls_) {
    server->daemon_ = MHD_start_daemon(
        flags, 0, nullptr, nullptr, OnRequest, self, MHD_OPTION_SOCK_ADDR, &address,
        MHD_OPTION_NOTIFY_COMPLETED, OnRequestDone, nullptr, MHD_OPTION_NOTIFY_CONNECTION,
        OnConnection, self, MHD_OPTION_HTTPS_MEM_KEY, server->key_.c_str(),
        MHD_OPTION_HTTPS_MEM_CERT, server->cert_.c_str(), MHD_OPTION_END);
  } else {
    server->daemon_ =
        MHD_start_daemon(flags, 0, nullptr, nullptr, OnRequest, self, MHD_OPTION_SOCK_ADDR,
                         &address, MHD_OPTION_NOTIFY_COMPLETED, OnRequestDone, nullptr,
                         MHD_OPTION_NOTIFY_CONNECTION, OnConnection, self, MHD_OPTION_END);
  }
  if (server->daemon_ == nullptr) return nullptr;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  if (info == nullptr) return nullptr;
  server->port_ = info->port;
  return server;
}

HttpTestServer::~HttpTestServer() { Stop(); }

void HttpTestServer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

std::string HttpTestServer::Url(std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

void HttpTestServer::Enqueue(ScriptedAnswer answer) {
  std::lock_guard lock(mutex_);
  scripted_.push_back(std::move(answer));
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t HttpTestServer::connections_opened() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

size_t HttpTestServer::max_concurrent() const {
  std::lock_guard lock(mutex_);
  return max_active_;
}

ScriptedAnswer HttpTestServer::Answer(const RecordedRequest& request) {
  std::unique_lock lock(mutex_);
  requests_.push_back(request);
  if (!scripted_.empty()) {
    ScriptedAnswer answer = std::move(scripted_.front());
    scripted_.pop_front();
    return answer;
  }
  lock.unlock();
  return handler_ ? handler_(request) : ScriptedAnswer();
}

void HttpTestServer::OnConnectionOpened() {
  std::lock_guard lock(mutex_);
  ++connections_;
}

void HttpTestServer::WaitOrStop(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  stopping_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void HttpTestServer::EnterRequest() {
  std::lock_guard lock(mutex_);
  max_active_ = std::max(max_active_, ++active_);
}

void HttpTestServer::LeaveRequest() {
  std::lock_guard lock(mutex_);
  --active_;
}

}  // namespace scimflow::testing
