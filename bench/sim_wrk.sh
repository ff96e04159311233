#!/usr/bin/env bash
# Measures `scimflow sim` with wrk (keep-alive, loopback): requests per second for
#   baseline   GET /Users without credentials (401: the HTTP layer and auth only, no store)
#   get_user   GET /Users/{id} of one stored user
#   post_user  POST /Users with a distinct body per request (bench/sim_wrk.lua)
# and checks the results before printing them: every GET answered 200, every POST created a
# user (the simulator's /_stats must count as many new users as wrk got 201 answers, plus at
# most one request per connection still in flight when wrk stopped).
#
# Usage: bench/sim_wrk.sh [SCIMFLOW_BINARY] [DURATION]   (defaults: build/release/scimflow, 10s)
# Environment: SIM_THREADS, the simulator's --threads (default 2, one per core here).
# Prints CSV: case,requests_per_second,requests,non_2xx. Needs a Release build for real figures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$root/build/release/scimflow}"
duration="${2:-10s}"
threads=2
sim_threads="${SIM_THREADS:-2}"
connections=64
export SIM_TOKEN=sim-bench-token

workdir="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

: >"$workdir/sim.out"
"$binary" sim --listen 127.0.0.1:0 --token "$SIM_TOKEN" --threads "$sim_threads" \
  >"$workdir/sim.out" 2>"$workdir/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
  if [[ $(wc -l <"$workdir/sim.out") -ge 2 ]]; then break; fi
  sleep 0.1
done
port="$(head -1 "$workdir/sim.out" | sed 's/.*://')"
endpoint="$(sed -n 2p "$workdir/sim.out" | sed 's/^scim endpoint //')"
auth=(-H "Authorization: Bearer $SIM_TOKEN" -H "User-Agent: scimflow-bench")

# One stored user for the GET case.
user_json="$(curl -sf "${auth[@]}" -H 'Content-Type: application/scim+json' -X POST "$endpoint/Users" \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"bench-get","userName":"bench-get","active":true,"displayName":"Bench","emails":[{"value":"b@example.com","type":"work","primary":true}],"name":{"givenName":"B","familyName":"G"}}')"
user_id="$(sed 's/.*"id":"\([^"]*\)".*/\1/' <<<"$user_json")"

stats() { curl -sf "http://127.0.0.1:$port/_stats"; }
number() { sed "s/.*\"$1\":\([0-9]*\).*/\1/" <<<"$2"; }
rate() { grep 'Requests/sec' "$1" | awk '{print $2}'; }
sent() { grep ' requests in ' "$1" | awk '{print $1}'; }
non2xx() { grep -q 'Non-2xx' "$1" && grep 'Non-2xx' "$1" | awk '{print $NF}' || echo 0; }

echo "case,requests_per_second,requests,non_2xx"
wrk -t"$threads" -c"$connections" -d"$duration" -H "User-Agent: scimflow-bench" \
  "$endpoint/Users" >"$workdir/baseline.txt"
echo "baseline_401,$(rate "$workdir/baseline.txt"),$(sent "$workdir/baseline.txt"),$(non2xx "$workdir/baseline.txt")"

wrk -t"$threads" -c"$connections" -d"$duration" "${auth[@]}" "$endpoint/Users/$user_id" \
  >"$workdir/get.txt"
if [[ "$(non2xx "$workdir/get.txt")" != 0 ]]; then echo "get_user: non-2xx answers" >&2; exit 1; fi
echo "get_user,$(rate "$workdir/get.txt"),$(sent "$workdir/get.txt"),0"

before="$(number users "$(stats)")"
wrk -t"$threads" -c"$connections" -d"$duration" -s "$root/bench/sim_wrk.lua" "$endpoint" \
  >"$workdir/post.txt"
after="$(number users "$(stats)")"
posted="$(sent "$workdir/post.txt")"
# wrk counts completed requests; up to one request per connection may still be in flight when it
# stops, and the simulator applies it all the same.
created=$((after - before))
if [[ "$(non2xx "$workdir/post.txt")" != 0 || $created -lt $posted || $created -gt $((posted + connections)) ]]; then
  echo "post_user: $posted POSTs answered but $created users created" >&2
  cat "$workdir/post.txt" >&2
  exit 1
fi
echo "post_user,$(rate "$workdir/post.txt"),$posted,0"
