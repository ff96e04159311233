#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <filesystem>

#include "tests/gen_testutil.h"
#include "tools/gen/block_writer.h"

namespace scimflow::gen {
namespace {

using testing_gen::ReadFile;
using testing_gen::TempDir;

// Item k renders as "k\n"; blocks are rendered concurrently but must land in order.
void RenderNumbers(size_t begin, size_t end, std::string* out) {
  for (size_t item = begin; item < end; ++item) out->append(std::to_string(item)).push_back('\n');
}

std::string Numbers(size_t count) {
  std::string text;
  RenderNumbers(0, count, &text);
  return text;
}

// Not in the ThreadSanitizer subset (no "Parallel" in the name): the writer's serial node runs on
// whichever worker oneTBB picks, ordered by libtbb internals that TSan cannot see, so TSan reports
// the writer's own state as racing. The ASan build checks it; the engine's flow graphs are in
// the TSan subset through IngestTest's *Pipeline* cases.
TEST(GenBlockWriterTest, BlocksRenderedOnManyThreadsAreWrittenInOrder) {
  TempDir dir("block_writer");
  const std::string path = dir / "out.txt";
  for (int threads : {1, 2, 8}) {
    tbb::task_arena arena(threads);
    Result<uint64_t> bytes = Internal("not run");
    arena.execute([&] { bytes = WriteFileInBlocks(path, "[", 10'007, 64, RenderNumbers, "]"); });
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    const std::string expected = "[" + Numbers(10'007) + "]";
    EXPECT_EQ(ReadFile(path), expected);
    EXPECT_EQ(*bytes, expected.size());
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(GenBlockWriterTest, RangesOfDifferentSizesAndEmptyInputs) {
  TempDir dir("block_ranges");
  const std::string path = dir / "out.txt";
  ASSERT_TRUE(WriteFileInRanges(path, "", {1, 1, 50, 51, 200}, RenderNumbers, "").ok());
  EXPECT_EQ(ReadFile(path), Numbers(200));
  ASSERT_TRUE(WriteFileInBlocks(path, "head\n", 0, 16, RenderNumbers, "").ok());
  EXPECT_EQ(ReadFile(path), "head\n");
}

TEST(GenBlockWriterTest, AnUncreatableFileIsAnIoErrorAndLeavesNothingBehind) {
  TempDir dir("block_error");
  const std::string path = dir / "missing/out.txt";
  const Result<uint64_t> bytes = WriteFileInBlocks(path, "", 10, 4, RenderNumbers, "");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status(), Status(StatusCode::kIoError, path + ".tmp: No such file or directory"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(GenBlockWriterTest, AFullDiskIsAnIoErrorAndTheFileIsNotRenamedIntoPlace) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  // /dev/full accepts the open and fails every write with ENOSPC; the rename then fails too,
  // but the write error comes first.
  TempDir dir("block_full");
  const std::string link = dir / "full";
  std::filesystem::create_symlink("/dev/full", link + ".tmp");
  const Result<uint64_t> bytes = WriteFileInBlocks(link, "", 100'000, 1000, RenderNumbers, "");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status(), Status(StatusCode::kIoError, link + ".tmp: No space left on device"));
  EXPECT_FALSE(std::filesystem::exists(link));
}

}  // namespace
}  // namespace scimflow::gen
