#include "io/scim_filter.h"

#include <cstdio>

namespace scimflow {

std::string EscapeScimFilterValue(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (const char byte : value) {
    const auto code = static_cast<unsigned char>(byte);
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        // DEL (0x7f) is not a JSON control character, but a server that logs the filter may choke
        // on it, and escaping it costs nothing.
        if (code < 0x20 || code == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", code);
          out += escaped;
        } else {
          out += byte;
        }
    }
  }
  return out;
}

std::string ScimEqualsFilter(std::string_view attribute, std::string_view value) {
  std::string filter(attribute);
  filter += " eq \"";
  filter += EscapeScimFilterValue(value);
  filter += '"';
  return filter;
}

}  // namespace scimflow
