#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace scimflow {
namespace {

// Mode of a file that did not exist before: readable by the metrics collector's user.
constexpr mode_t kNewFileMode = 0644;

std::string Reason(int error) { return std::strerror(error); }

// The directory part of `path` ("." when there is none), and the file name.
void SplitPath(const std::string& path, std::string* dir, std::string* name) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *name = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *name = path.substr(slash + 1);
  }
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError(Reason(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

// Fsyncs the directory so the rename survives a power loss. Some file systems refuse fsync on a
// directory (EINVAL); the rename has happened then, so that is not an error.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  std::string dir, name;
  SplitPath(path, &dir, &name);
  std::string temp = dir + "/." + name + ".tmp.XXXXXX";
  std::vector<char> temp_buffer(temp.begin(), temp.end());
  temp_buffer.push_back('\0');
  const int fd = ::mkostemp(temp_buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    return IoError(path + ": cannot create a temporary file in " + dir + ": " + Reason(errno));
  }
  temp.assign(temp_buffer.data());
  struct stat existing;
  const mode_t mode =
      ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : kNewFileMode;
  Status status = WriteAll(fd, bytes);
  if (!status.ok()) status = IoError(path + ": cannot write: " + status.message());
  if (status.ok() && ::fchmod(fd, mode) != 0) {
    status = IoError(path + ": cannot set its mode: " + Reason(errno));
  }
  if (status.ok() && ::fsync(fd) != 0) status = IoError(path + ": cannot sync: " + Reason(errno));
  if (::close(fd) != 0 && status.ok()) {
    status = IoError(path + ": cannot write: " + Reason(errno));
  }
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = IoError(path + ": cannot rename: " + Reason(errno));
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  SyncDirectory(dir);
  return Status::Ok();
}

}  // namespace scimflow
