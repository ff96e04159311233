#include "tools/target_source.h"

#include <chrono>
#include <vector>

namespace scimflow {

CLI::Option* AddTargetFlags(CLI::App* app, TargetFlags* flags, bool url_required) {
  CLI::Option* target = app->add_option("--target", flags->url,
                                        "the target's SCIM base URL, read live (e.g. "
                                        "https://api.github.com/scim/v2/enterprises/ENTERPRISE)");
  if (url_required) target->required();
  app->add_option("--token-env", flags->token_env, "environment variable holding the token")
      ->capture_default_str();
  app->add_option("--token-file", flags->token_file,
                  "file holding the token (read again when the target answers 401)");
  app->add_option("--ca-file", flags->ca_file,
                  "PEM certificates trusted in addition to the system's");
  app->add_flag("--insecure", flags->insecure, "skip TLS verification (loopback targets only)");
  app->add_option("--concurrency", flags->concurrency, "requests in flight while reading")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app->add_option("--page-size", flags->page_size, "resources asked for per list request")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  app->add_option("--max-attempts", flags->max_attempts,
                  "attempts per request against 5xx, timeouts and resets")
      ->check(CLI::Range(1u, 100u))
      ->capture_default_str();
  return target;
}

Result<std::unique_ptr<TargetSource>> TargetSource::Open(const TargetFlags& flags,
                                                         const TargetProfile& profile,
                                                         bool read_groups) {
  SCIMFLOW_RETURN_IF_ERROR(HttpClient::CheckTargetUrl(flags.url, flags.insecure));
  std::unique_ptr<TargetSource> source(new TargetSource());
  HttpClientOptions client_options;
  client_options.max_in_flight = flags.concurrency;
  client_options.ca_file = flags.ca_file;
  client_options.insecure = flags.insecure;
  client_options.token.env_var = flags.token_env;
  client_options.token.file = flags.token_file;
  SCIMFLOW_ASSIGN_OR_RETURN(source->client_, HttpClient::Create(client_options));
  // Reads draw on the requests budget only; the others count writes.
  std::vector<BucketSpec> buckets;
  if (const RateBudgetSpec* requests = profile.FindBudget(budget::kRequests)) {
    buckets.push_back(BucketSpecFromProfile(*requests));
  }
  source->budget_ =
      std::make_unique<RateBudget>(std::move(buckets), std::chrono::steady_clock::now());
  TargetReaderOptions reader_options;
  reader_options.page_size = flags.page_size;
  reader_options.max_in_flight = flags.concurrency;
  reader_options.read_groups = read_groups;
  reader_options.retry.max_attempts = flags.max_attempts;
  source->reader_ = std::make_unique<TargetReader>(source->client_.get(), flags.url, reader_options,
                                                   source->budget_.get());
  return source;
}

ExitCode TargetExitCode(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ? ExitCode::kUsage
                                                       : ExitCode::kTargetUnavailable;
}

}  // namespace scimflow
