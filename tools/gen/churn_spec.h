// ChurnSpec: how much one `--next-day-of` day changes, parsed from the `--churn` flag.
//
// Two spellings (docs/gen.md):
//   - a total share, `--churn 1%`, split over the kinds with fixed weights (kChurnWeights);
//   - explicit amounts, `--churn joiners=0.3%,leavers=120,groups-removed=2`: a share (`N%`, up
//     to six decimals) or an absolute count; kinds not named are 0. A total share may come first
//     and be refined: `--churn 1%,groups-removed=0`.
// Shares are of the IdP's users (user kinds), of all group memberships (group-joins and
// group-leaves) or of the groups (groups-created, -renamed, -removed) of the earlier day.
// Everything is integer arithmetic, so a replayed spec gives the same counts on any machine.
//
// Thread-safety: plain values.
#ifndef SCIMFLOW_TOOLS_GEN_CHURN_SPEC_H_
#define SCIMFLOW_TOOLS_GEN_CHURN_SPEC_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace scimflow::gen {

enum class ChurnKind : uint8_t {
  kJoiners,
  kLeavers,
  kProfile,
  kRoles,
  kReactivations,
  kGroupJoins,
  kGroupLeaves,
  kGroupsCreated,
  kGroupsRenamed,
  kGroupsRemoved,
};
inline constexpr int kChurnKindCount = 10;

// The spelling of `kind` in the spec (`joiners`, `group-joins`, …).
std::string_view ChurnKindName(ChurnKind kind);

// What a total share is of, per kind.
enum class ChurnBase : uint8_t { kUsers, kMemberships, kGroups };
ChurnBase BaseOf(ChurnKind kind);

// Per-mille of a total share `P%` that goes to each kind, in ChurnKind order: for P = 1%,
// joiners 0.3%, leavers 0.2%, profile 0.4%, roles 0.05%, reactivations 0.05% of users;
// group-joins 0.5%, group-leaves 0.3% of memberships; groups created 0.2%, renamed 0.2%,
// removed 0.1% of groups.
inline constexpr std::array<uint32_t, kChurnKindCount> kChurnWeights = {300, 200, 400, 50,  50,
                                                                        500, 300, 200, 200, 100};

// One kind's amount: an absolute count, or a share with 10^11 meaning 100%.
struct ChurnAmount {
  bool is_share = false;
  uint64_t value = 0;
};
inline constexpr uint64_t kShareDenominator = 100'000'000'000;

struct ChurnSpec {
  std::string text;  // as given; the manifest records it and replays parse it again
  std::array<ChurnAmount, kChurnKindCount> amounts{};

  const ChurnAmount& amount(ChurnKind kind) const { return amounts[static_cast<int>(kind)]; }
  // The number of changes of `kind` for a base of `base` entities: shares rounded half up.
  uint64_t CountFor(ChurnKind kind, uint64_t base) const;
};

// Parses `text`. Errors are kInvalidArgument with the message
// `--churn "TEXT": REASON`, REASON one of: `empty`, `unknown kind "K"`, `"K" given twice`,
// `bad amount "V" for K` (not a count or a share with at most six decimals), `share above
// 100% for K`, `a total share can only come first`.
Result<ChurnSpec> ParseChurnSpec(std::string_view text);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_CHURN_SPEC_H_
