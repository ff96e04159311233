#include "io/json_writer.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

TEST(JsonWriterTest, WritesNestedStructuresWithCommasInPlace) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject()
      .Member("userName", "mona")
      .Key("emails")
      .BeginArray()
      .BeginObject()
      .Member("value", "m@example.com")
      .Member("primary", true)
      .EndObject()
      .EndArray()
      .Member("count", int64_t{-3})
      .Key("none")
      .Null()
      .EndObject();
  EXPECT_EQ(out, R"({"userName":"mona","emails":[{"value":"m@example.com","primary":true}],)"
                 R"("count":-3,"none":null})");
  EXPECT_TRUE(json.complete());
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString(&out, std::string_view("a\"b\\c\n\x01\x7f\xc3\xa9", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9\"");
}

TEST(JsonWriterTest, HostileFilterTextStaysOneString) {
  std::string out;
  JsonWriter(&out).String(R"(" or userName pr ")");
  EXPECT_EQ(out, R"("\" or userName pr \"")");
}

}  // namespace
}  // namespace scimflow
