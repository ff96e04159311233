// Fuzz target for the HTTP outcome mapping: arbitrary bytes become a target's answer (status,
// rate-limit headers, body) and must be classified without crashing, with a bounded, valid
// UTF-8 message. The first bytes choose the status and the header values; the rest is the body.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/http_outcome.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using scimflow::HttpResponse;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  HttpResponse response;
  response.status = size > 0 ? 100 + data[0] % 500 : 0;
  // Header values are cut from the input at ';' so the fuzzer can shape each one.
  std::string_view rest = input.substr(size > 0 ? 1 : 0);
  for (const char* name : {"retry-after", "x-ratelimit-remaining", "x-ratelimit-reset"}) {
    const size_t cut = rest.find(';');
    if (cut == std::string_view::npos) break;
    response.headers.emplace_back(name, std::string(rest.substr(0, cut)));
    rest.remove_prefix(cut + 1);
  }
  response.body = std::string(rest);
  for (const auto kind : {scimflow::RequestKind::kCreate, scimflow::RequestKind::kOther}) {
    const scimflow::HttpOutcome outcome =
        scimflow::ClassifyHttpResponse(response, kind, std::chrono::system_clock::now());
    // "HTTP 599 " + a bounded scimType + ": " + the bounded text: never the whole body.
    if (outcome.status.message().size() > 2 * scimflow::config::kMaxErrorTextBytes) std::abort();
    if (outcome.hints.retry_after &&
        *outcome.hints.retry_after > scimflow::config::kMaxServerWait) {
      std::abort();
    }
  }
  return 0;
}
