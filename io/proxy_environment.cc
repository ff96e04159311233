#include "io/proxy_environment.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>

#include "engine/ascii.h"

namespace scimflow {
namespace {

// The value of the first of `names` that is set and not empty, as libcurl's curl_getenv.
std::string FirstSet(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

}  // namespace

ProxyEnvironment ProxyEnvironment::Read() {
  ProxyEnvironment proxies;
  const std::string all = FirstSet({"all_proxy", "ALL_PROXY"});
  proxies.http = FirstSet({"http_proxy"});
  if (proxies.http.empty()) proxies.http = all;
  proxies.https = FirstSet({"https_proxy", "HTTPS_PROXY"});
  if (proxies.https.empty()) proxies.https = all;
  proxies.no_proxy = FirstSet({"no_proxy", "NO_PROXY"});
  return proxies;
}

const std::string& ProxyEnvironment::For(std::string_view url) const {
  return StartsWithIgnoringAsciiCase(url, "https:") ? https : http;
}

}  // namespace scimflow
