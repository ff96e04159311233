// SimFaults: which injected fault, if any, hits a given SCIM request.
//
// Each decision is a pure function of (seed, request number): the n-th SCIM request of a run gets
// the same fate every time the run is repeated with the same seed and request order, which makes
// a failing end-to-end run reproducible. Independent draws decide each kind (the same request can
// be chosen for several; the service applies the first that applies, in the order drop, 500,
// lost answer, 429).
//
// Thread-safety: immutable after construction; Decide may be called from any thread.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_FAULTS_H_
#define SCIMFLOW_TOOLS_SIM_SIM_FAULTS_H_

#include <cstdint>

#include "tools/sim/sim_options.h"

namespace scimflow {

struct FaultDecision {
  bool drop = false;           // Close the connection without answering, before applying.
  bool fail_500 = false;       // Answer 500 without applying.
  bool lose_answer = false;    // Apply (writes only), then close without answering.
  bool fail_429 = false;       // Answer 429 (Retry-After 1) without applying.
  uint32_t latency_ms = 0;     // Wait this long before answering (latency plus any spike).
  bool latency_spike = false;  // latency_ms includes a spike.
};

class SimFaults {
 public:
  SimFaults(const SimFaultOptions& options, uint64_t seed) : options_(options), seed_(seed) {}

  // The fate of SCIM request number `request_number` (0-based, in arrival order).
  FaultDecision Decide(uint64_t request_number) const;

  bool any() const {
    return options_.fail_500 > 0 || options_.drop > 0 || options_.lost_answer > 0 ||
           options_.latency_ms > 0 || options_.fail_429 > 0 || latency_varies();
  }
  // True when some answers wait longer than others (spikes), so slow answers need their own
  // connection threads.
  bool latency_varies() const {
    return options_.latency_spike > 0 && options_.latency_spike_ms > 0;
  }

 private:
  // A uniform draw in [0, 1) for (request, kind), from a splitmix64 hash of both and the seed.
  double Draw(uint64_t request_number, uint64_t kind) const;

  SimFaultOptions options_;
  uint64_t seed_;
};

// splitmix64's finaliser: a fast, well-mixed 64-bit hash (also used to derive resource ids).
uint64_t SplitMix64(uint64_t value);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_FAULTS_H_
