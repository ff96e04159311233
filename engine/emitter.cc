#include "engine/emitter.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/emit_state_changes.h"
#include "engine/emit_wire.h"
#include "io/scim_filter.h"

namespace scimflow {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr std::string_view kScimContentType = "application/scim+json";
// Longest Poll() wait when nothing else is due: bounds how late progress and journal flushes are.
constexpr milliseconds kMaxPollWait{50};

}  // namespace

struct Emitter::OpState {
  Phase phase = Phase::kSend;
  uint32_t attempts = 0;  // Requests sent for this operation (lookups included).
  bool marked = false;    // In-flight mark queued.
  bool needs_lookup = false;
  bool adopted = false;
  bool succeeded = false;  // Succeed() ran: a /Bulk dependent of the same batch may count on it.
  std::string target_id;   // The subject's id once known.
  std::string body;        // Rendered at the first send.
  int last_status = 0;
  // The target's error when a create was refused with 409 and is being looked up: if the lookup
  // finds no resource with this externalId, another one holds the unique value (a userName), and
  // sending the create again would only be refused again, forever.
  std::string conflict;
};

struct Emitter::Delayed {
  Clock::time_point due;
  uint32_t index;
  bool operator>(const Delayed& other) const { return due > other.due; }
};

Emitter::Emitter(const ReadPlan& plan, EmitterOptions options, HttpClient* client, Journal* journal,
                 RateBudget* budget, ProgressSink* progress, RunSummary* summary)
    : plan_(plan),
      options_(std::move(options)),
      client_(client),
      journal_(journal),
      budget_(budget),
      progress_(progress),
      summary_(summary),
      retry_(options_.retry),
      scheduler_(plan.operations, budget),
      ops_(plan.operations.size()) {
  while (!options_.target_url.empty() && options_.target_url.back() == '/') {
    options_.target_url.pop_back();
  }
}

Emitter::~Emitter() = default;

std::string_view Emitter::TargetIdOf(uint32_t index) const {
  const PlanOperation& operation = plan_.operations[index];
  if (!ops_[index].target_id.empty()) return ops_[index].target_id;
  if (operation.id_ref != PlanOperation::kNoRef) return ops_[operation.id_ref].target_id;
  return operation.target_id;
}

std::string Emitter::Url(uint32_t index) const {
  const PlanOperation& operation = plan_.operations[index];
  std::string path(operation.path);
  const size_t hole = path.find("{id}");
  if (hole != std::string::npos) path.replace(hole, 4, PercentEncode(TargetIdOf(index)));
  // A target may answer a group's PATCH or PUT with the whole group (RFC 7644 §3.5.2), members
  // included: each member chunk of a large group would fetch every member added so far, and a
  // migration of groups of 20,000 members would spend most of its time there. Nothing is read
  // from that answer; RFC 7644 §3.9 lets the request leave the members out.
  if (IsGroupKind(operation.kind) && (operation.method == "PATCH" || operation.method == "PUT")) {
    path += kWithoutMembers;
  }
  return options_.target_url + path;
}

std::string Emitter::LookupUrl(uint32_t index) const {
  const PlanOperation& operation = plan_.operations[index];
  const bool group = operation.kind == OperationKind::kGroupCreate;
  return fmt::format("{}/{}?filter={}", options_.target_url, group ? "Groups" : "Users",
                     PercentEncode(ScimEqualsFilter("externalId", operation.external_id)));
}

Status Emitter::Prepare() {
  for (uint32_t index = 0; index < plan_.operations.size(); ++index) {
    const PlanOperation& operation = plan_.operations[index];
    ++summary_->kinds[static_cast<size_t>(operation.kind)].planned;
    ops_[index].target_id = operation.target_id;
  }
  // Only member chunks read the map (their state changes name users by externalId): a plan
  // without any neither loads the stored users nor adds an entry per create.
  track_user_ids_ = std::any_of(plan_.operations.begin(), plan_.operations.end(),
                                [](const PlanOperation& operation) {
                                  return operation.kind == OperationKind::kGroupMembersAdd ||
                                         operation.kind == OperationKind::kGroupMembersRemove;
                                });
  if (track_user_ids_) {
    SCIMFLOW_RETURN_IF_ERROR(journal_->state().ForEachUser([this](const UserState& user) {
      user_by_target_id_.emplace(user.target_id, user.external_id);
      return Status::Ok();
    }));
  }
  if (!options_.resume) return Status::Ok();
  summary_->resumed = true;
  SCIMFLOW_ASSIGN_OR_RETURN(ResumeSet resume, journal_->LoadResume());
  std::unordered_map<std::string_view, uint32_t> by_id;
  for (uint32_t index = 0; index < plan_.operations.size(); ++index) {
    by_id.emplace(plan_.operations[index].op_id, index);
  }
  for (const std::string& id : resume.done) {
    const auto found = by_id.find(id);
    if (found == by_id.end()) continue;
    const uint32_t index = found->second;
    const PlanOperation& operation = plan_.operations[index];
    scheduler_.MarkSkipped(index);
    ++summary_->kinds[static_cast<size_t>(operation.kind)].skipped;
    // A skipped create's id is needed by the operations that refer to it.
    if (operation.kind == OperationKind::kUserCreate) {
      SCIMFLOW_ASSIGN_OR_RETURN(std::optional<UserState> user,
                                journal_->state().FindUser(operation.external_id));
      if (user) ops_[index].target_id = user->target_id;
    } else if (operation.kind == OperationKind::kGroupCreate) {
      SCIMFLOW_ASSIGN_OR_RETURN(std::optional<GroupState> group,
                                journal_->state().FindGroup(operation.external_id));
      if (group) ops_[index].target_id = group->target_id;
    }
  }
  for (const std::string& id : resume.in_flight) {
    const auto found = by_id.find(id);
    if (found != by_id.end() && plan_.operations[found->second].IsCreate()) {
      ops_[found->second].needs_lookup = true;
    }
  }
  return Status::Ok();
}

void Emitter::NoteSent(uint32_t index) {
  const PlanOperation& operation = plan_.operations[index];
  OpState& op = ops_[index];
  if (!op.marked) {
    writer_->QueueInFlight(std::string(operation.op_id),
                           std::string(OperationKindName(operation.kind)), 1);
    op.marked = true;
  }
  if (op.attempts > 0) ++summary_->retries;
  ++op.attempts;
}

bool Emitter::NeedsLookup(uint32_t index) const { return ops_[index].needs_lookup; }

bool Emitter::Succeeded(uint32_t index) const { return ops_[index].succeeded; }

void Emitter::Submit(uint32_t index, Clock::time_point now) {
  const PlanOperation& operation = plan_.operations[index];
  OpState& op = ops_[index];
  HttpRequest request;
  request.tag = index;
  for (const RequiredHeader& header : options_.profile->required_headers) {
    if (!header.value.empty()) request.headers.emplace_back(header.name, header.value);
  }
  if (op.phase == Phase::kLookup) {
    request.method = "GET";
    request.url = LookupUrl(index);
    ++summary_->lookups;
  } else if (op.phase == Phase::kConverge) {
    request.method = "PATCH";
    request.url = options_.target_url +
                  (operation.kind == OperationKind::kGroupCreate ? "/Groups/" : "/Users/") +
                  PercentEncode(op.target_id);
    request.body = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)"
                   R"("Operations":[{"op":"replace","path":"active","value":true}]})";
  } else {
    request.method = operation.method;
    request.url = Url(index);
    if (op.body.empty() && !operation.body.empty()) {
      op.body = RenderBody(operation.body,
                           [this](uint32_t ref) -> std::string_view { return TargetIdOf(ref); });
    }
    request.body = op.body;
  }
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", kScimContentType);
  NoteSent(index);
  ++summary_->requests_sent;
  ++in_flight_;
  client_->Submit(std::move(request));
}

void Emitter::Launch(uint32_t index, Clock::time_point now) {
  OpState& op = ops_[index];
  if (op.needs_lookup) {
    op.needs_lookup = false;
    op.phase = Phase::kLookup;
    // The scheduler drew the create's budgets; the lookup is a read and draws `requests` only.
    const BudgetDraws draws = scheduler_.Draws(index);
    budget_->Refund(std::span<const BudgetDraw>(draws).subspan(1), now);
  }
  Submit(index, now);
}

void Emitter::Delay(uint32_t index, nanoseconds wait, Clock::time_point now) {
  delayed_.push_back({now + std::chrono::duration_cast<Clock::duration>(wait), index});
  std::push_heap(delayed_.begin(), delayed_.end(), std::greater<>());
}

void Emitter::LaunchDue(Clock::time_point now) {
  std::vector<std::pair<uint32_t, nanoseconds>> held;  // Re-queued after the loop, not re-popped.
  while (!delayed_.empty() && delayed_.front().due <= now && in_flight_ < options_.concurrency) {
    std::pop_heap(delayed_.begin(), delayed_.end(), std::greater<>());
    const uint32_t index = delayed_.back().index;
    delayed_.pop_back();
    // A retry spends the budget again: lookups draw `requests`, re-sends everything they draw.
    BudgetDraws draws = scheduler_.Draws(index);
    if (ops_[index].phase == Phase::kLookup) draws.resize(1);
    Result<AcquireResult> acquired = budget_->TryAcquire(draws, now);
    if (acquired.ok() && !acquired->acquired) {
      limiting_budget_ = acquired->limiting_budget;
      held.emplace_back(index, std::max<nanoseconds>(acquired->wait, milliseconds(1)));
      continue;
    }
    Submit(index, now);
  }
  for (const auto& [index, wait] : held) Delay(index, wait, now);
}

void Emitter::FillFromScheduler(Clock::time_point now) {
  limiting_budget_.clear();
  while (in_flight_ < options_.concurrency && stop_.ok()) {
    if (bulk_limits_) {
      // Outcomes still waiting for their commit release their dependents only once committed,
      // and those may fill this batch (a group's member adds behind the user creates they
      // name). A commit is one fsync; a batch is up to maxOperations requests: wait for it.
      if (!uncommitted_.empty()) return;
      if (!FillBatch(now)) return;
      continue;
    }
    Scheduler::Pick pick = scheduler_.Next(now);
    if (pick.index == Scheduler::kNone) {
      limiting_budget_ = pick.limiting_budget;
      return;
    }
    if (!pick.error.ok()) {
      FailOp(pick.index, 0, pick.error.message(), now);
      continue;
    }
    Launch(pick.index, now);
  }
}

void Emitter::ApplyHints(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                         Clock::time_point now) {
  const RateLimitHints& hints = outcome.hints;
  // The simulator, and GitHub for its primary limits, name the budget the headers describe;
  // without a name they describe the token's request budget.
  std::string_view resource = response.Header("x-ratelimit-resource");
  if (resource.empty()) resource = budget::kRequests;
  const std::string_view scope = resource == budget::kGroupMemberAdds
                                     ? plan_.operations[index].external_id
                                     : std::string_view();
  if (hints.remaining) {
    budget_->ObserveRemaining(resource, scope, *hints.remaining, hints.reset_after, now);
  }
  if (outcome.status.code() != StatusCode::kResourceExhausted) return;
  ++summary_->rate_limited;
  const auto until = now + std::chrono::duration_cast<Clock::duration>(
                               hints.retry_after.value_or(config::kDefaultRateLimitWait));
  if (response.HasHeader("x-ratelimit-resource")) {
    budget_->PauseUntil(resource, scope, until, now);
  } else {
    budget_->PauseAll(until);
  }
}

void Emitter::Retry(uint32_t index, const HttpOutcome& outcome, Clock::time_point now) {
  OpState& op = ops_[index];
  const RetryDecision decision =
      retry_.Decide(outcome.status, op.attempts, outcome.hints.retry_after);
  switch (decision.action) {
    case RetryAction::kRetryAfterWait:
      Delay(index, decision.delay, now);
      return;
    case RetryAction::kLookUpFirst:
      op.conflict = outcome.http_status == 409 ? outcome.status.message() : std::string();
      op.phase = Phase::kLookup;
      Delay(index, nanoseconds(0), now);
      return;
    case RetryAction::kStopRun:
      // No HTTP status: the TLS handshake failed (io/http_outcome), not the credentials.
      stop_ = Status(
          StatusCode::kUnauthenticated,
          outcome.http_status == 0
              ? fmt::format("TLS verification of the target failed ({}); trust its CA "
                            "with --ca-file F",
                            outcome.status.message())
              : fmt::format("credentials refused by the target: {}", outcome.status.message()));
      FailOp(index, outcome.http_status, outcome.status.message(), now);
      return;
    case RetryAction::kDone:
      Succeed(index, outcome.http_status, now);
      return;
    case RetryAction::kFail:
      FailOp(index, outcome.http_status, outcome.status.message(), now);
      return;
  }
}

void Emitter::HandleSend(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                         Clock::time_point now) {
  const PlanOperation& operation = plan_.operations[index];
  OpState& op = ops_[index];
  if (outcome.status.ok()) {
    if (op.phase == Phase::kSend && operation.IsCreate()) {
      const FoundResource created = ParseFound(response.body, false);
      if (!created.found) {
        FailOp(index, outcome.http_status, "create answer carries no id", now);
        return;
      }
      op.target_id = created.id;
    }
    Succeed(index, outcome.http_status, now);
    return;
  }
  // A DELETE that finds the resource gone has reached its goal. Usually an earlier attempt
  // deleted it and its answer was lost; that attempt may also be libcurl's own re-send of a
  // request whose answer was lost on a reused connection (io/http_client.h), which the engine
  // counts as the first attempt, so the 404 is accepted on any attempt.
  if (operation.method == "DELETE" && outcome.http_status == 404) {
    Succeed(index, outcome.http_status, now);
    return;
  }
  Retry(index, outcome, now);
}

void Emitter::HandleLookup(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                           Clock::time_point now) {
  OpState& op = ops_[index];
  if (!outcome.status.ok()) {
    Retry(index, outcome, now);
    return;
  }
  const FoundResource found = ParseFound(response.body, true);
  if (!found.found && !op.conflict.empty()) {
    FailOp(index, 409, std::move(op.conflict), now);
    return;
  }
  if (!found.found) {
    op.phase = Phase::kSend;            // Nothing was created: the create may be sent again.
    Delay(index, nanoseconds(0), now);  // Through LaunchDue: the create draws its budgets again.
    return;
  }
  op.target_id = found.id;
  op.adopted = true;
  if (!found.active) {
    op.phase = Phase::kConverge;        // Creates are always active; the found user is not.
    Delay(index, nanoseconds(0), now);  // A reactivation: it draws what a create draws.
    return;
  }
  Succeed(index, outcome.http_status, now);
}

void Emitter::Handle(const HttpResponse& response, Clock::time_point now) {
  --in_flight_;
  if (response.transport == TransportError::kConnectFailed) {
    ++connect_failures_;
  } else {
    ++answers_;
  }
  if (batches_.contains(response.tag)) {
    HandleBatch(response, now);
    return;
  }
  HandleAnswer(static_cast<uint32_t>(response.tag), response, now, true);
}

void Emitter::HandleAnswer(uint32_t index, const HttpResponse& response, Clock::time_point now,
                           bool hints) {
  OpState& op = ops_[index];
  const PlanOperation& operation = plan_.operations[index];
  const RequestKind kind =
      op.phase == Phase::kSend && operation.IsCreate() ? RequestKind::kCreate : RequestKind::kOther;
  const HttpOutcome outcome =
      ClassifyHttpResponse(response, kind, std::chrono::system_clock::now());
  op.last_status = outcome.http_status;
  if (hints) ApplyHints(index, outcome, response, now);
  if (op.phase == Phase::kLookup) {
    HandleLookup(index, outcome, response, now);
  } else {
    HandleSend(index, outcome, response, now);
  }
}

void Emitter::Succeed(uint32_t index, int http_status, Clock::time_point now) {
  const PlanOperation& operation = plan_.operations[index];
  OpState& op = ops_[index];
  if (op.body.empty() && !operation.body.empty()) {
    op.body = RenderBody(operation.body,
                         [this](uint32_t ref) -> std::string_view { return TargetIdOf(ref); });
  }
  if (op.adopted) ++summary_->adopted;
  op.succeeded = true;
  const std::string target_id(TargetIdOf(index));
  if (track_user_ids_ && operation.kind == OperationKind::kUserCreate) {
    user_by_target_id_[target_id] = operation.external_id;
  }
  OperationOutcome outcome;
  outcome.op_id = operation.op_id;
  outcome.kind = std::string(OperationKindName(operation.kind));
  outcome.state = OutcomeState::kDone;
  outcome.target_id = target_id;
  if (http_status != 0) outcome.http_status = http_status;
  outcome.attempts = std::max<uint32_t>(op.attempts, 1);
  if (operation.kind == OperationKind::kUserCreate) {
    // A created user's state change is a parse of the body sent and hashes of its attributes,
    // which need nothing of the driver's state: the journal's thread works it out, and this one
    // goes on sending. Its errors come back through FlushJournal.
    auto complete = [&operation, body = std::move(op.body)](OperationOutcome* done) -> Status {
      SCIMFLOW_ASSIGN_OR_RETURN(done->changes,
                                StateChangesFor({&operation, done->target_id, body}));
      return Status::Ok();
    };
    uncommitted_.push_back(
        {writer_->QueueOutcome(std::move(outcome), std::move(complete)), index, true});
    op.body = std::string();
    return;
  }
  Result<std::vector<StateChange>> changes =
      StateChangesFor({&operation, target_id, op.body, &user_by_target_id_, reader_});
  if (changes.ok()) {
    outcome.changes = std::move(*changes);
  } else {
    stop_ = changes.status();
  }
  uncommitted_.push_back({writer_->QueueOutcome(std::move(outcome)), index, true});
  op.body.clear();
  op.body.shrink_to_fit();
}

void Emitter::FailOp(uint32_t index, int http_status, std::string error, Clock::time_point now) {
  const PlanOperation& operation = plan_.operations[index];
  OperationOutcome outcome;
  outcome.op_id = operation.op_id;
  outcome.kind = std::string(OperationKindName(operation.kind));
  outcome.state = OutcomeState::kFailed;
  outcome.target_id = std::string(TargetIdOf(index));
  if (http_status != 0) outcome.http_status = http_status;
  outcome.error = error;
  outcome.attempts = ops_[index].attempts;
  uncommitted_.push_back({writer_->QueueOutcome(std::move(outcome)), index, false});
  summary_->failures.push_back({std::string(operation.op_id),
                                std::string(OperationKindName(operation.kind)),
                                std::string(operation.external_id), http_status, std::move(error)});
}

Status Emitter::FlushJournal(bool force, Clock::time_point now) {
  writer_->Handover(now);
  if (force) writer_->CommitSoon();
  SCIMFLOW_RETURN_IF_ERROR(writer_->status());
  // The writer commits in queue order: every outcome up to `committed` is durable.
  const uint64_t committed = writer_->committed();
  // Read after committed(): a state change that failed among those outcomes is seen here, and
  // stops the run before their dependents can be sent.
  if (stop_.ok()) stop_ = writer_->changes_status();
  while (!uncommitted_.empty() && uncommitted_.front().sequence <= committed) {
    const uint32_t index = uncommitted_.front().index;
    const bool succeeded = uncommitted_.front().succeeded;
    uncommitted_.pop_front();
    KindOutcomes& kind = summary_->kinds[static_cast<size_t>(plan_.operations[index].kind)];
    if (succeeded) {
      ++kind.done;
      scheduler_.Complete(index);
      continue;
    }
    ++kind.failed;
    for (Scheduler::DependentFailure& failure : scheduler_.Fail(index)) {
      FailOp(failure.index, 0, std::move(failure.error), now);
    }
  }
  writer_->Handover(now);  // The failures of dependents, if any.
  return Status::Ok();
}

void Emitter::ReportProgress(Clock::time_point now, bool final) {
  if (progress_ == nullptr) return;
  if (!final && now - last_progress_ < options_.progress_interval) return;
  last_progress_ = now;
  Progress progress;
  for (const KindOutcomes& kind : summary_->kinds) {
    progress.operations_total += kind.planned - kind.skipped;
    progress.operations_done += kind.done + kind.failed;
    progress.operations_failed += kind.failed;
  }
  progress.requests_sent = summary_->requests_sent;
  progress.rate_limited = summary_->rate_limited;
  progress.retries = summary_->retries;
  progress.elapsed = now - start_;
  progress.eta = scheduler_.EstimateRemaining(now);
  progress.limiting_budget = limiting_budget_;
  progress.kinds = summary_->kinds;
  if (final) {
    progress_->Finish(progress);
  } else {
    progress_->Update(progress);
  }
}

Status Emitter::Run() {
  start_ = Clock::now();
  last_progress_ = start_;
  SCIMFLOW_RETURN_IF_ERROR(Prepare());
  SCIMFLOW_ASSIGN_OR_RETURN(reader_, journal_->Reader());
  writer_ = std::make_unique<JournalWriter>(journal_, journal_->options(),
                                            [client = client_] { client->Wake(); });
  Status status = Drive();
  // Whatever is still queued (failures after a stop) commits before the journal is handed back.
  const Status closed = writer_->Close();
  writer_.reset();
  if (status.ok() && !closed.ok()) status = closed;
  summary_->wall_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  if (!status.ok()) return status;
  ReportProgress(Clock::now(), true);
  return stop_;
}

Status Emitter::Drive() {
  DiscoverBulk();
  scheduler_.Start();
  std::vector<HttpResponse> done;
  while (true) {
    Clock::time_point now = Clock::now();
    if (stop_.ok()) {
      LaunchDue(now);
      FillFromScheduler(now);
    }
    // Unreachable target: nothing ever answered, and a window's worth of requests failed to
    // connect. Checked whether or not requests are still in flight: retries keep the window full,
    // so waiting for it to empty would retry every operation of the plan for hours.
    if (stop_.ok() && answers_ == 0 && connect_failures_ > 0 &&
        connect_failures_ >= std::min<size_t>(options_.concurrency, ops_.size())) {
      stop_ = Status(StatusCode::kUnavailable,
                     fmt::format("target unreachable: {}", options_.target_url));
    }
    if (in_flight_ == 0 && (scheduler_.unfinished() == 0 || !stop_.ok()) && uncommitted_.empty()) {
      break;
    }
    if (in_flight_ == 0 && !stop_.ok()) break;
    milliseconds wait = kMaxPollWait;
    if (!delayed_.empty()) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(
                                std::max(Clock::duration(0), delayed_.front().due - now)));
    }
    // Nothing more can leave before outcomes commit (dependencies, or the end): ask the writer
    // not to wait for a full group. It wakes Poll() when a commit is done.
    const bool starved = in_flight_ < options_.concurrency && delayed_.empty();
    SCIMFLOW_RETURN_IF_ERROR(FlushJournal(starved, now));
    done.clear();
    client_->Poll(wait, &done);
    now = Clock::now();
    for (const HttpResponse& response : done) Handle(response, now);
    SCIMFLOW_RETURN_IF_ERROR(FlushJournal(false, now));
    ReportProgress(now, false);
  }
  // Commit what is left and release it; released failures may queue their dependents' failures.
  do {
    SCIMFLOW_RETURN_IF_ERROR(writer_->Sync());
    SCIMFLOW_RETURN_IF_ERROR(FlushJournal(true, Clock::now()));
  } while (writer_->committed() < writer_->queued());
  return Status::Ok();
}

}  // namespace scimflow
