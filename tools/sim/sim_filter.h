// SimFilter: the `filter` query parameter of list requests and the value filter of member paths
// (`members[value eq "…"]`), parsed into one comparison `ATTRIBUTE OP "VALUE"`.
//
// GitHub documents one attribute compared with `eq` and "Multiple filters are not supported"
// (reference §3.1), so the GitHub profiles accept exactly that; `generic` also accepts the RFC's
// string operators `ne`, `co`, `sw`, `ew` and `pr` (RFC 7644 §3.4.2.2). Logical operators (`and`,
// `or`, `not`) and grouping are refused on every profile: the engine never sends them.
//
// Thread-safety: plain values and pure functions.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_FILTER_H_
#define SCIMFLOW_TOOLS_SIM_SIM_FILTER_H_

#include <span>
#include <string>
#include <string_view>

#include "tools/sim/sim_error.h"

namespace scimflow {

enum class FilterOp : uint8_t { kEq, kNe, kCo, kSw, kEw, kPr };

struct SimFilter {
  std::string attribute;  // Canonical spelling from the allowed list, e.g. "userName".
  FilterOp op = FilterOp::kEq;
  std::string value;  // Unescaped; empty for `pr`.
};

// Parses `text` against `attributes` (canonical spellings; names match case-insensitively).
// `eq_only` refuses every operator but `eq`. Refusals are 400 invalidFilter with a detail that
// quotes the filter: unknown attribute, unsupported operator, multiple filters, a value that is
// not a quoted JSON string, trailing text.
ScimResult<SimFilter> ParseFilter(std::string_view text,
                                  std::span<const std::string_view> attributes, bool eq_only);

// Whether `actual` satisfies `filter`. `case_exact` says how strings compare (externalId and id
// are case-exact; userName and displayName are not, RFC 7643 §4.1). An empty `actual` means the
// attribute has no value, which only `pr` distinguishes.
bool FilterMatches(const SimFilter& filter, std::string_view actual, bool case_exact);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_FILTER_H_
