// Fuzz target for the snapshot reader (`plan --current`, `sim --load`): any bytes, parsed as
// snapshot lines. The parser must never crash or read beyond the text plus its padding, and every
// non-blank line must become a user, a group or a reject with a reason and a line inside the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/snapshot_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  uint64_t lines = 0;
  uint64_t blank = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++lines;
    if (text.find_first_not_of(" \t\r", start) >= end) ++blank;
    start = end + 1;
  }
  const size_t length = text.size();
  text.resize(length + scimflow::kSnapshotPadding, '\0');
  scimflow::SnapshotChunk chunk;
  scimflow::ParseSnapshotLines(std::string_view(text.data(), length), "fuzz.ndjson", 1, 0, 4096,
                               &chunk);
  for (const scimflow::Reject& reject : chunk.rejects) {
    if (reject.reason.empty() || reject.origin.line == 0 || reject.origin.line > lines) {
      std::abort();
    }
  }
  if (chunk.users.size() + chunk.groups.size() + chunk.rejects.size() + blank < lines) {
    std::abort();  // A line vanished: neither parsed nor rejected.
  }
  return 0;
}
