#include "io/json_record.h"

#include "io/okta_mapping.h"
#include "io/scim_json.h"

namespace scimflow {

JsonRecordType JsonRecordTypeFor(InputKind kind, InputFormat format) {
  switch (kind) {
    case InputKind::kUsers:
      return IsOkta(format) ? JsonRecordType::kOktaUser : JsonRecordType::kScimUser;
    case InputKind::kGroups:
      return JsonRecordType::kGroup;
    case InputKind::kAssignments:
      return JsonRecordType::kAssignment;
  }
  return JsonRecordType::kScimUser;
}

Status MapJsonObject(simdjson::ondemand::object object, JsonRecordType type,
                     const RecordOrigin& origin, RecordChunk* out, StringEscapes escapes,
                     StringStorage storage) {
  switch (type) {
    case JsonRecordType::kScimUser: {
      User& user = out->users.emplace_back();
      Status status = ParseScimUserInPlace(object, &out->arena, &user, escapes, storage);
      if (!status.ok()) {
        out->users.pop_back();
        return status;
      }
      user.origin = origin;
      return Status::Ok();
    }
    case JsonRecordType::kOktaUser: {
      User user;
      SCIMFLOW_RETURN_IF_ERROR(ParseOktaUser(object, &out->arena, &user));
      user.origin = origin;
      out->users.push_back(user);
      return Status::Ok();
    }
    case JsonRecordType::kGroup: {
      ScimGroup group;
      SCIMFLOW_RETURN_IF_ERROR(ParseScimGroup(object, &out->arena, &group));
      group.group.origin = origin;
      out->groups.push_back(group.group);
      return Status::Ok();
    }
    case JsonRecordType::kAssignment: {
      Assignment assignment;
      SCIMFLOW_RETURN_IF_ERROR(ParseAssignment(object, &out->arena, &assignment));
      assignment.origin = origin;
      out->assignments.push_back(assignment);
      return Status::Ok();
    }
  }
  return Internal("unknown JSON record type");
}

std::string_view RejectExcerpt(std::string_view record_text) {
  if (record_text.size() <= config::kRejectExcerptBytes) return record_text;
  size_t length = config::kRejectExcerptBytes;
  // Step back over continuation bytes (10xxxxxx) and the lead byte they belong to, so the
  // excerpt does not end in half a character.
  size_t back = length;
  while (back > 0 && (static_cast<unsigned char>(record_text[back]) & 0xC0) == 0x80) --back;
  if (back < length && back + 4 > length) length = back;
  return record_text.substr(0, length);
}

void AddReject(const RecordOrigin& origin, std::string_view reason, std::string_view record_text,
               RecordChunk* out) {
  Reject reject;
  reject.origin = origin;
  reject.reason = out->arena.Copy(reason);
  reject.excerpt = out->arena.Copy(RejectExcerpt(record_text));
  out->rejects.push_back(reject);
}

}  // namespace scimflow
