#include "tools/cli_flags.h"

#include <cstdio>

namespace scimflow {
namespace {

ProgressMode output_mode = ProgressMode::kAuto;

}  // namespace

ProgressMode OutputMode() { return output_mode; }

void SetOutputMode(ProgressMode mode) { output_mode = mode; }

void AddOutputFlags(CLI::App* app) {
  CLI::Option* quiet = app->add_flag_callback(
      "-q,--quiet", [] { SetOutputMode(ProgressMode::kQuiet); },
      "no progress and no summary; only errors");
  app->add_flag_callback(
         "-v,--verbose", [] { SetOutputMode(ProgressMode::kVerbose); },
         "progress every 10 s when stderr is not a terminal")
      ->excludes(quiet);
}

std::optional<ExitCode> ParseFlags(CLI::App* app, int argc, char** argv) {
  try {
    app->parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app->help().c_str());
    return ExitCode::kSuccess;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "%s: %s\n", app->get_name().c_str(), error.what());
    return ExitCode::kUsage;
  }
  return std::nullopt;
}

}  // namespace scimflow
