#include "tools/gen/block_writer.h"

#include <tbb/flow_graph.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace scimflow::gen {
namespace {

// Closes the temporary file and removes it unless released, so every early return cleans up.
class TempFile {
 public:
  explicit TempFile(std::string path)
      : path_(std::move(path)), file_(std::fopen(path_.c_str(), "wb")) {}
  ~TempFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!released_) std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::FILE* get() const { return file_; }
  const std::string& path() const { return path_; }
  // Closes the file; false (with errno set) when buffered data could not be flushed.
  bool Close() {
    const int result = std::fclose(file_);
    file_ = nullptr;
    return result == 0;
  }
  void Release() { released_ = true; }

 private:
  std::string path_;
  std::FILE* file_;
  bool released_ = false;
};

Status WriteError(const std::string& path, int error) {
  return IoError(path + ": " + std::strerror(error));
}

// Renders the blocks in parallel and hands them to `write` in block order, stopping early once
// `failed` is set. Two blocks per thread are in flight: one being rendered, one waiting.
//
// A flow graph rather than tbb::parallel_pipeline: the pipeline passes items between its stages
// inside libtbb, out of ThreadSanitizer's sight, while the graph's buffers live in the headers,
// so the TSan job can check this code.
template <typename Write>
void RenderInOrder(const std::vector<size_t>& block_ends, const RenderBlock& render, Write& write,
                   const std::atomic<bool>& failed) {
  namespace flow = tbb::flow;
  struct Block {
    size_t index = 0;
    std::shared_ptr<const std::string> text;  // Shared: graph buffers copy their messages.
  };
  const size_t tokens = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency());
  size_t next_block = 0;
  flow::graph graph;
  flow::input_node<size_t> emit(graph, [&](tbb::flow_control& control) -> size_t {
    if (next_block == block_ends.size() || failed.load()) {
      control.stop();
      return 0;
    }
    return next_block++;
  });
  flow::limiter_node<size_t> in_flight(graph, tokens);
  flow::function_node<size_t, Block> render_block(graph, flow::unlimited, [&](size_t block) {
    auto text = std::make_shared<std::string>();
    render(block == 0 ? 0 : block_ends[block - 1], block_ends[block], text.get());
    return Block{block, std::move(text)};
  });
  flow::sequencer_node<Block> in_order(graph, [](const Block& block) { return block.index; });
  flow::function_node<Block, flow::continue_msg> write_block(graph, flow::serial,
                                                             [&](const Block& block) {
                                                               write(*block.text);
                                                               return flow::continue_msg();
                                                             });
  flow::make_edge(emit, in_flight);
  flow::make_edge(in_flight, render_block);
  flow::make_edge(render_block, in_order);
  flow::make_edge(in_order, write_block);
  flow::make_edge(write_block, in_flight.decrementer());
  emit.activate();
  graph.wait_for_all();
}

}  // namespace

Result<uint64_t> WriteFileInBlocks(const std::string& path, std::string_view head, size_t count,
                                   size_t block_size, const RenderBlock& render,
                                   std::string_view tail) {
  std::vector<size_t> block_ends;
  for (size_t end = block_size; end < count + block_size; end += block_size) {
    block_ends.push_back(std::min(end, count));
  }
  return WriteFileInRanges(path, head, block_ends, render, tail);
}

Result<uint64_t> WriteFileInRanges(const std::string& path, std::string_view head,
                                   const std::vector<size_t>& block_ends, const RenderBlock& render,
                                   std::string_view tail) {
  TempFile temp(path + ".tmp");
  if (temp.get() == nullptr) return WriteError(temp.path(), errno);
  std::atomic<bool> failed{false};
  int write_errno = 0;
  uint64_t bytes = 0;
  // Called by one thread at a time: before and after the pipeline, and by its serial stage.
  auto write = [&](std::string_view text) {
    if (failed.load(std::memory_order_relaxed) || text.empty()) return;
    if (std::fwrite(text.data(), 1, text.size(), temp.get()) != text.size()) {
      write_errno = errno;
      failed.store(true, std::memory_order_relaxed);
      return;
    }
    bytes += text.size();
  };
  write(head);
  RenderInOrder(block_ends, render, write, failed);
  write(tail);

  if (failed.load()) return WriteError(temp.path(), write_errno);
  if (!temp.Close()) return WriteError(temp.path(), errno);
  if (std::rename(temp.path().c_str(), path.c_str()) != 0) return WriteError(path, errno);
  temp.Release();
  return bytes;
}

}  // namespace scimflow::gen
