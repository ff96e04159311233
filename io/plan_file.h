// Plan files (docs/plan-format.md): NDJSON, one header line (format version, profile, the inputs
// with their sizes and XXH3 digests, operation counts, conflicts, rejects), then one line per
// operation with its stable id, kind, dependencies and the SCIM request it will send.
//
// The file is a pure function of the Plan and the header: operations are rendered in parallel in
// blocks and written in plan order, so the bytes do not depend on the thread count. It is written
// to `PATH.tmp` and renamed into place, so a reader never sees half a plan.
//
// Thread-safety: reentrant; a Plan may be rendered by several threads at once.
#ifndef SCIMFLOW_IO_PLAN_FILE_H_
#define SCIMFLOW_IO_PLAN_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/plan.h"
#include "engine/status.h"

namespace scimflow {

// Version of the plan line format; bumped on any change a reader could notice.
inline constexpr int kPlanFormatVersion = 1;
inline constexpr std::string_view kPlanFormatName = "scimflow-plan";

// One input of the plan, named by its role: "users", "groups", "assignments" or "current".
struct PlanInput {
  std::string role;
  std::string file;  // As given on the command line.
  uint64_t bytes = 0;
  uint64_t xxh3 = 0;  // XXH3-64 of the file's bytes, written as 16 hex digits.
};

struct PlanFileHeader {
  std::vector<PlanInput> inputs;
  uint64_t rejects = 0;  // Records refused in all inputs.
};

// Size and XXH3 digest of `path`, read in blocks. Errors: kNotFound, kIoError.
Result<PlanInput> DigestFile(std::string_view role, const std::string& path);

// Appends the header line, newline included.
void AppendPlanHeader(const Plan& plan, const PlanFileHeader& header, std::string* out);

// Appends the line of `plan.operations[index]`, newline included.
void AppendOperationLine(const Plan& plan, size_t index, std::string* out);

// Writes the header and every operation line to `path` (through PATH.tmp and a rename).
// Errors: kIoError when the file cannot be written.
Status WritePlanFile(const std::string& path, const Plan& plan, const PlanFileHeader& header);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PLAN_FILE_H_
