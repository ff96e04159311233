#include "io/format_detect.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

TEST(FormatDetectTest, FirstByteDecidesTheContainer) {
  EXPECT_EQ(DetectInputFormat("{\"externalId\":\"e\"}\n"), InputFormat::kNdjson);
  EXPECT_EQ(DetectInputFormat("  \n[\n{\"externalId\":\"e\"}]"), InputFormat::kJsonArray);
  EXPECT_EQ(DetectInputFormat("externalId,userName\n"), InputFormat::kCsv);
  EXPECT_EQ(DetectInputFormat(""), InputFormat::kNdjson);
  EXPECT_EQ(DetectInputFormat(" \n\t"), InputFormat::kNdjson);
}

TEST(FormatDetectTest, TopLevelProfileMakesItOkta) {
  EXPECT_EQ(DetectInputFormat(R"({"id":"00u1","status":"ACTIVE","profile":{"login":"a"}})"),
            InputFormat::kOktaNdjson);
  EXPECT_EQ(DetectInputFormat("[ {\"id\":\"00u1\",\"profile\":{}}]"), InputFormat::kOktaJsonArray);
  // `profile` nested deeper, or as a value, is not Okta's.
  EXPECT_EQ(DetectInputFormat(R"({"meta":{"profile":1},"externalId":"e"})"), InputFormat::kNdjson);
  EXPECT_EQ(DetectInputFormat(R"({"note":"profile","externalId":"e"})"), InputFormat::kNdjson);
  EXPECT_EQ(DetectInputFormat(R"({"x":"\"profile\"","externalId":"e"})"), InputFormat::kNdjson);
  // A first object cut off by the end of the prefix still counts what it has.
  EXPECT_EQ(DetectInputFormat(R"({"id":"00u1","profile":{"login":"a)"), InputFormat::kOktaNdjson);
}

TEST(FormatDetectTest, ByteOrderMarkIsSkipped) {
  EXPECT_EQ(ByteOrderMarkLength("\xEF\xBB\xBF{"), 3u);
  EXPECT_EQ(ByteOrderMarkLength("{"), 0u);
  EXPECT_EQ(DetectInputFormat("\xEF\xBB\xBF[{}]"), InputFormat::kJsonArray);
  EXPECT_EQ(DetectInputFormat("\xEF\xBB\xBF"
                              "externalId"),
            InputFormat::kCsv);
}

TEST(FormatDetectTest, NamesRoundTrip) {
  for (InputFormat format :
       {InputFormat::kAuto, InputFormat::kNdjson, InputFormat::kJsonArray, InputFormat::kOktaNdjson,
        InputFormat::kOktaJsonArray, InputFormat::kCsv}) {
    EXPECT_EQ(ParseInputFormat(InputFormatName(format)), format);
  }
  EXPECT_EQ(ParseInputFormat("okta-json"), InputFormat::kOktaJsonArray);
  EXPECT_EQ(ParseInputFormat("xml"), std::nullopt);
}

}  // namespace
}  // namespace scimflow
