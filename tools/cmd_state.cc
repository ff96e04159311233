// `scimflow state import`: builds a state database (docs/state-format.md) from a snapshot file,
// as if every resource of the snapshot had been created by `apply`: one users row per user with
// the hashes of its attributes, one groups row per group, one memberships row per member. For an
// operator moving from `plan --current` to the faster `plan --state`, and for measuring the
// latter on generated data (`gen --snapshot`).
//
// The snapshot is streamed (io/snapshot_file.h); rows are written through StateStore::Apply, the
// same calls apply's journal makes, in transactions of kRowsPerTransaction changes. Group members
// are target user ids in a snapshot and user externalIds in the database, so the id → externalId
// pairs of the users are kept in memory (about 100 bytes per user) until the groups are written.
// A line the snapshot reader refuses stops the import: a state database must not silently miss
// a user. The database must be new or empty, so an import never mixes with applied outcomes.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/arena.h"
#include "engine/content_hash.h"
#include "engine/journal.h"
#include "engine/options.h"
#include "io/snapshot_file.h"
#include "tools/cli_flags.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace {

// Changes per transaction: large enough that the per-commit fsync is negligible, small enough
// that SQLite's page cache does not grow with the file.
constexpr size_t kRowsPerTransaction = 50'000;
// SQLite's page cache for the import, in KiB (SQLite's default is 2 MiB). Memberships arrive
// group by group, so their by-user index takes them in no order at all: with the default cache
// nearly every insert reads a page back from the file and writes one out. 10^6 users and 5.2
// million memberships: 187 s with the default, 128 s with 64 MiB, 103 s with 256 MiB (peak RSS
// 0.23, 0.31 and 0.56 GB). The cache grows only as far as the file does.
constexpr int kImportCacheKib = 256 * 1024;
// Longest accepted snapshot line: as `plan --current` (a group line lists every member).
constexpr uint32_t kSnapshotLineBytes = uint32_t{16} << 20;

struct ImportFlags {
  std::string snapshot;
  std::string state;
  std::string target;
  std::string profile = "github-emu";
};

class Importer {
 public:
  explicit Importer(Journal* journal) : journal_(journal) {}

  // Writes one parsed chunk of the snapshot. Called in file order, one chunk at a time.
  Status AddChunk(const SnapshotChunk& chunk) {
    if (!chunk.rejects.empty()) {
      const Reject& reject = chunk.rejects.front();
      return InvalidInputAt(reject.origin.file, reject.origin.line, reject.reason);
    }
    for (const SnapshotUser& user : chunk.users) SCIMFLOW_RETURN_IF_ERROR(AddUser(user));
    for (const SnapshotGroup& group : chunk.groups) SCIMFLOW_RETURN_IF_ERROR(AddGroup(group));
    return Status::Ok();
  }

  Status Finish() { return CommitIfOpen(); }

  uint64_t users() const { return users_; }
  uint64_t groups() const { return groups_; }
  uint64_t memberships() const { return memberships_; }

 private:
  Status AddUser(const SnapshotUser& snapshot_user) {
    const User& user = snapshot_user.user;
    UpsertUser change;
    change.user.external_id = std::string(user.external_id);
    change.user.target_id = std::string(snapshot_user.id);
    change.user.user_name = std::string(user.user_name);
    change.user.hashes = HashUserAttributes(user, user.roles);
    change.user.active = user.active;
    for (const Role& role : user.roles) change.user.roles.emplace_back(role.value);
    external_id_of_.emplace(ids_.Copy(snapshot_user.id), ids_.Copy(user.external_id));
    ++users_;
    return Apply(change, 1);
  }

  Status AddGroup(const SnapshotGroup& group) {
    SCIMFLOW_RETURN_IF_ERROR(
        Apply(UpsertGroup{GroupState{std::string(group.external_id), std::string(group.id),
                                     std::string(group.display_name)}},
              1));
    AddMembers members;
    members.group_external_id = std::string(group.external_id);
    for (std::string_view member_id : group.member_ids) {
      const auto found = external_id_of_.find(member_id);
      if (found == external_id_of_.end()) {
        return InvalidInputAt(
            group.origin.file, group.origin.line,
            fmt::format("group member id \"{}\" is not a user of the snapshot", member_id));
      }
      members.user_external_ids.emplace_back(found->second);
    }
    ++groups_;
    memberships_ += members.user_external_ids.size();
    const size_t rows = members.user_external_ids.size();
    return Apply(std::move(members), rows);
  }

  // Applies `change` (worth `rows` rows) inside the open transaction, opening one if needed.
  Status Apply(const StateChange& change, size_t rows) {
    SqliteDb& db = journal_->db();
    if (!db.in_transaction()) SCIMFLOW_RETURN_IF_ERROR(db.Begin());
    SCIMFLOW_RETURN_IF_ERROR(journal_->state().Apply(change));
    rows_in_transaction_ += rows;
    if (rows_in_transaction_ >= kRowsPerTransaction) return CommitIfOpen();
    return Status::Ok();
  }

  Status CommitIfOpen() {
    rows_in_transaction_ = 0;
    SqliteDb& db = journal_->db();
    return db.in_transaction() ? db.Commit() : Status::Ok();
  }

  Journal* journal_;
  Arena ids_;  // Owns the strings of external_id_of_.
  std::unordered_map<std::string_view, std::string_view> external_id_of_;
  size_t rows_in_transaction_ = 0;
  uint64_t users_ = 0;
  uint64_t groups_ = 0;
  uint64_t memberships_ = 0;
};

struct ImportCounts {
  uint64_t users = 0;
  uint64_t groups = 0;
  uint64_t memberships = 0;
};

Result<ImportCounts> Import(const ImportFlags& flags) {
  SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<Journal> journal,
                            Journal::Open(flags.state, flags.target, flags.profile,
                                          /*plan_digest=*/"", JournalOptions()));
  SCIMFLOW_ASSIGN_OR_RETURN(const int64_t existing, journal->state().CountUsers());
  if (existing != 0) {
    return InvalidArgument(fmt::format("{}: already holds {} users; import into a new database",
                                       flags.state, existing));
  }
  SCIMFLOW_RETURN_IF_ERROR(
      journal->db().Exec(fmt::format("PRAGMA cache_size = -{}", kImportCacheKib)));
  Importer importer(journal.get());
  EngineOptions options;
  options.max_line_bytes = std::max(options.max_line_bytes, kSnapshotLineBytes);
  Status failed;
  SCIMFLOW_RETURN_IF_ERROR(ReadSnapshotFile(flags.snapshot, options, [&](SnapshotChunk& chunk) {
    if (failed.ok()) failed = importer.AddChunk(chunk);
  }));
  if (!failed.ok()) {
    journal->db().Rollback();
    return failed;
  }
  SCIMFLOW_RETURN_IF_ERROR(importer.Finish());
  return ImportCounts{importer.users(), importer.groups(), importer.memberships()};
}

ExitCode RunImport(const ImportFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  const Result<ImportCounts> counts = Import(flags);
  if (!counts.ok()) {
    std::fprintf(stderr, "scimflow state import: %s\n", counts.status().message().c_str());
    return ExitCode::kUsage;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "scimflow state import: %llu users, %llu groups, %llu memberships into %s in "
               "%.2f s\n",
               static_cast<unsigned long long>(counts->users),
               static_cast<unsigned long long>(counts->groups),
               static_cast<unsigned long long>(counts->memberships), flags.state.c_str(), seconds);
  return ExitCode::kSuccess;
}

}  // namespace

ExitCode RunState(int argc, char** argv) {
  CLI::App app{"Maintain a state database (docs/state-format.md).", "scimflow state"};
  app.require_subcommand(1);
  ImportFlags flags;
  CLI::App* import = app.add_subcommand(
      "import", "build a new state database from a snapshot, as if apply had created it all");
  import->add_option("--snapshot", flags.snapshot, "snapshot file (docs/snapshot-format.md)")
      ->required();
  import->add_option("--state", flags.state, "state database to create")->required();
  import->add_option("--target", flags.target, "the target URL the database belongs to")
      ->required();
  import->add_option("--profile", flags.profile, "target profile")
      ->check(CLI::IsMember({"github-emu", "ghes", "generic"}))
      ->capture_default_str();
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  return RunImport(flags);
}

}  // namespace scimflow
