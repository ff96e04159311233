#include "io/padded_text.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/test_directory.h"

namespace scimflow {
namespace {

class PaddedTextTest : public ::testing::Test {
 protected:
  void SetUp() override { directory_ = testing::FreshTestDirectory("padded_text").string(); }
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

TEST_F(PaddedTextTest, FileOfWholePagesHasItsPaddingReadable) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const std::string text(2 * page, 'x');
  Result<PaddedText> padded = PaddedText::OfFile(Write(text));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_EQ(padded->text(), text);
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, FileEndingInsideAPageReadsZerosAfterIt) {
  const std::string text = "{\"a\":1}\n";
  Result<PaddedText> padded = PaddedText::OfFile(Write(text));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_EQ(padded->text(), text);
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, FileRewrittenOrRemovedAfterReadingLeavesTheTextAsItWas) {
  // A plan applied for days: its file may be overwritten in place, truncated or deleted meanwhile.
  const std::string text(3 * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) + 17, 'p');
  const std::string path = Write(text);
  Result<PaddedText> padded = PaddedText::OfFile(path);
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  Write(std::string(text.size(), 'q'));
  EXPECT_EQ(padded->text(), text);
  ASSERT_EQ(::truncate(path.c_str(), 1), 0);
  EXPECT_EQ(padded->text(), text);  // no fault reading past the file's new end
  std::filesystem::remove(path);
  EXPECT_EQ(padded->text(), text);
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, EmptyFileIsEmptyText) {
  Result<PaddedText> padded = PaddedText::OfFile(Write(""));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  EXPECT_TRUE(padded->text().empty());
  ExpectZeroPadding(*padded);
}

TEST_F(PaddedTextTest, MoveKeepsTheBytesWhereTheyAre) {
  Result<PaddedText> padded = PaddedText::OfFile(Write("read"));
  ASSERT_TRUE(padded.ok()) << padded.status().message();
  const std::string_view view = padded->text();
  PaddedText moved = std::move(*padded);
  EXPECT_EQ(moved.text().data(), view.data());
  EXPECT_TRUE(padded->text().empty());  // NOLINT(bugprone-use-after-move): documented state.
  PaddedText copy = PaddedText::Copy("copied");
  const std::string_view copied = copy.text();
  moved = std::move(copy);  // Frees the file's bytes.
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
