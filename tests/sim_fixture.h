// Test helpers for everything that talks to `scimflow sim` over real HTTP on loopback:
//
// - SimProcess starts the real binary (SCIMFLOW_BINARY) on an ephemeral port, reads its
//   `listening on 127.0.0.1:PORT` and `scim endpoint URL` lines, and stops (SIGTERM), kills
//   (SIGKILL) or restarts it. End-to-end tests use it as their target:
//
//     SimProcess sim;
//     ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
//     SimClient client = sim.Client();
//     HttpReply reply = client.Post("/Users", SimUserBody("e1", "mona"));
//     EXPECT_EQ(sim.Stats().Number("/users"), 1u);
//
// - SimClient sends SCIM requests with libcurl over one keep-alive connection, with the
//   simulator's test token and a User-Agent unless told otherwise.
// - SimUserBody / SimGroupBody / SimPatchBody build valid request bodies; JsonString and
//   JsonNumber read one value out of an answer by JSON pointer.
//
// Ownership: SimProcess owns the child process and kills it in its destructor if still running.
// Thread-safety: a SimProcess is used from one thread; each thread needs its own SimClient.
#ifndef SCIMFLOW_TESTS_SIM_FIXTURE_H_
#define SCIMFLOW_TESTS_SIM_FIXTURE_H_

#include <curl/curl.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace scimflow {

// One HTTP answer, or the transport error that replaced it.
struct HttpReply {
  CURLcode transport = CURLE_OK;  // CURLE_GOT_NOTHING when the server closed without answering.
  long status = 0;                // 0 when no answer arrived.
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.

  // The value of header `name` (lower-case), or empty.
  std::string Header(std::string_view name) const;
};

class SimClient {
 public:
  // Requests go to `base_url` + path. The Authorization (`Bearer token`) and User-Agent headers
  // are sent only when non-empty.
  explicit SimClient(std::string base_url, std::string token = "",
                     std::string user_agent = "scimflow-tests");
  ~SimClient();
  SimClient(SimClient&& other) noexcept;
  SimClient& operator=(SimClient&& other) noexcept;
  SimClient(const SimClient&) = delete;
  SimClient& operator=(const SimClient&) = delete;

  // Replaces the Authorization header value (e.g. "token T"); empty sends none.
  void set_authorization(std::string value) { authorization_ = std::move(value); }

  HttpReply Get(std::string_view path) { return Send("GET", path, ""); }
  HttpReply Post(std::string_view path, std::string_view body) { return Send("POST", path, body); }
  HttpReply Put(std::string_view path, std::string_view body) { return Send("PUT", path, body); }
  HttpReply Patch(std::string_view path, std::string_view body) {
    return Send("PATCH", path, body);
  }
  HttpReply Delete(std::string_view path) { return Send("DELETE", path, ""); }
  // Any method; `body` is sent when non-empty (as application/scim+json).
  HttpReply Send(std::string_view method, std::string_view path, std::string_view body);

 private:
  std::string base_url_;
  std::string authorization_;  // The header value, e.g. "Bearer T"; empty sends none.
  std::string user_agent_;
  CURL* curl_ = nullptr;
};

// `/_stats` of a running simulator.
struct SimStats {
  std::string json;
  // The number at JSON pointer `pointer` (e.g. "/users", "/statuses/429"); 0 when absent.
  uint64_t Number(std::string_view pointer) const;
};

class SimProcess {
 public:
  // The token every simulator started by Start accepts (unless args give --token).
  static constexpr std::string_view kToken = "sim-test-token";

  SimProcess() = default;
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // Starts `scimflow sim --listen 127.0.0.1:0 --token kToken ARGS…` (no --token is added when
  // `args` has one or `with_token` is false) and waits up to 60 s for its endpoint lines.
  // kUnavailable with the reason when it exits or stays silent.
  Status Start(std::vector<std::string> args = {}, bool with_token = true);
  // SIGTERM, then waits; returns the exit code (-1 when killed by a signal or not running).
  int Stop();
  // SIGKILL, then waits.
  void Kill();
  // Stop, then Start with the same arguments (the port changes).
  Status Restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT": for /_stats and /_dump.
  std::string BaseUrl() const;
  // The SCIM base URL, e.g. "http://127.0.0.1:PORT/scim/v2/enterprises/sim".
  const std::string& ScimUrl() const { return scim_url_; }
  // A client of the SCIM base URL with the test token.
  SimClient Client() const;
  // GET /_stats; an empty SimStats (json "") when it cannot be fetched.
  SimStats Stats() const;

 private:
  Status ReadEndpointLines();
  void Reap(int* exit_code);

  std::vector<std::string> args_;
  bool with_token_ = true;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  std::string scim_url_;
};

// A complete GitHub-valid User body (all of GitHub's required attributes).
std::string SimUserBody(std::string_view external_id, std::string_view user_name,
                        bool active = true);
// A Group body; `member_ids` are user ids.
std::string SimGroupBody(std::string_view external_id, std::string_view display_name,
                         const std::vector<std::string>& member_ids = {});
// A PatchOp body around `operations_json`, the JSON array of operations.
std::string SimPatchBody(std::string_view operations_json);
// The string at JSON pointer `pointer` in `json` (e.g. "/id", "/Resources/0/userName"); empty
// when absent or not a string.
std::string JsonString(std::string_view json, std::string_view pointer);
// The integer at `pointer`, or -1.
int64_t JsonNumber(std::string_view json, std::string_view pointer);

}  // namespace scimflow

#endif  // SCIMFLOW_TESTS_SIM_FIXTURE_H_
