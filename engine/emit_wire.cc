#include "engine/emit_wire.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace scimflow {

FoundResource ParseFound(std::string_view body, bool list) {
  FoundResource found;
  // Runs for every create answer: the parser's buffers are allocated once per thread.
  thread_local simdjson::ondemand::parser parser;
  // So is the padded copy of the body simdjson reads: its capacity stays from one to the next.
  thread_local std::string padded;
  padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(body);
  simdjson::ondemand::document document;
  if (parser.iterate(simdjson::padded_string_view(padded.data(), padded.size(), padded.capacity()))
          .get(document)) {
    return found;
  }
  simdjson::ondemand::object resource;
  if (list) {
    simdjson::ondemand::array resources;
    if (document["Resources"].get_array().get(resources)) return found;
    bool first = false;
    for (auto element : resources) {
      if (element.get_object().get(resource)) return found;
      first = true;
      break;
    }
    // An empty list: nothing to read (iterating a default-constructed object is undefined).
    if (!first) return found;
  } else if (document.get_object().get(resource)) {
    return found;
  }
  std::string_view id;
  bool active = true;
  for (auto field : resource) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    if (key == "id" && !field.value().get_string().get(id)) {
      found.id = std::string(id);
      // A create's answer is read for its id alone: the rest of the resource is not walked.
      if (!list) break;
    }
    if (key == "active" && !field.value().get_bool().get(active)) found.active = active;
  }
  found.found = !found.id.empty();
  return found;
}

}  // namespace scimflow
