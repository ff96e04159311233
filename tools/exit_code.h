// ExitCode: the process exit codes of `scimflow`, one enum mirroring SPEC §7, so scripts and cron
// jobs can tell "fix your flags" from "the target is down" without reading the output.
#ifndef SCIMFLOW_TOOLS_EXIT_CODE_H_
#define SCIMFLOW_TOOLS_EXIT_CODE_H_

namespace scimflow {

enum class ExitCode : int {
  kSuccess = 0,            // Everything planned was applied (or written, for plan/gen/snapshot).
  kUsage = 1,              // Usage or configuration error: unknown flag, missing file, bad URL.
  kInputRejected = 2,      // Input records were rejected beyond --max-rejects.
  kPartialFailure = 3,     // Some operations failed; the rest were applied.
  kSafetyRefused = 4,      // Refused by a safety limit (deprovision guard).
  kTargetUnavailable = 5,  // Target unreachable, or credentials refused.
};

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_EXIT_CODE_H_
