#include "tools/gen/churn_spec.h"

#include <fmt/format.h>

#include <bitset>
#include <optional>

namespace scimflow::gen {
namespace {

constexpr std::string_view kKindNames[kChurnKindCount] = {
    "joiners",     "leavers",      "profile",        "roles",          "reactivations",
    "group-joins", "group-leaves", "groups-created", "groups-renamed", "groups-removed"};

// Percent with up to this many decimals; one unit is 10^-6 % = 10^-8 of the whole, and the
// ChurnAmount share unit (10^-11) is a thousandth of it so that weights in per-mille stay exact.
constexpr int kMaxDecimals = 6;
constexpr uint64_t kUnitsPerPercent = 1'000'000;
constexpr uint64_t kUnitsPerWhole = 100 * kUnitsPerPercent;
constexpr uint64_t kShareUnitsPerUnit = 1000;

// "12", "0.35" (without the % sign) → units of 10^-6 %. nullopt on anything else.
std::optional<uint64_t> ParsePercent(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t units = 0;
  int decimals = -1;  // -1: before the point
  for (char byte : text) {
    if (byte == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (byte < '0' || byte > '9') return std::nullopt;
    if (decimals >= kMaxDecimals) return std::nullopt;
    if (decimals >= 0) ++decimals;
    units = units * 10 + static_cast<uint64_t>(byte - '0');
    // At most six integer digits: far above 100%, and no overflow once padded to six decimals.
    if (decimals < 0 && units >= kUnitsPerPercent) return std::nullopt;
  }
  if (decimals == 0 || text.front() == '.') return std::nullopt;  // "1." or ".5"
  for (int pad = decimals < 0 ? 0 : decimals; pad < kMaxDecimals; ++pad) units *= 10;
  return units;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  uint64_t count = 0;
  for (char byte : text) {
    if (byte < '0' || byte > '9') return std::nullopt;
    count = count * 10 + static_cast<uint64_t>(byte - '0');
  }
  return count;
}

Status SpecError(std::string_view text, std::string_view reason) {
  return InvalidArgument(fmt::format("--churn \"{}\": {}", text, reason));
}

std::optional<ChurnKind> FindKind(std::string_view name) {
  for (int index = 0; index < kChurnKindCount; ++index) {
    if (kKindNames[index] == name) return static_cast<ChurnKind>(index);
  }
  return std::nullopt;
}

// One `kind=value` token into `*spec`.
Status ParseAssignment(std::string_view text, std::string_view token,
                       std::bitset<kChurnKindCount>* seen, ChurnSpec* spec) {
  const size_t equals = token.find('=');
  const std::string_view name = token.substr(0, equals);
  const std::optional<ChurnKind> kind = FindKind(name);
  if (!kind) return SpecError(text, fmt::format("unknown kind \"{}\"", name));
  const int index = static_cast<int>(*kind);
  if (seen->test(index)) return SpecError(text, fmt::format("\"{}\" given twice", name));
  seen->set(index);
  const std::string_view value = equals == std::string_view::npos ? "" : token.substr(equals + 1);
  ChurnAmount& amount = spec->amounts[index];
  if (!value.empty() && value.back() == '%') {
    const std::optional<uint64_t> units = ParsePercent(value.substr(0, value.size() - 1));
    if (!units) return SpecError(text, fmt::format("bad amount \"{}\" for {}", value, name));
    if (*units > kUnitsPerWhole)
      return SpecError(text, fmt::format("share above 100% for {}", name));
    amount = {true, *units * kShareUnitsPerUnit};
    return Status::Ok();
  }
  const std::optional<uint64_t> count = ParseCount(value);
  if (!count) return SpecError(text, fmt::format("bad amount \"{}\" for {}", value, name));
  amount = {false, *count};
  return Status::Ok();
}

}  // namespace

std::string_view ChurnKindName(ChurnKind kind) { return kKindNames[static_cast<int>(kind)]; }

ChurnBase BaseOf(ChurnKind kind) {
  switch (kind) {
    case ChurnKind::kGroupJoins:
    case ChurnKind::kGroupLeaves:
      return ChurnBase::kMemberships;
    case ChurnKind::kGroupsCreated:
    case ChurnKind::kGroupsRenamed:
    case ChurnKind::kGroupsRemoved:
      return ChurnBase::kGroups;
    default:
      return ChurnBase::kUsers;
  }
}

uint64_t ChurnSpec::CountFor(ChurnKind kind, uint64_t base) const {
  const ChurnAmount& chosen = amount(kind);
  if (!chosen.is_share) return chosen.value;
  const unsigned __int128 scaled = static_cast<unsigned __int128>(base) * chosen.value;
  return static_cast<uint64_t>((scaled + kShareDenominator / 2) / kShareDenominator);
}

Result<ChurnSpec> ParseChurnSpec(std::string_view text) {
  ChurnSpec spec;
  spec.text = std::string(text);
  if (text.empty()) return SpecError(text, "empty");
  std::bitset<kChurnKindCount> seen;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string_view token = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (token.find('=') == std::string_view::npos && !token.empty() && token.back() == '%') {
      if (!first) return SpecError(text, "a total share can only come first");
      const std::optional<uint64_t> units = ParsePercent(token.substr(0, token.size() - 1));
      if (!units) return SpecError(text, fmt::format("bad amount \"{}\" for total", token));
      if (*units > kUnitsPerWhole) return SpecError(text, "share above 100% for total");
      for (int index = 0; index < kChurnKindCount; ++index) {
        spec.amounts[index] = {true, *units * kChurnWeights[index]};
      }
    } else {
      SCIMFLOW_RETURN_IF_ERROR(ParseAssignment(text, token, &seen, &spec));
    }
    first = false;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return spec;
}

}  // namespace scimflow::gen
