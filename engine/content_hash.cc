#include "engine/content_hash.h"

#include <xxhash.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace scimflow {

namespace {

// Length-prefixed fields, so ("ab","c") and ("a","bc") never hash alike.
void AppendField(std::string* out, std::string_view field) {
  const auto length = static_cast<uint32_t>(field.size());
  out->append(reinterpret_cast<const char*>(&length), sizeof(length));
  out->append(field);
}

uint64_t HashBytes(const std::string& bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

uint64_t HashName(const PersonName& name, std::string* scratch) {
  scratch->clear();
  AppendField(scratch, name.given_name);
  AppendField(scratch, name.family_name);
  AppendField(scratch, name.formatted);
  AppendField(scratch, name.middle_name);
  return HashBytes(*scratch);
}

uint64_t HashEmails(std::span<const Email> emails, std::string* scratch) {
  scratch->clear();
  for (const Email& email : emails) {
    AppendField(scratch, email.value);
    AppendField(scratch, email.type);
    scratch->push_back(email.primary ? '1' : '0');
  }
  return HashBytes(*scratch);
}

// Roles are a set: sorted and de-duplicated before hashing. Users have one or two roles, so a
// small vector is cheaper than any set.
uint64_t HashRoles(std::span<const Role> roles, std::string* scratch) {
  // The common case sorts on the stack: a heap allocation per user costs more than the hash.
  constexpr size_t kInlineRoles = 8;
  std::string_view inline_values[kInlineRoles];
  std::vector<std::string_view> spilled;
  std::string_view* values = inline_values;
  if (roles.size() > kInlineRoles) {
    spilled.resize(roles.size());
    values = spilled.data();
  }
  for (size_t index = 0; index < roles.size(); ++index) values[index] = roles[index].value;
  std::string_view* end = values + roles.size();
  std::sort(values, end);
  end = std::unique(values, end);
  scratch->clear();
  for (const std::string_view* value = values; value != end; ++value) AppendField(scratch, *value);
  return HashBytes(*scratch);
}

}  // namespace

AttributeHashes HashUserAttributes(const User& user, std::span<const Role> roles) {
  // One scratch buffer per thread: this runs once per user on every side of a reconciliation.
  thread_local std::string scratch;
  AttributeHashes hashes;
  hashes.name = HashName(user.name, &scratch);
  scratch.clear();
  AppendField(&scratch, user.display_name);
  hashes.display_name = HashBytes(scratch);
  hashes.emails = HashEmails(user.emails, &scratch);
  hashes.roles = HashRoles(roles, &scratch);
  const uint64_t parts[] = {hashes.name, hashes.display_name, hashes.emails, hashes.roles};
  hashes.content = XXH3_64bits(parts, sizeof(parts));
  return hashes;
}

uint8_t ChangedAttributes(const AttributeHashes& desired, const AttributeHashes& current) {
  if (desired.content == current.content) return 0;
  uint8_t changed = 0;
  if (desired.name != current.name) changed |= kAttrName;
  if (desired.display_name != current.display_name) changed |= kAttrDisplayName;
  if (desired.emails != current.emails) changed |= kAttrEmails;
  if (desired.roles != current.roles) changed |= kAttrRoles;
  return changed;
}

}  // namespace scimflow
