// `scimflow snapshot`: reads a live target (io/target_reader.h) and writes what it holds as a
// snapshot file (docs/snapshot-format.md), which `plan --current` and `sim --load` read.
//
// The file is written as the pages arrive, in listing order (users, then groups with their
// members), to `OUT.tmp`, flushed to disk and renamed into place only when the whole read
// succeeded: a reader never sees half a snapshot, and a failed run leaves an older snapshot
// untouched. A resource the reader cannot use (no externalId, a wrong attribute type) is not
// written; each is named on stderr and the exit code is 2, so a cron job notices.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "io/snapshot_file.h"
#include "tools/cli_flags.h"
#include "tools/subcommands.h"
#include "tools/target_source.h"

namespace scimflow {
namespace {

// Bytes buffered before a write(2): large writes, a bounded buffer.
constexpr size_t kWriteBufferBytes = size_t{1} << 20;

struct SnapshotFlags {
  TargetFlags target;
  std::string out;
  std::string profile = "github-emu";
};

// Writes `path` through `path.tmp` and a rename; one thread.
class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string path) : path_(std::move(path)), tmp_path_(path_ + ".tmp") {}
  ~SnapshotWriter() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(tmp_path_.c_str());
    }
  }

  Status Open() {
    fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) return Error("cannot create");
    return Status::Ok();
  }

  // The buffer lines are appended to; call MaybeFlush after each append.
  std::string* buffer() { return &buffer_; }
  Status MaybeFlush() { return buffer_.size() >= kWriteBufferBytes ? Flush() : Status::Ok(); }

  // Flushes, syncs and renames into place.
  Status Commit() {
    SCIMFLOW_RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return Error("cannot sync");
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
      const Status error = Error("cannot rename into place");
      ::unlink(tmp_path_.c_str());
      return error;
    }
    return Status::Ok();
  }

 private:
  Status Flush() {
    size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t done = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (done < 0 && errno == EINTR) continue;
      if (done < 0) return Error("cannot write");
      written += static_cast<size_t>(done);
    }
    buffer_.clear();
    return Status::Ok();
  }

  Status Error(std::string_view what) const {
    return IoError(fmt::format("{}: {}: {}", tmp_path_, what, std::strerror(errno)));
  }

  std::string path_;
  std::string tmp_path_;
  int fd_ = -1;
  std::string buffer_;
};

struct SnapshotCounts {
  uint64_t users = 0;
  uint64_t groups = 0;
  uint64_t memberships = 0;
  uint64_t skipped = 0;
};

Status ReadInto(TargetReader& reader, SnapshotWriter& writer, SnapshotCounts* counts) {
  return reader.Read([&](SnapshotChunk& chunk) {
    for (const Reject& reject : chunk.rejects) {
      ++counts->skipped;
      std::fprintf(stderr, "scimflow snapshot: skipped %s\n",
                   LocatedMessage(reject.origin.file, reject.origin.line, reject.reason).c_str());
    }
    for (const SnapshotUser& user : chunk.users) {
      AppendSnapshotUser(writer.buffer(), user.id, user.user);
      ++counts->users;
    }
    for (const SnapshotGroup& group : chunk.groups) {
      AppendSnapshotGroup(writer.buffer(), group.id, group.external_id, group.display_name,
                          group.member_ids);
      ++counts->groups;
      counts->memberships += group.member_ids.size();
    }
    return writer.MaybeFlush();
  });
}

ExitCode Run(const SnapshotFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  const auto fail = [](const Status& status) {
    std::fprintf(stderr, "scimflow snapshot: %s\n", status.message().c_str());
    return TargetExitCode(status);
  };
  Result<std::unique_ptr<TargetSource>> source =
      TargetSource::Open(flags.target, *FindProfile(flags.profile), /*read_groups=*/true);
  if (!source.ok()) return fail(source.status());
  for (const std::string& warning : (*source)->warnings()) {
    std::fprintf(stderr, "scimflow snapshot: warning: %s\n", warning.c_str());
  }
  SnapshotWriter writer(flags.out);
  if (Status opened = writer.Open(); !opened.ok()) {
    std::fprintf(stderr, "scimflow snapshot: %s\n", opened.message().c_str());
    return ExitCode::kUsage;
  }
  SnapshotCounts counts;
  TargetReader& reader = (*source)->reader();
  if (Status read = ReadInto(reader, writer, &counts); !read.ok()) {
    const ExitCode code = fail(read);
    // kIoError is the snapshot file's (a full disk), not the target's.
    return read.code() == StatusCode::kIoError ? ExitCode::kUsage : code;
  }
  if (Status committed = writer.Commit(); !committed.ok()) {
    std::fprintf(stderr, "scimflow snapshot: %s\n", committed.message().c_str());
    return ExitCode::kUsage;
  }
  const TargetReadStats& stats = reader.stats();
  std::fprintf(stderr,
               "scimflow snapshot: %llu users, %llu groups, %llu memberships written to %s in "
               "%.2f s (%llu requests, %llu retries, %llu rate-limited)\n",
               static_cast<unsigned long long>(counts.users),
               static_cast<unsigned long long>(counts.groups),
               static_cast<unsigned long long>(counts.memberships), flags.out.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               static_cast<unsigned long long>(stats.requests),
               static_cast<unsigned long long>(stats.retries),
               static_cast<unsigned long long>(stats.rate_limited));
  if (counts.skipped > 0) {
    std::fprintf(stderr, "scimflow snapshot: %llu resources skipped (listed above)\n",
                 static_cast<unsigned long long>(counts.skipped));
    return ExitCode::kInputRejected;
  }
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode RunSnapshot(int argc, char** argv) {
  CLI::App app{
      "Read a live SCIM target and write what it holds as a snapshot file; see "
      "docs/snapshot-format.md.",
      "scimflow snapshot"};
  SnapshotFlags flags;
  AddTargetFlags(&app, &flags.target, /*url_required=*/true);
  app.add_option("--out", flags.out, "snapshot file to write (through OUT.tmp and a rename)")
      ->required();
  app.add_option("--profile", flags.profile, "target profile (its requests budget paces reads)")
      ->check(CLI::IsMember({"github-emu", "ghes", "generic"}))
      ->capture_default_str();
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  return Run(flags);
}

}  // namespace scimflow
