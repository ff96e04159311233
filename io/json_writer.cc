#include "io/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace scimflow {

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t index = 0; index < text.size(); ++index) {
    const auto byte = static_cast<unsigned char>(text[index]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    // Copy the clean run before this byte in one go: most strings have nothing to escape.
    out->append(text.data() + run_start, index - run_start);
    run_start = index + 1;
    switch (byte) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[byte >> 4]);
        out->push_back(kHex[byte & 0xf]);
    }
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (depth_.empty()) {
    wrote_value_ = true;
    return;
  }
  Level& level = depth_.back();
  if (level.scope == Scope::kObject) {
    assert(key_pending_ && "JsonWriter: a value inside an object needs a Key() first");
    key_pending_ = false;
    return;
  }
  if (level.has_member) out_->push_back(',');
  level.has_member = true;
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  depth_.push_back({Scope::kObject, false});
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  assert(!depth_.empty() && depth_.back().scope == Scope::kObject && !key_pending_);
  depth_.pop_back();
  out_->push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  depth_.push_back({Scope::kArray, false});
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  assert(!depth_.empty() && depth_.back().scope == Scope::kArray);
  depth_.pop_back();
  out_->push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  assert(!depth_.empty() && depth_.back().scope == Scope::kObject && !key_pending_);
  Level& level = depth_.back();
  if (level.has_member) out_->push_back(',');
  level.has_member = true;
  AppendJsonString(out_, key);
  out_->push_back(':');
  key_pending_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  // JSON has no NaN or infinity; null is the conventional stand-in.
  if (!std::isfinite(value)) {
    out_->append("null");
    return *this;
  }
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
  return *this;
}

}  // namespace scimflow
