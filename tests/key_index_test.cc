#include "engine/key_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <string>
#include <vector>

namespace scimflow {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

KeyIndex Build(const std::vector<std::string>& keys, const std::vector<bool>& include = {}) {
  KeyIndex index;
  index.Build(
      keys.size(), [&](size_t record) { return std::string_view(keys[record]); },
      [&](size_t record) { return include.empty() || include[record]; });
  return index;
}

TEST(KeyIndexTest, EveryKeyMapsToItsEarliestRecord) {
  const std::vector<std::string> keys = {"b", "a", "b", "c", "a", "b"};
  const KeyIndex index = Build(keys);
  EXPECT_EQ(index.Find("a"), 1u);
  EXPECT_EQ(index.Find("b"), 0u);
  EXPECT_EQ(index.Find("c"), 3u);
  EXPECT_EQ(index.Find("d"), kNoIndex);
  EXPECT_EQ(index.FirstOf(5), 0u);
  EXPECT_EQ(index.FirstOf(4), 1u);
  EXPECT_THAT(index.duplicates(), ElementsAre(2u, 4u, 5u));
}

TEST(KeyIndexTest, ExcludedRecordsAreNeitherFoundNorDuplicates) {
  const std::vector<std::string> keys = {"a", "a", "b"};
  const KeyIndex index = Build(keys, {false, true, true});
  EXPECT_EQ(index.Find("a"), 1u);
  EXPECT_EQ(index.FirstOf(0), kNoIndex);
  EXPECT_THAT(index.duplicates(), IsEmpty());
}

TEST(KeyIndexTest, EmptyIndexFindsNothing) {
  const KeyIndex index = Build({});
  EXPECT_EQ(index.Find("a"), kNoIndex);
  const KeyIndex unbuilt;
  EXPECT_EQ(unbuilt.Find("a"), kNoIndex);
}

TEST(KeyIndexTest, WinnerIsTheSmallestIndexUnderContention) {
  // Every key four times, far apart, so parallel inserts race on every key.
  constexpr size_t kKeys = 50000;
  std::vector<std::string> keys;
  for (size_t copy = 0; copy < 4; ++copy) {
    for (size_t key = 0; key < kKeys; ++key) keys.push_back("k" + std::to_string(key));
  }
  for (int threads : {1, 2, 8}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const KeyIndex index = Build(keys);
    for (size_t record = 0; record < keys.size(); record += 997) {
      ASSERT_EQ(index.FirstOf(record), record % kKeys) << "record " << record;
    }
    ASSERT_EQ(index.duplicates().size(), 3 * kKeys);
    EXPECT_EQ(index.duplicates().front(), kKeys);
  }
}

}  // namespace
}  // namespace scimflow
