// `plan --state`: the current state read back from the state database. Unit tests load databases
// written through Journal/StateStore (as apply writes them) and check each field and each refusal
// message; the end-to-end tests plan generated exports against a state database holding exactly
// what the snapshot holds and expect the same plan, byte for byte, as `plan --current`.
#include "engine/current_state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>

#include "engine/content_hash.h"
#include "engine/journal.h"
#include "engine/options.h"
#include "io/snapshot_file.h"
#include "io/sqlite_db.h"
#include "tests/gen_testutil.h"
#include "tests/state_schema_v2.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_gen::ReadFile;
using testing_gen::ScimflowToLog;

constexpr char kTarget[] = "http://127.0.0.1:1/scim/v2";

OperationOutcome Done(std::string op_id, std::string kind, std::vector<StateChange> changes) {
  OperationOutcome outcome;
  outcome.op_id = std::move(op_id);
  outcome.kind = std::move(kind);
  outcome.http_status = 201;
  outcome.changes = std::move(changes);
  return outcome;
}

// Writes what `snapshot` holds into a new state database the way apply does: one journalled
// outcome per created user and group, committed in the journal's groups.
void WriteStateLikeApply(const std::string& snapshot, const std::string& state) {
  auto opened = Journal::Open(state, kTarget, "github-emu", "plan-0", JournalOptions());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Journal> journal = std::move(opened).value();
  std::unordered_map<std::string, std::string> external_id_of;
  EngineOptions options;
  options.max_line_bytes = 16u << 20;
  const auto flush_if_due = [&] {
    if (journal->FlushDue(Journal::Clock::now())) ASSERT_TRUE(journal->Flush().ok());
  };
  const Status read = ReadSnapshotFile(snapshot, options, [&](SnapshotChunk& chunk) {
    ASSERT_TRUE(chunk.rejects.empty());
    for (const SnapshotUser& user : chunk.users) {
      UserState row{std::string(user.user.external_id),
                    std::string(user.id),
                    std::string(user.user.user_name),
                    HashUserAttributes(user.user, user.user.roles),
                    user.user.active,
                    {}};
      for (const Role& role : user.user.roles) row.roles.emplace_back(role.value);
      external_id_of[row.target_id] = row.external_id;
      const std::string op = "u:" + row.external_id + ":create";
      journal->Record(Done(op, "user.create", {UpsertUser{std::move(row)}}), Journal::Clock::now());
      flush_if_due();
    }
    for (const SnapshotGroup& group : chunk.groups) {
      AddMembers members{std::string(group.external_id), {}};
      for (std::string_view id : group.member_ids) {
        members.user_external_ids.push_back(external_id_of.at(std::string(id)));
      }
      const std::string op = "g:" + std::string(group.external_id) + ":create";
      journal->Record(
          Done(op, "group.create",
               {UpsertGroup{GroupState{std::string(group.external_id), std::string(group.id),
                                       std::string(group.display_name)}},
                std::move(members)}),
          Journal::Clock::now());
      flush_if_due();
    }
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  ASSERT_TRUE(journal->Flush().ok());
}

class CurrentStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::FreshTestDirectory("current_state_store");
    state_ = (root_ / "state.db").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Journal> OpenJournal() {
    auto journal = Journal::Open(state_, kTarget, "github-emu", "plan-1", JournalOptions());
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  fs::path root_;
  std::string state_;
};

UserState MakeUser(const std::string& external_id, bool active) {
  return UserState{external_id,
                   "t-" + external_id,
                   external_id + "@example.com",
                   AttributeHashes{.name = 1,
                                   .display_name = 2,
                                   .emails = 3,
                                   .roles = 4,
                                   .content = std::hash<std::string>()(external_id)},
                   active,
                   {"user"}};
}

TEST_F(CurrentStateStoreTest, LoadsUsersGroupsAndMembershipsAsApplyWroteThem) {
  {
    auto journal = OpenJournal();
    ASSERT_NE(journal, nullptr);
    journal->Record(Done("u:b:create", "user.create", {UpsertUser{MakeUser("b", true)}}),
                    Journal::Clock::now());
    journal->Record(Done("u:a:create", "user.create", {UpsertUser{MakeUser("a", false)}}),
                    Journal::Clock::now());
    journal->Record(Done("u:c:create", "user.create", {UpsertUser{MakeUser("C", true)}}),
                    Journal::Clock::now());
    journal->Record(
        Done("g:g2:create", "group.create",
             {UpsertGroup{GroupState{"g2", "tg-2", "Two"}}, AddMembers{"g2", {"b", "a"}}}),
        Journal::Clock::now());
    journal->Record(Done("g:g1:create", "group.create",
                         {UpsertGroup{GroupState{"g1", "tg-1", "One"}}, AddMembers{"g1", {"C"}}}),
                    Journal::Clock::now());
    // A membership whose group row is gone is not a group of the state.
    journal->Record(Done("g:g0:add:1", "group.members.add", {AddMembers{"g0", {"a"}}}),
                    Journal::Clock::now());
    ASSERT_TRUE(journal->Flush().ok());
  }
  Result<std::unique_ptr<CurrentState>> loaded = LoadCurrentStateFromStore(state_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const CurrentState& state = **loaded;
  EXPECT_EQ(state.source_name(), state_);
  ASSERT_EQ(state.users().size(), 3u);
  // Storage order: externalId byte order.
  EXPECT_EQ(state.users()[0].external_id, "C");
  EXPECT_EQ(state.users()[1].external_id, "a");
  EXPECT_EQ(state.users()[2].external_id, "b");
  const CurrentUser& b = state.users()[state.FindUser("b")];
  EXPECT_EQ(b.id, "t-b");
  EXPECT_EQ(b.user_name, "b@example.com");
  EXPECT_EQ(b.hashes, MakeUser("b", true).hashes);
  EXPECT_TRUE(b.active);
  EXPECT_FALSE(state.users()[state.FindUser("a")].active);
  EXPECT_EQ(state.active_users(), 2u);
  EXPECT_EQ(state.FindUserByFoldedName("c@example.com"), state.FindUser("C"));
  ASSERT_EQ(state.groups().size(), 2u);
  const CurrentGroup& two = state.groups()[state.FindGroup("g2")];
  EXPECT_EQ(two.id, "tg-2");
  EXPECT_EQ(two.display_name, "Two");
  EXPECT_THAT(std::vector<uint32_t>(two.members.begin(), two.members.end()),
              ::testing::UnorderedElementsAre(state.FindUser("a"), state.FindUser("b")));
  const CurrentGroup& one = state.groups()[state.FindGroup("g1")];
  EXPECT_THAT(std::vector<uint32_t>(one.members.begin(), one.members.end()),
              ::testing::ElementsAre(state.FindUser("C")));
  EXPECT_EQ(state.FindGroup("g0"), kNoIndex);
  EXPECT_TRUE(state.issues().empty());
}

TEST_F(CurrentStateStoreTest, EmptyDatabaseIsAnEmptyTarget) {
  OpenJournal().reset();
  Result<std::unique_ptr<CurrentState>> loaded = LoadCurrentStateFromStore(state_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE((*loaded)->users().empty());
  EXPECT_TRUE((*loaded)->groups().empty());
}

TEST_F(CurrentStateStoreTest, MissingFileIsNotFoundAndNotCreated) {
  const Status status = LoadCurrentStateFromStore(state_).status();
  EXPECT_EQ(status, Status(StatusCode::kNotFound, state_ + ": no such state database"));
  EXPECT_FALSE(fs::exists(state_));
}

TEST_F(CurrentStateStoreTest, DatabaseOfAnotherProgramIsRefused) {
  {
    auto db = std::move(SqliteDb::Open(state_)).value();
    ASSERT_TRUE(db->Exec("CREATE TABLE things(x)").ok());
  }
  EXPECT_EQ(LoadCurrentStateFromStore(state_).status(),
            Status(StatusCode::kFailedPrecondition,
                   state_ + ": not a scimflow state database (no meta table)"));
}

TEST_F(CurrentStateStoreTest, DatabaseOfAnotherSchemaVersionIsRefused) {
  {
    auto journal = OpenJournal();
    ASSERT_TRUE(
        journal->db().Exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'").ok());
  }
  EXPECT_EQ(LoadCurrentStateFromStore(state_).status(),
            Status(StatusCode::kFailedPrecondition, state_ + ": schema version 1, expected 3"));
}

TEST_F(CurrentStateStoreTest, DatabaseOfSchemaVersion2IsReadAsItIsAndNotMigrated) {
  {
    auto journal = OpenJournal();
    journal->Record(Done("u:b:create", "user.create", {UpsertUser{MakeUser("b", true)}}),
                    Journal::Clock::now());
    journal->Record(Done("u:a:create", "user.create", {UpsertUser{MakeUser("a", false)}}),
                    Journal::Clock::now());
    journal->Record(Done("g:g1:create", "group.create",
                         {UpsertGroup{GroupState{"g1", "tg-1", "One"}}, AddMembers{"g1", {"a"}}}),
                    Journal::Clock::now());
    ASSERT_TRUE(journal->Flush().ok());
    ASSERT_EQ(testing::RewriteAsSchemaVersion2(journal->db()), Status::Ok());
  }
  Result<std::unique_ptr<CurrentState>> loaded = LoadCurrentStateFromStore(state_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const CurrentState& state = **loaded;
  ASSERT_EQ(state.users().size(), 2u);
  const CurrentUser& b = state.users()[state.FindUser("b")];
  EXPECT_EQ(b.id, "t-b");
  EXPECT_EQ(b.hashes, MakeUser("b", true).hashes);
  EXPECT_FALSE(state.users()[state.FindUser("a")].active);
  ASSERT_EQ(state.groups().size(), 1u);
  const CurrentGroup& one = state.groups()[state.FindGroup("g1")];
  EXPECT_THAT(std::vector<uint32_t>(one.members.begin(), one.members.end()),
              ::testing::ElementsAre(state.FindUser("a")));
  auto db = std::move(SqliteDb::Open(state_)).value();
  EXPECT_EQ(testing::SchemaVersionOf(*db), "2");
}

TEST_F(CurrentStateStoreTest, FileThatIsNoDatabaseIsDataLoss) {
  std::ofstream(state_) << "this is not a database, just a text file of some length\n";
  EXPECT_EQ(LoadCurrentStateFromStore(state_).status().code(), StatusCode::kDataLoss);
}

TEST_F(CurrentStateStoreTest, CorruptHashIsDataLossNamingTheRow) {
  {
    auto journal = OpenJournal();
    journal->Record(Done("u:a:create", "user.create", {UpsertUser{MakeUser("a", true)}}),
                    Journal::Clock::now());
    ASSERT_TRUE(journal->Flush().ok());
    ASSERT_TRUE(journal->db().Exec("UPDATE users SET emails_hash = 'xyz'").ok());
  }
  EXPECT_EQ(
      LoadCurrentStateFromStore(state_).status(),
      Status(StatusCode::kDataLoss, state_ + ": users.emails_hash of \"a\" is not 16 hex digits"));
}

TEST_F(CurrentStateStoreTest, ReadOnlyFileLoadsAndStaysUnchanged) {
  {
    auto journal = OpenJournal();
    journal->Record(Done("u:a:create", "user.create", {UpsertUser{MakeUser("a", true)}}),
                    Journal::Clock::now());
    ASSERT_TRUE(journal->Flush().ok());
  }
  const std::string before = ReadFile(state_);
  fs::permissions(state_, fs::perms::owner_read);
  Result<std::unique_ptr<CurrentState>> loaded = LoadCurrentStateFromStore(state_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->users().size(), 1u);
  EXPECT_EQ(ReadFile(state_), before);
}

// ---- End to end: plan --state against plan --current ----

// The plan file with the header's "current" input left out: a state database is not a file
// whose bytes a plan can pin, so `plan --state` lists only the IdP files.
std::string WithoutCurrentInput(const std::string& plan) {
  static const std::regex kCurrent(
      R"re(,\{"role":"current","file":"[^"]*","bytes":\d+,"xxh3":"[0-9a-f]{16}"\})re");
  return std::regex_replace(plan, kCurrent, "", std::regex_constants::format_first_only);
}

class PlanStateTest : public CurrentStateStoreTest {
 protected:
  void Generate(int users) {
    ASSERT_EQ(ScimflowToLog("gen --users " + std::to_string(users) +
                                " --seed 11 --snapshot --out " + (root_ / "day0").string(),
                            root_ / "gen0.log"),
              0)
        << ReadFile(root_ / "gen0.log");
    ASSERT_EQ(ScimflowToLog("gen --next-day-of " + (root_ / "day0").string() +
                                " --churn 1% --out " + (root_ / "day1").string(),
                            root_ / "gen1.log"),
              0)
        << ReadFile(root_ / "gen1.log");
  }

  // Plans day `day` against `source` (e.g. "--state DB"); returns the plan file's text.
  std::string Plan(const std::string& day, const std::string& source, const std::string& out) {
    const fs::path dir = root_ / day;
    const fs::path log = root_ / (out + ".log");
    const int code = ScimflowToLog("plan --users " + (dir / "users.ndjson").string() +
                                       " --groups " + (dir / "groups.ndjson").string() +
                                       " --assignments " + (dir / "assignments.ndjson").string() +
                                       " " + source + " --out " + (root_ / out).string(),
                                   log);
    EXPECT_EQ(code, 0) << ReadFile(log);
    return ReadFile(root_ / out);
  }

  std::string Snapshot() const { return (root_ / "day0" / "snapshot.ndjson").string(); }
};

TEST_F(PlanStateTest, StateWrittenByApplyPlansExactlyAsItsSnapshot) {
  Generate(3000);
  WriteStateLikeApply(Snapshot(), state_);
  // Unchanged export: nothing to do, whichever source.
  const std::string same_current = Plan("day0", "--current " + Snapshot(), "same-current.plan");
  const std::string same_state = Plan("day0", "--state " + state_, "same-state.plan");
  EXPECT_EQ(std::count(same_state.begin(), same_state.end(), '\n'), 1);
  EXPECT_EQ(same_state, WithoutCurrentInput(same_current));
  EXPECT_NE(same_current, WithoutCurrentInput(same_current));  // The pattern did match.

  // The next day: the counts gen expects, and the very same lines.
  const std::string next_current = Plan("day1", "--current " + Snapshot(), "next-current.plan");
  const std::string next_state = Plan("day1", "--state " + state_, "next-state.plan");
  EXPECT_EQ(next_state, WithoutCurrentInput(next_current));
  simdjson::dom::parser parser;
  simdjson::dom::element header = parser.parse(next_state.substr(0, next_state.find('\n')));
  simdjson::dom::parser expected_parser;
  simdjson::dom::element expected =
      expected_parser.load((root_ / "day1" / "expected.json").string());
  for (auto [kind, count] : expected["operations"].get_object()) {
    EXPECT_EQ(uint64_t(header["operations"][kind]), uint64_t(count)) << kind;
  }
  EXPECT_EQ(uint64_t(header["total"]), uint64_t(expected["total"]));
  EXPECT_GT(uint64_t(header["total"]), 0u);
  EXPECT_EQ(uint64_t(header["members_added"]), uint64_t(expected["members_added"]));
  EXPECT_EQ(uint64_t(header["members_removed"]), uint64_t(expected["members_removed"]));
}

TEST_F(PlanStateTest, StateImportedFromASnapshotPlansExactlyAsTheSnapshot) {
  Generate(2000);
  const fs::path log = root_ / "import.log";
  ASSERT_EQ(ScimflowToLog("state import --snapshot " + Snapshot() + " --state " + state_ +
                              " --target " + kTarget,
                          log),
            0)
      << ReadFile(log);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("2000 users"));
  const std::string current = Plan("day1", "--current " + Snapshot(), "current.plan");
  const std::string state = Plan("day1", "--state " + state_, "state.plan");
  EXPECT_EQ(state, WithoutCurrentInput(current));
  // A second import into the same database is refused: it would mix with what is there.
  EXPECT_EQ(ScimflowToLog("state import --snapshot " + Snapshot() + " --state " + state_ +
                              " --target " + kTarget,
                          log),
            1);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("already holds 2000 users"));
}

TEST_F(PlanStateTest, ExactlyOneCurrentStateSourceIsAccepted) {
  Generate(100);
  const fs::path log = root_ / "flags.log";
  const std::string users = " --users " + (root_ / "day0" / "users.ndjson").string();
  const std::string out = " --out " + (root_ / "x.plan").string();
  EXPECT_EQ(ScimflowToLog("plan" + users + out, log), 1);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("exactly one of --current"));
  EXPECT_EQ(
      ScimflowToLog("plan" + users + out + " --current " + Snapshot() + " --state " + state_, log),
      1);
  EXPECT_EQ(ScimflowToLog("plan" + users + out + " --state " + state_, log), 1);
  EXPECT_THAT(ReadFile(log),
              ::testing::HasSubstr("scimflow plan: " + state_ + ": no such state database\n"));
  EXPECT_FALSE(fs::exists(root_ / "x.plan"));
}

}  // namespace
}  // namespace scimflow
