// The rejects file: one NDJSON line per refused input record, so a user can find and fix each one.
//
// Line format (docs/input-formats.md, "Rejects"), keys in this order:
//   {"file":"users.ndjson","line":1042,"reason":"missing required attribute
//   \"userName\"","excerpt":"…"}
// The excerpt is at most config::kRejectExcerptBytes (120) bytes of the record, cut on a UTF-8
// character boundary, with every byte that is not part of valid UTF-8 replaced by U+FFFD, so the
// file is valid UTF-8 JSON whatever the input held. `file` and `reason` are sanitised the same way.
//
// RejectWriter owns its file descriptor and an output buffer; lines reach the file when the buffer
// fills, on Flush() and on Close(). Errors of the operating system are returned as kIoError with
// the path and the system's message; after one, further writes fail with the same error.
// Thread-safety: none. The pipeline writes rejects from one serial node, in chunk order.
#ifndef SCIMFLOW_IO_REJECT_WRITER_H_
#define SCIMFLOW_IO_REJECT_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "engine/chunk.h"
#include "engine/status.h"

namespace scimflow {

namespace config {
// Output buffered before a write(2): large enough that a burst of rejects costs few system calls.
inline constexpr size_t kRejectWriterBufferBytes = 64 * 1024;
}  // namespace config

// `file:line: reason`, the one-line form used on the terminal and in error messages.
std::string FormatReject(const Reject& reject);

// Appends to `*out` at most `max_bytes` bytes of `text` as valid UTF-8: each byte that does not
// belong to a well-formed UTF-8 sequence becomes U+FFFD (3 bytes), and the text is cut before the
// first character that would not fit whole.
void AppendSanitizedUtf8(std::string_view text, size_t max_bytes, std::string* out);

// Appends the rejects-file line of `reject` (with its trailing '\n') to `*out`.
void AppendRejectLine(const Reject& reject, std::string* out);

class RejectWriter {
 public:
  // Creates or truncates `path`. Error: kIoError `PATH: <system message>`.
  static Result<std::unique_ptr<RejectWriter>> Open(const std::filesystem::path& path);

  RejectWriter(const RejectWriter&) = delete;
  RejectWriter& operator=(const RejectWriter&) = delete;
  // Flushes and closes; errors at this point are lost, so call Close() to see them.
  ~RejectWriter();

  // Buffers one line; writes the buffer out when it is full.
  Status Write(const Reject& reject);
  // Writes every reject of `chunk`, in order.
  Status WriteChunk(const RecordChunk& chunk);
  // Hands every buffered line to the operating system.
  Status Flush();
  // Flushes and closes the file. Further calls return the first error or ok.
  Status Close();

  // Lines accepted by Write so far.
  uint64_t lines_written() const { return lines_written_; }

 private:
  RejectWriter(int fd, std::string path);

  int fd_;
  std::string path_;
  std::string buffer_;
  Status error_;  // The first failure; sticky.
  uint64_t lines_written_ = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_REJECT_WRITER_H_
