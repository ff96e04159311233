// TLS (issue #9, SPEC §6): a simulator serving HTTPS on loopback with a self-signed certificate
// made by `openssl` for the test. `apply` and `sync` refuse it by default (exit 5), accept it with
// `--ca-file`; `--insecure` is refused for a non-loopback target (exit 1) and, where allowed, is
// printed in the end-of-run report.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/emit_testutil.h"

namespace scimflow {
namespace {

using testing_emit::CommandResult;
using testing_emit::MakeMigrationPlan;
using testing_emit::RunScimflow;
using testing_gen::ReadFile;
using testing_gen::TempDir;

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

class TlsLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl could not make a certificate";
    const CommandResult planned =
        MakeMigrationPlan({"--users", "20", "--groups", "2", "--seed", "8"}, day_, empty_, plan_);
    ASSERT_EQ(planned.exit_code, 0) << planned.err;
    ASSERT_TRUE(sim_.Start({"--tls-cert", cert_, "--tls-key", key_}).ok());
    ASSERT_TRUE(sim_.ScimUrl().starts_with("https://127.0.0.1:")) << sim_.ScimUrl();
  }

  // GET https://127.0.0.1:PORT/_stats, trusting the test certificate; the body or "".
  std::string HttpsStats() const {
    CURL* curl = curl_easy_init();
    std::string body;
    const std::string url = "https://127.0.0.1:" + std::to_string(sim_.port()) + "/_stats";
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, cert_.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return code == CURLE_OK ? body : "";
  }

  CommandResult Apply(const std::string& state, std::vector<std::string> extra) {
    std::vector<std::string> args = {"apply",   plan_, "--target",    sim_.ScimUrl(),
                                     "--state", state, "--no-budgets"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunScimflow(args);
  }

  TempDir dir_{"tls"};
  const std::string cert_ = dir_ / "cert.pem";
  const std::string key_ = dir_ / "key.pem";
  const std::string day_ = dir_ / "day0";
  const std::string empty_ = dir_ / "empty.ndjson";
  const std::string plan_ = dir_ / "plan.ndjson";
  SimProcess sim_;
};

TEST_F(TlsLoopbackTest, SelfSignedCertificateIsRefusedByDefault) {
  const CommandResult applied = Apply(dir_ / "state.db", {});
  EXPECT_EQ(applied.exit_code, 5) << applied.err;
  EXPECT_NE(applied.err.find("scimflow apply: TLS verification of the target failed (tls: SSL "
                             "certificate problem: self-signed certificate); trust its CA with "
                             "--ca-file F\n"),
            std::string::npos)
      << applied.err;
  const CommandResult synced =
      RunScimflow({"sync", "--users", day_ + "/users.ndjson", "--groups", day_ + "/groups.ndjson",
                   "--assignments", day_ + "/assignments.ndjson", "--current", empty_, "--target",
                   sim_.ScimUrl(), "--state", dir_ / "sync.db", "--no-budgets"});
  EXPECT_EQ(synced.exit_code, 5) << synced.err;
  EXPECT_NE(synced.err.find("TLS verification of the target failed"), std::string::npos)
      << synced.err;
  const std::string stats = HttpsStats();
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(JsonNumber(stats, "/requests/total"), 0) << stats;  // No request got through.
}

TEST_F(TlsLoopbackTest, CaFileMakesTheCertificateTrusted) {
  const CommandResult applied =
      Apply(dir_ / "state.db", {"--ca-file", cert_, "--report", dir_ / "report.json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_EQ(applied.err.find("WARNING"), std::string::npos) << applied.err;
  EXPECT_NE(ReadFile(dir_ / "report.json").find("\"insecure_tls\":false"), std::string::npos);
  const std::string stats = HttpsStats();
  const testing_emit::TargetState expected =
      testing_emit::ExpectedAfterMigration(day_ + "/snapshot.ndjson");
  EXPECT_EQ(JsonNumber(stats, "/users"), static_cast<int64_t>(expected.users)) << stats;
  EXPECT_EQ(JsonNumber(stats, "/memberships"), static_cast<int64_t>(expected.memberships));
  EXPECT_EQ(JsonNumber(stats, "/duplicate_creates"), 0) << stats;
  const CommandResult synced =
      RunScimflow({"sync", "--users", day_ + "/users.ndjson", "--groups", day_ + "/groups.ndjson",
                   "--assignments", day_ + "/assignments.ndjson", "--target", sim_.ScimUrl(),
                   "--state", dir_ / "state.db", "--no-budgets", "--ca-file", cert_});
  EXPECT_EQ(synced.exit_code, 0) << synced.err;
}

TEST_F(TlsLoopbackTest, InsecureIsRefusedForARemoteTarget) {
  const CommandResult refused =
      RunScimflow({"apply", plan_, "--target", "https://scim.example.com/scim/v2", "--state",
                   dir_ / "state.db", "--insecure"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "scimflow apply: https://scim.example.com/scim/v2: --insecure is allowed only for "
            "loopback targets; use --ca-file for a private CA\n");
  const CommandResult sync_refused =
      RunScimflow({"sync", "--users", day_ + "/users.ndjson", "--current", empty_, "--target",
                   "https://scim.example.com/scim/v2", "--state", dir_ / "sync.db", "--insecure"});
  EXPECT_EQ(sync_refused.exit_code, 1) << sync_refused.err;
  EXPECT_NE(sync_refused.err.find("--insecure is allowed only for loopback targets"),
            std::string::npos)
      << sync_refused.err;
}

TEST_F(TlsLoopbackTest, InsecureOnLoopbackIsPrintedInTheReport) {
  const CommandResult applied =
      Apply(dir_ / "state.db",
            {"--insecure", "--report", dir_ / "report.json", "--metrics", dir_ / "metrics.prom"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_NE(applied.err.find("WARNING: TLS certificate verification was OFF for this run "
                             "(--insecure)"),
            std::string::npos)
      << applied.err;
  EXPECT_NE(ReadFile(dir_ / "report.json").find("\"insecure_tls\":true"), std::string::npos)
      << ReadFile(dir_ / "report.json");
  EXPECT_NE(ReadFile(dir_ / "metrics.prom").find("scimflow_insecure_tls 1"), std::string::npos);
  EXPECT_GT(JsonNumber(HttpsStats(), "/users"), 0);
}

}  // namespace
}  // namespace scimflow
