// IdScheme: the identifiers of a generated directory — IdP externalIds and target ids — derived
// from the run's seed and each entity's serial number.
//
// Users and groups are numbered by serial (0, 1, 2, … in order of creation); everything that
// identifies them is a pure function of (seed, serial), so a replayed day has the same ids as
// the written one and ids need no table:
//   - externalId: Okta-shaped, 20 characters: "00u" (users) or "00g" (groups), a 6-character
//     tag of the seed, and 11 base-62 digits of a bijective mix of the serial. Distinct serials
//     give distinct ids (the mix is a bijection and 62^11 > 2^64).
//   - target id: UUID-shaped (8-4-4-4-12 lower-case hex, version 4), as GitHub answers; 64 of
//     its bits are again a bijective mix of the serial, so target ids are unique per kind.
//
// Thread-safety: immutable after construction; safe to share between threads.
#ifndef SCIMFLOW_TOOLS_GEN_IDENTIFIERS_H_
#define SCIMFLOW_TOOLS_GEN_IDENTIFIERS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace scimflow::gen {

inline constexpr size_t kExternalIdLength = 20;
inline constexpr size_t kTargetIdLength = 36;

// Buffers the formatters write into; the returned views point into them.
struct ExternalIdBuffer {
  char text[kExternalIdLength];
};
struct TargetIdBuffer {
  char text[kTargetIdLength];
};

enum class EntityKind : uint8_t { kUser, kGroup };

class IdScheme {
 public:
  explicit IdScheme(uint64_t seed);

  // The externalId of user or group `serial`. The view lives as long as `*buffer`.
  std::string_view ExternalId(EntityKind kind, uint32_t serial, ExternalIdBuffer* buffer) const;
  // The id the target gave user or group `serial` when it was created. The view lives as long
  // as `*buffer`.
  std::string_view TargetId(EntityKind kind, uint32_t serial, TargetIdBuffer* buffer) const;

 private:
  char tag_[6];
  uint64_t external_key_[2];
  uint64_t target_key_[2];
  uint64_t target_low_key_[2];
};

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_IDENTIFIERS_H_
