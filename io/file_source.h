// FileSource: reads one input file at given offsets with several reads in flight.
//
// The one place where ingest touches the operating system, behind an interface so tests can
// inject faults (a read that fails, a short read, a file that shrinks) the way leveldb's Env and
// ninja's DiskInterface allow. Two implementations: io/uring_reader (io_uring, several reads in
// flight) and io/pread_reader (one blocking pread at a time, for kernels or sandboxes that refuse
// io_uring). OpenFileSource picks one, once per process, and says so once.
//
// Ownership: a FileSource owns its file descriptor and ring; it owns nothing it lends: the caller
// owns every ReadRequest and its buffer, which must stay alive and untouched from Submit until
// the request comes back from WaitOne (or the source is destroyed, which first drains every read
// still in flight).
// Thread-safety: none; one thread drives a source (the pipeline's serial reader stage).
#ifndef SCIMFLOW_IO_FILE_SOURCE_H_
#define SCIMFLOW_IO_FILE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/options.h"
#include "engine/status.h"

namespace scimflow {

// One read of `length` bytes at `offset` into `buffer`.
struct ReadRequest {
  uint64_t offset = 0;
  char* buffer = nullptr;
  size_t length = 0;
  // Set by the source when the request completes: the bytes read, which is `length` unless the
  // file ends first (short reads in the middle of a file are resubmitted, never returned).
  size_t bytes_read = 0;
  // Free for the caller (e.g. the index of the buffer the request reads into).
  uint64_t tag = 0;
};

// Where a source reports conditions worth one line to the operator, like the pread fallback.
// Implementations must be callable from the thread that opens files.
class SourceReporter {
 public:
  virtual ~SourceReporter() = default;
  virtual void Notice(std::string_view message) = 0;
};

class FileSource {
 public:
  virtual ~FileSource() = default;

  // Size of the file in bytes when it was opened.
  virtual uint64_t size() const = 0;
  // "io_uring" or "pread" (or a test's name), for stats and reports.
  virtual std::string_view kind() const = 0;
  // How many requests may be submitted and not yet returned by WaitOne.
  virtual uint32_t max_in_flight() const = 0;
  // Requests submitted and not yet returned by WaitOne.
  virtual uint32_t in_flight() const = 0;

  // Queues `*request`. It may start at once or at the next WaitOne (reads are batched into one
  // submission). REQUIRES: in_flight() < max_in_flight(); request->length > 0.
  // Fails (kIoError) only if the source is broken; the request is then not queued.
  virtual Status Submit(ReadRequest* request) = 0;

  // Returns one completed request (any order), waiting if none is complete yet.
  // kIoError with the file name and the operating system's reason if a read failed; the request
  // that failed is then lost to the caller, the others stay in flight until drained.
  // REQUIRES: in_flight() > 0.
  virtual Result<ReadRequest*> WaitOne() = 0;
};

// Which reader OpenFileSource uses.
enum class SourceChoice : uint8_t {
  kAuto,     // io_uring, falling back to pread where io_uring setup is refused.
  kIoUring,  // io_uring only; fails where it is refused.
  kPread,    // pread only.
};

// Opens `path` for sequential reading (posix_fadvise SEQUENTIAL, so the kernel reads ahead at
// device speed) with up to options.io_queue_depth reads in flight.
// With kAuto: the first open in the process decides whether io_uring is usable; if its setup
// fails with EINVAL, EPERM or ENOSYS (old kernel, seccomp, container policy) every later open uses
// pread, and `reporter` (if given) hears about it exactly once per process.
// Errors: kNotFound if the file does not exist; kIoError for any other failure to open or stat,
// with the path and the reason.
Result<std::unique_ptr<FileSource>> OpenFileSource(std::string_view path,
                                                   const EngineOptions& options,
                                                   SourceChoice choice = SourceChoice::kAuto,
                                                   SourceReporter* reporter = nullptr);

// True if io_uring setup works in this process (tests skip io_uring cases otherwise).
bool IoUringAvailable();

namespace internal {
// Opens `path` read-only and advises sequential access; returns the descriptor and size.
// Shared by both readers. The caller owns the descriptor.
Status OpenForSequentialRead(std::string_view path, int* fd, uint64_t* size);
// `path: reason` for an errno value, as kIoError.
Status ErrnoStatus(std::string_view path, std::string_view what, int error_number);
}  // namespace internal

}  // namespace scimflow

#endif  // SCIMFLOW_IO_FILE_SOURCE_H_
