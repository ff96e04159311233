// Helpers of the chaos, security and TLS suites: starting `scimflow` as a child with a changed
// process environment (umask, file-size limit), a free loopback port for a simulator that must
// come back on the same address after a restart, and reading the state database while a run is
// going on.
//
// Thread-safety: one test thread.
#ifndef SCIMFLOW_TESTS_E2E_CHAOS_TESTUTIL_H_
#define SCIMFLOW_TESTS_E2E_CHAOS_TESTUTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/emit_testutil.h"

namespace scimflow::testing_chaos {

// What the child changes about itself between fork and exec.
struct ChildSetup {
  std::optional<mode_t> umask;  // umask(2) of the child
  // RLIMIT_FSIZE in bytes: writes past it fail with EFBIG (SIGXFSZ is ignored, so the write
  // returns an error instead of killing the process), as on a full disk.
  std::optional<uint64_t> file_size_limit;
  // Environment variables set in the child, NAME=VALUE; SCIMFLOW_TOKEN is set separately.
  std::vector<std::string> environment;
};

// Starts `scimflow ARGS` with SCIMFLOW_TOKEN=token (unless empty), stdout and stderr to the given
// files, after applying `setup`. Returns its pid (-1 on failure). Reap it with
// testing_emit::WaitExit.
pid_t SpawnScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                        const std::string& err_file, const std::string& token,
                        const ChildSetup& setup);

// Runs the child to its end; returns the exit code (-1 when killed by a signal).
int RunScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file, const std::string& token, const ChildSetup& setup);

// A loopback TCP port that was free a moment ago (bound to port 0, then closed).
uint16_t FreeLoopbackPort();

// Reads the state database in the chaos cases (the journal's rows by state).
using testing_emit::QueryInt;

}  // namespace scimflow::testing_chaos

#endif  // SCIMFLOW_TESTS_E2E_CHAOS_TESTUTIL_H_
