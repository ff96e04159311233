// Every file the generator writes is valid and says the same thing in every format: read back
// with simdjson (DOM) and a strict RFC 4180 reader (tests/gen_testutil), not the engine's parsers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/gen_testutil.h"
#include "tools/gen/export_writer.h"
#include "tools/gen/generator.h"
#include "tools/gen/manifest.h"

namespace scimflow::gen {
namespace {

using testing_gen::ReadExport;
using testing_gen::ReadFile;
using testing_gen::TempDir;
using testing_gen::TestDay;

constexpr uint32_t kUsers = 4000;

GenRequest Request(const std::string& out) {
  GenRequest request;
  request.params.seed = 5;
  request.params.users = kUsers;
  request.out_dir = out;
  return request;
}

size_t CountLines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(GenFilesTest, EveryUserFormatParsesBackToTheSameUsers) {
  TempDir dir("files_users");
  GenRequest reference = Request(dir / "scim");
  ASSERT_TRUE(RunGenerator(reference).ok());
  const TestDay expected = ReadExport(dir / "scim");
  ASSERT_EQ(expected.error, "");
  ASSERT_EQ(expected.users.size(), kUsers);
  for (UserFormat format :
       {UserFormat::kScimArray, UserFormat::kOkta, UserFormat::kOktaNdjson, UserFormat::kCsv}) {
    const std::string out = dir / std::string(FormatName(format));
    GenRequest request = Request(out);
    request.user_format = format;
    ASSERT_TRUE(RunGenerator(request).ok());
    const TestDay day = ReadExport(out);
    ASSERT_EQ(day.error, "") << FormatName(format);
    EXPECT_EQ(day.user_order, expected.user_order) << FormatName(format);
    for (const auto& [external_id, want] : expected.users) {
      const testing_gen::TestUser& got = day.users.at(external_id);
      EXPECT_EQ(got.user_name, want.user_name);
      EXPECT_EQ(got.given, want.given);
      EXPECT_EQ(got.family, want.family);
      EXPECT_EQ(got.display_name, want.display_name);
      EXPECT_EQ(got.email, want.email);
      EXPECT_EQ(got.active, want.active);
      if (CarriesFullName(format)) {
        EXPECT_EQ(got.formatted, want.formatted);
        EXPECT_EQ(got.middle, want.middle);
        EXPECT_EQ(got.roles, want.roles);
      }
    }
    // JSON arrays hold one element per line: "[", the users, "]".
    if (format == UserFormat::kScimArray || format == UserFormat::kOkta) {
      EXPECT_EQ(CountLines(ReadFile(out + "/" + std::string(FileName(format)))), kUsers + 2);
    }
  }
}

TEST(GenFilesTest, CsvAndNdjsonGroupsAndAssignmentsAgree) {
  TempDir dir("files_groups");
  ASSERT_TRUE(RunGenerator(Request(dir / "ndjson")).ok());
  GenRequest request = Request(dir / "csv");
  request.group_format = GroupFormat::kCsv;
  request.assignment_format = AssignmentFormat::kCsv;
  ASSERT_TRUE(RunGenerator(request).ok());
  const TestDay ndjson = ReadExport(dir / "ndjson");
  const TestDay csv = ReadExport(dir / "csv");
  ASSERT_EQ(ndjson.error, "");
  ASSERT_EQ(csv.error, "");
  ASSERT_EQ(ndjson.groups.size(), 40u);
  EXPECT_EQ(csv.groups.size(), ndjson.groups.size());
  for (const auto& [external_id, group] : ndjson.groups) {
    EXPECT_EQ(csv.groups.at(external_id).display_name, group.display_name);
    EXPECT_EQ(csv.groups.at(external_id).members, group.members);
    for (const std::string& member : group.members)
      EXPECT_TRUE(ndjson.users.count(member)) << member;
  }
  EXPECT_EQ(csv.assignments, ndjson.assignments);
  // About 1% of users are not assigned, so deactivation by unassignment can happen.
  const double unassigned = 1.0 - static_cast<double>(ndjson.assignments.size()) / kUsers;
  EXPECT_GT(unassigned, 0.003);
  EXPECT_LT(unassigned, 0.02);
}

TEST(GenFilesTest, CsvQuotesCommasAndQuotesAndKeepsNonAsciiIntact) {
  TempDir dir("files_quotes");
  GenRequest request = Request(dir.path());
  request.user_format = UserFormat::kCsv;
  request.group_format = GroupFormat::kCsv;
  ASSERT_TRUE(RunGenerator(request).ok());
  const std::string users = ReadFile(dir / "users.csv");
  const std::string groups = ReadFile(dir / "groups.csv");
  EXPECT_EQ(users.substr(0, users.find('\n')),
            "externalId,userName,givenName,familyName,middleName,formatted,displayName,email,"
            "active,roles");
  EXPECT_NE(users.find(" \"\""), std::string::npos);  // a quoted nickname, quotes doubled
  const TestDay day = ReadExport(dir.path());
  ASSERT_EQ(day.error, "");
  size_t nicknames = 0, non_ascii = 0;
  for (const auto& [external_id, user] : day.users) {
    nicknames += user.display_name.find('"') != std::string::npos;
    non_ascii += std::any_of(user.display_name.begin(), user.display_name.end(),
                             [](char byte) { return byte & 0x80; });
  }
  EXPECT_GT(nicknames, 10u);
  EXPECT_GT(non_ascii, 100u);
  bool comma_group = false;
  for (const auto& [external_id, group] : day.groups) {
    comma_group |= group.display_name.find(',') != std::string::npos;
  }
  EXPECT_EQ(comma_group, groups.find("\"Research, Europe ") != std::string::npos);
}

TEST(GenFilesTest, AGroupWithoutMembersIsDeclaredByOneRowWithAnEmptyMember) {
  TempDir dir("files_empty_group");
  ExportModel model;
  model.params.seed = 1;
  GenGroup group;
  group.serial = 7;
  group.department = 6;  // "Research, Europe"
  model.groups.push_back(group);
  const IdScheme ids(1);
  ASSERT_TRUE(WriteGroups(model, ids, GroupFormat::kCsv, dir / "groups.csv").ok());
  ASSERT_TRUE(WriteGroups(model, ids, GroupFormat::kNdjson, dir / "groups.ndjson").ok());
  ExternalIdBuffer id;
  const std::string external_id(ids.ExternalId(EntityKind::kGroup, 7, &id));
  EXPECT_EQ(ReadFile(dir / "groups.csv"), "groupExternalId,groupDisplayName,userExternalId\n" +
                                              external_id + ",\"Research, Europe Platform 7\",\n");
  EXPECT_EQ(ReadFile(dir / "groups.ndjson"), "{\"externalId\":\"" + external_id +
                                                 "\",\"displayName\":\"Research, Europe Platform "
                                                 "7\",\"members\":[]}\n");
}

TEST(GenFilesTest, AppendCsvFieldQuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendCsvField(&out, "plain é");
  out.push_back('|');
  AppendCsvField(&out, "a,b");
  out.push_back('|');
  AppendCsvField(&out, "say \"hi\"");
  out.push_back('|');
  AppendCsvField(&out, "two\nlines");
  out.push_back('|');
  AppendCsvField(&out, "");
  EXPECT_EQ(out, "plain é|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
}

TEST(GenFilesTest, TheStrictCsvReaderRefusesBrokenFiles) {
  std::string error;
  EXPECT_TRUE(testing_gen::ParseCsvStrict("a,b\n\"x,\"\"y\"\"\",z\n", &error)) << error;
  const std::pair<const char*, const char*> kCases[] = {
      {"a,b\n\"x,y\n", "line 2: unbalanced quote"},
      {"a,b\nx\n", "line 2: expected 2 columns, got 1"},
      {"a,b\nx,y", "line 2: last record has no line end"},
      {"a,b\nx\"y,z\n", "line 2: quote in unquoted field"},
      {"a,b\n\"x\"y,z\n", "line 2: text after closing quote"},
      {"a,b\nx,\xff\n", "invalid UTF-8"},
  };
  for (const auto& [text, message] : kCases) {
    EXPECT_FALSE(testing_gen::ParseCsvStrict(text, &error)) << text;
    EXPECT_EQ(error, message);
  }
}

TEST(GenFilesTest, TheSnapshotListsEveryTargetUserAndGroupWithTargetIds) {
  TempDir dir("files_snapshot");
  GenRequest request = Request(dir.path());
  request.snapshot = true;
  ASSERT_TRUE(RunGenerator(request).ok());
  const testing_gen::TestSnapshot snapshot = testing_gen::ReadSnapshot(dir / "snapshot.ndjson");
  ASSERT_EQ(snapshot.error, "");
  const TestDay day = ReadExport(dir.path());
  EXPECT_EQ(snapshot.users.size(), day.users.size());
  EXPECT_EQ(snapshot.groups.size(), day.groups.size());
  std::set<std::string> ids;
  size_t active = 0;
  for (const auto& [external_id, user] : snapshot.users) {
    EXPECT_TRUE(ids.insert(user.id).second);
    EXPECT_EQ(user.id.size(), 36u);
    const bool provisioned = day.users.at(external_id).active && day.assignments.count(external_id);
    EXPECT_EQ(user.active, provisioned) << external_id;
    active += user.active;
  }
  EXPECT_NEAR(static_cast<double>(active) / kUsers, 0.96, 0.015);
  for (const auto& [external_id, group] : snapshot.groups) {
    EXPECT_EQ(group.members, day.groups.at(external_id).members);
    EXPECT_EQ(group.id.size(), 36u);
  }
  const std::string text = ReadFile(dir / "snapshot.ndjson");
  EXPECT_EQ(CountLines(text), snapshot.users.size() + snapshot.groups.size());
  // Users first, then groups (docs/snapshot-format.md).
  EXPECT_LT(text.rfind(":User\"]"), text.find(":Group\"]"));
}

class ManifestTest : public ::testing::Test {
 protected:
  ManifestTest() : dir_("manifest") {}
  std::string Write(const std::string& text) {
    const std::string path = dir_ / "manifest.json";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  TempDir dir_;
};

constexpr char kGoodManifest[] =
    "{\"generator\":\"scimflow gen\",\"manifest_version\":1,\"seed\":18446744073709551615,"
    "\"users\":10,\"groups\":1,\"memberships_per_user\":5,\"user_format\":\"csv\","
    "\"group_format\":\"csv\",\"assignment_format\":\"ndjson\",\"days\":[\"1%\",\"joiners=2\"]}\n";

TEST_F(ManifestTest, AWrittenManifestReadsBackTheSame) {
  const std::string path = Write(kGoodManifest);
  const Result<Manifest> manifest = ReadManifest(path);
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  EXPECT_EQ(manifest->params.seed, 18446744073709551615ULL);
  EXPECT_EQ(manifest->user_format, UserFormat::kCsv);
  EXPECT_EQ(manifest->days, (std::vector<std::string>{"1%", "joiners=2"}));
  EXPECT_EQ(ManifestJson(*manifest), kGoodManifest);
}

TEST_F(ManifestTest, BrokenManifestsAreRefusedWithTheReason) {
  const std::string good = kGoodManifest;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::pair<std::string, std::string> kCases[] = {
      {"", "empty file"},
      {good.substr(0, 60), "malformed JSON"},
      {"{\"generator\":}", "malformed JSON"},
      {"[1]", "not an object"},
      {replace("scimflow gen", "other tool"),
       "\"generator\" or \"manifest_version\" missing or unknown"},
      {replace("\"users\":10", "\"users\":\"10\""), "\"users\" must be an unsigned 32-bit number"},
      {replace("\"users\":10", "\"users\":4294967296"),
       "\"users\" must be an unsigned 32-bit number"},
      {replace("\"groups\":1", "\"groups\":0"), "\"groups\" must be at least 1"},
      {replace("\"seed\":18446744073709551615", "\"seed\":-1"),
       "\"seed\" must be an unsigned 64-bit number"},
      {replace("\"user_format\":\"csv\"", "\"user_format\":\"xml\""),
       "unknown user_format \"xml\""},
      {replace("\"group_format\":\"csv\"", "\"group_format\":7"),
       "\"group_format\" must be a string"},
      {replace("[\"1%\",\"joiners=2\"]", "[1]"), "\"days\" must hold strings"},
      {replace("\"days\":", "\"day\":"), "\"days\" must be an array"},
      {replace("joiners=2", "joiners=\xff"), "invalid UTF-8"},
  };
  for (const auto& [text, reason] : kCases) {
    const std::string path = Write(text);
    const Result<Manifest> manifest = ReadManifest(path);
    ASSERT_FALSE(manifest.ok()) << text;
    EXPECT_EQ(manifest.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(manifest.status().message(), path + ": not a scimflow gen manifest: " + reason)
        << text;
  }
  const Result<Manifest> missing = ReadManifest(dir_ / "absent.json");
  EXPECT_EQ(missing.status(),
            Status(StatusCode::kNotFound, dir_ / "absent.json" + ": no such file"));
}

TEST(GenRequestTest, BadRequestsAreRefusedBeforeAnythingIsWritten) {
  TempDir dir("requests");
  GenRequest none = Request(dir / "none");
  none.params.users = 0;
  EXPECT_EQ(RunGenerator(none).status().message(), "--users must be at least 1");
  GenRequest churn_alone = Request(dir / "churn");
  churn_alone.churn = "1%";
  EXPECT_EQ(RunGenerator(churn_alone).status().message(), "--churn needs --next-day-of DIR");
  EXPECT_FALSE(std::filesystem::exists(dir / "none"));

  ASSERT_TRUE(RunGenerator(Request(dir / "day0")).ok());
  GenRequest no_churn;
  no_churn.next_day_of = dir / "day0";
  no_churn.out_dir = dir / "day1";
  EXPECT_EQ(RunGenerator(no_churn).status().message(), "--next-day-of needs --churn SPEC");
  GenRequest okta = no_churn;
  okta.churn = "1%";
  okta.user_format = UserFormat::kOkta;
  EXPECT_EQ(RunGenerator(okta).status().message(),
            "--user-format okta carries other name attributes than scim of the earlier day; every "
            "user would change");
  GenRequest same_dir = no_churn;
  same_dir.churn = "1%";
  same_dir.out_dir = dir / "day0";
  EXPECT_EQ(RunGenerator(same_dir).status().message(),
            "--out must be another directory than --next-day-of");
  GenRequest bad_spec = no_churn;
  bad_spec.churn = "sometimes";
  EXPECT_EQ(RunGenerator(bad_spec).status().message(),
            "--churn \"sometimes\": unknown kind \"sometimes\"");
  EXPECT_FALSE(std::filesystem::exists(dir / "day1/manifest.json"));
}

TEST(GenRequestTest, AnUnwritableOutputIsAnIoErrorNamingThePath) {
  TempDir dir("unwritable");
  std::ofstream(dir / "file") << "x";
  const Result<GenSummary> summary = RunGenerator(Request(dir / "file"));
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kIoError);
  EXPECT_EQ(summary.status().message().rfind(dir / "file" + ": ", 0), 0u)
      << summary.status().message();
}

}  // namespace
}  // namespace scimflow::gen
