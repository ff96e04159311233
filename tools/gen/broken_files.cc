#include "tools/gen/broken_files.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/options.h"
#include "io/json_writer.h"

namespace scimflow {

namespace {

constexpr std::string_view kProfile = "github-emu";

struct ExpectedReject {
  uint64_t line;
  std::string reason;
};

struct BrokenFile {
  std::string name;
  std::string kind;    // users, groups
  std::string format;  // ndjson, csv
  std::string users;   // For a groups file: the users file its members come from.
  std::string content;
  uint64_t valid_records = 0;
  std::vector<ExpectedReject> rejects;
};

// A complete SCIM user line (with its newline) as an IdP export would hold it.
std::string UserLine(std::string_view external_id, std::string_view user_name,
                     std::string_view role = "user") {
  std::string line;
  JsonWriter writer(&line);
  writer.BeginObject()
      .Key("schemas")
      .BeginArray()
      .String("urn:ietf:params:scim:schemas:core:2.0:User")
      .EndArray()
      .Member("externalId", external_id)
      .Member("userName", user_name)
      .Key("name")
      .BeginObject()
      .Member("givenName", "Given")
      .Member("familyName", external_id)
      .EndObject()
      .Key("emails")
      .BeginArray()
      .BeginObject()
      .Member("value", user_name)
      .Member("type", "work")
      .Member("primary", true)
      .EndObject()
      .EndArray()
      .Key("roles")
      .BeginArray()
      .BeginObject()
      .Member("value", role)
      .Member("primary", true)
      .EndObject()
      .EndArray()
      .Member("active", true)
      .EndObject();
  line += '\n';
  return line;
}

std::string GroupLine(std::string_view external_id, std::vector<std::string_view> members) {
  std::string line;
  JsonWriter writer(&line);
  writer.BeginObject().Member("externalId", external_id).Member("displayName", external_id);
  writer.Key("members").BeginArray();
  for (std::string_view member : members) writer.String(member);
  writer.EndArray().EndObject();
  line += '\n';
  return line;
}

BrokenFile Ndjson(std::string name, uint64_t valid_records, std::vector<ExpectedReject> rejects) {
  return BrokenFile{std::move(name), "users", "ndjson", "", "", valid_records, std::move(rejects)};
}

// The NDJSON users files whose damage sits in one or two lines among valid ones.
std::vector<BrokenFile> UserNdjsonFiles() {
  std::vector<BrokenFile> files;
  BrokenFile malformed = Ndjson("users.malformed.ndjson", 3, {{3, "malformed JSON"}});
  malformed.content = UserLine("mal-1", "mal1@example.com") +
                      UserLine("mal-2", "mal2@example.com") +
                      "{\"externalId\":\"mal-3\" \"userName\":\"mal3@example.com\"}\n" +
                      UserLine("mal-4", "mal4@example.com");
  files.push_back(std::move(malformed));

  BrokenFile utf8 = Ndjson("users.invalid-utf8.ndjson", 2, {{2, "invalid UTF-8"}});
  utf8.content = UserLine("utf-1", "utf1@example.com") + UserLine("utf-2", "utf\xFF@example.com") +
                 UserLine("utf-3", "utf3@example.com");
  files.push_back(std::move(utf8));

  BrokenFile wrong_type = Ndjson("users.wrong-type.ndjson", 2,
                                 {{2, "wrong type for \"active\": expected boolean"},
                                  {3, "wrong type for \"userName\": expected string"}});
  wrong_type.content =
      UserLine("wt-1", "wt1@example.com") +
      "{\"externalId\":\"wt-2\",\"userName\":\"wt2@example.com\",\"active\":\"yes\"}\n" +
      "{\"externalId\":\"wt-3\",\"userName\":42,\"active\":true}\n" +
      UserLine("wt-4", "wt4@example.com");
  files.push_back(std::move(wrong_type));

  BrokenFile no_id = Ndjson("users.missing-externalid.ndjson", 2,
                            {{2, "missing required attribute \"externalId\""}});
  no_id.content = UserLine("mx-1", "mx1@example.com") +
                  "{\"userName\":\"mx2@example.com\",\"active\":true}\n" +
                  UserLine("mx-3", "mx3@example.com");
  files.push_back(std::move(no_id));

  BrokenFile no_name = Ndjson("users.missing-username.ndjson", 2,
                              {{2, "missing required attribute \"userName\""},
                               {3, "missing required attribute \"userName\""}});
  no_name.content = UserLine("mu-1", "mu1@example.com") +
                    "{\"externalId\":\"mu-2\",\"active\":true}\n" +
                    "{\"externalId\":\"mu-3\",\"userName\":\"\",\"active\":true}\n" +
                    UserLine("mu-4", "mu4@example.com");
  files.push_back(std::move(no_name));
  return files;
}

// Files whose damage is only visible across records or against the target profile.
std::vector<BrokenFile> CrossRecordFiles() {
  std::vector<BrokenFile> files;
  BrokenFile dup_id = Ndjson("users.duplicate-externalid.ndjson", 3,
                             {{4, "duplicate externalId \"dx-2\" (first at line 2)"}});
  dup_id.content = UserLine("dx-1", "dx1@example.com") + UserLine("dx-2", "dx2@example.com") +
                   UserLine("dx-3", "dx3@example.com") + UserLine("dx-2", "dx2-other@example.com");
  files.push_back(std::move(dup_id));

  BrokenFile dup_name =
      Ndjson("users.duplicate-username.ndjson", 2,
             {{3, "duplicate userName \"Ada.Lovelace@Example.com\" (first at line 1)"}});
  dup_name.content = UserLine("du-1", "ada.lovelace@example.com") +
                     UserLine("du-2", "grace.hopper@example.com") +
                     UserLine("du-3", "Ada.Lovelace@Example.com");
  files.push_back(std::move(dup_name));

  BrokenFile role =
      Ndjson("users.unknown-role.ndjson", 2,
             {{2, fmt::format("unknown role \"superuser\" for profile {}", kProfile)}});
  role.content = UserLine("ro-1", "ro1@example.com", "enterprise_owner") +
                 UserLine("ro-2", "ro2@example.com", "superuser") +
                 UserLine("ro-3", "ro3@example.com");
  files.push_back(std::move(role));

  const uint32_t max_line = EngineOptions{}.max_line_bytes;
  BrokenFile long_line = Ndjson("users.long-line.ndjson", 2,
                                {{2, fmt::format("line longer than {} bytes", max_line)}});
  long_line.content =
      UserLine("ll-1", "ll1@example.com") +
      "{\"externalId\":\"ll-2\",\"userName\":\"ll2@example.com\",\"displayName\":\"" +
      std::string(max_line, 'L') + "\"}\n" + UserLine("ll-3", "ll3@example.com");
  files.push_back(std::move(long_line));

  files.push_back(Ndjson("users.empty.ndjson", 0, {{1, "empty file"}}));

  BrokenFile truncated = Ndjson("users.truncated.ndjson", 2, {{3, "truncated record"}});
  const std::string last = UserLine("tr-3", "tr3@example.com");
  truncated.content = UserLine("tr-1", "tr1@example.com") + UserLine("tr-2", "tr2@example.com") +
                      last.substr(0, last.size() / 2);
  files.push_back(std::move(truncated));

  BrokenFile users = Ndjson("users.for-groups.ndjson", 3, {});
  users.content = UserLine("gm-1", "gm1@example.com") + UserLine("gm-2", "gm2@example.com") +
                  UserLine("gm-3", "gm3@example.com");
  files.push_back(std::move(users));
  BrokenFile groups{"groups.unknown-member.ndjson",
                    "groups",
                    "ndjson",
                    "users.for-groups.ndjson",
                    "",
                    1,
                    {{2, "group member \"ghost\" is not a known user"}}};
  groups.content = GroupLine("team-a", {"gm-1", "gm-2"}) + GroupLine("team-b", {"gm-3", "ghost"});
  files.push_back(std::move(groups));
  return files;
}

std::vector<BrokenFile> CsvFiles() {
  constexpr std::string_view kHeader =
      "externalId,userName,givenName,familyName,email,active,roles\r\n";
  std::vector<BrokenFile> files;
  BrokenFile columns{"users.wrong-columns.csv",
                     "users",
                     "csv",
                     "",
                     "",
                     2,
                     {{3, "expected 7 columns, got 6"}, {4, "expected 7 columns, got 8"}}};
  columns.content = std::string(kHeader) +
                    "wc-1,wc1@example.com,Wc,One,wc1@example.com,true,user\r\n"
                    "wc-2,wc2@example.com,Wc,Two,wc2@example.com,true\r\n"
                    "wc-3,wc3@example.com,Wc,Three,wc3@example.com,true,user,extra\r\n"
                    "wc-4,wc4@example.com,\"Wc, Jr.\",Four,wc4@example.com,false,user\r\n";
  files.push_back(std::move(columns));
  BrokenFile quote{"users.unbalanced-quote.csv", "users", "csv", "", "", 2,
                   {{4, "unbalanced quote"}}};
  quote.content = std::string(kHeader) +
                  "uq-1,uq1@example.com,Uq,One,uq1@example.com,true,user\r\n"
                  "uq-2,uq2@example.com,\"Uq \"\"Two\"\"\",Two,uq2@example.com,true,user\r\n"
                  "uq-3,uq3@example.com,\"Uq,Three,uq3@example.com,true,user\r\n";
  files.push_back(std::move(quote));
  return files;
}

std::string ExpectedRejectsJson(const std::vector<BrokenFile>& files) {
  std::string json;
  JsonWriter writer(&json);
  writer.BeginObject()
      .Member("profile", kProfile)
      .Member("max_line_bytes", EngineOptions{}.max_line_bytes)
      .Key("files")
      .BeginArray();
  for (const BrokenFile& file : files) {
    writer.BeginObject().Member("file", file.name).Member("kind", file.kind);
    writer.Member("format", file.format);
    if (!file.users.empty()) writer.Member("users", file.users);
    writer.Member("valid_records", file.valid_records).Key("rejects").BeginArray();
    for (const ExpectedReject& reject : file.rejects) {
      writer.BeginObject()
          .Member("file", file.name)
          .Member("line", reject.line)
          .Member("reason", reject.reason)
          .EndObject();
    }
    writer.EndArray().EndObject();
  }
  writer.EndArray().EndObject();
  json += '\n';
  return json;
}

Status WriteFile(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return IoError(path.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Status WriteBrokenExport(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return IoError(dir.string() + ": " + error.message());
  std::vector<BrokenFile> files = UserNdjsonFiles();
  for (auto* more : {&CrossRecordFiles, &CsvFiles}) {
    for (BrokenFile& file : (*more)()) files.push_back(std::move(file));
  }
  for (const BrokenFile& file : files) {
    SCIMFLOW_RETURN_IF_ERROR(WriteFile(dir / file.name, file.content));
  }
  return WriteFile(dir / kExpectedRejectsFile, ExpectedRejectsJson(files));
}

}  // namespace scimflow
