// PaddedText: the bytes of a whole file, or a copy of a string, followed by at least simdjson's
// padding (SIMDJSON_PADDING) of readable bytes, so a parser can be handed any document inside it
// in place and the bytes can be viewed for as long as the PaddedText lives.
//
// A regular file is mapped read-only, not read: its pages come from the page cache as they are,
// with no fresh buffer to zero and fill. The padding is an anonymous read-only region reserved
// together with the mapping: the bytes after the end of the file in its last page read as zero,
// the pages after it are the kernel's zero page. What cannot be mapped (a pipe, /dev/stdin, an
// empty file, a file system that refuses mmap) is read into an owned buffer instead.
//
// A mapped file must not be rewritten in place while its PaddedText lives: the pages are the
// file's, so a writer that truncates it makes reads past the new end fault (SIGBUS) and one that
// overwrites it changes the bytes under their views. Replacing the file by rename, as every
// scimflow writer does, leaves the mapped bytes untouched.
//
// Ownership: owns its bytes (mapping or buffer). A move keeps them where they are, so views into
// text() taken before the move stay valid until the PaddedText holding them is destroyed; the
// moved-from PaddedText is empty.
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

  // The whole content of the file at `path`: mapped when it is a regular file that is not empty,
  // read otherwise. Errors (each message names the path and the system's reason):
  // kNotFound when it cannot be opened, kIoError when it cannot be read.
  static Result<PaddedText> OfFile(const std::string& path);

  std::string_view text() const { return {data_, size_}; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  // Bytes readable from data(): size() plus at least SIMDJSON_PADDING.
  size_t padded_size() const { return padded_size_; }
  // Whether the bytes are a mapping of the file rather than a copy.
  bool mapped() const { return mapping_ != nullptr; }

 private:
  // Takes `bytes` (size + padding, padding zeroed) as the owned buffer.
  PaddedText(std::unique_ptr<char[]> buffer, size_t size, size_t padded_size);
  void Release();

  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t padded_size_ = 0;
  std::unique_ptr<char[]> buffer_;  // When read or copied.
  void* mapping_ = nullptr;         // When mapped: the whole region, file and padding.
  size_t mapping_bytes_ = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PADDED_TEXT_H_
