// IdentityMap: a lock-free, insert-only, open-addressing hash map from a string key (an externalId,
// a case-folded userName) to an entry the caller owns.
//
// Built in parallel by the pipeline (many threads Insert at once), then probed by many threads.
// Each slot is one 64-bit atomic word holding a 16-bit tag of the key's hash and a 48-bit pointer
// to the entry, so publishing an entry is a single compare-and-swap and a reader either sees no
// entry or a fully written one (release/acquire). There is no erase and no resize: the map is
// presized from record counts, at most half full, which keeps probe sequences short.
//
// Ownership: the map stores pointers only. Each IdentityEntry (and the bytes its key views) must
// stay alive and unmoved as long as the map is used; callers keep entries in arenas or in vectors
// that are not resized after the build.
//
// Thread-safety: Insert and Find may be called concurrently from any number of threads.
// Determinism: which of two entries with equal keys wins depends on timing; callers that need a
// deterministic winner (the duplicate with the lowest line) decide it themselves from what Insert
// returns. Iterating over slots is not offered for the same reason: walk your records instead.
#ifndef SCIMFLOW_ENGINE_IDENTITY_MAP_H_
#define SCIMFLOW_ENGINE_IDENTITY_MAP_H_

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace scimflow {

namespace config {
// Keys handled together by IdentityMap's batch calls. A probe of a map much larger than the
// caches waits on up to three dependent misses (slot, entry, key bytes); issuing the prefetches
// of 16 keys before touching any lets those misses overlap, while 16 × 3 lines stay far below
// what L1 holds.
inline constexpr size_t kIdentityMapBatch = 16;
}  // namespace config

// The hash every identity map uses; stable across runs and machines (XXH3, 64 bits).
inline uint64_t HashKey(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

template <typename Value>
struct IdentityEntry {
  std::string_view key;
  uint64_t hash = 0;  // HashKey(key); set by the caller so it is computed once per record.
  Value value{};
};

template <typename Value>
class IdentityMap {
 public:
  using Entry = IdentityEntry<Value>;

  // Sizes the table for `expected_keys` at a load factor of at most one half.
  explicit IdentityMap(size_t expected_keys)
      : mask_(std::bit_ceil(expected_keys < 8 ? size_t{16} : expected_keys * 2) - 1),
        slots_(std::make_unique<std::atomic<uint64_t>[]>(mask_ + 1)) {}

  IdentityMap(const IdentityMap&) = delete;
  IdentityMap& operator=(const IdentityMap&) = delete;

  // Publishes `entry` unless an entry with an equal key is already present.
  // Returns `entry` if it was inserted, the entry already mapped for the key otherwise, or nullptr
  // if the table is full (more keys than it was sized for, a programming error upstream).
  // REQUIRES: entry->hash == HashKey(entry->key); `*entry` outlives the map.
  Entry* Insert(Entry* entry) {
    const uint64_t packed = Pack(entry);
    const uint16_t tag = Tag(entry->hash);
    size_t index = entry->hash & mask_;
    for (size_t probes = 0; probes <= mask_; ++probes, index = (index + 1) & mask_) {
      uint64_t current = slots_[index].load(std::memory_order_acquire);
      while (current == 0) {
        if (slots_[index].compare_exchange_weak(current, packed, std::memory_order_release,
                                                std::memory_order_acquire)) {
          return entry;
        }
      }
      if (SlotTag(current) == tag) {
        Entry* existing = SlotEntry(current);
        if (existing->key == entry->key) return existing;
      }
    }
    return nullptr;
  }

  // The entry for `key`, or nullptr. REQUIRES: hash == HashKey(key).
  Entry* Find(std::string_view key, uint64_t hash) const {
    const uint16_t tag = Tag(hash);
    size_t index = hash & mask_;
    for (size_t probes = 0; probes <= mask_; ++probes, index = (index + 1) & mask_) {
      const uint64_t current = slots_[index].load(std::memory_order_acquire);
      if (current == 0) return nullptr;
      if (SlotTag(current) == tag) {
        Entry* existing = SlotEntry(current);
        if (existing->key == key) return existing;
      }
    }
    return nullptr;
  }
  Entry* Find(std::string_view key) const { return Find(key, HashKey(key)); }

  // Inserts many entries: results[k] = Insert(entries[k]), element by element in order, but with
  // the slots of config::kIdentityMapBatch entries prefetched before any is touched.
  // REQUIRES: as Insert for every entry; results.size() >= entries.size().
  void InsertBatch(std::span<Entry* const> entries, std::span<Entry*> results) {
    for (size_t base = 0; base < entries.size(); base += config::kIdentityMapBatch) {
      const size_t count = std::min(config::kIdentityMapBatch, entries.size() - base);
      for (size_t offset = 0; offset < count; ++offset) {
        __builtin_prefetch(&slots_[entries[base + offset]->hash & mask_], 1);
      }
      for (size_t offset = 0; offset < count; ++offset) {
        results[base + offset] = Insert(entries[base + offset]);
      }
    }
  }

  // Looks many keys up: found[k] = Find(keys[k]), with the cache misses of
  // config::kIdentityMapBatch keys overlapped (slots, then entries, then key bytes prefetched).
  // REQUIRES: found.size() >= keys.size().
  void FindBatch(std::span<const std::string_view> keys, std::span<Entry*> found) const {
    constexpr size_t kBatch = config::kIdentityMapBatch;
    uint64_t hashes[kBatch];
    uint64_t words[kBatch];
    for (size_t base = 0; base < keys.size(); base += kBatch) {
      const size_t count = std::min(kBatch, keys.size() - base);
      for (size_t offset = 0; offset < count; ++offset) {
        hashes[offset] = HashKey(keys[base + offset]);
        __builtin_prefetch(&slots_[hashes[offset] & mask_]);
      }
      for (size_t offset = 0; offset < count; ++offset) {
        words[offset] = slots_[hashes[offset] & mask_].load(std::memory_order_acquire);
        if (words[offset] != 0) __builtin_prefetch(SlotEntry(words[offset]));
      }
      for (size_t offset = 0; offset < count; ++offset) {
        if (SlotTag(words[offset]) == Tag(hashes[offset]) && words[offset] != 0) {
          __builtin_prefetch(SlotEntry(words[offset])->key.data());
        }
      }
      for (size_t offset = 0; offset < count; ++offset) {
        const uint64_t word = words[offset];
        Entry* first = word == 0 ? nullptr : SlotEntry(word);
        // The home slot answers most probes; anything else takes the ordinary probe sequence.
        if (word == 0) {
          found[base + offset] = nullptr;
        } else if (SlotTag(word) == Tag(hashes[offset]) && first->key == keys[base + offset]) {
          found[base + offset] = first;
        } else {
          found[base + offset] = Find(keys[base + offset], hashes[offset]);
        }
      }
    }
  }

  size_t capacity() const { return mask_ + 1; }

 private:
  // x86-64 and AArch64 user-space pointers fit in 48 bits; the top 16 bits carry the tag.
  static constexpr int kPointerBits = 48;
  static constexpr uint64_t kPointerMask = (uint64_t{1} << kPointerBits) - 1;

  // The tag comes from the hash's high bits, independent of the low bits that pick the slot.
  static uint16_t Tag(uint64_t hash) { return static_cast<uint16_t>(hash >> kPointerBits); }
  static uint64_t Pack(Entry* entry) {
    return (uint64_t{Tag(entry->hash)} << kPointerBits) |
           (reinterpret_cast<uintptr_t>(entry) & kPointerMask);
  }
  static uint16_t SlotTag(uint64_t slot) { return static_cast<uint16_t>(slot >> kPointerBits); }
  static Entry* SlotEntry(uint64_t slot) {
    return reinterpret_cast<Entry*>(static_cast<uintptr_t>(slot & kPointerMask));
  }

  const size_t mask_;
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_IDENTITY_MAP_H_
