#include "io/plan_reader.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <utility>

#include "io/json_writer.h"
#include "io/plan_file.h"
#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace ondemand = simdjson::ondemand;

// The marker of a reference inside a body. The plan writer emits compact JSON, and inside a JSON
// string every `"` is escaped, so this byte sequence can only be a reference object.
constexpr std::string_view kRefOpen = "{\"$ref\":";

// The references of an operation as read: op ids, turned into indices once every operation is
// known. Kept beside the operations rather than in them, so the operations are parsed in place
// and never moved. The views are into the plan's text or its unescaped strings.
struct OperationRefs {
  std::vector<std::string_view> deps;
  std::string_view id_ref;
  std::vector<std::string_view> body_refs;  // One per hole of the body, in order.

  bool empty() const { return deps.empty() && id_ref.empty() && body_refs.empty(); }
};

// The references of the operations that have any, with their positions: most operations (every
// user create) have none, and keep no entry.
using PlanRefs = std::vector<std::pair<uint32_t, OperationRefs>>;

// An operation being read: where its fields go, and where an unescaped string is kept.
struct RawOperation {
  PlanOperation& operation;
  OperationRefs& refs;
  Arena& unescaped;
};

Status LineError(std::string_view file, uint64_t line, std::string_view reason) {
  return InvalidInputAt(file, line, reason);
}

std::string WrongType(std::string_view key, std::string_view expected) {
  return fmt::format("wrong type for \"{}\": expected {}", key, expected);
}

// The string `value` (its unescaped `text`, whose raw JSON token is `token`) as a view that
// outlives the parse: into the plan's text when the string holds no escape, so reads as it is
// written, else a copy of `text` in `unescaped`. Without a backslash before it, the first quote
// after the opening one closes the string, so the raw bytes are the string exactly when the
// byte after `text.size()` of them is that quote and none of them is a backslash.
std::string_view Keep(std::string_view token, std::string_view text, Arena* unescaped) {
  const std::string_view raw = token.substr(1);  // After the opening quote.
  if (raw.size() > text.size() && raw[text.size()] == '"' &&
      std::memchr(raw.data(), '\\', text.size()) == nullptr) {
    return raw.substr(0, text.size());
  }
  return unescaped->Copy(text);
}

// A string member, as a view that lives as long as the plan (see Keep).
Status ReadView(ondemand::value value, std::string_view key, Arena* unescaped,
                std::string_view* out) {
  const std::string_view token = value.raw_json_token();
  std::string_view text;
  if (value.get_string().get(text)) return InvalidArgument(WrongType(key, "string"));
  *out = Keep(token, text, unescaped);
  return Status::Ok();
}

// Unescapes the JSON string literal `literal` (quotes included) into `unescaped`. Only for a
// reference that holds an escape, which the plan writer never emits: a parser of its own is
// fine.
Result<std::string_view> UnescapeLiteral(std::string_view literal, Arena* unescaped) {
  simdjson::padded_string padded(literal);
  ondemand::parser parser;
  ondemand::document document;
  std::string_view value;
  if (parser.iterate(padded).get(document) || document.get_string().get(value)) {
    return InvalidArgument("malformed $ref");
  }
  return unescaped->Copy(value);
}

// Finds the holes of a body, its `{"$ref":"OP"}` objects. The body stays a view of the raw JSON.
Status SplitBody(std::string_view raw, const RawOperation* out) {
  BodyTemplate& body = out->operation.body;
  body.json = raw;
  size_t position = 0;
  while (true) {
    const size_t open = raw.find(kRefOpen, position);
    if (open == std::string_view::npos) break;
    size_t cursor = open + kRefOpen.size();
    if (cursor >= raw.size() || raw[cursor] != '"') return InvalidArgument("malformed $ref");
    size_t end = cursor + 1;
    bool escaped = false;
    while (end < raw.size() && raw[end] != '"') {
      escaped = escaped || raw[end] == '\\';
      end += raw[end] == '\\' ? 2 : 1;
    }
    if (end + 1 >= raw.size() || raw[end + 1] != '}') return InvalidArgument("malformed $ref");
    std::string_view ref = raw.substr(cursor + 1, end - cursor - 1);
    if (escaped) {
      SCIMFLOW_ASSIGN_OR_RETURN(
          ref, UnescapeLiteral(raw.substr(cursor, end - cursor + 1), &out->unescaped));
    }
    out->refs.body_refs.push_back(ref);
    position = end + 2;
    body.holes.push_back({open, position, 0});
  }
  return Status::Ok();
}

Status ReadStringArray(ondemand::value value, std::string_view key, Arena* unescaped,
                       std::vector<std::string_view>* out) {
  ondemand::array array;
  if (value.get_array().get(array)) return InvalidArgument(WrongType(key, "array"));
  for (auto element : array) {
    ondemand::value item;
    std::string_view text;
    if (element.get(item) || !ReadView(item, key, unescaped, &text).ok()) {
      return InvalidArgument(WrongType(key, "array of strings"));
    }
    out->push_back(text);
  }
  return Status::Ok();
}

// `id`: a string, or {"$ref": "OP"}.
Status ReadId(ondemand::value value, const RawOperation* out) {
  const std::string_view token = value.raw_json_token();
  std::string_view text;
  if (!value.get_string().get(text)) {
    out->operation.target_id = Keep(token, text, &out->unescaped);
    return Status::Ok();
  }
  ondemand::object object;
  ondemand::value ref;
  if (value.get_object().get(object) || object["$ref"].get(ref) ||
      !ReadView(ref, "id", &out->unescaped, &out->refs.id_ref).ok()) {
    return InvalidArgument(WrongType("id", "string or {\"$ref\": op}"));
  }
  return Status::Ok();
}

Status ReadString(ondemand::value value, std::string_view key, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text)) return InvalidArgument(WrongType(key, "string"));
  *out = std::string(text);
  return Status::Ok();
}

Status ReadField(std::string_view key, ondemand::value value, const RawOperation* out) {
  PlanOperation& operation = out->operation;
  Arena* const unescaped = &out->unescaped;
  if (key == "op") return ReadView(value, key, unescaped, &operation.op_id);
  if (key == "externalId") return ReadView(value, key, unescaped, &operation.external_id);
  if (key == "method") return ReadView(value, key, unescaped, &operation.method);
  if (key == "path") return ReadView(value, key, unescaped, &operation.path);
  if (key == "deps") return ReadStringArray(value, key, unescaped, &out->refs.deps);
  if (key == "id") return ReadId(value, out);
  if (key == "kind") {
    std::string_view name;
    if (value.get_string().get(name)) return InvalidArgument(WrongType(key, "string"));
    if (!ParseOperationKind(name, &operation.kind)) {
      return InvalidArgument(fmt::format("unknown kind \"{}\"", name));
    }
    return Status::Ok();
  }
  if (key == "members") {
    uint64_t members = 0;
    if (value.get_uint64().get(members) || members > UINT32_MAX) {
      return InvalidArgument(WrongType(key, "count"));
    }
    operation.members = static_cast<uint32_t>(members);
    return Status::Ok();
  }
  if (key == "body") {
    ondemand::object object;
    std::string_view raw;
    if (value.get_object().get(object) || object.raw_json().get(raw)) {
      return InvalidArgument(WrongType(key, "object"));
    }
    return SplitBody(raw, out);
  }
  return Status::Ok();  // Unknown members are for later versions; ignored.
}

Status CheckRequired(const RawOperation& raw) {
  const PlanOperation& operation = raw.operation;
  const std::pair<std::string_view, const std::string_view*> required[] = {
      {"op", &operation.op_id},
      {"externalId", &operation.external_id},
      {"method", &operation.method},
      {"path", &operation.path}};
  for (const auto& [key, value] : required) {
    if (value->empty())
      return InvalidArgument(fmt::format("missing required attribute \"{}\"", key));
  }
  if (operation.path.find("{id}") != std::string_view::npos && operation.target_id.empty() &&
      raw.refs.id_ref.empty()) {
    return InvalidArgument("path names {id} but the operation has no \"id\"");
  }
  if (operation.method != "DELETE" && operation.body.empty()) {
    return InvalidArgument("missing required attribute \"body\"");
  }
  return Status::Ok();
}

Status ParseOperationLine(ondemand::parser& parser, simdjson::padded_string_view padded,
                          const RawOperation* out) {
  ondemand::document document;
  ondemand::object object;
  if (parser.iterate(padded).get(document) || document.get_object().get(object)) {
    return InvalidArgument("malformed JSON");
  }
  bool has_kind = false;
  for (auto field : object) {
    std::string_view key;
    ondemand::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) {
      return InvalidArgument("malformed JSON");
    }
    has_kind = has_kind || key == "kind";
    SCIMFLOW_RETURN_IF_ERROR(ReadField(key, value, out));
  }
  if (!FinishDocument(document).ok()) return InvalidArgument("malformed JSON");
  if (!has_kind) return InvalidArgument("missing required attribute \"kind\"");
  return CheckRequired(*out);
}

Status ParseHeader(ondemand::parser& parser, simdjson::padded_string_view padded,
                   PlanFileInfo* info) {
  ondemand::document document;
  ondemand::object object;
  if (parser.iterate(padded).get(document) || document.get_object().get(object)) {
    return InvalidArgument("malformed JSON");
  }
  std::string_view format;
  uint64_t version = 0;
  for (auto field : object) {
    std::string_view key;
    ondemand::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) {
      return InvalidArgument("malformed JSON");
    }
    if (key == "format" && value.get_string().get(format)) {
      return InvalidArgument(WrongType(key, "string"));
    } else if (key == "version" && value.get_uint64().get(version)) {
      return InvalidArgument(WrongType(key, "integer"));
    } else if (key == "profile") {
      SCIMFLOW_RETURN_IF_ERROR(ReadString(value, key, &info->profile));
    } else if (key == "total" && value.get_uint64().get(info->total)) {
      return InvalidArgument(WrongType(key, "integer"));
    } else if (key == "rejects" && value.get_uint64().get(info->rejects)) {
      return InvalidArgument(WrongType(key, "integer"));
    } else if (key == "max_members_per_patch") {
      uint64_t members = 0;
      if (value.get_uint64().get(members)) return InvalidArgument(WrongType(key, "integer"));
      info->max_members_per_patch = static_cast<uint32_t>(members);
    } else if (key == "conflicts") {
      ondemand::object counts;
      if (value.get_object().get(counts)) return InvalidArgument(WrongType(key, "object"));
      for (auto count : counts) {
        uint64_t number = 0;
        if (count.value().get_uint64().get(number)) {
          return InvalidArgument(WrongType(key, "object of counts"));
        }
        info->conflicts += number;
      }
    }
  }
  if (format != kPlanFormatName || version != static_cast<uint64_t>(kPlanFormatVersion)) {
    return InvalidArgument(
        fmt::format("not a {} version {} header", kPlanFormatName, kPlanFormatVersion));
  }
  return Status::Ok();
}

// Op id → position of the operation, for Link: open addressing over a power-of-two table at
// most half full, probed linearly. One allocation for the whole plan, where a node-based map
// allocated one per operation; each slot keeps bits of its id's hash beside the position, so a
// probe compares ids only when those match.
class OpIdIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit OpIdIndex(const std::vector<PlanOperation>& operations)
      : operations_(operations),
        slots_(std::bit_ceil(std::max<size_t>(2 * operations.size(), 16))),
        mask_(slots_.size() - 1) {}

  // Adds the operation at `position`; returns the position of an operation already added with
  // the same id, else kNone.
  uint32_t Add(uint32_t position) {
    uint32_t tag = 0;
    Slot& entry = slots_[SlotOf(operations_[position].op_id, &tag)];
    if (entry.position != kNone) return entry.position;
    entry = {position, tag};
    return kNone;
  }

  // The position of the operation whose id is `id`, or kNone.
  uint32_t Find(std::string_view id) const {
    uint32_t tag = 0;
    return slots_[SlotOf(id, &tag)].position;
  }

 private:
  struct Slot {
    uint32_t position = kNone;
    uint32_t tag = 0;
  };

  // The slot holding `id`, or the empty slot where it would go; `*tag` gets its hash bits.
  size_t SlotOf(std::string_view id, uint32_t* tag) const {
    const uint64_t hash = XXH3_64bits(id.data(), id.size());
    *tag = static_cast<uint32_t>(hash >> 32);
    for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const Slot& entry = slots_[slot];
      if (entry.position == kNone) return slot;
      if (entry.tag == *tag && operations_[entry.position].op_id == id) return slot;
    }
  }

  const std::vector<PlanOperation>& operations_;
  std::vector<Slot> slots_;
  size_t mask_;
};

// Turns op id references into indices. Sequential on purpose: a parallel index would start the
// process's worker pool just to read a plan.
Status Link(std::string_view file, const PlanRefs& refs, ReadPlan* plan) {
  std::vector<PlanOperation>& operations = plan->operations;
  OpIdIndex index(operations);
  for (uint32_t position = 0; position < operations.size(); ++position) {
    if (index.Add(position) != OpIdIndex::kNone) {
      const PlanOperation& operation = operations[position];
      return LineError(file, operation.line,
                       fmt::format("duplicate op id \"{}\"", operation.op_id));
    }
  }
  for (const auto& [position, names] : refs) {
    PlanOperation& operation = operations[position];
    auto find = [&](std::string_view id, uint32_t* out) -> Status {
      *out = index.Find(id);
      if (*out == OpIdIndex::kNone) {
        return LineError(file, operation.line, fmt::format("unknown $ref \"{}\"", id));
      }
      return Status::Ok();
    };
    for (std::string_view dep : names.deps) {
      SCIMFLOW_RETURN_IF_ERROR(find(dep, &operation.deps.emplace_back()));
    }
    if (!names.id_ref.empty()) SCIMFLOW_RETURN_IF_ERROR(find(names.id_ref, &operation.id_ref));
    for (size_t hole = 0; hole < names.body_refs.size(); ++hole) {
      SCIMFLOW_RETURN_IF_ERROR(find(names.body_refs[hole], &operation.body.holes[hole].ref));
    }
  }
  return Status::Ok();
}

}  // namespace

bool ParseOperationKind(std::string_view name, OperationKind* kind) {
  for (size_t value = 0; value < kOperationKindCount; ++value) {
    if (OperationKindName(static_cast<OperationKind>(value)) == name) {
      *kind = static_cast<OperationKind>(value);
      return true;
    }
  }
  return false;
}

// ParsePlan over a plan's text, which becomes the plan's own. Each line is handed to simdjson
// in place: the rest of the text after a line is readable, and simdjson reads the padding after
// a document but never lets its bytes change the result, so no line is copied.
Result<ReadPlan> ParsePadded(PaddedText padded, std::string_view file) {
  ReadPlan plan;
  plan.text = std::move(padded);  // Before any view is taken: the bytes stay where they are.
  const std::string_view text = plan.text.text();
  if (text.empty()) return InvalidArgument(fmt::format("{}: empty plan file", file));
  // The digest is taken a line at a time as the parse goes, each line just before the parser
  // reads it, so a plan far larger than the cache comes from memory once, not twice.
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> digest(XXH3_createState(),
                                                                         &XXH3_freeState);
  XXH3_64bits_reset(digest.get());
  const char* const padded_end = plan.text.data() + plan.text.padded_size();
  const auto in_place = [&](std::string_view line_text) {
    return simdjson::padded_string_view(line_text.data(), line_text.size(),
                                        static_cast<size_t>(padded_end - line_text.data()));
  };
  ondemand::parser parser;
  std::vector<PlanOperation>& operations = plan.operations;
  PlanRefs refs;
  OperationRefs line_refs;  // Those of the line being read.
  uint64_t line = 0;
  size_t position = 0;
  while (position < text.size()) {
    const size_t newline = text.find('\n', position);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view line_text = text.substr(position, end - position);
    XXH3_64bits_update(digest.get(), line_text.data(), std::min(end + 1, text.size()) - position);
    position = end + 1;
    ++line;
    if (line == 1) {
      const Status header = ParseHeader(parser, in_place(line_text), &plan.info);
      if (!header.ok()) return LineError(file, line, header.message());
      // Every operation line is longer than this, so a header announcing more cannot make the
      // reservation outgrow the file.
      constexpr size_t kShortestLine = 32;
      const size_t expected = std::min<uint64_t>(plan.info.total, text.size() / kShortestLine);
      operations.reserve(expected);
      continue;
    }
    if (line_text.empty() && position >= text.size()) break;
    const RawOperation raw{operations.emplace_back(), line_refs, plan.unescaped};
    raw.operation.line = line;
    const Status parsed = ParseOperationLine(parser, in_place(line_text), &raw);
    if (!parsed.ok()) return LineError(file, line, parsed.message());
    if (!line_refs.empty()) {
      refs.emplace_back(static_cast<uint32_t>(operations.size() - 1), std::move(line_refs));
      line_refs = OperationRefs();
    }
  }
  if (operations.size() != plan.info.total) {
    return InvalidArgument(
        fmt::format("{}: truncated: the header announces {} operations, the file holds {}", file,
                    plan.info.total, operations.size()));
  }
  SCIMFLOW_RETURN_IF_ERROR(Link(file, refs, &plan));
  plan.digest = fmt::format("{:016x}", XXH3_64bits_digest(digest.get()));
  return plan;
}

Result<ReadPlan> ParsePlan(std::string_view text, std::string_view file) {
  // One copy of the whole text, which the plan keeps, rather than one per line or string.
  return ParsePadded(PaddedText::Copy(text), file);
}

Result<ReadPlan> ReadPlanFile(const std::string& path) {
  Result<PaddedText> text = PaddedText::OfFile(path);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound
               ? NotFound(fmt::format("{}: cannot open the plan file", path))
               : IoError(fmt::format("{}: cannot read the plan file", path));
  }
  return ParsePadded(std::move(*text), path);
}

std::string RenderBody(const BodyTemplate& body,
                       const std::function<std::string_view(uint32_t)>& target_id) {
  std::string out;
  out.reserve(body.json.size());
  size_t position = 0;
  for (const BodyTemplate::Hole& hole : body.holes) {
    out.append(body.json.substr(position, hole.begin - position));
    AppendJsonString(&out, target_id(hole.ref));
    position = hole.end;
  }
  out.append(body.json.substr(position));
  return out;
}

}  // namespace scimflow
