// SimServer: serves a SimService over HTTP/1.1 (keep-alive) on a loopback address with
// libmicrohttpd.
//
// Why libmicrohttpd: measured against cpp-httplib on the same minimal GET route
// (`wrk -t2 -c64 -d10s`), its epoll thread pool answered 80,000–124,000 requests/s, cpp-httplib
// about 26,000–30,000 with TCP_NODELAY and far less without, because cpp-httplib holds one pool
// thread per keep-alive connection. README ("The simulator") has the figures.
//
// Threads: by default an epoll thread pool of `threads` threads, each serving many connections.
// With injected latency the server switches to a thread per connection, so a delayed answer
// holds up only its own connection.
//
// TLS: with SimOptions::tls_cert_file and tls_key_file the server speaks HTTPS only
// (libmicrohttpd over GnuTLS), for tests of certificate verification on loopback.
//
// Dropping a connection: the request handler returns MHD_NO, which makes libmicrohttpd close the
// socket without sending anything; a client sees an empty reply.
//
// Ownership: borrows the service, which must outlive the server. Thread-safety: Start and Stop
// from one thread; the service is called from the server's threads.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_SERVER_H_
#define SCIMFLOW_TOOLS_SIM_SIM_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/status.h"
#include "tools/sim/sim_service.h"

struct MHD_Daemon;

namespace scimflow {

class SimServer {
 public:
  // Listens on `address` (an IPv4 address) and `port` (0 picks a free one) and serves `*service`.
  // kInvalidArgument for a bad address; kUnavailable when the port cannot be bound.
  static Result<std::unique_ptr<SimServer>> Start(SimService* service, const std::string& address,
                                                  uint16_t port);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The bound port.
  uint16_t port() const { return port_; }

  // Stops accepting, closes connections and joins the server threads. Idempotent.
  void Stop();

 private:
  explicit SimServer(SimService* service) : service_(service) {}

  SimService* const service_;
  MHD_Daemon* daemon_ = nullptr;
  uint16_t port_ = 0;
  uint32_t body_limit_ = 0;  // Bytes buffered per request; more marks the request too large.
  std::string tls_cert_;     // PEM text handed to libmicrohttpd (HTTPS only); lives with it.
  std::string tls_key_;

  friend struct SimServerCallbacks;
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_SERVER_H_
