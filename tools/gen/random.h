// Portable pseudo-random numbers for the generator: SplitMix64 to derive seeds, xoshiro256** as
// the stream, and integer-only helpers to draw from them.
//
// `scimflow gen` promises byte-identical files for the same arguments on any machine, so nothing
// here uses <random>: the standard distributions (uniform_int_distribution, bernoulli, …) are
// specified by contract, not by algorithm, and differ between libstdc++, libc++ and MSVC. Every
// draw below is integer arithmetic with a fixed algorithm. Floating point is avoided too, because
// the last bit of pow/log may differ between libm implementations.
//
// Each parallel unit of work (a block of users, a group, a day of churn) owns its own Rng seeded
// with DeriveSeed(seed, stream, index), so the numbers a unit sees do not depend on which thread
// ran it or in which order: the output is the same for any --threads.
//
// Thread-safety: an Rng is a plain value; one per unit of work, never shared.
#ifndef SCIMFLOW_TOOLS_GEN_RANDOM_H_
#define SCIMFLOW_TOOLS_GEN_RANDOM_H_

#include <cstdint>

namespace scimflow::gen {

// The SplitMix64 finaliser: a bijection on 64-bit values with good avalanche. Because it is a
// bijection, distinct inputs give distinct outputs, which the identifiers rely on for uniqueness.
constexpr uint64_t Mix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// Independent streams of one run, so that e.g. group sizes do not shift when user generation
// draws one more number.
enum class Stream : uint64_t {
  kUserBlock = 1,
  kGroup = 2,
  kChurnDay = 3,
  kExternalId = 4,
  kTargetId = 5,
  kTargetIdLow = 6,
};

// The seed of unit `index` of `stream` in a run seeded with `seed`.
constexpr uint64_t DeriveSeed(uint64_t seed, Stream stream, uint64_t index) {
  return Mix64(Mix64(seed) ^ Mix64(static_cast<uint64_t>(stream) * 0x100000001b3ULL + index));
}

// xoshiro256** 1.0 (Blackman and Vigna): fast, 256 bits of state, passes BigCrush.
class Rng {
 public:
  // Seeds the state with four SplitMix64 outputs, as the authors recommend, so that nearby seeds
  // (block 7, block 8) give unrelated streams and the all-zero state cannot occur.
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = Mix64(seed - 0x9e3779b97f4a7c15ULL);
    }
  }

  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // A number in [0, bound); 0 when bound is 0. Lemire's multiply-shift: the bias is below
  // bound / 2^64, invisible at the sizes generated here, and there is no rejection loop, so every
  // call consumes exactly one number.
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

  // True with probability parts_per_million / 10^6.
  bool Chance(uint32_t parts_per_million) { return Below(1'000'000) < parts_per_million; }

  // A number in [0, 2^32), for fixed-point arithmetic.
  uint32_t Fraction32() { return static_cast<uint32_t>(Next() >> 32); }

 private:
  static constexpr uint64_t RotateLeft(uint64_t value, int bits) {
    return (value << bits) | (value >> (64 - bits));
  }

  uint64_t state_[4];
};

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_RANDOM_H_
