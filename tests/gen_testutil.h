// Test helpers for the generator: an independent reader of generated directories (simdjson DOM
// for JSON, a small strict RFC 4180 reader for CSV) and an independent planner-count following
// docs/operations.md, so tests can check generated files without the generator's own code or the
// engine's parsers.
#ifndef SCIMFLOW_TESTS_GEN_TESTUTIL_H_
#define SCIMFLOW_TESTS_GEN_TESTUTIL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace scimflow::testing_gen {

// A fresh empty directory under the test temp dir; removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

// Strict RFC 4180 reading (LF or CRLF record ends): quoted fields with doubled quotes, no bare
// quote in an unquoted field, nothing after a closing quote but a comma or the record end, every
// record with as many fields as the header, valid UTF-8. On failure returns nullopt and sets
// *error to "line N: reason".
std::optional<std::vector<std::vector<std::string>>> ParseCsvStrict(const std::string& text,
                                                                    std::string* error);

struct TestUser {
  std::string id;  // target id (snapshots only)
  std::string external_id, user_name, given, family, formatted, middle, display_name;
  std::string email, email_type;
  bool email_primary = false;
  std::set<std::string> roles;
  bool active = false;

  // The attributes a `user.update` compares (not roles, not active, not userName).
  bool SameProfile(const TestUser& other) const;
};

struct TestGroup {
  std::string id;
  std::string external_id, display_name;
  std::set<std::string> members;  // user externalIds
};

// A generated directory read back. `error` is empty when everything parsed.
struct TestDay {
  std::map<std::string, TestUser> users;                     // by externalId (IdP export)
  std::map<std::string, std::set<std::string>> assignments;  // externalId → roles
  std::map<std::string, TestGroup> groups;                   // by externalId
  std::vector<std::string> user_order;                       // externalIds in file order
  std::string error;
};
// Reads users.*, assignments.* and groups.* of `dir`, whatever their formats (found by name).
TestDay ReadExport(const std::string& dir);

struct TestSnapshot {
  std::map<std::string, TestUser> users;    // by externalId
  std::map<std::string, TestGroup> groups;  // by externalId, members as user externalIds
  std::string error;
};
TestSnapshot ReadSnapshot(const std::string& path);

// Operation counts of a plan of `day` against `snapshot`, per docs/operations.md (github-emu).
struct TestCounts {
  std::map<std::string, uint64_t> operations;  // all ten kinds, 0 where none
  uint64_t members_added = 0;
  uint64_t members_removed = 0;
  uint64_t conflicts = 0;  // username changes: the generator must never make one
  uint64_t total = 0;
};
TestCounts PlanCounts(const TestDay& day, const TestSnapshot& snapshot, uint64_t per_patch);

// expected.json read back into the same shape; `error` set on a malformed file.
TestCounts ReadExpected(const std::string& path, std::string* error);

// Runs `command` with /bin/sh; returns its exit status and captures stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
CommandResult RunCommand(const std::string& command);

// Runs the scimflow binary under test with `arguments` (shell words), in `dir` when one is given,
// with its stdout and stderr written to `log`. Returns its exit code, -1 when it did not exit.
int ScimflowToLog(const std::string& arguments, const std::string& log,
                  const std::string& dir = "");

}  // namespace scimflow::testing_gen

#endif  // SCIMFLOW_TESTS_GEN_TESTUTIL_H_
