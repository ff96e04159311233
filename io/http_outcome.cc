#include "io/http_outcome.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "engine/ascii.h"

namespace scimflow {
namespace {

using std::chrono::seconds;

// Length of the valid UTF-8 sequence starting at text[pos], or 0 if the bytes there are not one
// (stray continuation byte, truncated sequence, overlong form, surrogate, beyond U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    code_point = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    code_point = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t offset = 1; offset < length; ++offset) {
    const auto next = static_cast<unsigned char>(text[pos + offset]);
    if ((next & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3f);
  }
  constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length] || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

seconds ClampWait(int64_t wait_seconds) {
  return seconds(std::clamp<int64_t>(wait_seconds, 0, config::kMaxServerWait.count()));
}

int64_t ToUnixSeconds(std::chrono::system_clock::time_point now) {
  return std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();
}

std::optional<seconds> ParseRetryAfter(std::string_view value, int64_t now_unix) {
  if (value.empty()) return std::nullopt;
  if (const std::optional<int64_t> delta = ParseInteger(value)) return ClampWait(*delta);
  // An HTTP-date (RFC 9110 §10.2.3). curl_getdate needs a NUL-terminated string.
  const std::string date(value);
  const time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return ClampWait(static_cast<int64_t>(when) - now_unix);
}

bool ContainsRateLimitWords(std::string_view text) {
  return AsciiLowerCopy(text).find("rate limit") != std::string::npos;
}

// Reads `key` of `object` as a string into `*out`; a missing key or another type leaves it
// unchanged. Returns false only on a parse error that makes the document unusable.
bool ReadStringField(simdjson::ondemand::object& object, std::string_view key, std::string* out) {
  simdjson::ondemand::value value;
  const simdjson::error_code find_error = object.find_field_unordered(key).get(value);
  if (find_error == simdjson::NO_SUCH_FIELD) return true;
  if (find_error) return false;
  std::string_view text;
  const simdjson::error_code type_error = value.get_string().get(text);
  if (type_error == simdjson::INCORRECT_TYPE) return true;
  if (type_error) return false;
  *out = std::string(text);
  return true;
}

// Fills `*error` from a JSON object body. Returns false when the body is not a usable JSON object.
bool ParseErrorJson(std::string_view body, TargetError* error) {
  if (body.size() > config::kMaxErrorBodyParseBytes) return false;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document document;
  if (parser.iterate(padded).get(document)) return false;
  simdjson::ondemand::object object;
  if (document.get_object().get(object)) return false;
  std::string scim_type, detail, message, documentation_url;
  if (!ReadStringField(object, "scimType", &scim_type)) return false;
  if (!ReadStringField(object, "detail", &detail)) return false;
  if (!ReadStringField(object, "message", &message)) return false;
  if (!ReadStringField(object, "documentation_url", &documentation_url)) return false;
  if (detail.empty() && message.empty()) return false;
  error->scim_type = SanitizeErrorText(scim_type, 64);
  error->text = SanitizeErrorText(detail.empty() ? message : detail, config::kMaxErrorTextBytes);
  error->documentation_url = SanitizeErrorText(documentation_url, config::kMaxErrorTextBytes);
  return true;
}

std::string HttpMessage(int http_status, const TargetError& error) {
  std::string message = fmt::format("HTTP {}", http_status);
  if (!error.scim_type.empty()) message += " " + error.scim_type;
  if (!error.text.empty()) message += ": " + error.text;
  return message;
}

HttpOutcome ClassifyTransportError(const HttpResponse& response, RequestKind kind) {
  HttpOutcome outcome;
  outcome.http_status = response.status;
  const std::string detail =
      SanitizeErrorText(response.transport_message, config::kMaxErrorTextBytes);
  const std::string_view name = TransportErrorName(response.transport);
  const std::string plain =
      detail.empty() ? std::string(name) : fmt::format("{}: {}", name, detail);
  switch (response.transport) {
    case TransportError::kTls:
      outcome.status = Status(StatusCode::kUnauthenticated, plain);
      return outcome;
    case TransportError::kInvalidRequest:
      outcome.status = Status(StatusCode::kInvalidArgument, plain);
      return outcome;
    case TransportError::kConnectFailed:
      outcome.status = Status(StatusCode::kUnavailable, plain);
      return outcome;
    default:
      break;
  }
  // The request may have been processed; a create must be looked up before anything else.
  if (kind == RequestKind::kCreate && response.request_sent) {
    outcome.status = Status(StatusCode::kAborted, fmt::format("create answer lost ({})", plain));
  } else if (response.transport == TransportError::kResponseTooLarge) {
    outcome.status = Status(StatusCode::kFailedPrecondition, plain);
  } else {
    outcome.status = Status(StatusCode::kUnavailable, plain);
  }
  return outcome;
}

bool IsRateLimitAnswer(int http_status, const RateLimitHints& hints, const TargetError& error) {
  if (http_status == 429) return true;
  if (http_status != 403) return false;
  return (hints.remaining && *hints.remaining == 0) || hints.retry_after.has_value() ||
         ContainsRateLimitWords(error.text);
}

}  // namespace

std::string_view TransportErrorName(TransportError error) {
  switch (error) {
    case TransportError::kNone:
      return "none";
    case TransportError::kConnectFailed:
      return "connect failed";
    case TransportError::kTimeout:
      return "timeout";
    case TransportError::kReset:
      return "connection reset";
    case TransportError::kTls:
      return "tls";
    case TransportError::kResponseTooLarge:
      return "response too large";
    case TransportError::kInvalidRequest:
      return "invalid request";
    case TransportError::kOther:
      return "transport error";
  }
  return "transport error";
}

std::string SanitizeErrorText(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = Utf8SequenceLength(text, pos);
    const size_t needed = length == 0 ? 1 : length;
    if (out.size() + needed > max_bytes) {
      out += "...";
      return out;
    }
    if (length == 0) {
      out += '?';
    } else if (length == 1) {
      const auto byte = static_cast<unsigned char>(text[pos]);
      out += (byte < 0x20 || byte == 0x7f) ? ' ' : text[pos];
    } else {
      out.append(text.substr(pos, length));
    }
    pos += needed;
  }
  // Trailing blanks (a final newline of a text body) say nothing.
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

TargetError ParseTargetError(std::string_view body) {
  TargetError error;
  if (ParseErrorJson(body, &error)) return error;
  error = TargetError();
  error.text = SanitizeErrorText(body, config::kMaxErrorTextBytes);
  // Leading blanks too, so a body of whitespace yields no text at all.
  const size_t first = error.text.find_first_not_of(' ');
  error.text.erase(0, first == std::string::npos ? error.text.size() : first);
  return error;
}

RateLimitHints ParseRateLimitHints(const HttpResponse& response,
                                   std::chrono::system_clock::time_point now) {
  RateLimitHints hints;
  const int64_t now_unix = ToUnixSeconds(now);
  hints.limit = ParseInteger(response.Header("x-ratelimit-limit"));
  hints.remaining = ParseInteger(response.Header("x-ratelimit-remaining"));
  hints.used = ParseInteger(response.Header("x-ratelimit-used"));
  if (const std::optional<int64_t> reset = ParseInteger(response.Header("x-ratelimit-reset"))) {
    hints.reset_after = ClampWait(*reset - now_unix);
  }
  hints.retry_after = ParseRetryAfter(response.Header("retry-after"), now_unix);
  return hints;
}

HttpOutcome ClassifyHttpResponse(const HttpResponse& response, RequestKind kind,
                                 std::chrono::system_clock::time_point now) {
  if (response.transport != TransportError::kNone || response.status < 100) {
    HttpResponse as_transport = response;
    if (as_transport.transport == TransportError::kNone) {
      as_transport.transport = TransportError::kReset;
      as_transport.transport_message = "no status line in the answer";
    }
    return ClassifyTransportError(as_transport, kind);
  }
  HttpOutcome outcome;
  outcome.http_status = response.status;
  outcome.hints = ParseRateLimitHints(response, now);
  if (response.status >= 200 && response.status < 300) return outcome;

  outcome.error = ParseTargetError(response.body);
  const std::string message = HttpMessage(response.status, outcome.error);
  if (IsRateLimitAnswer(response.status, outcome.hints, outcome.error)) {
    RateLimitHints& hints = outcome.hints;
    if (!hints.retry_after) {
      const bool exhausted = hints.remaining && *hints.remaining == 0 && hints.reset_after;
      hints.retry_after = exhausted ? *hints.reset_after : config::kDefaultRateLimitWait;
    }
    outcome.status = Status(StatusCode::kResourceExhausted, message);
  } else if (response.status == 401) {
    outcome.status = Status(StatusCode::kUnauthenticated, message);
  } else if (response.status == 409 && kind == RequestKind::kCreate) {
    outcome.status = Status(StatusCode::kAborted, message);
  } else if (response.status >= 500 && response.status < 600) {
    outcome.status = Status(StatusCode::kUnavailable, message);
  } else {
    outcome.status = Status(StatusCode::kFailedPrecondition, message);
  }
  return outcome;
}

}  // namespace scimflow
