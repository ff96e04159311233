// ExportModel: one day of a generated IdP directory, held in memory — who exists, with which
// names, roles and status, and which groups hold whom — plus the target state that a full push
// of that day leaves behind.
//
// A user is 16 bytes of small numbers (name pool indices, a role mask, flags); its strings are
// derived on demand (UserText) when a writer needs them, so a 10^6-user day fits in a few tens
// of megabytes and is built in parallel. Users are indexed by serial number and never removed:
// a user who left the IdP stays in the model with InIdp() false, because the target still holds
// it (suspended) and the snapshot must list it.
//
// Invariant after every day (BuildInitialDay and ApplyChurn keep it): each IdP member of a
// group is also a target member of it, and vice versa — the target after a full push. It holds
// because only provisioned users are ever added to a group after day 0.
//
// Ownership: an ExportModel owns all its data. Thread-safety: none while being built or
// changed; read-only use (the writers) from many threads is safe.
#ifndef SCIMFLOW_TOOLS_GEN_EXPORT_MODEL_H_
#define SCIMFLOW_TOOLS_GEN_EXPORT_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gen/identifiers.h"
#include "tools/gen/name_pool.h"
#include "tools/gen/random.h"

namespace scimflow::gen {

namespace config {
// Users generated per unit of parallel work, each with its own Rng. Fixed (not derived from the
// thread count) so the output is identical for any --threads. 4096 users take ~1 ms: small
// enough to balance two to sixty-four threads, large enough that scheduling costs nothing.
inline constexpr uint32_t kUsersPerBlock = 4096;
// Shares of users, in parts per million, as the issue asks for a realistic directory.
inline constexpr uint32_t kNonAsciiPpm = 50'000;        // names with accents or CJK: ~5%
inline constexpr uint32_t kCjkOfNonAsciiPpm = 400'000;  // of those, 40% CJK, 60% accented
inline constexpr uint32_t kInactivePpm = 30'000;        // inactive in the IdP: ~3%
inline constexpr uint32_t kUnassignedPpm = 10'000;      // not assigned to the app: ~1%
inline constexpr uint32_t kMiddleNamePpm = 100'000;     // with a middle name (not CJK): ~10%
inline constexpr uint32_t kNicknamePpm = 10'000;        // `Robert "Bob" Smith` (ASCII only): ~1%
// Group shape: up to kMaxTopGroups groups (one per 200 groups) each hold a tenth of all users;
// of the rest, kSmallGroupPpm have 5–50 members and the others 51 to a tenth of all users, skewed
// towards small so that the total comes near users × --memberships-per-user.
inline constexpr uint32_t kMaxTopGroups = 5;
inline constexpr uint32_t kGroupsPerTopGroup = 200;
inline constexpr uint32_t kTopGroupDivisor = 10;
inline constexpr uint32_t kSmallGroupPpm = 700'000;
inline constexpr uint32_t kSmallGroupMin = 5;
inline constexpr uint32_t kSmallGroupMax = 50;
}  // namespace config

// The arguments that fix day 0. Same params → same day, byte for byte.
struct GenParams {
  uint64_t seed = 1;
  uint32_t users = 0;
  uint32_t groups = 0;  // REQUIRES: >= 1 (the CLI turns "not given" into max(1, users / 100)).
  uint32_t memberships_per_user = 5;
};

// Role bits. A user holds one or two; the first set bit in this order is the primary role.
enum RoleBit : uint8_t {
  kRoleUser = 1,
  kRoleEnterpriseOwner = 2,
  kRoleBillingManager = 4,
  kRoleGuestCollaborator = 8,
};

// The role values of `mask`, primary first, into `*values`; returns how many.
int RoleValues(uint8_t mask, std::array<std::string_view, 4>* values);

class GenUser {
 public:
  enum Flag : uint8_t { kActive = 1, kAssigned = 2, kInIdp = 4, kNickname = 8 };

  uint32_t serial = 0;
  uint16_t given = 0;         // index into GivenNames(culture())
  uint16_t family = 0;        // index into FamilyNames(culture()); changes on a profile update
  uint16_t login_family = 0;  // family name when created: the userName never changes
  uint16_t middle = 0;        // 0: none; else GivenNames(culture())[middle - 1]
  uint8_t roles = kRoleUser;  // RoleBit mask, never 0
  uint8_t flags = 0;          // Flag bits, culture in bits 4–5

  bool Active() const { return flags & kActive; }
  bool Assigned() const { return flags & kAssigned; }
  bool InIdp() const { return flags & kInIdp; }
  bool HasNickname() const { return flags & kNickname; }
  // Assigned and active in the IdP: exists and is active on the target after a full push.
  bool Provisioned() const {
    return (flags & (kActive | kAssigned | kInIdp)) == (kActive | kAssigned | kInIdp);
  }
  Culture culture() const { return static_cast<Culture>((flags >> 4) & 3); }
  void SetFlag(Flag flag, bool on) { flags = on ? (flags | flag) : (flags & ~flag); }
  friend bool operator==(const GenUser&, const GenUser&) = default;

  void SetCulture(Culture culture) {
    flags = (flags & 0x0f) | (static_cast<uint8_t>(culture) << 4);
  }
};

struct GenGroup {
  uint32_t serial = 0;
  uint16_t department = 0;        // index into Departments()
  uint16_t team = 0;              // index into Teams()
  std::vector<uint32_t> members;  // user serials, ascending, distinct
};

struct ExportModel {
  GenParams params;
  uint32_t day = 0;                // 0 for the initial export, +1 per --next-day-of
  std::vector<GenUser> users;      // index == serial; includes users who left the IdP
  std::vector<GenGroup> groups;    // groups the IdP pushes, ascending serial
  uint32_t next_group_serial = 0;  // serial of the next group to create
};

// Builds day 0 from `params`, in parallel on the calling thread's task arena (oneTBB); the
// result does not depend on the number of threads. REQUIRES: params.groups >= 1.
ExportModel BuildInitialDay(const GenParams& params);

// Draws a fresh user with serial `serial` (names, roles, status) from `*rng`: used for day 0 and
// for joiners. Joiners are then forced active and assigned by the caller.
GenUser DrawUser(uint32_t serial, Rng* rng);
// A family name index of `culture` different from `current` (a profile change).
uint16_t DrawOtherFamily(Culture culture, uint16_t current, Rng* rng);
// A role mask different from `current`: a promotion from plain `user`, or back to it.
uint8_t DrawOtherRoles(uint8_t current, Rng* rng);
// A group size from the small-group range, at most `limit` (at least 1).
uint32_t DrawSmallGroupSize(uint32_t limit, Rng* rng);

// The strings of one user as every format writes them. Reused across users to avoid
// allocations: Fill() overwrites all members.
struct UserText {
  ExternalIdBuffer external_id_buffer;
  std::string_view external_id;
  std::string user_name;                                  // also the primary work email
  std::string_view given_name, family_name, middle_name;  // middle empty when absent
  std::string formatted;
  std::string display_name;
  std::array<std::string_view, 4> roles;
  int role_count = 0;
  bool active = false;  // IdP status
  bool assigned = false;

  void Fill(const IdScheme& ids, const GenUser& user);
};

// The group's displayName: "<department> <team> <serial>"; unique because the serial is.
std::string GroupDisplayName(const GenGroup& group);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_EXPORT_MODEL_H_
