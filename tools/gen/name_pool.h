// NamePool: the fixed word lists the generator builds people and groups from.
//
// Names come in three cultures so that about one user in twenty carries non-ASCII letters, as a
// real directory does: plain ASCII (`Emma Johnson`), Latin letters with diacritics (`José Müller`,
// `Łukasz Øster`), and CJK (`翔太 佐藤`). Every name has a `login` form — lower-case ASCII letters
// only — from which userNames are built, the way IdPs transliterate names into logins.
//
// The lists are compiled-in constants: changing one changes every generated file, so they are
// part of the generator's output contract (docs/gen.md) and change only deliberately.
//
// Thread-safety: all functions return views of immutable static data; safe from any thread.
#ifndef SCIMFLOW_TOOLS_GEN_NAME_POOL_H_
#define SCIMFLOW_TOOLS_GEN_NAME_POOL_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace scimflow::gen {

enum class Culture : uint8_t {
  kAscii = 0,     // English-language names, ASCII only.
  kAccented = 1,  // European names with diacritics (every entry has a non-ASCII letter).
  kCjk = 2,       // Chinese, Japanese and Korean names in their own script.
};
inline constexpr int kCultureCount = 3;

// A name as displayed (UTF-8) and as used in a login (`[a-z]+`, never empty).
struct PoolName {
  std::string_view display;
  std::string_view login;
};

// Given names (also used as middle names) and family names of a culture. Never empty; every
// `display` of kAccented and kCjk contains at least one non-ASCII letter, every `display` of
// kAscii is ASCII.
std::span<const PoolName> GivenNames(Culture culture);
std::span<const PoolName> FamilyNames(Culture culture);

// Nicknames shown in quotes inside some displayNames (`Robert "Bob" Smith`): they exercise JSON
// escaping and CSV quoting with realistic data.
std::span<const std::string_view> Nicknames();

// Words for group displayNames: "<department> <team> <number>". Some contain a comma, an
// ampersand, quotes or non-ASCII letters, again so that every writer and parser meets them.
std::span<const std::string_view> Departments();
std::span<const std::string_view> Teams();

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_NAME_POOL_H_
