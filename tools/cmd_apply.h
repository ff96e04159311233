// What `scimflow apply` and `scimflow sync` share: the apply flags, and running a read plan
// against the target (HTTP client, rate budgets, journal, emitter) into a RunSummary with the
// exit code of SPEC §7. `apply` reads the plan from a file, `sync` builds it in the same run.
#ifndef SCIMFLOW_TOOLS_CMD_APPLY_H_
#define SCIMFLOW_TOOLS_CMD_APPLY_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/options.h"
#include "engine/run_summary.h"
#include "io/plan_reader.h"
#include "tools/exit_code.h"

namespace scimflow {

struct ApplyFlags {
  std::string target;
  std::string state;
  bool resume = false;
  uint32_t concurrency = 16;
  std::string profile;  // Empty: the plan's.
  std::string profile_file;
  std::vector<std::string> budgets;  // NAME=N/PERIOD overrides.
  bool no_budgets = false;
  std::string token_env = "SCIMFLOW_TOKEN";
  std::string token_file;
  std::string ca_file;
  bool insecure = false;
  std::string report;
  std::string metrics;
  // Whole-request timeout in milliseconds (EngineOptions::request_timeout_ms); an answer later
  // than this counts as lost: retried, and a create is looked up before it is sent again.
  uint32_t timeout_ms = EngineOptions{}.request_timeout_ms;
  // A hidden --token, accepted by the parser only to be refused with a clear message (and never
  // echoed): a token on the command line is visible to every user of the machine.
  std::string command_line_token;
};

// Adds --target, --state and the apply options to `app`.
void AddApplyFlags(CLI::App* app, ApplyFlags* flags);

// Applies `plan` with `flags`, fills `*summary` (command, target, plan path must be set by the
// caller), prints the summary line to stderr and writes --report / --metrics.
ExitCode ApplyPlan(const ReadPlan& plan, const ApplyFlags& flags, RunSummary* summary);

// Writes the --report JSON and --metrics text of `summary` (paths may be empty: not written).
// Returns false, with a message on stderr, when a file cannot be written.
bool WriteRunOutputs(const RunSummary& summary, const std::string& report,
                     const std::string& metrics);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_CMD_APPLY_H_
