#include "tools/gen/broken_files.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "engine/chunk.h"
#include "io/csv_parser.h"

namespace scimflow {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The lines of `text` without their '\n'; a last line without newline counts too.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& byte : lower) byte = static_cast<char>(std::tolower(static_cast<unsigned char>(byte)));
  return lower;
}

// Text between the first pair of double quotes of `reason`, e.g. the X of `… "X" …`.
std::string Quoted(std::string_view reason) {
  const size_t open = reason.find('"');
  return std::string(reason.substr(open + 1, reason.find('"', open + 1) - open - 1));
}

class BrokenFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("broken_files_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(WriteBrokenExport(dir_).ok());
    expected_json_ = ReadAll(dir_ / kExpectedRejectsFile);
    ASSERT_EQ(parser_.parse(expected_json_).get(expected_), simdjson::SUCCESS);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Parses one NDJSON line as an object; false when it is not JSON (or not UTF-8).
  bool ParseLine(const std::string& line, simdjson::dom::element* element) {
    return line_parser_.parse(line).get(*element) == simdjson::SUCCESS && element->is_object();
  }

  // Asserts that line `line_number` of `lines` really holds the damage `reason` names.
  void ExpectDamage(const std::vector<std::string>& lines, const std::string& file_text,
                    uint64_t line_number, const std::string& reason, std::string_view users);

  std::filesystem::path dir_;
  std::string expected_json_;
  simdjson::dom::parser parser_;
  simdjson::dom::parser line_parser_;
  simdjson::dom::element expected_;
};

std::string_view Str(simdjson::dom::element element, std::string_view key) {
  std::string_view value;
  return element[key].get(value) == simdjson::SUCCESS ? value : std::string_view();
}

void BrokenFilesTest::ExpectDamage(const std::vector<std::string>& lines,
                                   const std::string& file_text, uint64_t line_number,
                                   const std::string& reason, std::string_view users) {
  SCOPED_TRACE(reason);
  if (reason == "empty file") {
    EXPECT_TRUE(file_text.empty());
    return;
  }
  ASSERT_LE(line_number, lines.size());
  const std::string& line = lines[line_number - 1];
  simdjson::dom::element record;
  if (reason == "malformed JSON") {
    EXPECT_TRUE(simdjson::validate_utf8(line.data(), line.size()));
    EXPECT_FALSE(ParseLine(line, &record));
  } else if (reason == "invalid UTF-8") {
    EXPECT_FALSE(simdjson::validate_utf8(line.data(), line.size()));
  } else if (reason == "truncated record") {
    EXPECT_EQ(line_number, lines.size());
    EXPECT_NE(file_text.back(), '\n');
    EXPECT_FALSE(ParseLine(line, &record));
  } else if (reason.starts_with("line longer than ")) {
    EXPECT_GT(line.size(), std::stoull(reason.substr(17)));
  } else if (reason.starts_with("wrong type for ")) {
    ASSERT_TRUE(ParseLine(line, &record));
    simdjson::dom::element value;
    ASSERT_EQ(record[Quoted(reason)].get(value), simdjson::SUCCESS);
    const bool boolean_wanted = reason.ends_with("expected boolean");
    EXPECT_NE(value.type(), boolean_wanted ? simdjson::dom::element_type::BOOL
                                           : simdjson::dom::element_type::STRING);
  } else if (reason.starts_with("missing required attribute ")) {
    ASSERT_TRUE(ParseLine(line, &record));
    EXPECT_EQ(Str(record, Quoted(reason)), "");
  } else if (reason.starts_with("duplicate ")) {
    const std::string key = reason.starts_with("duplicate externalId") ? "externalId" : "userName";
    const uint64_t first = std::stoull(reason.substr(reason.rfind("line ") + 5));
    simdjson::dom::element earlier;
    ASSERT_TRUE(ParseLine(line, &record));
    const std::string value(Str(record, key));
    EXPECT_EQ(value, Quoted(reason));
    ASSERT_TRUE(ParseLine(lines[first - 1], &earlier));
    EXPECT_EQ(Lower(Str(earlier, key)), Lower(value));
    if (key == "userName") {
      EXPECT_NE(Str(earlier, key), value);  // Only the case differs.
    }
  } else if (reason.starts_with("unknown role ")) {
    const std::set<std::string_view> known = {"user", "enterprise_owner", "billing_manager",
                                              "guest_collaborator", "restricted_user"};
    ASSERT_TRUE(ParseLine(line, &record));
    std::string_view role = Str(record["roles"].at(0), "value");
    EXPECT_EQ(role, Quoted(reason));
    EXPECT_EQ(known.count(role), 0u);
  } else if (reason.starts_with("group member ")) {
    std::set<std::string> user_ids;
    for (const std::string& user_line : Lines(ReadAll(dir_ / users))) {
      ASSERT_TRUE(ParseLine(user_line, &record));
      user_ids.insert(std::string(Str(record, "externalId")));
    }
    ASSERT_TRUE(ParseLine(line, &record));
    std::set<std::string> members;
    for (simdjson::dom::element member : record["members"].get_array()) {
      members.insert(std::string(member.get_string().value()));
    }
    EXPECT_EQ(members.count(Quoted(reason)), 1u);
    EXPECT_EQ(user_ids.count(Quoted(reason)), 0u);
  } else {
    ADD_FAILURE() << "undocumented reason";
  }
}

TEST_F(BrokenFilesTest, EveryListedLineHoldsTheDamageItsReasonNames) {
  size_t files = 0;
  for (simdjson::dom::element entry : expected_["files"].get_array()) {
    const std::string name(Str(entry, "file"));
    SCOPED_TRACE(name);
    ++files;
    ASSERT_TRUE(std::filesystem::exists(dir_ / name));
    if (Str(entry, "format") != "ndjson") continue;
    const std::string text = ReadAll(dir_ / name);
    const std::vector<std::string> lines = Lines(text);
    std::set<uint64_t> rejected;
    for (simdjson::dom::element reject : entry["rejects"].get_array()) {
      EXPECT_EQ(Str(reject, "file"), name);
      const uint64_t line = reject["line"].get_uint64().value();
      rejected.insert(line);
      ExpectDamage(lines, text, line, std::string(Str(reject, "reason")), Str(entry, "users"));
    }
    // Every other line is a usable record, and they are exactly the valid ones announced.
    uint64_t valid = 0;
    for (size_t index = 0; index < lines.size(); ++index) {
      if (rejected.count(index + 1)) continue;
      simdjson::dom::element record;
      ASSERT_TRUE(ParseLine(lines[index], &record)) << "line " << index + 1;
      EXPECT_NE(Str(record, "externalId"), "");
      ++valid;
    }
    EXPECT_EQ(valid, entry["valid_records"].get_uint64().value());
  }
  EXPECT_EQ(files, 15u);
  // Nothing in the directory goes unlisted.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            static_cast<long>(files) + 1);
}

TEST_F(BrokenFilesTest, CsvFilesYieldExactlyTheListedRejectsFromTheCsvParser) {
  size_t checked = 0;
  for (simdjson::dom::element entry : expected_["files"].get_array()) {
    if (Str(entry, "format") != "csv") continue;
    const std::string name(Str(entry, "file"));
    const std::string text = ReadAll(dir_ / name);
    const size_t header_end = text.find('\n') + 1;
    Result<CsvHeader> header = ParseCsvHeader(text.substr(0, header_end), InputKind::kUsers, name);
    ASSERT_TRUE(header.ok());
    RecordChunk chunk;
    ParseCsvRows(*header, std::string_view(text).substr(header_end), name, 2, header_end,
                 EngineOptions{}, &chunk);
    std::vector<std::string> expected, actual;
    for (simdjson::dom::element reject : entry["rejects"].get_array()) {
      expected.push_back(
          LocatedMessage(name, reject["line"].get_uint64().value(), Str(reject, "reason")));
    }
    for (const Reject& reject : chunk.rejects) {
      actual.push_back(LocatedMessage(reject.origin.file, reject.origin.line, reject.reason));
    }
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(chunk.users.size(), entry["valid_records"].get_uint64().value());
    ++checked;
  }
  EXPECT_EQ(checked, 2u);
}

TEST_F(BrokenFilesTest, OutputIsTheSameOnEveryRun) {
  const std::filesystem::path again = dir_.string() + "_again";
  ASSERT_TRUE(WriteBrokenExport(again).ok());
  size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(ReadAll(entry.path()), ReadAll(again / entry.path().filename()))
        << entry.path().filename();
    ++compared;
  }
  std::filesystem::remove_all(again);
  EXPECT_EQ(compared, 16u);
}

TEST_F(BrokenFilesTest, CheckedInCopyMatchesTheGenerator) {
  const std::filesystem::path checked_in =
      std::filesystem::path(SCIMFLOW_SOURCE_DIR) / "datasets" / "broken" / "export";
  std::set<std::string> generated, copied;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    generated.insert(entry.path().filename().string());
  }
  for (const auto& entry : std::filesystem::directory_iterator(checked_in)) {
    copied.insert(entry.path().filename().string());
  }
  EXPECT_EQ(copied, generated);
  for (const std::string& name : generated) {
    EXPECT_TRUE(ReadAll(dir_ / name) == ReadAll(checked_in / name)) << name << " differs";
  }
}

TEST(BrokenFilesErrorTest, UnwritableDirectoryIsAnIoError) {
  Status status = WriteBrokenExport("/proc/no-such-dir/broken");
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(status.message().starts_with("/proc/no-such-dir/broken: ")) << status.message();
}

}  // namespace
}  // namespace scimflow
