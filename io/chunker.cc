#include "io/chunker.h"

#include <simdjson.h>

#include <cstring>

#include "io/csv_parser.h"
#include "io/format_detect.h"
#include "io/json_array_parser.h"
#include "io/json_record.h"

namespace scimflow {
namespace {

// The buffer index of a chunk that borrows no buffer (empty last chunk, skipped line).
constexpr uint32_t kNoBuffer = UINT32_MAX;

// Text for chunks without a buffer: empty, but followed by readable padding like any chunk.
alignas(64) const char kEmptyPadded[simdjson::SIMDJSON_PADDING] = {};

}  // namespace

size_t LineCutter::CompletePrefix(std::string_view text, bool first) {
  const void* newline = ::memrchr(text.data(), '\n', text.size());
  return newline == nullptr ? 0 : static_cast<const char*>(newline) - text.data() + 1;
}

size_t CsvCutter::CompletePrefix(std::string_view text, bool first) {
  return CsvCompleteRowsPrefix(text);
}

size_t JsonArrayCutter::CompletePrefix(std::string_view text, bool first) {
  const JsonArrayScan scan = ScanJsonArray(text, first);
  // Not an array at all: nothing will ever complete, so cut nowhere; the file's end (or the
  // line-length limit) ends the one bad record.
  if (scan.missing_open) return 0;
  return scan.elements.empty() ? 0 : scan.complete_prefix;
}

ChunkReader::ChunkReader(FileSource* source, RecordCutter* cutter, const EngineOptions& options,
                         uint32_t chunks_in_flight, uint64_t start_offset)
    : source_(source),
      cutter_(cutter),
      chunk_bytes_(options.chunk_bytes == 0 ? 1 : options.chunk_bytes),
      prefix_bytes_(options.max_line_bytes),
      buffer_bytes_(prefix_bytes_ + chunk_bytes_ + simdjson::SIMDJSON_PADDING),
      max_line_bytes_(options.max_line_bytes),
      // Reads in flight, chunks the consumer holds, the carried tail, and the chunk the reader
      // stage may have produced but not handed on yet.
      pool_limit_(source->max_in_flight() + chunks_in_flight + 2),
      next_read_offset_(start_offset),
      start_offset_(start_offset),
      tail_offset_(start_offset) {}

ChunkReader::~ChunkReader() {
  // Reads still in flight write into our buffers: let the source finish them first.
  while (source_->in_flight() > 0) {
    Result<ReadRequest*> drained = source_->WaitOne();
    (void)drained;
  }
}

size_t ChunkReader::buffers_allocated() const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  return buffers_.size();
}

std::optional<uint32_t> ChunkReader::Acquire() {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (free_.empty()) {
    if (buffers_.size() >= pool_limit_) return std::nullopt;
    auto buffer = std::make_unique<Buffer>();
    // Not value-initialised: that would touch the whole tail region too.
    buffer->data = std::make_unique_for_overwrite<char[]>(buffer_bytes_);
    // Touch every page of the read region once now, so reads into it never fault, and zero the
    // padding simdjson may read past a chunk's end. The tail region in front (max_line_bytes,
    // 16 MiB for groups files and snapshots) is left untouched: only as many of its pages as the
    // longest carried tail ever become resident, instead of all of them in every buffer.
    std::memset(buffer->data.get() + prefix_bytes_, 0, buffer_bytes_ - prefix_bytes_);
    buffers_.push_back(std::move(buffer));
    free_.push_back(static_cast<uint32_t>(buffers_.size() - 1));
  }
  const uint32_t index = free_.back();
  free_.pop_back();
  buffers_[index]->refs.store(1, std::memory_order_relaxed);
  return index;
}

void ChunkReader::Unref(uint32_t index) {
  if (index == kNoBuffer) return;
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (buffers_[index]->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) free_.push_back(index);
}

Status ChunkReader::SubmitReads() {
  while (source_->in_flight() < source_->max_in_flight() && next_read_offset_ < source_->size()) {
    const std::optional<uint32_t> buffer = Acquire();
    if (!buffer) break;
    auto read = std::make_unique<PendingRead>();
    read->request.offset = next_read_offset_;
    read->request.buffer = ReadRegion(*buffer);
    read->request.length = std::min<uint64_t>(chunk_bytes_, source_->size() - next_read_offset_);
    read->request.tag = *buffer;
    Status submitted = source_->Submit(&read->request);
    if (!submitted.ok()) {
      Unref(*buffer);
      return submitted;
    }
    next_read_offset_ += read->request.length;
    reads_.push_back(std::move(read));
  }
  if (reads_.empty() && next_read_offset_ < source_->size()) {
    return Internal("chunk reader: no free buffer; more chunks held than chunks_in_flight");
  }
  return Status::Ok();
}

Result<ChunkReader::PendingRead*> ChunkReader::WaitFront() {
  PendingRead* front = reads_.front().get();
  while (!front->done) {
    SCIMFLOW_ASSIGN_OR_RETURN(ReadRequest * request, source_->WaitOne());
    reinterpret_cast<PendingRead*>(request)->done = true;
  }
  return front;
}

void ChunkReader::EmitText(std::string_view text, uint32_t buffer, uint64_t offset, bool last,
                           ChunkText* out) {
  *out = ChunkText{};
  out->sequence = sequence_++;
  out->text = text;
  out->capacity = buffer == kNoBuffer ? simdjson::SIMDJSON_PADDING
                                      : static_cast<size_t>(BufferEnd(buffer) - text.data());
  out->byte_offset = offset;
  out->first = offset == start_offset_;
  out->last = last;
  out->buffer_index = buffer;
}

void ChunkReader::EmitOverlong(bool ends_with_newline, ChunkText* out) {
  EmitText(std::string_view(kEmptyPadded, 0), kNoBuffer, skip_offset_, false, out);
  out->overlong = true;
  out->overlong_ends_with_newline = ends_with_newline;
  out->overlong_length = skip_length_;
  out->overlong_excerpt = std::move(skip_excerpt_);
  skip_excerpt_.clear();
  skipping_ = false;
}

void ChunkReader::DropTail() {
  if (has_tail_buffer_) Unref(tail_buffer_);
  has_tail_buffer_ = false;
  tail_ = {};
}

ChunkReader::Outcome ChunkReader::SkipTo(PendingRead* read, std::string_view text, size_t from,
                                         uint64_t offset, ChunkText* out) {
  const uint32_t buffer = static_cast<uint32_t>(read->request.tag);
  const void* newline =
      from >= text.size() ? nullptr : std::memchr(text.data() + from, '\n', text.size() - from);
  if (newline == nullptr) {
    skip_length_ = offset + text.size() - skip_offset_;
    Unref(buffer);
    return {false, true};
  }
  const size_t end = static_cast<const char*>(newline) - text.data();
  skip_length_ = offset + end - skip_offset_;
  // The rest of this read is handed on by the next call, as a read of its own.
  const char* data = read->request.buffer + read->consumed;
  read->consumed += static_cast<size_t>(text.data() + end + 1 - data);
  EmitOverlong(/*ends_with_newline=*/true, out);
  const bool read_done = read->consumed >= read->request.bytes_read;
  if (read_done) Unref(buffer);
  return {true, read_done};
}

ChunkReader::Outcome ChunkReader::ConsumeText(PendingRead* read, ChunkText* out) {
  const uint32_t buffer = static_cast<uint32_t>(read->request.tag);
  const std::string_view data(read->request.buffer + read->consumed,
                              read->request.bytes_read - read->consumed);
  const uint64_t data_offset = read->request.offset + read->consumed;
  // Put the carried tail right in front of the data: one contiguous text, no other copy.
  char* begin = read->request.buffer + read->consumed - tail_.size();
  if (!tail_.empty()) std::memcpy(begin, tail_.data(), tail_.size());
  const uint64_t text_offset = tail_.empty() ? data_offset : tail_offset_;
  const std::string_view text(begin, tail_.size() + data.size());
  DropTail();
  read->consumed = read->request.bytes_read;
  const size_t cut = cutter_->CompletePrefix(text, text_offset == start_offset_);
  if (cut == 0) {
    if (text.size() <= max_line_bytes_) {
      tail_ = text;  // The read's reference on the buffer passes to the tail.
      tail_buffer_ = buffer;
      has_tail_buffer_ = true;
      tail_offset_ = text_offset;
      return {false, true};
    }
    skipping_ = true;
    skip_offset_ = text_offset;
    skip_excerpt_ = std::string(RejectExcerpt(text));
    read->consumed = read->request.bytes_read - data.size();
    return SkipTo(read, text, max_line_bytes_, text_offset, out);
  }
  EmitText(text.substr(0, cut), buffer, text_offset, false, out);
  if (cut < text.size()) {
    buffers_[buffer]->refs.fetch_add(1, std::memory_order_relaxed);
    tail_ = text.substr(cut);
    tail_buffer_ = buffer;
    has_tail_buffer_ = true;
    tail_offset_ = text_offset + cut;
  }
  return {true, true};
}

ChunkReader::Outcome ChunkReader::Consume(PendingRead* read, ChunkText* out) {
  if (read->request.offset == 0 && start_offset_ == 0 && read->consumed == 0) {
    // A byte-order mark is not part of the first record.
    const size_t bom =
        ByteOrderMarkLength(std::string_view(read->request.buffer, read->request.bytes_read));
    read->consumed = bom;
    start_offset_ = bom;
  }
  if (read->request.bytes_read < read->request.length) {
    // The file shrank while we read it: what we have is all there is.
    next_read_offset_ = source_->size();
  }
  if (!skipping_) return ConsumeText(read, out);
  const std::string_view data(read->request.buffer + read->consumed,
                              read->request.bytes_read - read->consumed);
  return SkipTo(read, data, 0, read->request.offset + read->consumed, out);
}

Result<bool> ChunkReader::Next(ChunkText* out) {
  while (!finished_) {
    SCIMFLOW_RETURN_IF_ERROR(SubmitReads());
    if (reads_.empty()) {
      // End of the file: whatever is carried is the last chunk (even if empty, so parsers see
      // where the file ends and can tell a closed JSON array from a cut-off one).
      finished_ = true;
      if (skipping_) {
        EmitOverlong(/*ends_with_newline=*/false, out);
      } else {
        const uint32_t buffer = has_tail_buffer_ ? tail_buffer_ : kNoBuffer;
        const std::string_view text = tail_.empty() ? std::string_view(kEmptyPadded, 0) : tail_;
        has_tail_buffer_ = false;  // The chunk takes over the tail's reference.
        EmitText(text, tail_.empty() ? kNoBuffer : buffer,
                 tail_.empty() ? source_->size() : tail_offset_, true, out);
        if (tail_.empty() && buffer != kNoBuffer) Unref(buffer);
        tail_ = {};
      }
      return true;
    }
    SCIMFLOW_ASSIGN_OR_RETURN(PendingRead * read, WaitFront());
    const Outcome outcome = Consume(read, out);
    if (outcome.read_done) reads_.erase(reads_.begin());
    if (outcome.produced) return true;
  }
  return false;
}

}  // namespace scimflow
