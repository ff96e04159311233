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
#include <cstdint>
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
  // Inline: parsers call it for every string of every record, and the common case is a bump.
  void* Allocate(size_t bytes, size_t alignment = alignof(std::max_align_t)) {
    const auto address = reinterpret_cast<uintptr_t>(cursor_);
    const uintptr_t aligned = (address + alignment - 1) & ~(uintptr_t{alignment} - 1);
    const size_t padding = aligned - address;
    if (cursor_ != nullptr && padding + bytes <= static_cast<size_t>(limit_ - cursor_)) {
      cursor_ += padding + bytes;
      bytes_used_ += bytes;
      return reinterpret_cast<void*>(aligned);
    }
    return AllocateSlow(bytes, alignment);
  }

  // Copies `text` into the arena; the view stays valid as long as the arena.
  std::string_view Copy(std::string_view text) {
    if (text.empty()) return {};
    char* copy = static_cast<char*>(Allocate(text.size(), 1));
    CopyBytes(copy, text.data(), text.size());
    return std::string_view(copy, text.size());
  }

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

  // memcpy for the short strings parsers copy by the million (names, ids, addresses): up to 32
  // bytes as two overlapping fixed-size moves, which the compiler inlines, where memcpy with a
  // variable size is a library call.
  static void CopyBytes(char* to, const char* from, size_t size) {
    struct Bytes16 {
      char bytes[16];
    };
    if (size >= 16 && size <= 32) {
      Move<Bytes16>(to, from);
      Move<Bytes16>(to + size - 16, from + size - 16);
    } else if (size >= 8 && size < 16) {
      Move<uint64_t>(to, from);
      Move<uint64_t>(to + size - 8, from + size - 8);
    } else if (size >= 4 && size < 8) {
      Move<uint32_t>(to, from);
      Move<uint32_t>(to + size - 4, from + size - 4);
    } else if (size > 0 && size < 4) {
      to[0] = from[0];
      to[size / 2] = from[size / 2];
      to[size - 1] = from[size - 1];
    } else {
      std::memcpy(to, from, size);
    }
  }
  template <typename Word>
  static void Move(char* to, const char* from) {
    Word word;
    std::memcpy(&word, from, sizeof(word));
    std::memcpy(to, &word, sizeof(word));
  }

  size_t block_bytes_;
  std::vector<Block> blocks_;
  std::byte* cursor_ = nullptr;
  std::byte* limit_ = nullptr;
  size_t bytes_used_ = 0;
  size_t bytes_reserved_ = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_ARENA_H_
