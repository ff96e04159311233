// Manifest: manifest.json, the record of how a generated directory was made — the day-0
// arguments, the formats, and the churn spec of every later day — so that `--next-day-of DIR`
// rebuilds DIR's day in memory by replaying it, instead of parsing the exported files. Replaying
// keeps the generator independent of the engine's parsers, and is exact: every step is seeded.
//
// Shape (one line): {"generator":"scimflow gen","manifest_version":1,"seed":S,"users":N,
// "groups":G,"memberships_per_user":M,"user_format":"scim","group_format":"ndjson",
// "assignment_format":"ndjson","days":["1%",…]} — `days` holds one churn spec per day after
// day 0, oldest first (docs/gen.md).
//
// Thread-safety: plain values and free functions.
#ifndef SCIMFLOW_TOOLS_GEN_MANIFEST_H_
#define SCIMFLOW_TOOLS_GEN_MANIFEST_H_

#include <string>
#include <vector>

#include "engine/status.h"
#include "tools/gen/export_model.h"
#include "tools/gen/export_writer.h"

namespace scimflow::gen {

inline constexpr std::string_view kManifestFileName = "manifest.json";
inline constexpr std::string_view kExpectedFileName = "expected.json";
inline constexpr uint64_t kManifestVersion = 1;

struct Manifest {
  GenParams params;
  UserFormat user_format = UserFormat::kScim;
  GroupFormat group_format = GroupFormat::kNdjson;
  AssignmentFormat assignment_format = AssignmentFormat::kNdjson;
  std::vector<std::string> days;  // churn spec of day 1, 2, …
};

// The manifest as one JSON line with a trailing newline.
std::string ManifestJson(const Manifest& manifest);

// Reads and checks `path`. Errors: kNotFound when the file is missing (`PATH: no such file`),
// kIoError when it cannot be read, kInvalidArgument `PATH: not a scimflow gen manifest: REASON`
// when it is empty (`empty file`), not UTF-8 (`invalid UTF-8`), not JSON (`malformed JSON`), or a
// member is missing, of the wrong type or out of range (REASON names the member).
Result<Manifest> ReadManifest(const std::string& path);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_MANIFEST_H_
