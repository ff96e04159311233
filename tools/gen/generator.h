// RunGenerator: what `scimflow gen` does, as a library call — build day 0 from the arguments, or
// rebuild an earlier day from its manifest and apply one more day of churn; then write the
// export, optionally the target snapshot, expected.json (next days only) and manifest.json.
//
// The same request gives byte-identical files on any machine and for any number of threads
// (see random.h and block_writer.h). manifest.json is written last, so a directory with a
// manifest is complete.
//
// Thread-safety: each call is independent; it runs its parallel work in its own oneTBB
// task_arena of `threads` threads.
#ifndef SCIMFLOW_TOOLS_GEN_GENERATOR_H_
#define SCIMFLOW_TOOLS_GEN_GENERATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/options.h"
#include "engine/status.h"
#include "tools/gen/churn.h"
#include "tools/gen/export_writer.h"

namespace scimflow::gen {

struct GenRequest {
  // Day 0 (ignored with next_day_of, which takes them from the manifest). params.groups == 0
  // means max(1, users / 100).
  GenParams params;
  std::string out_dir;  // created when missing
  // Formats; unset means scim / ndjson / ndjson for day 0 and the earlier day's for a next day.
  std::optional<UserFormat> user_format;
  std::optional<GroupFormat> group_format;
  std::optional<AssignmentFormat> assignment_format;
  bool snapshot = false;    // also write snapshot.ndjson
  std::string next_day_of;  // empty: day 0; else the directory of the earlier day
  std::string churn;        // REQUIRED with next_day_of
  uint32_t threads = 0;     // 0: one per core
  // Member chunking expected.json assumes; the planner's default unless told otherwise.
  uint32_t max_members_per_patch = EngineOptions{}.max_members_per_patch;
};

struct GenFile {
  std::string name;  // e.g. "users.ndjson"
  WriteStats stats;
};

struct GenSummary {
  uint32_t day = 0;
  uint64_t users_in_idp = 0;
  uint64_t groups = 0;
  uint64_t memberships = 0;
  uint64_t assignments = 0;
  std::vector<GenFile> files;
  std::optional<ChurnResult> churn;  // next days only
};

// Errors: kInvalidArgument for a bad request (no users, churn without next_day_of or the
// reverse, a bad churn spec, an Okta user format after a full-name one or the reverse — the
// attribute set must stay the same between days —, out_dir equal to next_day_of, a bad
// manifest); kNotFound when next_day_of has no manifest.json; kIoError when a file cannot be
// written.
Result<GenSummary> RunGenerator(const GenRequest& request);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_GENERATOR_H_
