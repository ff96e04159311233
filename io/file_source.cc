#include "io/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "io/pread_reader.h"
#include "io/uring_reader.h"

namespace scimflow {
namespace {

// What the process learned about io_uring: decided by the first open, then fixed, so a refused
// io_uring costs one failed setup and one notice per process, not one per file.
enum class UringState : int { kUnknown, kUsable, kRefused };
std::atomic<int> g_uring_state{static_cast<int>(UringState::kUnknown)};

// EINVAL: kernel too old for the flags; EPERM: seccomp or io_uring_disabled; ENOSYS: no
// io_uring at all; ENOMEM: RLIMIT_MEMLOCK too small for the ring on kernels before 5.12.
bool IsRefusal(int error_number) {
  return error_number == EINVAL || error_number == EPERM || error_number == ENOSYS ||
         error_number == ENOMEM;
}

}  // namespace

namespace internal {

Status ErrnoStatus(std::string_view path, std::string_view what, int error_number) {
  std::string message(path);
  message.append(": ").append(what).append(": ").append(std::strerror(error_number));
  return Status(error_number == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                std::move(message));
}

Status OpenForSequentialRead(std::string_view path, int* fd, uint64_t* size) {
  const std::string path_string(path);
  const int descriptor = ::open(path_string.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat info {};
  if (::fstat(descriptor, &info) != 0) {
    const int error_number = errno;
    ::close(descriptor);
    return ErrnoStatus(path, "cannot stat", error_number);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(descriptor);
    return ErrnoStatus(path, "cannot read", EISDIR);
  }
  // Ask for aggressive read-ahead: a cold file then streams at device speed while we parse.
  // Advice is only advice; a filesystem that ignores it is not an error.
  (void)::posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL);
  *fd = descriptor;
  *size = static_cast<uint64_t>(info.st_size);
  return Status::Ok();
}

}  // namespace internal

bool IoUringAvailable() {
  io_uring ring{};
  if (io_uring_queue_init(2, &ring, 0) < 0) return false;
  io_uring_queue_exit(&ring);
  return true;
}

Result<std::unique_ptr<FileSource>> OpenFileSource(std::string_view path,
                                                   const EngineOptions& options,
                                                   SourceChoice choice, SourceReporter* reporter) {
  const uint32_t depth = options.io_queue_depth;
  const bool try_uring =
      choice == SourceChoice::kIoUring ||
      (choice == SourceChoice::kAuto &&
       g_uring_state.load(std::memory_order_acquire) != static_cast<int>(UringState::kRefused));
  if (try_uring) {
    int setup_errno = 0;
    Result<std::unique_ptr<UringReader>> uring = UringReader::Open(path, depth, &setup_errno);
    if (uring.ok()) {
      g_uring_state.store(static_cast<int>(UringState::kUsable), std::memory_order_release);
      return std::unique_ptr<FileSource>(std::move(uring).value());
    }
    if (choice == SourceChoice::kIoUring || !IsRefusal(setup_errno)) return uring.status();
    int expected = static_cast<int>(UringState::kUnknown);
    const bool first = g_uring_state.compare_exchange_strong(
        expected, static_cast<int>(UringState::kRefused), std::memory_order_acq_rel);
    if (first && reporter != nullptr) {
      reporter->Notice(std::string("io_uring unavailable (") + std::strerror(setup_errno) +
                       "); reading files with pread");
    }
  }
  Result<std::unique_ptr<PreadReader>> pread = PreadReader::Open(path, depth);
  if (!pread.ok()) return pread.status();
  return std::unique_ptr<FileSource>(std::move(pread).value());
}

}  // namespace scimflow
