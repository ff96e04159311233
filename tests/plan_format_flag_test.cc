// `scimflow plan --format` (and --groups-format, --assignments-format): the named format
// overrides detection from the first bytes (io/format_detect.h), and an unknown name is a usage
// error that lists the known ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/gen_testutil.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_gen::ReadFile;

class PlanFormatFlagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::FreshTestDirectory("plan_format");
    std::ofstream(root_ / "snapshot.ndjson").close();
    // An Okta export whose first object lacks `profile`: detection, which looks at the first
    // object only, takes the file for SCIM users.
    std::ofstream(root_ / "okta.ndjson")
        << R"({"id":"00u1","status":"ACTIVE"})"
        << "\n"
        << R"({"id":"00u2","status":"ACTIVE","profile":{"login":"b@example.com",)"
        << R"("firstName":"B","lastName":"Two","email":"b@example.com"}})"
        << "\n"
        << R"({"id":"00u3","status":"SUSPENDED","profile":{"login":"c@example.com"}})"
        << "\n";
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs `scimflow plan` in root_ on okta.ndjson with `extra` flags; returns the exit code.
  int Plan(const std::string& extra) {
    const std::string command = "cd '" + root_.string() + "' && " + SCIMFLOW_BINARY +
                                " plan --users okta.ndjson --current snapshot.ndjson --out "
                                "okta.plan --rejects rejects.ndjson " +
                                extra + " >plan.log 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // `file:line: reason` of every line of the rejects file.
  std::vector<std::string> Rejects() {
    std::vector<std::string> rejects;
    simdjson::dom::parser parser;
    std::istringstream lines(ReadFile(root_ / "rejects.ndjson"));
    for (std::string line; std::getline(lines, line);) {
      simdjson::dom::element reject = parser.parse(line);
      rejects.push_back(std::string(reject["file"].get_string().value()) + ":" +
                        std::to_string(reject["line"].get_uint64().value()) + ": " +
                        std::string(reject["reason"].get_string().value()));
    }
    return rejects;
  }

  uint64_t UserCreates() {
    const std::string plan = ReadFile(root_ / "okta.plan");
    simdjson::dom::parser parser;
    return parser.parse(plan.substr(0, plan.find('\n')))["operations"]["user.create"]
        .get_uint64()
        .value();
  }

  fs::path root_;
};

TEST_F(PlanFormatFlagTest, DetectionAloneReadsTheOktaFileAsScim) {
  ASSERT_EQ(Plan(""), 0) << ReadFile(root_ / "plan.log");
  EXPECT_EQ(Rejects(),
            (std::vector<std::string>{"okta.ndjson:1: missing required attribute \"externalId\"",
                                      "okta.ndjson:2: missing required attribute \"externalId\"",
                                      "okta.ndjson:3: missing required attribute \"externalId\""}));
  EXPECT_EQ(UserCreates(), 0u);
}

TEST_F(PlanFormatFlagTest, FormatFlagOverridesDetection) {
  ASSERT_EQ(Plan("--format okta-ndjson"), 0) << ReadFile(root_ / "plan.log");
  EXPECT_EQ(
      Rejects(),
      (std::vector<std::string>{"okta.ndjson:1: missing required attribute \"profile.login\""}));
  EXPECT_EQ(UserCreates(), 1u);  // 00u3 is suspended: not active, so not created.
}

TEST_F(PlanFormatFlagTest, UnknownFormatIsAUsageErrorNamingTheKnownOnes) {
  EXPECT_EQ(Plan("--format xml"), 1);
  EXPECT_EQ(ReadFile(root_ / "plan.log"),
            "scimflow plan: unknown --format \"xml\" (one of auto, ndjson, json, okta-ndjson, "
            "okta-json, csv)\n");
  EXPECT_FALSE(fs::exists(root_ / "okta.plan"));
  EXPECT_EQ(Plan("--groups-format yaml"), 1);
  EXPECT_EQ(ReadFile(root_ / "plan.log"),
            "scimflow plan: unknown --groups-format \"yaml\" (one of auto, ndjson, json, "
            "okta-ndjson, okta-json, csv)\n");
}

TEST_F(PlanFormatFlagTest, GroupsFormatFlagOverridesDetection) {
  // Detected, the CSV edges file yields its group; read as NDJSON, every row is malformed JSON.
  std::ofstream(root_ / "groups.csv") << "groupExternalId,groupDisplayName,userExternalId\n"
                                      << "g-1,Team,00u2\n";
  ASSERT_EQ(Plan("--format okta-ndjson --groups groups.csv"), 0) << ReadFile(root_ / "plan.log");
  EXPECT_EQ(Rejects().size(), 1u);
  EXPECT_THAT(ReadFile(root_ / "okta.plan"), ::testing::HasSubstr(R"("kind":"group.create")"));
  ASSERT_EQ(Plan("--format okta-ndjson --groups groups.csv --groups-format ndjson"), 0)
      << ReadFile(root_ / "plan.log");
  EXPECT_EQ(Rejects(), (std::vector<std::string>{
                           "okta.ndjson:1: missing required attribute \"profile.login\"",
                           "groups.csv:1: malformed JSON", "groups.csv:2: malformed JSON"}));
}

}  // namespace
}  // namespace scimflow
