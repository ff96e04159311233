// scimflow: the command-line front. Dispatches to one subcommand from a single table; `help`,
// `help SUBCOMMAND` and `--version` are answered here.
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "tools/exit_code.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace {

constexpr Subcommand kSubcommands[] = {
    {"version", "print the version", RunVersion},
    {"gen", "write a synthetic IdP export (seeded), its snapshot, or the next day", RunGen},
    {"sim", "run the simulated SCIM service provider", RunSim},
    {"plan", "compare the IdP export with the target and write the plan", RunPlan},
    {"apply", "execute a plan against the target, journalling into --state", RunApply},
    {"sync", "plan and apply in one run", RunSync},
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
  std::fprintf(out, "\n'scimflow help SUBCOMMAND' describes one subcommand's options.\n");
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return ToInt(ExitCode::kUsage);
  }
  const std::string_view first = argv[1];
  if (first == "--version") return ToInt(RunVersion(argc - 1, argv + 1));
  if (first == "help" || first == "--help" || first == "-h") {
    if (argc < 3) {
      PrintUsage(stdout);
      return ToInt(ExitCode::kSuccess);
    }
    const Subcommand* subcommand = FindSubcommand(argv[2]);
    if (subcommand == nullptr) {
      std::fprintf(stderr, "scimflow: unknown subcommand '%s'; see 'scimflow help'\n", argv[2]);
      return ToInt(ExitCode::kUsage);
    }
    char help_flag[] = "--help";
    char* help_argv[] = {argv[2], help_flag, nullptr};
    return ToInt(subcommand->run(2, help_argv));
  }
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
