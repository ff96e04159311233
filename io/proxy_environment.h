// ProxyEnvironment: the proxy settings of the process environment, read once, the way libcurl
// reads them for a transfer that sets no proxy of its own. libcurl looks the variables up again
// for every request (up to six getenv calls, each a scan of the whole environment); the
// HttpClient reads them once when it is created and hands the result to every transfer as
// CURLOPT_PROXY and CURLOPT_NOPROXY, which makes libcurl skip its own lookup.
//
// The rules are libcurl's (7.88): for an http:// URL `http_proxy` (lower case only: a CGI
// environment can set HTTP_PROXY from a request's `Proxy:` header), for https:// `https_proxy`
// then `HTTPS_PROXY`; without one of them `all_proxy` then `ALL_PROXY`. `no_proxy` then
// `NO_PROXY` lists the hosts reached directly. A variable that is set but empty counts as unset.
// Changing the environment after the client was created has no effect on it.
//
// Thread-safety: Read() reads the environment (getenv); the result is a plain value.
#ifndef SCIMFLOW_IO_PROXY_ENVIRONMENT_H_
#define SCIMFLOW_IO_PROXY_ENVIRONMENT_H_

#include <string>
#include <string_view>

namespace scimflow {

struct ProxyEnvironment {
  std::string http;      // the proxy of http:// URLs; empty: none
  std::string https;     // the proxy of https:// URLs; empty: none
  std::string no_proxy;  // hosts not to reach through a proxy (libcurl's syntax); empty: none

  // Reads the variables named above from the environment.
  static ProxyEnvironment Read();

  // The proxy for `url` (http or https by its scheme, in any case); empty: none.
  const std::string& For(std::string_view url) const;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PROXY_ENVIRONMENT_H_
