#include "tests/emit_testutil.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace scimflow::testing_emit {
namespace {

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char byte : text) {
    if (byte == '\'') {
      out += "'\\''";
    } else {
      out.push_back(byte);
    }
  }
  return out + "'";
}

}  // namespace

std::string Binary() { return SCIMFLOW_BINARY; }

CommandResult RunScimflow(const std::vector<std::string>& args, const std::string& token) {
  std::string command = "SCIMFLOW_TOKEN=" + ShellQuote(token) + " " + ShellQuote(Binary());
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  return testing_gen::RunCommand(command);
}

pid_t SpawnScimflow(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file, const std::string& token,
                    const ChildSetup& setup) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe work until exec, apart from setenv (single-threaded child).
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out, 1);
  ::dup2(err, 2);
  if (token.empty()) {
    ::unsetenv("SCIMFLOW_TOKEN");
  } else {
    ::setenv("SCIMFLOW_TOKEN", token.c_str(), 1);
  }
  for (const std::string& variable : setup.environment) {
    const size_t equals = variable.find('=');
    ::setenv(variable.substr(0, equals).c_str(), variable.substr(equals + 1).c_str(), 1);
  }
  if (setup.umask) ::umask(*setup.umask);
  if (setup.file_size_limit) {
    // Ignored signals stay ignored across exec, so the engine sees EFBIG, not a kill.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{*setup.file_size_limit, *setup.file_size_limit};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  std::vector<std::string> argv_text = {Binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

CommandResult MakeMigrationPlan(const std::vector<std::string>& gen_args, const std::string& day,
                                const std::string& empty, const std::string& plan) {
  std::vector<std::string> gen = {"gen"};
  gen.insert(gen.end(), gen_args.begin(), gen_args.end());
  gen.insert(gen.end(), {"--snapshot", "--out", day});
  const CommandResult generated = RunScimflow(gen);
  if (generated.exit_code != 0) return generated;
  std::ofstream(empty).flush();
  return RunScimflow({"plan", "--users", day + "/users.ndjson", "--groups", day + "/groups.ndjson",
                      "--assignments", day + "/assignments.ndjson", "--current", empty, "--out",
                      plan});
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ToString(const TargetState& state) {
  return "users " + std::to_string(state.users) + ", active " + std::to_string(state.active_users) +
         ", groups " + std::to_string(state.groups) + ", memberships " +
         std::to_string(state.memberships);
}

TargetState StateOf(const SimStats& stats) {
  return {stats.Number("/users"), stats.Number("/active_users"), stats.Number("/groups"),
          stats.Number("/memberships")};
}

TargetState ExpectedAfterMigration(const std::string& snapshot) {
  SimProcess sim;
  const Status started = sim.Start({"--load", snapshot});
  EXPECT_TRUE(started.ok()) << started.message();
  TargetState loaded = StateOf(sim.Stats());
  sim.Stop();
  // Users inactive in the IdP are never created by a migration; suspended users are not
  // visible members on github-emu, so the visible memberships are those of the active users.
  loaded.users = loaded.active_users;
  return loaded;
}

int64_t QueryInt(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return -1;
  }
  sqlite3_busy_timeout(handle, 2000);
  sqlite3_stmt* statement = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

int64_t JournalCount(const std::string& db, const std::string& state) {
  // The states are the journal's own words ("done", …), never quotes.
  return QueryInt(db, "SELECT count(*) FROM journal WHERE state = '" + state + "'");
}

std::string PlanUserCreateLine(const std::string& user) {
  return R"({"op":"u:)" + user + R"(:create","kind":"user.create","externalId":")" + user +
         R"(","method":"POST","path":"/Users","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":")" +
         user + R"(","userName":")" + user +
         R"(","name":{"givenName":"G","familyName":"F"},"displayName":"D","emails":[{"value":")" +
         user +
         R"(@example.com","type":"work","primary":true}],"roles":[{"value":"user","primary":true}],"active":true}})"
         "\n";
}

std::string PlanGroupCreateLine(const std::string& group) {
  return R"({"op":"g:)" + group + R"(:create","kind":"group.create","externalId":")" + group +
         R"(","method":"POST","path":"/Groups","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":")" +
         group + R"(","displayName":"Group )" + group + "\"}}\n";
}

std::string PlanMemberAddLine(const std::string& group, const std::vector<std::string>& users,
                              int chunk) {
  std::string deps = "\"g:" + group + ":create\"";
  std::string values;
  for (const std::string& user : users) {
    deps += ",\"u:" + user + ":create\"";
    if (!values.empty()) values += ",";
    values += R"({"value":{"$ref":"u:)" + user + R"(:create"}})";
  }
  return R"({"op":"g:)" + group + ":add:" + std::to_string(chunk) +
         R"(","kind":"group.members.add","externalId":")" + group + R"(","deps":[)" + deps +
         R"(],"members":)" + std::to_string(users.size()) +
         R"(,"method":"PATCH","path":"/Groups/{id}","id":{"$ref":"g:)" + group +
         R"(:create"},"body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[)" +
         values + "]}]}}\n";
}

}  // namespace scimflow::testing_emit
