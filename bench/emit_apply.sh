#!/usr/bin/env bash
# Measures `scimflow apply` against `scimflow sim` next to wrk posting to the same simulator in
# the same run (the baseline: how fast the simulator takes creates from a minimal client):
#   wrk_post   wrk -t2 -c64 POST /Users with a distinct valid user per request (bench/sim_wrk.lua)
#   apply      scimflow apply of a plan of N users (gen → plan against an empty target), without
#              budgets, --concurrency 64
# Checks before printing: every create of the plan landed (the simulator's users grew by the
# plan's user.create count), nothing was created twice, and apply sent exactly one request per
# operation. Prints CSV (case,requests_per_second,requests) and apply's share of wrk's rate, then
# the CPU time (user + system) each thread of apply spent per create (thread,cpu_us_per_create,
# threads as NAME/TID, and their total): on a shared machine the rates swing with everything else
# that runs, the CPU per create much less.
# apply's rate is its requests over the whole process's wall time (reading the plan, opening the
# state database and the last commit included), as bench/run.py measures it.
#
# Usage: bench/emit_apply.sh [SCIMFLOW_BINARY] [USERS] [DURATION]
#        (defaults: build/release/scimflow, 100000, 10s). Needs a Release build for real figures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$root/build/release/scimflow}"
users="${2:-100000}"
duration="${3:-10s}"
export SIM_TOKEN=sim-bench-token

workdir="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

"$binary" gen --users "$users" --groups 1 --out "$workdir/day0" >/dev/null
: >"$workdir/empty.ndjson"
"$binary" plan --users "$workdir/day0/users.ndjson" --assignments "$workdir/day0/assignments.ndjson" \
  --current "$workdir/empty.ndjson" --out "$workdir/plan.ndjson" 2>/dev/null
creates="$(head -1 "$workdir/plan.ndjson" | sed 's/.*"user.create":\([0-9]*\).*/\1/')"
total="$(head -1 "$workdir/plan.ndjson" | sed 's/.*"total":\([0-9]*\).*/\1/')"

: >"$workdir/sim.out"
"$binary" sim --listen 127.0.0.1:0 --token "$SIM_TOKEN" --threads 2 \
  >"$workdir/sim.out" 2>"$workdir/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
  if [[ $(wc -l <"$workdir/sim.out") -ge 2 ]]; then break; fi
  sleep 0.1
done
port="$(head -1 "$workdir/sim.out" | sed 's/.*://')"
endpoint="$(sed -n 2p "$workdir/sim.out" | sed 's/^scim endpoint //')"
number() { sed "s/.*\"$1\":\([0-9]*\).*/\1/" <<<"$2"; }
stats() { curl -sf "http://127.0.0.1:$port/_stats"; }

wrk -t2 -c64 -d"$duration" -s "$root/bench/sim_wrk.lua" "$endpoint" >"$workdir/post.txt"
wrk_rate="$(grep 'Requests/sec' "$workdir/post.txt" | awk '{print $2}')"
wrk_sent="$(grep ' requests in ' "$workdir/post.txt" | awk '{print $1}')"

before="$(stats)"
started="$(date +%s.%N)"
SCIMFLOW_TOKEN="$SIM_TOKEN" "$binary" apply "$workdir/plan.ndjson" --target "$endpoint" \
  --state "$workdir/state.db" --no-budgets --concurrency 64 --report "$workdir/report.json" \
  2>"$workdir/apply.err" &
apply_pid=$!
# CPU time per thread: /proc/PID/task/*/stat read every 0.2 s while apply runs, the last reading
# of each thread kept (what a thread spends after its last reading is not counted).
: >"$workdir/threads.txt"
while kill -0 "$apply_pid" 2>/dev/null; do
  cat /proc/"$apply_pid"/task/*/stat 2>/dev/null >>"$workdir/threads.txt" || true
  sleep 0.2
done
wait "$apply_pid"
seconds="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')"
after="$(stats)"
sent="$(number requests "$(cat "$workdir/report.json")")"
grown=$(($(number users "$after") - $(number users "$before")))
if [[ $grown -ne $creates || "$(number duplicate_creates "$after")" != 0 || $sent -ne $total ]]; then
  echo "apply: $creates creates planned, $grown users created, $sent requests for $total operations" >&2
  cat "$workdir/apply.err" >&2
  exit 1
fi
apply_rate="$(awk -v n="$sent" -v s="$seconds" 'BEGIN {printf "%.0f", n / s}')"
echo "case,requests_per_second,requests"
echo "wrk_post,$wrk_rate,$wrk_sent"
echo "apply,$apply_rate,$sent"
awk -v a="$apply_rate" -v w="$wrk_rate" 'BEGIN {printf "apply/wrk,%.2f\n", a / w}'
# utime + stime (fields 14 and 15, counted after the ")" closing the thread name) in clock ticks.
ticks="$(getconf CLK_TCK)"
echo "thread,cpu_us_per_create"
awk -v n="$creates" -v hz="$ticks" '{
    name = $0; sub(/^[0-9]+ \(/, "", name); sub(/\).*/, "", name)
    if (name == "bash") next  # a reading taken between the fork and the exec of apply
    rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
    name = name "/" $1; if (f[12] + f[13] > cpu[name]) cpu[name] = f[12] + f[13]
  } END {
    for (name in cpu) { printf "%s,%.1f\n", name, cpu[name] * 1e6 / hz / n; total += cpu[name] }
    printf "total,%.1f\n", total * 1e6 / hz / n
  }' "$workdir/threads.txt"
