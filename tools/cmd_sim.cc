// `scimflow sim`: runs the simulated SCIM service provider (SPEC §8, docs/sim.md) until SIGTERM
// or SIGINT, then dumps its state if --dump was given.
//
// The first line on stdout is `listening on 127.0.0.1:PORT` (the bound port, also for port 0),
// the second `scim endpoint http://127.0.0.1:PORT/BASE-PATH`; both are flushed at once so a
// parent process can read them. Everything else goes to stderr.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/sim/sim_server.h"
#include "tools/sim/sim_service.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace {

struct SimFlags {
  std::string listen = "127.0.0.1:0";
  std::string profile = "github-emu";
  std::vector<std::string> budgets;
  bool github_budgets = false;
  std::string load;
  std::string dump;
};

// Splits `HOST:PORT`; only loopback hosts are accepted, as the simulator is a test target.
Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen: expected HOST:PORT");
  *host = text.substr(0, colon);
  if (*host == "localhost") *host = "127.0.0.1";
  if (!host->starts_with("127.")) {
    return InvalidArgument("--listen: only loopback addresses (127.x.x.x) are served");
  }
  char* end = nullptr;
  const unsigned long value = std::strtoul(text.c_str() + colon + 1, &end, 10);
  if (end == text.c_str() + colon + 1 || *end != '\0' || value > 65535) {
    return InvalidArgument("--listen: bad port in '" + text + "'");
  }
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

void AddFlags(CLI::App* app, SimFlags* flags, SimOptions* options) {
  app->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app->add_option("--profile", flags->profile, "github-emu, ghes or generic")
      ->capture_default_str();
  app->add_option("--base-path", options->base_path,
                  "prefix of the SCIM routes (default: the profile's)");
  app->add_option("--token", options->token,
                  "the accepted bearer token (or env SCIMFLOW_SIM_TOKEN; default: any)");
  app->add_option("--budget", flags->budgets, "NAME=N/PERIOD (s, min, h); repeatable")->take_all();
  app->add_flag("--github-budgets", flags->github_budgets,
                "enforce GitHub's budgets (1000/h assignments, 1000/h adds per group, 5000/h "
                "requests, 180/min writes)");
  app->add_option("--fault-500", options->faults.fail_500, "share of requests answered 500")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--latency-ms", options->faults.latency_ms, "added latency per request");
  app->add_option("--drop", options->faults.drop, "share of connections dropped unanswered")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--lost-answer", options->faults.lost_answer,
                  "share of writes applied, then left unanswered")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--seed", options->seed, "seed of ids and fault draws")->capture_default_str();
  app->add_option("--threads", options->threads, "server threads")->capture_default_str();
  app->add_option("--page-size", options->default_page_size, "list page size without count")
      ->capture_default_str();
  app->add_option("--max-page-size", options->max_page_size, "largest list page")
      ->capture_default_str();
  app->add_option("--bulk-max-operations", options->bulk_max_operations,
                  "generic: bulk.maxOperations")
      ->capture_default_str();
  app->add_option("--bulk-max-payload", options->bulk_max_payload_bytes,
                  "generic: bulk.maxPayloadSize in bytes")
      ->capture_default_str();
  app->add_option("--load", flags->load, "snapshot file to start from");
  app->add_option("--dump", flags->dump, "snapshot file written at exit and on POST /_dump");
}

// Turns the flags into options; prints the first error and returns false.
bool ResolveOptions(const SimFlags& flags, SimOptions* options) {
  Result<SimProfile> profile = ParseSimProfile(flags.profile);
  if (!profile.ok()) {
    std::fprintf(stderr, "scimflow sim: %s\n", profile.status().message().c_str());
    return false;
  }
  options->profile = *profile;
  if (flags.github_budgets) options->budgets = GitHubDefaultBudgets();
  for (const std::string& text : flags.budgets) {
    Result<BudgetSpec> spec = ParseBudgetSpec(text);
    if (!spec.ok()) {
      std::fprintf(stderr, "scimflow sim: %s\n", spec.status().message().c_str());
      return false;
    }
    options->budgets.push_back(*spec);  // Later specs of a kind replace earlier ones.
  }
  if (options->token.empty()) {
    if (const char* token = std::getenv("SCIMFLOW_SIM_TOKEN")) options->token = token;
  }
  return true;
}

// Blocks until SIGINT or SIGTERM. The signals are blocked in every thread (the mask is set before
// the server starts its threads), so only this sigwait sees them.
void WaitForStopSignal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
}

}  // namespace

ExitCode RunSim(int argc, char** argv) {
  CLI::App app("Runs the simulated SCIM service provider (GitHub EMU, GHES or generic).", "sim");
  SimFlags flags;
  SimOptions options;
  AddFlags(&app, &flags, &options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? ExitCode::kSuccess : ExitCode::kUsage;
  }
  std::string host;
  uint16_t port = 0;
  if (const Status status = ParseListen(flags.listen, &host, &port); !status.ok()) {
    std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
    return ExitCode::kUsage;
  }
  if (!ResolveOptions(flags, &options)) return ExitCode::kUsage;
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SimService service(options, flags.dump);
  if (!flags.load.empty()) {
    std::vector<std::string> warnings;
    const Status status = service.LoadSnapshot(flags.load, &warnings);
    for (const std::string& warning : warnings) std::fprintf(stderr, "%s\n", warning.c_str());
    if (!status.ok()) {
      std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
      return ExitCode::kUsage;
    }
  }
  Result<std::unique_ptr<SimServer>> server = SimServer::Start(&service, host, port);
  if (!server.ok()) {
    std::fprintf(stderr, "scimflow sim: %s\n", server.status().message().c_str());
    return ExitCode::kUsage;
  }
  const std::string endpoint =
      host + ":" + std::to_string((*server)->port()) + std::string(options.EffectiveBasePath());
  std::printf("listening on %s:%u\nscim endpoint http://%s\n", host.c_str(),
              static_cast<unsigned>((*server)->port()), endpoint.c_str());
  std::fflush(stdout);

  WaitForStopSignal(stop_signals);
  (*server)->Stop();
  if (!flags.dump.empty()) {
    const Status status = service.DumpSnapshot(flags.dump);
    if (!status.ok()) {
      std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
      return ExitCode::kUsage;
    }
  }
  return ExitCode::kSuccess;
}

}  // namespace scimflow
