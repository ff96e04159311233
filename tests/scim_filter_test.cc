#include "io/scim_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

// Counts the double quotes not preceded by an escaping backslash: a filter value that cannot
// break out of its quotes has none.
int UnescapedQuotes(const std::string& escaped) {
  int count = 0;
  bool escape_next = false;
  for (const char byte : escaped) {
    if (escape_next) {
      escape_next = false;
    } else if (byte == '\\') {
      escape_next = true;
    } else if (byte == '"') {
      ++count;
    }
  }
  return count;
}

TEST(ScimFilterTest, PlainValuesPassThrough) {
  EXPECT_EQ(EscapeScimFilterValue("E012345"), "E012345");
  EXPECT_EQ(EscapeScimFilterValue(""), "");
  EXPECT_EQ(EscapeScimFilterValue("m\xc3\xb6ller@example.com"), "m\xc3\xb6ller@example.com");
}

TEST(ScimFilterTest, InjectedFilterStaysOneValue) {
  const std::string filter = ScimEqualsFilter("externalId", R"(" or userName pr ")");
  EXPECT_EQ(filter, R"(externalId eq "\" or userName pr \"")");
  EXPECT_EQ(UnescapedQuotes(filter), 2);
}

TEST(ScimFilterTest, BackslashesAreDoubledSoTheyCannotEscapeTheClosingQuote) {
  EXPECT_EQ(EscapeScimFilterValue(R"(a\)"), R"(a\\)");
  EXPECT_EQ(ScimEqualsFilter("externalId", R"(domain\user\)"), R"(externalId eq "domain\\user\\")");
  EXPECT_EQ(EscapeScimFilterValue(R"(\")"), R"(\\\")");
}

TEST(ScimFilterTest, ControlCharactersAreEscaped) {
  const std::string value(
      "a\nb\rc\td\x01"
      "e\x1f"
      "f\x7f"
      "g\0h",
      15);
  EXPECT_EQ(EscapeScimFilterValue(value), R"(a\nb\rc\td\u0001e\u001ff\u007fg\u0000h)");
  EXPECT_EQ(EscapeScimFilterValue("\b\f"), R"(\b\f)");
}

TEST(ScimFilterTest, VeryLongHostileValueIsEscapedWhole) {
  std::string value;
  for (int repeat = 0; repeat < 100000; ++repeat) value += "\" or \\";
  const std::string escaped = EscapeScimFilterValue(value);
  EXPECT_EQ(escaped.size(), value.size() + 200000);
  EXPECT_EQ(UnescapedQuotes(escaped), 0);
}

}  // namespace
}  // namespace scimflow
