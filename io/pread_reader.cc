#include "io/pread_reader.h"

#include <unistd.h>

#include <cerrno>

namespace scimflow {

Result<std::unique_ptr<PreadReader>> PreadReader::Open(std::string_view path,
                                                       uint32_t queue_depth) {
  int fd = -1;
  uint64_t size = 0;
  SCIMFLOW_RETURN_IF_ERROR(internal::OpenForSequentialRead(path, &fd, &size));
  return std::unique_ptr<PreadReader>(
      new PreadReader(std::string(path), fd, size, queue_depth == 0 ? 1 : queue_depth));
}

PreadReader::~PreadReader() { ::close(fd_); }

Status PreadReader::Submit(ReadRequest* request) {
  if (queued_.size() >= queue_depth_) return Internal("pread reader: queue full");
  request->bytes_read = 0;
  queued_.push_back(request);
  return Status::Ok();
}

Result<ReadRequest*> PreadReader::WaitOne() {
  if (queued_.empty()) return Internal("pread reader: nothing in flight");
  ReadRequest* request = queued_.front();
  queued_.pop_front();
  // A short read before the end of the file is not an end: keep reading until the request is
  // full or pread says 0 (end of file).
  while (request->bytes_read < request->length) {
    const ssize_t got =
        ::pread(fd_, request->buffer + request->bytes_read, request->length - request->bytes_read,
                static_cast<off_t>(request->offset + request->bytes_read));
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return internal::ErrnoStatus(path_, "read", errno);
    }
    if (got == 0) break;
    request->bytes_read += static_cast<size_t>(got);
  }
  return request;
}

}  // namespace scimflow
