// The README's commands, run as documented, so the guide cannot drift from the binary (in the
// manner of simdjson's readme examples test).
//
// Convention (README.md, "What it is"): a fenced block right after a `<!-- test -->` line is a
// list of shell commands, one per line (`\` continues a line; `#` lines are comments); a trailing
// `# exit N` is the expected exit code (default 0). After `<!-- test: systemd -->` the block is a
// unit file whose `ExecStart=` command is run; after `<!-- test: cron -->` each line is a crontab
// entry whose command (after the five time fields) is run.
//
// The commands run with /bin/sh in one scratch directory shared by all blocks, with
// SCIMFLOW_TOKEN set, after these replacements: the EMU, GHES and generic URLs by three
// simulators on loopback; /srv/idp by a generated export; /var/lib/scimflow,
// /var/lib/node_exporter/textfile and /etc/scimflow/token by scratch paths; `scimflow` by the
// binary under test. `scimflow sim … &` starts a simulator through SimProcess (on a free port
// that replaces the documented one) and `kill %1` stops it.
//
// A command naming a subcommand scimflow does not have fails the test. A command whose program
// is not installed here (jq, systemd-analyze, …) is skipped with a SKIPPED line on stdout, and so
// is the rest of its block; a later helper command that fails after such a skip is reported as
// skipped too, since it reads what the skipped command would have written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/gen_testutil.h"
#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

using testing_gen::CommandResult;
using testing_gen::ReadFile;
using testing_gen::RunCommand;
using testing_gen::TempDir;

struct ReadmeCommand {
  size_t line = 0;   // 1-based line in README.md where the command starts.
  std::string text;  // The command as written (continuations joined).
  int expected_exit = 0;
};

struct ReadmeBlock {
  std::string kind;  // "test", "systemd" or "cron".
  size_t line = 0;   // Of the marker.
  std::vector<ReadmeCommand> commands;
};

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// Splits off a trailing `# exit N`.
ReadmeCommand MakeCommand(size_t line, std::string text) {
  static const std::regex kExit(R"((.*\S)\s+# exit (\d+))");
  ReadmeCommand command{line, Trim(text), 0};
  std::smatch match;
  if (std::regex_match(command.text, match, kExit)) {
    // Copy out before assigning: the match points into command.text.
    std::string text = match[1];
    command.expected_exit = std::stoi(match[2]);
    command.text = std::move(text);
  }
  return command;
}

// The commands of one block's lines, per its kind.
std::vector<ReadmeCommand> BlockCommands(const std::string& kind, size_t first_line,
                                         const std::vector<std::string>& lines) {
  std::vector<ReadmeCommand> commands;
  std::string pending;
  size_t pending_line = 0;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::string line = Trim(lines[index]);
    const size_t number = first_line + index;
    if (kind == "systemd") {
      if (line.rfind("ExecStart=", 0) == 0)
        commands.push_back(MakeCommand(number, line.substr(10)));
      continue;
    }
    if (pending.empty() && (line.empty() || line[0] == '#')) continue;
    if (kind == "cron") {
      std::istringstream fields(line);
      std::string field;
      for (int skip = 0; skip < 5; ++skip) fields >> field;
      std::getline(fields, line);
    }
    if (pending.empty()) pending_line = number;
    if (!line.empty() && line.back() == '\\') {
      pending += Trim(line.substr(0, line.size() - 1)) + " ";
      continue;
    }
    commands.push_back(MakeCommand(pending_line, pending + line));
    pending.clear();
  }
  return commands;
}

std::vector<ReadmeBlock> ExtractBlocks(const std::string& readme) {
  static const std::regex kMarker(R"(<!-- test(: (systemd|cron))? -->)");
  std::vector<std::string> lines;
  std::istringstream stream(readme);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  std::vector<ReadmeBlock> blocks;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::smatch match;
    if (!std::regex_match(lines[index], match, kMarker)) continue;
    ReadmeBlock block{match[2].matched ? match[2].str() : "test", index + 1, {}};
    size_t open = index + 1;
    while (open < lines.size() && lines[open].rfind("```", 0) != 0) ++open;
    size_t close = open + 1;
    while (close < lines.size() && lines[close].rfind("```", 0) != 0) ++close;
    if (open >= lines.size()) break;
    const std::vector<std::string> body(lines.begin() + static_cast<long>(open) + 1,
                                        lines.begin() + static_cast<long>(close));
    block.commands = BlockCommands(block.kind, open + 2, body);
    blocks.push_back(std::move(block));
    index = close;
  }
  return blocks;
}

TEST(ReadmeCommandsTest, ExtractsCommandsExitCodesUnitsAndCronLines) {
  const std::string readme =
      "intro\n<!-- test -->\n```\n# a comment\nscimflow gen --users 3 \\\n  --out d\n\n"
      "scimflow plan --users u   # exit 4\n```\n"
      "```\nnot marked\n```\n"
      "<!-- test: systemd -->\n```\n[Service]\nType=oneshot\nExecStart=/usr/local/bin/scimflow "
      "sync --x y\n```\n"
      "<!-- test: cron -->\n```\n# m h dom mon dow command\n30 2 * * * flock -n l scimflow sync\n"
      "```\n";
  const std::vector<ReadmeBlock> blocks = ExtractBlocks(readme);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].kind, "test");
  ASSERT_EQ(blocks[0].commands.size(), 2u);
  EXPECT_EQ(blocks[0].commands[0].text, "scimflow gen --users 3 --out d");
  EXPECT_EQ(blocks[0].commands[0].line, 5u);
  EXPECT_EQ(blocks[0].commands[0].expected_exit, 0);
  EXPECT_EQ(blocks[0].commands[1].text, "scimflow plan --users u");
  EXPECT_EQ(blocks[0].commands[1].expected_exit, 4);
  EXPECT_EQ(blocks[1].kind, "systemd");
  ASSERT_EQ(blocks[1].commands.size(), 1u);
  EXPECT_EQ(blocks[1].commands[0].text, "/usr/local/bin/scimflow sync --x y");
  EXPECT_EQ(blocks[2].kind, "cron");
  ASSERT_EQ(blocks[2].commands.size(), 1u);
  EXPECT_EQ(blocks[2].commands[0].text, "flock -n l scimflow sync");
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos;
       at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

class ReadmeRunner {
 public:
  explicit ReadmeRunner(const TempDir& dir) : dir_(dir) {}

  ::testing::AssertionResult SetUp() {
    for (const char* path : {"var-lib-scimflow", "textfile"}) {
      std::filesystem::create_directories(dir_ / path);
    }
    const CommandResult gen = RunCommand(std::string(SCIMFLOW_BINARY) +
                                         " --quiet gen --users 200 --out " + (dir_ / "srv-idp"));
    if (gen.exit_code != 0) return ::testing::AssertionFailure() << "gen: " << gen.err;
    {
      std::ofstream token(dir_ / "etc-scimflow-token");
      token << SimProcess::kToken << "\n";
    }
    ::chmod((dir_ / "etc-scimflow-token").c_str(), 0600);
    const std::pair<const char*, std::vector<std::string>> kTargets[] = {
        {"https://api.github.com/scim/v2/enterprises/ENTERPRISE", {}},
        {"https://HOSTNAME/api/v3/scim/v2", {"--profile", "ghes"}},
        {"https://scim.example.com/scim/v2", {"--profile", "generic"}}};
    for (const auto& [url, args] : kTargets) {
      targets_.push_back(std::make_unique<SimProcess>());
      const Status started = targets_.back()->Start(args);
      if (!started.ok()) return ::testing::AssertionFailure() << url << ": " << started.message();
      replacements_.emplace_back(url, targets_.back()->ScimUrl());
    }
    replacements_.emplace_back("/usr/local/bin/scimflow", SCIMFLOW_BINARY);
    replacements_.emplace_back("/srv/idp/", dir_ / "srv-idp/");
    replacements_.emplace_back("/var/lib/scimflow/", dir_ / "var-lib-scimflow/");
    replacements_.emplace_back("/var/lib/node_exporter/textfile/", dir_ / "textfile/");
    replacements_.emplace_back("/etc/scimflow/token", dir_ / "etc-scimflow-token");
    for (const std::string& line : ListLines()) subcommands_.insert(line);
    return ::testing::AssertionSuccess();
  }

  void RunBlock(const ReadmeBlock& block) {
    bool skip_rest = false;
    for (const ReadmeCommand& command : block.commands) {
      if (skip_rest) {
        Skip(command, "an earlier command of its block was skipped");
        continue;
      }
      skip_rest = !RunOne(command);
    }
  }

  int ran() const { return ran_; }
  int skipped() const { return skipped_; }

 private:
  // The subcommands `scimflow help` lists.
  std::vector<std::string> ListLines() const {
    const std::string help = RunCommand(std::string(SCIMFLOW_BINARY) + " help").out;
    std::vector<std::string> names;
    const size_t start = help.find("subcommands:\n");
    std::istringstream lines(help.substr(start + 13, help.find("\n\n", start) - start - 13));
    for (std::string line; std::getline(lines, line);) names.push_back(Words(line).at(0));
    return names;
  }

  void Skip(const ReadmeCommand& command, const std::string& why) {
    std::printf("SKIPPED README.md:%zu (%s): %s\n", command.line, why.c_str(),
                command.text.c_str());
    ++skipped_;
  }

  // The program a command runs and, for scimflow, its subcommand; env assignments skipped.
  void Program(const std::vector<std::string>& words, std::string* program,
               std::string* subcommand) const {
    static const std::regex kAssignment(R"([A-Z_][A-Z0-9_]*=.*)");
    size_t index = 0;
    while (index < words.size() && std::regex_match(words[index], kAssignment)) ++index;
    if (index < words.size() && words[index] == "flock") index += 3;  // flock -n LOCK …
    if (index >= words.size()) return;
    *program = words[index];
    if (program->ends_with("scimflow")) {
      for (++index; index < words.size() && words[index][0] == '-'; ++index) {
      }
      if (index < words.size()) *subcommand = words[index];
    }
  }

  // Runs one command; false when it was skipped (the rest of its block is then skipped too).
  bool RunOne(const ReadmeCommand& command) {
    std::string program, subcommand;
    const std::vector<std::string> words = Words(command.text);
    Program(words, &program, &subcommand);
    if (program.ends_with("scimflow") && subcommands_.count(subcommand) == 0) {
      ADD_FAILURE() << "README.md:" << command.line << ": scimflow has no subcommand \""
                    << subcommand << "\": " << command.text;
      return false;
    }
    if (!program.ends_with("scimflow") &&
        RunCommand("command -v " + program + " >/dev/null").exit_code != 0) {
      Skip(command, program + " is not installed");
      any_skipped_ = true;
      return false;
    }
    if (subcommand == "sim" && words.back() == "&") return StartSim(command, words);
    if (command.text == "kill %1") {
      EXPECT_TRUE(sim_ != nullptr) << "README.md:" << command.line << ": no simulator to stop";
      if (sim_ != nullptr) {
        EXPECT_EQ(sim_->Stop(), 0);
      }
      ++ran_;
      return true;
    }
    return Execute(command, program);
  }

  // `scimflow sim --listen 127.0.0.1:PORT ARGS &`: started on a free port instead.
  bool StartSim(const ReadmeCommand& command, const std::vector<std::string>& words) {
    std::vector<std::string> args;
    for (size_t index = 2; index + 1 < words.size(); ++index) {
      if (words[index] == "--listen") {
        listen_ = words[++index];
        continue;
      }
      args.push_back(words[index]);
    }
    sim_ = std::make_unique<SimProcess>();
    const Status started = sim_->Start(args);
    EXPECT_TRUE(started.ok()) << "README.md:" << command.line << ": " << started.message();
    ++ran_;
    return started.ok();
  }

  std::string Substitute(std::string text) const {
    for (const auto& [from, to] : replacements_) ReplaceAll(&text, from, to);
    if (sim_ != nullptr && !listen_.empty()) {
      ReplaceAll(&text, listen_, "127.0.0.1:" + std::to_string(sim_->port()));
    }
    // `scimflow` as a command word (at the start, after VAR=value or after flock's lock file).
    static const std::regex kCommandWord(R"((^|\s)scimflow(\s))");
    return std::regex_replace(text, kCommandWord, "$1" + std::string(SCIMFLOW_BINARY) + "$2");
  }

  bool Execute(const ReadmeCommand& command, const std::string& program) {
    const std::string script = dir_ / ".readme-command.sh";
    {
      std::ofstream file(script);
      file << "export SCIMFLOW_TOKEN='" << SimProcess::kToken << "'\n"
           << Substitute(command.text) << "\n";
    }
    const CommandResult result =
        RunCommand("cd " + dir_.path() + " && timeout 300 sh " + script + " </dev/null");
    if (result.exit_code != command.expected_exit && any_skipped_ &&
        !program.ends_with("scimflow")) {
      Skip(command, "it reads what an earlier skipped command would have written");
      return false;
    }
    EXPECT_EQ(result.exit_code, command.expected_exit)
        << "README.md:" << command.line << ": " << command.text << "\nstdout:\n"
        << result.out << "stderr:\n"
        << result.err;
    ++ran_;
    return true;
  }

  const TempDir& dir_;
  std::vector<std::unique_ptr<SimProcess>> targets_;
  std::vector<std::pair<std::string, std::string>> replacements_;
  std::set<std::string> subcommands_;
  std::unique_ptr<SimProcess> sim_;  // Started by a README line.
  std::string listen_;               // The address that README line gave.
  bool any_skipped_ = false;
  int ran_ = 0;
  int skipped_ = 0;
};

TEST(ReadmeCommandsTest, EveryMarkedCommandRunsAsDocumented) {
  const std::vector<ReadmeBlock> blocks =
      ExtractBlocks(ReadFile(std::string(SCIMFLOW_SOURCE_DIR) + "/README.md"));
  // The guide has this many runnable blocks; fewer means a marker was lost.
  ASSERT_GE(blocks.size(), 10u);
  TempDir dir("readme");
  ReadmeRunner runner(dir);
  ASSERT_TRUE(runner.SetUp());
  for (const ReadmeBlock& block : blocks) runner.RunBlock(block);
  std::printf("README commands: %d run, %d skipped\n", runner.ran(), runner.skipped());
  EXPECT_GE(runner.ran(), 12);
}

}  // namespace
}  // namespace scimflow
