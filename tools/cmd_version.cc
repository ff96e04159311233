// `scimflow version`: prints the version, like `scimflow --version`.
#include <cstdio>

#include "tools/subcommands.h"

namespace scimflow {

ExitCode RunVersion(int argc, char** argv) {
  std::printf("scimflow %s\n", SCIMFLOW_VERSION);
  return ExitCode::kSuccess;
}

}  // namespace scimflow
