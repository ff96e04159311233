// Fuzz target for the readers of a SCIM target's answers: any bytes as the body of a list page
// (`plan --target`, `scimflow snapshot`), as the answer to a create or an externalId lookup, and
// as the BulkResponse to a batch (`apply`). A target is outside our control, so its answers are
// untrusted input: the readers must never crash or read beyond the body plus simdjson's padding; a
// page either parses with a total and resources that lie inside the body, or fails with a reason; a
// found resource always has an id; a BulkResponse maps at most one result onto each operation of
// the batch.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "engine/bulk_batch.h"
#include "engine/emit_wire.h"
#include "io/target_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const simdjson::padded_string body(text);

  static simdjson::ondemand::parser parser;
  scimflow::ListPage page;
  const scimflow::Status parsed = scimflow::ParseListResponse(parser, body, &page);
  if (parsed.ok()) {
    if (!page.total) std::abort();  // A page without totalResults must be refused.
    for (const std::string_view resource : page.resources) {
      if (resource.data() < body.data() || resource.data() + resource.size() > body.data() + size) {
        std::abort();  // A resource's text must lie inside the answer.
      }
    }
  } else if (parsed.message().empty()) {
    std::abort();  // A refused page names its reason.
  }

  for (const bool list : {false, true}) {
    const scimflow::FoundResource found = scimflow::ParseFound(text, list);
    if (found.found && found.id.empty()) std::abort();
  }
  // A batch of three: a user create, a member add naming it by bulkId, a delete.
  static const std::vector<scimflow::BulkItem> batch = {
      {0, "POST", "/Users", "0", R"({"externalId":"e-1","userName":"ada"})"},
      {1, "PATCH", "/Groups/g-1", "", R"({"Operations":[{"op":"add","value":"bulkId:0"}]})"},
      {2, "DELETE", "/Users/u-9", "", ""},
  };
  const auto results = scimflow::ParseBulkResponse(text, batch);
  if (results.ok()) {
    if (results->size() != batch.size()) std::abort();  // One slot per operation, no more.
  } else if (results.status().message().empty()) {
    std::abort();
  }
  return 0;
}
