// Generated files against the engine's own readers: the CSV parser (io/csv_parser.h) and the
// simulator's snapshot loader (tools/sim/sim_snapshot.h) take them without a reject or warning.
#include <gtest/gtest.h>

#include "engine/options.h"
#include "io/csv_parser.h"
#include "tests/gen_testutil.h"
#include "tools/gen/generator.h"
#include "tools/sim/sim_snapshot.h"
#include "tools/sim/sim_store.h"

namespace scimflow::gen {
namespace {

using testing_gen::ReadFile;
using testing_gen::TempDir;

// Parses a whole CSV file with the engine's parser into `*chunk`; false if the header fails.
bool ParseWithEngine(const std::string& path, InputKind kind, RecordChunk* chunk) {
  const std::string text = ReadFile(path);
  const size_t header_end = text.find('\n') + 1;
  const Result<CsvHeader> header = ParseCsvHeader(text.substr(0, header_end), kind, path);
  if (!header.ok()) {
    ADD_FAILURE() << header.status().message();
    return false;
  }
  ParseCsvRows(*header, std::string_view(text).substr(header_end), path, 2, header_end,
               EngineOptions{}, chunk);
  return true;
}

TEST(GenIntegrationTest, GeneratedCsvFilesParseWithoutARejectInTheEngineParser) {
  TempDir dir("integration_csv");
  GenRequest request;
  request.params.seed = 21;
  request.params.users = 5000;
  request.out_dir = dir.path();
  request.user_format = UserFormat::kCsv;
  request.group_format = GroupFormat::kCsv;
  request.assignment_format = AssignmentFormat::kCsv;
  const Result<GenSummary> summary = RunGenerator(request);
  ASSERT_TRUE(summary.ok());
  const testing_gen::TestDay day = testing_gen::ReadExport(dir.path());
  ASSERT_EQ(day.error, "");

  RecordChunk users;
  ASSERT_TRUE(ParseWithEngine(dir / "users.csv", InputKind::kUsers, &users));
  EXPECT_TRUE(users.rejects.empty()) << users.rejects.front().reason;
  ASSERT_EQ(users.users.size(), 5000u);
  for (const User& user : users.users) {
    const testing_gen::TestUser& want = day.users.at(std::string(user.external_id));
    EXPECT_EQ(user.user_name, want.user_name);
    EXPECT_EQ(user.display_name, want.display_name);
    EXPECT_EQ(user.name.middle_name, want.middle);
    EXPECT_EQ(user.active, want.active);
    ASSERT_EQ(user.emails.size(), 1u);
    EXPECT_EQ(user.emails[0].value, want.email);
  }
  RecordChunk groups;
  ASSERT_TRUE(ParseWithEngine(dir / "groups.csv", InputKind::kGroups, &groups));
  EXPECT_TRUE(groups.rejects.empty());
  EXPECT_EQ(groups.groups.size(), summary->memberships);
  RecordChunk assignments;
  ASSERT_TRUE(ParseWithEngine(dir / "assignments.csv", InputKind::kAssignments, &assignments));
  EXPECT_TRUE(assignments.rejects.empty());
  EXPECT_EQ(assignments.assignments.size(), summary->assignments);
}

TEST(GenIntegrationTest, GeneratedSnapshotsLoadIntoTheSimulatorWithTheirCounts) {
  TempDir dir("integration_sim");
  GenRequest request;
  request.params.seed = 22;
  request.params.users = 5000;
  request.out_dir = dir / "day0";
  request.snapshot = true;
  ASSERT_TRUE(RunGenerator(request).ok());
  GenRequest next;
  next.next_day_of = dir / "day0";
  next.out_dir = dir / "day1";
  next.churn = "5%";
  next.snapshot = true;
  ASSERT_TRUE(RunGenerator(next).ok());
  for (const std::string& day : {dir / "day0", dir / "day1"}) {
    const testing_gen::TestSnapshot snapshot = testing_gen::ReadSnapshot(day + "/snapshot.ndjson");
    ASSERT_EQ(snapshot.error, "");
    uint64_t active = 0;
    uint64_t memberships = 0;
    for (const auto& [external_id, user] : snapshot.users) active += user.active;
    for (const auto& [external_id, group] : snapshot.groups) memberships += group.members.size();

    SimStore store(SimProfile::kGitHubEmu, 1);
    std::vector<std::string> warnings;
    const Status loaded = LoadSnapshotFile(day + "/snapshot.ndjson", &store, &warnings);
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    const StoreCounts counts = store.Counts();
    EXPECT_EQ(counts.users, snapshot.users.size()) << day;
    EXPECT_EQ(counts.active_users, active) << day;
    EXPECT_EQ(counts.groups, snapshot.groups.size()) << day;
    EXPECT_EQ(counts.memberships_stored, memberships) << day;
    EXPECT_EQ(counts.duplicate_creates, 0u);
  }
}

}  // namespace
}  // namespace scimflow::gen
