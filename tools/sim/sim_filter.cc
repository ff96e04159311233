#include "tools/sim/sim_filter.h"

#include <cstdint>
#include <string>
#include <utility>

#include "engine/ascii.h"
#include "tools/sim/sim_resource.h"

namespace scimflow {
namespace {

ScimError InvalidFilter(std::string_view text, std::string_view why) {
  return BadRequest("invalidFilter",
                    "invalid filter '" + std::string(text) + "': " + std::string(why));
}

bool IsSpace(char letter) { return letter == ' ' || letter == '\t'; }

// Splits off the next whitespace-delimited word of `*rest`.
std::string_view NextWord(std::string_view* rest) {
  size_t start = 0;
  while (start < rest->size() && IsSpace((*rest)[start])) ++start;
  size_t end = start;
  while (end < rest->size() && !IsSpace((*rest)[end])) ++end;
  const std::string_view word = rest->substr(start, end - start);
  rest->remove_prefix(end);
  return word;
}

// Appends code point `code` to `*out` as UTF-8.
void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

// Reads the four hex digits of a `\uXXXX` escape starting at `text[position]`.
bool ReadHex4(std::string_view text, size_t position, uint32_t* code) {
  if (position + 4 > text.size()) return false;
  *code = 0;
  for (size_t index = position; index < position + 4; ++index) {
    const char digit = text[index];
    uint32_t value = 0;
    if (digit >= '0' && digit <= '9') {
      value = static_cast<uint32_t>(digit - '0');
    } else if (digit >= 'a' && digit <= 'f') {
      value = static_cast<uint32_t>(digit - 'a' + 10);
    } else if (digit >= 'A' && digit <= 'F') {
      value = static_cast<uint32_t>(digit - 'A' + 10);
    } else {
      return false;
    }
    *code = *code * 16 + value;
  }
  return true;
}

// Reads the escape after a backslash at `text[*position]` (the letter after it), appends what it
// stands for and leaves `*position` on its last byte; false for an unknown or broken escape. All
// of JSON's escapes (RFC 7644 §3.4.2.2 takes filter values as JSON strings), surrogate pairs
// included.
bool ReadEscape(std::string_view text, size_t* position, std::string* value) {
  static constexpr std::pair<char, char> kShort[] = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},
                                                     {'b', '\b'}, {'f', '\f'},  {'n', '\n'},
                                                     {'r', '\r'}, {'t', '\t'}};
  const char escaped = text[*position];
  for (const auto& [letter, meaning] : kShort) {
    if (escaped == letter) {
      value->push_back(meaning);
      return true;
    }
  }
  uint32_t code = 0;
  if (escaped != 'u' || !ReadHex4(text, *position + 1, &code)) return false;
  *position += 4;
  if (code >= 0xdc00 && code <= 0xdfff) return false;  // A low surrogate alone.
  if (code >= 0xd800 && code <= 0xdbff) {
    uint32_t low = 0;
    if (*position + 2 >= text.size() || text[*position + 1] != '\\' || text[*position + 2] != 'u' ||
        !ReadHex4(text, *position + 3, &low) || low < 0xdc00 || low > 0xdfff) {
      return false;
    }
    *position += 6;
    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
  }
  AppendUtf8(code, value);
  return true;
}

// Reads a JSON string literal at the start of `*rest` (after spaces), unescaping every JSON
// escape; false when there is none, an escape is broken, or it is not closed.
bool ReadQuoted(std::string_view* rest, std::string* value) {
  size_t position = 0;
  while (position < rest->size() && IsSpace((*rest)[position])) ++position;
  if (position >= rest->size() || (*rest)[position] != '"') return false;
  for (++position; position < rest->size(); ++position) {
    const char letter = (*rest)[position];
    if (letter == '"') {
      rest->remove_prefix(position + 1);
      return true;
    }
    if (letter == '\\') {
      if (++position >= rest->size() || !ReadEscape(*rest, &position, value)) return false;
    } else {
      value->push_back(letter);
    }
  }
  return false;
}

bool ParseOp(std::string_view word, FilterOp* op) {
  const std::string lower = AsciiLowerCopy(word);
  static constexpr std::pair<std::string_view, FilterOp> kOps[] = {
      {"eq", FilterOp::kEq}, {"ne", FilterOp::kNe}, {"co", FilterOp::kCo},
      {"sw", FilterOp::kSw}, {"ew", FilterOp::kEw}, {"pr", FilterOp::kPr},
  };
  for (const auto& [name, value] : kOps) {
    if (lower == name) {
      *op = value;
      return true;
    }
  }
  return false;
}

}  // namespace

ScimResult<SimFilter> ParseFilter(std::string_view text,
                                  std::span<const std::string_view> attributes, bool eq_only) {
  std::string_view rest = text;
  SimFilter filter;
  const std::string_view attribute = NextWord(&rest);
  for (std::string_view allowed : attributes) {
    if (EqualsIgnoringAsciiCase(attribute, allowed)) filter.attribute = allowed;
  }
  if (filter.attribute.empty()) {
    if (attribute.empty()) return InvalidFilter(text, "empty filter");
    return InvalidFilter(text, "unsupported attribute \"" + std::string(attribute) + "\"");
  }
  const std::string_view op_word = NextWord(&rest);
  if (!ParseOp(op_word, &filter.op) || (eq_only && filter.op != FilterOp::kEq)) {
    return InvalidFilter(text, "unsupported operator \"" + std::string(op_word) + "\"");
  }
  if (filter.op != FilterOp::kPr && !ReadQuoted(&rest, &filter.value)) {
    return InvalidFilter(text, "expected a quoted string value");
  }
  if (!NextWord(&rest).empty()) return InvalidFilter(text, "multiple filters are not supported");
  return filter;
}

bool FilterMatches(const SimFilter& filter, std::string_view actual, bool case_exact) {
  std::string folded_actual;
  std::string folded_value;
  std::string_view left = actual;
  std::string_view right = filter.value;
  if (!case_exact) {
    folded_actual = AsciiLowerCopy(actual);
    folded_value = AsciiLowerCopy(filter.value);
    left = folded_actual;
    right = folded_value;
  }
  switch (filter.op) {
    case FilterOp::kEq:
      return left == right;
    case FilterOp::kNe:
      return left != right;
    case FilterOp::kCo:
      return left.find(right) != std::string_view::npos;
    case FilterOp::kSw:
      return left.starts_with(right);
    case FilterOp::kEw:
      return left.ends_with(right);
    case FilterOp::kPr:
      return !actual.empty();
  }
  return false;
}

}  // namespace scimflow
