#include "tools/sim/sim_snapshot.h"

#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tools/sim/sim_resource.h"

namespace scimflow {
namespace {

struct PendingGroup {
  uint64_t line = 0;
  SimGroup group;
};

// Reads the `id` attribute, which ApplyUserAttributes ignores (it is read-only in requests).
ScimStatus ReadId(simdjson::dom::object fields, std::string* id) {
  simdjson::dom::element value;
  if (fields.at_key("id").get(value)) return MissingAttribute("id");
  if (ScimStatus status = ReadJsonString(value, "id", id)) return status;
  if (id->empty()) return MissingAttribute("id");
  return std::nullopt;
}

// Whether `fields` has `schemas` containing `urn`.
bool HasSchema(simdjson::dom::object fields, std::string_view urn) {
  simdjson::dom::element value;
  return fields.at_key("schemas").get(value) == simdjson::SUCCESS && !ReadSchemaList(value, urn);
}

ScimStatus LoadUser(simdjson::dom::object fields, SimStore* store) {
  SimUser user;
  uint32_t seen = 0;
  if (ScimStatus status = ApplyUserAttributes(fields, &user, &seen)) return status;
  if (ScimStatus status = ReadId(fields, &user.id)) return status;
  if (user.external_id.empty()) return MissingAttribute("externalId");
  if (user.user_name.empty()) return MissingAttribute("userName");
  return store->InsertLoadedUser(std::move(user));
}

ScimStatus ParseGroup(simdjson::dom::object fields, SimGroup* group) {
  uint32_t seen = 0;
  if (ScimStatus status = ApplyGroupAttributes(fields, group, &seen)) return status;
  if (ScimStatus status = ReadId(fields, &group->id)) return status;
  if (group->external_id.empty()) return MissingAttribute("externalId");
  return std::nullopt;
}

// Loads one line: users at once, groups into `*groups` (they may name users of later lines).
Status LoadLine(const std::string& path, uint64_t line_number, std::string_view line,
                simdjson::dom::parser* parser, SimStore* store, std::vector<PendingGroup>* groups) {
  ScimResult<simdjson::dom::object> fields = ParseJsonObject(parser, line);
  if (!fields.ok()) return InvalidInputAt(path, line_number, fields.error().detail);
  ScimStatus status;
  if (HasSchema(fields.value(), kUserSchema)) {
    status = LoadUser(fields.value(), store);
  } else if (HasSchema(fields.value(), kGroupSchema)) {
    PendingGroup pending{line_number, {}};
    status = ParseGroup(fields.value(), &pending.group);
    if (!status) groups->push_back(std::move(pending));
  } else {
    return InvalidInputAt(path, line_number,
                          "unknown resource type (schemas has neither User nor Group)");
  }
  if (status) return InvalidInputAt(path, line_number, status->detail);
  return Status::Ok();
}

}  // namespace

Status LoadSnapshotFile(const std::string& path, SimStore* store,
                        std::vector<std::string>* warnings) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return IoError(path + ": cannot open: " + std::strerror(errno));
  simdjson::dom::parser parser;
  std::vector<PendingGroup> groups;
  std::string line;
  uint64_t line_number = 0;
  while (std::getline(input, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    SCIMFLOW_RETURN_IF_ERROR(LoadLine(path, line_number, line, &parser, store, &groups));
  }
  if (input.bad()) return IoError(path + ": read failed");
  for (PendingGroup& pending : groups) {
    std::vector<std::string> unknown;
    if (ScimStatus status = store->InsertLoadedGroup(std::move(pending.group), &unknown)) {
      return InvalidInputAt(path, pending.line, status->detail);
    }
    for (const std::string& id : unknown) {
      warnings->push_back(LocatedMessage(
          path, pending.line, "member \"" + id + "\" is no user of the snapshot; ignored"));
    }
  }
  return Status::Ok();
}

Status DumpSnapshotFile(const std::string& path, SimStore* store) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return IoError(temporary + ": cannot create: " + std::strerror(errno));
  bool failed = false;
  store->ForEachSnapshotLine([&](std::string_view line) {
    failed = failed || std::fwrite(line.data(), 1, line.size(), file) != line.size() ||
             std::fputc('\n', file) == EOF;
  });
  failed = std::fclose(file) != 0 || failed;
  if (failed) return IoError(temporary + ": write failed");
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return IoError(path + ": cannot rename into place: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace scimflow
