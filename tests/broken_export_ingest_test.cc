// The broken-export contract (SPEC §2, "nothing crashes, nothing is dropped without a reject
// line"): every file `scimflow gen --broken` writes yields exactly the rejects its
// expected-rejects.json lists — file, line and reason, as whole `file:line: reason` strings — and
// exactly the announced number of valid records.
//
// Checked twice: in process through the real ingest path (IngestFile over the flow graph, then
// Resolve for duplicates, roles and unknown members), and end to end through `scimflow plan`,
// whose rejects file must list the same rejects.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/ingest.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"
#include "tests/gen_testutil.h"
#include "tests/test_directory.h"
#include "tools/gen/broken_files.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_gen::ReadFile;
using testing_gen::ScimflowToLog;

std::string Str(simdjson::dom::element element, std::string_view key) {
  std::string_view value;
  return element[key].get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

// One entry of expected-rejects.json.
struct ExpectedFile {
  std::string file;
  InputKind kind = InputKind::kUsers;
  std::string users;  // Groups files: the users file their members belong to.
  uint64_t valid_records = 0;
  std::vector<std::string> rejects;  // `file:line: reason`, in file order.
};

std::vector<ExpectedFile> LoadExpected(const fs::path& dir) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.load((dir / kExpectedRejectsFile).string()).get(root), simdjson::SUCCESS);
  std::vector<ExpectedFile> files;
  for (simdjson::dom::element entry : root["files"].get_array()) {
    ExpectedFile expected;
    expected.file = Str(entry, "file");
    expected.kind = Str(entry, "kind") == "groups" ? InputKind::kGroups : InputKind::kUsers;
    expected.users = Str(entry, "users");
    expected.valid_records = entry["valid_records"].get_uint64().value();
    for (simdjson::dom::element reject : entry["rejects"].get_array()) {
      expected.rejects.push_back(LocatedMessage(
          Str(reject, "file"), reject["line"].get_uint64().value(), Str(reject, "reason")));
    }
    files.push_back(std::move(expected));
  }
  return files;
}

// What the ingest path made of one file: its rejects as `file:line: reason` in line order, and
// how many of its records came through untouched.
struct IngestOutcome {
  std::vector<std::string> rejects;
  uint64_t valid_records = 0;
  uint64_t provisioned_users = 0;  // Accepted, assigned and active: what a plan creates.
};

// The chunks of one ingested file, and the resolver's view of them.
struct Ingested {
  std::string file;  // As named in the rejects (the file's name inside the export).
  std::vector<std::unique_ptr<RecordChunk>> chunks;
  std::vector<const RecordChunk*> views;
  uint64_t records = 0;
  std::vector<std::pair<uint64_t, std::string>> rejects;  // Line, message.
};

// Not named *Pipeline*: run under ThreadSanitizer it reports only oneTBB's own hand-offs, which
// happen inside the uninstrumented libtbb (graph::wait_for_all's acquire, the task pool's
// recycling). The same holds for every test of engine/ingest's flow graph, so none runs under
// ThreadSanitizer; IngestTest checks its ordering and buffer hand-back on 1, 2 and 4 threads
// under AddressSanitizer instead.
class BrokenExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDirectory("broken_export");
    ASSERT_TRUE(WriteBrokenExport(dir_).ok());
    expected_ = LoadExpected(dir_);
    ASSERT_EQ(expected_.size(), 15u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Ingests `name` (auto-detected format) with the default options; origins name it `name`.
  Ingested Ingest(const std::string& name, InputKind kind) {
    Ingested out;
    out.file = name;
    paths_.push_back(std::make_unique<std::string>((dir_ / name).string()));
    const std::string& path = *paths_.back();
    Result<IngestResult> result = IngestFile(path, kind, InputFormat::kAuto, EngineOptions{});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return out;
    out.chunks = std::move(result->chunks);
    for (const auto& chunk : out.chunks) {
      out.views.push_back(chunk.get());
      out.records += chunk->users.size() + chunk->groups.size();
      for (const Reject& reject : chunk->rejects) {
        EXPECT_EQ(reject.origin.file, path);
        out.rejects.emplace_back(reject.origin.line,
                                 LocatedMessage(name, reject.origin.line, reject.reason));
      }
    }
    return out;
  }

  // Ingest, then resolve against no current state, as `scimflow plan` does.
  IngestOutcome Run(const ExpectedFile& expected) {
    Ingested users = Ingest(expected.kind == InputKind::kGroups ? expected.users : expected.file,
                            InputKind::kUsers);
    Ingested groups;
    if (expected.kind == InputKind::kGroups) groups = Ingest(expected.file, InputKind::kGroups);
    const Ingested& subject = expected.kind == InputKind::kGroups ? groups : users;
    const DesiredState desired =
        Resolve(ResolveInput{users.file, users.views}, ResolveInput{groups.file, groups.views},
                ResolveInput{}, *FindProfile("github-emu"), nullptr);
    std::vector<std::pair<uint64_t, std::string>> rejects = subject.rejects;
    std::set<uint64_t> resolve_lines;
    for (const ResolveReject& reject : desired.rejects) {
      EXPECT_EQ(reject.input, expected.kind) << reject.reason;
      rejects.emplace_back(reject.origin.line,
                           LocatedMessage(subject.file, reject.origin.line, reject.reason));
      resolve_lines.insert(reject.origin.line);
    }
    std::stable_sort(rejects.begin(), rejects.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    IngestOutcome outcome;
    for (auto& [line, message] : rejects) outcome.rejects.push_back(std::move(message));
    outcome.valid_records = subject.records - resolve_lines.size();
    for (const DesiredUser& user : desired.users) outcome.provisioned_users += user.provisioned();
    return outcome;
  }

  fs::path dir_;
  std::vector<ExpectedFile> expected_;
  std::vector<std::unique_ptr<std::string>> paths_;  // Outlive the chunks whose origins view them.
};

TEST_F(BrokenExportTest, EveryFileYieldsExactlyItsListedRejectsAndValidRecords) {
  for (const ExpectedFile& expected : expected_) {
    SCOPED_TRACE(expected.file);
    const IngestOutcome got = Run(expected);
    EXPECT_EQ(got.rejects, expected.rejects);
    EXPECT_EQ(got.valid_records, expected.valid_records);
  }
}

TEST_F(BrokenExportTest, EveryFileKindIsCovered) {
  // Guards the test above against an export that silently lost its damaged files.
  std::set<std::string> reasons;
  for (const ExpectedFile& expected : expected_) {
    for (const std::string& reject : expected.rejects) {
      const size_t colon = reject.find(": ");
      std::string reason = reject.substr(colon + 2);
      reasons.insert(reason.substr(0, reason.find(' ', reason.find(' ') + 1)));
    }
  }
  EXPECT_EQ(reasons,
            (std::set<std::string>{"malformed JSON", "invalid UTF-8", "wrong type",
                                   "missing required", "duplicate externalId", "duplicate userName",
                                   "unknown role", "line longer", "empty file", "truncated record",
                                   "group member", "expected 7", "unbalanced quote"}));
}

TEST_F(BrokenExportTest, PlanWritesExactlyTheListedRejectsForEveryFile) {
  const fs::path work = dir_ / "plan";
  fs::create_directories(work);
  std::ofstream(work / "empty-snapshot.ndjson").close();
  for (const ExpectedFile& expected : expected_) {
    SCOPED_TRACE(expected.file);
    const std::string users = expected.kind == InputKind::kGroups ? expected.users : expected.file;
    const fs::path plan = work / (expected.file + ".plan");
    const fs::path rejects_file = work / (expected.file + ".rejects");
    const fs::path log = work / (expected.file + ".log");
    std::string arguments = "plan --profile github-emu --users " + users + " --current '" +
                            (work / "empty-snapshot.ndjson").string() + "' --out '" +
                            plan.string() + "' --rejects '" + rejects_file.string() + "'";
    if (expected.kind == InputKind::kGroups) arguments += " --groups " + expected.file;
    ASSERT_EQ(ScimflowToLog(arguments, log, dir_), 0) << ReadFile(log);

    std::vector<std::string> written;
    simdjson::dom::parser parser;
    std::istringstream lines(ReadFile(rejects_file));
    for (std::string line; std::getline(lines, line);) {
      simdjson::dom::element reject;
      ASSERT_EQ(parser.parse(line).get(reject), simdjson::SUCCESS) << line;
      written.push_back(LocatedMessage(Str(reject, "file"), reject["line"].get_uint64().value(),
                                       Str(reject, "reason")));
    }
    EXPECT_EQ(written, expected.rejects);

    // The plan counts the same rejects and creates exactly the users the ingest path accepted.
    const std::string plan_text = ReadFile(plan);
    simdjson::dom::element header;
    ASSERT_EQ(parser.parse(plan_text.substr(0, plan_text.find('\n'))).get(header),
              simdjson::SUCCESS);
    EXPECT_EQ(header["rejects"].get_uint64().value(), expected.rejects.size());
    EXPECT_EQ(header["operations"]["user.create"].get_uint64().value(),
              Run(expected).provisioned_users);
  }
}

}  // namespace
}  // namespace scimflow
