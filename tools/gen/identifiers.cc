#include "tools/gen/identifiers.h"

#include "tools/gen/random.h"

namespace scimflow::gen {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kHex[] = "0123456789abcdef";
constexpr int kSerialDigits = 11;  // 62^11 > 2^64: every 64-bit value has its own digits.

void AppendBase62(uint64_t value, int digits, char* out) {
  for (int position = digits - 1; position >= 0; --position) {
    out[position] = kBase62[value % 62];
    value /= 62;
  }
}

}  // namespace

IdScheme::IdScheme(uint64_t seed) {
  AppendBase62(DeriveSeed(seed, Stream::kExternalId, 2), sizeof(tag_), tag_);
  for (int kind = 0; kind < 2; ++kind) {
    external_key_[kind] = DeriveSeed(seed, Stream::kExternalId, kind);
    target_key_[kind] = DeriveSeed(seed, Stream::kTargetId, kind);
    target_low_key_[kind] = DeriveSeed(seed, Stream::kTargetIdLow, kind);
  }
}

std::string_view IdScheme::ExternalId(EntityKind kind, uint32_t serial,
                                      ExternalIdBuffer* buffer) const {
  const int index = static_cast<int>(kind);
  char* out = buffer->text;
  out[0] = '0';
  out[1] = '0';
  out[2] = kind == EntityKind::kUser ? 'u' : 'g';
  for (size_t offset = 0; offset < sizeof(tag_); ++offset) out[3 + offset] = tag_[offset];
  AppendBase62(Mix64(serial ^ external_key_[index]), kSerialDigits, out + 3 + sizeof(tag_));
  return {out, kExternalIdLength};
}

std::string_view IdScheme::TargetId(EntityKind kind, uint32_t serial,
                                    TargetIdBuffer* buffer) const {
  const int index = static_cast<int>(kind);
  // 32 hex digits; digit 12 is the version ('4') and digit 16 the variant (8, 9, a or b). The
  // unique 64 bits fill digits 0–11, 13–15 and 17 so that neither fixed digit overwrites them.
  const uint64_t unique = Mix64(serial ^ target_key_[index]);
  const uint64_t filler = Mix64(serial ^ target_low_key_[index]);
  char digits[32];
  for (int position = 0; position < 12; ++position)
    digits[position] = kHex[(unique >> (4 * position)) & 0xf];
  digits[12] = '4';
  for (int position = 13; position < 16; ++position)
    digits[position] = kHex[(unique >> (4 * (position - 1))) & 0xf];
  digits[16] = kHex[8 | (filler & 0x3)];
  digits[17] = kHex[(unique >> 60) & 0xf];
  for (int position = 18; position < 32; ++position)
    digits[position] = kHex[(filler >> (4 * (position - 16))) & 0xf];
  // 8-4-4-4-12.
  char* out = buffer->text;
  int written = 0;
  for (int position = 0; position < 32; ++position) {
    if (position == 8 || position == 12 || position == 16 || position == 20) out[written++] = '-';
    out[written++] = digits[position];
  }
  return {out, kTargetIdLength};
}

}  // namespace scimflow::gen
