// Hostile identity values (issue #9): externalIds and userNames with quotes, backslashes, a filter
// injection (`" or userName pr "`), control characters, non-ASCII and 4 KiB strings. The engine
// must escape them in lookup filters (RFC 7644 §3.4.2.2), send them in valid JSON bodies, and
// change nothing on the target but those users: checked through the simulator, whose filter
// parser must find exactly the one user each escaped filter names, and through an apply whose
// create answers are lost, so every lookup runs with a hostile value.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/json_writer.h"
#include "io/scim_filter.h"
#include "tests/emit_testutil.h"
#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

using testing_emit::CommandResult;
using testing_emit::RunScimflow;
using testing_gen::TempDir;

// The values under test, each an externalId and a userName.
struct HostileUser {
  std::string external_id;
  std::string user_name;
};

std::vector<HostileUser> HostileUsers() {
  return {
      {"quote\"d", "o'brien\"x@example.com"},
      {"back\\slash\\\\", "back\\slash@example.com"},
      {"\" or userName pr \"", "\" or externalId pr \""},
      {"x\") or (externalId eq \"", "paren@example.com"},
      {std::string("ctl\x01\x1f\n\t\x7f", 8), "ctl\x07name@example.com"},
      {"ünïcødé-用户-🙂", "ü@例え.jp"},
      {"a+b&c=d#e%41?f/g", "plus+sign@example.com"},
      {"'; DROP TABLE users; --", "sql@example.com"},
      {std::string(4096, 'x') + "-long", std::string(4000, 'y') + "@example.com"},
  };
}

// `s` as a JSON string literal, quotes included.
std::string Json(std::string_view text) {
  std::string out;
  JsonWriter writer(&out);
  writer.String(text);
  return out;
}

// A query string value: every byte but unreserved ones percent-encoded.
std::string QueryEscape(std::string_view text) {
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

TEST(HostileInputTest, FilterValuesAreEscapedAsJsonStrings) {
  EXPECT_EQ(ScimEqualsFilter("externalId", "\" or userName pr \""),
            R"(externalId eq "\" or userName pr \"")");
  EXPECT_EQ(ScimEqualsFilter("externalId", "back\\slash\\\\"),
            R"(externalId eq "back\\slash\\\\")");
  EXPECT_EQ(ScimEqualsFilter("externalId", std::string("ctl\x01\x1f\n\t", 7)),
            R"(externalId eq "ctl\u0001\u001f\n\t")");
  EXPECT_EQ(ScimEqualsFilter("externalId", "x\") or (externalId eq \""),
            R"(externalId eq "x\") or (externalId eq \"")");
  // UTF-8 passes through unchanged.
  EXPECT_EQ(ScimEqualsFilter("userName", "ü@例え.jp"), "userName eq \"ü@例え.jp\"");
}

// The simulator's filter parser, fed the engine's escaped filters, finds exactly the one user;
// the same values unescaped are refused or find someone else.
TEST(HostileInputTest, EscapedFiltersFindExactlyTheOneUser) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  SimClient client = sim.Client();
  ASSERT_EQ(client.Post("/Users", SimUserBody("victim", "victim@example.com")).status, 201);
  for (const HostileUser& user : HostileUsers()) {
    const HttpReply created = client.Post("/Users", SimUserBody(user.external_id, user.user_name));
    ASSERT_EQ(created.status, 201) << created.body;
  }
  for (const HostileUser& user : HostileUsers()) {
    for (const auto& [attribute, value] :
         {std::pair{"externalId", user.external_id}, std::pair{"userName", user.user_name}}) {
      const HttpReply found =
          client.Get("/Users?filter=" + QueryEscape(ScimEqualsFilter(attribute, value)));
      ASSERT_EQ(found.status, 200) << found.body;
      EXPECT_EQ(JsonNumber(found.body, "/totalResults"), 1) << value;
      EXPECT_EQ(JsonString(found.body, std::string("/Resources/0/") + attribute), value);
    }
  }
  // Unescaped, the injection would be a wider filter; the simulator refuses it.
  const HttpReply injected = client.Get(
      "/Users?filter=" + QueryEscape(std::string("externalId eq \"\" or userName pr \"\"")));
  EXPECT_EQ(injected.status, 400) << injected.body;
}

// Plan and apply an export of hostile users against a target that already holds another user;
// half of the create answers are lost, so the engine looks hostile externalIds up.
TEST(HostileInputTest, ApplyWithLostAnswersCreatesExactlyTheHostileUsers) {
  TempDir dir("hostile");
  {
    std::ofstream users(dir / "users.ndjson");
    std::ofstream assignments(dir / "assignments.ndjson");
    std::ofstream groups(dir / "groups.ndjson");
    std::string members;
    for (const HostileUser& user : HostileUsers()) {
      users << R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":)"
            << Json(user.external_id) << R"(,"userName":)" << Json(user.user_name)
            << R"(,"name":{"givenName":"G","familyName":)" << Json(user.external_id)
            << R"(},"displayName":)" << Json(user.user_name) << R"(,"emails":[{"value":)"
            << Json(user.user_name) << R"(,"type":"work","primary":true}],"active":true})"
            << "\n";
      assignments << R"({"externalId":)" << Json(user.external_id) << R"(,"roles":["user"]})"
                  << "\n";
      members += (members.empty() ? "" : ",") + Json(user.external_id);
    }
    groups << R"({"externalId":"g\" or displayName pr \"","displayName":"G \"quoted\" \\ )"
           << R"(\u0001","members":[)" << members << "]}\n";
  }
  const std::string empty = dir / "empty.ndjson";
  std::ofstream(empty).flush();
  const CommandResult planned = RunScimflow(
      {"plan", "--users", dir / "users.ndjson", "--groups", dir / "groups.ndjson", "--assignments",
       dir / "assignments.ndjson", "--current", empty, "--out", dir / "plan.ndjson"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--lost-answer", "0.5", "--seed", "7"}).ok());
  SimClient client = sim.Client();
  // The simulator loses answers from the start: send until it says created or already taken.
  long victim_status = 0;
  for (int attempt = 0; attempt < 20 && victim_status != 201 && victim_status != 409; ++attempt) {
    victim_status = client.Post("/Users", SimUserBody("victim", "victim@example.com")).status;
  }
  const HttpReply victim = client.Get("/Users?filter=" + QueryEscape(R"(externalId eq "victim")"));
  ASSERT_EQ(JsonNumber(victim.body, "/totalResults"), 1) << victim.body;
  const std::string victim_path = "/Users/" + JsonString(victim.body, "/Resources/0/id");
  const std::string victim_before = client.Get(victim_path).body;
  const CommandResult applied =
      RunScimflow({"apply", dir / "plan.ndjson", "--target", sim.ScimUrl(), "--state",
                   dir / "state.db", "--no-budgets", "--concurrency", "1"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_GT(stats.Number("/faults/lost_answer"), 0u);
  EXPECT_GT(stats.Number("/requests/GET"), 0u);  // Lookups of lost creates.
  EXPECT_EQ(stats.Number("/statuses/400"), 0u) << stats.json;
  EXPECT_EQ(stats.Number("/users"), HostileUsers().size() + 1);  // And the victim.
  EXPECT_EQ(stats.Number("/groups"), 1u);
  EXPECT_EQ(stats.Number("/memberships"), HostileUsers().size());
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
  for (const HostileUser& user : HostileUsers()) {
    const HttpReply found = client.Get(
        "/Users?filter=" + QueryEscape(ScimEqualsFilter("externalId", user.external_id)));
    ASSERT_EQ(JsonNumber(found.body, "/totalResults"), 1) << user.external_id;
    EXPECT_EQ(JsonString(found.body, "/Resources/0/userName"), user.user_name);
    EXPECT_EQ(JsonString(found.body, "/Resources/0/name/familyName"), user.external_id);
  }
  // The user the export does not name is untouched.
  EXPECT_EQ(client.Get(victim_path).body, victim_before);
}

}  // namespace
}  // namespace scimflow
