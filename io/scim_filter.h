// SCIM filter values: escapes a string so it can be placed between the double quotes of a filter
// such as `externalId eq "VALUE"` (RFC 7644 §3.4.2.2) without changing the filter's meaning.
//
// The emitter looks users and groups up by externalId before adopting them (a lost create answer,
// a 409), and that value comes from the IdP export: it may hold quotes, backslashes or control
// characters, and a hostile one (`" or userName pr "`) must never widen the filter. A filter value
// is a JSON string literal (RFC 7644 §3.4.2.2 refers to RFC 7159 for string values), so escaping
// follows JSON: `"` and `\` get a backslash, control characters become `\uXXXX` (or the short
// forms `\n`, `\t`, …). Other bytes, UTF-8 included, pass through unchanged; URL-encoding the
// whole filter for the query string is the caller's job, after escaping.
//
// Thread-safety: pure functions.
#ifndef SCIMFLOW_IO_SCIM_FILTER_H_
#define SCIMFLOW_IO_SCIM_FILTER_H_

#include <string>
#include <string_view>

namespace scimflow {

// Returns `value` escaped for use inside the double quotes of a SCIM filter. The quotes are not
// added. Never fails; the result is at most 6 times as long as `value`.
std::string EscapeScimFilterValue(std::string_view value);

// Returns the complete filter `ATTRIBUTE eq "VALUE"` with VALUE escaped.
// REQUIRES: `attribute` is a SCIM attribute name chosen by the program (e.g. "externalId"),
// never user input.
std::string ScimEqualsFilter(std::string_view attribute, std::string_view value);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_SCIM_FILTER_H_
