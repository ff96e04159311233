// SimOptions: everything `scimflow sim` can be told, with defaults and reasons, plus the parsers
// for the two flag values that have a grammar (profile names and `--budget NAME=N/PERIOD`).
//
// The simulator is a tool, not the engine, so its options live here rather than in
// engine/options.h; the budget names are the engine's (`user-assignments`, `group-member-adds`,
// `requests`, `writes`) so a budget given to both means the same thing.
//
// Thread-safety: plain values, built once by the command line and then only read.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_OPTIONS_H_
#define SCIMFLOW_TOOLS_SIM_SIM_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace scimflow {

// Which real service the simulator imitates (SPEC §5).
enum class SimProfile : uint8_t {
  kGitHubEmu,  // GitHub EMU: token + User-Agent, userName immutable, suspended users hidden
               // from groups, filter `eq` on one attribute, no /Bulk.
  kGhes,       // GitHub Enterprise Server: as EMU, under /api/v3/scim/v2.
  kGeneric,    // RFC 7644 server: /ServiceProviderConfig, /Bulk, richer filters, renames.
};

// "github-emu", "ghes" or "generic".
std::string_view SimProfileName(SimProfile profile);
// Parses a profile name; kInvalidArgument naming the accepted values otherwise.
Result<SimProfile> ParseSimProfile(std::string_view name);
// Where the SCIM routes live when --base-path is not given.
std::string_view DefaultBasePath(SimProfile profile);
// True for the GitHub profiles (EMU and GHES), which share their validation and semantics.
inline bool IsGitHubProfile(SimProfile profile) { return profile != SimProfile::kGeneric; }

// The budgets the engine paces to, by the engine's names.
enum class BudgetKind : uint8_t {
  kUserAssignments,  // POST /Users with active true, and PUT/PATCH that reactivate a user.
  kGroupMemberAdds,  // Members added, counted per group.
  kRequests,         // Every SCIM request.
  kWrites,           // POST, PUT, PATCH and DELETE.
};
inline constexpr int kBudgetKindCount = 4;

// "user-assignments", "group-member-adds", "requests" or "writes".
std::string_view BudgetName(BudgetKind kind);

// `limit` units per `period_seconds`, refilled continuously (a token bucket of that capacity).
struct BudgetSpec {
  BudgetKind kind = BudgetKind::kRequests;
  uint64_t limit = 0;
  uint64_t period_seconds = 0;
};

// Parses `NAME=N/PERIOD` in the engine's syntax (ParseBucketSpec: PERIOD `s`, `m`/`min`, `h` or
// `d`, optionally after a count, e.g. `user-assignments=600/min`), for the four budgets the
// simulator enforces. Errors (kInvalidArgument) quote the text and say what is wrong: unknown name,
// N not a positive integer, unknown period.
Result<BudgetSpec> ParseBudgetSpec(std::string_view text);

// GitHub's documented limits (reference §4): 1,000 user assignments per hour, 1,000 member
// additions per group per hour, 5,000 requests per hour per token, 180 writes per minute.
std::vector<BudgetSpec> GitHubDefaultBudgets();

// Injected faults. Probabilities are in [0, 1] and drawn per request number from the seed, so a
// run with a fixed request order is reproducible.
struct SimFaultOptions {
  // Share of SCIM requests answered 500 without being applied. Default: 0.
  double fail_500 = 0.0;
  // Milliseconds added before every SCIM answer. Default: 0. When set, the server serves each
  // connection on its own thread, so a delayed answer does not hold up other connections.
  uint32_t latency_ms = 0;
  // Share of SCIM requests whose connection is closed without an answer, before applying.
  double drop = 0.0;
  // Share of SCIM writes that are applied, then answered by closing the connection.
  double lost_answer = 0.0;
  // Share of SCIM requests answered 429 (`Retry-After: 1`, `x-ratelimit-resource: requests`,
  // remaining 0) without being applied, among the requests numbered in
  // [fault_429_from, fault_429_to). Default: 0. A share of 1 over a window is a 429 storm that
  // ends after a given number of requests, whatever the timing.
  double fail_429 = 0.0;
  uint64_t fault_429_from = 0;         // First request number of the window (0-based).
  uint64_t fault_429_to = UINT64_MAX;  // One past the last request number of the window.
  // Share of SCIM requests whose answer waits `latency_spike_ms` more (after the request was
  // applied), e.g. longer than a client's timeout. Default: 0. When set, the server serves each
  // connection on its own thread, as with latency_ms.
  double latency_spike = 0.0;
  uint32_t latency_spike_ms = 0;
};

struct SimOptions {
  // ---- Behaviour -------------------------------------------------------------------------

  SimProfile profile = SimProfile::kGitHubEmu;
  // Prefix of the SCIM routes. Default: empty, meaning DefaultBasePath(profile).
  std::string base_path;
  // The accepted credential. Default: empty, meaning any non-empty `Bearer`/`token` credential
  // is accepted (the header itself is still required on the GitHub profiles). On `generic` the
  // header is checked only when a token is set.
  std::string token;
  std::vector<BudgetSpec> budgets;
  SimFaultOptions faults;
  // Seeds resource ids and fault draws. Default: 1. Same seed and request order, same ids.
  uint64_t seed = 1;

  // Page size of list answers without `count`. Default: 30, GitHub's documented default.
  uint32_t default_page_size = 30;
  // Largest page served whatever `count` asks. Default: 1000 (GitHub documents no maximum;
  // partner IdPs ask for 100), advertised as `filter.maxResults` on `generic`.
  uint32_t max_page_size = 1000;
  // `bulk.maxOperations` of the generic profile. Default: 1000, the RFC's example.
  uint32_t bulk_max_operations = 1000;
  // `bulk.maxPayloadSize` in bytes. Default: 1 MiB, the RFC's example.
  uint32_t bulk_max_payload_bytes = 1u << 20;
  // PEM certificate and key files; both set: the server speaks HTTPS only. Default: empty
  // (plain HTTP). For TLS tests of the engine with a self-signed certificate.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Largest body of a non-bulk request. Default: 1 MiB; a SCIM user is under 4 KiB and a member
  // patch of 1,000 ids about 60 KiB, so more is a broken client. Answered 413.
  uint32_t max_body_bytes = 1u << 20;

  // ---- Performance -----------------------------------------------------------------------

  // Server threads (libmicrohttpd's epoll thread pool). Default: 2, one per core of the
  // reference machine; more only helps with more cores.
  uint32_t threads = 2;

  // The effective base path.
  std::string_view EffectiveBasePath() const {
    return base_path.empty() ? DefaultBasePath(profile) : std::string_view(base_path);
  }
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_OPTIONS_H_
