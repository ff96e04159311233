#include "engine/options.h"

#include <array>

namespace scimflow {

namespace {
// Keep in the order of EngineOptions; the defaults printed here are the struct's.
constexpr std::array kOptions = {
    OptionInfo{"--max-rejects", "0", "rejected input records tolerated before stopping (exit 2)"},
    OptionInfo{"--max-members-per-patch", "100", "member adds or removes per group PATCH"},
    OptionInfo{"--allow-deprovision", "10% of active users or 100",
               "deactivations plus deletions allowed in one plan"},
    OptionInfo{"--threads", "one per core", "worker threads; the plan is the same for any value"},
    OptionInfo{"--chunk-bytes", "1048576", "bytes per read and per parsed chunk"},
    OptionInfo{"--io-queue-depth", "4", "reads kept in flight by the io_uring reader"},
    OptionInfo{"--max-line-bytes", "1048576", "longest accepted input line; longer is rejected"},
    // Emit: HTTP, retries and journal.
    OptionInfo{"--concurrency", "16", "requests in flight at once"},
    OptionInfo{"--max-host-connections", "8", "connections per target host"},
    OptionInfo{"--connect-timeout-ms", "10000", "connect timeout"},
    OptionInfo{"--request-timeout-ms", "60000",
               "whole-request timeout; a timed-out create is looked up"},
    OptionInfo{"--max-attempts", "8", "attempts per operation against 5xx, timeouts and resets"},
    OptionInfo{"--initial-backoff-ms", "1000", "first retry backoff (full jitter below it)"},
    OptionInfo{"--max-backoff-ms", "300000", "largest retry backoff"},
    OptionInfo{"--journal-group-size", "64", "outcomes per grouped journal commit"},
    OptionInfo{"--journal-group-interval-ms", "50", "longest an outcome waits for its commit"},
};
}  // namespace

std::span<const OptionInfo> OptionTable() { return kOptions; }

const OptionInfo* FindOption(std::string_view flag) {
  for (const OptionInfo& option : kOptions) {
    if (option.flag == flag) return &option;
  }
  return nullptr;
}

}  // namespace scimflow
