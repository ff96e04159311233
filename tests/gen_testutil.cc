#include "tests/gen_testutil.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace scimflow::testing_gen {
namespace fs = std::filesystem;
namespace dom = simdjson::dom;

TempDir::TempDir(const std::string& name) {
  path_ = (fs::path(::testing::TempDir()) / ("scimflow_" + name + "_" + std::to_string(::getpid())))
              .string();
  fs::remove_all(path_);
  fs::create_directories(path_);
}
TempDir::~TempDir() {
  std::error_code error;
  fs::remove_all(path_, error);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<std::vector<std::vector<std::string>>> ParseCsvStrict(const std::string& text,
                                                                    std::string* error) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    *error = "invalid UTF-8";
    return std::nullopt;
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t line = 1;
  size_t record_line = 1;  // where the current record starts: errors name it
  size_t position = 0;
  auto fail = [&](const std::string& reason) {
    *error = "line " + std::to_string(record_line) + ": " + reason;
    return std::nullopt;
  };
  while (position < text.size()) {
    field.clear();
    if (text[position] == '"') {
      ++position;
      while (true) {
        if (position >= text.size()) return fail("unbalanced quote");
        if (text[position] == '"') {
          if (position + 1 < text.size() && text[position + 1] == '"') {
            field.push_back('"');
            position += 2;
            continue;
          }
          ++position;
          break;
        }
        if (text[position] == '\n') ++line;
        field.push_back(text[position++]);
      }
      if (position < text.size() && text[position] != ',' && text[position] != '\n' &&
          text[position] != '\r') {
        return fail("text after closing quote");
      }
    } else {
      while (position < text.size() && text[position] != ',' && text[position] != '\n' &&
             text[position] != '\r') {
        if (text[position] == '"') return fail("quote in unquoted field");
        field.push_back(text[position++]);
      }
    }
    row.push_back(field);
    if (position < text.size() && text[position] == ',') {
      ++position;
      if (position == text.size()) return fail("record ends with a comma");
      continue;
    }
    if (position < text.size() && text[position] == '\r') ++position;
    if (position < text.size() && text[position] != '\n') return fail("stray carriage return");
    ++position;
    if (!rows.empty() && row.size() != rows.front().size()) {
      return fail("expected " + std::to_string(rows.front().size()) + " columns, got " +
                  std::to_string(row.size()));
    }
    rows.push_back(std::move(row));
    row.clear();
    record_line = ++line;
  }
  if (!text.empty() && text.back() != '\n') {
    record_line = line - 1;
    return fail("last record has no line end");
  }
  return rows;
}

bool TestUser::SameProfile(const TestUser& other) const {
  return given == other.given && family == other.family && formatted == other.formatted &&
         middle == other.middle && display_name == other.display_name && email == other.email &&
         email_type == other.email_type && email_primary == other.email_primary;
}

namespace {

std::string Str(dom::element element, const char* key) {
  std::string_view value;
  if (element[key].get_string().get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

// A SCIM User object (IdP export or snapshot line).
TestUser ScimUser(dom::element element) {
  TestUser user;
  user.id = Str(element, "id");
  user.external_id = Str(element, "externalId");
  user.user_name = Str(element, "userName");
  dom::element name;
  if (element["name"].get(name) == simdjson::SUCCESS) {
    user.given = Str(name, "givenName");
    user.family = Str(name, "familyName");
    user.formatted = Str(name, "formatted");
    user.middle = Str(name, "middleName");
  }
  user.display_name = Str(element, "displayName");
  dom::array emails;
  if (element["emails"].get(emails) == simdjson::SUCCESS && emails.size() > 0) {
    dom::element first = emails.at(0);
    user.email = Str(first, "value");
    user.email_type = Str(first, "type");
    bool primary = false;
    user.email_primary = first["primary"].get(primary) == simdjson::SUCCESS && primary;
  }
  dom::array roles;
  if (element["roles"].get(roles) == simdjson::SUCCESS) {
    for (dom::element role : roles) user.roles.insert(Str(role, "value"));
  }
  bool active = false;
  user.active = element["active"].get(active) == simdjson::SUCCESS && active;
  return user;
}

TestUser OktaUser(dom::element element) {
  TestUser user;
  user.external_id = Str(element, "id");
  user.active = Str(element, "status") == "ACTIVE";
  dom::element profile = element["profile"];
  user.user_name = Str(profile, "login");
  user.given = Str(profile, "firstName");
  user.family = Str(profile, "lastName");
  user.email = Str(profile, "email");
  user.email_type = "work";
  user.email_primary = true;
  user.display_name = Str(profile, "displayName");
  return user;
}

std::set<std::string> SplitRoles(const std::string& text) {
  std::set<std::string> roles;
  std::stringstream stream(text);
  std::string role;
  while (std::getline(stream, role, ';')) {
    if (!role.empty()) roles.insert(role);
  }
  return roles;
}

// Calls `each` for every JSON document of an NDJSON file or every element of a JSON array.
bool ForEachJson(const std::string& path, bool array, const std::function<void(dom::element)>& each,
                 std::string* error) {
  dom::parser parser;
  if (array) {
    dom::element root;
    dom::array elements;
    if (parser.load(path).get(root) != simdjson::SUCCESS ||
        root.get(elements) != simdjson::SUCCESS) {
      *error = path + ": not a JSON array";
      return false;
    }
    for (dom::element element : elements) each(element);
    return true;
  }
  std::stringstream lines(ReadFile(path));
  std::string line;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    dom::element element;
    if (parser.parse(line).get(element) != simdjson::SUCCESS) {
      *error = path + ":" + std::to_string(number) + ": malformed JSON";
      return false;
    }
    each(element);
  }
  return true;
}

// The rows of a CSV file as header-name → value maps.
bool ForEachCsv(const std::string& path,
                const std::function<void(std::map<std::string, std::string>&)>& each,
                std::string* error) {
  std::string reason;
  const auto rows = ParseCsvStrict(ReadFile(path), &reason);
  if (!rows || rows->empty()) {
    *error = path + ": " + (rows ? "no header" : reason);
    return false;
  }
  for (size_t index = 1; index < rows->size(); ++index) {
    std::map<std::string, std::string> record;
    for (size_t column = 0; column < rows->front().size(); ++column) {
      record[rows->front()[column]] = (*rows)[index][column];
    }
    each(record);
  }
  return true;
}

void ReadUsers(const std::string& dir, TestDay* day) {
  auto add = [day](TestUser user) {
    day->user_order.push_back(user.external_id);
    if (!day->users.emplace(user.external_id, user).second)
      day->error = "duplicate user " + user.external_id;
  };
  if (fs::exists(dir + "/users.csv")) {
    ForEachCsv(
        dir + "/users.csv",
        [&](std::map<std::string, std::string>& row) {
          TestUser user;
          user.external_id = row["externalId"];
          user.user_name = row["userName"];
          user.given = row["givenName"];
          user.family = row["familyName"];
          user.middle = row["middleName"];
          user.formatted = row["formatted"];
          user.display_name = row["displayName"];
          user.email = row["email"];
          user.email_type = "work";
          user.email_primary = true;
          user.active = row["active"] != "false";
          user.roles = SplitRoles(row["roles"]);
          add(user);
        },
        &day->error);
    return;
  }
  const struct {
    const char* name;
    bool array;
    bool okta;
  } kFiles[] = {{"users.ndjson", false, false},
                {"users.json", true, false},
                {"users.okta.json", true, true},
                {"users.okta.ndjson", false, true}};
  for (const auto& file : kFiles) {
    if (!fs::exists(dir + "/" + file.name)) continue;
    ForEachJson(
        dir + "/" + file.name, file.array,
        [&](dom::element element) { add(file.okta ? OktaUser(element) : ScimUser(element)); },
        &day->error);
    return;
  }
  day->error = dir + ": no users file";
}

void ReadGroupsAndAssignments(const std::string& dir, TestDay* day) {
  if (fs::exists(dir + "/groups.csv")) {
    ForEachCsv(
        dir + "/groups.csv",
        [&](std::map<std::string, std::string>& row) {
          TestGroup& group = day->groups[row["groupExternalId"]];
          group.external_id = row["groupExternalId"];
          group.display_name = row["groupDisplayName"];
          if (!row["userExternalId"].empty()) group.members.insert(row["userExternalId"]);
        },
        &day->error);
  } else {
    ForEachJson(
        dir + "/groups.ndjson", false,
        [&](dom::element element) {
          TestGroup group;
          group.external_id = Str(element, "externalId");
          group.display_name = Str(element, "displayName");
          for (dom::element member : dom::array(element["members"])) {
            group.members.insert(std::string(std::string_view(member)));
          }
          day->groups[group.external_id] = group;
        },
        &day->error);
  }
  if (fs::exists(dir + "/assignments.csv")) {
    ForEachCsv(
        dir + "/assignments.csv",
        [&](std::map<std::string, std::string>& row) {
          day->assignments[row["externalId"]] = SplitRoles(row["roles"]);
        },
        &day->error);
  } else {
    ForEachJson(
        dir + "/assignments.ndjson", false,
        [&](dom::element element) {
          std::set<std::string> roles;
          for (dom::element role : dom::array(element["roles"]))
            roles.insert(std::string(std::string_view(role)));
          day->assignments[Str(element, "externalId")] = roles;
        },
        &day->error);
  }
}

uint64_t Chunks(uint64_t count, uint64_t per_patch) { return (count + per_patch - 1) / per_patch; }

}  // namespace

TestDay ReadExport(const std::string& dir) {
  TestDay day;
  ReadUsers(dir, &day);
  if (day.error.empty()) ReadGroupsAndAssignments(dir, &day);
  return day;
}

TestSnapshot ReadSnapshot(const std::string& path) {
  TestSnapshot snapshot;
  std::map<std::string, std::string> external_by_id;
  std::vector<TestGroup> groups;
  ForEachJson(
      path, false,
      [&](dom::element element) {
        const std::string schema{std::string_view(dom::array(element["schemas"]).at(0))};
        if (schema == "urn:ietf:params:scim:schemas:core:2.0:User") {
          TestUser user = ScimUser(element);
          external_by_id[user.id] = user.external_id;
          snapshot.users[user.external_id] = user;
          return;
        }
        TestGroup group;
        group.id = Str(element, "id");
        group.external_id = Str(element, "externalId");
        group.display_name = Str(element, "displayName");
        for (dom::element member : dom::array(element["members"]))
          group.members.insert(Str(member, "value"));
        groups.push_back(group);
      },
      &snapshot.error);
  for (TestGroup& group : groups) {
    std::set<std::string> members;
    for (const std::string& id : group.members) {
      if (!external_by_id.count(id))
        snapshot.error = "group member id " + id + " is no snapshot user";
      members.insert(external_by_id[id]);
    }
    group.members = members;
    snapshot.groups[group.external_id] = group;
  }
  return snapshot;
}

TestCounts PlanCounts(const TestDay& day, const TestSnapshot& snapshot, uint64_t per_patch) {
  TestCounts counts;
  for (const char* kind : {"user.create", "user.update", "user.roles", "user.deactivate",
                           "user.reactivate", "group.create", "group.rename",
                           "group.members.remove", "group.members.add", "group.delete"}) {
    counts.operations[kind] = 0;
  }
  auto provisioned = [&](const std::string& external_id) {
    const auto user = day.users.find(external_id);
    return user != day.users.end() && user->second.active && day.assignments.count(external_id) > 0;
  };
  for (const auto& [external_id, user] : day.users) {
    const auto target = snapshot.users.find(external_id);
    const bool wanted = provisioned(external_id);
    if (target == snapshot.users.end()) {
      counts.operations["user.create"] += wanted;
      continue;
    }
    if (!target->second.active) {
      counts.operations["user.reactivate"] += wanted;
      continue;
    }
    if (!wanted) {
      ++counts.operations["user.deactivate"];
      continue;
    }
    if (user.user_name != target->second.user_name) ++counts.conflicts;
    const std::set<std::string>& roles = day.assignments.at(external_id);
    if (!user.SameProfile(target->second)) {
      ++counts.operations["user.update"];
    } else if (roles != target->second.roles) {
      ++counts.operations["user.roles"];
    }
  }
  for (const auto& [external_id, target] : snapshot.users) {
    if (target.active && !day.users.count(external_id)) ++counts.operations["user.deactivate"];
  }
  for (const auto& [external_id, group] : day.groups) {
    const auto target = snapshot.groups.find(external_id);
    uint64_t adds = 0;
    uint64_t removes = 0;
    if (target == snapshot.groups.end()) {
      ++counts.operations["group.create"];
      for (const std::string& member : group.members) adds += provisioned(member);
    } else {
      counts.operations["group.rename"] += group.display_name != target->second.display_name;
      for (const std::string& member : target->second.members)
        removes += !group.members.count(member);
      for (const std::string& member : group.members) {
        adds += !target->second.members.count(member) && provisioned(member);
      }
    }
    counts.operations["group.members.add"] += Chunks(adds, per_patch);
    counts.operations["group.members.remove"] += Chunks(removes, per_patch);
    counts.members_added += adds;
    counts.members_removed += removes;
  }
  for (const auto& [external_id, group] : snapshot.groups) {
    if (!day.groups.count(external_id)) ++counts.operations["group.delete"];
  }
  for (const auto& [kind, count] : counts.operations) counts.total += count;
  return counts;
}

TestCounts ReadExpected(const std::string& path, std::string* error) {
  TestCounts counts;
  dom::parser parser;
  dom::element root;
  if (parser.load(path).get(root) != simdjson::SUCCESS) {
    *error = path + ": malformed JSON";
    return counts;
  }
  for (auto field : dom::object(root["operations"])) {
    counts.operations[std::string(field.key)] = uint64_t(field.value);
  }
  counts.total = uint64_t(root["total"]);
  counts.members_added = uint64_t(root["members_added"]);
  counts.members_removed = uint64_t(root["members_removed"]);
  return counts;
}

CommandResult RunCommand(const std::string& command) {
  const std::string base = ::testing::TempDir() + "/scimflow_cmd_" + std::to_string(::getpid());
  const int status = std::system((command + " >" + base + ".out 2>" + base + ".err").c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return result;
}

int ScimflowToLog(const std::string& arguments, const std::string& log, const std::string& dir) {
  std::string command;
  if (!dir.empty()) command = "cd '" + dir + "' && ";
  command += std::string(SCIMFLOW_BINARY) + " " + arguments + " >'" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace scimflow::testing_gen
