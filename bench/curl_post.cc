// scimflow_curl_post: the least a libcurl client does to create users, the baseline that shows
// how much of apply's request rate libcurl itself sets.
//
//   SIM_TOKEN=... scimflow_curl_post ENDPOINT REQUESTS CONNECTIONS
//
// POSTs REQUESTS distinct user creates (the bodies bench/sim_wrk.lua sends) to ENDPOINT/Users
// over CONNECTIONS kept-alive connections, and prints one JSON line: requests, seconds, rate, and
// how many answers were not 201 (exit status 1 if any).
//
// It uses libcurl as simply as the multi interface allows (curl_multi_perform, curl_multi_poll,
// easy handles reused so their connections are) and does nothing else: no plan, no scheduler, no
// journal, no outcome beyond the status code. apply is libcurl plus all of that, so this rate is
// the ceiling to expect of it on the same machine; wrk, which is not libcurl, can go beyond it.
#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// The body bench/sim_wrk.lua sends for `key`.
std::string CreateBody(const std::string& key) {
  return fmt::format(
      R"({{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"{0}",)"
      R"("userName":"{0}","active":true,"displayName":"Bench User {0}",)"
      R"("emails":[{{"value":"{0}@example.com","type":"work","primary":true}}],)"
      R"("name":{{"givenName":"Bench","familyName":"User"}},)"
      R"("roles":[{{"value":"user","primary":true}}]}})",
      key);
}

}  // namespace

int main(int argc, char** argv) {
  const char* token = std::getenv("SIM_TOKEN");
  const long total = argc == 4 ? std::atol(argv[2]) : 0;
  const long connections = argc == 4 ? std::atol(argv[3]) : 0;
  if (total <= 0 || connections <= 0 || token == nullptr) {
    std::fprintf(stderr,
                 "usage: SIM_TOKEN=TOKEN scimflow_curl_post ENDPOINT REQUESTS CONNECTIONS\n");
    return 2;
  }
  const std::string url = std::string(argv[1]) + "/Users";

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + std::string(token)).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/scim+json");
  headers = curl_slist_append(headers, "User-Agent: scimflow-bench");

  // One easy handle per connection; each owns the body it sends (CURLOPT_POSTFIELDS is not
  // copied). Keys carry the start time, so runs against one simulator never collide.
  const auto run = std::chrono::system_clock::now().time_since_epoch().count();
  std::vector<CURL*> handles(static_cast<size_t>(connections));
  std::vector<std::string> bodies(handles.size());
  long started = 0;
  const auto start_next = [&](size_t slot) {
    bodies[slot] = CreateBody(fmt::format("c{}-{}", run, started++));
    CURL* easy = handles[slot];
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(bodies[slot].size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, bodies[slot].c_str());
    curl_multi_add_handle(multi, easy);
  };
  for (size_t slot = 0; slot < handles.size(); ++slot) {
    CURL* easy = curl_easy_init();
    handles[slot] = easy;
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 60L);  // A stuck simulator fails the run.
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, DiscardBody);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(slot));
  }

  const auto began = std::chrono::steady_clock::now();
  for (size_t slot = 0; slot < handles.size() && started < total; ++slot) start_next(slot);
  long finished = 0;
  long not_created = 0;
  while (finished < total) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (message->data.result != CURLE_OK || status != 201) ++not_created;
      ++finished;
      void* slot = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &slot);
      curl_multi_remove_handle(multi, easy);
      if (started < total) start_next(reinterpret_cast<size_t>(slot));
    }
    if (finished < total) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("{\"requests\": %ld, \"seconds\": %.3f, \"rate\": %.0f, \"not_created\": %ld}\n",
              finished, seconds, static_cast<double>(finished) / seconds, not_created);

  for (CURL* easy : handles) curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return not_created == 0 ? 0 : 1;
}
