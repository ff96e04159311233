// What `scimflow apply` and `scimflow sync` share: the apply flags, and running a read plan
// against the target (HTTP client, rate budgets, journal, emitter) into a RunSummary with the
// exit code of SPEC §7. `apply` reads the plan from a file, `sync` builds it in the same run.
#ifndef SCIMFLOW_TOOLS_CMD_APPLY_H_
#define SCIMFLOW_TOOLS_CMD_APPLY_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/options.h"
#include "engine/run_summary.h"
#include "engine/status.h"
#include "engine/target_profile.h"
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
  bool no_bulk = false;  // --no-bulk: one request per operation even where /Bulk is offered.
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

// A target profile read from a profile file (`--profile-file F`, SPEC §5: every value of a
// profile can be overridden there): a built-in profile with the file's settings applied.
//
// The file is text, one setting per line; blank lines and lines starting with `#` are skipped:
//
//   profile generic                  the built-in profile to start from; first setting only
//                                    (default: the profile the command would use otherwise)
//   base-url https://scim.example.com/scim/v2
//   header X-Tenant: acme            a header every request carries (repeatable); never
//                                    Authorization: the token comes from --token-env/--token-file
//   budget writes=90/min             adds or replaces a budget (NAME=N/PERIOD,
//                                    engine/rate_budget.h)
//   writes=90/min                    the same, in the short form
//   budgets none                     drops the base profile's budgets (later budget lines count)
//   bulk on|off                      on: ask /ServiceProviderConfig, use /Bulk when offered
//   patch on|off                     off: profile updates are sent as PUT
//   filter eq-only|full|none         the filters the target understands
//   roles any | roles VALUE ...      the role values the target accepts (spaces between)
//   hide-suspended-members on|off    the target leaves suspended users out of group listings
//   max-members-per-patch N          members per group PATCH when planning (`plan`, `sync`)
//
// Ownership: `profile` views the strings and tables of this object, which is therefore neither
// copied nor moved (it lives behind a unique_ptr). Thread-safety: immutable once built.
struct CustomProfile {
  CustomProfile() = default;
  CustomProfile(const CustomProfile&) = delete;
  CustomProfile& operator=(const CustomProfile&) = delete;

  TargetProfile profile;
  // The budgets the file itself gives, in file order (--no-budgets keeps these).
  std::vector<RateBudgetSpec> file_budgets;
  uint32_t max_members_per_patch = 0;  // 0: not set by the file.

  std::vector<RateBudgetSpec> budgets;  // profile.budgets views this.
  std::vector<RequiredHeader> headers;  // profile.required_headers views this.
  std::vector<std::string_view> roles;  // profile.role_values views this.
  std::deque<std::string> strings;      // Owns every string the views above name.
};

// Applies the profile file text `text` (named `file` in messages) to `base`.
// Errors (kInvalidArgument, `FILE:LINE: reason`): an unknown setting (`unknown setting
// "bulkk"`), an unknown base profile, `profile` after another setting, a setting without its
// value, a value out of its set (`"bulk" takes on or off, not "yes"`), a malformed budget
// (`budget "writes=90": expected NAME=N/PERIOD`), a header without `NAME: VALUE` or naming
// Authorization, a member count that is not a positive integer.
Result<std::unique_ptr<CustomProfile>> ParseProfileFile(std::string_view text,
                                                        std::string_view file,
                                                        const TargetProfile& base);

// Reads the profile file at `path` and applies it to `base`. Errors: kNotFound when it cannot
// be read (`F: cannot read the profile file`), else those of ParseProfileFile.
Result<std::unique_ptr<CustomProfile>> ReadProfileFile(const std::string& path,
                                                       const TargetProfile& base);

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
