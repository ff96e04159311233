#include "io/plan_reader.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "io/json_writer.h"
#include "io/plan_file.h"
#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace ondemand = simdjson::ondemand;

// The marker of a reference inside a body. The plan writer emits compact JSON, and inside a JSON
// string every `"` is escaped, so this byte sequence can only be a reference object.
constexpr std::string_view kRefOpen = "{\"$ref\":";

// The references of an operation as read: op id strings, turned into indices once every
// operation is known. Kept beside the operations rather than in them, so the operations are
// parsed in place and never moved.
struct OperationRefs {
  std::vector<std::string> deps;
  std::string id_ref;
  std::vector<std::string> body_refs;
};

// An operation being read: where its fields go.
struct RawOperation {
  PlanOperation& operation;
  OperationRefs& refs;
};

Status LineError(std::string_view file, uint64_t line, std::string_view reason) {
  return InvalidInputAt(file, line, reason);
}

std::string WrongType(std::string_view key, std::string_view expected) {
  return fmt::format("wrong type for \"{}\": expected {}", key, expected);
}

// Unescapes the JSON string literal `literal` (quotes included).
Result<std::string> UnescapeLiteral(std::string_view literal) {
  simdjson::padded_string padded(literal);
  ondemand::parser parser;
  ondemand::document document;
  std::string_view value;
  if (parser.iterate(padded).get(document) || document.get_string().get(value)) {
    return InvalidArgument("malformed $ref");
  }
  return std::string(value);
}

// Splits a body's raw JSON at its `{"$ref":"OP"}` objects.
Status SplitBody(std::string_view raw, const RawOperation* out) {
  BodyTemplate& body = out->operation.body;
  body.pieces.emplace_back();
  size_t position = 0;
  while (true) {
    const size_t open = raw.find(kRefOpen, position);
    if (open == std::string_view::npos) break;
    body.pieces.back().append(raw.substr(position, open - position));
    size_t cursor = open + kRefOpen.size();
    if (cursor >= raw.size() || raw[cursor] != '"') return InvalidArgument("malformed $ref");
    size_t end = cursor + 1;
    while (end < raw.size() && raw[end] != '"') end += raw[end] == '\\' ? 2 : 1;
    if (end + 1 >= raw.size() || raw[end + 1] != '}') return InvalidArgument("malformed $ref");
    SCIMFLOW_ASSIGN_OR_RETURN(std::string ref,
                              UnescapeLiteral(raw.substr(cursor, end - cursor + 1)));
    out->refs.body_refs.push_back(std::move(ref));
    body.pieces.emplace_back();
    position = end + 2;
  }
  body.pieces.back().append(raw.substr(position));
  return Status::Ok();
}

Status ReadStringArray(ondemand::value value, std::string_view key, std::vector<std::string>* out) {
  ondemand::array array;
  if (value.get_array().get(array)) return InvalidArgument(WrongType(key, "array"));
  for (auto element : array) {
    std::string_view text;
    if (element.get_string().get(text)) return InvalidArgument(WrongType(key, "array of strings"));
    out->emplace_back(text);
  }
  return Status::Ok();
}

// `id`: a string, or {"$ref": "OP"}.
Status ReadId(ondemand::value value, const RawOperation* out) {
  std::string_view text;
  if (!value.get_string().get(text)) {
    out->operation.target_id = std::string(text);
    return Status::Ok();
  }
  ondemand::object object;
  if (value.get_object().get(object) || object["$ref"].get_string().get(text)) {
    return InvalidArgument(WrongType("id", "string or {\"$ref\": op}"));
  }
  out->refs.id_ref = std::string(text);
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
  if (key == "op") return ReadString(value, key, &operation.op_id);
  if (key == "externalId") return ReadString(value, key, &operation.external_id);
  if (key == "method") return ReadString(value, key, &operation.method);
  if (key == "path") return ReadString(value, key, &operation.path);
  if (key == "deps") return ReadStringArray(value, key, &out->refs.deps);
  if (key == "id") return ReadId(value, out);
  if (key == "kind") {
    std::string name;
    SCIMFLOW_RETURN_IF_ERROR(ReadString(value, key, &name));
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
  const std::pair<std::string_view, const std::string*> required[] = {
      {"op", &operation.op_id},
      {"externalId", &operation.external_id},
      {"method", &operation.method},
      {"path", &operation.path}};
  for (const auto& [key, value] : required) {
    if (value->empty())
      return InvalidArgument(fmt::format("missing required attribute \"{}\"", key));
  }
  if (operation.path.find("{id}") != std::string::npos && operation.target_id.empty() &&
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

// Turns op id references into indices. Sequential on purpose: a parallel index would start the
// process's worker pool just to read a plan.
Status Link(std::string_view file, const std::vector<OperationRefs>& refs, ReadPlan* plan) {
  std::vector<PlanOperation>& operations = plan->operations;
  std::unordered_map<std::string_view, uint32_t> index;
  index.reserve(operations.size());
  for (uint32_t position = 0; position < operations.size(); ++position) {
    const PlanOperation& operation = operations[position];
    if (!index.emplace(operation.op_id, position).second) {
      return LineError(file, operation.line,
                       fmt::format("duplicate op id \"{}\"", operation.op_id));
    }
  }
  for (size_t position = 0; position < operations.size(); ++position) {
    const OperationRefs& names = refs[position];
    if (names.deps.empty() && names.id_ref.empty() && names.body_refs.empty()) continue;
    PlanOperation& operation = operations[position];
    auto find = [&](const std::string& id, uint32_t* out) -> Status {
      const auto found = index.find(id);
      if (found == index.end()) {
        return LineError(file, operation.line, fmt::format("unknown $ref \"{}\"", id));
      }
      *out = found->second;
      return Status::Ok();
    };
    for (const std::string& dep : names.deps) {
      SCIMFLOW_RETURN_IF_ERROR(find(dep, &operation.deps.emplace_back()));
    }
    if (!names.id_ref.empty()) SCIMFLOW_RETURN_IF_ERROR(find(names.id_ref, &operation.id_ref));
    for (const std::string& ref : names.body_refs) {
      SCIMFLOW_RETURN_IF_ERROR(find(ref, &operation.body.refs.emplace_back()));
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

// ParsePlan over a buffer with simdjson's padding after its end. Each line is handed to simdjson
// in place: the rest of the buffer after a line is readable, and simdjson reads the padding after
// a document but never lets its bytes change the result, so no line is copied.
Result<ReadPlan> ParsePadded(simdjson::padded_string_view text, std::string_view file) {
  ReadPlan plan;
  plan.digest = fmt::format("{:016x}", XXH3_64bits(text.data(), text.size()));
  if (text.empty()) return InvalidArgument(fmt::format("{}: empty plan file", file));
  const char* const padded_end = text.data() + text.capacity();
  const auto in_place = [&](std::string_view line_text) {
    return simdjson::padded_string_view(line_text.data(), line_text.size(),
                                        static_cast<size_t>(padded_end - line_text.data()));
  };
  ondemand::parser parser;
  std::vector<PlanOperation>& operations = plan.operations;
  std::vector<OperationRefs> refs;
  uint64_t line = 0;
  size_t position = 0;
  while (position < text.size()) {
    const size_t newline = text.find('\n', position);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view line_text = text.substr(position, end - position);
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
      refs.reserve(expected);
      continue;
    }
    if (line_text.empty() && position >= text.size()) break;
    const RawOperation raw{operations.emplace_back(), refs.emplace_back()};
    raw.operation.line = line;
    const Status parsed = ParseOperationLine(parser, in_place(line_text), &raw);
    if (!parsed.ok()) return LineError(file, line, parsed.message());
  }
  if (operations.size() != plan.info.total) {
    return InvalidArgument(
        fmt::format("{}: truncated: the header announces {} operations, the file holds {}", file,
                    plan.info.total, operations.size()));
  }
  SCIMFLOW_RETURN_IF_ERROR(Link(file, refs, &plan));
  return plan;
}

Result<ReadPlan> ParsePlan(std::string_view text, std::string_view file) {
  // One copy of the whole text into a padded buffer, rather than one per line.
  const simdjson::padded_string padded(text);
  return ParsePadded(padded, file);
}

Result<ReadPlan> ReadPlanFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(fmt::format("{}: cannot open the plan file", path));
  // A regular file is read straight into a padded buffer of its size; anything whose size is not
  // known up front (a pipe) through a stream.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {
    in.clear();
    in.seekg(0, std::ios::beg);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return IoError(fmt::format("{}: cannot read the plan file", path));
    return ParsePlan(text.str(), path);
  }
  in.seekg(0, std::ios::beg);
  simdjson::padded_string text(static_cast<size_t>(size));
  in.read(text.data(), size);
  if (in.bad() || in.gcount() != size) {
    return IoError(fmt::format("{}: cannot read the plan file", path));
  }
  return ParsePadded(text, path);
}

std::string RenderBody(const BodyTemplate& body,
                       const std::function<std::string_view(uint32_t)>& target_id) {
  std::string out;
  for (size_t piece = 0; piece < body.pieces.size(); ++piece) {
    out.append(body.pieces[piece]);
    if (piece < body.refs.size()) AppendJsonString(&out, target_id(body.refs[piece]));
  }
  return out;
}

}  // namespace scimflow
