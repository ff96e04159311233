#include "engine/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace scimflow {
namespace {

TEST(ArenaTest, CopiedStringsOutliveTheirSource) {
  Arena arena(256);
  std::string_view copy;
  {
    std::string source = "mona.octocat@example.com";
    copy = arena.Copy(source);
    source.assign(source.size(), 'x');
  }
  EXPECT_EQ(copy, "mona.octocat@example.com");
}

TEST(ArenaTest, ManySmallAllocationsSpanBlocksWithoutCorruption) {
  Arena arena(128);
  std::vector<std::string_view> copies;
  for (int index = 0; index < 1000; ++index) copies.push_back(arena.Copy(std::to_string(index)));
  for (int index = 0; index < 1000; ++index) EXPECT_EQ(copies[index], std::to_string(index));
  EXPECT_GT(arena.bytes_reserved(), 128u);
}

TEST(ArenaTest, LargeAllocationGetsItsOwnBlockAndKeepsAlignment) {
  Arena arena(256);
  std::string big(10000, 'q');
  EXPECT_EQ(arena.Copy(big), big);
  auto numbers = arena.AllocateArray<uint64_t>(3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(numbers.data()) % alignof(uint64_t), 0u);
  EXPECT_EQ(numbers[0] + numbers[1] + numbers[2], 0u);
}

TEST(ArenaTest, ResetForgetsAllocations) {
  Arena arena(256);
  arena.Copy("abc");
  arena.Reset();
  EXPECT_EQ(arena.bytes_used(), 0u);
  EXPECT_EQ(arena.Copy("xyz"), "xyz");
}

}  // namespace
}  // namespace scimflow
