#include "io/padded_text.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace scimflow {
namespace {

class PaddedTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-padded-text-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string Write(const std::string& text) {
    const std::string path = directory_ + "/file";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
  }
  // Every byte of the padding after the text, which must be readable and zero.
  static void ExpectZeroPadding(const PaddedText& padded) {
    ASSERT_GE(padded.padded_size(), padded.size() + simdjson::SIMDJSON_PADDING);
    for (size_t offset = padded.size(); offset < padded.padded_size(); ++offset) {
      ASSERT_EQ(padded.data()[offset], 0) << "at " << offset;
    }
  }
  std::string directory_;
};

TEST_F(PaddedTextTest, FileOfWholePagesIsMappedWithItsPaddingReadable) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const std::string text(2 * page, 'x');
  Result<PaddedText> padded = PaddedText::OfFile(Write(text));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_TRUE(padded->mapped());
  EXPECT_EQ(padded->text(), text);
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, FileEndingInsideAPageReadsZerosAfterIt) {
  const std::string text = "{\"a\":1}\n";
  Result<PaddedText> padded = PaddedText::OfFile(Write(text));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_TRUE(padded->mapped());
  EXPECT_EQ(padded->text(), text);
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, EmptyFileIsEmptyText) {
  Result<PaddedText> padded = PaddedText::OfFile(Write(""));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_FALSE(padded->mapped());
  EXPECT_TRUE(padded->text().empty());
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, MoveKeepsTheBytesWhereTheyAre) {
  Result<PaddedText> padded = PaddedText::OfFile(Write("mapped"));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  const std::string_view view = padded->text();
  PaddedText moved = std::move(*padded);
  EXPECT_EQ(moved.text().data(), view.data());
  EXPECT_TRUE(padded->text().empty());  // NOLINT(bugprone-use-after-move): documented state.
  PaddedText copy = PaddedText::Copy("copied");
  const std::string_view copied = copy.text();
  moved = std::move(copy);  // Unmaps the file.
  EXPECT_EQ(moved.text().data(), copied.data());
  EXPECT_EQ(copied, "copied");
  ExpectZeroPadding(moved);
}

TEST_F(PaddedTextTest, MissingFileIsNotFound) {
  Result<PaddedText> padded = PaddedText::OfFile(directory_ + "/missing");
  ASSERT_FALSE(padded.ok());
  EXPECT_EQ(padded.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(padded.status().message(),
            directory_ + "/missing: cannot open: No such file or directory");
}

}  // namespace
}  // namespace scimflow
