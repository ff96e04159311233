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

using testing_emit::ChildSetup;

// Runs the child to its end; returns the exit code (-1 when killed by a signal).
int RunScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file, const std::string& token, const ChildSetup& setup);

// A loopback TCP port that was free a moment ago (bound to port 0, then closed).
uint16_t FreeLoopbackPort();

// Reads the state database in the chaos cases (the journal's rows by state).
using testing_emit::QueryInt;

}  // namespace scimflow::testing_chaos

#endif  // SCIMFLOW_TESTS_E2E_CHAOS_TESTUTIL_H_
