// `scimflow version`: prints the version, like `scimflow --version`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tools/cli_flags.h"
#include "tools/subcommands.h"

namespace scimflow {

ExitCode RunVersion(int argc, char** argv) {
  CLI::App app{"Print the version of scimflow.", "scimflow version"};
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  std::printf("scimflow %s\n", SCIMFLOW_VERSION);
  return ExitCode::kSuccess;
}

}  // namespace scimflow
