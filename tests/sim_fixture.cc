#include "tests/sim_fixture.h"

#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

#include "io/json_writer.h"

extern char** environ;

namespace scimflow {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& letter : name) letter = static_cast<char>(std::tolower(letter));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
    static_cast<HttpReply*>(user)->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

// Startup of an ASan build on a loaded machine can take seconds; a minute means it is stuck.
constexpr int kStartTimeoutMs = 60000;

}  // namespace

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

SimClient::SimClient(std::string base_url, std::string token, std::string user_agent)
    : base_url_(std::move(base_url)),
      authorization_(token.empty() ? "" : "Bearer " + token),
      user_agent_(std::move(user_agent)) {
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

SimClient::SimClient(SimClient&& other) noexcept
    : base_url_(std::move(other.base_url_)),
      authorization_(std::move(other.authorization_)),
      user_agent_(std::move(other.user_agent_)),
      curl_(std::exchange(other.curl_, nullptr)) {}

SimClient& SimClient::operator=(SimClient&& other) noexcept {
  if (this != &other) {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
    base_url_ = std::move(other.base_url_);
    authorization_ = std::move(other.authorization_);
    user_agent_ = std::move(other.user_agent_);
    curl_ = std::exchange(other.curl_, nullptr);
  }
  return *this;
}

SimClient::~SimClient() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

HttpReply SimClient::Send(std::string_view method, std::string_view path, std::string_view body) {
  HttpReply reply;
  const std::string url = base_url_ + std::string(path);
  const std::string method_text(method);
  curl_slist* headers = nullptr;
  const std::string authorization = "Authorization: " + authorization_;
  if (!authorization_.empty()) headers = curl_slist_append(headers, authorization.c_str());
  if (!body.empty()) headers = curl_slist_append(headers, "Content-Type: application/scim+json");
  headers = curl_slist_append(headers, "Expect:");  // No 100-continue round trip.
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_USERAGENT, user_agent_.empty() ? nullptr : user_agent_.c_str());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.empty() ? nullptr : body.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
  reply.transport = curl_easy_perform(curl_);
  if (reply.transport == CURLE_OK) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return reply;
}

uint64_t SimStats::Number(std::string_view pointer) const {
  const int64_t value = JsonNumber(json, pointer);
  return value < 0 ? 0 : static_cast<uint64_t>(value);
}

SimProcess::~SimProcess() {
  if (running()) Kill();
}

Status SimProcess::Start(std::vector<std::string> args, bool with_token) {
  args_ = args;
  with_token_ = with_token;
  std::vector<std::string> argv_text = {SCIMFLOW_BINARY, "sim", "--listen", "127.0.0.1:0"};
  bool has_token = false;
  for (const std::string& arg : args) has_token = has_token || arg == "--token";
  if (with_token && !has_token) {
    argv_text.push_back("--token");
    argv_text.emplace_back(kToken);
  }
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return IoError(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  if (spawned != 0) {
    pid_ = -1;
    close(stdout_fd_);
    stdout_fd_ = -1;
    return IoError(std::string("cannot start the simulator: ") + std::strerror(spawned));
  }
  return ReadEndpointLines();
}

Status SimProcess::ReadEndpointLines() {
  std::string text;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  while (std::count(text.begin(), text.end(), '\n') < 2) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{stdout_fd_, POLLIN, 0};
    char buffer[512];
    ssize_t got = 0;
    if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0 ||
        (got = read(stdout_fd_, buffer, sizeof(buffer))) <= 0) {
      int exit_code = 0;
      Kill();
      Reap(&exit_code);
      return Status(StatusCode::kUnavailable, "simulator did not start; stdout: '" + text + "'");
    }
    text.append(buffer, static_cast<size_t>(got));
  }
  constexpr std::string_view kListening = "listening on 127.0.0.1:";
  constexpr std::string_view kEndpoint = "scim endpoint ";
  const size_t first_end = text.find('\n');
  if (!text.starts_with(kListening)) {
    return Status(StatusCode::kUnavailable, "unexpected first line: '" + text + "'");
  }
  port_ = static_cast<uint16_t>(std::stoul(text.substr(kListening.size())));
  const std::string second =
      text.substr(first_end + 1, text.find('\n', first_end + 1) - first_end - 1);
  if (!second.starts_with(kEndpoint)) {
    return Status(StatusCode::kUnavailable, "unexpected second line: '" + second + "'");
  }
  scim_url_ = second.substr(kEndpoint.size());
  return Status::Ok();
}

void SimProcess::Reap(int* exit_code) {
  *exit_code = -1;
  if (pid_ > 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) *exit_code = WEXITSTATUS(status);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

int SimProcess::Stop() {
  int exit_code = -1;
  if (pid_ > 0) kill(pid_, SIGTERM);
  Reap(&exit_code);
  return exit_code;
}

void SimProcess::Kill() {
  int exit_code = 0;
  if (pid_ > 0) kill(pid_, SIGKILL);
  Reap(&exit_code);
}

Status SimProcess::Restart() {
  Stop();
  return Start(args_, with_token_);
}

std::string SimProcess::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

SimClient SimProcess::Client() const { return SimClient(scim_url_, std::string(kToken)); }

SimStats SimProcess::Stats() const {
  SimClient client(BaseUrl());
  HttpReply reply = client.Get("/_stats");
  return SimStats{reply.status == 200 ? reply.body : ""};
}

std::string SimUserBody(std::string_view external_id, std::string_view user_name, bool active) {
  std::string body;
  JsonWriter writer(&body);
  writer.BeginObject().Key("schemas").BeginArray();
  writer.String("urn:ietf:params:scim:schemas:core:2.0:User").EndArray();
  writer.Member("externalId", external_id).Member("userName", user_name);
  writer.Member("active", active).Member("displayName", std::string(user_name) + " Display");
  writer.Key("emails").BeginArray().BeginObject();
  writer.Member("value", std::string(user_name) + "@example.com").Member("type", "work");
  writer.Member("primary", true).EndObject().EndArray();
  writer.Key("name").BeginObject().Member("givenName", "Given").Member("familyName", "Family");
  writer.EndObject().Key("roles").BeginArray().BeginObject().Member("value", "user");
  writer.Member("primary", true).EndObject().EndArray().EndObject();
  return body;
}

std::string SimGroupBody(std::string_view external_id, std::string_view display_name,
                         const std::vector<std::string>& member_ids) {
  std::string body;
  JsonWriter writer(&body);
  writer.BeginObject().Key("schemas").BeginArray();
  writer.String("urn:ietf:params:scim:schemas:core:2.0:Group").EndArray();
  writer.Member("externalId", external_id).Member("displayName", display_name);
  writer.Key("members").BeginArray();
  for (const std::string& id : member_ids) writer.BeginObject().Member("value", id).EndObject();
  writer.EndArray().EndObject();
  return body;
}

std::string SimPatchBody(std::string_view operations_json) {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" +
         std::string(operations_json) + "}";
}

std::string JsonString(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view value;
  if (parser.parse(json.data(), json.size()).get(root) ||
      root.at_pointer(pointer).get_string().get(value)) {
    return {};
  }
  return std::string(value);
}

int64_t JsonNumber(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  int64_t value = -1;
  if (parser.parse(json.data(), json.size()).get(root) ||
      root.at_pointer(pointer).get_int64().get(value)) {
    return -1;
  }
  return value;
}

}  // namespace scimflow
