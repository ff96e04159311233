#include <gtest/gtest.h>

#include "tools/gen/churn_spec.h"

namespace scimflow::gen {
namespace {

TEST(GenChurnSpecTest, TotalShareIsSplitOverKindsByTheDocumentedWeights) {
  const Result<ChurnSpec> spec = ParseChurnSpec("1%");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->CountFor(ChurnKind::kJoiners, 1'000'000), 3000u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kLeavers, 1'000'000), 2000u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kProfile, 1'000'000), 4000u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kRoles, 1'000'000), 500u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kReactivations, 1'000'000), 500u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupJoins, 5'000'000), 25000u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupLeaves, 5'000'000), 15000u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupsCreated, 10'000), 20u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupsRenamed, 10'000), 20u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupsRemoved, 10'000), 10u);
}

TEST(GenChurnSpecTest, ExplicitSharesAndCountsLeaveOtherKindsAtZero) {
  const Result<ChurnSpec> spec = ParseChurnSpec("joiners=0.35%,leavers=17,groups-removed=0");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->CountFor(ChurnKind::kJoiners, 200'000), 700u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kLeavers, 200'000), 17u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kProfile, 200'000), 0u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupsRemoved, 100), 0u);
  EXPECT_EQ(spec->text, "joiners=0.35%,leavers=17,groups-removed=0");
}

TEST(GenChurnSpecTest, SharesRoundHalfUp) {
  const Result<ChurnSpec> spec = ParseChurnSpec("profile=0.5%,roles=0.000001%");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->CountFor(ChurnKind::kProfile, 100), 1u);  // 0.5 rounds up
  EXPECT_EQ(spec->CountFor(ChurnKind::kProfile, 99), 0u);   // 0.495 rounds down
  EXPECT_EQ(spec->CountFor(ChurnKind::kRoles, 50'000'000), 1u);
}

TEST(GenChurnSpecTest, TotalShareCanBeRefinedByLaterKinds) {
  const Result<ChurnSpec> spec = ParseChurnSpec("2%,groups-removed=0,joiners=5");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->CountFor(ChurnKind::kGroupsRemoved, 1000), 0u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kJoiners, 1000), 5u);
  EXPECT_EQ(spec->CountFor(ChurnKind::kLeavers, 1000), 4u);
}

TEST(GenChurnSpecTest, BadSpecsAreRejectedWithTheReason) {
  const std::pair<const char*, const char*> kCases[] = {
      {"", "--churn \"\": empty"},
      {"joiners=1,bogus=2", "--churn \"joiners=1,bogus=2\": unknown kind \"bogus\""},
      {"leavers=1,leavers=2", "--churn \"leavers=1,leavers=2\": \"leavers\" given twice"},
      {"leavers=x", "--churn \"leavers=x\": bad amount \"x\" for leavers"},
      {"leavers=", "--churn \"leavers=\": bad amount \"\" for leavers"},
      {"leavers", "--churn \"leavers\": bad amount \"\" for leavers"},
      {"leavers=-1", "--churn \"leavers=-1\": bad amount \"-1\" for leavers"},
      {"leavers=1.5", "--churn \"leavers=1.5\": bad amount \"1.5\" for leavers"},
      {"leavers=0.0000001%",
       "--churn \"leavers=0.0000001%\": bad amount \"0.0000001%\" for leavers"},
      {"leavers=.5%", "--churn \"leavers=.5%\": bad amount \".5%\" for leavers"},
      {"leavers=1.%", "--churn \"leavers=1.%\": bad amount \"1.%\" for leavers"},
      {"leavers=100.5%", "--churn \"leavers=100.5%\": share above 100% for leavers"},
      {"leavers=99999999999999999999%",
       "--churn \"leavers=99999999999999999999%\": bad amount \"99999999999999999999%\" for "
       "leavers"},
      {"101%", "--churn \"101%\": share above 100% for total"},
      {"joiners=1,1%", "--churn \"joiners=1,1%\": a total share can only come first"},
      {"1%,", "--churn \"1%,\": unknown kind \"\""},
      {"joiners=1\xff", "--churn \"joiners=1\xff\": bad amount \"1\xff\" for joiners"},
  };
  for (const auto& [text, message] : kCases) {
    const Result<ChurnSpec> spec = ParseChurnSpec(text);
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(spec.status().message(), message);
  }
}

}  // namespace
}  // namespace scimflow::gen
