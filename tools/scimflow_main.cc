// scimflow: the command-line front. Dispatches to one subcommand from a single table; `help`,
// `help SUBCOMMAND` and `--version` are answered here, and the global flags that come before
// the subcommand name (`--quiet`, `--verbose`) are kept for the subcommands (tools/cli_flags.h).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "tools/cli_flags.h"
#include "tools/exit_code.h"
#include "tools/subcommands.h"

#if defined(SCIMFLOW_USE_MIMALLOC)
#include <mimalloc.h>
#endif

namespace scimflow {
namespace {

constexpr Subcommand kSubcommands[] = {
    {"version", "print the version", RunVersion},
    {"gen", "write a synthetic IdP export (seeded), its snapshot, or the next day", RunGen},
    {"sim", "run the simulated SCIM service provider", RunSim},
    {"plan", "compare the IdP export with the target and write the plan", RunPlan},
    {"apply", "execute a plan against the target, journalling into --state", RunApply},
    {"sync", "plan and apply in one run", RunSync},
    {"state", "maintain a state database: import a snapshot", RunState},
    {"snapshot", "read the target live and write it as a snapshot file", RunSnapshot},
};

const Subcommand* FindSubcommand(std::string_view name) {
  for (const Subcommand& subcommand : kSubcommands) {
    if (subcommand.name == name) return &subcommand;
  }
  return nullptr;
}

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: scimflow SUBCOMMAND [options]\n\n"
               "Pushes an identity provider's users, groups and roles into a SCIM 2.0 service\n"
               "provider (GitHub EMU, GHES, generic SCIM), sending only the differences.\n\n"
               "subcommands:\n");
  for (const Subcommand& subcommand : kSubcommands) {
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(subcommand.name.size()),
                 subcommand.name.data(), static_cast<int>(subcommand.summary.size()),
                 subcommand.summary.data());
  }
  std::fprintf(out,
               "\nglobal options (before the subcommand):\n"
               "  -q, --quiet    no progress and no summary; only errors\n"
               "  -v, --verbose  progress every 10 s when stderr is not a terminal\n"
               "  --version      print the version\n"
               "\nexit codes: 0 done; 1 usage or configuration error; 2 input rejected; 3 some\n"
               "operations failed, the rest applied; 4 refused by a safety limit; 5 target\n"
               "unreachable or credentials refused.\n"
               "\n'scimflow help SUBCOMMAND' (or 'scimflow SUBCOMMAND --help') describes one\n"
               "subcommand's options.\n");
}

// `scimflow help [SUBCOMMAND]`: the overview, or the subcommand's own --help.
int Help(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stdout);
    return ToInt(ExitCode::kSuccess);
  }
  const Subcommand* subcommand = FindSubcommand(argv[1]);
  if (subcommand == nullptr) {
    std::fprintf(stderr, "scimflow: unknown subcommand '%s'; see 'scimflow help'\n", argv[1]);
    return ToInt(ExitCode::kUsage);
  }
  char help_flag[] = "--help";
  char* help_argv[] = {argv[1], help_flag, nullptr};
  return ToInt(subcommand->run(2, help_argv));
}

// Consumes the global flags before the subcommand name; returns how many arguments they took,
// or -1 after printing an unknown one.
int ParseGlobalFlags(int argc, char** argv) {
  int index = 1;
  for (; index < argc && argv[index][0] == '-'; ++index) {
    const std::string_view flag = argv[index];
    if (flag == "-q" || flag == "--quiet") {
      SetOutputMode(ProgressMode::kQuiet);
    } else if (flag == "-v" || flag == "--verbose") {
      SetOutputMode(ProgressMode::kVerbose);
    } else if (flag == "--version" || flag == "--help" || flag == "-h") {
      break;  // Answered by Main, like the subcommands `version` and `help`.
    } else {
      std::fprintf(stderr, "scimflow: unknown option '%s'; see 'scimflow help'\n", argv[index]);
      return -1;
    }
  }
  return index - 1;
}

// Lets mimalloc back its segments with 2 MiB transparent huge pages (MADV_HUGEPAGE; the kernel's
// default THP mode honours only madvised ranges). Reading a plan, planning and sending touch
// hundreds of MiB of fresh heap; with 4 KiB pages each page is a fault and a zeroing, which
// measured a third of `apply`'s start-up and a tenth of its CPU per request on a virtual machine
// where faults are dear. An explicit MIMALLOC_LARGE_OS_PAGES in the environment is left to rule.
void UseHugePagesForTheHeap() {
#if defined(SCIMFLOW_USE_MIMALLOC)
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_enable(mi_option_large_os_pages);
#endif
}

int Main(int argc, char** argv) {
  UseHugePagesForTheHeap();
  const int globals = ParseGlobalFlags(argc, argv);
  if (globals < 0) return ToInt(ExitCode::kUsage);
  argc -= globals;
  argv += globals;
  if (argc < 2) {
    PrintUsage(stderr);
    return ToInt(ExitCode::kUsage);
  }
  const std::string_view first = argv[1];
  if (first == "--version") return ToInt(RunVersion(1, argv + 1));
  if (first == "help" || first == "--help" || first == "-h") return Help(argc - 1, argv + 1);
  const Subcommand* subcommand = FindSubcommand(first);
  if (subcommand == nullptr) {
    std::fprintf(stderr, "scimflow: unknown subcommand '%s'; see 'scimflow help'\n", argv[1]);
    return ToInt(ExitCode::kUsage);
  }
  return ToInt(subcommand->run(argc - 1, argv + 1));
}

}  // namespace
}  // namespace scimflow

int main(int argc, char** argv) { return scimflow::Main(argc, argv); }
