// Fuzz target for the profile file reader (`apply --profile-file F`): any bytes as the file,
// applied to the generic profile. A profile file is written by hand, so the reader must refuse
// anything broken with `FILE:LINE: reason` and never crash; a profile it accepts never sets an
// Authorization header (the token comes from --token-env or --token-file alone).
#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "engine/target_profile.h"
#include "tools/cmd_apply.h"

namespace {

constexpr std::string_view kFile = "fuzz.profile";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const scimflow::TargetProfile& base = *scimflow::FindProfile("generic");
  auto custom = scimflow::ParseProfileFile(text, kFile, base);
  if (!custom.ok()) {
    if (custom.status().message().rfind(std::string(kFile) + ":", 0) != 0) std::abort();
    return 0;
  }
  for (const scimflow::RequiredHeader& header : (*custom)->headers) {
    if (header.name.size() == 13 && ::strncasecmp(header.name.data(), "authorization", 13) == 0) {
      std::abort();
    }
  }
  return 0;
}
