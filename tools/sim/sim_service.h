// SimService: the simulated SCIM service provider behind the HTTP server: authentication, rate
// budgets, injected faults, the SCIM routes, /Bulk, /ServiceProviderConfig, and the control
// routes `GET /_stats` and `POST /_dump`.
//
// Every request goes through Handle, which (for SCIM routes, i.e. anything but `/_…`):
//   1. numbers the request and draws its faults (sim_faults.h): a dropped connection answers
//      nothing and changes nothing; an injected 500 changes nothing;
//   2. checks credentials (401) and, on the GitHub profiles, the User-Agent (403, as GitHub);
//   3. takes the `requests` and `writes` budgets (429 with Retry-After and x-ratelimit-*);
//   4. runs the route; writes take `user-assignments` / `group-member-adds` inside the store's
//      lock, so a refused write changes nothing;
//   5. for a lost answer, applies the write and then asks the server to close without answering.
// Control routes skip all of that and are not counted in /_stats, so tests can watch a run
// without disturbing it. docs/sim.md documents every route and the /_stats fields.
//
// Thread-safety: Handle, StatsJson and the snapshot methods may be called from any thread at
// once; counters are atomics and the store and budgets lock themselves.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_SERVICE_H_
#define SCIMFLOW_TOOLS_SIM_SIM_SERVICE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "tools/sim/sim_budget.h"
#include "tools/sim/sim_faults.h"
#include "tools/sim/sim_http.h"
#include "tools/sim/sim_options.h"
#include "tools/sim/sim_store.h"

namespace scimflow {

class SimService {
 public:
  // `options.budgets` and `options.faults` are taken as given; `dump_path` is where
  // `POST /_dump` writes (empty: the route answers 400).
  SimService(SimOptions options, std::string dump_path);
  SimService(const SimService&) = delete;
  SimService& operator=(const SimService&) = delete;

  // Answers one request. See the file comment for the order of checks.
  SimResponse Handle(const SimRequest& request);

  // The /_stats document (docs/sim.md).
  std::string StatsJson();

  // Loads a snapshot file into the store (docs/snapshot-format.md). Errors carry `file:line:`.
  // Group members that are no user of the snapshot are ignored, each reported in `*warnings`.
  Status LoadSnapshot(const std::string& path, std::vector<std::string>* warnings);
  // Writes the store as a snapshot file (to a temporary name, then renamed into place).
  Status DumpSnapshot(const std::string& path);

  const SimOptions& options() const { return options_; }
  SimStore& store() { return store_; }

 private:
  // Per-request context shared by the route handlers.
  struct Context {
    std::string location_base;  // "http://HOST" + base path, for meta.location and Location.
    BudgetState throttle;       // Filled when a budget refused the request.
    bool throttled = false;
  };

  SimResponse HandleControl(const SimRequest& request);
  SimResponse HandleScim(const SimRequest& request, const FaultDecision& fault);
  ScimStatus CheckCredentials(const SimRequest& request) const;
  // Takes the requests/writes budgets; a refusal fills `context`.
  ScimStatus TakeRequestBudgets(std::string_view method, Context* context);
  // The ChargeFn the store calls for state-dependent budgets.
  ChargeFn MakeCharge(Context* context);
  ScimError Throttled(const BudgetState& state, Context* context);
  // Routes `route` (the path after the base path).
  SimResponse Route(std::string_view method, std::string_view route, const SimRequest* request,
                    std::string_view body, Context* context);
  SimResponse UserRoute(std::string_view method, std::string_view id, const SimRequest* request,
                        std::string_view body, Context* context);
  SimResponse GroupRoute(std::string_view method, std::string_view id, const SimRequest* request,
                         std::string_view body, Context* context);
  SimResponse ListUsers(const SimRequest* request, Context* context);
  SimResponse ListGroups(const SimRequest* request, Context* context);
  SimResponse CreateUser(std::string_view body, Context* context);
  SimResponse ReplaceUser(std::string_view id, std::string_view body, Context* context);
  SimResponse PatchUser(std::string_view id, std::string_view body, Context* context);
  SimResponse CreateGroup(std::string_view body, Context* context);
  // `exclude_members`: the request asked for `excludedAttributes=members` (RFC 7644 §3.9).
  SimResponse ReplaceGroup(std::string_view id, std::string_view body, bool exclude_members,
                           Context* context);
  SimResponse PatchGroup(std::string_view id, std::string_view body, bool exclude_members,
                         Context* context);
  SimResponse ServiceProviderConfig() const;
  // Turns a store result into an answer with `success_status`, or the error answer.
  SimResponse Answer(ScimResult<std::string> result, int success_status,
                     const Context& context) const;
  void AddRateLimitHeaders(const BudgetState& state, SimResponse* response) const;
  void CountStatus(int status);

  const SimOptions options_;
  const std::string dump_path_;
  SimStore store_;
  SimBudgets budgets_;
  SimFaults faults_;

  // Traffic counters for /_stats.
  enum MethodSlot { kGet, kPost, kPut, kPatch, kDelete, kOtherMethod, kMethodSlots };
  static constexpr int kStatusSlots = 600;
  std::atomic<uint64_t> request_number_{0};
  std::array<std::atomic<uint64_t>, kMethodSlots> requests_by_method_{};
  std::array<std::atomic<uint64_t>, kStatusSlots> statuses_{};
  std::array<std::atomic<uint64_t>, kBudgetKindCount> throttled_by_budget_{};
  std::atomic<uint64_t> faults_500_{0};
  std::atomic<uint64_t> faults_drop_{0};
  std::atomic<uint64_t> faults_lost_answer_{0};
  std::atomic<uint64_t> faults_latency_{0};
  std::atomic<uint64_t> faults_429_{0};
  // Lost answers by method, so a test can check that patches and deletes lost some too.
  std::array<std::atomic<uint64_t>, kMethodSlots> lost_answers_by_method_{};
  std::atomic<uint64_t> faults_latency_spike_{0};
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_SERVICE_H_
