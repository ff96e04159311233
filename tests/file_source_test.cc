#include "io/file_source.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/pread_reader.h"
#include "io/uring_reader.h"
#include "tests/ingest_testutil.h"

namespace scimflow {
namespace {

using testing::TempFile;

std::string Pattern(size_t size) {
  std::string text(size, '\0');
  for (size_t pos = 0; pos < size; ++pos) text[pos] = static_cast<char>('a' + (pos * 7) % 26);
  return text;
}

// Reads the whole file with `block` bytes per read and every read slot used.
std::string ReadWhole(FileSource* source, size_t block) {
  std::vector<std::string> buffers(source->max_in_flight(), std::string(block, '\0'));
  std::vector<ReadRequest> requests(source->max_in_flight());
  std::string out(source->size(), '\0');
  uint64_t next = 0;
  for (size_t slot = 0; slot < requests.size() && next < source->size(); ++slot) {
    requests[slot] = ReadRequest{next, buffers[slot].data(), block, 0, slot};
    EXPECT_TRUE(source->Submit(&requests[slot]).ok());
    next += block;
  }
  while (source->in_flight() > 0) {
    Result<ReadRequest*> done = source->WaitOne();
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    if (!done.ok()) break;
    ReadRequest* request = *done;
    const size_t expected = std::min<uint64_t>(block, source->size() - request->offset);
    EXPECT_EQ(request->bytes_read, expected);
    out.replace(request->offset, request->bytes_read, request->buffer, request->bytes_read);
    if (next < source->size()) {
      *request = ReadRequest{next, request->buffer, block, 0, request->tag};
      EXPECT_TRUE(source->Submit(request).ok());
      next += block;
    }
  }
  return out;
}

TEST(FileSourceTest, IoUringReadsTheWholeFileWithSeveralReadsInFlight) {
  if (!IoUringAvailable()) GTEST_SKIP() << "io_uring is not available here";
  const std::string text = Pattern(1'000'003);
  TempFile file(text);
  EngineOptions options;
  options.io_queue_depth = 8;
  Result<std::unique_ptr<FileSource>> source =
      OpenFileSource(file.path(), options, SourceChoice::kIoUring);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->kind(), "io_uring");
  EXPECT_EQ((*source)->size(), text.size());
  EXPECT_EQ(ReadWhole(source->get(), 65536), text);
}

TEST(FileSourceTest, PreadReadsTheWholeFile) {
  const std::string text = Pattern(300'001);
  TempFile file(text);
  EngineOptions options;
  Result<std::unique_ptr<FileSource>> source =
      OpenFileSource(file.path(), options, SourceChoice::kPread);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->kind(), "pread");
  EXPECT_EQ(ReadWhole(source->get(), 4096), text);
}

TEST(FileSourceTest, ReadPastTheEndReturnsWhatThereIs) {
  TempFile file("0123456789");
  for (SourceChoice choice : {SourceChoice::kIoUring, SourceChoice::kPread}) {
    if (choice == SourceChoice::kIoUring && !IoUringAvailable()) continue;
    Result<std::unique_ptr<FileSource>> source = OpenFileSource(file.path(), {}, choice);
    ASSERT_TRUE(source.ok());
    std::string buffer(64, '\0');
    ReadRequest request{6, buffer.data(), 64, 0, 0};
    ASSERT_TRUE((*source)->Submit(&request).ok());
    Result<ReadRequest*> done = (*source)->WaitOne();
    ASSERT_TRUE(done.ok());
    EXPECT_EQ((*done)->bytes_read, 4u);
    EXPECT_EQ(buffer.substr(0, 4), "6789");
  }
}

TEST(FileSourceTest, OpenErrorsNameThePathAndTheReason) {
  for (SourceChoice choice : {SourceChoice::kAuto, SourceChoice::kPread}) {
    Result<std::unique_ptr<FileSource>> missing =
        OpenFileSource("/nonexistent/dir/users.ndjson", {}, choice);
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(missing.status().message(),
              "/nonexistent/dir/users.ndjson: cannot open: No such file or directory");
    Result<std::unique_ptr<FileSource>> directory = OpenFileSource("/tmp", {}, choice);
    EXPECT_EQ(directory.status().code(), StatusCode::kIoError);
    EXPECT_EQ(directory.status().message(), "/tmp: cannot read: Is a directory");
  }
}

TEST(FileSourceTest, DestroyingAUringReaderDrainsReadsInFlight) {
  if (!IoUringAvailable()) GTEST_SKIP() << "io_uring is not available here";
  const std::string text = Pattern(1 << 20);
  TempFile file(text);
  std::vector<std::string> buffers(4, std::string(1 << 18, '\0'));
  std::vector<ReadRequest> requests(4);
  {
    Result<std::unique_ptr<UringReader>> reader = UringReader::Open(file.path(), 4);
    ASSERT_TRUE(reader.ok());
    for (size_t slot = 0; slot < 4; ++slot) {
      requests[slot] = ReadRequest{slot << 18, buffers[slot].data(), 1 << 18, 0, slot};
      ASSERT_TRUE((*reader)->Submit(&requests[slot]).ok());
    }
    // Destroyed with four reads in flight: must wait for them (ASan would see a late write).
  }
  SUCCEED();
}

}  // namespace
}  // namespace scimflow
