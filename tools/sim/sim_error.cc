#include "tools/sim/sim_error.h"

#include "io/json_writer.h"

namespace scimflow {

void AppendScimErrorBody(const ScimError& error, std::string* out) {
  JsonWriter writer(out);
  writer.BeginObject()
      .Key("schemas")
      .BeginArray()
      .String("urn:ietf:params:scim:api:messages:2.0:Error")
      .EndArray();
  // RFC 7644 §3.12: the HTTP status as a JSON string.
  writer.Member("status", std::to_string(error.status));
  if (!error.scim_type.empty()) writer.Member("scimType", error.scim_type);
  writer.Member("detail", error.detail).EndObject();
}

}  // namespace scimflow
