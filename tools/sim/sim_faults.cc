#include "tools/sim/sim_faults.h"

namespace scimflow {

uint64_t SplitMix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

double SimFaults::Draw(uint64_t request_number, uint64_t kind) const {
  // Hash twice so neighbouring request numbers and kinds give unrelated draws.
  const uint64_t mixed = SplitMix64(SplitMix64(seed_ ^ (kind << 56)) ^ request_number);
  return static_cast<double>(mixed >> 11) * 0x1.0p-53;  // 53 random bits → [0, 1).
}

FaultDecision SimFaults::Decide(uint64_t request_number) const {
  FaultDecision decision;
  decision.drop = options_.drop > 0 && Draw(request_number, 1) < options_.drop;
  decision.fail_500 = options_.fail_500 > 0 && Draw(request_number, 2) < options_.fail_500;
  decision.lose_answer = options_.lost_answer > 0 && Draw(request_number, 3) < options_.lost_answer;
  decision.fail_429 = options_.fail_429 > 0 && request_number >= options_.fault_429_from &&
                      request_number < options_.fault_429_to &&
                      Draw(request_number, 4) < options_.fail_429;
  decision.latency_ms = options_.latency_ms;
  if (latency_varies() && Draw(request_number, 5) < options_.latency_spike) {
    decision.latency_ms += options_.latency_spike_ms;
    decision.latency_spike = true;
  }
  return decision;
}

}  // namespace scimflow
