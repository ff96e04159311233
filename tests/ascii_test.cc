#include "engine/ascii.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

TEST(AsciiTest, FoldsOnlyTheLettersAToZ) {
  EXPECT_EQ(AsciiLowerCopy("Content-Type: X-RateLimit-Reset [@Z]"),
            "content-type: x-ratelimit-reset [@z]");
  // UTF-8 bytes stay as they are: "É" is not "é" for a userName comparison or a header name.
  EXPECT_EQ(AsciiLowerCopy("\xC3\x89MILE"), "\xC3\x89mile");
  EXPECT_FALSE(EqualsIgnoringAsciiCase("\xC3\x89mile", "\xC3\xA9mile"));
}

TEST(AsciiTest, ComparesIgnoringCaseOnlyWhenLengthsMatch) {
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Ada.Lovelace@Example.com", "ada.lovelace@example.COM"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("ada", "adam"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("ada[", "ADA{"));  // '[' and '{' are not a case pair
  EXPECT_TRUE(EqualsIgnoringAsciiCase("", ""));
}

TEST(AsciiTest, PrefixIgnoringCase) {
  EXPECT_TRUE(StartsWithIgnoringAsciiCase("HTTPS://api.github.com", "https:"));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("http://127.0.0.1", "https:"));
  EXPECT_FALSE(StartsWithIgnoringAsciiCase("HTTP", "https:"));
}

}  // namespace
}  // namespace scimflow
