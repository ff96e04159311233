#include "tools/sim/sim_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace scimflow {

// The libmicrohttpd callbacks; a struct so they can reach SimServer's private members.
struct SimServerCallbacks {
  // Per-request state: the body as it arrives.
  struct Upload {
    std::string body;
    bool too_large = false;
  };

  static MHD_Result CollectQuery(void* cls, MHD_ValueKind kind, const char* key,
                                 const char* value) {
    auto* request = static_cast<SimRequest*>(cls);
    request->query.emplace_back(key, value == nullptr ? "" : value);
    return MHD_YES;
  }

  static std::string_view Header(MHD_Connection* connection, const char* name) {
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    return value == nullptr ? std::string_view() : std::string_view(value);
  }

  static MHD_Result Send(MHD_Connection* connection, const SimResponse& answer) {
    MHD_Response* response = MHD_create_response_from_buffer(
        answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) return MHD_NO;
    if (!answer.body.empty()) {
      MHD_add_response_header(response, "Content-Type", "application/scim+json");
    }
    for (const auto& [name, value] : answer.headers) {
      MHD_add_response_header(response, name.c_str(), value.c_str());
    }
    const MHD_Result queued = MHD_queue_response(connection, answer.status, response);
    MHD_destroy_response(response);
    return queued;
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char* version, const char* upload_data,
                              size_t* upload_data_size, void** request_state) {
    auto* server = static_cast<SimServer*>(cls);
    if (*request_state == nullptr) {  // Headers are in; the body (if any) follows.
      *request_state = new Upload();
      return MHD_YES;
    }
    auto* upload = static_cast<Upload*>(*request_state);
    if (*upload_data_size != 0) {
      if (upload->body.size() + *upload_data_size > server->body_limit_) {
        upload->too_large = true;  // Keep reading (and discarding) so the answer can be sent.
      } else {
        upload->body.append(upload_data, *upload_data_size);
      }
      *upload_data_size = 0;
      return MHD_YES;
    }
    SimRequest request;
    request.method = method;
    request.path = url;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &request);
    request.authorization = Header(connection, MHD_HTTP_HEADER_AUTHORIZATION);
    request.user_agent = Header(connection, MHD_HTTP_HEADER_USER_AGENT);
    request.host = Header(connection, MHD_HTTP_HEADER_HOST);
    request.body = upload->body;
    request.body_too_large = upload->too_large;
    const SimResponse answer = server->service_->Handle(request);
    if (answer.delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms));
    // MHD_NO closes the connection without a response: the drop and the lost answer.
    if (answer.close_without_answer) return MHD_NO;
    return Send(connection, answer);
  }

  static void OnCompleted(void* cls, MHD_Connection* connection, void** request_state,
                          MHD_RequestTerminationCode code) {
    delete static_cast<Upload*>(*request_state);
    *request_state = nullptr;
  }
};

namespace {

// The whole file, or kInvalidArgument naming it.
Result<std::string> ReadPemFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (!file || !(text << file.rdbuf())) return InvalidArgument(path + ": cannot read");
  return text.str();
}

}  // namespace

Result<std::unique_ptr<SimServer>> SimServer::Start(SimService* service, const std::string& address,
                                                    uint16_t port) {
  sockaddr_in bind_address{};
  bind_address.sin_family = AF_INET;
  bind_address.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &bind_address.sin_addr) != 1) {
    return InvalidArgument("'" + address + "' is not an IPv4 address");
  }
  std::unique_ptr<SimServer> server(new SimServer(service));
  const SimOptions& options = service->options();
  server->body_limit_ = std::max(options.max_body_bytes, options.bulk_max_payload_bytes);
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  // TLS handshakes are slow next to a plain answer; on the epoll pool a burst of them (a client
  // opening 16 connections at once) held answers back until clients gave up, so each TLS
  // connection gets its own thread.
  const bool per_connection =
      options.faults.latency_ms > 0 || tls ||
      (options.faults.latency_spike > 0 && options.faults.latency_spike_ms > 0);
  if (tls) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return InvalidArgument("--tls-cert and --tls-key go together");
    }
    // libmicrohttpd keeps pointers to these, so they live as long as the server.
    SCIMFLOW_ASSIGN_OR_RETURN(server->tls_cert_, ReadPemFile(options.tls_cert_file));
    SCIMFLOW_ASSIGN_OR_RETURN(server->tls_key_, ReadPemFile(options.tls_key_file));
  }
  const unsigned int flags =
      MHD_USE_INTERNAL_POLLING_THREAD | (tls ? MHD_USE_TLS : 0) |
      (per_connection ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL : MHD_USE_EPOLL);
  // Without TLS the certificate options are left out: the first MHD_OPTION_END ends the list.
  const MHD_OPTION cert_option = tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END;
  // Idle keep-alive connections are closed after this long, so abandoned clients free their
  // sockets; far longer than any engine pause between requests.
  constexpr unsigned int kIdleTimeoutSeconds = 120;
  // Connections served at once with a thread each; libmicrohttpd's own default limit, written out
  // so the option list has the same shape in both threading modes.
  constexpr unsigned int kMaxThreadedConnections = FD_SETSIZE - 4;
  server->daemon_ = MHD_start_daemon(
      flags, port, nullptr, nullptr, &SimServerCallbacks::OnRequest, server.get(),
      MHD_OPTION_SOCK_ADDR, &bind_address, MHD_OPTION_NOTIFY_COMPLETED,
      &SimServerCallbacks::OnCompleted, server.get(), MHD_OPTION_CONNECTION_TIMEOUT,
      kIdleTimeoutSeconds, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
      per_connection ? MHD_OPTION_CONNECTION_LIMIT : MHD_OPTION_THREAD_POOL_SIZE,
      per_connection ? kMaxThreadedConnections : std::max(1u, options.threads), cert_option,
      server->tls_cert_.c_str(), MHD_OPTION_HTTPS_MEM_KEY, server->tls_key_.c_str(),
      MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + address + ":" + std::to_string(port) +
                      (tls ? " (or the TLS certificate or key is bad)" : ""));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info != nullptr ? info->port : port;
  return server;
}

void SimServer::Stop() {
  if (daemon_ != nullptr) {
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }
}

SimServer::~SimServer() { Stop(); }

}  // namespace scimflow
