#include "engine/emit_state_changes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/arena.h"
#include "engine/content_hash.h"
#include "engine/journal.h"
#include "io/scim_json.h"

namespace scimflow {
namespace {

constexpr char kUser[] =
    R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e-1","userName":"mona",)"
    R"("name":{"givenName":"Mona","familyName":"Lisa"},"displayName":"Mona Lisa",)"
    R"("emails":[{"value":"mona@example.com","type":"work","primary":true}],)"
    R"("roles":[{"value":"user","primary":true}],"active":true})";

// The same user after the day's change: another displayName and role.
constexpr char kChangedUser[] =
    R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e-1","userName":"mona",)"
    R"("name":{"givenName":"Mona","familyName":"Lisa"},"displayName":"Mona L.",)"
    R"("emails":[{"value":"mona@example.com","type":"work","primary":true}],)"
    R"("roles":[{"value":"enterprise_owner","primary":true}],"active":true})";

AttributeHashes HashesOf(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document document = parser.iterate(padded);
  Arena arena;
  ScimUser user;
  EXPECT_TRUE(ParseScimUser(document.get_object(), &arena, &user).ok());
  return HashUserAttributes(user.user, user.user.roles);
}

class EmitStateChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-emit-state-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    Result<std::unique_ptr<Journal>> journal =
        Journal::Open(dir_ + "/state.db", "http://127.0.0.1:1/scim", "github-emu", "p", {});
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    journal_ = std::move(journal).value();
  }
  void TearDown() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Applies `changes` through the journal, as the emitter does.
  void Commit(const std::string& op, std::vector<StateChange> changes) {
    OperationOutcome outcome;
    outcome.op_id = op;
    outcome.kind = "user.create";
    outcome.changes = std::move(changes);
    journal_->Record(std::move(outcome), Journal::Clock::now());
    ASSERT_TRUE(journal_->Flush().ok());
  }

  std::string dir_;
  std::unique_ptr<Journal> journal_;
  std::unordered_map<std::string, std::string> users_;
};

TEST_F(EmitStateChangesTest, CreateThenUpdateKeepHashesEqualToTheFullUsers) {
  PlanOperation create;
  create.kind = OperationKind::kUserCreate;
  create.external_id = "e-1";
  Result<std::vector<StateChange>> created =
      StateChangesFor({&create, "t-1", kUser, &users_, &journal_->state()});
  ASSERT_TRUE(created.ok()) << created.status().message();
  Commit("u:e-1:create", std::move(*created));
  Result<std::optional<UserState>> row = journal_->state().FindUser("e-1");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->target_id, "t-1");
  EXPECT_EQ((*row)->user_name, "mona");
  EXPECT_EQ((*row)->hashes, HashesOf(kUser));

  PlanOperation update;
  update.kind = OperationKind::kUserUpdate;
  update.external_id = "e-1";
  const std::string patch =
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[)"
      R"({"op":"replace","path":"displayName","value":"Mona L."},)"
      R"({"op":"replace","path":"roles","value":[{"value":"enterprise_owner","primary":true}]}]})";
  Result<std::vector<StateChange>> updated =
      StateChangesFor({&update, "t-1", patch, &users_, &journal_->state()});
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  Commit("u:e-1:update", std::move(*updated));
  row = journal_->state().FindUser("e-1");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->hashes, HashesOf(kChangedUser));
  EXPECT_EQ((*row)->roles, std::vector<std::string>{"enterprise_owner"});
}

TEST_F(EmitStateChangesTest, MemberChunksMapTargetIdsToExternalIds) {
  users_ = {{"t-1", "e-1"}, {"t-\"2", "e-2"}};
  PlanOperation add;
  add.kind = OperationKind::kGroupMembersAdd;
  add.external_id = "g-1";
  Result<std::vector<StateChange>> added = StateChangesFor(
      {&add, "tg",
       R"({"Operations":[{"op":"add","path":"members","value":[{"value":"t-1"},{"value":"t-\"2"},{"value":"t-9"}]}]})",
       &users_, &journal_->state()});
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ(std::get<AddMembers>((*added)[0]).user_external_ids,
            (std::vector<std::string>{"e-1", "e-2"}));
  PlanOperation remove = add;
  remove.kind = OperationKind::kGroupMembersRemove;
  Result<std::vector<StateChange>> removed = StateChangesFor(
      {&remove, "tg", R"({"Operations":[{"op":"remove","path":"members[value eq \"t-\\\"2\"]"}]})",
       &users_, &journal_->state()});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(std::get<RemoveMembers>((*removed)[0]).user_external_ids,
            (std::vector<std::string>{"e-2"}));
}

}  // namespace
}  // namespace scimflow
