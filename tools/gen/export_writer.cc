#include "tools/gen/export_writer.h"

#include <array>
#include <vector>

#include "io/json_writer.h"
#include "tools/gen/block_writer.h"

namespace scimflow::gen {
namespace {

constexpr std::string_view kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
constexpr std::string_view kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

// Records per rendered block. Users: ~350 bytes each, so a block is ~0.7 MB. Groups vary from 5
// to 10^5 members, so their blocks are cut by member count too (~1 MB of CSV edges).
constexpr size_t kUsersPerBlock = 2048;
constexpr size_t kGroupsPerBlock = 256;
constexpr size_t kMembersPerBlock = 32'768;
constexpr size_t kAssignmentsPerBlock = 8192;
// Snapshot user lines (~450 bytes) per block; groups are cut as in the groups file.
constexpr size_t kSnapshotLinesPerBlock = 2048;

constexpr std::string_view kUserFormatNames[] = {"scim", "scim-array", "okta", "okta-ndjson",
                                                 "csv"};
constexpr std::string_view kUserFileNames[] = {"users.ndjson", "users.json", "users.okta.json",
                                               "users.okta.ndjson", "users.csv"};
constexpr std::string_view kEdgeFormatNames[] = {"ndjson", "csv"};

// Serials of the users the IdP lists (and, for `assigned_only`, assigns), ascending.
std::vector<uint32_t> IdpUsers(const ExportModel& model, bool assigned_only) {
  std::vector<uint32_t> serials;
  serials.reserve(model.users.size());
  for (const GenUser& user : model.users) {
    if (user.InIdp() && (!assigned_only || user.Assigned())) serials.push_back(user.serial);
  }
  return serials;
}

// One SCIM User object; `target_id` empty for the IdP export, the target's id in a snapshot.
void AppendScimUser(const UserText& text, std::string_view target_id, bool full_name, bool active,
                    JsonWriter* json) {
  json->BeginObject().Key("schemas").BeginArray().String(kUserSchema).EndArray();
  if (!target_id.empty()) json->Member("id", target_id);
  json->Member("externalId", text.external_id).Member("userName", text.user_name);
  json->Key("name").BeginObject();
  json->Member("givenName", text.given_name).Member("familyName", text.family_name);
  if (full_name) {
    json->Member("formatted", text.formatted);
    if (!text.middle_name.empty()) json->Member("middleName", text.middle_name);
  }
  json->EndObject().Member("displayName", text.display_name);
  json->Key("emails").BeginArray().BeginObject().Member("value", text.user_name);
  json->Member("type", "work").Member("primary", true).EndObject().EndArray();
  json->Key("roles").BeginArray();
  for (int index = 0; index < text.role_count; ++index) {
    json->BeginObject()
        .Member("value", text.roles[index])
        .Member("primary", index == 0)
        .EndObject();
  }
  json->EndArray().Member("active", active).EndObject();
}

// Okta's status for an inactive user alternates between the two common ones; any non-ACTIVE
// status means inactive (docs/input-formats.md).
std::string_view OktaStatus(const GenUser& user) {
  if (user.Active()) return "ACTIVE";
  return user.serial % 2 == 0 ? "SUSPENDED" : "DEPROVISIONED";
}

void AppendOktaUser(const UserText& text, const GenUser& user, JsonWriter* json) {
  json->BeginObject().Member("id", text.external_id).Member("status", OktaStatus(user));
  json->Key("profile").BeginObject().Member("login", text.user_name);
  json->Member("firstName", text.given_name).Member("lastName", text.family_name);
  json->Member("email", text.user_name).Member("displayName", text.display_name);
  json->EndObject().EndObject();
}

void AppendRolesCsv(const UserText& text, std::string* out) {
  std::string roles;
  for (int index = 0; index < text.role_count; ++index) {
    if (index > 0) roles.push_back(';');
    roles.append(text.roles[index]);
  }
  AppendCsvField(out, roles);
}

void AppendCsvUser(const UserText& text, std::string* out) {
  for (std::string_view field :
       {text.external_id, std::string_view(text.user_name), text.given_name, text.family_name,
        text.middle_name, std::string_view(text.formatted), std::string_view(text.display_name),
        std::string_view(text.user_name)}) {
    AppendCsvField(out, field);
    out->push_back(',');
  }
  out->append(text.active ? "true," : "false,");
  AppendRolesCsv(text, out);
  out->push_back('\n');
}

// Renders users [begin, end) of `serials` in `format`; JSON arrays get ",\n" before every element
// but the file's first, so the array has one element per line.
void RenderUsers(const ExportModel& model, const IdScheme& ids, UserFormat format,
                 const std::vector<uint32_t>& serials, size_t begin, size_t end, std::string* out) {
  UserText text;
  JsonWriter json(out);
  const bool array = format == UserFormat::kScimArray || format == UserFormat::kOkta;
  for (size_t index = begin; index < end; ++index) {
    const GenUser& user = model.users[serials[index]];
    text.Fill(ids, user);
    if (format == UserFormat::kCsv) {
      AppendCsvUser(text, out);
      continue;
    }
    if (array && index > 0) out->append(",\n");
    if (format == UserFormat::kScim || format == UserFormat::kScimArray) {
      AppendScimUser(text, {}, /*full_name=*/true, text.active, &json);
    } else {
      AppendOktaUser(text, user, &json);
    }
    if (!array) out->push_back('\n');
  }
}

void RenderGroups(const ExportModel& model, const IdScheme& ids, GroupFormat format, size_t begin,
                  size_t end, std::string* out) {
  ExternalIdBuffer group_id;
  ExternalIdBuffer member_id;
  JsonWriter json(out);
  for (size_t index = begin; index < end; ++index) {
    const GenGroup& group = model.groups[index];
    const std::string_view external_id =
        ids.ExternalId(EntityKind::kGroup, group.serial, &group_id);
    const std::string display_name = GroupDisplayName(group);
    if (format == GroupFormat::kNdjson) {
      json.BeginObject().Member("externalId", external_id).Member("displayName", display_name);
      json.Key("members").BeginArray();
      for (uint32_t member : group.members) {
        json.String(ids.ExternalId(EntityKind::kUser, member, &member_id));
      }
      json.EndArray().EndObject();
      out->push_back('\n');
      continue;
    }
    // CSV edges: one row per membership; a group without members is declared by one row with
    // an empty member column (docs/input-formats.md).
    std::string prefix;
    AppendCsvField(&prefix, external_id);
    prefix.push_back(',');
    AppendCsvField(&prefix, display_name);
    prefix.push_back(',');
    if (group.members.empty()) out->append(prefix).push_back('\n');
    for (uint32_t member : group.members) {
      out->append(prefix).append(ids.ExternalId(EntityKind::kUser, member, &member_id));
      out->push_back('\n');
    }
  }
}

void RenderAssignments(const ExportModel& model, const IdScheme& ids, AssignmentFormat format,
                       const std::vector<uint32_t>& serials, size_t begin, size_t end,
                       std::string* out) {
  ExternalIdBuffer id_buffer;
  std::array<std::string_view, 4> roles;
  JsonWriter json(out);
  for (size_t index = begin; index < end; ++index) {
    const GenUser& user = model.users[serials[index]];
    const std::string_view external_id = ids.ExternalId(EntityKind::kUser, user.serial, &id_buffer);
    const int role_count = RoleValues(user.roles, &roles);
    if (format == AssignmentFormat::kNdjson) {
      json.BeginObject().Member("externalId", external_id).Key("roles").BeginArray();
      for (int role = 0; role < role_count; ++role) json.String(roles[role]);
      json.EndArray().EndObject();
    } else {
      out->append(external_id).push_back(',');
      std::string joined;
      for (int role = 0; role < role_count; ++role) {
        if (role > 0) joined.push_back(';');
        joined.append(roles[role]);
      }
      AppendCsvField(out, joined);
    }
    out->push_back('\n');
  }
}

void RenderSnapshotGroup(const IdScheme& ids, const GenGroup& group, std::string* out) {
  ExternalIdBuffer external_id;
  TargetIdBuffer target_id;
  JsonWriter json(out);
  json.BeginObject().Key("schemas").BeginArray().String(kGroupSchema).EndArray();
  json.Member("id", ids.TargetId(EntityKind::kGroup, group.serial, &target_id));
  json.Member("externalId", ids.ExternalId(EntityKind::kGroup, group.serial, &external_id));
  json.Member("displayName", GroupDisplayName(group)).Key("members").BeginArray();
  for (uint32_t member : group.members) {
    json.BeginObject().Member("value", ids.TargetId(EntityKind::kUser, member, &target_id));
    json.EndObject();
  }
  json.EndArray().EndObject();
  out->push_back('\n');
}

// Block ends over [first_item, first_item + groups.size()) that cut after kMembersPerBlock
// members or kGroupsPerBlock groups, whichever comes first, appended to `*ends`: a 10^5-member
// group is a block of its own, a hundred small ones share one.
void AppendGroupBlocks(const std::vector<GenGroup>& groups, size_t first_item,
                       std::vector<size_t>* ends) {
  size_t members = 0;
  size_t in_block = 0;
  for (size_t index = 0; index < groups.size(); ++index) {
    members += groups[index].members.size();
    ++in_block;
    if (members >= kMembersPerBlock || in_block == kGroupsPerBlock || index + 1 == groups.size()) {
      ends->push_back(first_item + index + 1);
      members = 0;
      in_block = 0;
    }
  }
}

Result<WriteStats> Stats(Result<uint64_t> bytes, uint64_t records) {
  if (!bytes.ok()) return bytes.status();
  return WriteStats{records, *bytes};
}

}  // namespace

std::string_view FormatName(UserFormat format) {
  return kUserFormatNames[static_cast<int>(format)];
}
std::string_view FormatName(GroupFormat format) {
  return kEdgeFormatNames[static_cast<int>(format)];
}
std::string_view FormatName(AssignmentFormat format) {
  return kEdgeFormatNames[static_cast<int>(format)];
}

std::optional<UserFormat> ParseUserFormat(std::string_view name) {
  for (size_t index = 0; index < std::size(kUserFormatNames); ++index) {
    if (kUserFormatNames[index] == name) return static_cast<UserFormat>(index);
  }
  return std::nullopt;
}
std::optional<GroupFormat> ParseGroupFormat(std::string_view name) {
  if (name == "ndjson") return GroupFormat::kNdjson;
  if (name == "csv") return GroupFormat::kCsv;
  return std::nullopt;
}
std::optional<AssignmentFormat> ParseAssignmentFormat(std::string_view name) {
  if (name == "ndjson") return AssignmentFormat::kNdjson;
  if (name == "csv") return AssignmentFormat::kCsv;
  return std::nullopt;
}

std::string_view FileName(UserFormat format) { return kUserFileNames[static_cast<int>(format)]; }
std::string_view FileName(GroupFormat format) {
  return format == GroupFormat::kNdjson ? "groups.ndjson" : "groups.csv";
}
std::string_view FileName(AssignmentFormat format) {
  return format == AssignmentFormat::kNdjson ? "assignments.ndjson" : "assignments.csv";
}

bool CarriesFullName(UserFormat format) {
  return format != UserFormat::kOkta && format != UserFormat::kOktaNdjson;
}

void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char byte : field) {
    if (byte == '"') out->push_back('"');
    out->push_back(byte);
  }
  out->push_back('"');
}

Result<WriteStats> WriteUsers(const ExportModel& model, const IdScheme& ids, UserFormat format,
                              const std::string& path) {
  const std::vector<uint32_t> serials = IdpUsers(model, /*assigned_only=*/false);
  std::string_view head;
  std::string_view tail;
  if (format == UserFormat::kCsv) {
    head =
        "externalId,userName,givenName,familyName,middleName,formatted,displayName,email,"
        "active,roles\n";
  } else if (format == UserFormat::kScimArray || format == UserFormat::kOkta) {
    head = "[\n";
    tail = serials.empty() ? "]\n" : "\n]\n";
  }
  auto render = [&](size_t begin, size_t end, std::string* out) {
    RenderUsers(model, ids, format, serials, begin, end, out);
  };
  return Stats(WriteFileInBlocks(path, head, serials.size(), kUsersPerBlock, render, tail),
               serials.size());
}

Result<WriteStats> WriteGroups(const ExportModel& model, const IdScheme& ids, GroupFormat format,
                               const std::string& path) {
  const std::string_view head =
      format == GroupFormat::kCsv ? "groupExternalId,groupDisplayName,userExternalId\n" : "";
  auto render = [&](size_t begin, size_t end, std::string* out) {
    RenderGroups(model, ids, format, begin, end, out);
  };
  std::vector<size_t> block_ends;
  AppendGroupBlocks(model.groups, 0, &block_ends);
  return Stats(WriteFileInRanges(path, head, block_ends, render, ""), model.groups.size());
}

Result<WriteStats> WriteAssignments(const ExportModel& model, const IdScheme& ids,
                                    AssignmentFormat format, const std::string& path) {
  const std::vector<uint32_t> serials = IdpUsers(model, /*assigned_only=*/true);
  const std::string_view head = format == AssignmentFormat::kCsv ? "externalId,roles\n" : "";
  auto render = [&](size_t begin, size_t end, std::string* out) {
    RenderAssignments(model, ids, format, serials, begin, end, out);
  };
  return Stats(WriteFileInBlocks(path, head, serials.size(), kAssignmentsPerBlock, render, ""),
               serials.size());
}

Result<WriteStats> WriteSnapshot(const ExportModel& model, const IdScheme& ids, bool full_name,
                                 const std::string& path) {
  // Items [0, users) are the users, [users, users + groups) the groups: one numbering, so one
  // pipeline writes both parts in order.
  const size_t user_count = model.users.size();
  auto render = [&](size_t begin, size_t end, std::string* out) {
    UserText text;
    TargetIdBuffer target_id;
    JsonWriter json(out);
    for (size_t item = begin; item < end; ++item) {
      if (item >= user_count) {
        RenderSnapshotGroup(ids, model.groups[item - user_count], out);
        continue;
      }
      const GenUser& user = model.users[item];
      text.Fill(ids, user);
      AppendScimUser(text, ids.TargetId(EntityKind::kUser, user.serial, &target_id), full_name,
                     user.Provisioned(), &json);
      out->push_back('\n');
    }
  };
  std::vector<size_t> block_ends;
  for (size_t end = kSnapshotLinesPerBlock; end < user_count; end += kSnapshotLinesPerBlock) {
    block_ends.push_back(end);
  }
  if (user_count > 0) block_ends.push_back(user_count);
  AppendGroupBlocks(model.groups, user_count, &block_ends);
  const size_t items = user_count + model.groups.size();
  return Stats(WriteFileInRanges(path, "", block_ends, render, ""), items);
}

}  // namespace scimflow::gen
