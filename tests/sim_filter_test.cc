// The filter grammar of the simulator (`ATTRIBUTE OP "VALUE"`), parsed directly.
#include "tools/sim/sim_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

constexpr std::string_view kAttributes[] = {"id", "externalId", "userName", "displayName"};

TEST(SimFilterTest, ParsesEqWithCanonicalAttributeAndUnescapedValue) {
  ScimResult<SimFilter> filter = ParseFilter(R"(USERNAME Eq "a\"b\\c")", kAttributes, true);
  ASSERT_TRUE(filter.ok()) << filter.error().detail;
  EXPECT_EQ(filter.value().attribute, "userName");
  EXPECT_EQ(filter.value().op, FilterOp::kEq);
  EXPECT_EQ(filter.value().value, "a\"b\\c");
}

TEST(SimFilterTest, ValuesTakeEveryJsonEscape) {
  ScimResult<SimFilter> filter = ParseFilter(
      R"(externalId eq "\b\f\n\r\t\/\u0001\u00fc\u7528\ud83d\ude42")", kAttributes, true);
  ASSERT_TRUE(filter.ok()) << filter.error().detail;
  EXPECT_EQ(filter.value().value, "\b\f\n\r\t/\x01\xc3\xbc\xe7\x94\xa8\xf0\x9f\x99\x82");
  EXPECT_FALSE(ParseFilter(R"(externalId eq "\ude42")", kAttributes, true).ok());
  EXPECT_FALSE(ParseFilter(R"(externalId eq "\ud83d")", kAttributes, true).ok());
  EXPECT_FALSE(ParseFilter(R"(externalId eq "\u12")", kAttributes, true).ok());
}

TEST(SimFilterTest, EqOnlyRefusesOtherOperatorsThatGenericAccepts) {
  EXPECT_FALSE(ParseFilter(R"(userName sw "a")", kAttributes, true).ok());
  ScimResult<SimFilter> generic = ParseFilter(R"(userName sw "a")", kAttributes, false);
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ(generic.value().op, FilterOp::kSw);
  ScimResult<SimFilter> present = ParseFilter("externalId pr", kAttributes, false);
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(present.value().op, FilterOp::kPr);
}

TEST(SimFilterTest, RefusalsSayWhatIsWrong) {
  auto detail = [](std::string_view text) {
    ScimResult<SimFilter> filter = ParseFilter(text, kAttributes, true);
    EXPECT_FALSE(filter.ok()) << text;
    EXPECT_EQ(filter.ok() ? "" : filter.error().scim_type, "invalidFilter");
    return filter.ok() ? std::string() : filter.error().detail;
  };
  EXPECT_EQ(detail(""), "invalid filter '': empty filter");
  EXPECT_EQ(detail(R"(title eq "x")"),
            R"(invalid filter 'title eq "x"': unsupported attribute "title")");
  EXPECT_EQ(detail("userName"), R"(invalid filter 'userName': unsupported operator "")");
  EXPECT_EQ(detail(R"(userName eq "open)"),
            R"(invalid filter 'userName eq "open': expected a quoted string value)");
  EXPECT_EQ(detail(R"(userName eq "a\q")"),
            R"(invalid filter 'userName eq "a\q"': expected a quoted string value)");
  EXPECT_EQ(
      detail(R"(userName eq "a" or userName eq "b")"),
      R"(invalid filter 'userName eq "a" or userName eq "b"': multiple filters are not supported)");
}

TEST(SimFilterTest, MatchingHonoursCaseExactness) {
  ScimResult<SimFilter> filter = ParseFilter(R"(userName eq "Mona")", kAttributes, true);
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(FilterMatches(filter.value(), "mona", /*case_exact=*/false));
  EXPECT_FALSE(FilterMatches(filter.value(), "mona", /*case_exact=*/true));
  EXPECT_TRUE(FilterMatches(filter.value(), "Mona", /*case_exact=*/true));
  ScimResult<SimFilter> ends = ParseFilter(R"(userName ew "NA")", kAttributes, false);
  EXPECT_TRUE(FilterMatches(ends.value(), "mona", false));
  ScimResult<SimFilter> present = ParseFilter("userName pr", kAttributes, false);
  EXPECT_FALSE(FilterMatches(present.value(), "", false));
}

}  // namespace
}  // namespace scimflow
