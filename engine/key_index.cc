#include "engine/key_index.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>

namespace scimflow {

void KeyIndex::Build(size_t count, const std::function<std::string_view(size_t)>& key_of,
                     const std::function<bool(size_t)>& include) {
  entries_.resize(count);
  included_.assign(count, kExcluded);
  map_ = std::make_unique<IdentityMap<uint32_t>>(count);
  tbb::enumerable_thread_specific<std::vector<uint32_t>> local_duplicates;
  tbb::parallel_for(tbb::blocked_range<size_t>(0, count),
                    [&](const tbb::blocked_range<size_t>& range) {
                      std::vector<uint32_t>& found = local_duplicates.local();
                      for (size_t record = range.begin(); record != range.end(); ++record) {
                        if (!include(record)) continue;
                        Entry& entry = entries_[record];
                        entry.key = key_of(record);
                        entry.hash = HashKey(entry.key);
                        entry.value = static_cast<uint32_t>(record);
                        included_[record] = kUnique;
                        // The map is sized for `count` keys at half load, so Insert cannot run out
                        // of slots.
                        Entry* winner = map_->Insert(&entry);
                        if (winner != &entry) found.push_back(static_cast<uint32_t>(record));
                      }
                    });
  // Which racing insert won is timing; the smallest index is not. Duplicates are rare (a few per
  // damaged file), so this fix-up is serial.
  std::vector<uint32_t> racers;
  for (const std::vector<uint32_t>& found : local_duplicates) {
    racers.insert(racers.end(), found.begin(), found.end());
  }
  for (uint32_t record : racers) {
    Entry* winner = map_->Find(entries_[record].key, entries_[record].hash);
    winner->value = std::min(winner->value, record);
    // Both sides of a race answer FirstOf through the map; every other record is its own first.
    included_[record] = kShared;
    included_[winner - entries_.data()] = kShared;
  }
  // The records sharing a key are the racers plus the entry each racer lost to; of those, all but
  // the smallest index of each key are duplicates.
  duplicates_ = racers;
  for (uint32_t record : racers) {
    const Entry* inserted = map_->Find(entries_[record].key, entries_[record].hash);
    duplicates_.push_back(static_cast<uint32_t>(inserted - entries_.data()));
  }
  std::sort(duplicates_.begin(), duplicates_.end());
  duplicates_.erase(std::unique(duplicates_.begin(), duplicates_.end()), duplicates_.end());
  std::erase_if(duplicates_, [this](uint32_t record) { return FirstOf(record) == record; });
}

uint32_t KeyIndex::Find(std::string_view key) const { return Find(key, HashKey(key)); }

uint32_t KeyIndex::Find(std::string_view key, uint64_t hash) const {
  if (!map_) return kNoIndex;
  const Entry* entry = map_->Find(key, hash);
  return entry == nullptr ? kNoIndex : entry->value;
}

uint32_t KeyIndex::FirstOf(size_t record) const {
  if (record >= entries_.size() || included_[record] == kExcluded) return kNoIndex;
  if (included_[record] == kUnique) return static_cast<uint32_t>(record);
  return Find(entries_[record].key, entries_[record].hash);
}

void KeyIndex::FindBatch(std::span<const std::string_view> keys, std::span<uint32_t> found) const {
  if (!map_) {
    std::fill(found.begin(), found.begin() + static_cast<ptrdiff_t>(keys.size()), kNoIndex);
    return;
  }
  Entry* entries[config::kIdentityMapBatch];
  for (size_t base = 0; base < keys.size(); base += config::kIdentityMapBatch) {
    const size_t count = std::min(config::kIdentityMapBatch, keys.size() - base);
    map_->FindBatch(keys.subspan(base, count), std::span<Entry*>(entries, count));
    for (size_t offset = 0; offset < count; ++offset) {
      found[base + offset] = entries[offset] == nullptr ? kNoIndex : entries[offset]->value;
    }
  }
}

}  // namespace scimflow
