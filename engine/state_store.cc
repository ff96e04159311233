#include "engine/state_store.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <charconv>

#include "io/json_writer.h"

namespace scimflow {
namespace {

// Rows of a multi-row user upsert (ApplyAll): enough to spread a statement's fixed cost over
// many rows, 320 parameters, well under SQLite's limit of 32766.
constexpr size_t kUsersPerStatement = 32;
constexpr int kUserColumnCount = 10;

constexpr std::string_view kUserColumns =
    "external_id, target_id, user_name, content_hash, name_hash, display_name_hash, emails_hash, "
    "roles_hash, active, roles";

// A hash as 16 lower-case hex digits, the text of the *_hash columns.
using HexHash = std::array<char, 16>;

HexHash HashToHex(uint64_t hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  HexHash hex;
  for (size_t position = hex.size(); position-- > 0; hash >>= 4) hex[position] = kDigits[hash & 15];
  return hex;
}

std::string_view View(const HexHash& hex) { return std::string_view(hex.data(), hex.size()); }

std::optional<uint64_t> HexToHash(std::string_view hex) {
  uint64_t hash = 0;
  const auto [ptr, error] = std::from_chars(hex.data(), hex.data() + hex.size(), hash, 16);
  if (error != std::errc() || ptr != hex.data() + hex.size()) return std::nullopt;
  return hash;
}

std::string RolesToJson(const std::vector<std::string>& roles) {
  std::string json;
  JsonWriter writer(&json);
  writer.BeginArray();
  for (const std::string& role : roles) writer.String(role);
  writer.EndArray();
  return json;
}

// Reads the roles column back. The column is written only by RolesToJson, so anything else is
// corruption (someone edited the database by hand).
Result<std::vector<std::string>> RolesFromJson(std::string_view json, std::string_view user) {
  const auto corrupt = [&] {
    return Status(StatusCode::kDataLoss,
                  fmt::format("users.roles of \"{}\" is not a JSON array of strings", user));
  };
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::ondemand::document document;
  simdjson::ondemand::array array;
  if (parser.iterate(padded).get(document) || document.get_array().get(array)) return corrupt();
  std::vector<std::string> roles;
  for (auto element : array) {
    std::string_view role;
    if (element.get_string().get(role)) return corrupt();
    roles.emplace_back(role);
  }
  return roles;
}

// The upsert of users rows: `rows` rows of parameters ?1..?10, ?11..?20, ...
std::string UpsertUsersSql(size_t rows) {
  std::string sql = fmt::format("INSERT INTO users({}) VALUES ", kUserColumns);
  sql += ValuesPlaceholders(rows, kUserColumnCount);
  sql +=
      " ON CONFLICT(external_id) DO UPDATE SET target_id = excluded.target_id, "
      "user_name = excluded.user_name, content_hash = excluded.content_hash, "
      "name_hash = excluded.name_hash, display_name_hash = excluded.display_name_hash, "
      "emails_hash = excluded.emails_hash, roles_hash = excluded.roles_hash, "
      "active = excluded.active, roles = excluded.roles";
  return sql;
}

// The texts of one users row that are not in its UserState, kept until the row's statement ran.
struct UserRowTexts {
  HexHash hashes[5];
  std::string roles;
};

// Binds `user` as the row starting at parameter `base` + 1. REQUIRES: `user` and `texts` outlive
// the statement's Run().
void BindUser(SqliteStatement& statement, int base, const UserState& user, UserRowTexts& texts) {
  const uint64_t hashes[] = {user.hashes.content, user.hashes.name, user.hashes.display_name,
                             user.hashes.emails, user.hashes.roles};
  for (int column = 0; column < 5; ++column) texts.hashes[column] = HashToHex(hashes[column]);
  texts.roles = RolesToJson(user.roles);
  statement.BindTextInPlace(base + 1, user.external_id);
  statement.BindTextInPlace(base + 2, user.target_id);
  statement.BindTextInPlace(base + 3, user.user_name);
  for (int column = 0; column < 5; ++column) {
    statement.BindTextInPlace(base + 4 + column, View(texts.hashes[column]));
  }
  statement.BindInt64(base + 9, user.active ? 1 : 0);
  statement.BindTextInPlace(base + 10, texts.roles);
}

}  // namespace

struct StateStore::Statements {
  SqliteStatement upsert_user, set_active, delete_user, delete_user_memberships;
  SqliteStatement upsert_group, delete_group, delete_group_memberships;
  SqliteStatement add_member, remove_member;
  SqliteStatement find_user, find_group, group_members, all_users, count_users;
  SqliteStatement upsert_users;  // kUsersPerStatement rows
  std::vector<UserRowTexts> user_texts = std::vector<UserRowTexts>(kUsersPerStatement);
};

StateStore::StateStore(SqliteDb* db) : db_(db) {}
StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::Create(SqliteDb* db) {
  std::unique_ptr<StateStore> store(new StateStore(db));
  const auto prepare = [db](std::string_view sql) { return db->Prepare(sql); };
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement upsert_user, prepare(UpsertUsersSql(1)));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement upsert_users,
                            prepare(UpsertUsersSql(kUsersPerStatement)));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement set_active,
                            prepare("UPDATE users SET active = ?2 WHERE external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement delete_user,
                            prepare("DELETE FROM users WHERE external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement delete_user_memberships,
                            prepare("DELETE FROM memberships WHERE user_external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement upsert_group,
      prepare("INSERT INTO \"groups\"(external_id, target_id, display_name) VALUES(?1, ?2, ?3) "
              "ON CONFLICT(external_id) DO UPDATE SET target_id = excluded.target_id, "
              "display_name = excluded.display_name"));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement delete_group,
                            prepare("DELETE FROM \"groups\" WHERE external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement delete_group_memberships,
                            prepare("DELETE FROM memberships WHERE group_external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement add_member,
      prepare("INSERT OR IGNORE INTO memberships(group_external_id, user_external_id) "
              "VALUES(?1, ?2)"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement remove_member,
      prepare("DELETE FROM memberships WHERE group_external_id = ?1 AND user_external_id = ?2"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement find_user,
      prepare(fmt::format("SELECT {} FROM users WHERE external_id = ?1", kUserColumns)));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement find_group,
                            prepare("SELECT external_id, target_id, display_name FROM \"groups\" "
                                    "WHERE external_id = ?1"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement group_members,
      prepare("SELECT user_external_id FROM memberships WHERE group_external_id = ?1 "
              "ORDER BY user_external_id"));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement all_users,
      prepare(fmt::format("SELECT {} FROM users ORDER BY external_id", kUserColumns)));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement count_users, prepare("SELECT count(*) FROM users"));
  store->statements_.reset(new Statements{
      std::move(upsert_user), std::move(set_active), std::move(delete_user),
      std::move(delete_user_memberships), std::move(upsert_group), std::move(delete_group),
      std::move(delete_group_memberships), std::move(add_member), std::move(remove_member),
      std::move(find_user), std::move(find_group), std::move(group_members), std::move(all_users),
      std::move(count_users), std::move(upsert_users)});
  return store;
}

Status StateStore::ApplyMembers(const std::string& group, const std::vector<std::string>& users,
                                SqliteStatement& statement) {
  for (const std::string& user : users) {
    statement.BindText(1, group);
    statement.BindText(2, user);
    SCIMFLOW_RETURN_IF_ERROR(statement.Run());
  }
  return Status::Ok();
}

Status StateStore::Apply(const StateChange& change) {
  Statements& sql = *statements_;
  if (const auto* upsert = std::get_if<UpsertUser>(&change)) {
    const UserState* user = &upsert->user;
    return UpsertUsers(std::span<const UserState* const>(&user, 1));
  }
  if (const auto* set_active = std::get_if<SetUserActive>(&change)) {
    sql.set_active.BindText(1, set_active->external_id);
    sql.set_active.BindInt64(2, set_active->active ? 1 : 0);
    return sql.set_active.Run();
  }
  if (const auto* remove = std::get_if<DeleteUser>(&change)) {
    sql.delete_user_memberships.BindText(1, remove->external_id);
    SCIMFLOW_RETURN_IF_ERROR(sql.delete_user_memberships.Run());
    sql.delete_user.BindText(1, remove->external_id);
    return sql.delete_user.Run();
  }
  if (const auto* upsert = std::get_if<UpsertGroup>(&change)) {
    sql.upsert_group.BindText(1, upsert->group.external_id);
    sql.upsert_group.BindText(2, upsert->group.target_id);
    sql.upsert_group.BindText(3, upsert->group.display_name);
    return sql.upsert_group.Run();
  }
  if (const auto* remove = std::get_if<DeleteGroup>(&change)) {
    sql.delete_group_memberships.BindText(1, remove->external_id);
    SCIMFLOW_RETURN_IF_ERROR(sql.delete_group_memberships.Run());
    sql.delete_group.BindText(1, remove->external_id);
    return sql.delete_group.Run();
  }
  if (const auto* add = std::get_if<AddMembers>(&change)) {
    return ApplyMembers(add->group_external_id, add->user_external_ids, sql.add_member);
  }
  const auto& remove = std::get<RemoveMembers>(change);
  return ApplyMembers(remove.group_external_id, remove.user_external_ids, sql.remove_member);
}

Status StateStore::UpsertUsers(std::span<const UserState* const> users) {
  Statements& sql = *statements_;
  // Texts are bound in place (the hashes and roles in `user_texts`, one per row of a statement,
  // which outlive the Run()), which spares SQLite a copy of each.
  return RunRows(sql.upsert_users, sql.upsert_user, kUsersPerStatement, kUserColumnCount,
                 users.size(), [&](SqliteStatement& statement, int base, size_t row) {
                   BindUser(statement, base, *users[row], sql.user_texts[base / kUserColumnCount]);
                 });
}

Status StateStore::ApplyAll(std::span<const StateChange* const> changes) {
  // A run of user upserts waits here until another change comes, which is applied after it: the
  // order of the changes is kept.
  std::vector<const UserState*> users;
  for (const StateChange* change : changes) {
    if (const auto* upsert = std::get_if<UpsertUser>(change)) {
      users.push_back(&upsert->user);
      continue;
    }
    SCIMFLOW_RETURN_IF_ERROR(UpsertUsers(users));
    users.clear();
    SCIMFLOW_RETURN_IF_ERROR(Apply(*change));
  }
  return UpsertUsers(users);
}

Result<UserState> StateStore::ReadUser(SqliteStatement& statement) {
  UserState user;
  user.external_id = std::string(statement.ColumnText(0));
  user.target_id = std::string(statement.ColumnText(1));
  user.user_name = std::string(statement.ColumnText(2));
  const std::pair<std::string_view, uint64_t*> hash_columns[] = {
      {"content_hash", &user.hashes.content},
      {"name_hash", &user.hashes.name},
      {"display_name_hash", &user.hashes.display_name},
      {"emails_hash", &user.hashes.emails},
      {"roles_hash", &user.hashes.roles}};
  int column = 3;
  for (const auto& [name, hash] : hash_columns) {
    const std::optional<uint64_t> value = HexToHash(statement.ColumnText(column++));
    if (!value) {
      return Status(StatusCode::kDataLoss,
                    fmt::format("{}: users.{} of \"{}\" is not 16 hex digits", db_->path(), name,
                                user.external_id));
    }
    *hash = *value;
  }
  user.active = statement.ColumnInt64(column++) != 0;
  SCIMFLOW_ASSIGN_OR_RETURN(user.roles,
                            RolesFromJson(statement.ColumnText(column), user.external_id));
  return user;
}

Result<std::optional<UserState>> StateStore::FindUser(std::string_view external_id) {
  SqliteStatement& statement = statements_->find_user;
  statement.BindText(1, external_id);
  Result<bool> row = statement.Step();
  std::optional<UserState> found;
  if (row.ok() && *row) {
    Result<UserState> user = ReadUser(statement);
    if (!user.ok()) row = user.status();
    if (user.ok()) found = std::move(user).value();
  }
  statement.Reset();
  if (!row.ok()) return row.status();
  return found;
}

Result<std::optional<GroupState>> StateStore::FindGroup(std::string_view external_id) {
  SqliteStatement& statement = statements_->find_group;
  statement.BindText(1, external_id);
  Result<bool> row = statement.Step();
  std::optional<GroupState> found;
  if (row.ok() && *row) {
    found = GroupState{std::string(statement.ColumnText(0)), std::string(statement.ColumnText(1)),
                       std::string(statement.ColumnText(2))};
  }
  statement.Reset();
  if (!row.ok()) return row.status();
  return found;
}

Result<std::vector<std::string>> StateStore::GroupMembers(std::string_view group_external_id) {
  SqliteStatement& statement = statements_->group_members;
  statement.BindText(1, group_external_id);
  std::vector<std::string> members;
  while (true) {
    Result<bool> row = statement.Step();
    if (!row.ok() || !*row) {
      statement.Reset();
      if (!row.ok()) return row.status();
      return members;
    }
    members.emplace_back(statement.ColumnText(0));
  }
}

Status StateStore::ForEachUser(const std::function<Status(const UserState&)>& visit) {
  SqliteStatement& statement = statements_->all_users;
  Status status;
  while (status.ok()) {
    Result<bool> row = statement.Step();
    if (!row.ok()) status = row.status();
    if (!row.ok() || !*row) break;
    Result<UserState> user = ReadUser(statement);
    status = user.ok() ? visit(*user) : user.status();
  }
  statement.Reset();
  return status;
}

Result<int64_t> StateStore::CountUsers() {
  SqliteStatement& statement = statements_->count_users;
  Result<bool> row = statement.Step();
  const int64_t count = row.ok() && *row ? statement.ColumnInt64(0) : 0;
  statement.Reset();
  if (!row.ok()) return row.status();
  return count;
}

Status StateStore::ForEachUserRow(const std::function<Status(const UserRowView&)>& visit) {
  // No ORDER BY: a sequential scan of the table. In a database of schema version 2 (rowid tables)
  // ordering by externalId would walk the primary-key index, a random row lookup per user (5
  // times slower at 10^6 users).
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement statement,
      db_->Prepare("SELECT external_id, target_id, user_name, content_hash, name_hash, "
                   "display_name_hash, emails_hash, roles_hash, active FROM users"));
  while (true) {
    SCIMFLOW_ASSIGN_OR_RETURN(const bool has_row, statement.Step());
    if (!has_row) return Status::Ok();
    UserRowView row;
    row.external_id = statement.ColumnText(0);
    row.target_id = statement.ColumnText(1);
    row.user_name = statement.ColumnText(2);
    uint64_t* const hashes[] = {&row.hashes.content, &row.hashes.name, &row.hashes.display_name,
                                &row.hashes.emails, &row.hashes.roles};
    static constexpr std::string_view kNames[] = {"content_hash", "name_hash", "display_name_hash",
                                                  "emails_hash", "roles_hash"};
    for (int index = 0; index < 5; ++index) {
      const std::optional<uint64_t> value = HexToHash(statement.ColumnText(3 + index));
      if (!value) {
        return Status(StatusCode::kDataLoss,
                      fmt::format("{}: users.{} of \"{}\" is not 16 hex digits", db_->path(),
                                  kNames[index], row.external_id));
      }
      *hashes[index] = *value;
    }
    row.active = statement.ColumnInt64(8) != 0;
    SCIMFLOW_RETURN_IF_ERROR(visit(row));
  }
}

Status StateStore::ForEachGroupWithMembers(
    const std::function<Status(const GroupState&, std::span<const std::string_view>)>& visit) {
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement groups,
                            db_->Prepare("SELECT external_id, target_id, display_name "
                                         "FROM \"groups\" ORDER BY external_id"));
  // The primary key's order: a scan of the WITHOUT ROWID table itself, no sort.
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement members,
                            db_->Prepare("SELECT group_external_id, user_external_id "
                                         "FROM memberships ORDER BY group_external_id, "
                                         "user_external_id"));
  SCIMFLOW_ASSIGN_OR_RETURN(bool member_row, members.Step());
  // One group's members, copied out of the cursor (its buffer changes with every step).
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> ranges;
  std::vector<std::string_view> views;
  GroupState group;
  while (true) {
    SCIMFLOW_ASSIGN_OR_RETURN(const bool has_group, groups.Step());
    if (!has_group) return Status::Ok();
    group.external_id.assign(groups.ColumnText(0));
    group.target_id.assign(groups.ColumnText(1));
    group.display_name.assign(groups.ColumnText(2));
    bytes.clear();
    ranges.clear();
    // Skips memberships of groups without a row, then takes this group's.
    while (member_row && members.ColumnText(0) < std::string_view(group.external_id)) {
      SCIMFLOW_ASSIGN_OR_RETURN(member_row, members.Step());
    }
    while (member_row && members.ColumnText(0) == std::string_view(group.external_id)) {
      const std::string_view user = members.ColumnText(1);
      ranges.emplace_back(bytes.size(), user.size());
      bytes.append(user);
      SCIMFLOW_ASSIGN_OR_RETURN(member_row, members.Step());
    }
    views.clear();
    for (const auto& [offset, length] : ranges) views.emplace_back(bytes.data() + offset, length);
    SCIMFLOW_RETURN_IF_ERROR(visit(group, views));
  }
}

}  // namespace scimflow
