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

namespace scimflow {

namespace {

static_assert(kSnapshotPadding >= simdjson::SIMDJSON_PADDING,
              "simdjson reads past the end of a line");

namespace ondemand = simdjson::ondemand;

// Bytes read per block. 4 MiB amortises the per-block cost and keeps a few blocks in flight
// per thread well under the memory of the state being built.
constexpr size_t kBlockBytes = size_t{4} << 20;

// What one line says, before it is known to be a user or a group.
struct ParsedLine {
  bool is_user = false;
  bool is_group = false;
  std::string_view id;
  User user;  // user.external_id and friends; used for groups' externalId/displayName too.
  std::vector<Email> emails;
  std::vector<Role> roles;
  std::vector<std::string_view> members;
};

std::string WrongType(std::string_view attribute, std::string_view type) {
  return fmt::format("wrong type for \"{}\": expected {}", attribute, type);
}

// Maps a simdjson error to a reject reason; INCORRECT_TYPE is reported by the caller with the
// attribute's name.
std::string ErrorReason(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? "invalid UTF-8" : "malformed JSON";
}

// Reads a string (null counts as absent) and copies it into `arena`. Returns a reject reason or "".
std::string ReadString(ondemand::value value, std::string_view attribute, Arena* arena,
                       std::string_view* out) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return ErrorReason(error);
  if (type == ondemand::json_type::null) return "";
  if (type != ondemand::json_type::string) return WrongType(attribute, "string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return ErrorReason(error);
  *out = arena->Copy(text);
  return "";
}

std::string ReadBool(ondemand::value value, std::string_view attribute, bool* out) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return ErrorReason(error);
  if (type == ondemand::json_type::null) return "";
  if (type != ondemand::json_type::boolean) return WrongType(attribute, "boolean");
  if (auto error = value.get_bool().get(*out)) return ErrorReason(error);
  return "";
}

// Calls `body(value)` for each element of an array attribute (null counts as empty).
template <typename Body>
std::string ForEachElement(ondemand::value value, std::string_view attribute, const Body& body) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return ErrorReason(error);
  if (type == ondemand::json_type::null) return "";
  if (type != ondemand::json_type::array) return WrongType(attribute, "array");
  ondemand::array array;
  if (auto error = value.get_array().get(array)) return ErrorReason(error);
  for (auto element_result : array) {
    ondemand::value element;
    if (auto error = std::move(element_result).get(element)) return ErrorReason(error);
    std::string reason = body(element);
    if (!reason.empty()) return reason;
  }
  return "";
}

// Calls `body(key, value)` for each member of an object attribute (null counts as empty).
template <typename Body>
std::string ForEachField(ondemand::value value, std::string_view attribute, const Body& body) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return ErrorReason(error);
  if (type == ondemand::json_type::null) return "";
  if (type != ondemand::json_type::object) return WrongType(attribute, "object");
  ondemand::object object;
  if (auto error = value.get_object().get(object)) return ErrorReason(error);
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return ErrorReason(error);
    ondemand::value field_value;
    if (auto error = field.value().get(field_value)) return ErrorReason(error);
    std::string reason = body(key, field_value);
    if (!reason.empty()) return reason;
  }
  return "";
}

std::string ReadName(ondemand::value value, Arena* arena, PersonName* name) {
  return ForEachField(value, "name", [&](std::string_view key, ondemand::value field) {
    if (key == "givenName") return ReadString(field, "name.givenName", arena, &name->given_name);
    if (key == "familyName") return ReadString(field, "name.familyName", arena, &name->family_name);
    if (key == "formatted") return ReadString(field, "name.formatted", arena, &name->formatted);
    if (key == "middleName") return ReadString(field, "name.middleName", arena, &name->middle_name);
    return std::string();
  });
}

std::string ReadEmails(ondemand::value value, Arena* arena, std::vector<Email>* emails) {
  return ForEachElement(value, "emails", [&](ondemand::value element) {
    Email& email = emails->emplace_back();
    return ForEachField(element, "emails", [&](std::string_view key, ondemand::value field) {
      if (key == "value") return ReadString(field, "emails.value", arena, &email.value);
      if (key == "type") return ReadString(field, "emails.type", arena, &email.type);
      if (key == "primary") return ReadBool(field, "emails.primary", &email.primary);
      return std::string();
    });
  });
}

// Roles are objects `{"value":…,"primary":…}`; plain strings are accepted too.
std::string ReadRoles(ondemand::value value, Arena* arena, std::vector<Role>* roles) {
  return ForEachElement(value, "roles", [&](ondemand::value element) {
    Role& role = roles->emplace_back();
    ondemand::json_type type;
    if (auto error = element.type().get(type)) return ErrorReason(error);
    if (type == ondemand::json_type::string)
      return ReadString(element, "roles", arena, &role.value);
    return ForEachField(element, "roles", [&](std::string_view key, ondemand::value field) {
      if (key == "value") return ReadString(field, "roles.value", arena, &role.value);
      if (key == "primary") return ReadBool(field, "roles.primary", &role.primary);
      return std::string();
    });
  });
}

std::string ReadMembers(ondemand::value value, Arena* arena, std::vector<std::string_view>* ids) {
  return ForEachElement(value, "members", [&](ondemand::value element) {
    std::string_view id;
    std::string reason =
        ForEachField(element, "members", [&](std::string_view key, ondemand::value field) {
          if (key == "value") return ReadString(field, "members.value", arena, &id);
          return std::string();
        });
    if (reason.empty() && !id.empty()) ids->push_back(id);
    return reason;
  });
}

std::string ReadSchemas(ondemand::value value, ParsedLine* line) {
  return ForEachElement(value, "schemas", [&](ondemand::value element) {
    std::string_view schema;
    if (element.get_string().get(schema)) return WrongType("schemas", "array");
    line->is_user |= schema == kScimUserSchema;
    line->is_group |= schema == kScimGroupSchema;
    return std::string();
  });
}

std::string ReadAttribute(std::string_view key, ondemand::value value, Arena* arena,
                          ParsedLine* line) {
  User& user = line->user;
  if (key == "schemas") return ReadSchemas(value, line);
  if (key == "id") return ReadString(value, "id", arena, &line->id);
  if (key == "externalId") return ReadString(value, "externalId", arena, &user.external_id);
  if (key == "userName") return ReadString(value, "userName", arena, &user.user_name);
  if (key == "displayName") return ReadString(value, "displayName", arena, &user.display_name);
  if (key == "name") return ReadName(value, arena, &user.name);
  if (key == "emails") return ReadEmails(value, arena, &line->emails);
  if (key == "roles") return ReadRoles(value, arena, &line->roles);
  if (key == "active") return ReadBool(value, "active", &user.active);
  if (key == "members") return ReadMembers(value, arena, &line->members);
  return "";  // meta, groups, $ref and anything else: ignored (docs/snapshot-format.md).
}

// Parses one line into `line`; returns a reject reason or "".
std::string ParseLine(ondemand::parser& parser, std::string_view text, Arena* arena,
                      ParsedLine* line) {
  ondemand::document document;
  if (auto error =
          parser.iterate(text.data(), text.size(), text.size() + kSnapshotPadding).get(document)) {
    return ErrorReason(error);
  }
  ondemand::object object;
  if (auto error = document.get_object().get(object)) return ErrorReason(error);
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return ErrorReason(error);
    ondemand::value field_value;
    if (auto error = field.value().get(field_value)) return ErrorReason(error);
    std::string reason = ReadAttribute(key, field_value, arena, line);
    if (!reason.empty()) return reason;
  }
  if (!line->is_user && !line->is_group) return "missing required attribute \"schemas\"";
  if (line->id.empty()) return "missing required attribute \"id\"";
  if (line->user.external_id.empty()) return "missing required attribute \"externalId\"";
  return "";
}

void AddParsedLine(ParsedLine& line, const RecordOrigin& origin, SnapshotChunk* out) {
  if (line.is_user) {
    SnapshotUser& user = out->users.emplace_back();
    user.id = line.id;
    user.user = line.user;
    user.user.origin = origin;
    user.user.emails = out->arena.CopyArray<Email>(line.emails);
    user.user.roles = out->arena.CopyArray<Role>(line.roles);
    return;
  }
  SnapshotGroup& group = out->groups.emplace_back();
  group.origin = origin;
  group.id = line.id;
  group.external_id = line.user.external_id;
  group.display_name = line.user.display_name;
  group.member_ids = out->arena.CopyArray<std::string_view>(line.members);
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
      ParsedLine parsed;
      const std::string reason = ParseLine(parser, line_text, &out->arena, &parsed);
      if (reason.empty()) {
        AddParsedLine(parsed, origin, out);
      } else {
        out->rejects.push_back({origin, out->arena.Copy(reason), out->arena.Copy(excerpt)});
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

Result<std::unique_ptr<CurrentState>> LoadSnapshot(const std::string& path,
                                                   const EngineOptions& options) {
  auto state = std::make_unique<CurrentState>(path);
  SCIMFLOW_RETURN_IF_ERROR(ReadSnapshotFile(path, options, [&](SnapshotChunk& chunk) {
    for (const Reject& reject : chunk.rejects) {
      state->AddIssue(reject.origin.line, std::string(reject.reason), reject.excerpt);
    }
    for (const SnapshotUser& user : chunk.users) state->AddUser(user.id, user.user);
    for (const SnapshotGroup& group : chunk.groups) {
      state->AddGroup(group.id, group.external_id, group.display_name, group.member_ids,
                      group.origin.line);
    }
  }));
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
