#include "tools/gen/export_model.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>

#include "tools/gen/random.h"

namespace scimflow::gen {
namespace {

// Role masks of new users, in parts per million: mostly plain `user`, a few owners, billing
// managers and guests. Fixed order: the draw walks this table.
struct RoleShare {
  uint8_t mask;
  uint32_t ppm;
};
constexpr RoleShare kRoleShares[] = {
    {kRoleUser, 950'000},
    {kRoleGuestCollaborator, 30'000},
    {kRoleUser | kRoleBillingManager, 8'000},
    {kRoleBillingManager, 2'000},
    {kRoleUser | kRoleEnterpriseOwner, 5'000},
    {kRoleEnterpriseOwner, 5'000},
};
constexpr std::string_view kRoleNames[] = {"user", "enterprise_owner", "billing_manager",
                                           "guest_collaborator"};

uint8_t DrawRoles(Rng* rng) {
  uint64_t point = rng->Below(1'000'000);
  for (const RoleShare& share : kRoleShares) {
    if (point < share.ppm) return share.mask;
    point -= share.ppm;
  }
  return kRoleUser;
}

Culture DrawCulture(Rng* rng) {
  if (!rng->Chance(config::kNonAsciiPpm)) return Culture::kAscii;
  return rng->Chance(config::kCjkOfNonAsciiPpm) ? Culture::kCjk : Culture::kAccented;
}

// x^power for x a fraction in [0, 1) as Q32 fixed point. Integer only, so it is the same on
// every machine (pow() is not required to be correctly rounded).
uint64_t FixedPower(uint32_t fraction, uint32_t power) {
  uint64_t result = fraction;
  for (uint32_t step = 1; step < power; ++step) result = (result * fraction) >> 32;
  return result;
}

// The exponent that makes sizes lo + (hi - lo) * x^k average `mean`: E[x^k] = 1 / (k + 1).
uint32_t MediumExponent(uint64_t lo, uint64_t hi, uint64_t mean) {
  constexpr uint32_t kMaxExponent = 64;
  if (mean <= lo) return kMaxExponent;
  const uint64_t exponent = (hi - lo) / (mean - lo);
  return static_cast<uint32_t>(std::clamp<uint64_t>(exponent, 2, kMaxExponent + 1) - 1);
}

// The size of each initial group, by serial. Top groups first, then a per-group draw between a
// small (5–50) and a medium size, so skew does not depend on serial order beyond the top ones.
std::vector<uint32_t> InitialGroupSizes(const GenParams& params) {
  const uint64_t users = params.users;
  const uint32_t group_count = params.groups;
  const uint32_t top_count =
      std::clamp<uint32_t>(group_count / config::kGroupsPerTopGroup, 1, config::kMaxTopGroups);
  const uint64_t top_size = (users + config::kTopGroupDivisor - 1) / config::kTopGroupDivisor;
  const uint64_t rest = group_count - top_count;
  const uint64_t small_expected = rest * config::kSmallGroupPpm / 1'000'000;
  const uint64_t medium_expected = std::max<uint64_t>(1, rest - small_expected);
  const uint64_t wanted = users * params.memberships_per_user;
  const uint64_t fixed =
      top_count * top_size + small_expected * (config::kSmallGroupMin + config::kSmallGroupMax) / 2;
  const uint64_t medium_mean = wanted > fixed ? (wanted - fixed) / medium_expected : 0;
  const uint64_t lo = config::kSmallGroupMax + 1;
  const uint64_t hi = std::max(lo, top_size);
  const uint32_t exponent = MediumExponent(lo, hi, medium_mean);

  std::vector<uint32_t> sizes(group_count);
  for (uint32_t serial = 0; serial < group_count; ++serial) {
    Rng rng(DeriveSeed(params.seed, Stream::kGroup, serial));
    uint64_t size;
    if (serial < top_count) {
      size = top_size;
    } else if (rng.Chance(config::kSmallGroupPpm)) {
      size = DrawSmallGroupSize(params.users, &rng);
    } else {
      size = lo + (((hi - lo) * FixedPower(rng.Fraction32(), exponent)) >> 32);
    }
    sizes[serial] =
        static_cast<uint32_t>(std::clamp<uint64_t>(size, 1, std::max<uint64_t>(users, 1)));
  }
  return sizes;
}

// `size` distinct users of [0, users): an arithmetic progression modulo `users` with a step
// coprime to it, from a random start. Distinct by construction, no set needed, O(size).
std::vector<uint32_t> DrawMembers(uint32_t users, uint32_t size, Rng* rng) {
  std::vector<uint32_t> members;
  if (users == 0) return members;
  const uint64_t start = rng->Below(users);
  uint64_t step = 1;
  if (users > 1) {
    do {
      step = 1 + rng->Below(users - 1);
    } while (std::gcd(step, static_cast<uint64_t>(users)) != 1);
  }
  members.reserve(size);
  for (uint64_t position = 0; position < size; ++position) {
    members.push_back(static_cast<uint32_t>((start + step * position) % users));
  }
  std::sort(members.begin(), members.end());
  return members;
}

}  // namespace

int RoleValues(uint8_t mask, std::array<std::string_view, 4>* values) {
  int count = 0;
  for (int bit = 0; bit < 4; ++bit) {
    if (mask & (1u << bit)) (*values)[count++] = kRoleNames[bit];
  }
  return count;
}

GenUser DrawUser(uint32_t serial, Rng* rng) {
  GenUser user;
  user.serial = serial;
  const Culture culture = DrawCulture(rng);
  user.SetCulture(culture);
  user.given = static_cast<uint16_t>(rng->Below(GivenNames(culture).size()));
  user.family = static_cast<uint16_t>(rng->Below(FamilyNames(culture).size()));
  user.login_family = user.family;
  if (culture != Culture::kCjk && rng->Chance(config::kMiddleNamePpm)) {
    user.middle = static_cast<uint16_t>(1 + rng->Below(GivenNames(culture).size()));
  }
  user.roles = DrawRoles(rng);
  user.SetFlag(GenUser::kActive, !rng->Chance(config::kInactivePpm));
  user.SetFlag(GenUser::kAssigned, !rng->Chance(config::kUnassignedPpm));
  user.SetFlag(GenUser::kInIdp, true);
  user.SetFlag(GenUser::kNickname, culture == Culture::kAscii && rng->Chance(config::kNicknamePpm));
  return user;
}

uint16_t DrawOtherFamily(Culture culture, uint16_t current, Rng* rng) {
  const uint64_t count = FamilyNames(culture).size();
  // Any index but `current`: draw among count - 1 and skip over it.
  const auto drawn = static_cast<uint16_t>(rng->Below(count - 1));
  return drawn >= current ? drawn + 1 : drawn;
}

uint8_t DrawOtherRoles(uint8_t current, Rng* rng) {
  if (current != kRoleUser) return kRoleUser;
  constexpr size_t kOthers = std::size(kRoleShares) - 1;  // kRoleShares[0] is plain `user`
  return kRoleShares[1 + rng->Below(kOthers)].mask;
}

uint32_t DrawSmallGroupSize(uint32_t limit, Rng* rng) {
  const uint64_t size =
      config::kSmallGroupMin + rng->Below(config::kSmallGroupMax - config::kSmallGroupMin + 1);
  return static_cast<uint32_t>(std::clamp<uint64_t>(size, 1, std::max<uint32_t>(limit, 1)));
}

ExportModel BuildInitialDay(const GenParams& params) {
  ExportModel model;
  model.params = params;
  model.users.resize(params.users);
  const uint32_t blocks = (params.users + config::kUsersPerBlock - 1) / config::kUsersPerBlock;
  tbb::parallel_for(uint32_t{0}, blocks, [&](uint32_t block) {
    Rng rng(DeriveSeed(params.seed, Stream::kUserBlock, block));
    const uint32_t begin = block * config::kUsersPerBlock;
    const uint32_t end = std::min(params.users, begin + config::kUsersPerBlock);
    for (uint32_t serial = begin; serial < end; ++serial)
      model.users[serial] = DrawUser(serial, &rng);
  });

  const std::vector<uint32_t> sizes = InitialGroupSizes(params);
  model.groups.resize(params.groups);
  tbb::parallel_for(uint32_t{0}, params.groups, [&](uint32_t serial) {
    // A stream apart from the one that drew the size, so both can evolve independently.
    Rng rng(DeriveSeed(params.seed, Stream::kGroup, uint64_t{1} << 32 | serial));
    GenGroup& group = model.groups[serial];
    group.serial = serial;
    group.department = static_cast<uint16_t>(rng.Below(Departments().size()));
    group.team = static_cast<uint16_t>(rng.Below(Teams().size()));
    group.members = DrawMembers(params.users, sizes[serial], &rng);
  });
  model.next_group_serial = params.groups;
  return model;
}

void UserText::Fill(const IdScheme& ids, const GenUser& user) {
  const Culture culture = user.culture();
  const PoolName& given = GivenNames(culture)[user.given];
  const PoolName& family = FamilyNames(culture)[user.family];
  external_id = ids.ExternalId(EntityKind::kUser, user.serial, &external_id_buffer);
  user_name.clear();
  user_name.append(given.login).append(".").append(FamilyNames(culture)[user.login_family].login);
  user_name.append(std::to_string(user.serial)).append("@example.com");
  given_name = given.display;
  family_name = family.display;
  middle_name =
      user.middle == 0 ? std::string_view() : GivenNames(culture)[user.middle - 1].display;
  formatted.assign(given_name);
  if (!middle_name.empty()) formatted.append(" ").append(middle_name);
  formatted.append(" ").append(family_name);
  display_name.assign(given_name);
  if (user.HasNickname()) {
    const auto nicknames = Nicknames();
    display_name.append(" \"")
        .append(nicknames[Mix64(user.serial) % nicknames.size()])
        .append("\"");
  }
  display_name.append(" ").append(family_name);
  role_count = RoleValues(user.roles, &roles);
  active = user.Active();
  assigned = user.Assigned();
}

std::string GroupDisplayName(const GenGroup& group) {
  std::string name(Departments()[group.department]);
  name.append(" ").append(Teams()[group.team]).append(" ").append(std::to_string(group.serial));
  return name;
}

}  // namespace scimflow::gen
