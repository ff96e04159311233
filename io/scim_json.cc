#include "io/scim_json.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace scimflow {
namespace {

namespace od = simdjson::ondemand;

// Collects a list of unknown length without a heap allocation in the common case (a user has
// one email and one or two roles), then copies it into the arena in one piece. Items are parsed
// in place (Append, then DropLast if the item turns out empty): an item filled field by field
// on the stack and then copied in would be read back as wide words right after its narrow
// stores, a store-forwarding stall per item that showed in profiles.
template <typename T>
class ListCollector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  ListCollector() {}  // Leaves inline_ uninitialised: only the first size_ slots are items.

  // A value-initialised item at the end of the list.
  T& Append() {
    ++size_;
    if (size_ <= kInlineItems && spill_.empty()) return *new (InlineSlot(size_ - 1)) T();
    if (spill_.empty()) spill_.assign(InlineSlot(0), InlineSlot(0) + kInlineItems);
    return spill_.emplace_back();
  }
  // Takes back the item Append returned last.
  void DropLast() {
    --size_;
    if (!spill_.empty()) spill_.pop_back();
  }

  std::span<const T> CopyTo(Arena* arena) {
    if (size_ == 0) return {};
    const T* items = spill_.empty() ? InlineSlot(0) : spill_.data();
    T* copy = static_cast<T*>(arena->Allocate(sizeof(T) * size_, alignof(T)));
    // One item (nearly every user's emails and roles) is copied inline, not by a memcpy call.
    if (size_ == 1) {
      *copy = items[0];
    } else {
      std::memcpy(copy, items, sizeof(T) * size_);
    }
    return std::span<const T>(copy, size_);
  }

 private:
  static constexpr size_t kInlineItems = 4;
  T* InlineSlot(size_t index) { return std::launder(reinterpret_cast<T*>(inline_)) + index; }
  alignas(T) unsigned char inline_[kInlineItems * sizeof(T)];
  std::vector<T> spill_;  // Once used, holds every item.
  size_t size_ = 0;
};

// What went wrong while mapping, as a small trivially copyable value. Turned into a Status once,
// at the end: a Status owns a std::string, too dear to make for every attribute of every record.
struct Fault {
  enum Kind : uint8_t { kNone, kJson, kWrongType, kMissing };
  Kind kind = kNone;
  simdjson::error_code json = simdjson::SUCCESS;
  std::string_view attribute;
  std::string_view expected;
  bool ok() const { return kind == kNone; }
};

Status ToStatus(const Fault& fault) {
  switch (fault.kind) {
    case Fault::kNone:
      return Status::Ok();
    case Fault::kJson:
      return JsonErrorStatus(fault.json);
    case Fault::kWrongType: {
      std::string reason = "wrong type for \"";
      reason.append(fault.attribute).append("\": expected ").append(fault.expected);
      return Status(StatusCode::kInvalidArgument, std::move(reason));
    }
    case Fault::kMissing: {
      std::string reason = "missing required attribute \"";
      reason.append(fault.attribute).append("\"");
      return Status(StatusCode::kInvalidArgument, std::move(reason));
    }
  }
  return Internal("unknown mapping fault");
}

// One record's mapping: where its strings go and the first fault met. The readers below return
// true to go on and false once a fault is recorded, so the hot path passes a bool in a register
// instead of returning a Fault through memory for every attribute.
struct Mapping {
  Arena* arena;
  Fault fault;
  bool may_have_escapes = true;      // False when the caller found no backslash in the record.
  bool strings_in_document = false;  // StringStorage::kDocument.

  [[gnu::noinline]] bool Json(simdjson::error_code error) {
    fault = Fault{Fault::kJson, error, {}, {}};
    return false;
  }
  [[gnu::noinline]] bool WrongType(std::string_view attribute, std::string_view expected) {
    fault = Fault{Fault::kWrongType, simdjson::SUCCESS, attribute, expected};
    return false;
  }
  bool Missing(std::string_view attribute) {
    fault = Fault{Fault::kMissing, simdjson::SUCCESS, attribute, {}};
    return false;
  }
};

// The slow half of the typed readers below, for a value that is not of the type the attribute
// needs (`error` is what the typed getter answered): `null` means absent, a value of the expected
// type that still failed is malformed, anything else is a reject. Out of line: valid exports
// rarely get here.
[[gnu::noinline]] bool NullOrWrongType(Mapping& mapping, od::value& value,
                                       od::json_type expected_type, simdjson::error_code error,
                                       std::string_view attribute, std::string_view expected) {
  od::json_type type{};
  if (auto type_error = value.type().get(type)) return mapping.Json(type_error);
  if (type == od::json_type::null) return true;
  if (type == expected_type) return mapping.Json(error);
  return mapping.WrongType(attribute, expected);
}

// The first byte of `value` as written ('"' for a string, '{' for an object, …), without
// consuming it.
[[gnu::always_inline]] inline char FirstByte(od::value& value) {
  const std::string_view token = value.raw_json_token();
  return token.empty() ? '\0' : token.front();
}

// True when `text` holds a backslash. Eight bytes at a time (a zero-byte test on the bytes
// XOR-ed with '\\'): attribute values are short, and a memchr call per value cost more than the
// search. Reads up to 7 bytes past the end of `text`, which for a string inside a padded
// document are the string's closing quote, what follows it, or the padding.
[[gnu::always_inline]] inline bool HasBackslash(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighBits = 0x8080808080808080;
  constexpr uint64_t kBackslashes = kOnes * '\\';
  for (size_t offset = 0; offset < text.size(); offset += 8) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + offset, sizeof(word));
    word ^= kBackslashes;
    uint64_t zero_bytes = (word - kOnes) & ~word & kHighBits;
    // Bytes past the end of `text` do not count.
    const size_t remaining = text.size() - offset;
    if (remaining < 8) zero_bytes &= (uint64_t{1} << (8 * remaining)) - 1;
    if (zero_bytes != 0) return true;
  }
  return false;
}

// The text between a string value's quotes when it holds no escape sequence, which is then
// exactly what get_string() would give: stage 1 has already checked the document's UTF-8, the
// absence of raw control characters, and where the string closes. Reading the raw token spares
// get_string()'s copy into the parser's buffer. Returns false for any other value (not a string,
// or a string with escapes).
[[gnu::always_inline]] inline bool RawPlainString(const Mapping& mapping, od::value& value,
                                                  std::string_view* out) {
  // The token runs from the opening quote to the next token, so it may end in whitespace.
  const std::string_view token = value.raw_json_token();
  if (token.empty() || token.front() != '"') return false;
  size_t close = token.size() - 1;
  while (close > 0 && token[close] != '"') --close;
  if (close == 0) return false;
  const std::string_view text = token.substr(1, close - 1);
  if (mapping.may_have_escapes && HasBackslash(text)) return false;
  *out = text;
  return true;
}

// A string attribute; `null` leaves *out empty (absent), any other type is a reject.
[[gnu::always_inline]] inline bool ReadString(Mapping& mapping, od::value& value,
                                              std::string_view attribute, std::string_view* out) {
  std::string_view text;
  if (RawPlainString(mapping, value, &text)) {
    *out = mapping.strings_in_document ? text : mapping.arena->Copy(text);
    return true;
  }
  const auto error = value.get_string().get(text);
  if (error == simdjson::INCORRECT_TYPE) {
    return NullOrWrongType(mapping, value, od::json_type::string, error, attribute, "string");
  }
  if (error) return mapping.Json(error);
  *out = mapping.arena->Copy(text);
  return true;
}

[[gnu::always_inline]] inline bool ReadBool(Mapping& mapping, od::value& value,
                                            std::string_view attribute, bool* out) {
  bool flag = false;
  const auto error = value.get_bool().get(flag);
  if (error == simdjson::SUCCESS) {
    *out = flag;
    return true;
  }
  if (error != simdjson::INCORRECT_TYPE) return mapping.Json(error);
  return NullOrWrongType(mapping, value, od::json_type::boolean, error, attribute, "boolean");
}

// Opens an object (or array) attribute; sets *present to false for `null`.
template <typename Container>
[[gnu::always_inline]] inline bool OpenContainer(Mapping& mapping, od::value& value,
                                                 std::string_view attribute, Container* out,
                                                 bool* present) {
  constexpr bool kObject = std::is_same_v<Container, od::object>;
  simdjson::error_code error;
  if constexpr (kObject) {
    error = value.get_object().get(*out);
  } else {
    error = value.get_array().get(*out);
  }
  *present = error == simdjson::SUCCESS;
  if (*present) return true;
  if (error != simdjson::INCORRECT_TYPE) return mapping.Json(error);
  return NullOrWrongType(mapping, value, kObject ? od::json_type::object : od::json_type::array,
                         error, attribute, kObject ? "object" : "array");
}

[[gnu::always_inline]] inline bool OpenObject(Mapping& mapping, od::value& value,
                                              std::string_view attribute, od::object* out,
                                              bool* present) {
  return OpenContainer(mapping, value, attribute, out, present);
}

[[gnu::always_inline]] inline bool OpenArray(Mapping& mapping, od::value& value,
                                             std::string_view attribute, od::array* out,
                                             bool* present) {
  return OpenContainer(mapping, value, attribute, out, present);
}

// True when the member name `key` (the raw bytes after its opening quote) is exactly `name`,
// compared byte for byte as written, as raw_json_string's operator== does: the bytes of `name`,
// then the closing quote. Compared as one or two masked 8-byte words against a pattern the
// compiler folds from the literal, because memcmp with a short constant size stays a library
// call. Reading 16 bytes is safe: a key is followed by at least `":`, a value and `}`, then the
// document's simdjson::SIMDJSON_PADDING. Callers switch on the first byte first, so an
// attribute costs one or two comparisons rather than one per known attribute name.
template <size_t N>
[[gnu::always_inline]] inline bool KeyIs(const char* key, const char (&name)[N]) {
  static_assert(std::endian::native == std::endian::little, "the pattern is little-endian");
  constexpr size_t kBytes = N;  // The name without its NUL, plus the closing quote.
  static_assert(kBytes >= 2 && kBytes <= 16, "attribute names of 1 to 15 bytes");
  const auto pattern_byte = [&](size_t index) -> uint64_t {
    return static_cast<unsigned char>(index + 1 < N ? name[index] : '"');
  };
  uint64_t low = 0;
  uint64_t high = 0;
  for (size_t index = 0; index < kBytes && index < 8; ++index) {
    low |= pattern_byte(index) << (8 * index);
  }
  for (size_t index = 8; index < kBytes; ++index) high |= pattern_byte(index) << (8 * (index - 8));
  constexpr uint64_t kLowMask = kBytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * kBytes)) - 1;
  uint64_t word = 0;
  std::memcpy(&word, key, sizeof(word));
  if ((word & kLowMask) != low) return false;
  if constexpr (kBytes > 8) {
    constexpr uint64_t kHighMask =
        kBytes >= 16 ? ~uint64_t{0} : (uint64_t{1} << (8 * (kBytes - 8))) - 1;
    std::memcpy(&word, key + 8, sizeof(word));
    return (word & kHighMask) == high;
  }
  return true;
}

// Calls `visit(key, value)` (key: the raw bytes after the opening quote) for every member of
// `object`; stops at the first visit that returns false or the first JSON error.
template <typename Visit>
[[gnu::always_inline]] inline bool ForEachField(Mapping& mapping, od::object& object,
                                                Visit&& visit) {
  for (auto field_result : object) {
    if (auto error = field_result.error()) return mapping.Json(error);
    // Used in place, not moved into a local od::field: that move stores the value's parts
    // separately and reloads them as one 16-byte word, a store-forwarding stall on every
    // attribute that showed as a fifth of all parsing time.
    od::field& field = field_result.value_unsafe();
    if (!visit(field.key().raw(), field.value())) return false;  // value(): an lvalue ref.
  }
  return true;
}

// Calls `visit(element)` for every element of `array`; stops as ForEachField does.
template <typename Visit>
[[gnu::always_inline]] inline bool ForEachElement(Mapping& mapping, od::array& array,
                                                  Visit&& visit) {
  for (auto element_result : array) {
    if (auto error = element_result.error()) return mapping.Json(error);
    if (!visit(element_result.value_unsafe())) return false;  // In place, as in ForEachField.
  }
  return true;
}

bool ParseName(Mapping& mapping, od::value& value, PersonName* out) {
  od::object object;
  bool present = false;
  if (!OpenObject(mapping, value, "name", &object, &present)) return false;
  if (!present) return true;
  return ForEachField(mapping, object, [&](const char* key, od::value& member) {
    switch (key[0]) {
      case 'g':
        if (KeyIs(key, "givenName")) {
          return ReadString(mapping, member, "name.givenName", &out->given_name);
        }
        break;
      case 'f':
        if (KeyIs(key, "familyName")) {
          return ReadString(mapping, member, "name.familyName", &out->family_name);
        }
        if (KeyIs(key, "formatted")) {
          return ReadString(mapping, member, "name.formatted", &out->formatted);
        }
        break;
      case 'm':
        if (KeyIs(key, "middleName")) {
          return ReadString(mapping, member, "name.middleName", &out->middle_name);
        }
        break;
      default:
        break;
    }
    return true;
  });
}

bool ParseEmail(Mapping& mapping, od::value& value, Email* out) {
  od::object object;
  bool present = false;
  if (!OpenObject(mapping, value, "emails", &object, &present)) return false;
  if (!present) return true;
  return ForEachField(mapping, object, [&](const char* key, od::value& member) {
    if (KeyIs(key, "value")) return ReadString(mapping, member, "emails.value", &out->value);
    if (KeyIs(key, "type")) return ReadString(mapping, member, "emails.type", &out->type);
    if (KeyIs(key, "primary")) return ReadBool(mapping, member, "emails.primary", &out->primary);
    return true;
  });
}

bool ParseEmails(Mapping& mapping, od::value& value, std::span<const Email>* out) {
  od::array array;
  bool present = false;
  if (!OpenArray(mapping, value, "emails", &array, &present)) return false;
  if (!present) return true;
  ListCollector<Email> emails;
  const bool ok = ForEachElement(mapping, array, [&](od::value& element) {
    Email& email = emails.Append();
    if (!ParseEmail(mapping, element, &email)) return false;
    // An entry without an address carries nothing a target could store.
    if (email.value.empty()) emails.DropLast();
    return true;
  });
  if (ok) *out = emails.CopyTo(mapping.arena);
  return ok;
}

// One role: a plain string (assignments files) or `{"value": …, "primary": …}` (SCIM).
bool ParseRole(Mapping& mapping, od::value& value, Role* out) {
  if (FirstByte(value) == '"') return ReadString(mapping, value, "roles", &out->value);
  od::object object;
  bool present = false;
  if (!OpenObject(mapping, value, "roles", &object, &present)) return false;
  if (!present) return true;
  return ForEachField(mapping, object, [&](const char* key, od::value& member) {
    if (KeyIs(key, "value")) return ReadString(mapping, member, "roles.value", &out->value);
    if (KeyIs(key, "primary")) return ReadBool(mapping, member, "roles.primary", &out->primary);
    return true;
  });
}

bool ParseRoles(Mapping& mapping, od::value& value, std::span<const Role>* out) {
  od::array array;
  bool present = false;
  if (!OpenArray(mapping, value, "roles", &array, &present)) return false;
  if (!present) return true;
  ListCollector<Role> roles;
  const bool ok = ForEachElement(mapping, array, [&](od::value& element) {
    Role& role = roles.Append();
    if (!ParseRole(mapping, element, &role)) return false;
    if (role.value.empty()) roles.DropLast();
    return true;
  });
  if (ok) *out = roles.CopyTo(mapping.arena);
  return ok;
}

// One member: a user externalId as a string (IdP groups file) or `{"value": …}` (SCIM).
bool ParseMember(Mapping& mapping, od::value& value, std::string_view* out) {
  if (FirstByte(value) == '"') return ReadString(mapping, value, "members", out);
  od::object object;
  bool present = false;
  if (!OpenObject(mapping, value, "members", &object, &present)) return false;
  if (!present) return true;
  return ForEachField(mapping, object, [&](const char* key, od::value& member) {
    if (KeyIs(key, "value")) return ReadString(mapping, member, "members.value", out);
    return true;
  });
}

bool ParseMembers(Mapping& mapping, od::value& value, std::span<const std::string_view>* out) {
  od::array array;
  bool present = false;
  if (!OpenArray(mapping, value, "members", &array, &present)) return false;
  if (!present) return true;
  ListCollector<std::string_view> members;
  const bool ok = ForEachElement(mapping, array, [&](od::value& element) {
    std::string_view& member = members.Append();
    if (!ParseMember(mapping, element, &member)) return false;
    if (member.empty()) members.DropLast();
    return true;
  });
  if (ok) *out = members.CopyTo(mapping.arena);
  return ok;
}

bool ParseUserField(Mapping& mapping, const char* key, od::value& value, User& user,
                    std::string_view* id) {
  switch (key[0]) {
    case 'a':
      if (KeyIs(key, "active")) return ReadBool(mapping, value, "active", &user.active);
      break;
    case 'd':
      if (KeyIs(key, "displayName")) {
        return ReadString(mapping, value, "displayName", &user.display_name);
      }
      break;
    case 'e':
      if (KeyIs(key, "externalId")) {
        return ReadString(mapping, value, "externalId", &user.external_id);
      }
      if (KeyIs(key, "emails")) return ParseEmails(mapping, value, &user.emails);
      break;
    case 'i':
      if (KeyIs(key, "id")) return ReadString(mapping, value, "id", id);
      break;
    case 'n':
      if (KeyIs(key, "name")) return ParseName(mapping, value, &user.name);
      break;
    case 'r':
      if (KeyIs(key, "roles")) return ParseRoles(mapping, value, &user.roles);
      break;
    case 'u':
      if (KeyIs(key, "userName")) return ReadString(mapping, value, "userName", &user.user_name);
      break;
    default:
      break;
  }
  return true;  // Unknown attributes (schemas, meta, groups, extensions) are ignored.
}

}  // namespace

std::string_view JsonErrorReason(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? "invalid UTF-8" : "malformed JSON";
}

Status JsonErrorStatus(simdjson::error_code error) {
  return Status(StatusCode::kDataLoss, std::string(JsonErrorReason(error)));
}

namespace {

// REQUIRES: *user default-constructed.
bool MapScimUser(Mapping& mapping, od::object& object, User* user, std::string_view* id) {
  const bool ok = ForEachField(mapping, object, [&](const char* key, od::value& value) {
    return ParseUserField(mapping, key, value, *user, id);
  });
  if (!ok) return false;
  if (user->external_id.empty()) return mapping.Missing("externalId");
  if (user->user_name.empty()) return mapping.Missing("userName");
  return true;
}

bool MapScimGroup(Mapping& mapping, od::object& object, ScimGroup* out) {
  *out = ScimGroup{};
  Group& group = out->group;
  const bool ok = ForEachField(mapping, object, [&](const char* key, od::value& value) {
    if (KeyIs(key, "externalId")) {
      return ReadString(mapping, value, "externalId", &group.external_id);
    }
    if (KeyIs(key, "displayName")) {
      return ReadString(mapping, value, "displayName", &group.display_name);
    }
    if (KeyIs(key, "id")) return ReadString(mapping, value, "id", &out->id);
    if (KeyIs(key, "members")) return ParseMembers(mapping, value, &group.member_external_ids);
    if (KeyIs(key, "roles")) group.has_roles = true;
    return true;
  });
  if (!ok) return false;
  if (group.external_id.empty()) return mapping.Missing("externalId");
  if (group.display_name.empty()) return mapping.Missing("displayName");
  return true;
}

bool MapAssignment(Mapping& mapping, od::object& object, Assignment* out) {
  *out = Assignment{};
  const bool ok = ForEachField(mapping, object, [&](const char* key, od::value& value) {
    if (KeyIs(key, "externalId"))
      return ReadString(mapping, value, "externalId", &out->external_id);
    if (KeyIs(key, "roles")) return ParseRoles(mapping, value, &out->roles);
    return true;
  });
  if (!ok) return false;
  if (out->external_id.empty()) return mapping.Missing("externalId");
  return true;
}

}  // namespace

Status ParseScimUser(od::object object, Arena* arena, ScimUser* out) {
  *out = ScimUser{};
  Mapping mapping{arena, {}};
  return MapScimUser(mapping, object, &out->user, &out->id) ? Status::Ok()
                                                            : ToStatus(mapping.fault);
}

Status ParseScimUserInPlace(od::object object, Arena* arena, User* user, StringEscapes escapes,
                            StringStorage storage) {
  std::string_view id;  // Read (a wrong type is still a reject), not kept.
  Mapping mapping{arena, {}, escapes == StringEscapes::kMaybe, storage == StringStorage::kDocument};
  return MapScimUser(mapping, object, user, &id) ? Status::Ok() : ToStatus(mapping.fault);
}

Status ParseScimGroup(od::object object, Arena* arena, ScimGroup* out) {
  Mapping mapping{arena, {}};
  return MapScimGroup(mapping, object, out) ? Status::Ok() : ToStatus(mapping.fault);
}

Status ParseAssignment(od::object object, Arena* arena, Assignment* out) {
  Mapping mapping{arena, {}};
  return MapAssignment(mapping, object, out) ? Status::Ok() : ToStatus(mapping.fault);
}

Status FinishDocument(od::document& document) {
  // current_location() answers OUT_OF_BOUNDS exactly when every token has been consumed.
  const char* location = nullptr;
  if (document.current_location().get(location) == simdjson::OUT_OF_BOUNDS) return Status::Ok();
  return JsonErrorStatus(simdjson::TAPE_ERROR);
}

Result<ScimResourceKind> PeekScimResourceKind(od::document& document) {
  od::value schemas_value;
  auto error = document.find_field_unordered("schemas").get(schemas_value);
  ScimResourceKind kind = ScimResourceKind::kUnknown;
  if (error == simdjson::SUCCESS) {
    od::array schemas;
    bool present = false;
    Mapping mapping{nullptr, {}};
    if (!OpenArray(mapping, schemas_value, "schemas", &schemas, &present)) {
      return ToStatus(mapping.fault);
    }
    // `"schemas": null` names no schema, and leaves `schemas` unopened: nothing to iterate.
    if (present) {
      for (auto schema_result : schemas) {
        std::string_view schema;
        const auto schema_error = schema_result.get_string().get(schema);
        // A non-string entry names no schema we know; it does not make the line unusable. Any
        // other error is the JSON's: simdjson has given up on the document, which can then not
        // be rewound.
        if (schema_error == simdjson::INCORRECT_TYPE) continue;
        if (schema_error != simdjson::SUCCESS) return JsonErrorStatus(schema_error);
        if (schema.ends_with(":User")) kind = ScimResourceKind::kUser;
        if (schema.ends_with(":Group")) kind = ScimResourceKind::kGroup;
      }
    }
  } else if (error != simdjson::NO_SUCH_FIELD) {
    return JsonErrorStatus(error);
  }
  document.rewind();
  return kind;
}

}  // namespace scimflow
