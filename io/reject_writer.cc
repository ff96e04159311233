#include "io/reject_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/json_writer.h"

namespace scimflow {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

bool InRange(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

// Length of the well-formed UTF-8 sequence at the start of `text` (Unicode Table 3-7), or 0 when
// the first byte does not start one: overlong forms, surrogates and values past U+10FFFF are
// ill-formed too.
size_t WellFormedLength(std::string_view text) {
  const auto byte = [&](size_t index) {
    return index < text.size() ? static_cast<unsigned char>(text[index]) : 0;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  const auto tail = [&](size_t index) { return InRange(byte(index), 0x80, 0xBF); };
  if (InRange(lead, 0xC2, 0xDF)) return tail(1) ? 2 : 0;
  if (InRange(lead, 0xE0, 0xEF)) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return InRange(byte(1), low, high) && tail(2) ? 3 : 0;
  }
  if (InRange(lead, 0xF0, 0xF4)) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return InRange(byte(1), low, high) && tail(2) && tail(3) ? 4 : 0;
  }
  return 0;
}

Status SystemError(const std::string& path) { return IoError(path + ": " + std::strerror(errno)); }

}  // namespace

std::string FormatReject(const Reject& reject) {
  return LocatedMessage(reject.origin.file, reject.origin.line, reject.reason);
}

void AppendSanitizedUtf8(std::string_view text, size_t max_bytes, std::string* out) {
  size_t budget = max_bytes;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = WellFormedLength(text.substr(pos));
    const std::string_view piece = length > 0 ? text.substr(pos, length) : kReplacementCharacter;
    if (piece.size() > budget) return;
    out->append(piece);
    budget -= piece.size();
    pos += length > 0 ? length : 1;
  }
}

void AppendRejectLine(const Reject& reject, std::string* out) {
  // Sanitised copies: file names and reasons can quote raw input, and the excerpt always does.
  std::string file, reason, excerpt;
  AppendSanitizedUtf8(reject.origin.file, reject.origin.file.size() * 3, &file);
  AppendSanitizedUtf8(reject.reason, reject.reason.size() * 3, &reason);
  AppendSanitizedUtf8(reject.excerpt, config::kRejectExcerptBytes, &excerpt);
  JsonWriter writer(out);
  writer.BeginObject()
      .Member("file", file)
      .Member("line", reject.origin.line)
      .Member("reason", reason)
      .Member("excerpt", excerpt)
      .EndObject();
  out->push_back('\n');
}

Result<std::unique_ptr<RejectWriter>> RejectWriter::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SystemError(path.string());
  return std::unique_ptr<RejectWriter>(new RejectWriter(fd, path.string()));
}

RejectWriter::RejectWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  buffer_.reserve(config::kRejectWriterBufferBytes);
}

RejectWriter::~RejectWriter() { (void)Close(); }

Status RejectWriter::Write(const Reject& reject) {
  if (!error_.ok()) return error_;
  if (fd_ < 0) return Internal(path_ + ": write after close");
  AppendRejectLine(reject, &buffer_);
  ++lines_written_;
  if (buffer_.size() >= config::kRejectWriterBufferBytes) return Flush();
  return Status::Ok();
}

Status RejectWriter::WriteChunk(const RecordChunk& chunk) {
  for (const Reject& reject : chunk.rejects) SCIMFLOW_RETURN_IF_ERROR(Write(reject));
  return Status::Ok();
}

Status RejectWriter::Flush() {
  if (!error_.ok()) return error_;
  size_t written = 0;
  while (written < buffer_.size() && fd_ >= 0) {
    const ssize_t result = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result < 0) {
      error_ = SystemError(path_);
      return error_;
    }
    written += static_cast<size_t>(result);
  }
  buffer_.clear();
  return Status::Ok();
}

Status RejectWriter::Close() {
  if (fd_ < 0) return error_;
  Status flushed = Flush();
  if (::close(fd_) != 0 && flushed.ok()) {
    error_ = SystemError(path_);
    flushed = error_;
  }
  fd_ = -1;
  return flushed;
}

}  // namespace scimflow
