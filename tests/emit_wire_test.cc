#include "engine/emit_wire.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

TEST(EmitWireTest, LookupFindsTheFirstResourceWithItsActiveFlag) {
  const FoundResource found = ParseFound(
      R"({"totalResults":1,"Resources":[{"id":"t-1","active":false,"externalId":"e"}]})", true);
  EXPECT_TRUE(found.found);
  EXPECT_EQ(found.id, "t-1");
  EXPECT_FALSE(found.active);
}

// Regression: a lookup that finds nothing (a create dropped before the target applied it).
TEST(EmitWireTest, EmptyListFindsNothing) {
  EXPECT_FALSE(ParseFound(R"({"totalResults":0,"Resources":[]})", true).found);
  EXPECT_FALSE(ParseFound(R"({"totalResults":0})", true).found);
  EXPECT_FALSE(ParseFound("not json", true).found);
}

TEST(EmitWireTest, CreateAnswerNamesItsId) {
  const FoundResource created = ParseFound(R"({"schemas":[],"id":"abc","userName":"u"})", false);
  EXPECT_TRUE(created.found);
  EXPECT_EQ(created.id, "abc");
  EXPECT_TRUE(created.active);
}

TEST(EmitWireTest, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode(R"(externalId eq "a b")"), "externalId%20eq%20%22a%20b%22");
  EXPECT_EQ(PercentEncode("Az09-_.~"), "Az09-_.~");
  // Bytes, whatever the locale calls letters: UTF-8 and control characters are always encoded.
  EXPECT_EQ(PercentEncode("Zo\xC3\xAB/\n%"), "Zo%C3%AB%2F%0A%25");
}

}  // namespace
}  // namespace scimflow
