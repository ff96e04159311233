// Chunking: turns a FileSource's reads into ChunkTexts that hold only complete records.
//
// RecordCutter says, per format, how long the prefix of some text is that holds complete records
// (NDJSON and CSV: up to the last record-ending newline; JSON arrays: up to the end of the last
// complete element). ChunkReader drives the reads: it keeps up to io_queue_depth reads of
// chunk_bytes in flight into reused, pre-faulted buffers, and cuts each read's text after the
// last complete record. The partial record at the end (the tail) is copied in front of the next
// read's data, into a reserved region of max_line_bytes at the start of every buffer, so a chunk
// is always one contiguous run of text followed by simdjson padding. A record longer than
// max_line_bytes is not buffered: the reader skips to the next newline and hands on a ChunkText
// marked `overlong` that the parser turns into a `line longer than N bytes` reject.
//
// Buffers are counted references: a buffer goes back to the free list when the chunk that uses
// it is released (after parsing) and the reader no longer needs its tail. The pool is sized so
// the reader never waits for a buffer (reads in flight + chunks in flight + what the reader
// holds), which keeps a single-threaded pipeline from deadlocking.
//
// Ownership: ChunkReader borrows the FileSource and the RecordCutter (both must outlive it) and
// owns its buffers. Thread-safety: Next() from one thread only (the reader stage); Release() from
// any thread.
#ifndef SCIMFLOW_IO_CHUNKER_H_
#define SCIMFLOW_IO_CHUNKER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/options.h"
#include "engine/status.h"
#include "io/chunk_text.h"
#include "io/file_source.h"

namespace scimflow {

// How the records of a format end.
class RecordCutter {
 public:
  virtual ~RecordCutter() = default;
  // Bytes at the start of `text` that hold only complete records; 0 if the first record is not
  // complete yet. `text` starts at a record boundary; `first` says it starts at the file's start.
  virtual size_t CompletePrefix(std::string_view text, bool first) = 0;
};

// Records end at a newline (NDJSON).
class LineCutter final : public RecordCutter {
 public:
  size_t CompletePrefix(std::string_view text, bool first) override;
};

// Records are CSV rows; a newline inside a quoted field does not end a row.
class CsvCutter final : public RecordCutter {
 public:
  size_t CompletePrefix(std::string_view text, bool first) override;
};

// Records are elements of a top-level JSON array. A file that does not start with `[` is cut
// nowhere until its end (its first chunk is then rejected as a whole).
class JsonArrayCutter final : public RecordCutter {
 public:
  size_t CompletePrefix(std::string_view text, bool first) override;
};

class ChunkReader {
 public:
  // `chunks_in_flight`: how many chunks the consumer may hold (not yet Released) at once; the
  // buffer pool is sized from it. `start_offset`: where the records start (after a CSV header
  // row); 0 means the file's start, where a byte-order mark is skipped.
  // REQUIRES: source and cutter outlive the reader.
  ChunkReader(FileSource* source, RecordCutter* cutter, const EngineOptions& options,
              uint32_t chunks_in_flight, uint64_t start_offset = 0);
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Produces the next chunk into *out and returns true, or returns false at the end of the file.
  // Errors: the FileSource's read errors (kIoError with the file name); kInternal if the caller
  // holds more than chunks_in_flight chunks. After an error, Next must not be called again.
  Result<bool> Next(ChunkText* out);

  // Gives back the buffer of a chunk returned by Next. Callable from any thread.
  void Release(const ChunkText& chunk) { Unref(chunk.buffer_index); }

  // Buffers allocated so far (each chunk_bytes + max_line_bytes + padding).
  size_t buffers_allocated() const;

 private:
  struct Buffer {
    std::unique_ptr<char[]> data;
    std::atomic<uint32_t> refs{0};
  };
  struct PendingRead {
    ReadRequest request;  // First member: a ReadRequest* from the source is a PendingRead*.
    bool done = false;
    size_t consumed = 0;  // Bytes of the read already handed on.
  };
  struct Outcome {
    bool produced = false;   // *out holds a chunk.
    bool read_done = false;  // The read is used up; take the next one.
  };

  // A free buffer (allocated and pre-faulted on first use), or nullopt if the pool is spent.
  std::optional<uint32_t> Acquire();
  void Unref(uint32_t index);
  char* ReadRegion(uint32_t index) { return buffers_[index]->data.get() + prefix_bytes_; }
  char* BufferEnd(uint32_t index) { return buffers_[index]->data.get() + buffer_bytes_; }
  Status SubmitReads();
  // Waits until the read at the front of the queue (the next in file order) is complete.
  Result<PendingRead*> WaitFront();
  // Handles the unconsumed data of `read`.
  Outcome Consume(PendingRead* read, ChunkText* out);
  Outcome ConsumeText(PendingRead* read, ChunkText* out);
  // Looks for the newline that ends the line being skipped in text[from..]; `text` starts at
  // file offset `offset` and lies in the buffer of `read` starting `base` bytes before its
  // unconsumed data.
  Outcome SkipTo(PendingRead* read, std::string_view text, size_t from, uint64_t offset,
                 ChunkText* out);
  void EmitText(std::string_view text, uint32_t buffer, uint64_t offset, bool last, ChunkText* out);
  void EmitOverlong(bool ends_with_newline, ChunkText* out);
  void DropTail();

  FileSource* source_;
  RecordCutter* cutter_;
  const size_t chunk_bytes_;
  const size_t prefix_bytes_;  // Room reserved for the carried tail: max_line_bytes.
  const size_t buffer_bytes_;
  const uint64_t max_line_bytes_;
  size_t pool_limit_;

  mutable std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Buffer>> buffers_;  // Only grows; guarded for size by pool_mutex_.
  std::vector<uint32_t> free_;                    // Guarded by pool_mutex_.

  std::vector<std::unique_ptr<PendingRead>> reads_;  // In file order.
  uint64_t next_read_offset_ = 0;
  uint64_t start_offset_ = 0;  // Where records start: after a byte-order mark or CSV header.
  bool finished_ = false;
  uint64_t sequence_ = 0;

  // The partial record carried to the next chunk.
  std::string_view tail_;
  uint32_t tail_buffer_ = 0;
  bool has_tail_buffer_ = false;
  uint64_t tail_offset_ = 0;

  // Skipping an over-long line.
  bool skipping_ = false;
  uint64_t skip_offset_ = 0;
  uint64_t skip_length_ = 0;
  std::string skip_excerpt_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_CHUNKER_H_
