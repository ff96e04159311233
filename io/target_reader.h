// TargetReader: reads what a live SCIM target holds (`scimflow snapshot`, `plan --target`; SPEC
// §3) into the same chunks the snapshot file reader produces, so a live read, a snapshot file and
// the state store all feed CurrentState through the same calls.
//
// Requests, in this order:
//   1. `GET /Users?startIndex=1&count=N`: the first page tells totalResults (and the page size
//      the target really serves, which may be less than N);
//   2. the remaining user pages, concurrently (at most `max_in_flight` requests at once);
//   3. `GET /Groups?excludedAttributes=members&startIndex=1&count=N`, then the remaining group
//      pages the same way;
//   4. `GET /Groups/{id}` for every group whose listing carried no `members` (a target that
//      ignores excludedAttributes saves these requests).
// Every answer is classified by io/http_outcome and retried per engine/retry_policy: 5xx,
// timeouts and resets with backoff, 429 and rate-limit 403 after Retry-After (or the rate-limit
// reset). Every request draws one token of the `requests` budget when a RateBudget is given, so a
// read of a GitHub enterprise stays inside the token's 5,000 requests per hour.
//
// Deterministic: pages and groups are handed to the sink in listing order whatever order the
// answers arrive in (answers that arrive early wait; at most a few windows of them, so memory
// stays bounded by the window, not by the target's size). A page shorter than it should be (the
// target returned fewer than `count` resources before the end) is completed by another request
// from where it stopped.
//
// Failures (the read stops; messages name the request URL, which carries the startIndex):
//   kUnauthenticated  401, or TLS verification failed: `GET URL: HTTP 401: bad credentials`;
//   kUnavailable      5xx, timeouts, resets or connect failures beyond the retry budget;
//   kResourceExhausted  rate-limited beyond the retry budget;
//   kFailedPrecondition other 4xx (a wrong base URL answers 404, a token without scope 403);
//   kDataLoss         a broken page: `GET URL: startIndex 101: malformed JSON`, a wrong type
//                     (`wrong type for "totalResults": expected integer`), more resources than
//                     asked, an empty page before the end, or `totalResults changed from 1000 to
//                     1001 during the read` (the target changed under the read: read again).
// A single resource that is valid JSON but unusable (no externalId, a wrong attribute type) is
// not a read failure: it becomes a reject of its chunk, located by its listing position (users
// 1..U, groups U+1..), like a line of the snapshot file the read is equivalent to.
//
// Ownership: borrows the HttpClient (and the RateBudget), which must outlive the reader.
// Thread-safety: Read() makes the calling thread the client's driver (it calls Poll()); no other
// thread may poll the same client meanwhile. The sink is called on that thread.
#ifndef SCIMFLOW_IO_TARGET_READER_H_
#define SCIMFLOW_IO_TARGET_READER_H_

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/current_state.h"
#include "engine/rate_budget.h"
#include "engine/retry_policy.h"
#include "engine/status.h"
#include "io/http_client.h"
#include "io/snapshot_file.h"

namespace scimflow {

struct TargetReaderOptions {
  // Resources asked for per list request. Default 100: what Okta asks GitHub for; GitHub
  // documents no maximum, and the simulator serves up to 1000. A target that serves fewer is
  // followed (the first page's size is used for the rest).
  uint32_t page_size = 100;
  // Requests in flight at once. Default 8: enough to hide a 100 ms round trip behind the parsing;
  // the HttpClient's own limit also applies.
  uint32_t max_in_flight = 8;
  // Read groups and their members. False reads users only (a plan without a groups file leaves
  // the target's groups alone, so it need not read them).
  bool read_groups = true;
  RetryOptions retry;
};

// What a read cost, for the summary.
struct TargetReadStats {
  uint64_t requests = 0;      // sent, retries included
  uint64_t retries = 0;       // re-sent after a 5xx, timeout, reset or rate limit
  uint64_t rate_limited = 0;  // 429 and rate-limit 403 answers
  uint64_t users = 0;
  uint64_t groups = 0;
  uint64_t member_requests = 0;  // GET /Groups/{id}
};

class TargetReader {
 public:
  // Called with the parsed resources in listing order: one chunk per user page, then one chunk
  // per group (with its members as target user ids). A non-ok Status stops the read.
  using Sink = std::function<Status(SnapshotChunk&)>;

  // `base_url` is the target's SCIM root, e.g. `https://api.github.com/scim/v2/enterprises/acme`
  // (a trailing slash is ignored). `budget` may be null (no pacing).
  TargetReader(HttpClient* client, std::string base_url, TargetReaderOptions options,
               RateBudget* budget);
  ~TargetReader();
  TargetReader(const TargetReader&) = delete;
  TargetReader& operator=(const TargetReader&) = delete;

  // Reads the whole target; see the file comment for the order and the errors.
  Status Read(const Sink& sink);

  const std::string& base_url() const { return base_url_; }
  const TargetReadStats& stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct GroupListing;
  struct InFlight;
  // The work of one list (users or groups): its path, its totals, its parsed pages.
  struct ListRead;
  // Hands back the continuation URL of a short page, or nothing when the item is complete.
  using Handler = std::function<Result<std::optional<std::string>>(
      size_t item, const std::string& url, const HttpResponse& answer)>;

  // Fetches items 0..count-1: `url_of(item)` (empty: nothing to fetch), answers to `handle`,
  // then `deliver(item)` in item order. Retries, pacing and the in-flight bound live here.
  Status Fetch(size_t count, const std::function<std::string(size_t)>& url_of,
               const Handler& handle, const std::function<Status(size_t)>& deliver);
  Status ReadList(ListRead* list, const std::function<Status(size_t)>& deliver);
  Status OnAnswer(InFlight request, const HttpResponse& answer, const Handler& handle,
                  std::vector<uint8_t>* complete,
                  std::multimap<Clock::time_point, InFlight>* waiting);
  Result<std::optional<std::string>> ParsePage(ListRead* list, size_t item, const std::string& url,
                                               const HttpResponse& answer);
  std::string PageUrl(const ListRead& list, uint64_t start_index, uint64_t count) const;
  Status ReadMembers(const Sink& sink);

  HttpClient* client_;
  std::string base_url_;
  TargetReaderOptions options_;
  RateBudget* budget_;
  RetryPolicy retry_;
  TargetReadStats stats_;
  uint64_t next_tag_ = 1;
  uint64_t users_total_ = 0;
  std::vector<GroupListing> groups_;
  // Parsed chunks waiting for their turn, by item.
  std::unordered_map<size_t, std::unique_ptr<SnapshotChunk>> ready_;
};

// The parts of a SCIM ListResponse (RFC 7644 §3.4.2) the reader uses; `resources` view into the
// answer's buffer, each the raw JSON of one element of `Resources`.
struct ListPage {
  std::optional<uint64_t> total;
  std::vector<std::string_view> resources;
};

// Reads one ListResponse answer. Fails (kDataLoss or the JSON error) with the reason only —
// `malformed JSON`, `wrong type for "totalResults": expected non-negative integer`, `missing
// required attribute "totalResults"`, … — the caller adds the URL and startIndex. Pages the
// reader fetches and the fuzz target both come through here.
Status ParseListResponse(simdjson::ondemand::parser& parser, const simdjson::padded_string& body,
                         ListPage* page);

// Reads the target into a finalized CurrentState named after `reader.base_url()`; rejected
// resources become its issues. Errors: those of TargetReader::Read.
Result<std::unique_ptr<CurrentState>> LoadCurrentStateFromTarget(TargetReader& reader);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_TARGET_READER_H_
