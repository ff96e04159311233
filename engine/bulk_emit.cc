// The emitter's /Bulk path (SPEC §5, RFC 7644 §3.7): discovery of the target's limits, packing
// ready operations into batches, and handing each operation's share of a BulkResponse to the
// same outcome path single requests take (Emitter::HandleAnswer: classification, retries,
// lookups, journal, state).
//
// - Discovery: at the start of a run, `GET /ServiceProviderConfig` when the profile supports
//   Bulk (generic; a profile file's `bulk off` says it does not) and --no-bulk is not given;
//   `bulk.supported: true` with both limits switches the run to batches.
// - Packing: operations leave the scheduler in its order (budgets drawn per operation, as for
//   single requests) and fill a batch up to `maxOperations` and `maxPayloadSize`. After a create
//   is packed, the operations waiting for it whose other dependencies are done or in the same
//   batch are packed too, naming the batch's creates as `bulkId:N` (a group create and its member
//   additions travel with the user creates they name). An operation too large for any batch,
//   and a create that must be looked up first (--resume), go as single requests.
// - Results: each operation gets a synthetic answer (its status; a create's id from its
//   `location`; its error `response`) and goes through HandleAnswer. A whole-batch failure (5xx,
//   429, lost answer) gives every operation the batch's answer, so lost creates are looked up by
//   externalId before being sent again. An operation whose in-batch dependency was not done in
//   that batch was not applied (unresolvable `bulkId`): it goes back to wait for it.
#include <fmt/format.h>

#include <thread>
#include <unordered_map>

#include "engine/emit_wire.h"
#include "engine/emitter.h"
#include "io/json_writer.h"

namespace scimflow {
namespace {

// Tags of /Bulk requests; single requests are tagged with their operation index (< 2^32).
constexpr uint64_t kBatchTagBit = uint64_t{1} << 63;
constexpr uint64_t kDiscoveryTag = uint64_t{1} << 62;
constexpr std::string_view kScimContentType = "application/scim+json";

}  // namespace

void Emitter::DiscoverBulk() {
  if (!options_.bulk || options_.profile == nullptr || !options_.profile->supports_bulk) return;
  // A 5xx or a lost answer is retried like any request (backoff, attempt limit): one unlucky
  // answer must not cost the whole run its batches.
  for (uint32_t attempts = 1;; ++attempts) {
    HttpRequest request;
    request.tag = kDiscoveryTag;
    request.method = "GET";
    request.url = options_.target_url + "/ServiceProviderConfig";
    for (const RequiredHeader& header : options_.profile->required_headers) {
      if (!header.value.empty()) request.headers.emplace_back(header.name, header.value);
    }
    if (attempts > 1) ++summary_->retries;
    ++summary_->requests_sent;
    client_->Submit(std::move(request));
    std::vector<HttpResponse> done;
    while (done.empty()) client_->Poll(std::chrono::milliseconds(100), &done);
    const HttpResponse& response = done.front();
    const HttpOutcome outcome =
        ClassifyHttpResponse(response, RequestKind::kOther, std::chrono::system_clock::now());
    if (outcome.status.code() == StatusCode::kUnavailable) {
      const RetryDecision decision =
          retry_.Decide(outcome.status, attempts, outcome.hints.retry_after);
      if (decision.action != RetryAction::kRetryAfterWait) return;
      std::this_thread::sleep_for(decision.delay);
      continue;
    }
    // Without an answer, or with one that offers no Bulk, the run sends single requests.
    if (response.status != 200) return;
    Result<std::optional<BulkLimits>> limits = ParseBulkLimits(response.body);
    if (limits.ok()) bulk_limits_ = *limits;
    return;
  }
}

bool Emitter::FillBatch(Clock::time_point now) {
  Batch batch;
  BulkBatch packer(*bulk_limits_);
  // Creates packed in this batch: operation index → "bulkId:N".
  std::unordered_map<uint32_t, std::string> packed_creates;
  const auto in_batch = [&](uint32_t dep) { return packed_creates.contains(dep); };
  const auto item_of = [&](uint32_t index) {
    const PlanOperation& operation = plan_.operations[index];
    BulkItem item;
    item.index = index;
    item.method = operation.method;
    item.path = operation.path;
    const size_t hole = item.path.find("{id}");
    if (hole != std::string::npos) {
      const std::string_view id = TargetIdOf(index);
      const auto ref = packed_creates.find(operation.id_ref);
      item.path.replace(
          hole, 4, id.empty() && ref != packed_creates.end() ? ref->second : PercentEncode(id));
    }
    // RFC 7644 §3.7.2: every POST carries a bulkId; creates are named by it.
    if (operation.method == "POST") item.bulk_id = std::to_string(index);
    if (!operation.body.empty()) {
      item.data = RenderBody(operation.body, [&](uint32_t ref) -> std::string_view {
        const auto packed = packed_creates.find(ref);
        return packed != packed_creates.end() ? std::string_view(packed->second) : TargetIdOf(ref);
      });
    }
    return item;
  };
  const auto pack = [&](BulkItem item) {
    std::vector<uint32_t> deps;
    for (uint32_t dep : plan_.operations[item.index].deps) {
      if (in_batch(dep)) deps.push_back(dep);
    }
    if (plan_.operations[item.index].IsCreate()) {
      packed_creates.emplace(item.index, std::string(kBulkIdRefPrefix) + item.bulk_id);
    }
    batch.items.push_back(std::move(item));
    batch.deps_in_batch.push_back(std::move(deps));
  };
  bool more = true;
  while (packer.size() < bulk_limits_->max_operations) {
    uint32_t index = carried_;
    carried_ = Scheduler::kNone;
    if (index == Scheduler::kNone) {
      Scheduler::Pick pick = scheduler_.Next(now);
      if (pick.index == Scheduler::kNone) {
        limiting_budget_ = pick.limiting_budget;
        more = false;
        break;
      }
      if (!pick.error.ok()) {
        FailOp(pick.index, 0, pick.error.message(), now);
        continue;
      }
      index = pick.index;
    }
    if (NeedsLookup(index)) {
      Launch(index, now);
      continue;
    }
    BulkItem item = item_of(index);
    if (!packer.TryAdd(item)) {
      if (packer.TooLargeAlone(item)) {
        Launch(index, now);  // Over maxPayloadSize on its own: a normal request.
        continue;
      }
      carried_ = index;  // Opens the next batch.
      break;
    }
    pack(std::move(item));
    if (!plan_.operations[index].IsCreate()) continue;
    // Dependents that may now travel in this batch, right behind what they name.
    for (size_t next = batch.items.size() - 1; next < batch.items.size(); ++next) {
      if (!plan_.operations[batch.items[next].index].IsCreate()) continue;
      for (uint32_t dependent : scheduler_.Dependents(batch.items[next].index)) {
        if (packer.size() >= bulk_limits_->max_operations) break;
        bool ready = true;
        for (uint32_t dep : plan_.operations[dependent].deps) {
          ready = ready && (Succeeded(dep) || in_batch(dep));
        }
        if (!ready) continue;
        BulkItem early = item_of(dependent);
        if (!packer.Fits(early) || !scheduler_.TakeEarly(dependent, in_batch, now)) continue;
        packer.TryAdd(early);
        pack(std::move(early));
      }
    }
  }
  if (!batch.items.empty()) {
    batch.body = packer.Render();
    SubmitBatch(std::move(batch), now);
  }
  return more;
}

void Emitter::SubmitBatch(Batch batch, Clock::time_point now) {
  HttpRequest request;
  request.tag = kBatchTagBit | next_batch_++;
  request.method = "POST";
  request.url = options_.target_url + "/Bulk";
  for (const RequiredHeader& header : options_.profile->required_headers) {
    if (!header.value.empty()) request.headers.emplace_back(header.name, header.value);
  }
  request.headers.emplace_back("Content-Type", kScimContentType);
  request.body = std::move(batch.body);
  for (const BulkItem& item : batch.items) NoteSent(item.index);
  ++summary_->requests_sent;
  ++summary_->bulk_requests;
  ++in_flight_;
  batches_.emplace(request.tag, std::move(batch));
  client_->Submit(std::move(request));
}

void Emitter::HandleBatch(const HttpResponse& response, Clock::time_point now) {
  auto node = batches_.extract(response.tag);
  const Batch& batch = node.mapped();
  // The batch's own rate-limit hints, applied once for all of its operations.
  const HttpOutcome outcome =
      ClassifyHttpResponse(response, RequestKind::kOther, std::chrono::system_clock::now());
  ApplyHints(batch.items.front().index, outcome, response, now);
  std::vector<std::optional<BulkResult>> results(batch.items.size());
  const bool whole = response.transport != TransportError::kNone || response.status != 200;
  if (!whole) {
    Result<std::vector<std::optional<BulkResult>>> parsed =
        ParseBulkResponse(response.body, batch.items);
    if (parsed.ok()) results = std::move(*parsed);
  }
  for (size_t position = 0; position < batch.items.size(); ++position) {
    const uint32_t index = batch.items[position].index;
    bool named_done = true;
    for (uint32_t dep : batch.deps_in_batch[position]) named_done = named_done && Succeeded(dep);
    if (!named_done) {
      scheduler_.Unsend(index);  // Not applied: a create it names is not done yet.
      continue;
    }
    HttpResponse answer;
    answer.tag = index;
    if (whole) {
      answer.status = response.status;
      answer.transport = response.transport;
      answer.request_sent = response.request_sent;
      answer.transport_message = response.transport_message;
      answer.headers = response.headers;
      answer.body = response.body;
    } else if (!results[position]) {
      // A 200 that does not answer this operation: as good as a lost answer.
      answer.transport = TransportError::kReset;
      answer.request_sent = true;
      answer.transport_message = "the /Bulk answer has no result for this operation";
    } else {
      BulkResult& result = *results[position];
      answer.status = result.status;
      if (!result.location.empty()) answer.headers.emplace_back("location", result.location);
      if (result.status < 300 && !result.id.empty()) {
        JsonWriter(&answer.body).BeginObject().Member("id", result.id).EndObject();
      } else {
        answer.body = std::move(result.response);
      }
    }
    HandleAnswer(index, answer, now, /*hints=*/false);
  }
}

}  // namespace scimflow
