// The live target as a source for `scimflow snapshot` and `plan --target`: the flags both share
// (URL, credentials, TLS, concurrency), and a TargetSource that owns what a read needs (the HTTP
// client, the requests budget of the profile, the reader) so the commands only say what to do
// with the resources.
//
// Thread-safety: a TargetSource is used by the thread that opened it (the reader's driver).
#ifndef SCIMFLOW_TOOLS_TARGET_SOURCE_H_
#define SCIMFLOW_TOOLS_TARGET_SOURCE_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/rate_budget.h"
#include "engine/status.h"
#include "engine/target_profile.h"
#include "io/http_client.h"
#include "io/target_reader.h"
#include "tools/exit_code.h"

namespace scimflow {

struct TargetFlags {
  std::string url;
  std::string token_env = "SCIMFLOW_TOKEN";
  std::string token_file;
  std::string ca_file;
  bool insecure = false;
  uint32_t concurrency = 8;
  uint32_t page_size = 100;
  uint32_t max_attempts = 8;
};

// Adds --target (required when `url_required`), --token-env, --token-file, --ca-file,
// --insecure, --concurrency, --page-size and --max-attempts. Returns the --target option.
CLI::Option* AddTargetFlags(CLI::App* app, TargetFlags* flags, bool url_required);

class TargetSource {
 public:
  // Checks the URL, reads the token and sets up the client; reads groups when `read_groups`.
  // Every request draws on the profile's `requests` budget (github-emu: 5,000 per hour).
  // Errors: kInvalidArgument for a bad URL, --insecure off loopback, a missing token or CA file.
  static Result<std::unique_ptr<TargetSource>> Open(const TargetFlags& flags,
                                                    const TargetProfile& profile, bool read_groups);

  TargetReader& reader() { return *reader_; }
  // Non-fatal notes of the client (a token file readable by others).
  const std::vector<std::string>& warnings() const { return client_->warnings(); }

 private:
  TargetSource() = default;

  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<RateBudget> budget_;
  std::unique_ptr<TargetReader> reader_;
};

// The exit code of a failed read: kUsage for a configuration error (kInvalidArgument), else
// kTargetUnavailable (unreachable, credentials refused, or an answer that cannot be used).
ExitCode TargetExitCode(const Status& status);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_TARGET_SOURCE_H_
