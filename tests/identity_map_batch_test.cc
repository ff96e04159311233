// The batch calls of engine/identity_map.h must answer exactly as the one-key calls do.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "engine/identity_map.h"

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

std::vector<std::string> Keys(const std::string& prefix, int count) {
  std::vector<std::string> keys;
  for (int index = 0; index < count; ++index) keys.push_back(prefix + std::to_string(index));
  return keys;
}

TEST(IdentityMapBatchTest, InsertBatchReturnsWhatInsertWouldIncludingDuplicatesInOneBatch) {
  // 37 keys: two full batches and a partial one; key 5 appears again at position 30.
  std::vector<std::string> keys = Keys("ext-", 37);
  keys[30] = keys[5];
  auto entries = MakeEntries(keys);
  std::vector<Map::Entry*> pointers;
  for (auto& entry : entries) pointers.push_back(&entry);
  Map map(keys.size());
  std::vector<Map::Entry*> results(pointers.size());
  map.InsertBatch(pointers, results);
  for (size_t index = 0; index < keys.size(); ++index) {
    EXPECT_EQ(results[index], index == 30 ? &entries[5] : &entries[index]) << index;
  }
}

TEST(IdentityMapBatchTest, FindBatchMatchesFindForPresentAbsentAndCollidingKeys) {
  std::vector<std::string> keys = Keys("user-", 1000);
  auto entries = MakeEntries(keys);
  Map map(keys.size());
  for (auto& entry : entries) ASSERT_EQ(map.Insert(&entry), &entry);
  // Present keys, absent keys and the empty key, interleaved; at half load many keys do not sit
  // in their home slot, which exercises the fallback to the probe sequence.
  std::vector<std::string> probes;
  for (int index = 0; index < 1000; ++index) {
    probes.push_back(index % 3 == 0 ? "absent-" + std::to_string(index) : keys[index]);
  }
  probes.push_back("");
  std::vector<std::string_view> views(probes.begin(), probes.end());
  std::vector<Map::Entry*> found(views.size());
  map.FindBatch(views, found);
  for (size_t index = 0; index < views.size(); ++index) {
    EXPECT_EQ(found[index], map.Find(views[index])) << views[index];
    if (found[index] != nullptr) {
      EXPECT_EQ(found[index]->key, views[index]);
    }
  }
}

TEST(IdentityMapBatchTest, ConcurrentBatchInsertsAndFindsAgreeOnOneEntryPerKey) {
  constexpr int kKeys = 20000;
  std::vector<std::string> keys = Keys("ext-", kKeys);
  auto first = MakeEntries(keys);
  auto second = MakeEntries(keys);
  std::vector<Map::Entry*> first_pointers, second_pointers;
  for (int index = 0; index < kKeys; ++index) {
    first_pointers.push_back(&first[index]);
    second_pointers.push_back(&second[kKeys - 1 - index]);  // Opposite order.
  }
  Map map(kKeys);
  std::vector<Map::Entry*> seen_first(kKeys), seen_second(kKeys);
  std::thread thread_a([&] { map.InsertBatch(first_pointers, seen_first); });
  std::thread thread_b([&] { map.InsertBatch(second_pointers, seen_second); });
  thread_a.join();
  thread_b.join();
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<Map::Entry*> found(views.size());
  map.FindBatch(views, found);
  for (int index = 0; index < kKeys; ++index) {
    ASSERT_NE(seen_first[index], nullptr);
    EXPECT_EQ(seen_first[index], seen_second[kKeys - 1 - index]);
    EXPECT_EQ(found[index], seen_first[index]);
  }
}

}  // namespace
}  // namespace scimflow
