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

#include "tools/cli_flags.h"
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
  app->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on (port 0: any free port; the last one given wins)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
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
  app->add_option("--fault-429", options->faults.fail_429,
                  "share of requests answered 429 (Retry-After 1) without being applied")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--fault-429-from", options->faults.fault_429_from,
                  "first request number (0-based) --fault-429 applies to");
  app->add_option("--fault-429-to", options->faults.fault_429_to,
                  "request number from which --fault-429 stops");
  app->add_option("--latency-spike", options->faults.latency_spike,
                  "share of answers delayed by --latency-spike-ms more")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--latency-spike-ms", options->faults.latency_spike_ms,
                  "added latency of a spike, in ms");
  app->add_option("--tls-cert", options->tls_cert_file, "PEM certificate: serve HTTPS");
  app->add_option("--tls-key", options->tls_key_file, "PEM private key of --tls-cert");
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

// Blocks SIGINT and SIGTERM in this thread and every thread started after (the server's), so that
// only the sigwait in ServeUntilStopped sees them; returns the set.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Loads the snapshot given with --load, printing its warnings; false after printing an error.
bool LoadSnapshot(const std::string& path, SimService* service) {
  if (path.empty()) return true;
  std::vector<std::string> warnings;
  const Status status = service->LoadSnapshot(path, &warnings);
  for (const std::string& warning : warnings) std::fprintf(stderr, "%s\n", warning.c_str());
  if (status.ok()) return true;
  std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
  return false;
}

// Serves until SIGINT or SIGTERM, then stops the server and writes --dump if given.
ExitCode ServeUntilStopped(const std::string& host, uint16_t port, const std::string& dump,
                           const sigset_t& stop_signals, SimService* service) {
  Result<std::unique_ptr<SimServer>> server = SimServer::Start(service, host, port);
  if (!server.ok()) {
    std::fprintf(stderr, "scimflow sim: %s\n", server.status().message().c_str());
    return ExitCode::kUsage;
  }
  const unsigned bound_port = (*server)->port();
  const char* scheme = service->options().tls_cert_file.empty() ? "http" : "https";
  std::printf("listening on %s:%u\nscim endpoint %s://%s:%u%s\n", host.c_str(), bound_port, scheme,
              host.c_str(), bound_port,
              std::string(service->options().EffectiveBasePath()).c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  (*server)->Stop();
  if (dump.empty()) return ExitCode::kSuccess;
  const Status status = service->DumpSnapshot(dump);
  if (status.ok()) return ExitCode::kSuccess;
  std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
  return ExitCode::kUsage;
}

}  // namespace

ExitCode RunSim(int argc, char** argv) {
  CLI::App app(
      "Run the simulated SCIM service provider (GitHub EMU, GHES or generic); see docs/sim.md.",
      "scimflow sim");
  SimFlags flags;
  SimOptions options;
  AddFlags(&app, &flags, &options);
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  std::string host;
  uint16_t port = 0;
  if (const Status status = ParseListen(flags.listen, &host, &port); !status.ok()) {
    std::fprintf(stderr, "scimflow sim: %s\n", status.message().c_str());
    return ExitCode::kUsage;
  }
  if (!ResolveOptions(flags, &options)) return ExitCode::kUsage;
  std::signal(SIGPIPE, SIG_IGN);  // A client gone mid-answer must not end the server.
  const sigset_t stop_signals = BlockStopSignals();
  SimService service(options, flags.dump);
  if (!LoadSnapshot(flags.load, &service)) return ExitCode::kUsage;
  return ServeUntilStopped(host, port, flags.dump, stop_signals, &service);
}

}  // namespace scimflow
