// Arena: a bump allocator owned by one chunk of records.
//
// Parsed strings (externalIds, names, emails) and small arrays (emails, roles, member lists) live
// in the arena of the chunk they were parsed from, so a whole chunk's memory is released at once
// when the chunk is done. Nothing allocated here has a destructor run: only trivially
// destructible types may be placed in an arena.
//
// Lifetime: every string_view and span handed out stays valid until the Arena is destroyed or
// Reset(). Thread-safety: none; an Arena belongs to one chunk, and a chunk to one task at a time.
#ifndef SCIMFLOW_ENGINE_ARENA_H_
#define SCIMFLOW_ENGINE_ARENA_H_

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace scimflow {

namespace config {
// Size of one arena block. Large enough that a chunk of a few thousand records needs few blocks,
// small enough that a mostly empty chunk does not pin much memory.
inline constexpr size_t kArenaBlockBytes = 64 * 1024;
}  // namespace config

class Arena {
 public:
  // Not explicit, so aggregates holding an arena (RecordChunk) can be value-initialized with `{}`;
  // clang refuses that with an explicit default constructor.
  Arena() : Arena(config::kArenaBlockBytes) {}
  explicit Arena(size_t block_bytes) : block_bytes_(block_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  // Returns `bytes` bytes aligned to `alignment` (a power of two). Never returns nullptr.
  void* Allocate(size_t bytes, size_t alignment = alignof(std::max_align_t));

  // Copies `text` into the arena; the view stays valid as long as the arena.
  std::string_view Copy(std::string_view text);

  // Returns `count` value-initialised objects of trivially destructible type T.
  template <typename T>
  std::span<T> AllocateArray(size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (count == 0) return {};
    T* first = static_cast<T*>(Allocate(sizeof(T) * count, alignof(T)));
    for (size_t index = 0; index < count; ++index) new (first + index) T();
    return std::span<T>(first, count);
  }

  // Copies `items` into the arena.
  template <typename T>
  std::span<const T> CopyArray(std::span<const T> items) {
    std::span<T> copy = AllocateArray<T>(items.size());
    for (size_t index = 0; index < items.size(); ++index) copy[index] = items[index];
    return copy;
  }

  // Releases every allocation; views handed out before are invalid afterwards. Keeps the first
  // block for reuse.
  void Reset();

  // Bytes handed out so far (not counting alignment padding and unused block tails).
  size_t bytes_used() const { return bytes_used_; }
  // Bytes reserved from the system.
  size_t bytes_reserved() const { return bytes_reserved_; }

 private:
  struct Block {
    std::unique_ptr<std::byte[]> data;
    size_t size;
  };

  void* AllocateSlow(size_t bytes, size_t alignment);

  size_t block_bytes_;
  std::vector<Block> blocks_;
  std::byte* cursor_ = nullptr;
  std::byte* limit_ = nullptr;
  size_t bytes_used_ = 0;
  size_t bytes_reserved_ = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_ARENA_H_
