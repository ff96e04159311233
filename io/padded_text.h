// PaddedText: the bytes of a whole file, or a copy of a string, followed by at least simdjson's
// padding (SIMDJSON_PADDING) of readable zero bytes, so a parser can be handed any document inside
// it in place and the bytes can be viewed for as long as the PaddedText lives.
//
// A file is read into a buffer of its size plus the padding (a regular file with one pread loop,
// a pipe or /dev/stdin in pieces until its end). The bytes are the PaddedText's own, not the
// file's pages: a plan applied for days is read once, and whatever happens to its file later
// (rewritten in place, truncated, removed) changes nothing under the views taken from it. Mapping
// the file instead measured no faster for a 50 MB plan in the page cache (the copy costs less than
// the page-table work of the mapping) and would turn a truncated file into a SIGBUS.
//
// Ownership: owns its bytes. A move keeps them where they are, so views into text() taken before
// the move stay valid until the PaddedText holding them is destroyed; the moved-from PaddedText
// is empty.
// Thread-safety: read-only once made; views may be read from any thread.
#ifndef SCIMFLOW_IO_PADDED_TEXT_H_
#define SCIMFLOW_IO_PADDED_TEXT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace scimflow {

class PaddedText {
 public:
  // Empty text (with its padding).
  PaddedText();
  PaddedText(PaddedText&& other) noexcept;
  PaddedText& operator=(PaddedText&& other) noexcept;
  PaddedText(const PaddedText&) = delete;
  PaddedText& operator=(const PaddedText&) = delete;
  ~PaddedText();

  // A padded copy of `text`.
  static PaddedText Copy(std::string_view text);

  // The whole content of the file at `path`. Errors (each message names the path and the system's
  // reason): kNotFound when it cannot be opened, kIoError when it cannot be read.
  static Result<PaddedText> OfFile(const std::string& path);

  std::string_view text() const { return {data_, size_}; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  // Bytes readable from data(): size() plus at least SIMDJSON_PADDING.
  size_t padded_size() const { return padded_size_; }

 private:
  // Takes `bytes` (size + padding, padding zeroed) as the owned buffer.
  PaddedText(std::unique_ptr<char[]> buffer, size_t size, size_t padded_size);
  void Release();

  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t padded_size_ = 0;
  std::unique_ptr<char[]> buffer_;  // Null for the empty text.
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PADDED_TEXT_H_
