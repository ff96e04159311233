#include "io/target_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "engine/target_profile.h"
#include "io/http_outcome.h"
#include "io/percent_encode.h"
#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace ondemand = simdjson::ondemand;

// Items fetched ahead of the oldest one not yet handed to the sink, per request in flight.
// Answers that arrive early wait in memory; four per request keep every connection busy while
// one slow page holds the line, and bound the waiting pages to a few dozen.
constexpr size_t kWindowPerRequest = 4;
// Longest sleep of the driver loop; answers and due retries wake it sooner.
constexpr std::chrono::milliseconds kIdleWait{100};

Status PageError(const std::string& url, uint64_t start_index, std::string_view reason) {
  return Status(StatusCode::kDataLoss,
                fmt::format("GET {}: startIndex {}: {}", url, start_index, reason));
}

}  // namespace

Status ParseListResponse(ondemand::parser& parser, const simdjson::padded_string& body,
                         ListPage* page) {
  ondemand::document document;
  ondemand::object object;
  if (auto error = parser.iterate(body).get(document)) return JsonErrorStatus(error);
  if (auto error = document.get_object().get(object)) {
    if (error != simdjson::INCORRECT_TYPE) return JsonErrorStatus(error);
    return Status(StatusCode::kDataLoss, "wrong type for the answer: expected object");
  }
  for (auto member : object) {
    ondemand::field field;
    std::string_view key;
    if (auto error = std::move(member).get(field)) return JsonErrorStatus(error);
    if (auto error = field.unescaped_key().get(key)) return JsonErrorStatus(error);
    if (key == "totalResults") {
      uint64_t total = 0;
      if (auto error = field.value().get_uint64().get(total)) {
        if (error != simdjson::INCORRECT_TYPE && error != simdjson::NUMBER_ERROR) {
          return JsonErrorStatus(error);
        }
        return Status(StatusCode::kDataLoss,
                      "wrong type for \"totalResults\": expected non-negative integer");
      }
      page->total = total;
    } else if (key == "Resources") {
      ondemand::array array;
      if (auto error = field.value().get_array().get(array)) {
        if (error != simdjson::INCORRECT_TYPE) return JsonErrorStatus(error);
        return Status(StatusCode::kDataLoss, "wrong type for \"Resources\": expected array");
      }
      for (auto element : array) {
        ondemand::object resource;
        std::string_view text;
        if (auto error = element.get_object().get(resource)) {
          if (error != simdjson::INCORRECT_TYPE) return JsonErrorStatus(error);
          return Status(StatusCode::kDataLoss,
                        "wrong type for an element of \"Resources\": expected object");
        }
        if (auto error = resource.raw_json().get(text)) return JsonErrorStatus(error);
        page->resources.push_back(text);
      }
    }
  }
  SCIMFLOW_RETURN_IF_ERROR(FinishDocument(document));
  if (!page->total) {
    return Status(StatusCode::kDataLoss, "missing required attribute \"totalResults\"");
  }
  return Status::Ok();
}

struct TargetReader::GroupListing {
  std::string id;
  std::string external_id;
  std::string display_name;
  uint64_t line = 0;
  bool listed_members = false;  // the listing carried `members`: no GET /Groups/{id} needed
  std::vector<std::string> members;
};

struct TargetReader::InFlight {
  size_t item = 0;
  std::string url;
  uint32_t attempts = 1;
};

struct TargetReader::ListRead {
  std::string path;  // "/Users" or "/Groups?excludedAttributes=members"
  bool users = true;
  uint64_t line_base = 0;  // listing position + line_base = the resource's line
  uint64_t total = 0;
  uint64_t page = 0;  // resources per page, as the first answer served them
  std::unordered_map<size_t, uint64_t> resume;  // item → startIndex of its continuation
  std::unordered_map<size_t, std::vector<uint8_t>> listed_members;  // groups: per resource
};

TargetReader::TargetReader(HttpClient* client, std::string base_url, TargetReaderOptions options,
                           RateBudget* budget)
    : client_(client),
      base_url_(std::move(base_url)),
      options_(options),
      budget_(budget),
      retry_(options.retry) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  options_.page_size = std::max<uint32_t>(options_.page_size, 1);
  options_.max_in_flight = std::max<uint32_t>(options_.max_in_flight, 1);
}

TargetReader::~TargetReader() = default;

std::string TargetReader::PageUrl(const ListRead& list, uint64_t start_index,
                                  uint64_t count) const {
  const char separator = list.path.find('?') == std::string::npos ? '?' : '&';
  return fmt::format("{}{}{}startIndex={}&count={}", base_url_, list.path, separator, start_index,
                     count);
}

Status TargetReader::Fetch(size_t count, const std::function<std::string(size_t)>& url_of,
                           const Handler& handle, const std::function<Status(size_t)>& deliver) {
  const size_t max_in_flight = options_.max_in_flight;
  const size_t window = max_in_flight * kWindowPerRequest;
  std::vector<uint8_t> complete(count, 0);
  std::unordered_map<uint64_t, InFlight> in_flight;
  // Retries and continuations, by the time they may leave.
  std::multimap<Clock::time_point, InFlight> waiting;
  Clock::time_point budget_ready{};  // the requests budget is empty until then
  size_t next_new = 0;
  size_t next_deliver = 0;
  std::vector<HttpResponse> answers;

  const auto send = [&](InFlight& request, Clock::time_point now) {
    if (budget_ != nullptr) {
      if (now < budget_ready) return false;
      const BudgetDraw draw{budget::kRequests, "", 1};
      Result<AcquireResult> taken = budget_->TryAcquire({&draw, 1}, now);
      if (taken.ok() && !taken->acquired) {
        budget_ready = now + std::chrono::duration_cast<Clock::duration>(taken->wait);
        return false;
      }
    }
    const uint64_t tag = next_tag_++;
    client_->Submit(
        HttpRequest{tag, "GET", request.url, "", {{"Accept", "application/scim+json"}}});
    in_flight.emplace(tag, std::move(request));
    ++stats_.requests;
    return true;
  };

  while (true) {
    const Clock::time_point now = Clock::now();
    while (!waiting.empty() && waiting.begin()->first <= now && in_flight.size() < max_in_flight) {
      auto node = waiting.extract(waiting.begin());
      if (!send(node.mapped(), now)) {
        waiting.insert(std::move(node));
        break;
      }
    }
    while (next_new < count && next_new - next_deliver < window &&
           in_flight.size() < max_in_flight) {
      InFlight request{next_new, url_of(next_new), 1};
      if (request.url.empty()) {
        complete[next_new++] = 1;
        continue;
      }
      if (!send(request, now)) break;
      ++next_new;
    }
    while (next_deliver < count && complete[next_deliver] != 0) {
      SCIMFLOW_RETURN_IF_ERROR(deliver(next_deliver));
      ++next_deliver;
    }
    if (next_deliver == count) return Status::Ok();

    Clock::duration wait = kIdleWait;
    if (!waiting.empty()) wait = std::min(wait, waiting.begin()->first - now);
    if (budget_ready > now) wait = std::min(wait, budget_ready - now);
    const auto wait_ms = std::max<std::chrono::milliseconds>(
        std::chrono::ceil<std::chrono::milliseconds>(wait), std::chrono::milliseconds(1));
    answers.clear();
    client_->Poll(wait_ms, &answers);
    for (const HttpResponse& answer : answers) {
      const auto found = in_flight.find(answer.tag);
      if (found == in_flight.end()) continue;  // an answer of an earlier, abandoned fetch
      InFlight request = std::move(found->second);
      in_flight.erase(found);
      SCIMFLOW_RETURN_IF_ERROR(OnAnswer(std::move(request), answer, handle, &complete, &waiting));
    }
  }
}

Status TargetReader::OnAnswer(InFlight request, const HttpResponse& answer, const Handler& handle,
                              std::vector<uint8_t>* complete,
                              std::multimap<Clock::time_point, InFlight>* waiting) {
  const HttpOutcome outcome =
      ClassifyHttpResponse(answer, RequestKind::kOther, std::chrono::system_clock::now());
  const Clock::time_point now = Clock::now();
  if (budget_ != nullptr && outcome.hints.remaining) {
    std::optional<std::chrono::nanoseconds> reset;
    if (outcome.hints.reset_after) reset = *outcome.hints.reset_after;
    budget_->ObserveRemaining(budget::kRequests, "", *outcome.hints.remaining, reset, now);
  }
  if (outcome.status.ok()) {
    SCIMFLOW_ASSIGN_OR_RETURN(std::optional<std::string> more,
                              handle(request.item, request.url, answer));
    if (more) {
      waiting->emplace(now, InFlight{request.item, std::move(*more), 1});
    } else {
      (*complete)[request.item] = 1;
    }
    return Status::Ok();
  }
  if (outcome.status.code() == StatusCode::kResourceExhausted) {
    ++stats_.rate_limited;
    if (budget_ != nullptr && outcome.hints.retry_after) {
      budget_->PauseUntil(budget::kRequests, "", now + *outcome.hints.retry_after, now);
    }
  }
  const RetryDecision decision =
      retry_.Decide(outcome.status, request.attempts, outcome.hints.retry_after);
  if (decision.action == RetryAction::kRetryAfterWait) {
    ++stats_.retries;
    ++request.attempts;
    waiting->emplace(now + decision.delay, std::move(request));
    return Status::Ok();
  }
  std::string message = fmt::format("GET {}: {}", request.url, outcome.status.message());
  if (request.attempts > 1) message += fmt::format(" (after {} attempts)", request.attempts);
  return Status(outcome.status.code(), std::move(message));
}

Result<std::optional<std::string>> TargetReader::ParsePage(ListRead* list, size_t item,
                                                           const std::string& url,
                                                           const HttpResponse& answer) {
  thread_local ondemand::parser page_parser;
  thread_local ondemand::parser resource_parser;
  const auto resumed = list->resume.find(item);
  const uint64_t start = resumed != list->resume.end()
                             ? resumed->second
                             : 1 + static_cast<uint64_t>(item) * list->page;
  const simdjson::padded_string body(answer.body);
  ListPage page;
  const Status parsed = ParseListResponse(page_parser, body, &page);
  if (!parsed.ok()) return PageError(url, start, parsed.message());
  const uint64_t got = page.resources.size();
  uint64_t expected = 0;
  if (item == 0) {
    list->total = *page.total;
    if (got > options_.page_size) {
      return PageError(
          url, start,
          fmt::format("{} resources, more than the {} asked for", got, options_.page_size));
    }
    if (got == 0 && list->total > 0) {
      return PageError(url, start, fmt::format("no resources, but totalResults {}", list->total));
    }
    list->page = got;  // the page size the target serves
    expected = got;
  } else {
    if (*page.total != list->total) {
      return PageError(url, start,
                       fmt::format("totalResults changed from {} to {} during the read",
                                   list->total, *page.total));
    }
    const uint64_t end = std::min<uint64_t>(1 + (item + 1) * list->page, list->total + 1);
    expected = end - start;
    if (got > expected) {
      return PageError(url, start,
                       fmt::format("{} resources, more than the {} asked for", got, expected));
    }
    if (got == 0) {
      return PageError(url, start, fmt::format("no resources, expected {}", expected));
    }
  }
  std::unique_ptr<SnapshotChunk>& chunk = ready_[item];
  if (!chunk) chunk = std::make_unique<SnapshotChunk>();
  std::vector<uint8_t>* listed = list->users ? nullptr : &list->listed_members[item];
  for (uint64_t index = 0; index < got; ++index) {
    const std::string_view text = page.resources[index];
    const RecordOrigin origin{base_url_, list->line_base + start + index, 0,
                              static_cast<uint32_t>(text.size())};
    // The resource is parsed on its own, so one unusable resource is one reject. Its text lies
    // inside the padded answer buffer, so simdjson's padding is readable after it.
    const size_t capacity =
        static_cast<size_t>(body.data() + body.size() - text.data()) + simdjson::SIMDJSON_PADDING;
    ondemand::document document;
    Status status;
    if (auto error = resource_parser.iterate(text.data(), text.size(), capacity).get(document)) {
      status = JsonErrorStatus(error);
    } else if (list->users) {
      ScimUser user;
      ondemand::object object;
      status = document.get_object().get(object) ? JsonErrorStatus(simdjson::INCORRECT_TYPE)
                                                 : ParseScimUser(object, &chunk->arena, &user);
      if (status.ok() && user.id.empty()) {
        status = InvalidArgument("missing required attribute \"id\"");
      }
      if (status.ok()) {
        user.user.origin = origin;
        chunk->users.push_back({user.id, user.user, AttributeHashes{}});  // Hashed when added.
      }
    } else {
      bool has_members = false;
      ondemand::object object;
      if (!document.get_object().get(object)) {
        ondemand::value members;
        has_members = object.find_field_unordered("members").get(members) == simdjson::SUCCESS;
      }
      document.rewind();
      ScimGroup group;
      status = document.get_object().get(object) ? JsonErrorStatus(simdjson::INCORRECT_TYPE)
                                                 : ParseScimGroup(object, &chunk->arena, &group);
      if (status.ok() && group.id.empty()) {
        status = InvalidArgument("missing required attribute \"id\"");
      }
      if (status.ok()) {
        chunk->groups.push_back({origin, group.id, group.group.external_id,
                                 group.group.display_name, group.group.member_external_ids});
        listed->push_back(has_members ? 1 : 0);
      }
    }
    if (!status.ok()) {
      chunk->rejects.push_back({origin, chunk->arena.Copy(status.message()),
                                chunk->arena.Copy(text.substr(0, config::kRejectExcerptBytes))});
    }
  }
  if (got < expected) {
    list->resume[item] = start + got;
    return std::optional<std::string>(PageUrl(*list, start + got, expected - got));
  }
  return std::optional<std::string>();
}

Status TargetReader::ReadList(ListRead* list, const std::function<Status(size_t)>& deliver) {
  const auto handle = [&](size_t item, const std::string& url, const HttpResponse& answer) {
    return ParsePage(list, item, url, answer);
  };
  // The first page alone: it tells how many pages follow.
  SCIMFLOW_RETURN_IF_ERROR(Fetch(
      1, [&](size_t) { return PageUrl(*list, 1, options_.page_size); }, handle, deliver));
  const uint64_t rest = list->total > list->page ? list->total - list->page : 0;
  const size_t pages =
      list->page == 0 ? 0 : static_cast<size_t>((rest + list->page - 1) / list->page);
  return Fetch(
      pages,
      [&](size_t page) {
        const size_t item = page + 1;
        return PageUrl(*list, 1 + item * list->page, list->page);
      },
      [&](size_t page, const std::string& url, const HttpResponse& answer) {
        return ParsePage(list, page + 1, url, answer);
      },
      [&](size_t page) { return deliver(page + 1); });
}

Status TargetReader::Read(const Sink& sink) {
  ready_.clear();
  groups_.clear();
  ListRead users;
  users.path = "/Users";
  SCIMFLOW_RETURN_IF_ERROR(ReadList(&users, [&](size_t item) {
    std::unique_ptr<SnapshotChunk> chunk = std::move(ready_[item]);
    ready_.erase(item);
    chunk->sequence = item;
    stats_.users += chunk->users.size();
    return sink(*chunk);
  }));
  users_total_ = users.total;
  if (!options_.read_groups) return Status::Ok();

  ListRead groups;
  groups.path = "/Groups?excludedAttributes=members";
  groups.users = false;
  groups.line_base = users_total_;
  SCIMFLOW_RETURN_IF_ERROR(ReadList(&groups, [&](size_t item) {
    std::unique_ptr<SnapshotChunk> chunk = std::move(ready_[item]);
    ready_.erase(item);
    const std::vector<uint8_t>& listed = groups.listed_members[item];
    for (size_t index = 0; index < chunk->groups.size(); ++index) {
      const SnapshotGroup& group = chunk->groups[index];
      GroupListing& kept = groups_.emplace_back();
      kept.id = group.id;
      kept.external_id = group.external_id;
      kept.display_name = group.display_name;
      kept.line = group.origin.line;
      kept.listed_members = listed[index] != 0;
      if (kept.listed_members)
        kept.members.assign(group.member_ids.begin(), group.member_ids.end());
    }
    groups.listed_members.erase(item);
    if (chunk->rejects.empty()) return Status::Ok();
    // Rejected groups go to the sink at once: they have no members to wait for.
    SnapshotChunk rejects;
    for (const Reject& reject : chunk->rejects) {
      rejects.rejects.push_back(
          {reject.origin, rejects.arena.Copy(reject.reason), rejects.arena.Copy(reject.excerpt)});
    }
    return sink(rejects);
  }));
  return ReadMembers(sink);
}

Status TargetReader::ReadMembers(const Sink& sink) {
  const auto url_of = [&](size_t group) {
    if (groups_[group].listed_members) return std::string();
    return fmt::format("{}/Groups/{}", base_url_, PercentEncode(groups_[group].id));
  };
  const auto handle = [&](size_t group, const std::string& url,
                          const HttpResponse& answer) -> Result<std::optional<std::string>> {
    thread_local ondemand::parser parser;
    ++stats_.member_requests;
    const simdjson::padded_string body(answer.body);
    ondemand::document document;
    ondemand::object object;
    auto chunk = std::make_unique<SnapshotChunk>();
    ScimGroup parsed;
    Status status;
    if (auto error = parser.iterate(body).get(document)) {
      status = JsonErrorStatus(error);
    } else if (auto error = document.get_object().get(object)) {
      status = error == simdjson::INCORRECT_TYPE
                   ? Status(StatusCode::kDataLoss, "wrong type for the answer: expected object")
                   : JsonErrorStatus(error);
    } else {
      status = ParseScimGroup(object, &chunk->arena, &parsed);
      if (status.ok()) status = FinishDocument(document);
    }
    if (!status.ok()) {
      return Status(StatusCode::kDataLoss, fmt::format("GET {}: {}", url, status.message()));
    }
    GroupListing& listing = groups_[group];
    listing.members.assign(parsed.group.member_external_ids.begin(),
                           parsed.group.member_external_ids.end());
    return std::optional<std::string>();
  };
  const auto deliver = [&](size_t group) {
    GroupListing& listing = groups_[group];
    SnapshotChunk chunk;
    chunk.sequence = group;
    std::vector<std::string_view> members(listing.members.begin(), listing.members.end());
    chunk.groups.push_back({RecordOrigin{base_url_, listing.line, 0, 0}, listing.id,
                            listing.external_id, listing.display_name, members});
    ++stats_.groups;
    SCIMFLOW_RETURN_IF_ERROR(sink(chunk));
    // Delivered: its members are in the sink's hands now.
    std::vector<std::string>().swap(listing.members);
    return Status::Ok();
  };
  return Fetch(groups_.size(), url_of, handle, deliver);
}

Result<std::unique_ptr<CurrentState>> LoadCurrentStateFromTarget(TargetReader& reader) {
  auto state = std::make_unique<CurrentState>(reader.base_url());
  SCIMFLOW_RETURN_IF_ERROR(reader.Read([&](SnapshotChunk& chunk) {
    AddSnapshotChunk(chunk, state.get());
    return Status::Ok();
  }));
  state->Finalize();
  return state;
}

}  // namespace scimflow
