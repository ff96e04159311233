#include "io/reject_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_directory.h"

namespace scimflow {
namespace {

Reject MakeReject(std::string_view file, uint64_t line, std::string_view reason,
                  std::string_view excerpt) {
  Reject reject;
  reject.origin.file = file;
  reject.origin.line = line;
  reject.reason = reason;
  reject.excerpt = excerpt;
  return reject;
}

std::string Sanitized(std::string_view text, size_t max_bytes = 1000) {
  std::string out;
  AppendSanitizedUtf8(text, max_bytes, &out);
  return out;
}

class RejectWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDirectory("reject_writer"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> ReadLines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::filesystem::path dir_;
};

TEST(RejectFormatTest, FormatRejectIsFileLineReason) {
  EXPECT_EQ(FormatReject(MakeReject("users.csv", 7, "unbalanced quote", "u7,\"x")),
            "users.csv:7: unbalanced quote");
}

TEST(RejectFormatTest, LineHasTheDocumentedKeysInOrderAndEscapes) {
  std::string line;
  AppendRejectLine(MakeReject("users.ndjson", 1042, "missing required attribute \"userName\"",
                              "{\"externalId\":\"u1\",\n\"x\":1}"),
                   &line);
  EXPECT_EQ(line,
            "{\"file\":\"users.ndjson\",\"line\":1042,\"reason\":\"missing required attribute "
            "\\\"userName\\\"\",\"excerpt\":\"{\\\"externalId\\\":\\\"u1\\\",\\n\\\"x\\\":1}\"}\n");
}

TEST(RejectFormatTest, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(Sanitized("ok"), "ok");
  EXPECT_EQ(Sanitized("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(Sanitized("a\xFF"
                      "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(Sanitized("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // Overlong '/'.
  EXPECT_EQ(Sanitized("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // Surrogate.
  EXPECT_EQ(Sanitized("\xF4\x90\x80\x80").size(), 12u);  // Past U+10FFFF: four replacements.
  EXPECT_EQ(Sanitized("x\xE2\x82"), "x\xEF\xBF\xBD\xEF\xBF\xBD");  // Truncated euro sign.
  EXPECT_EQ(Sanitized("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");    // A 4-byte emoji is kept.
}

TEST(RejectFormatTest, ExcerptIsCutOnACharacterBoundaryWithinTheLimit) {
  const std::string ascii(119, 'a');
  // 119 + 2 bytes of "é" would exceed 120: the é is dropped whole, not cut in half.
  EXPECT_EQ(Sanitized(ascii + "\xC3\xA9" + "tail", 120), ascii);
  EXPECT_EQ(Sanitized(std::string(118, 'a') + "\xC3\xA9" + "tail", 120),
            std::string(118, 'a') + "\xC3\xA9");
  // Replacements count at their 3 output bytes.
  EXPECT_EQ(Sanitized(std::string(118, 'a') + "\xFF", 120), std::string(118, 'a'));
  std::string line;
  AppendRejectLine(MakeReject("f", 1, "r", std::string(300, '\xFF')), &line);
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  ASSERT_EQ(parser.parse(line).get(element), simdjson::SUCCESS) << line;
  std::string_view excerpt;
  ASSERT_EQ(element["excerpt"].get(excerpt), simdjson::SUCCESS);
  EXPECT_EQ(excerpt.size(), 120u);  // 40 replacement characters.
}

TEST_F(RejectWriterTest, WritesOneValidJsonLinePerRejectThroughTheBuffer) {
  const std::filesystem::path path = dir_ / "rejects.ndjson";
  auto writer = RejectWriter::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RecordChunk chunk;
  const std::string excerpt = "bad \xC3\x28 row " + std::string(200, 'x');
  constexpr int kRejects = 3000;  // Several buffers' worth.
  for (int index = 0; index < kRejects; ++index) {
    chunk.rejects.push_back(MakeReject("users.csv", index + 2, "invalid UTF-8", excerpt));
  }
  ASSERT_TRUE((*writer)->WriteChunk(chunk).ok());
  EXPECT_EQ((*writer)->lines_written(), uint64_t{kRejects});
  ASSERT_TRUE((*writer)->Close().ok());
  std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), size_t{kRejects});
  simdjson::dom::parser parser;
  for (size_t index = 0; index < lines.size(); ++index) {
    simdjson::dom::element element;
    ASSERT_EQ(parser.parse(lines[index]).get(element), simdjson::SUCCESS) << lines[index];
    EXPECT_EQ(element["line"].get_uint64().value(), index + 2);
    EXPECT_EQ(element["reason"].get_string().value(), "invalid UTF-8");
    EXPECT_EQ(element["file"].get_string().value(), "users.csv");
    std::string_view kept = element["excerpt"].get_string().value();
    EXPECT_LE(kept.size(), config::kRejectExcerptBytes);
    EXPECT_TRUE(kept.starts_with("bad \xEF\xBF\xBD( row xxx"));
  }
}

TEST_F(RejectWriterTest, OpenInAMissingDirectoryNamesThePath) {
  const std::filesystem::path path = dir_ / "no-such-dir" / "rejects.ndjson";
  auto writer = RejectWriter::Open(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kIoError);
  EXPECT_EQ(writer.status().message(), path.string() + ": No such file or directory");
}

TEST_F(RejectWriterTest, FullDiskIsReportedAndSticks) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto writer = RejectWriter::Open("/dev/full");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(MakeReject("f", 1, "r", "x")).ok());  // Still buffered.
  Status flushed = (*writer)->Flush();
  EXPECT_EQ(flushed.code(), StatusCode::kIoError);
  EXPECT_EQ(flushed.message(), "/dev/full: No space left on device");
  EXPECT_EQ((*writer)->Write(MakeReject("f", 2, "r", "x")), flushed);
  EXPECT_EQ((*writer)->Close(), flushed);
}

}  // namespace
}  // namespace scimflow
