#include "io/snapshot_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/json_writer.h"
#include "io/scim_body.h"
#include "io/scim_json.h"

namespace scimflow {

namespace {

static_assert(kSnapshotPadding >= simdjson::SIMDJSON_PADDING,
              "simdjson reads past the end of a line");

namespace ondemand = simdjson::ondemand;

// Bytes read per block. 4 MiB amortises the per-block cost and keeps a few blocks in flight
// per thread well under the memory of the state being built.
constexpr size_t kBlockBytes = size_t{4} << 20;

// Parses one line into `chunk` (a user or a group), or returns the reject reason.
Status ParseLine(ondemand::parser& parser, std::string_view text, const RecordOrigin& origin,
                 SnapshotChunk* chunk) {
  ondemand::document document;
  if (auto error =
          parser.iterate(text.data(), text.size(), text.size() + kSnapshotPadding).get(document)) {
    return JsonErrorStatus(error);
  }
  SCIMFLOW_ASSIGN_OR_RETURN(const ScimResourceKind kind, PeekScimResourceKind(document));
  if (kind == ScimResourceKind::kUnknown) {
    return InvalidArgument("missing required attribute \"schemas\"");
  }
  ondemand::object object;
  if (auto error = document.get_object().get(object)) return JsonErrorStatus(error);
  if (kind == ScimResourceKind::kUser) {
    ScimUser user;
    SCIMFLOW_RETURN_IF_ERROR(ParseScimUser(object, &chunk->arena, &user));
    SCIMFLOW_RETURN_IF_ERROR(FinishDocument(document));
    if (user.id.empty()) return InvalidArgument("missing required attribute \"id\"");
    user.user.origin = origin;
    chunk->users.push_back({user.id, user.user, HashUserAttributes(user.user, user.user.roles)});
    return Status::Ok();
  }
  ScimGroup group;
  SCIMFLOW_RETURN_IF_ERROR(ParseScimGroup(object, &chunk->arena, &group));
  SCIMFLOW_RETURN_IF_ERROR(FinishDocument(document));
  if (group.id.empty()) return InvalidArgument("missing required attribute \"id\"");
  chunk->groups.push_back({origin, group.id, group.group.external_id, group.group.display_name,
                           group.group.member_external_ids});
  return Status::Ok();
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char byte) { return byte == ' ' || byte == '\t' || byte == '\r'; });
}

}  // namespace

void ParseSnapshotLines(std::string_view text, std::string_view file, uint64_t first_line,
                        uint64_t first_offset, uint32_t max_line_bytes, SnapshotChunk* out) {
  thread_local ondemand::parser parser;
  uint64_t line_number = first_line;
  size_t position = 0;
  while (position < text.size()) {
    const size_t newline = text.find('\n', position);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view line_text = text.substr(position, end - position);
    const RecordOrigin origin{file, line_number, first_offset + position,
                              static_cast<uint32_t>(line_text.size())};
    const std::string_view excerpt = line_text.substr(0, config::kRejectExcerptBytes);
    if (line_text.size() > max_line_bytes) {
      out->rejects.push_back(
          {origin, out->arena.Copy(fmt::format("line longer than {} bytes", max_line_bytes)),
           out->arena.Copy(excerpt)});
    } else if (!IsBlank(line_text)) {
      const Status parsed = ParseLine(parser, line_text, origin, out);
      if (!parsed.ok()) {
        out->rejects.push_back(
            {origin, out->arena.Copy(parsed.message()), out->arena.Copy(excerpt)});
      }
    }
    position = end + 1;
    ++line_number;
  }
}

namespace {

// A run of complete lines of the file, copied out with simdjson padding.
struct Block {
  uint64_t sequence = 0;
  std::unique_ptr<char[]> data;
  size_t size = 0;
  uint64_t first_line = 1;
  uint64_t first_offset = 0;
  bool oversized = false;  // One line longer than the limit, cut short; reported, never parsed.
};

// Reads the file in order and cuts it at line boundaries. Used by one thread (the pipeline's
// serial input stage), so it needs no locking.
class BlockReader {
 public:
  BlockReader(int fd, uint32_t max_line_bytes) : fd_(fd), max_line_bytes_(max_line_bytes) {}

  // The next block, or nullptr at the end of the file or on a read error (see status()).
  std::unique_ptr<Block> Next() {
    while (true) {
      if (skipping_ && !SkipRestOfLine()) return nullptr;
      const size_t newline = pending_.rfind('\n');
      if (newline != std::string::npos && (pending_.size() >= kBlockBytes || eof_)) {
        return Cut(newline + 1, false);
      }
      if (eof_) return pending_.empty() ? nullptr : Cut(pending_.size(), false);
      if (newline == std::string::npos && pending_.size() > max_line_bytes_) {
        // A line longer than the limit: report its first bytes and skip to its end, rather
        // than buffer a file-sized line.
        skipping_ = true;
        return Cut(std::min<size_t>(pending_.size(), config::kRejectExcerptBytes), true);
      }
      if (!Fill()) return nullptr;
    }
  }

  const Status& status() const { return status_; }

 private:
  // Appends up to one block of the file to pending_. False on a read error.
  bool Fill() {
    const size_t old_size = pending_.size();
    pending_.resize(old_size + kBlockBytes);
    ssize_t got;
    do {
      got = ::pread(fd_, pending_.data() + old_size, kBlockBytes, static_cast<off_t>(read_offset_));
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      status_ = IoError(fmt::format("read failed: {}", std::strerror(errno)));
      pending_.resize(old_size);
      return false;
    }
    pending_.resize(old_size + static_cast<size_t>(got));
    read_offset_ += static_cast<uint64_t>(got);
    eof_ = got == 0;
    return true;
  }

  // Drops bytes up to and including the next newline. False on a read error.
  bool SkipRestOfLine() {
    while (skipping_) {
      const size_t newline = pending_.find('\n');
      if (newline != std::string::npos) {
        pending_offset_ += newline + 1;
        pending_.erase(0, newline + 1);
        skipping_ = false;
        ++next_line_;
        return true;
      }
      pending_offset_ += pending_.size();
      pending_.clear();
      if (eof_) {
        skipping_ = false;
        return true;
      }
      if (!Fill()) return false;
    }
    return true;
  }

  std::unique_ptr<Block> Cut(size_t length, bool oversized) {
    auto block = std::make_unique<Block>();
    block->sequence = sequence_++;
    block->data = std::make_unique<char[]>(length + kSnapshotPadding);
    std::memcpy(block->data.get(), pending_.data(), length);
    std::memset(block->data.get() + length, ' ', kSnapshotPadding);
    block->size = length;
    block->first_line = next_line_;
    block->first_offset = pending_offset_;
    block->oversized = oversized;
    if (!oversized) {
      next_line_ +=
          static_cast<uint64_t>(std::count(pending_.data(), pending_.data() + length, '\n'));
      pending_offset_ += length;
      pending_.erase(0, length);
    }
    return block;
  }

  int fd_;
  uint32_t max_line_bytes_;
  std::string pending_;  // Read but not yet cut; starts at pending_offset_.
  uint64_t pending_offset_ = 0;
  uint64_t read_offset_ = 0;
  uint64_t next_line_ = 1;
  uint64_t sequence_ = 0;
  bool eof_ = false;
  bool skipping_ = false;
  Status status_;
};

std::unique_ptr<SnapshotChunk> ParseBlock(const Block& block, std::string_view file,
                                          uint32_t max_line_bytes) {
  auto chunk = std::make_unique<SnapshotChunk>();
  chunk->sequence = block.sequence;
  const std::string_view text(block.data.get(), block.size);
  if (block.oversized) {
    const RecordOrigin origin{file, block.first_line, block.first_offset, 0};
    chunk->rejects.push_back(
        {origin, chunk->arena.Copy(fmt::format("line longer than {} bytes", max_line_bytes)),
         chunk->arena.Copy(text)});
    return chunk;
  }
  ParseSnapshotLines(text, file, block.first_line, block.first_offset, max_line_bytes, chunk.get());
  return chunk;
}

// Closes a file descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Status ReadSnapshotFile(const std::string& path, const EngineOptions& options,
                        const std::function<void(SnapshotChunk&)>& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const std::string message = fmt::format("{}: cannot open: {}", path, std::strerror(error));
    return error == ENOENT ? NotFound(message) : IoError(message);
  }
  FdCloser closer{fd};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  BlockReader reader(fd, options.max_line_bytes);
  // Two blocks per thread in flight: one being parsed, one waiting; memory stays a few blocks.
  const size_t tokens = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency());
  try {
    tbb::parallel_pipeline(
        tokens, tbb::make_filter<void, Block*>(tbb::filter_mode::serial_in_order,
                                               [&](tbb::flow_control& control) -> Block* {
                                                 std::unique_ptr<Block> block = reader.Next();
                                                 if (!block) control.stop();
                                                 return block.release();
                                               }) &
                    tbb::make_filter<Block*, SnapshotChunk*>(
                        tbb::filter_mode::parallel,
                        [&](Block* raw) {
                          std::unique_ptr<Block> block(raw);
                          return ParseBlock(*block, path, options.max_line_bytes).release();
                        }) &
                    tbb::make_filter<SnapshotChunk*, void>(
                        tbb::filter_mode::serial_in_order, [&](SnapshotChunk* raw) {
                          std::unique_ptr<SnapshotChunk> chunk(raw);
                          sink(*chunk);
                        }));
  } catch (const std::exception& error) {
    return Internal(fmt::format("{}: reading the snapshot failed: {}", path, error.what()));
  }
  if (!reader.status().ok()) return IoError(fmt::format("{}: {}", path, reader.status().message()));
  return Status::Ok();
}

void AddSnapshotChunk(const SnapshotChunk& chunk, CurrentState* state) {
  for (const Reject& reject : chunk.rejects) {
    state->AddIssue(reject.origin.line, std::string(reject.reason), reject.excerpt);
  }
  for (const SnapshotUser& user : chunk.users) {
    // Producers other than the snapshot reader (the live target reader) leave the hashes unset,
    // all zero. A real content hash of zero is recomputed to the same value, so this is exact.
    const AttributeHashes hashes =
        user.hashes.content != 0 ? user.hashes : HashUserAttributes(user.user, user.user.roles);
    state->AddUser(user.id, user.user.external_id, user.user.user_name, hashes, user.user.active,
                   user.user.origin.line);
  }
  for (const SnapshotGroup& group : chunk.groups) {
    state->AddGroup(group.id, group.external_id, group.display_name, group.member_ids,
                    group.origin.line);
  }
}

Result<std::unique_ptr<CurrentState>> LoadSnapshot(const std::string& path,
                                                   const EngineOptions& options) {
  auto state = std::make_unique<CurrentState>(path);
  SCIMFLOW_RETURN_IF_ERROR(ReadSnapshotFile(
      path, options, [&](SnapshotChunk& chunk) { AddSnapshotChunk(chunk, state.get()); }));
  state->Finalize();
  return state;
}

void AppendSnapshotUser(std::string* out, std::string_view id, const User& user) {
  JsonWriter json(out);
  json.BeginObject();
  WriteUserMembers(user, id, &json);
  json.EndObject();
  out->push_back('\n');
}

void AppendSnapshotGroup(std::string* out, std::string_view id, std::string_view external_id,
                         std::string_view display_name,
                         std::span<const std::string_view> member_ids) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("schemas")
      .BeginArray()
      .String(kScimGroupSchema)
      .EndArray()
      .Member("id", id)
      .Member("externalId", external_id)
      .Member("displayName", display_name)
      .Key("members")
      .BeginArray();
  for (std::string_view member : member_ids) json.BeginObject().Member("value", member).EndObject();
  json.EndArray().EndObject();
  out->push_back('\n');
}

}  // namespace scimflow
