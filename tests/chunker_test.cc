#include "io/chunker.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "tests/ingest_testutil.h"

namespace scimflow {
namespace {

// A FileSource over a string that completes reads out of order and can fail one read or end
// the file early, to drive ChunkReader through what a real disk may do.
class FakeSource final : public FileSource {
 public:
  explicit FakeSource(std::string contents, uint32_t depth = 3)
      : contents_(std::move(contents)), depth_(depth) {}

  uint64_t size() const override { return contents_.size(); }
  std::string_view kind() const override { return "fake"; }
  uint32_t max_in_flight() const override { return depth_; }
  uint32_t in_flight() const override { return static_cast<uint32_t>(queued_.size()); }
  Status Submit(ReadRequest* request) override {
    queued_.push_back(request);
    max_seen_in_flight_ = std::max<size_t>(max_seen_in_flight_, queued_.size());
    return Status::Ok();
  }
  Result<ReadRequest*> WaitOne() override {
    // Newest first: completions out of submission order.
    ReadRequest* request = queued_.back();
    queued_.pop_back();
    if (fail_at_offset_ && request->offset == *fail_at_offset_) {
      return Status(StatusCode::kIoError, "users.ndjson: read: Input/output error");
    }
    const uint64_t end = std::min<uint64_t>(truncate_at_, contents_.size());
    const uint64_t available = request->offset >= end ? 0 : end - request->offset;
    request->bytes_read = std::min<uint64_t>(available, request->length);
    std::memcpy(request->buffer, contents_.data() + request->offset, request->bytes_read);
    return request;
  }

  std::optional<uint64_t> fail_at_offset_;
  uint64_t truncate_at_ = UINT64_MAX;
  size_t max_seen_in_flight_ = 0;

 private:
  std::string contents_;
  uint32_t depth_;
  std::deque<ReadRequest*> queued_;
};

EngineOptions Options(uint32_t chunk_bytes, uint32_t max_line_bytes) {
  EngineOptions options;
  options.chunk_bytes = chunk_bytes;
  options.max_line_bytes = max_line_bytes;
  return options;
}

// Reads everything; returns the chunks' texts (overlong chunks as "<overlong N>").
std::vector<std::string> ReadAll(FileSource* source, RecordCutter* cutter,
                                 const EngineOptions& options, Status* status,
                                 std::vector<ChunkText>* chunks = nullptr) {
  ChunkReader reader(source, cutter, options, 2);
  std::vector<std::string> texts;
  ChunkText chunk;
  while (true) {
    Result<bool> next = reader.Next(&chunk);
    if (!next.ok()) {
      *status = next.status();
      break;
    }
    if (!*next) break;
    EXPECT_GE(chunk.capacity, chunk.text.size() + simdjson::SIMDJSON_PADDING);
    texts.push_back(chunk.overlong ? "<overlong " + std::to_string(chunk.overlong_length) + ">"
                                   : std::string(chunk.text));
    if (chunks != nullptr) chunks->push_back(chunk);
    reader.Release(chunk);
  }
  return texts;
}

std::string Lines(int count, size_t width) {
  std::string text;
  for (int index = 0; index < count; ++index) {
    std::string line = "line" + std::to_string(index);
    line.resize(width, '.');
    text += line + "\n";
  }
  return text;
}

TEST(ChunkerTest, ChunksEndAtNewlinesAndTogetherAreTheWholeFile) {
  const std::string text = Lines(200, 37) + "last line without newline";
  FakeSource source(text);
  LineCutter cutter;
  Status status;
  std::vector<ChunkText> chunks;
  const std::vector<std::string> texts =
      ReadAll(&source, &cutter, Options(100, 1000), &status, &chunks);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::string joined;
  uint64_t offset = 0;
  for (size_t index = 0; index < texts.size(); ++index) {
    EXPECT_EQ(chunks[index].sequence, index);
    EXPECT_EQ(chunks[index].byte_offset, offset);
    if (index + 1 < texts.size()) {
      EXPECT_TRUE(texts[index].ends_with("\n"));
      EXPECT_FALSE(chunks[index].last);
    }
    joined += texts[index];
    offset += texts[index].size();
  }
  EXPECT_TRUE(chunks.back().last);
  EXPECT_EQ(texts.back(), "last line without newline");
  EXPECT_EQ(joined, text);
  EXPECT_GT(source.max_seen_in_flight_, 1u);
}

TEST(ChunkerTest, LineLongerThanTheLimitIsSkippedToItsNewline) {
  const std::string text = "short\n" + std::string(5000, 'x') + "\nafter\n";
  FakeSource source(text);
  LineCutter cutter;
  Status status;
  std::vector<ChunkText> chunks;
  const std::vector<std::string> texts =
      ReadAll(&source, &cutter, Options(64, 256), &status, &chunks);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(texts, (std::vector<std::string>{"short\n", "<overlong 5000>", "after\n", ""}));
  EXPECT_EQ(chunks[1].byte_offset, 6u);
  EXPECT_TRUE(chunks[1].overlong_ends_with_newline);
  EXPECT_EQ(chunks[1].overlong_excerpt, std::string(120, 'x'));
  EXPECT_EQ(chunks[2].byte_offset, 5007u);
}

TEST(ChunkerTest, ByteOrderMarkIsNotPartOfTheFirstChunk) {
  FakeSource source("\xEF\xBB\xBF{}\n{}\n");
  LineCutter cutter;
  Status status;
  std::vector<ChunkText> chunks;
  const std::vector<std::string> texts =
      ReadAll(&source, &cutter, Options(1024, 1024), &status, &chunks);
  ASSERT_TRUE(status.ok());
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts[0], "{}\n{}\n");
  EXPECT_EQ(chunks[0].byte_offset, 3u);
  EXPECT_TRUE(chunks[0].first);
}

TEST(ChunkerTest, FailingReadSurfacesAsAStatus) {
  FakeSource source(Lines(100, 50));
  source.fail_at_offset_ = 400;
  LineCutter cutter;
  Status status;
  ReadAll(&source, &cutter, Options(100, 1000), &status);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_EQ(status.message(), "users.ndjson: read: Input/output error");
}

TEST(ChunkerTest, FileThatShrinksWhileReadEndsWhereTheDataEnds) {
  const std::string text = Lines(100, 50);
  FakeSource source(text);
  source.truncate_at_ = 1020;  // Mid-line: the rest of the file is gone.
  LineCutter cutter;
  Status status;
  const std::vector<std::string> texts = ReadAll(&source, &cutter, Options(100, 1000), &status);
  ASSERT_TRUE(status.ok());
  std::string joined;
  for (const std::string& part : texts) joined += part;
  EXPECT_EQ(joined, text.substr(0, 1020));
}

TEST(ChunkerTest, JsonArrayChunksEndAfterWholeElements) {
  std::string text = "[\n";
  for (int index = 0; index < 50; ++index) {
    text += "{\"externalId\":\"e" + std::to_string(index) + "\",\"n\":{\"a\":\"}]\"}},\n";
  }
  text += "{\"last\":1}\n]\n";
  FakeSource source(text);
  JsonArrayCutter cutter;
  Status status;
  const std::vector<std::string> texts = ReadAll(&source, &cutter, Options(128, 4096), &status);
  ASSERT_TRUE(status.ok());
  std::string joined;
  for (size_t index = 0; index + 1 < texts.size(); ++index) {
    EXPECT_TRUE(texts[index].ends_with("}")) << texts[index];
    joined += texts[index];
  }
  joined += texts.back();
  EXPECT_EQ(joined, text);
  EXPECT_TRUE(texts.back().ends_with("]\n"));
}

TEST(ChunkerTest, CsvChunksNeverSplitAQuotedField) {
  std::string text;
  for (int index = 0; index < 100; ++index) {
    text += "e" + std::to_string(index) + ",\"multi\nline, quoted\"\n";
  }
  FakeSource source(text);
  CsvCutter cutter;
  Status status;
  const std::vector<std::string> texts = ReadAll(&source, &cutter, Options(64, 4096), &status);
  ASSERT_TRUE(status.ok());
  std::string joined;
  for (const std::string& part : texts) {
    EXPECT_TRUE(part.empty() || part.ends_with("quoted\"\n")) << part;
    joined += part;
  }
  EXPECT_EQ(joined, text);
}

TEST(ChunkerTest, BuffersAreReusedNotGrownWithTheFile) {
  FakeSource source(Lines(5000, 60));
  LineCutter cutter;
  ChunkReader reader(&source, &cutter, Options(1024, 4096), 2);
  ChunkText chunk;
  size_t chunks = 0;
  while (true) {
    Result<bool> next = reader.Next(&chunk);
    ASSERT_TRUE(next.ok());
    if (!*next) break;
    ++chunks;
    reader.Release(chunk);
  }
  EXPECT_GT(chunks, 250u);
  EXPECT_LE(reader.buffers_allocated(), source.max_in_flight() + 2 + 2);
}

}  // namespace
}  // namespace scimflow
