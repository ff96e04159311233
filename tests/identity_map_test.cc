#include "engine/identity_map.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace scimflow {
namespace {

using Map = IdentityMap<uint32_t>;

std::vector<Map::Entry> MakeEntries(const std::vector<std::string>& keys) {
  std::vector<Map::Entry> entries(keys.size());
  for (size_t index = 0; index < keys.size(); ++index) {
    entries[index].key = keys[index];
    entries[index].hash = HashKey(keys[index]);
    entries[index].value = static_cast<uint32_t>(index);
  }
  return entries;
}

TEST(IdentityMapTest, FindsWhatWasInsertedAndNothingElse) {
  std::vector<std::string> keys = {"u-1", "u-2", "u-3"};
  auto entries = MakeEntries(keys);
  Map map(keys.size());
  for (auto& entry : entries) EXPECT_EQ(map.Insert(&entry), &entry);
  for (size_t index = 0; index < keys.size(); ++index) {
    ASSERT_NE(map.Find(keys[index]), nullptr);
    EXPECT_EQ(map.Find(keys[index])->value, index);
  }
  EXPECT_EQ(map.Find("u-4"), nullptr);
}

TEST(IdentityMapTest, SecondInsertOfAKeyReturnsTheFirstEntry) {
  std::vector<std::string> keys = {"dup", "dup"};
  auto entries = MakeEntries(keys);
  Map map(2);
  EXPECT_EQ(map.Insert(&entries[0]), &entries[0]);
  EXPECT_EQ(map.Insert(&entries[1]), &entries[0]);
}

TEST(IdentityMapTest, ConcurrentInsertsOfOverlappingKeysKeepExactlyOneEntryPerKey) {
  constexpr int kKeys = 20000;
  std::vector<std::string> keys;
  for (int index = 0; index < kKeys; ++index) keys.push_back("ext-" + std::to_string(index));
  // Two threads insert the same keys from their own entries: every key must map to one entry,
  // and both threads must agree on which.
  auto first = MakeEntries(keys);
  auto second = MakeEntries(keys);
  Map map(kKeys);
  std::vector<Map::Entry*> seen_first(kKeys), seen_second(kKeys);
  std::thread thread_a([&] {
    for (int index = 0; index < kKeys; ++index) seen_first[index] = map.Insert(&first[index]);
  });
  std::thread thread_b([&] {
    for (int index = kKeys - 1; index >= 0; --index)
      seen_second[index] = map.Insert(&second[index]);
  });
  thread_a.join();
  thread_b.join();
  for (int index = 0; index < kKeys; ++index) {
    ASSERT_NE(seen_first[index], nullptr);
    EXPECT_EQ(seen_first[index], seen_second[index]);
    EXPECT_EQ(map.Find(keys[index]), seen_first[index]);
  }
}

TEST(IdentityMapTest, FullTableReturnsNullInsteadOfLoopingForever) {
  std::vector<std::string> keys;
  for (int index = 0; index < 40; ++index) keys.push_back(std::to_string(index));
  auto entries = MakeEntries(keys);
  Map map(1);  // 16 slots
  int inserted = 0, refused = 0;
  for (auto& entry : entries) (map.Insert(&entry) == nullptr ? refused : inserted)++;
  EXPECT_EQ(inserted, 16);
  EXPECT_EQ(refused, 24);
}

}  // namespace
}  // namespace scimflow
