#include "engine/arena.h"

#include <algorithm>
#include <cstdint>

namespace scimflow {

void* Arena::AllocateSlow(size_t bytes, size_t alignment) {
  // A request larger than a quarter block gets its own block, so that one long string does not
  // waste the tail of the current block.
  const size_t block_size = std::max(block_bytes_, bytes + alignment);
  // Not zero-filled: Allocate hands out raw bytes, which every caller writes.
  Block block{std::make_unique_for_overwrite<std::byte[]>(block_size), block_size};
  std::byte* start = block.data.get();
  bytes_reserved_ += block_size;
  const bool dedicated = bytes + alignment > block_bytes_ / 4;
  blocks_.push_back(std::move(block));
  const auto address = reinterpret_cast<uintptr_t>(start);
  const uintptr_t aligned = (address + alignment - 1) & ~(uintptr_t{alignment} - 1);
  std::byte* result = start + (aligned - address);
  if (!dedicated) {
    cursor_ = result + bytes;
    limit_ = start + block_size;
  }
  bytes_used_ += bytes;
  return result;
}

void Arena::Reset() {
  if (blocks_.empty()) return;
  // Keep the first regular-sized block; dedicated blocks are freed.
  auto keep = std::find_if(blocks_.begin(), blocks_.end(),
                           [&](const Block& block) { return block.size == block_bytes_; });
  std::vector<Block> kept;
  if (keep != blocks_.end()) kept.push_back(std::move(*keep));
  blocks_ = std::move(kept);
  bytes_used_ = 0;
  bytes_reserved_ = blocks_.empty() ? 0 : blocks_.front().size;
  cursor_ = blocks_.empty() ? nullptr : blocks_.front().data.get();
  limit_ = blocks_.empty() ? nullptr : cursor_ + blocks_.front().size;
}

}  // namespace scimflow
