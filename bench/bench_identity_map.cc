// Identity-map benchmarks: engine/identity_map.h against the usual concurrent maps, in one run.
//
//   BM_IdentityMap_Build/T              ours: one CAS per insert into a presized table
//   BM_IdentityMap_Probe/T              ours: Find of present keys
//   BM_IdentityMapBatch_Build/T         ours: InsertBatch, 16 entries per call (slots prefetched)
//   BM_IdentityMapBatch_Probe/T         ours: FindBatch, 16 keys per call (misses overlapped)
//   BM_TbbConcurrentHashMap_Build/T     tbb::concurrent_hash_map, presized, accessor inserts
//   BM_TbbConcurrentHashMap_Probe/T     tbb::concurrent_hash_map, const_accessor finds
//   BM_TbbConcurrentUnorderedMap_Build/T  tbb::concurrent_unordered_map, presized buckets
//   BM_TbbConcurrentUnorderedMap_Probe/T
//   BM_MutexUnorderedMap_Build/T        std::unordered_map behind one std::mutex, reserved
//   BM_MutexUnorderedMap_Probe/T
//
// T is the number of threads (1, 2). Build inserts 10^6 keys shaped like real externalIds
// (20–36 bytes, Okta-style `00u…`), split between the threads; Probe looks up 5×10^6 keys drawn
// from them at random. Every map hashes with the same XXH3 (HashKey), so the figures compare
// tables, not hash functions. Keys, probe order and our map's entries are built before timing
// (our map stores pointers to entries that, in the pipeline, are part of the parsed records);
// hashing is timed for every map. Before timing, each benchmark builds its map once and checks
// that every key is found with its value, and skips with an error otherwise.
// Items are keys inserted (Build) or looked up (Probe); bytes are those keys' bytes.
#include <benchmark/benchmark.h>
#include <tbb/concurrent_hash_map.h>
#include <tbb/concurrent_unordered_map.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/identity_map.h"

namespace scimflow {
namespace {

constexpr size_t kKeys = 1'000'000;
constexpr size_t kProbes = 5'000'000;

// Deterministic keys and probe order, built once per process.
struct Dataset {
  std::string bytes;  // Every key back to back, like an arena.
  std::vector<std::string_view> keys;
  std::vector<uint32_t> probes;  // Indexes into keys.
  size_t probe_bytes = 0;
  uint64_t probe_value_sum = 0;  // Sum of the probed indexes: what a correct probe loop returns.
};

uint64_t SplitMix64(uint64_t* state) {
  uint64_t value = (*state += 0x9E3779B97F4A7C15ull);
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

const Dataset& GetDataset() {
  static const Dataset* dataset = [] {
    static constexpr char kAlphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    auto* data = new Dataset;
    uint64_t seed = 42;
    std::vector<size_t> lengths(kKeys);
    for (size_t index = 0; index < kKeys; ++index) {
      // `00u` + 4 characters that make the key unique + random filler up to 20–36 bytes.
      const size_t length = 20 + SplitMix64(&seed) % 17;
      std::string key = "00u";
      for (size_t digit = 0, rest = index; digit < 4; ++digit, rest /= 62)
        key += kAlphabet[rest % 62];
      while (key.size() < length) key += kAlphabet[SplitMix64(&seed) % 62];
      data->bytes += key;
      lengths[index] = key.size();
    }
    size_t offset = 0;
    for (size_t length : lengths) {
      data->keys.emplace_back(data->bytes.data() + offset, length);
      offset += length;
    }
    for (size_t probe = 0; probe < kProbes; ++probe) {
      const auto index = static_cast<uint32_t>(SplitMix64(&seed) % kKeys);
      data->probes.push_back(index);
      data->probe_bytes += data->keys[index].size();
      data->probe_value_sum += index;
    }
    return data;
  }();
  return *dataset;
}

struct XxHasher {
  size_t operator()(std::string_view key) const { return HashKey(key); }
};
struct XxHashCompare {
  static size_t hash(std::string_view key) { return HashKey(key); }
  static bool equal(std::string_view left, std::string_view right) { return left == right; }
};

// The adapters give every map the same operations: construct presized, insert keys
// [begin, end) with their index as value, look one key up, and look up a run of probe indexes
// (returning the sum of the values found, so the work cannot be optimised away).
class OurMap {
 public:
  explicit OurMap(const Dataset& data) : map_(data.keys.size()), entries_(data.keys.size()) {
    for (size_t index = 0; index < data.keys.size(); ++index) {
      entries_[index].key = data.keys[index];
      entries_[index].value = static_cast<uint32_t>(index);
    }
  }
  void Insert(size_t index) {
    entries_[index].hash = HashKey(entries_[index].key);
    map_.Insert(&entries_[index]);
  }
  bool Lookup(std::string_view key, uint32_t* value) const {
    const auto* entry = map_.Find(key);
    if (entry == nullptr) return false;
    *value = entry->value;
    return true;
  }

 protected:
  IdentityMap<uint32_t> map_;
  std::vector<IdentityEntry<uint32_t>> entries_;
};

// The same map through its batch calls, as the pipeline uses it for a chunk's records.
class OurMapBatched : public OurMap {
 public:
  using OurMap::OurMap;
  void InsertRange(size_t begin, size_t end) {
    using Entry = IdentityEntry<uint32_t>;
    Entry* batch[config::kIdentityMapBatch];
    Entry* results[config::kIdentityMapBatch];
    for (size_t first = begin; first < end; first += config::kIdentityMapBatch) {
      const size_t count = std::min(config::kIdentityMapBatch, end - first);
      for (size_t offset = 0; offset < count; ++offset) {
        Entry& entry = entries_[first + offset];
        entry.hash = HashKey(entry.key);
        batch[offset] = &entry;
      }
      map_.InsertBatch(std::span<Entry* const>(batch, count), results);
    }
  }
  uint64_t LookupRange(const Dataset& data, size_t begin, size_t end) const {
    std::string_view keys[config::kIdentityMapBatch];
    IdentityEntry<uint32_t>* found[config::kIdentityMapBatch];
    uint64_t sum = 0;
    for (size_t first = begin; first < end; first += config::kIdentityMapBatch) {
      const size_t count = std::min(config::kIdentityMapBatch, end - first);
      for (size_t offset = 0; offset < count; ++offset) {
        keys[offset] = data.keys[data.probes[first + offset]];
      }
      map_.FindBatch(std::span<const std::string_view>(keys, count), found);
      for (size_t offset = 0; offset < count; ++offset) sum += found[offset]->value;
    }
    return sum;
  }
};

class TbbHashMap {
 public:
  explicit TbbHashMap(const Dataset& data) : data_(data), map_(data.keys.size()) {}
  void Insert(size_t index) {
    Map::accessor accessor;
    if (map_.insert(accessor, data_.keys[index])) accessor->second = static_cast<uint32_t>(index);
  }
  bool Lookup(std::string_view key, uint32_t* value) const {
    Map::const_accessor accessor;
    if (!map_.find(accessor, key)) return false;
    *value = accessor->second;
    return true;
  }

 private:
  using Map = tbb::concurrent_hash_map<std::string_view, uint32_t, XxHashCompare>;
  const Dataset& data_;
  Map map_;
};

class TbbUnorderedMap {
 public:
  explicit TbbUnorderedMap(const Dataset& data) : data_(data), map_(data.keys.size()) {}
  void Insert(size_t index) { map_.emplace(data_.keys[index], static_cast<uint32_t>(index)); }
  bool Lookup(std::string_view key, uint32_t* value) const {
    auto found = map_.find(key);
    if (found == map_.end()) return false;
    *value = found->second;
    return true;
  }

 private:
  const Dataset& data_;
  tbb::concurrent_unordered_map<std::string_view, uint32_t, XxHasher> map_;
};

class MutexUnorderedMap {
 public:
  explicit MutexUnorderedMap(const Dataset& data) : data_(data) { map_.reserve(data.keys.size()); }
  void Insert(size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    map_.emplace(data_.keys[index], static_cast<uint32_t>(index));
  }
  bool Lookup(std::string_view key, uint32_t* value) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = map_.find(key);
    if (found == map_.end()) return false;
    *value = found->second;
    return true;
  }

 private:
  const Dataset& data_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string_view, uint32_t, XxHasher> map_;
};

// Runs `work(thread, begin, end)` on `threads` threads over [0, count) in contiguous slices;
// returns the wall time in seconds from the first start to the last join.
template <typename Work>
double RunSliced(int threads, size_t count, const Work& work) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int thread = 0; thread < threads; ++thread) {
    const size_t begin = count * static_cast<size_t>(thread) / static_cast<size_t>(threads);
    const size_t end = count * static_cast<size_t>(thread + 1) / static_cast<size_t>(threads);
    workers.emplace_back([&work, thread, begin, end] { work(thread, begin, end); });
  }
  for (std::thread& worker : workers) worker.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename Map>
void InsertRange(Map* map, size_t begin, size_t end) {
  if constexpr (requires { map->InsertRange(begin, end); }) {
    map->InsertRange(begin, end);
  } else {
    for (size_t index = begin; index < end; ++index) map->Insert(index);
  }
}

template <typename Map>
uint64_t LookupRange(const Map& map, const Dataset& data, size_t begin, size_t end) {
  if constexpr (requires { map.LookupRange(data, begin, end); }) {
    return map.LookupRange(data, begin, end);
  } else {
    uint64_t sum = 0;
    for (size_t probe = begin; probe < end; ++probe) {
      uint32_t value = 0;
      map.Lookup(data.keys[data.probes[probe]], &value);
      sum += value;
    }
    return sum;
  }
}

template <typename Map>
double Build(Map* map, int threads) {
  return RunSliced(threads, GetDataset().keys.size(),
                   [map](int, size_t begin, size_t end) { InsertRange(map, begin, end); });
}

// True when every key maps to its own index.
template <typename Map>
bool EveryKeyFound(const Map& map) {
  const Dataset& data = GetDataset();
  for (size_t index = 0; index < data.keys.size(); ++index) {
    uint32_t value = 0;
    if (!map.Lookup(data.keys[index], &value) || value != index) return false;
  }
  uint32_t value = 0;
  return !map.Lookup("00u-not-a-key-of-the-set", &value);
}

template <typename Map>
void BM_Build(benchmark::State& state) {
  const Dataset& data = GetDataset();
  const int threads = static_cast<int>(state.range(0));
  {
    auto map = std::make_unique<Map>(data);
    Build(map.get(), threads);
    if (!EveryKeyFound(*map)) return state.SkipWithError("a key is missing or has a wrong value");
  }
  for (auto _ : state) {
    auto map = std::make_unique<Map>(data);             // Allocation and presizing are not timed.
    state.SetIterationTime(Build(map.get(), threads));  // Only the inserts count.
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.keys.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.bytes.size()));
}

template <typename Map>
void BM_Probe(benchmark::State& state) {
  const Dataset& data = GetDataset();
  const int threads = static_cast<int>(state.range(0));
  auto map = std::make_unique<Map>(data);
  Build(map.get(), threads);
  if (!EveryKeyFound(*map)) return state.SkipWithError("a key is missing or has a wrong value");
  // The timed path itself must find every probe's own value too.
  if (LookupRange(*map, data, 0, data.probes.size()) != data.probe_value_sum) {
    return state.SkipWithError("the probe loop found wrong values");
  }
  for (auto _ : state) {
    std::vector<uint64_t> sums(static_cast<size_t>(threads) * 8);  // Padded: no false sharing.
    const double seconds =
        RunSliced(threads, data.probes.size(), [&](int thread, size_t begin, size_t end) {
          sums[static_cast<size_t>(thread) * 8] = LookupRange(*map, data, begin, end);
        });
    benchmark::DoNotOptimize(sums.data());
    state.SetIterationTime(seconds);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.probes.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.probe_bytes));
}

template <typename Map>
void Register(const std::string& unit) {
  for (const auto& [name, function] :
       {std::pair{unit + "_Build", &BM_Build<Map>}, std::pair{unit + "_Probe", &BM_Probe<Map>}}) {
    benchmark::RegisterBenchmark(name.c_str(), function)
        ->Arg(1)
        ->Arg(2)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(0.5);
  }
}

// Registers in a fixed order so the baseline maps run in the same process as ours.
const bool kRegistered = [] {
  Register<OurMap>("BM_IdentityMap");
  Register<OurMapBatched>("BM_IdentityMapBatch");
  Register<TbbHashMap>("BM_TbbConcurrentHashMap");
  Register<TbbUnorderedMap>("BM_TbbConcurrentUnorderedMap");
  Register<MutexUnorderedMap>("BM_MutexUnorderedMap");
  return true;
}();

}  // namespace
}  // namespace scimflow
