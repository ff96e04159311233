// JsonWriter: appends compact JSON (RFC 8259) to a std::string.
//
// Used for every JSON scimflow writes: SCIM request bodies, plan and snapshot lines, reports,
// simulator answers, generated exports. Output is deterministic: keys appear in call order,
// numbers in shortest form, strings escaped the same way every time (`"`, `\`, and control
// characters; other UTF-8 passes through unchanged).
//
// The writer borrows `*out` and appends to it; the string must outlive the writer. It tracks
// commas itself, so callers only say what comes next. Misuse (a value where a key is due) is a
// programming error, checked by assertions in debug builds.
// Thread-safety: none; one writer per thread.
#ifndef SCIMFLOW_IO_JSON_WRITER_H_
#define SCIMFLOW_IO_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scimflow {

// Appends `text` to `*out` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The next member's name; REQUIRES: inside an object, where a key is due.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Appends already-serialised JSON as one value (e.g. a target's error body kept verbatim).
  // REQUIRES: `json` is one valid JSON value.
  JsonWriter& Raw(std::string_view json);

  // Shorthands for `Key(key).String(value)` and friends.
  JsonWriter& Member(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, bool value) { return Key(key).Bool(value); }
  JsonWriter& Member(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Member(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, uint32_t value) { return Key(key).Uint(value); }

  // True once every opened object and array is closed again.
  bool complete() const { return depth_.empty() && wrote_value_; }

 private:
  enum class Scope : uint8_t { kObject, kArray };
  struct Level {
    Scope scope;
    bool has_member;
  };

  // Emits the comma that separates this value from the previous one, if any.
  void BeforeValue();

  std::string* out_;
  std::vector<Level> depth_;
  bool key_pending_ = false;
  bool wrote_value_ = false;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_JSON_WRITER_H_
