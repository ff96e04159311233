#include "tools/sim/sim_filter.h"

#include <string>

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

// Reads a JSON string literal at the start of `*rest` (after spaces), unescaping `\"`, `\\` and
// `\/`; false when there is none or it is not closed.
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
      if (++position >= rest->size()) return false;
      const char escaped = (*rest)[position];
      if (escaped != '"' && escaped != '\\' && escaped != '/') return false;
      value->push_back(escaped);
    } else {
      value->push_back(letter);
    }
  }
  return false;
}

bool ParseOp(std::string_view word, FilterOp* op) {
  const std::string lower = AsciiLower(word);
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

bool EqualsIgnoringCase(std::string_view left, std::string_view right) {
  return left.size() == right.size() && AsciiLower(left) == AsciiLower(right);
}

}  // namespace

ScimResult<SimFilter> ParseFilter(std::string_view text,
                                  std::span<const std::string_view> attributes, bool eq_only) {
  std::string_view rest = text;
  SimFilter filter;
  const std::string_view attribute = NextWord(&rest);
  for (std::string_view allowed : attributes) {
    if (EqualsIgnoringCase(attribute, allowed)) filter.attribute = allowed;
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
    folded_actual = AsciiLower(actual);
    folded_value = AsciiLower(filter.value);
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
