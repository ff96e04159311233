// Percent-encoding (RFC 3986 §2.1) of the pieces scimflow puts into a target's URLs: target ids in
// paths (`/Users/{id}`, `/Groups/{id}`) and filter expressions in query strings. The ids are the
// target's and the filter values come from the IdP export; nothing says either is URL-safe, so
// every byte but the unreserved characters (§2.3: ALPHA DIGIT - . _ ~) is encoded. The test is
// on bytes, not on the C locale's idea of a letter, so UTF-8 is always encoded.
//
// Thread-safety: pure function.
#ifndef SCIMFLOW_IO_PERCENT_ENCODE_H_
#define SCIMFLOW_IO_PERCENT_ENCODE_H_

#include <string>
#include <string_view>

namespace scimflow {

// `text` with every byte but RFC 3986 unreserved characters written as `%XX` (upper-case hex).
std::string PercentEncode(std::string_view text);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_PERCENT_ENCODE_H_
