// KeyIndex: for records 0..n-1 that each carry a string key (an externalId, a case-folded
// userName, a target id), finds the earliest record of every key, in parallel and
// deterministically.
//
// Built on the lock-free IdentityMap: all records are inserted concurrently; whichever insert wins
// the race, the entry that ends up in the map is then pointed at the smallest record index holding
// its key, so "first at line N" never depends on thread timing. Later records with the same key
// are the duplicates. Records the caller excludes (already rejected) are not inserted.
//
// Ownership: the key bytes are not copied; they must outlive the KeyIndex. Thread-safety: Build is
// called once by one thread (it runs its own parallel loops); afterwards the const methods may be
// called from any number of threads.
#ifndef SCIMFLOW_ENGINE_KEY_INDEX_H_
#define SCIMFLOW_ENGINE_KEY_INDEX_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "engine/identity_map.h"

namespace scimflow {

// "No record": the value of every index that is absent.
inline constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

class KeyIndex {
 public:
  KeyIndex() = default;
  KeyIndex(const KeyIndex&) = delete;
  KeyIndex& operator=(const KeyIndex&) = delete;
  KeyIndex(KeyIndex&&) = default;
  KeyIndex& operator=(KeyIndex&&) = default;

  // Indexes records 0..count-1 by `key_of(index)`; records for which `include(index)` is false
  // are left out (Find never returns them, FirstOf returns kNoIndex for them).
  // REQUIRES: count < kNoIndex; called once; key_of and include are safe to call concurrently.
  void Build(size_t count, const std::function<std::string_view(size_t)>& key_of,
             const std::function<bool(size_t)>& include);

  // The earliest included record whose key is `key`, or kNoIndex.
  uint32_t Find(std::string_view key) const;
  uint32_t Find(std::string_view key, uint64_t hash) const;

  // The earliest included record with the same key as `record`: `record` itself when it is the
  // first, an earlier index when it is a duplicate, kNoIndex when it was excluded.
  // Constant time for a record whose key no other record shares (no map probe).
  uint32_t FirstOf(size_t record) const;

  // found[k] = Find(keys[k]) for every k, with the cache misses of a few keys overlapped: the way
  // to resolve many keys (group members) against an index much larger than the caches.
  // REQUIRES: found.size() >= keys.size().
  void FindBatch(std::span<const std::string_view> keys, std::span<uint32_t> found) const;

  // Records that are duplicates of an earlier record, in ascending order.
  const std::vector<uint32_t>& duplicates() const { return duplicates_; }

 private:
  using Entry = IdentityEntry<uint32_t>;

  std::vector<Entry> entries_;  // One per record; the map points into it, so never resized.
  // Per record: kExcluded, kUnique (inserted, no other record has its key: FirstOf is the
  // record itself), or kShared (some other record has its key: FirstOf asks the map).
  enum : uint8_t { kExcluded = 0, kUnique = 1, kShared = 2 };
  std::vector<uint8_t> included_;
  std::vector<uint32_t> duplicates_;
  std::unique_ptr<IdentityMap<uint32_t>> map_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_KEY_INDEX_H_
