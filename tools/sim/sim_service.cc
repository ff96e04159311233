// SimService: request intake (faults, credentials, budgets), control routes and /_stats.
// The SCIM routes themselves are in sim_routes.cc.
#include "tools/sim/sim_service.h"

#include <string>
#include <utility>

#include "engine/ascii.h"
#include "io/json_writer.h"
#include "tools/sim/sim_snapshot.h"

namespace scimflow {
namespace {

constexpr std::string_view kMethodNames[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "other"};

int MethodIndex(std::string_view method) {
  for (int index = 0; index < 5; ++index) {
    if (kMethodNames[index] == method) return index;
  }
  return 5;
}

// The credential of an `Authorization: Bearer T` or `token T` header, or empty.
std::string_view Credential(std::string_view header) {
  const size_t space = header.find(' ');
  if (space == std::string_view::npos) return {};
  const std::string scheme = AsciiLowerCopy(header.substr(0, space));
  if (scheme != "bearer" && scheme != "token") return {};
  std::string_view credential = header.substr(space + 1);
  while (!credential.empty() && credential.front() == ' ') credential.remove_prefix(1);
  return credential;
}

}  // namespace

SimService::SimService(SimOptions options, std::string dump_path)
    : options_(std::move(options)),
      dump_path_(std::move(dump_path)),
      store_(options_.profile, options_.seed),
      budgets_(options_.budgets),
      faults_(options_.faults, options_.seed) {}

SimResponse SimService::Handle(const SimRequest& request) {
  if (request.path.starts_with("/_")) return HandleControl(request);
  const uint64_t number = request_number_.fetch_add(1, std::memory_order_relaxed);
  requests_by_method_[MethodIndex(request.method)].fetch_add(1, std::memory_order_relaxed);
  const FaultDecision fault = faults_.Decide(number);
  if (fault.drop) {
    faults_drop_.fetch_add(1, std::memory_order_relaxed);
    SimResponse dropped;
    dropped.close_without_answer = true;
    return dropped;
  }
  SimResponse response;
  if (fault.fail_500) {
    faults_500_.fetch_add(1, std::memory_order_relaxed);
    response = ErrorResponse(ScimError{500, "", "injected fault: internal server error"});
  } else if (fault.fail_429) {
    faults_429_.fetch_add(1, std::memory_order_relaxed);
    response = ErrorResponse(ScimError{429, "", "injected fault: API rate limit exceeded"});
    response.headers.emplace_back("Retry-After", "1");
    response.headers.emplace_back("x-ratelimit-remaining", "0");
    response.headers.emplace_back("x-ratelimit-resource", "requests");
  } else {
    response = HandleScim(request, fault);
  }
  if (fault.latency_ms > 0) {
    faults_latency_.fetch_add(1, std::memory_order_relaxed);
    if (fault.latency_spike) faults_latency_spike_.fetch_add(1, std::memory_order_relaxed);
    response.delay_ms = fault.latency_ms;
  }
  if (response.close_without_answer) return response;
  CountStatus(response.status);
  return response;
}

SimResponse SimService::HandleScim(const SimRequest& request, const FaultDecision& fault) {
  Context context;
  if (ScimStatus refused = CheckCredentials(request)) {
    SimResponse response = ErrorResponse(*refused);
    if (refused->status == 401) {
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"scimflow-sim\"");
    }
    return response;
  }
  SimResponse response;
  const std::string_view base = options_.EffectiveBasePath();
  if (ScimStatus refused = TakeRequestBudgets(request.method, &context)) {
    response = ErrorResponse(*refused);
  } else if (!request.path.starts_with(base)) {
    response =
        ErrorResponse(NotFoundError("no such endpoint \"" + std::string(request.path) + "\""));
  } else if (request.body_too_large) {
    const uint32_t limit =
        request.path.ends_with("/Bulk") ? options_.bulk_max_payload_bytes : options_.max_body_bytes;
    response = ErrorResponse(ScimError{
        413, "", "request body is over the limit of " + std::to_string(limit) + " bytes"});
  } else {
    context.location_base.append("http://").append(request.host).append(base);
    response =
        Route(request.method, request.path.substr(base.size()), &request, request.body, &context);
  }
  if (context.throttled) AddRateLimitHeaders(context.throttle, &response);
  if (response.status == 429 && context.throttled) {
    response.headers.emplace_back("Retry-After",
                                  std::to_string(context.throttle.retry_after_seconds));
  } else if (std::optional<BudgetState> requests = budgets_.Peek(BudgetKind::kRequests)) {
    AddRateLimitHeaders(*requests, &response);  // GitHub sends these on every answer.
  }
  if (fault.lose_answer && IsWriteMethod(request.method)) {
    faults_lost_answer_.fetch_add(1, std::memory_order_relaxed);
    lost_answers_by_method_[MethodIndex(request.method)].fetch_add(1, std::memory_order_relaxed);
    response.close_without_answer = true;  // Applied above; the client never learns it.
  }
  return response;
}

ScimStatus SimService::CheckCredentials(const SimRequest& request) const {
  const bool github = IsGitHubProfile(options_.profile);
  if (github || !options_.token.empty()) {
    const std::string_view credential = Credential(request.authorization);
    if (credential.empty()) return ScimError{401, "", "requires authentication"};
    if (!options_.token.empty() && credential != options_.token) {
      return ScimError{401, "", "bad credentials"};
    }
  }
  if (github && request.user_agent.empty()) {
    // GitHub refuses SCIM requests without a User-Agent with 403 (reference §1.4).
    return ScimError{403, "", "request forbidden: a User-Agent header is required"};
  }
  return std::nullopt;
}

ScimError SimService::Throttled(const BudgetState& state, Context* context) {
  throttled_by_budget_[static_cast<int>(state.kind)].fetch_add(1, std::memory_order_relaxed);
  context->throttle = state;
  context->throttled = true;
  return ScimError{429, "",
                   "rate limit exceeded: budget \"" + std::string(BudgetName(state.kind)) +
                       "\" allows " + std::to_string(state.limit) + " per period"};
}

ScimStatus SimService::TakeRequestBudgets(std::string_view method, Context* context) {
  if (auto refused = budgets_.TryTake(BudgetKind::kRequests, "", 1)) {
    return Throttled(*refused, context);
  }
  if (IsWriteMethod(method)) {
    if (auto refused = budgets_.TryTake(BudgetKind::kWrites, "", 1)) {
      return Throttled(*refused, context);
    }
  }
  return std::nullopt;
}

ChargeFn SimService::MakeCharge(Context* context) {
  return [this, context](const WriteCharge& cost) -> ScimStatus {
    if (auto refused = budgets_.TryTake(BudgetKind::kUserAssignments, "", cost.user_assignments)) {
      return Throttled(*refused, context);
    }
    if (auto refused =
            budgets_.TryTake(BudgetKind::kGroupMemberAdds, cost.group_id, cost.member_adds)) {
      budgets_.Refund(BudgetKind::kUserAssignments, "", cost.user_assignments);
      return Throttled(*refused, context);
    }
    return std::nullopt;
  };
}

void SimService::AddRateLimitHeaders(const BudgetState& state, SimResponse* response) const {
  response->headers.emplace_back("x-ratelimit-limit", std::to_string(state.limit));
  response->headers.emplace_back("x-ratelimit-remaining", std::to_string(state.remaining));
  response->headers.emplace_back("x-ratelimit-reset", std::to_string(state.reset_epoch_seconds));
  response->headers.emplace_back("x-ratelimit-resource", std::string(BudgetName(state.kind)));
}

void SimService::CountStatus(int status) {
  if (status >= 0 && status < kStatusSlots) {
    statuses_[status].fetch_add(1, std::memory_order_relaxed);
  }
}

SimResponse SimService::Answer(ScimResult<std::string> result, int success_status,
                               const Context& context) const {
  if (!result.ok()) return ErrorResponse(result.error());
  SimResponse response;
  response.status = success_status;
  response.body = std::move(result.value());
  return response;
}

SimResponse SimService::HandleControl(const SimRequest& request) {
  SimResponse response;
  if (request.path == "/_stats" && request.method == "GET") {
    response.body = StatsJson();
    return response;
  }
  if (request.path == "/_dump" && request.method == "POST") {
    if (dump_path_.empty()) {
      return ErrorResponse(BadRequest("", "no snapshot file: start the simulator with --dump"));
    }
    const Status status = DumpSnapshot(dump_path_);
    if (!status.ok()) return ErrorResponse(ScimError{500, "", status.message()});
    JsonWriter(&response.body).BeginObject().Member("dumped", dump_path_).EndObject();
    return response;
  }
  return ErrorResponse(
      NotFoundError("no such control route \"" + std::string(request.path) + "\""));
}

std::string SimService::StatsJson() {
  const StoreCounts counts = store_.Counts();
  std::string json;
  JsonWriter writer(&json);
  writer.BeginObject().Member("profile", SimProfileName(options_.profile));
  writer.Member("users", counts.users).Member("active_users", counts.active_users);
  writer.Member("groups", counts.groups).Member("memberships", counts.memberships);
  writer.Member("memberships_stored", counts.memberships_stored);
  writer.Key("requests").BeginObject();
  writer.Member("total", request_number_.load(std::memory_order_relaxed));
  for (int index = 0; index < kMethodSlots; ++index) {
    writer.Member(kMethodNames[index], requests_by_method_[index].load(std::memory_order_relaxed));
  }
  writer.EndObject().Key("statuses").BeginObject();
  for (int status = 0; status < kStatusSlots; ++status) {
    const uint64_t count = statuses_[status].load(std::memory_order_relaxed);
    if (count > 0) writer.Member(std::to_string(status), count);
  }
  uint64_t throttled = 0;
  for (const auto& count : throttled_by_budget_) throttled += count.load(std::memory_order_relaxed);
  writer.EndObject().Member("throttled", throttled).Key("throttled_by_budget").BeginObject();
  for (int index = 0; index < kBudgetKindCount; ++index) {
    writer.Member(BudgetName(static_cast<BudgetKind>(index)),
                  throttled_by_budget_[index].load(std::memory_order_relaxed));
  }
  writer.EndObject().Key("faults").BeginObject();
  writer.Member("500", faults_500_.load()).Member("drop", faults_drop_.load());
  writer.Member("lost_answer", faults_lost_answer_.load());
  writer.Member("latency", faults_latency_.load());
  writer.Member("429", faults_429_.load()).Member("latency_spike", faults_latency_spike_.load());
  writer.Key("lost_answer_by_method").BeginObject();
  for (int index = 0; index < kMethodSlots; ++index) {
    writer.Member(kMethodNames[index],
                  lost_answers_by_method_[index].load(std::memory_order_relaxed));
  }
  writer.EndObject().EndObject();
  writer.Member("creates", counts.user_creates + counts.group_creates);
  writer.Member("user_creates", counts.user_creates).Member("group_creates", counts.group_creates);
  writer.Member("duplicate_creates", counts.duplicate_creates);
  writer.Key("duplicate_external_ids").BeginArray();
  for (const std::string& external_id : counts.duplicate_external_ids) writer.String(external_id);
  writer.EndArray().EndObject();
  return json;
}

Status SimService::LoadSnapshot(const std::string& path, std::vector<std::string>* warnings) {
  return LoadSnapshotFile(path, &store_, warnings);
}

Status SimService::DumpSnapshot(const std::string& path) { return DumpSnapshotFile(path, &store_); }

}  // namespace scimflow
