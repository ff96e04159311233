#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_set>

#include "tools/gen/export_model.h"
#include "tools/gen/identifiers.h"

namespace scimflow::gen {
namespace {

ExportModel Build(uint32_t users, uint32_t groups, int threads, uint64_t seed = 7) {
  GenParams params;
  params.seed = seed;
  params.users = users;
  params.groups = groups;
  tbb::task_arena arena(threads);
  ExportModel model;
  arena.execute([&] { model = BuildInitialDay(params); });
  return model;
}

bool SameModel(const ExportModel& left, const ExportModel& right) {
  if (left.users.size() != right.users.size() || left.groups.size() != right.groups.size())
    return false;
  if (left.users != right.users) return false;
  for (size_t index = 0; index < left.groups.size(); ++index) {
    const GenGroup& a = left.groups[index];
    const GenGroup& b = right.groups[index];
    if (a.serial != b.serial || a.department != b.department || a.team != b.team ||
        a.members != b.members) {
      return false;
    }
  }
  return true;
}

// Whether every byte of `text` is in `allowed` (a character class written out).
bool AllIn(std::string_view text, std::string_view allowed) {
  return !text.empty() && text.find_first_not_of(allowed) == std::string_view::npos;
}
constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// first.last123@example.com
bool IsUserName(std::string_view text) {
  constexpr std::string_view kDomain = "@example.com";
  if (text.size() <= kDomain.size() || text.substr(text.size() - kDomain.size()) != kDomain)
    return false;
  text.remove_suffix(kDomain.size());
  const size_t dot = text.find('.');
  const size_t digits = text.find_first_of(kDigits);
  return dot != std::string_view::npos && digits != std::string_view::npos && dot < digits &&
         AllIn(text.substr(0, dot), kLower) &&
         AllIn(text.substr(dot + 1, digits - dot - 1), kLower) &&
         AllIn(text.substr(digits), kDigits);
}

// 8-4-4-4-12 lower-case hex, version 4, RFC 4122 variant.
bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t position : {8, 13, 18, 23}) {
    if (text[position] != '-') return false;
  }
  std::string digits;
  for (char byte : text) {
    if (byte != '-') digits.push_back(byte);
  }
  return AllIn(digits, kHexDigits) && digits[12] == '4' &&
         std::string_view("89ab").find(digits[16]) != std::string_view::npos;
}

bool HasNonAscii(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char byte) { return byte & 0x80; });
}

TEST(GenExportModelTest, TheSameParamsGiveTheSameDayForAnyThreadCount) {
  const ExportModel one = Build(30'000, 300, 1);
  const ExportModel two = Build(30'000, 300, 2);
  const ExportModel four = Build(30'000, 300, 4);
  EXPECT_TRUE(SameModel(one, two));
  EXPECT_TRUE(SameModel(one, four));
  EXPECT_FALSE(SameModel(one, Build(30'000, 300, 2, /*seed=*/8)));
}

TEST(GenExportModelTest, SharesOfNonAsciiInactiveUnassignedAndRolesAreAsDocumented) {
  const ExportModel model = Build(100'000, 1000, 2);
  const IdScheme ids(7);
  UserText text;
  uint64_t non_ascii = 0, inactive = 0, unassigned = 0, plain_user = 0;
  std::set<std::string_view> role_values;
  for (const GenUser& user : model.users) {
    text.Fill(ids, user);
    non_ascii += HasNonAscii(text.display_name);
    EXPECT_EQ(HasNonAscii(text.display_name), user.culture() != Culture::kAscii);
    inactive += !user.Active();
    unassigned += !user.Assigned();
    plain_user += user.roles == kRoleUser;
    for (int role = 0; role < text.role_count; ++role) role_values.insert(text.roles[role]);
  }
  const double users = model.users.size();
  EXPECT_NEAR(non_ascii / users, 0.05, 0.005);
  EXPECT_NEAR(inactive / users, 0.03, 0.004);
  EXPECT_NEAR(unassigned / users, 0.01, 0.002);
  EXPECT_NEAR(plain_user / users, 0.95, 0.005);
  EXPECT_EQ(role_values, (std::set<std::string_view>{"user", "enterprise_owner", "billing_manager",
                                                     "guest_collaborator"}));
}

TEST(GenExportModelTest, GroupSizesAreHeavilySkewed) {
  const ExportModel model = Build(200'000, 2000, 2);
  std::vector<size_t> sizes;
  uint64_t memberships = 0;
  for (const GenGroup& group : model.groups) {
    sizes.push_back(group.members.size());
    memberships += group.members.size();
    EXPECT_TRUE(std::is_sorted(group.members.begin(), group.members.end()));
    EXPECT_EQ(std::adjacent_find(group.members.begin(), group.members.end()), group.members.end());
  }
  // A few groups (one per 200, at most 5) each hold a tenth of all users.
  for (int top = 0; top < 5; ++top) EXPECT_EQ(sizes[top], 20'000u) << top;
  std::sort(sizes.begin(), sizes.end());
  // Most groups have 5 to 50 members …
  const auto small = std::count_if(sizes.begin(), sizes.end(),
                                   [](size_t size) { return size >= 5 && size <= 50; });
  EXPECT_NEAR(static_cast<double>(small) / sizes.size(), 0.70, 0.04);
  EXPECT_GE(sizes[sizes.size() / 2], 5u);
  EXPECT_LE(sizes[sizes.size() / 2], 50u);
  // … and about five memberships per user on average.
  EXPECT_NEAR(static_cast<double>(memberships) / model.users.size(), 5.0, 0.5);
  // The largest 1% of groups hold more than a third of all memberships.
  uint64_t largest = 0;
  for (size_t index = sizes.size() - sizes.size() / 100; index < sizes.size(); ++index)
    largest += sizes[index];
  EXPECT_GT(static_cast<double>(largest) / memberships, 1.0 / 3);
}

TEST(GenExportModelTest, IdentifiersAndUserNamesAreUniqueAndWellFormed) {
  const ExportModel model = Build(50'000, 500, 2);
  const IdScheme ids(7);
  UserText text;
  std::unordered_set<std::string> external_ids, user_names, target_ids;
  TargetIdBuffer target_id;
  for (const GenUser& user : model.users) {
    text.Fill(ids, user);
    EXPECT_TRUE(external_ids.insert(std::string(text.external_id)).second);
    EXPECT_TRUE(user_names.insert(text.user_name).second);  // already lower case
    const std::string_view target = ids.TargetId(EntityKind::kUser, user.serial, &target_id);
    EXPECT_TRUE(target_ids.insert(std::string(target)).second);
    if (user.serial % 97 == 0) {
      EXPECT_TRUE(IsUserName(text.user_name)) << text.user_name;
      EXPECT_TRUE(IsUuid(target)) << target;
      EXPECT_EQ(text.external_id.substr(0, 3), "00u");
      EXPECT_EQ(text.external_id.size(), 20u);
      EXPECT_TRUE(AllIn(text.external_id, kBase62)) << text.external_id;
    }
  }
  ExternalIdBuffer group_id;
  EXPECT_EQ(ids.ExternalId(EntityKind::kGroup, 3, &group_id).substr(0, 3), "00g");
  // Another seed, other ids: two generated directories never share an externalId.
  ExternalIdBuffer other_id;
  EXPECT_NE(IdScheme(8).ExternalId(EntityKind::kUser, 0, &other_id),
            ids.ExternalId(EntityKind::kUser, 0, &group_id));
}

TEST(GenExportModelTest, UserTextBuildsNamesFromThePools) {
  GenUser user;
  user.serial = 42;
  user.SetCulture(Culture::kAccented);
  user.given = 0;   // José
  user.family = 0;  // Müller
  user.login_family = 0;
  user.middle = 2;  // Zoë
  user.roles = kRoleUser | kRoleBillingManager;
  user.SetFlag(GenUser::kActive, true);
  UserText text;
  text.Fill(IdScheme(1), user);
  EXPECT_EQ(text.user_name, "jose.muller42@example.com");
  EXPECT_EQ(text.formatted, "José Zoë Müller");
  EXPECT_EQ(text.display_name, "José Müller");
  ASSERT_EQ(text.role_count, 2);
  EXPECT_EQ(text.roles[0], "user");
  EXPECT_EQ(text.roles[1], "billing_manager");
  // A profile change moves the family name but never the userName.
  user.family = 3;
  text.Fill(IdScheme(1), user);
  EXPECT_EQ(text.user_name, "jose.muller42@example.com");
  EXPECT_EQ(text.family_name, "Dvořák");
}

}  // namespace
}  // namespace scimflow::gen
