// The subcommands of `scimflow`: one handler each, defined in tools/cmd_<name>.cc and listed in the
// table of tools/scimflow_main.cc (name, one-line help, handler), in the manner of ninja's tools.
//
// A handler receives the arguments after the subcommand name (argv[0] is the subcommand itself),
// parses them with CLI11, prints its own errors as one line on stderr, and returns an ExitCode.
#ifndef SCIMFLOW_TOOLS_SUBCOMMANDS_H_
#define SCIMFLOW_TOOLS_SUBCOMMANDS_H_

#include <string_view>

#include "tools/exit_code.h"

namespace scimflow {

using SubcommandHandler = ExitCode (*)(int argc, char** argv);

struct Subcommand {
  std::string_view name;
  std::string_view summary;  // One line for `scimflow help`.
  SubcommandHandler run;
};

ExitCode RunVersion(int argc, char** argv);
ExitCode RunGen(int argc, char** argv);   // tools/cmd_gen.cc
ExitCode RunSim(int argc, char** argv);   // tools/cmd_sim.cc
ExitCode RunPlan(int argc, char** argv);  // tools/cmd_plan.cc
// tools/cmd_apply.cc and tools/cmd_sync.cc
ExitCode RunApply(int argc, char** argv);
ExitCode RunSync(int argc, char** argv);
ExitCode RunState(int argc, char** argv);     // tools/cmd_state.cc
ExitCode RunSnapshot(int argc, char** argv);  // tools/cmd_snapshot.cc

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SUBCOMMANDS_H_
