// PreadReader: the FileSource used where io_uring is refused (old kernels, seccomp filters,
// container policies). Reads happen one at a time, synchronously, in WaitOne, in submission order;
// the kernel's sequential read-ahead (posix_fadvise) still overlaps the device with parsing.
//
// Owns its file descriptor. Thread-safety: none; one thread drives it.
#ifndef SCIMFLOW_IO_PREAD_READER_H_
#define SCIMFLOW_IO_PREAD_READER_H_

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "io/file_source.h"

namespace scimflow {

class PreadReader final : public FileSource {
 public:
  // Opens `path`; errors as OpenFileSource. `queue_depth` only bounds how many requests may be
  // queued, so callers can drive both readers the same way.
  static Result<std::unique_ptr<PreadReader>> Open(std::string_view path, uint32_t queue_depth);
  ~PreadReader() override;

  uint64_t size() const override { return size_; }
  std::string_view kind() const override { return "pread"; }
  uint32_t max_in_flight() const override { return queue_depth_; }
  uint32_t in_flight() const override { return static_cast<uint32_t>(queued_.size()); }
  Status Submit(ReadRequest* request) override;
  // Reads the oldest queued request in full (retrying EINTR and short reads) and returns it.
  Result<ReadRequest*> WaitOne() override;

 private:
  PreadReader(std::string path, int fd, uint64_t size, uint32_t queue_depth)
      : path_(std::move(path)), fd_(fd), size_(size), queue_depth_(queue_depth) {}

  std::string path_;
  int fd_;
  uint64_t size_;
  uint32_t queue_depth_;
  std::deque<ReadRequest*> queued_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PREAD_READER_H_
