// SCIM JSON building: the bodies a plan carries and apply sends (io/scim_body).
//   BM_ScimBody_UserCreate   a whole User resource, as `POST /Users` sends it (users/s, bytes/s)
//   BM_ScimBody_UserPatch    a PatchOp replacing name, displayName and emails (users/s, bytes/s)
// Before timing, every rendered body is read back with simdjson's DOM parser and its fields are
// compared with the user it was rendered from.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/plan_bench_data.h"
#include "engine/content_hash.h"
#include "io/json_writer.h"
#include "io/scim_body.h"

namespace scimflow::bench {
namespace {

constexpr size_t kUsers = 100'000;

// The users every benchmark here renders, built once.
struct BodyData {
  RecordChunk chunk;
  std::vector<User> users;
};

const BodyData& GetBodyData() {
  static const std::unique_ptr<BodyData> data = [] {
    auto built = std::make_unique<BodyData>();
    built->users.reserve(kUsers);
    for (size_t index = 0; index < kUsers; ++index) {
      built->users.push_back(MakeBenchUser(index, &built->chunk, /*on_target=*/false));
    }
    return built;
  }();
  return *data;
}

void RenderCreate(const User& user, std::string* out) {
  out->clear();
  JsonWriter json(out);
  json.BeginObject();
  WriteUserMembers(user, /*id=*/"", &json);
  json.EndObject();
}

void RenderProfilePatch(const User& user, std::string* out) {
  out->clear();
  JsonWriter json(out);
  json.BeginObject().Key("schemas").BeginArray().String(kScimPatchOpSchema).EndArray();
  json.Key("Operations").BeginArray();
  for (const uint8_t attribute : {kAttrName, kAttrDisplayName, kAttrEmails}) {
    json.BeginObject().Member("op", "replace").Member("path", AttributePath(attribute));
    json.Key("value");
    WriteAttributeValue(user, attribute, &json);
    json.EndObject();
  }
  json.EndArray().EndObject();
}

// The body read back names the user it was rendered from.
bool CreateBodyIsRight(const User& user, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return false;
  std::string_view external_id, user_name, given, email;
  bool active = false;
  return !root["externalId"].get(external_id) && external_id == user.external_id &&
         !root["userName"].get(user_name) && user_name == user.user_name &&
         !root["name"]["givenName"].get(given) && given == user.name.given_name &&
         !root["emails"].at(0)["value"].get(email) && email == user.emails[0].value &&
         !root["active"].get(active) && active == user.active;
}

bool PatchBodyIsRight(const User& user, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return false;
  simdjson::dom::array operations;
  if (root["Operations"].get(operations) || operations.size() != 3) return false;
  std::string_view display_name, email;
  return !operations.at(1)["value"].get(display_name) && display_name == user.display_name &&
         !operations.at(2)["value"].at(0)["value"].get(email) && email == user.emails[0].value;
}

template <void (*Render)(const User&, std::string*),
          bool (*IsRight)(const User&, const std::string&)>
void RenderUsers(benchmark::State& state) {
  const BodyData& data = GetBodyData();
  std::string body;
  for (const User& user : data.users) {
    Render(user, &body);
    if (!IsRight(user, body)) {
      return state.SkipWithError(("rendered body differs from its user: " + body).c_str());
    }
  }
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const User& user : data.users) {
      Render(user, &body);
      bytes += static_cast<int64_t>(body.size());
      benchmark::DoNotOptimize(body.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.users.size()));
  state.SetBytesProcessed(bytes);
}

void BM_ScimBody_UserCreate(benchmark::State& state) {
  RenderUsers<RenderCreate, CreateBodyIsRight>(state);
}
void BM_ScimBody_UserPatch(benchmark::State& state) {
  RenderUsers<RenderProfilePatch, PatchBodyIsRight>(state);
}

BENCHMARK(BM_ScimBody_UserCreate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScimBody_UserPatch)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace scimflow::bench
