#include "engine/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/journal.h"

namespace scimflow {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-state-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    Result<std::unique_ptr<Journal>> journal = Journal::Open(
        dir_ + "/state.db", "https://127.0.0.1/scim", "github-emu", "plan-1", JournalOptions());
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    journal_ = std::move(journal).value();
  }
  void TearDown() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Applies changes in one transaction, as the journal does.
  Status ApplyAll(const std::vector<StateChange>& changes) {
    SCIMFLOW_ASSIGN_OR_RETURN(SqliteTransaction transaction,
                              SqliteTransaction::Begin(journal_->db()));
    for (const StateChange& change : changes) {
      SCIMFLOW_RETURN_IF_ERROR(journal_->state().Apply(change));
    }
    return transaction.Commit();
  }

  StateStore& store() { return journal_->state(); }

  std::string dir_;
  std::unique_ptr<Journal> journal_;
};

UserState Mona() {
  const AttributeHashes hashes{.name = 0x1111111111111111ull,
                               .display_name = 0x2222222222222222ull,
                               .emails = 0x3333333333333333ull,
                               .roles = 0x4444444444444444ull,
                               .content = 0xfedcba9876543210ull};
  return UserState{"E1", "scim-1", "mona", hashes, true, {"admin", "user"}};
}

TEST_F(StateStoreTest, UserRoundTripsWithHashAndRoles) {
  ASSERT_TRUE(ApplyAll({UpsertUser{Mona()}}).ok());
  Result<std::optional<UserState>> found = store().FindUser("E1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, Mona());
  EXPECT_FALSE(store().FindUser("E2")->has_value());
  // Operators read the same values with the sqlite3 shell.
  SqliteStatement raw = std::move(journal_->db().Prepare(
                                      "SELECT content_hash, roles, active, emails_hash FROM users"))
                            .value();
  ASSERT_TRUE(*raw.Step());
  EXPECT_EQ(raw.ColumnText(0), "fedcba9876543210");
  EXPECT_EQ(raw.ColumnText(1), R"(["admin","user"])");
  EXPECT_EQ(raw.ColumnInt64(2), 1);
  EXPECT_EQ(raw.ColumnText(3), "3333333333333333");
}

TEST_F(StateStoreTest, UpsertReplacesAndActiveFlagToggles) {
  UserState updated = Mona();
  updated.user_name = "mona.lisa";
  updated.roles = {};
  ASSERT_TRUE(ApplyAll({UpsertUser{Mona()}, UpsertUser{updated}}).ok());
  ASSERT_TRUE(ApplyAll({SetUserActive{"E1", false}}).ok());
  updated.active = false;
  EXPECT_EQ(**store().FindUser("E1"), updated);
  EXPECT_EQ(*store().CountUsers(), 1);
}

TEST_F(StateStoreTest, MembershipsAddRemoveAndFollowDeletes) {
  ASSERT_TRUE(ApplyAll({UpsertUser{Mona()}, UpsertGroup{{"G1", "scim-g1", "Engineering"}},
                        AddMembers{"G1", {"E3", "E1", "E2", "E1"}}})
                  .ok());
  EXPECT_EQ(*store().GroupMembers("G1"), (std::vector<std::string>{"E1", "E2", "E3"}));
  ASSERT_TRUE(ApplyAll({RemoveMembers{"G1", {"E2", "E9"}}}).ok());
  EXPECT_EQ(*store().GroupMembers("G1"), (std::vector<std::string>{"E1", "E3"}));
  ASSERT_TRUE(ApplyAll({DeleteUser{"E1"}}).ok());
  EXPECT_EQ(*store().GroupMembers("G1"), (std::vector<std::string>{"E3"}));
  EXPECT_FALSE(store().FindUser("E1")->has_value());
  EXPECT_EQ(**store().FindGroup("G1"), (GroupState{"G1", "scim-g1", "Engineering"}));
  ASSERT_TRUE(ApplyAll({DeleteGroup{"G1"}}).ok());
  EXPECT_FALSE(store().FindGroup("G1")->has_value());
  EXPECT_TRUE(store().GroupMembers("G1")->empty());
}

TEST_F(StateStoreTest, ForEachUserVisitsInExternalIdOrderAndStopsOnError) {
  std::vector<StateChange> changes;
  for (const char* id : {"E3", "E1", "E2"}) {
    UserState user = Mona();
    user.external_id = id;
    changes.push_back(UpsertUser{user});
  }
  ASSERT_TRUE(ApplyAll(changes).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(store()
                  .ForEachUser([&](const UserState& user) {
                    seen.push_back(user.external_id);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"E1", "E2", "E3"}));
  seen.clear();
  const Status stop = store().ForEachUser([&](const UserState& user) {
    seen.push_back(user.external_id);
    return Internal("stop");
  });
  EXPECT_EQ(stop, Internal("stop"));
  EXPECT_EQ(seen.size(), 1u);
}

TEST_F(StateStoreTest, HandEditedCorruptRowsAreDataLossNotCrashes) {
  ASSERT_TRUE(ApplyAll({UpsertUser{Mona()}}).ok());
  ASSERT_TRUE(
      journal_->db().Exec("UPDATE users SET roles = '[\"adm' WHERE external_id = 'E1'").ok());
  EXPECT_EQ(store().FindUser("E1").status(),
            Status(StatusCode::kDataLoss, "users.roles of \"E1\" is not a JSON array of strings"));
  ASSERT_TRUE(journal_->db().Exec("UPDATE users SET roles = '[]', emails_hash = 'zz'").ok());
  EXPECT_EQ(store().FindUser("E1").status(),
            Status(StatusCode::kDataLoss,
                   dir_ + "/state.db: users.emails_hash of \"E1\" is not 16 hex digits"));
}

}  // namespace
}  // namespace scimflow
