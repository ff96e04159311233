// Helpers of the end-to-end emit tests: generate an export (`scimflow gen`), plan it against a
// snapshot (`scimflow plan`), apply it to a simulator (`scimflow apply`, the real binary, as a
// child process), and compare the simulator's /_stats with the state the export asks for.
//
// Thread-safety: one test thread.
#ifndef SCIMFLOW_TESTS_EMIT_TESTUTIL_H_
#define SCIMFLOW_TESTS_EMIT_TESTUTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/gen_testutil.h"
#include "tests/sim_fixture.h"

namespace scimflow::testing_emit {

using testing_gen::CommandResult;
using testing_gen::TempDir;

// The scimflow binary under test.
std::string Binary();

// Runs `scimflow ARGS` through the shell with SCIMFLOW_TOKEN=token; args are shell-quoted.
CommandResult RunScimflow(const std::vector<std::string>& args,
                          const std::string& token = std::string(SimProcess::kToken));

// What a child started by SpawnScimflow changes about itself between fork and exec.
struct ChildSetup {
  std::optional<mode_t> umask;  // umask(2) of the child
  // RLIMIT_FSIZE in bytes: writes past it fail with EFBIG (SIGXFSZ is ignored, so the write
  // returns an error instead of killing the process), as on a full disk.
  std::optional<uint64_t> file_size_limit;
  // Environment variables set in the child, NAME=VALUE; SCIMFLOW_TOKEN is set separately.
  std::vector<std::string> environment;
};

// Starts `scimflow ARGS` in the background with SCIMFLOW_TOKEN=token (unset when empty), stdout
// and stderr to the given files, after applying `setup`. Returns its pid (-1 on failure).
pid_t SpawnScimflow(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file,
                    const std::string& token = std::string(SimProcess::kToken),
                    const ChildSetup& setup = {});
// An initial migration plan of a fresh gen export: `gen GEN_ARGS --snapshot --out DAY`, an empty
// snapshot file at `empty`, then `plan` of DAY's users, groups and assignments against it into
// `plan`. Returns the first command that failed, or the plan command's result.
CommandResult MakeMigrationPlan(const std::vector<std::string>& gen_args, const std::string& day,
                                const std::string& empty, const std::string& plan);

// Waits for `pid`; its exit code, or -1 when killed by a signal.
int WaitExit(pid_t pid);

// The figures of a target's state that an export decides.
struct TargetState {
  uint64_t users = 0;
  uint64_t active_users = 0;
  uint64_t groups = 0;
  uint64_t memberships = 0;

  friend bool operator==(const TargetState&, const TargetState&) = default;
};
std::string ToString(const TargetState& state);
TargetState StateOf(const SimStats& stats);

// The state a github-emu target holds after an initial migration of the export whose
// `snapshot.ndjson` is `snapshot`: its active users (inactive ones were never created), groups
// and visible memberships, read from a simulator that loads the snapshot.
TargetState ExpectedAfterMigration(const std::string& snapshot);

// The single integer `sql` selects from the database at `db`, read-only; -1 when the database
// cannot be opened or the query fails (e.g. while the table does not exist yet).
int64_t QueryInt(const std::string& db, const std::string& sql);

// Rows of the state database's journal in `state` ("done", "failed", "in_flight"), or -1.
int64_t JournalCount(const std::string& db, const std::string& state);

// Plan lines (docs/plan-format.md) for tests that write small plans by hand: the GitHub-valid
// create of user `user` (op `u:USER:create`, userName USER), the create of group `group` (op
// `g:GROUP:create`), and member-add chunk `chunk` of that group naming the creates of `users`
// (op `g:GROUP:add:CHUNK`, depending on the group's create and on each user's `u:USER:create`).
std::string PlanUserCreateLine(const std::string& user);
std::string PlanGroupCreateLine(const std::string& group);
std::string PlanMemberAddLine(const std::string& group, const std::vector<std::string>& users,
                              int chunk = 1);

}  // namespace scimflow::testing_emit

#endif  // SCIMFLOW_TESTS_EMIT_TESTUTIL_H_
