#include "io/plan_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "io/json_writer.h"
#include "io/scim_body.h"
#include "io/snapshot_file.h"

namespace scimflow {

namespace {

// Operations rendered per parallel block; large enough to amortise the pipeline, small enough
// that a few blocks in flight stay in the megabytes.
constexpr size_t kOperationsPerBlock = 4096;
constexpr size_t kDigestBlockBytes = size_t{1} << 20;

std::string_view InputFile(const PlanFileHeader& header, InputKind input) {
  const std::string_view role = input == InputKind::kUsers    ? "users"
                                : input == InputKind::kGroups ? "groups"
                                                              : "assignments";
  for (const PlanInput& candidate : header.inputs) {
    if (candidate.role == role) return candidate.file;
  }
  return role;
}

void WriteConflicts(const Plan& plan, const PlanFileHeader& header, JsonWriter* json) {
  uint64_t per_kind[3] = {0, 0, 0};
  for (const Conflict& conflict : plan.conflicts) ++per_kind[static_cast<size_t>(conflict.kind)];
  json->Key("conflicts").BeginObject();
  for (ConflictKind kind :
       {ConflictKind::kUsernameChange, ConflictKind::kGroupRole, ConflictKind::kUsernameTaken}) {
    json->Member(ConflictKindName(kind), per_kind[static_cast<size_t>(kind)]);
  }
  json->EndObject().Key("conflict_list").BeginArray();
  for (const Conflict& conflict : plan.conflicts) {
    json->BeginObject()
        .Member("kind", ConflictKindName(conflict.kind))
        .Member("externalId", conflict.external_id)
        .Member("file", InputFile(header, conflict.input))
        .Member("line", conflict.line)
        .Member("detail", conflict.detail)
        .EndObject();
  }
  json->EndArray();
}

// `{"$ref":"<op id>"}` where a target id is not known before the plan runs.
void WriteIdOrRef(std::string_view id, const std::string& ref, JsonWriter* json) {
  if (!id.empty()) {
    json->String(id);
  } else {
    json->BeginObject().Member("$ref", ref).EndObject();
  }
}

void BeginPatch(JsonWriter* json) {
  json->Key("body").BeginObject();
  json->Key("schemas").BeginArray().String(kScimPatchOpSchema).EndArray();
  json->Key("Operations").BeginArray();
}

void EndPatch(JsonWriter* json) { json->EndArray().EndObject(); }

void WriteReplace(std::string_view path, bool value, JsonWriter* json) {
  json->BeginObject().Member("op", "replace").Member("path", path).Member("value", value);
  json->EndObject();
}

// One `replace` per changed attribute with a value, one `remove` per attribute now absent.
void WriteAttributeOps(const User& user, uint8_t attributes, JsonWriter* json) {
  for (uint8_t attribute : {kAttrName, kAttrDisplayName, kAttrEmails, kAttrRoles}) {
    if ((attributes & attribute) == 0) continue;
    const std::string_view path = AttributePath(attribute);
    if (!HasAttribute(user, attribute)) {
      json->BeginObject().Member("op", "remove").Member("path", path).EndObject();
      continue;
    }
    json->BeginObject().Member("op", "replace").Member("path", path).Key("value");
    WriteAttributeValue(user, attribute, json);
    json->EndObject();
  }
}

// `members[value eq "ID"]`, with `"` and `\` escaped inside the filter's string literal.
std::string MemberFilter(std::string_view id) {
  std::string filter = "members[value eq \"";
  for (char byte : id) {
    if (byte == '"' || byte == '\\') filter.push_back('\\');
    filter.push_back(byte);
  }
  filter += "\"]";
  return filter;
}

void WriteUserRequest(const Plan& plan, const Operation& operation, JsonWriter* json) {
  const User* user =
      operation.desired != kNoIndex ? plan.desired->users[operation.desired].attributes : nullptr;
  if (operation.kind == OperationKind::kUserCreate) {
    json->Member("method", "POST").Member("path", "/Users").Key("body").BeginObject();
    WriteUserMembers(*user, "", json);
    json->EndObject();
    return;
  }
  json->Member("method", "PATCH")
      .Member("path", "/Users/{id}")
      .Member("id", plan.TargetId(operation));
  BeginPatch(json);
  if (operation.kind == OperationKind::kUserDeactivate) WriteReplace("active", false, json);
  if (operation.kind == OperationKind::kUserReactivate) WriteReplace("active", true, json);
  if (operation.attributes != 0) WriteAttributeOps(*user, operation.attributes, json);
  EndPatch(json);
}

void WriteMembers(const Plan& plan, const Operation& operation, JsonWriter* json) {
  const auto users = std::span<const uint32_t>(plan.members)
                         .subspan(operation.member_begin, operation.member_count);
  if (operation.kind == OperationKind::kGroupMembersRemove) {
    for (uint32_t user : users) {
      json->BeginObject()
          .Member("op", "remove")
          .Member("path", MemberFilter(plan.current->users()[user].id))
          .EndObject();
    }
    return;
  }
  json->BeginObject().Member("op", "add").Member("path", "members").Key("value").BeginArray();
  for (uint32_t user : users) {
    const DesiredUser& member = plan.desired->users[user];
    const std::string_view id =
        member.current != kNoIndex ? plan.current->users()[member.current].id : "";
    const uint32_t setup = plan.UserSetupOperation(user);
    const std::string ref = id.empty() && setup != kNoIndex
                                ? plan.OperationId(plan.operations[setup])
                                : fmt::format("u:{}:create", member.external_id);
    json->BeginObject().Key("value");
    WriteIdOrRef(id, ref, json);
    json->EndObject();
  }
  json->EndArray().EndObject();
}

void WriteGroupRequest(const Plan& plan, const Operation& operation, JsonWriter* json) {
  if (operation.kind == OperationKind::kGroupCreate) {
    const DesiredGroup& group = plan.desired->groups[operation.desired];
    json->Member("method", "POST").Member("path", "/Groups").Key("body").BeginObject();
    json->Key("schemas").BeginArray().String(kScimGroupSchema).EndArray();
    json->Member("externalId", group.external_id).Member("displayName", group.display_name);
    json->EndObject();
    return;
  }
  const char* method = operation.kind == OperationKind::kGroupDelete ? "DELETE" : "PATCH";
  json->Member("method", method).Member("path", "/Groups/{id}").Key("id");
  const Operation create{OperationKind::kGroupCreate, 0, operation.desired, kNoIndex};
  WriteIdOrRef(plan.TargetId(operation),
               operation.current == kNoIndex ? plan.OperationId(create) : std::string(), json);
  if (operation.kind == OperationKind::kGroupDelete) return;
  BeginPatch(json);
  if (operation.kind == OperationKind::kGroupRename) {
    json->BeginObject()
        .Member("op", "replace")
        .Member("path", "displayName")
        .Member("value", plan.desired->groups[operation.desired].display_name)
        .EndObject();
  } else {
    WriteMembers(plan, operation, json);
  }
  EndPatch(json);
}

}  // namespace

Result<PlanInput> DigestFile(std::string_view role, const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    const int error = errno;
    const std::string message = fmt::format("{}: cannot open: {}", path, std::strerror(error));
    return error == ENOENT ? NotFound(message) : IoError(message);
  }
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                        &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  PlanInput input{std::string(role), path, 0, 0};
  std::vector<char> buffer(kDigestBlockBytes);
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    XXH3_64bits_update(state.get(), buffer.data(), got);
    input.bytes += got;
  }
  if (std::ferror(file.get())) return IoError(fmt::format("{}: read failed", path));
  input.xxh3 = XXH3_64bits_digest(state.get());
  return input;
}

void AppendPlanHeader(const Plan& plan, const PlanFileHeader& header, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Member("format", kPlanFormatName)
      .Member("version", kPlanFormatVersion)
      .Member("profile", plan.profile->name)
      .Member("max_members_per_patch", plan.max_members_per_patch)
      .Key("inputs")
      .BeginArray();
  for (const PlanInput& input : header.inputs) {
    json.BeginObject()
        .Member("role", input.role)
        .Member("file", input.file)
        .Member("bytes", input.bytes)
        .Member("xxh3", fmt::format("{:016x}", input.xxh3))
        .EndObject();
  }
  json.EndArray().Key("operations").BeginObject();
  uint64_t total = 0;
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    json.Member(OperationKindName(static_cast<OperationKind>(kind)), plan.counts[kind]);
    total += plan.counts[kind];
  }
  json.EndObject()
      .Member("total", total)
      .Member("members_added", plan.members_added)
      .Member("members_removed", plan.members_removed)
      .Member("members_left_out", plan.members_left_out)
      .Member("rejects", header.rejects);
  WriteConflicts(plan, header, &json);
  json.EndObject();
  out->push_back('\n');
}

void AppendOperationLine(const Plan& plan, size_t index, std::string* out) {
  const Operation& operation = plan.operations[index];
  JsonWriter json(out);
  json.BeginObject()
      .Member("op", plan.OperationId(operation))
      .Member("kind", OperationKindName(operation.kind))
      .Member("externalId", plan.ExternalId(operation));
  const std::vector<std::string> dependencies = plan.Dependencies(operation);
  if (!dependencies.empty()) {
    json.Key("deps").BeginArray();
    for (const std::string& dependency : dependencies) json.String(dependency);
    json.EndArray();
  }
  if (operation.member_count != 0) json.Member("members", operation.member_count);
  if (IsGroupKind(operation.kind)) {
    WriteGroupRequest(plan, operation, &json);
  } else {
    WriteUserRequest(plan, operation, &json);
  }
  json.EndObject();
  out->push_back('\n');
}

Status WritePlanFile(const std::string& path, const Plan& plan, const PlanFileHeader& header) {
  const std::string temporary = path + ".tmp";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(temporary.c_str(), "wb"),
                                                       &std::fclose);
  if (!file) return IoError(fmt::format("{}: cannot write: {}", temporary, std::strerror(errno)));
  std::string text;
  AppendPlanHeader(plan, header, &text);
  bool written = std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
  const size_t blocks = (plan.operations.size() + kOperationsPerBlock - 1) / kOperationsPerBlock;
  size_t next_block = 0;
  tbb::parallel_pipeline(
      2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency()),
      tbb::make_filter<void, size_t>(tbb::filter_mode::serial_in_order,
                                     [&](tbb::flow_control& control) -> size_t {
                                       if (next_block == blocks) control.stop();
                                       return next_block++;
                                     }) &
          tbb::make_filter<size_t, std::string*>(
              tbb::filter_mode::parallel,
              [&](size_t block) {
                auto rendered = std::make_unique<std::string>();
                const size_t begin = block * kOperationsPerBlock;
                const size_t end = std::min(plan.operations.size(), begin + kOperationsPerBlock);
                for (size_t index = begin; index < end; ++index) {
                  AppendOperationLine(plan, index, rendered.get());
                }
                return rendered.release();
              }) &
          tbb::make_filter<std::string*, void>(
              tbb::filter_mode::serial_in_order, [&](std::string* raw) {
                std::unique_ptr<std::string> rendered(raw);
                written = written && std::fwrite(rendered->data(), 1, rendered->size(),
                                                 file.get()) == rendered->size();
              }));
  written = std::fflush(file.get()) == 0 && written;
  std::FILE* handle = file.release();
  written = std::fclose(handle) == 0 && written;
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return IoError(fmt::format("{}: cannot write the plan: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace scimflow
