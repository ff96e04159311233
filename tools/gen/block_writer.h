// WriteFileInBlocks: renders a file's records in parallel, block by block, and writes the blocks
// in order, so a large generated file costs about one core's worth of formatting per core and
// comes out byte-identical whatever the number of threads.
//
// Memory is bounded: at most a few blocks per thread are in flight (a oneTBB flow graph
// with a serial in-order writer), never the whole file. The file is written under a temporary
// name and renamed into place once complete, so a crash or a full disk never leaves a file that
// looks finished.
//
// Thread-safety: `render` is called concurrently for distinct blocks and must only read shared
// data; the function itself may be called from any thread (it runs in the caller's task arena).
#ifndef SCIMFLOW_TOOLS_GEN_BLOCK_WRITER_H_
#define SCIMFLOW_TOOLS_GEN_BLOCK_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace scimflow::gen {

// Appends the text of items [begin, end) to `*out` (which arrives empty).
using RenderBlock = std::function<void(size_t begin, size_t end, std::string* out)>;

// Writes `head`, then the rendering of items [0, count) in blocks of `block_size` (the last one
// shorter), then `tail`, to `path`. Returns the number of bytes written, or kIoError naming the
// path and the system's reason when the file cannot be created, written or renamed (the partial
// temporary file is removed). REQUIRES: block_size > 0.
Result<uint64_t> WriteFileInBlocks(const std::string& path, std::string_view head, size_t count,
                                   size_t block_size, const RenderBlock& render,
                                   std::string_view tail);

// As WriteFileInBlocks, with blocks of varying size: block k holds items
// [block_ends[k - 1], block_ends[k]) (block 0 starts at 0), so callers can size blocks by bytes
// rather than by records (a group of 10^5 members is one record). REQUIRES: block_ends ascending.
Result<uint64_t> WriteFileInRanges(const std::string& path, std::string_view head,
                                   const std::vector<size_t>& block_ends, const RenderBlock& render,
                                   std::string_view tail);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_BLOCK_WRITER_H_
