#include "tools/gen/manifest.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <limits>

#include "io/json_writer.h"

namespace scimflow::gen {
namespace {

Status NotManifest(const std::string& path, std::string_view reason) {
  return InvalidArgument(path + ": not a scimflow gen manifest: " + std::string(reason));
}

// Reads an unsigned member that must fit 32 bits.
Status ReadUint32(const std::string& path, simdjson::dom::object object, std::string_view key,
                  uint32_t* out) {
  uint64_t value = 0;
  if (object[key].get_uint64().get(value) != simdjson::SUCCESS ||
      value > std::numeric_limits<uint32_t>::max()) {
    return NotManifest(path, fmt::format("\"{}\" must be an unsigned 32-bit number", key));
  }
  *out = static_cast<uint32_t>(value);
  return Status::Ok();
}

Status ReadString(const std::string& path, simdjson::dom::object object, std::string_view key,
                  std::string_view* out) {
  if (object[key].get_string().get(*out) != simdjson::SUCCESS) {
    return NotManifest(path, fmt::format("\"{}\" must be a string", key));
  }
  return Status::Ok();
}

Status ReadFormats(const std::string& path, simdjson::dom::object object, Manifest* manifest) {
  std::string_view name;
  SCIMFLOW_RETURN_IF_ERROR(ReadString(path, object, "user_format", &name));
  const auto user_format = ParseUserFormat(name);
  if (!user_format) return NotManifest(path, fmt::format("unknown user_format \"{}\"", name));
  SCIMFLOW_RETURN_IF_ERROR(ReadString(path, object, "group_format", &name));
  const auto group_format = ParseGroupFormat(name);
  if (!group_format) return NotManifest(path, fmt::format("unknown group_format \"{}\"", name));
  SCIMFLOW_RETURN_IF_ERROR(ReadString(path, object, "assignment_format", &name));
  const auto assignment_format = ParseAssignmentFormat(name);
  if (!assignment_format) {
    return NotManifest(path, fmt::format("unknown assignment_format \"{}\"", name));
  }
  manifest->user_format = *user_format;
  manifest->group_format = *group_format;
  manifest->assignment_format = *assignment_format;
  return Status::Ok();
}

}  // namespace

std::string ManifestJson(const Manifest& manifest) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject()
      .Member("generator", "scimflow gen")
      .Member("manifest_version", kManifestVersion);
  json.Member("seed", manifest.params.seed).Member("users", manifest.params.users);
  json.Member("groups", manifest.params.groups);
  json.Member("memberships_per_user", manifest.params.memberships_per_user);
  json.Member("user_format", FormatName(manifest.user_format));
  json.Member("group_format", FormatName(manifest.group_format));
  json.Member("assignment_format", FormatName(manifest.assignment_format));
  json.Key("days").BeginArray();
  for (const std::string& churn : manifest.days) json.String(churn);
  json.EndArray().EndObject();
  out.push_back('\n');
  return out;
}

Result<Manifest> ReadManifest(const std::string& path) {
  std::error_code exists_error;
  if (!std::filesystem::exists(path, exists_error)) return NotFound(path + ": no such file");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto error = parser.load(path).get(root); error != simdjson::SUCCESS) {
    // The reject vocabulary of docs/input-formats.md, not simdjson's wording, which varies.
    if (error == simdjson::EMPTY) return NotManifest(path, "empty file");
    if (error == simdjson::UTF8_ERROR) return NotManifest(path, "invalid UTF-8");
    if (error == simdjson::IO_ERROR) return IoError(path + ": cannot be read");
    return NotManifest(path, "malformed JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return NotManifest(path, "not an object");
  std::string_view generator;
  uint64_t version = 0;
  if (object["generator"].get_string().get(generator) != simdjson::SUCCESS ||
      generator != "scimflow gen" ||
      object["manifest_version"].get_uint64().get(version) != simdjson::SUCCESS ||
      version != kManifestVersion) {
    return NotManifest(path, "\"generator\" or \"manifest_version\" missing or unknown");
  }
  Manifest manifest;
  if (object["seed"].get_uint64().get(manifest.params.seed) != simdjson::SUCCESS) {
    return NotManifest(path, "\"seed\" must be an unsigned 64-bit number");
  }
  SCIMFLOW_RETURN_IF_ERROR(ReadUint32(path, object, "users", &manifest.params.users));
  SCIMFLOW_RETURN_IF_ERROR(ReadUint32(path, object, "groups", &manifest.params.groups));
  SCIMFLOW_RETURN_IF_ERROR(
      ReadUint32(path, object, "memberships_per_user", &manifest.params.memberships_per_user));
  if (manifest.params.groups == 0) return NotManifest(path, "\"groups\" must be at least 1");
  SCIMFLOW_RETURN_IF_ERROR(ReadFormats(path, object, &manifest));
  simdjson::dom::array days;
  if (object["days"].get_array().get(days) != simdjson::SUCCESS) {
    return NotManifest(path, "\"days\" must be an array");
  }
  for (simdjson::dom::element day : days) {
    std::string_view churn;
    if (day.get_string().get(churn) != simdjson::SUCCESS) {
      return NotManifest(path, "\"days\" must hold strings");
    }
    manifest.days.emplace_back(churn);
  }
  return manifest;
}

}  // namespace scimflow::gen
