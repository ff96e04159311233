// PlanFixture: builds small IdP exports and target snapshots in memory and runs the planner on
// them (resolve → reconcile → plan → plan file lines), so tests state the exact lines they expect.
// The snapshot goes through a real file and the real reader; IdP records are built directly, the
// way the ingest stage hands them over.
#ifndef SCIMFLOW_TESTS_PLAN_FIXTURE_H_
#define SCIMFLOW_TESTS_PLAN_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/chunk.h"
#include "engine/current_state.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"
#include "io/plan_file.h"
#include "io/snapshot_file.h"

namespace scimflow::testing {

struct UserSpec {
  std::string external_id;
  std::string user_name;
  std::string given_name;
  std::string family_name;
  std::string email;
  std::vector<std::string> roles = {"user"};
  bool active = true;
  std::string display_name = "";
};

class PlanFixture : public ::testing::Test {
 protected:
  // Appends a user to the IdP's users file (line = position, 1-based).
  void IdpUser(const UserSpec& spec) {
    users_.users.push_back(MakeUser(spec, &users_, "users.ndjson"));
  }
  // Appends an NDJSON group record.
  void IdpGroup(const std::string& external_id, const std::string& display_name,
                std::initializer_list<std::string> members, bool has_roles = false) {
    Group group;
    group.origin = Origin("groups.ndjson", groups_.groups.size() + 1);
    group.external_id = groups_.arena.Copy(external_id);
    group.display_name = groups_.arena.Copy(display_name);
    std::vector<std::string_view> views;
    for (const std::string& member : members) views.push_back(groups_.arena.Copy(member));
    group.member_external_ids = groups_.arena.CopyArray<std::string_view>(views);
    group.has_roles = has_roles;
    groups_.groups.push_back(group);
    has_groups_ = true;
  }
  // Declares a groups file even if it lists no group.
  void IdpGroupsFile() { has_groups_ = true; }
  // Appends an assignment; makes the run use an assignments file.
  void IdpAssignment(const std::string& external_id, std::initializer_list<std::string> roles) {
    Assignment assignment;
    assignment.origin = Origin("assignments.ndjson", assignments_.assignments.size() + 1);
    assignment.external_id = assignments_.arena.Copy(external_id);
    assignment.roles = Roles(roles, &assignments_);
    assignments_.assignments.push_back(assignment);
    has_assignments_ = true;
  }

  // Appends a user / group line to the target snapshot.
  void TargetUser(const std::string& id, const UserSpec& spec) {
    RecordChunk scratch;
    AppendSnapshotUser(&snapshot_, id, MakeUser(spec, &scratch, "snapshot.ndjson"));
  }
  void TargetGroup(const std::string& id, const std::string& external_id,
                   const std::string& display_name, std::initializer_list<std::string> member_ids) {
    std::vector<std::string_view> views(member_ids.begin(), member_ids.end());
    AppendSnapshotGroup(&snapshot_, id, external_id, display_name, views);
  }

  // Runs the planner; returns the operation lines (without the header and newlines).
  std::vector<std::string> PlanLines(const std::string& profile_name = "github-emu",
                                     uint32_t per_patch = 100) {
    Run(profile_name, per_patch);
    std::vector<std::string> lines;
    for (size_t index = 0; index < plan_.operations.size(); ++index) {
      std::string line;
      AppendOperationLine(plan_, index, &line);
      line.pop_back();
      lines.push_back(line);
    }
    return lines;
  }

  void Run(const std::string& profile_name, uint32_t per_patch) {
    // Tests run as parallel processes: one snapshot file per test and process.
    const std::string path = ::testing::TempDir() + "/plan_fixture_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                             std::to_string(::getpid()) + ".ndjson";
    std::ofstream(path, std::ios::binary) << snapshot_;
    auto loaded = LoadSnapshot(path, EngineOptions{});
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    current_ = std::move(loaded).value();
    const TargetProfile* profile = FindProfile(profile_name);
    ASSERT_NE(profile, nullptr);
    const RecordChunk* user_chunks[] = {&users_};
    const RecordChunk* group_chunks[] = {&groups_};
    const RecordChunk* assignment_chunks[] = {&assignments_};
    desired_ = std::make_unique<DesiredState>(Resolve(
        {"users.ndjson", user_chunks},
        has_groups_ ? ResolveInput{"groups.ndjson", group_chunks} : ResolveInput{},
        has_assignments_ ? ResolveInput{"assignments.ndjson", assignment_chunks} : ResolveInput{},
        *profile, current_.get()));
    plan_ = BuildPlan(Reconcile(*desired_, *current_, *profile), *desired_, *current_, *profile,
                      per_patch);
  }

  static RecordOrigin Origin(std::string_view file, size_t line) {
    return RecordOrigin{file, line, 0, 0};
  }

  static std::span<const Role> Roles(const std::vector<std::string>& values, RecordChunk* chunk) {
    std::vector<Role> roles;
    for (const std::string& value : values) roles.push_back({chunk->arena.Copy(value), false});
    if (!roles.empty()) roles.front().primary = true;
    return chunk->arena.CopyArray<Role>(roles);
  }

  static User MakeUser(const UserSpec& spec, RecordChunk* chunk, std::string_view file) {
    User user;
    user.origin = Origin(file, chunk->users.size() + 1);
    user.external_id = chunk->arena.Copy(spec.external_id);
    user.user_name = chunk->arena.Copy(spec.user_name);
    user.name.given_name = chunk->arena.Copy(spec.given_name);
    user.name.family_name = chunk->arena.Copy(spec.family_name);
    user.display_name = chunk->arena.Copy(spec.display_name);
    if (!spec.email.empty()) {
      const Email email{chunk->arena.Copy(spec.email), "work", true};
      user.emails = chunk->arena.CopyArray<Email>(std::span<const Email>(&email, 1));
    }
    user.roles = Roles(spec.roles, chunk);
    user.active = spec.active;
    return user;
  }

  RecordChunk users_;
  RecordChunk groups_;
  RecordChunk assignments_;
  bool has_groups_ = false;
  bool has_assignments_ = false;
  std::string snapshot_;
  std::unique_ptr<CurrentState> current_;
  std::unique_ptr<DesiredState> desired_;
  Plan plan_;
};

}  // namespace scimflow::testing

#endif  // SCIMFLOW_TESTS_PLAN_FIXTURE_H_
