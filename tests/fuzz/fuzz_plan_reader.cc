// Fuzz target for the plan reader (`scimflow apply PLAN`): any bytes as a plan file. A plan may be
// edited by hand or cut short by a full disk, and apply acts on it against a real enterprise, so
// the reader must refuse anything broken as a whole, with `FILE:LINE: reason` (or `FILE: reason`),
// and never crash. A plan it accepts must be internally sound: every dependency and reference
// names an operation of the plan, and every body renders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "io/plan_reader.h"

namespace {

constexpr std::string_view kFile = "fuzz.plan";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  scimflow::Result<scimflow::ReadPlan> plan = scimflow::ParsePlan(text, kFile);
  if (!plan.ok()) {
    if (plan.status().message().rfind(std::string(kFile) + ":", 0) != 0) std::abort();
    return 0;
  }
  const size_t count = plan->operations.size();
  if (plan->info.total != count) std::abort();  // The header's total is what the file holds.
  for (const scimflow::PlanOperation& operation : plan->operations) {
    for (const uint32_t dep : operation.deps) {
      if (dep >= count) std::abort();
    }
    if (operation.id_ref != scimflow::PlanOperation::kNoRef && operation.id_ref >= count) {
      std::abort();
    }
    // Holes lie inside the body, in order, each a whole `{"$ref":…}` object.
    size_t after_last = 0;
    for (const scimflow::BodyTemplate::Hole& hole : operation.body.holes) {
      if (hole.ref >= count || hole.begin < after_last || hole.end > operation.body.json.size() ||
          hole.end < hole.begin + 2 || operation.body.json[hole.begin] != '{' ||
          operation.body.json[hole.end - 1] != '}') {
        std::abort();
      }
      after_last = hole.end;
    }
    const std::string body = scimflow::RenderBody(
        operation.body, [](uint32_t) -> std::string_view { return "fuzz-target-id"; });
    (void)body;
  }
  return 0;
}
