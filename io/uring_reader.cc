#include "io/uring_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace scimflow {

Result<std::unique_ptr<UringReader>> UringReader::Open(std::string_view path, uint32_t queue_depth,
                                                       int* setup_errno) {
  if (setup_errno != nullptr) *setup_errno = 0;
  int fd = -1;
  uint64_t size = 0;
  SCIMFLOW_RETURN_IF_ERROR(internal::OpenForSequentialRead(path, &fd, &size));
  std::unique_ptr<UringReader> reader(
      new UringReader(std::string(path), fd, size, queue_depth == 0 ? 1 : queue_depth));
  const int result = io_uring_queue_init(reader->queue_depth_, &reader->ring_, 0);
  if (result < 0) {
    if (setup_errno != nullptr) *setup_errno = -result;
    return Status(StatusCode::kUnavailable,
                  std::string("io_uring setup refused: ") + std::strerror(-result));
  }
  reader->ring_ready_ = true;
  return reader;
}

UringReader::~UringReader() {
  if (ring_ready_) {
    // Drain: the kernel may still write into buffers of reads in flight; their owners free them
    // right after this destructor returns.
    Status flushed = Flush();
    (void)flushed;
    while (kernel_pending_ > 0) {
      io_uring_cqe* cqe = nullptr;
      const int result = io_uring_wait_cqe(&ring_, &cqe);
      if (result == -EINTR) continue;
      if (result < 0) break;
      io_uring_cqe_seen(&ring_, cqe);
      --kernel_pending_;
    }
    io_uring_queue_exit(&ring_);
  }
  ::close(fd_);
}

Status UringReader::QueueRemainder(ReadRequest* request) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The submission queue is full of entries not handed over yet: hand them over, then retry.
    SCIMFLOW_RETURN_IF_ERROR(Flush());
    sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) return Internal("io_uring: no submission entry after flush");
  }
  io_uring_prep_read(sqe, fd_, request->buffer + request->bytes_read,
                     static_cast<unsigned>(request->length - request->bytes_read),
                     request->offset + request->bytes_read);
  // Handed to io_uring's kernel workers at once. Without this, a read of cached pages completes
  // inside io_uring_submit, so the page-cache copy (a seventh of a warm ingest) runs on the
  // reader's thread between parses instead of beside them, and "reads in flight" never overlap
  // any parsing. With one read in flight there is nothing to overlap (the reader waits for it
  // at once): it completes inline, sparing a worker's wakeup and two context switches.
  if (queue_depth_ > 1) io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
  io_uring_sqe_set_data(sqe, request);
  ++unsubmitted_;
  ++kernel_pending_;
  return Status::Ok();
}

Status UringReader::Flush() {
  while (unsubmitted_ > 0) {
    const int result = io_uring_submit(&ring_);
    if (result == -EINTR || result == -EAGAIN) continue;
    if (result < 0) return internal::ErrnoStatus(path_, "io_uring submit", -result);
    unsubmitted_ -=
        static_cast<uint32_t>(result) > unsubmitted_ ? unsubmitted_ : static_cast<uint32_t>(result);
  }
  return Status::Ok();
}

Status UringReader::Submit(ReadRequest* request) {
  if (in_flight_ >= queue_depth_) return Internal("io_uring reader: queue full");
  request->bytes_read = 0;
  SCIMFLOW_RETURN_IF_ERROR(QueueRemainder(request));
  ++in_flight_;
  return Status::Ok();
}

Status UringReader::Complete(io_uring_cqe* cqe) {
  auto* request = static_cast<ReadRequest*>(io_uring_cqe_get_data(cqe));
  const int result = cqe->res;
  io_uring_cqe_seen(&ring_, cqe);
  --kernel_pending_;
  if (result == -EAGAIN || result == -EINTR) return QueueRemainder(request);
  if (result < 0) {
    --in_flight_;
    return internal::ErrnoStatus(path_, "read", -result);
  }
  request->bytes_read += static_cast<size_t>(result);
  // Zero bytes is the end of the file; anything short of that is a short read to continue.
  if (result > 0 && request->bytes_read < request->length) return QueueRemainder(request);
  ready_.push_back(request);
  return Status::Ok();
}

Status UringReader::Reap() {
  while (ready_.empty()) {
    SCIMFLOW_RETURN_IF_ERROR(Flush());
    io_uring_cqe* cqe = nullptr;
    const int result = io_uring_wait_cqe(&ring_, &cqe);
    if (result == -EINTR) continue;
    if (result < 0) return internal::ErrnoStatus(path_, "io_uring wait", -result);
    SCIMFLOW_RETURN_IF_ERROR(Complete(cqe));
    // Take every other completion already there without waiting again.
    while (io_uring_peek_cqe(&ring_, &cqe) == 0) SCIMFLOW_RETURN_IF_ERROR(Complete(cqe));
  }
  return Status::Ok();
}

Result<ReadRequest*> UringReader::WaitOne() {
  if (in_flight_ == 0) return Internal("io_uring reader: nothing in flight");
  SCIMFLOW_RETURN_IF_ERROR(Reap());
  ReadRequest* request = ready_.back();
  ready_.pop_back();
  --in_flight_;
  return request;
}

}  // namespace scimflow
