#include "io/padded_text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace scimflow {
namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

// The text of every empty PaddedText: its padding, shared and never written.
constexpr char kEmptyPadded[kPadding] = {};

// Unit of the reads of a file whose size is known only at its end.
constexpr size_t kReadBytes = 64 * 1024;

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ReadError(const std::string& path, int error) {
  return IoError(fmt::format("{}: cannot read: {}", path, std::strerror(error)));
}

}  // namespace

PaddedText::PaddedText() : data_(kEmptyPadded), padded_size_(kPadding) {}

PaddedText::PaddedText(std::unique_ptr<char[]> buffer, size_t size, size_t padded_size)
    : data_(buffer.get()), size_(size), padded_size_(padded_size), buffer_(std::move(buffer)) {}

PaddedText::PaddedText(PaddedText&& other) noexcept
    : data_(std::exchange(other.data_, kEmptyPadded)),
      size_(std::exchange(other.size_, 0)),
      padded_size_(std::exchange(other.padded_size_, kPadding)),
      buffer_(std::move(other.buffer_)) {}

PaddedText& PaddedText::operator=(PaddedText&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, kEmptyPadded);
    size_ = std::exchange(other.size_, 0);
    padded_size_ = std::exchange(other.padded_size_, kPadding);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

PaddedText::~PaddedText() { Release(); }

void PaddedText::Release() { buffer_.reset(); }

PaddedText PaddedText::Copy(std::string_view text) {
  if (text.empty()) return PaddedText();
  // Not zero-filled as a whole: only the padding needs zeros, the rest is overwritten.
  std::unique_ptr<char[]> buffer(new char[text.size() + kPadding]);
  std::memcpy(buffer.get(), text.data(), text.size());
  std::memset(buffer.get() + text.size(), 0, kPadding);
  return PaddedText(std::move(buffer), text.size(), text.size() + kPadding);
}

Result<PaddedText> PaddedText::OfFile(const std::string& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return NotFound(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return ReadError(path, errno);
  if (S_ISREG(status.st_mode) && status.st_size > 0) {
    const size_t size = static_cast<size_t>(status.st_size);
    // Not zero-filled as a whole: only the padding needs zeros, the rest is read over.
    std::unique_ptr<char[]> buffer(new char[size + kPadding]);
    size_t got = 0;
    while (got < size) {
      const ssize_t read =
          ::pread(fd.get(), buffer.get() + got, size - got, static_cast<off_t>(got));
      if (read < 0 && errno == EINTR) continue;
      if (read < 0) return ReadError(path, errno);
      if (read == 0) break;  // shrank since fstat: what is there
      got += static_cast<size_t>(read);
    }
    std::memset(buffer.get() + got, 0, kPadding);
    return PaddedText(std::move(buffer), got, got + kPadding);
  }
  // A pipe or the like: its size is known only at its end.
  std::string text;
  while (true) {
    const size_t had = text.size();
    text.resize(had + kReadBytes);
    const ssize_t got = ::read(fd.get(), text.data() + had, kReadBytes);
    if (got < 0 && errno == EINTR) {
      text.resize(had);
      continue;
    }
    if (got < 0) return ReadError(path, errno);
    text.resize(had + static_cast<size_t>(got));
    if (got == 0) break;
  }
  return Copy(text);
}

}  // namespace scimflow
