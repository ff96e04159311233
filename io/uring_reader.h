// UringReader: a FileSource over io_uring with up to `queue_depth` reads in flight, in the
// manner of liburing's examples/io_uring-cp.c: requests are queued as submission entries, pushed
// to the kernel with one io_uring_submit per batch, and completions are taken by waiting for one
// and peeking the rest. A completion's user_data is the ReadRequest it belongs to. Short reads
// (before the end of the file) and -EAGAIN are resubmitted for the remainder, so callers only see
// whole reads or the end of the file; any other -errno becomes a kIoError Status at this boundary.
//
// Owns its file descriptor and ring. The destructor drains every read still in flight before
// tearing the ring down, so no kernel write can land in a buffer its owner has freed.
// Thread-safety: none; one thread drives it.
#ifndef SCIMFLOW_IO_URING_READER_H_
#define SCIMFLOW_IO_URING_READER_H_

#include <liburing.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/file_source.h"

namespace scimflow {

class UringReader final : public FileSource {
 public:
  // Opens `path` and sets up a ring of `queue_depth` entries.
  // Errors: those of OpenFileSource; setup refusals are kUnavailable with the negated errno in
  // *setup_errno (EINVAL, EPERM, ENOSYS mean "use pread instead").
  static Result<std::unique_ptr<UringReader>> Open(std::string_view path, uint32_t queue_depth,
                                                   int* setup_errno = nullptr);
  ~UringReader() override;

  uint64_t size() const override { return size_; }
  std::string_view kind() const override { return "io_uring"; }
  uint32_t max_in_flight() const override { return queue_depth_; }
  uint32_t in_flight() const override { return in_flight_; }
  Status Submit(ReadRequest* request) override;
  Result<ReadRequest*> WaitOne() override;

 private:
  UringReader(std::string path, int fd, uint64_t size, uint32_t queue_depth)
      : path_(std::move(path)), fd_(fd), size_(size), queue_depth_(queue_depth) {}

  // Queues a read of the part of `request` not read yet.
  Status QueueRemainder(ReadRequest* request);
  // Hands queued entries to the kernel.
  Status Flush();
  // Applies one completion: done (moved to ready_), resubmitted, or an error.
  Status Complete(io_uring_cqe* cqe);
  // Waits for completions until the ready list is not empty.
  Status Reap();

  std::string path_;
  int fd_;
  uint64_t size_;
  uint32_t queue_depth_;
  io_uring ring_{};
  bool ring_ready_ = false;
  uint32_t in_flight_ = 0;       // Submitted by the caller, not yet returned by WaitOne.
  uint32_t unsubmitted_ = 0;     // Entries queued, not yet handed to the kernel.
  uint32_t kernel_pending_ = 0;  // Entries queued or in the kernel, completion not yet seen.
  std::vector<ReadRequest*> ready_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_URING_READER_H_
