// The simulator fixture itself: start, stop, kill and restart behave as end-to-end tests rely on.
#include "tests/sim_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace scimflow {
namespace {

TEST(SimFixtureTest, StopEndsTheServerCleanlyWithExitCodeZero) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_TRUE(sim.running());
  EXPECT_GT(sim.port(), 0);
  EXPECT_EQ(sim.Client().Get("/Users").status, 200);
  const std::string url = sim.ScimUrl();
  EXPECT_EQ(sim.Stop(), 0);
  EXPECT_FALSE(sim.running());
  EXPECT_EQ(SimClient(url, std::string(SimProcess::kToken)).Get("/Users").transport,
            CURLE_COULDNT_CONNECT);
}

TEST(SimFixtureTest, KillLeavesNoProcessAndRestartStartsAFreshOne) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const pid_t first = sim.pid();
  sim.Client().Post("/Users", SimUserBody("e1", "mona"));
  sim.Kill();
  EXPECT_FALSE(sim.running());
  EXPECT_NE(kill(first, 0), 0);  // Reaped: the pid no longer exists.
  ASSERT_TRUE(sim.Restart().ok());
  EXPECT_NE(sim.pid(), first);
  // Same arguments (generic profile), empty state.
  EXPECT_EQ(JsonString(sim.Stats().json, "/profile"), "generic");
  EXPECT_EQ(sim.Stats().Number("/users"), 0u);
}

TEST(SimFixtureTest, StartReportsAServerThatCannotStart) {
  SimProcess sim;
  const Status status = sim.Start({"--profile", "nonsense"});
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(sim.running());
}

TEST(SimFixtureTest, ListenOutsideLoopbackIsAUsageError) {
  const std::string command =
      std::string(SCIMFLOW_BINARY) + " sim --listen 0.0.0.0:0 2>&1 >/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  const bool read = std::fgets(line, sizeof(line), pipe) != nullptr;
  const int status = pclose(pipe);
  EXPECT_TRUE(read);
  EXPECT_STREQ(line, "scimflow sim: --listen: only loopback addresses (127.x.x.x) are served\n");
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace scimflow
