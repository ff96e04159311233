// ASCII case folding: the one definition of "ignoring case" for what the engine compares that
// way — HTTP header names and URL schemes, CSV keywords, SCIM userNames (which GitHub and the
// simulator treat as case-insensitive), PATCH operation names. Only A-Z fold; every other byte,
// UTF-8 included, compares as itself: no locale, no call per byte, the same answer everywhere.
#ifndef SCIMFLOW_ENGINE_ASCII_H_
#define SCIMFLOW_ENGINE_ASCII_H_

#include <algorithm>
#include <string>
#include <string_view>

namespace scimflow {

constexpr bool IsAsciiUpper(char byte) { return byte >= 'A' && byte <= 'Z'; }

constexpr char AsciiLower(char byte) {
  return IsAsciiUpper(byte) ? static_cast<char>(byte - 'A' + 'a') : byte;
}

inline std::string AsciiLowerCopy(std::string_view text) {
  std::string lower(text);
  for (char& byte : lower) byte = AsciiLower(byte);
  return lower;
}

constexpr bool EqualsIgnoringAsciiCase(std::string_view left, std::string_view right) {
  return left.size() == right.size() &&
         std::equal(left.begin(), left.end(), right.begin(),
                    [](char a, char b) { return AsciiLower(a) == AsciiLower(b); });
}

constexpr bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         EqualsIgnoringAsciiCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_ASCII_H_
