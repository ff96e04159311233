#include "io/format_detect.h"

#include <array>

namespace scimflow {
namespace {

struct FormatName {
  InputFormat format;
  std::string_view name;
};

constexpr std::array kFormatNames = {
    FormatName{InputFormat::kAuto, "auto"},
    FormatName{InputFormat::kNdjson, "ndjson"},
    FormatName{InputFormat::kJsonArray, "json"},
    FormatName{InputFormat::kOktaNdjson, "okta-ndjson"},
    FormatName{InputFormat::kOktaJsonArray, "okta-json"},
    FormatName{InputFormat::kCsv, "csv"},
};

bool IsJsonSpace(char byte) { return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t'; }

// True if the object starting at `text[0] == '{'` has a member key "profile" at depth one.
// A small scanner rather than a parse: the prefix may end in the middle of the object.
bool FirstObjectHasProfile(std::string_view text) {
  constexpr std::string_view kKey = "\"profile\"";
  int depth = 0;
  bool in_string = false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char byte = text[pos];
    if (in_string) {
      if (byte == '\\') {
        ++pos;
      } else if (byte == '"') {
        in_string = false;
      }
      continue;
    }
    if (byte == '"') {
      // A key at depth one is a string directly inside the first object.
      if (depth == 1 && text.substr(pos, kKey.size()) == kKey) {
        // A key, not a value that happens to read "profile": a colon follows.
        size_t after = pos + kKey.size();
        while (after < text.size() && IsJsonSpace(text[after])) ++after;
        if (after == text.size() || text[after] == ':') return true;
      }
      in_string = true;
    } else if (byte == '{' || byte == '[') {
      ++depth;
    } else if (byte == '}' || byte == ']') {
      if (--depth == 0) return false;
    }
  }
  return false;
}

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.format == format) return entry.name;
  }
  return "auto";
}

std::optional<InputFormat> ParseInputFormat(std::string_view name) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.name == name) return entry.format;
  }
  return std::nullopt;
}

size_t ByteOrderMarkLength(std::string_view text) {
  return text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
}

InputFormat DetectInputFormat(std::string_view prefix) {
  size_t pos = ByteOrderMarkLength(prefix);
  while (pos < prefix.size() && IsJsonSpace(prefix[pos])) ++pos;
  if (pos == prefix.size()) return InputFormat::kNdjson;
  if (prefix[pos] == '{') {
    return FirstObjectHasProfile(prefix.substr(pos)) ? InputFormat::kOktaNdjson
                                                     : InputFormat::kNdjson;
  }
  if (prefix[pos] != '[') return InputFormat::kCsv;
  ++pos;
  while (pos < prefix.size() && IsJsonSpace(prefix[pos])) ++pos;
  if (pos < prefix.size() && prefix[pos] == '{' && FirstObjectHasProfile(prefix.substr(pos))) {
    return InputFormat::kOktaJsonArray;
  }
  return InputFormat::kJsonArray;
}

}  // namespace scimflow
