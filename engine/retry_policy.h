// RetryPolicy: decides what the emitter does after an operation's attempt, from the Status that
// io/http_outcome produced and the attempts made so far.
//
//   kOk                  → kDone
//   kResourceExhausted   → kRetryAfterWait, waiting what the target asked (Retry-After, reset),
//                          else the backoff; fails after max_rate_limited_attempts
//   kUnavailable         → kRetryAfterWait with exponential backoff and full jitter
//                          (delay uniform in [0, min(max_backoff, initial_backoff × 2^(n-1))]);
//                          a server's Retry-After is a lower bound; fails after max_attempts
//   kAborted             → kLookUpFirst: a create whose answer was lost or that met a 409 is
//                          never re-sent blind; the caller looks the resource up by externalId
//                          and adopts it, or re-creates it only if the lookup finds nothing
//   kUnauthenticated     → kStopRun (the client has already retried once with a re-read token)
//   anything else        → kFail: this operation fails, the others go on
//
// Full jitter (delay drawn uniformly between zero and the exponential cap) spreads the retries of
// many operations that failed together, so a recovering server is not hit by a synchronised wave.
//
// Thread-safety: Decide() draws from an internal generator and is not thread-safe; the scheduler
// owns one policy. With the same seed, the same sequence of calls gives the same delays.
#ifndef SCIMFLOW_ENGINE_RETRY_POLICY_H_
#define SCIMFLOW_ENGINE_RETRY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "engine/status.h"

namespace scimflow {

struct RetryOptions {
  // Attempts of one operation against 5xx/timeouts/resets before it fails (first try included).
  uint32_t max_attempts = 8;
  // Attempts of one operation answered "rate limited" before it fails. Higher than max_attempts:
  // on a paced migration a 429 means "later", not "broken".
  uint32_t max_rate_limited_attempts = 30;
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  uint64_t seed = 0;  // 0: seeded from std::random_device
};

enum class RetryAction : uint8_t {
  kDone,            // success: record it
  kRetryAfterWait,  // send the same request again after `delay`
  kLookUpFirst,     // look the resource up by externalId before any re-send (creates only)
  kFail,            // record the failure; other operations continue
  kStopRun,         // credentials refused: stop everything
};

std::string_view RetryActionName(RetryAction action);

struct RetryDecision {
  RetryAction action = RetryAction::kFail;
  std::chrono::milliseconds delay{0};  // for kRetryAfterWait
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options);

  // `outcome`: the attempt's result. `attempts`: attempts made so far, this one included (>= 1).
  // `server_wait`: the wait the target asked for (Retry-After or rate-limit reset), if any.
  RetryDecision Decide(const Status& outcome, uint32_t attempts,
                       std::optional<std::chrono::seconds> server_wait);

  // The jittered backoff before attempt `attempts + 1`: uniform in [0, cap(attempts)].
  std::chrono::milliseconds Backoff(uint32_t attempts);

  // The cap of Backoff(attempts): min(max_backoff, initial_backoff × 2^(attempts-1)).
  std::chrono::milliseconds BackoffCap(uint32_t attempts) const;

 private:
  RetryOptions options_;
  std::mt19937_64 random_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_RETRY_POLICY_H_
