// StateStore: what the engine knows the target holds, kept in the state database next to the
// journal: externalId → {target id, userName, content hash, active, roles} for users,
// externalId → {target id, displayName} for groups, and group memberships by externalId. It is
// the fast path for nightly runs (`plan --state`), and it is changed only together with the
// journal row of the operation that changed the target (Journal::Flush applies StateChanges in
// the same transaction), so the two never disagree.
//
// Ownership: borrows the SqliteDb, which must outlive the store.
// Thread-safety: none; used by the thread that owns the database (the journal's serial node).
#ifndef SCIMFLOW_ENGINE_STATE_STORE_H_
#define SCIMFLOW_ENGINE_STATE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/content_hash.h"
#include "engine/status.h"
#include "io/sqlite_db.h"

namespace scimflow {

struct UserState {
  std::string external_id;
  std::string target_id;
  std::string user_name;
  // Hashes of the attributes as sent (engine/content_hash.h), each stored as 16 lower-case hex
  // digits, so `plan --state` can tell which attributes changed without the documents.
  AttributeHashes hashes;
  bool active = true;
  std::vector<std::string> roles;  // stored as a JSON array of strings, in this order

  friend bool operator==(const UserState&, const UserState&) = default;
};

struct GroupState {
  std::string external_id;
  std::string target_id;
  std::string display_name;

  friend bool operator==(const GroupState&, const GroupState&) = default;
};

// One users row as the streaming reader hands it over. The views point into SQLite's row buffer
// and are valid only during the visit that receives them.
struct UserRowView {
  std::string_view external_id;
  std::string_view target_id;
  std::string_view user_name;
  AttributeHashes hashes;
  bool active = true;
};

// The changes an applied operation makes to the state.
struct UpsertUser {
  UserState user;  // created or adopted user, or a profile update: the whole row
};
struct SetUserActive {
  std::string external_id;
  bool active = true;
};
struct DeleteUser {
  std::string external_id;  // also removes the user from every group
};
struct UpsertGroup {
  GroupState group;
};
struct DeleteGroup {
  std::string external_id;  // also removes the group's memberships
};
struct AddMembers {
  std::string group_external_id;
  std::vector<std::string> user_external_ids;  // already present ones are no-ops
};
struct RemoveMembers {
  std::string group_external_id;
  std::vector<std::string> user_external_ids;  // absent ones are no-ops
};
using StateChange = std::variant<UpsertUser, SetUserActive, DeleteUser, UpsertGroup, DeleteGroup,
                                 AddMembers, RemoveMembers>;

class StateStore {
 public:
  // Prepares the statements. REQUIRES: the schema exists (Journal::Open creates it).
  // Errors: kInternal when the schema is missing or different.
  static Result<std::unique_ptr<StateStore>> Create(SqliteDb* db);
  ~StateStore();

  // Applies one change. REQUIRES: inside a transaction of the same database, so the change
  // commits or rolls back with its journal row. Errors: the database's (see sqlite_db.h).
  Status Apply(const StateChange& change);
  // Applies `changes` in order, as Apply() of each would. Runs of user upserts are written
  // several rows per statement, which spares SQLite the start and end of a statement per row.
  // REQUIRES: as Apply(); the changes outlive the call.
  Status ApplyAll(std::span<const StateChange* const> changes);

  Result<std::optional<UserState>> FindUser(std::string_view external_id);
  Result<std::optional<GroupState>> FindGroup(std::string_view external_id);
  // Members of a group by user externalId, in byte order.
  Result<std::vector<std::string>> GroupMembers(std::string_view group_external_id);
  // Calls `visit` for every user in externalId byte order; stops at the first error it returns.
  Status ForEachUser(const std::function<Status(const UserState&)>& visit);
  Result<int64_t> CountUsers();

  // ---- Streaming reads for `plan --state` (nothing is copied beyond the row being visited) ----

  // Calls `visit` for every users row in storage order (externalId byte order; in a database of
  // schema version 2, not yet migrated, the order rows were first inserted), without the roles
  // column (the roles hash stands for it); stops at the first error it returns.
  // Errors: the database's; kDataLoss when a hash column is not 16 hex digits.
  Status ForEachUserRow(const std::function<Status(const UserRowView&)>& visit);
  // Calls `visit` for every group in externalId byte order with its members (user externalIds,
  // in byte order; the views are valid during the visit only). Groups and memberships are read
  // by two cursors merged on the group's externalId, so no table is held in memory; memberships
  // of a group that has no groups row are skipped. Stops at the first error `visit` returns.
  Status ForEachGroupWithMembers(
      const std::function<Status(const GroupState&, std::span<const std::string_view>)>& visit);

 private:
  explicit StateStore(SqliteDb* db);
  Result<UserState> ReadUser(SqliteStatement& statement);
  Status ApplyMembers(const std::string& group, const std::vector<std::string>& users,
                      SqliteStatement& statement);
  // Writes `users`, kUsersPerStatement (state_store.cc) rows per statement while they fill one,
  // the rest one row at a time.
  Status UpsertUsers(std::span<const UserState* const> users);

  SqliteDb* db_;
  struct Statements;
  std::unique_ptr<Statements> statements_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_STATE_STORE_H_
