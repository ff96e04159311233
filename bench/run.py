#!/usr/bin/env python3
"""The end-to-end benchmark: runs every scenario of bench/RESULTS.md on a built Release tree and
rewrites that page. Every figure is printed next to a baseline measured in the same run, on the
same data, so the ratios hold on any machine even where the absolute times do not.

Started by `bench/run` (which installs what is missing and builds first). Environment:
  SCIMFLOW_BENCH_BUILD  the Release build directory (default build/release)
  RUNS                  timed runs per figure after one warm-up (default 3)
  SCENARIOS             comma-separated subset of: ingest,plan,initial,apply,budget,python
Datasets are generated once into bench/data/ (ignored by git) and reused.
"""
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("SCIMFLOW_BENCH_BUILD", ROOT / "build" / "release"))
RUNS = int(os.environ.get("RUNS", "3"))
SCENARIOS = os.environ.get("SCENARIOS", "ingest,plan,initial,apply,budget,python").split(",")
SCIMFLOW = BUILD / "scimflow"
MICRO = BUILD / "bench" / "scimflow_bench"
CURL_POST = BUILD / "bench" / "scimflow_curl_post"
DATA = ROOT / "bench" / "data"
TOKEN = "bench-run-token"
CONNECTIONS = 32  # apply's --concurrency and wrk's connections: the same load on the simulator

LOAD_AT_START = os.getloadavg()[0]
rows = []  # dicts: scenario, figure, value, baseline, baseline_value, ratio, limits


def log(message):
    print(f"bench/run: {message}", file=sys.stderr, flush=True)


def row(scenario, figure, value, baseline, baseline_value, ratio, limits):
    rows.append(dict(scenario=scenario, figure=figure, value=value, baseline=baseline,
                     baseline_value=baseline_value, ratio=ratio, limits=limits))
    print(f"{scenario} | {figure}: {value} | {baseline}: {baseline_value} | {ratio}", flush=True)


def spread(values, unit="s", digits=2):
    """Median and min–max, e.g. `1.23 s (1.20–1.31)`."""
    return (f"{statistics.median(values):.{digits}f} {unit} "
            f"({min(values):.{digits}f}–{max(values):.{digits}f})")


def run_timed(command, env=None, quiet=True):
    """Runs `command` under /usr/bin/time; returns (wall seconds, peak RSS bytes)."""
    wall, rss, _ = run_timed_cpu(command, env, quiet)
    return wall, rss


def run_timed_cpu(command, env=None, quiet=True):
    """Like run_timed, plus the CPU seconds (user + system, all threads) the command spent."""
    with tempfile.NamedTemporaryFile("r") as out:
        full = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", out.name] + [str(c) for c in command]
        subprocess.run(full, check=True, env=env,
                       stdout=subprocess.DEVNULL if quiet else None,
                       stderr=subprocess.DEVNULL if quiet else None)
        wall, rss_kb, user, system = out.read().split()[-4:]
        return float(wall), int(rss_kb) * 1024, float(user) + float(system)


def children_cpu_seconds():
    """CPU seconds (user + system) of this script's finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command, env=None):
    """One warm-up, then RUNS timed runs: (walls, peak RSS)."""
    run_timed(command, env)
    walls, peak = [], 0
    for _ in range(RUNS):
        wall, rss = run_timed(command, env)
        walls.append(wall)
        peak = max(peak, rss)
    return walls, peak


def micro(filter_regex, env_extra=None, repetitions=None):
    """Runs Google Benchmark cases; returns {name: [real_time seconds per repetition]}."""
    env = dict(os.environ, SCIMFLOW_BENCH_DATA=str(DATA), **(env_extra or {}))
    command = [str(MICRO), f"--benchmark_filter={filter_regex}", "--benchmark_format=json"]
    if repetitions:
        # Interleaved, so a stretch of slow minutes falls on every case alike rather than on
        # whichever ran then: the cases of one call are compared with each other.
        command += [f"--benchmark_repetitions={repetitions}",
                    "--benchmark_enable_random_interleaving=true"]
    result = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    times = {}
    for case in json.loads(result.stdout)["benchmarks"]:
        if case.get("run_type") == "aggregate" or case.get("error_occurred"):
            continue
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[case.get("time_unit", "ns")]
        times.setdefault(case["run_name"], []).append(case["real_time"] * scale)
        times.setdefault(case["run_name"] + ":bytes_per_second", []).append(
            case.get("bytes_per_second", 0))
        times.setdefault(case["run_name"] + ":items_per_second", []).append(
            case.get("items_per_second", 0))
    return times


def pick(times, family, suffix=""):
    """The repetitions of the one case of `family` (a benchmark name up to its first `/`): Google
    Benchmark appends `/iterations:N`, `/real_time` and argument names to the run name, so a
    lookup by the bare name finds nothing."""
    for name, values in times.items():
        if not suffix and name.endswith((":bytes_per_second", ":items_per_second")):
            continue  # A figure, not the times.
        if (name == family or name.startswith(family + "/")) and name.endswith(suffix):
            return values
    raise SystemExit(f"bench/run: no result for {family}{suffix} in {sorted(times)}")


def dataset(users, groups=None):
    """bench/data/plan-N/{day0,day1}: an export with its snapshot, and the next day at 1% churn."""
    directory = DATA / f"plan-{users}"
    if not (directory / "day1" / "manifest.json").exists():
        log(f"generating {users} users")
        subprocess.run([SCIMFLOW, "gen", "--users", str(users), "--groups",
                        str(groups or max(1, users // 100)), "--seed", "42", "--snapshot",
                        "--out", directory / "day0"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([SCIMFLOW, "gen", "--next-day-of", directory / "day0", "--churn", "1%",
                        "--out", directory / "day1"], check=True, stdout=subprocess.DEVNULL)
    return directory


def inputs(directory):
    day1, day0 = directory / "day1", directory / "day0"
    return [day1 / "users.ndjson", day1 / "groups.ndjson", day1 / "assignments.ndjson",
            day0 / "snapshot.ndjson"]


def count_only(files):
    """simdjson counting the documents of `files`: the floor any JSON reader pays."""
    env = {"SCIMFLOW_PLAN_BENCH_FILES": ":".join(str(f) for f in files)}
    times = micro("^BM_Plan_CountOnlyBaseline(/|$)", env)
    return statistics.median(pick(times, "BM_Plan_CountOnlyBaseline"))


def plan_command(users, groups, assignments, current, out):
    command = [SCIMFLOW, "plan", "--users", users, "--assignments", assignments,
               "--current", current, "--out", out]
    if groups:
        command += ["--groups", groups]
    return command


def scenario_ingest():
    log("ingest: 10^6-user SCIM NDJSON, parse to records vs simdjson count-only")
    # Case names carry suffixes (`/real_time`), so the filters anchor on `/` or the end.
    times = micro("^BM_Parse_CountOnly(/|$)|^BM_Parse_OnDemandWalk(/|$)|"
                  "^BM_Ingest_Ndjson(Pread)?/threads:[12](/|$)|^BM_FileSource_Warm",
                  repetitions=2 * RUNS)
    count = pick(times, "BM_Parse_CountOnly")
    walk = pick(times, "BM_Parse_OnDemandWalk")
    one = pick(times, "BM_Ingest_Ndjson/threads:1")
    two = pick(times, "BM_Ingest_Ndjson/threads:2")
    gbps = statistics.median(pick(times, "BM_Ingest_Ndjson/threads:1", ":bytes_per_second")) / 1e9
    records = statistics.median(
        pick(times, "BM_Ingest_Ndjson/threads:1", ":items_per_second")) / 1e6
    row("ingest 10^6 users, 1 thread", "parse into records", spread(one) +
        f", {gbps:.2f} GB/s, {records:.2f} M records/s", "simdjson iterate_many counting",
        spread(count), f"{statistics.median(count) / statistics.median(one):.2f}× of count-only",
        "Mapping each user: On-Demand steps through about 20 values and builds a 192-byte "
        "record (strings point into the read buffer); the page-cache copy runs in io_uring's "
        "kernel workers beside the parse.")
    row("On-Demand floor, 1 thread", "read every value, keep nothing", spread(walk),
        "simdjson iterate_many counting", spread(count),
        f"{statistics.median(count) / statistics.median(walk):.2f}× of count-only",
        "Every value of every document visited with the cheapest On-Demand call for its type, "
        "nothing kept: no record, no line or escape checks, no I/O. A mapper knows the types it "
        "expects and may skip a check per value, but must also do all of those.")
    row("ingest 10^6 users, 2 threads (every core here)", "parse into records", spread(two),
        "simdjson iterate_many counting, 1 thread", spread(count),
        f"{statistics.median(count) / statistics.median(two):.2f}× of count-only",
        "Chunks parse in parallel, each read when the pipeline asks for it and parsed next on "
        "the same thread; reading and the in-order hand-off stay serial.")
    row("ingest 10^6 users, 2 threads vs 1", "parse into records", spread(two),
        "the same on 1 thread", spread(one),
        f"{statistics.median(one) / statistics.median(two):.2f}× the speed of 1 thread",
        "Two cores: parsing scales until the serial reader and hand-off show.")
    # The case's argument is named `pread`: BM_FileSource_Warm/pread:0/… reads with io_uring,
    # …/pread:1/… with pread. The `:bytes_per_second` entries are figures, not times.
    def warm(argument):
        return [t for k, t in times.items() if k.startswith(f"BM_FileSource_Warm/pread:{argument}/")
                and not k.endswith("_per_second")]
    for threads in (1, 2):
        through_uring = pick(times, f"BM_Ingest_Ndjson/threads:{threads}")
        through_pread = pick(times, f"BM_Ingest_NdjsonPread/threads:{threads}")
        row(f"ingest 10^6 users, {threads} thread{'s' if threads > 1 else ''}, by source",
            "io_uring source", spread(through_uring), "pread fallback", spread(through_pread),
            f"{statistics.median(through_pread) / statistics.median(through_uring):.2f}× "
            "pread's speed",
            "One thread: io_uring's kernel workers copy the next chunks out of the page cache "
            "on the other core while the thread parses; pread copies on the parsing thread." if
            threads == 1 else "Every core parses; both sources read each chunk just before "
            "its parse.")
    uring, pread = warm(0), warm(1)
    if uring and pread:
        row("read the 10^6-user file (page cache)", "io_uring", spread(uring[0], digits=3),
            "pread", spread(pread[0], digits=3),
            f"{statistics.median(pread[0]) / statistics.median(uring[0]):.2f}× pread's speed",
            "Reading alone, nothing to overlap: both copy from the page cache at the memory's "
            "speed, io_uring's in its kernel workers while the reading thread waits, pread's on "
            "the reading thread.")


def scenario_plan():
    results = {}
    for users in (100_000, 1_000_000):
        log(f"plan: nightly, {users} users, 1% churn")
        directory = dataset(users)
        files = inputs(directory)
        input_bytes = sum(f.stat().st_size for f in files)
        baseline = count_only(files)
        walls, rss = measure(plan_command(files[0], files[1], files[2], files[3],
                                          directory / "day1.plan"))
        check_plan_counts(directory / "day1.plan", directory / "day1" / "expected.json")
        results[users] = statistics.median(walls)
        row(f"plan nightly, {users:,} users, 1% churn", "scimflow plan", spread(walls) +
            f", peak RSS {rss / 2**20:.0f} MiB = {rss / input_bytes:.2f}× input "
            f"({input_bytes / 2**20:.0f} MiB)", "simdjson counting the same inputs",
            f"{baseline:.2f} s", f"{statistics.median(walls) / baseline:.2f}× count-only",
            "Reading and hashing the snapshot and the export dominate; the diff itself is small.")
    growth = results[1_000_000] / results[100_000]
    row("plan growth 10^5 → 10^6 users", "time factor", f"{growth:.1f}×", "linear", "10×",
        f"{growth / 10:.2f}× of linear", "Fixed costs (process start, thread pool) weigh more at "
        "10^5; hash tables outgrow the caches at 10^6.")


def check_plan_counts(plan_path, expected_path):
    with open(plan_path, encoding="utf-8") as plan:
        header = json.loads(plan.readline())
    expected = json.load(open(expected_path, encoding="utf-8"))
    if header["operations"] != expected["operations"]:
        raise SystemExit(f"bench/run: {plan_path} does not match {expected_path}: "
                         f"{header['operations']} != {expected['operations']}")


def empty_snapshot():
    path = DATA / "empty-snapshot.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def scenario_initial():
    log("plan: initial migration of 10^6 users into an empty target")
    directory = dataset(1_000_000)
    day0 = directory / "day0"
    files = [day0 / "users.ndjson", day0 / "groups.ndjson", day0 / "assignments.ndjson"]
    baseline = count_only(files)
    walls, rss = measure(plan_command(files[0], files[1], files[2], empty_snapshot(),
                                      directory / "initial.plan"))
    size = (directory / "initial.plan").stat().st_size
    row("plan initial migration, 1,000,000 users", "scimflow plan", spread(walls) +
        f", plan file {size / 2**20:.0f} MiB, peak RSS {rss / 2**20:.0f} MiB",
        "simdjson counting the inputs", f"{baseline:.2f} s",
        f"{statistics.median(walls) / baseline:.2f}× count-only",
        "Every user becomes a create whose request body is rendered and written.")


class Simulator:
    """`scimflow sim` on a free loopback port, stopped on exit."""

    def __init__(self, *flags):
        self.process = subprocess.Popen([SCIMFLOW, "sim", "--listen", "127.0.0.1:0",
                                         "--token", TOKEN, *flags], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        first = self.process.stdout.readline()
        self.port = int(first.strip().rsplit(":", 1)[1])
        second = self.process.stdout.readline()
        self.endpoint = second.strip().split(" ")[-1]

    def stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats") as answer:
            return json.load(answer)

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def has_apply():
    return subprocess.run([SCIMFLOW, "apply", "--help"], capture_output=True).returncode == 0


def users_only_plan(users, out):
    """A plan of `users` creates (no groups) into an empty target."""
    directory = DATA / f"creates-{users}"
    if not (directory / "manifest.json").exists():
        subprocess.run([SCIMFLOW, "gen", "--users", str(users), "--groups", "1", "--seed", "7",
                        "--out", directory], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([SCIMFLOW, "plan", "--users", directory / "users.ndjson", "--assignments",
                    directory / "assignments.ndjson", "--current", empty_snapshot(), "--out", out],
                   check=True, stderr=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as plan:
        return json.loads(plan.readline())["operations"]["user.create"]


def apply(plan, simulator, work, *extra):
    report = work / "report.json"
    state = work / "state.db"
    for leftover in work.glob("state.db*"):
        leftover.unlink()
    env = dict(os.environ, SCIMFLOW_TOKEN=TOKEN)
    wall, _, cpu = run_timed_cpu([SCIMFLOW, "apply", plan, "--target", simulator.endpoint,
                                  "--state", state, "--report", report, "--concurrency",
                                  str(CONNECTIONS), *extra], env=env)
    report = json.load(open(report, encoding="utf-8"))
    report["cpu_seconds"] = cpu
    return wall, report


def wrk_post_rate(simulator, seconds=10):
    """wrk POSTing creates: (requests/s, wrk's CPU µs per request, the simulator's)."""
    env = dict(os.environ, SIM_TOKEN=TOKEN)
    wrk_before, sim_before = children_cpu_seconds(), simulator.cpu_seconds()
    result = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s",
                             ROOT / "bench" / "sim_wrk.lua", simulator.endpoint], env=env,
                            capture_output=True, text=True, check=True)
    wrk_cpu, sim_cpu = children_cpu_seconds() - wrk_before, simulator.cpu_seconds() - sim_before
    if "Non-2xx" in result.stdout:
        raise SystemExit("bench/run: wrk got non-2xx answers:\n" + result.stdout)
    sent = int(re.search(r"(\d+) requests in", result.stdout).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    return rate, wrk_cpu * 1e6 / sent, sim_cpu * 1e6 / sent


def curl_post_rate(simulator, requests):
    """bench/curl_post.cc (libcurl and nothing else) POSTing `requests` creates: requests/s."""
    env = dict(os.environ, SIM_TOKEN=TOKEN)
    result = subprocess.run([CURL_POST, simulator.endpoint, str(requests), str(CONNECTIONS)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("bench/run: scimflow_curl_post failed:\n" + result.stdout + result.stderr)
    return json.loads(result.stdout)["rate"]


def scenario_apply():
    if not has_apply():
        log("apply: skipped, this build has no `scimflow apply`")
        return
    log("apply: 10^5 creates into the simulator without budgets, vs wrk and bare libcurl")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        plan = work / "creates.plan"
        creates = users_only_plan(100_000, plan)
        rates, per_create, apply_cpu, sim_cpu = [], [], [], []
        wrk_rates, wrk_cpus, wrk_sim_cpus, curl_rates = [], [], [], []
        # Each round measures wrk, bare libcurl and apply back to back, each on a fresh
        # simulator: this machine's speed drifts between minutes, so ratios are taken within a
        # round and their median reported.
        for _ in range(RUNS):
            with Simulator("--profile", "github-emu") as simulator:
                wrk, wrk_cpu, wrk_sim_cpu = wrk_post_rate(simulator)
                wrk_rates.append(wrk)
                wrk_cpus.append(wrk_cpu)
                wrk_sim_cpus.append(wrk_sim_cpu)
            with Simulator("--profile", "github-emu") as simulator:
                curl_rates.append(curl_post_rate(simulator, creates))
            with Simulator("--profile", "github-emu") as simulator:
                sim_before = simulator.cpu_seconds()
                wall, report = apply(plan, simulator, work, "--no-budgets")
                sim_cpu.append((simulator.cpu_seconds() - sim_before) * 1e6 / report["requests"])
                stats = simulator.stats()
                if stats["users"] != creates or stats["duplicate_creates"] != 0:
                    raise SystemExit(f"bench/run: simulator holds {stats['users']} users, "
                                     f"expected {creates}")
                rates.append(report["requests"] / wall)
                per_create.append(report["requests"] / creates)
                apply_cpu.append(report["cpu_seconds"] * 1e6 / report["requests"])

        def ratio(numerators, denominators):
            return statistics.median(n / d for n, d in zip(numerators, denominators))
        row("apply 100,000 creates, no budgets", "scimflow apply", spread(rates, "req/s", 0) +
            f", {statistics.median(per_create):.2f} requests per create",
            f"wrk POST /Users, {CONNECTIONS} connections", spread(wrk_rates, "req/s", 0),
            f"{ratio(rates, wrk_rates):.2f}× wrk",
            f"CPU per request: apply {statistics.median(apply_cpu):.0f} µs (all its threads; "
            f"libcurl and the kernel's loopback TCP most of it), wrk "
            f"{statistics.median(wrk_cpus):.0f} µs; the simulator "
            f"{statistics.median(sim_cpu):.0f} µs serving apply, "
            f"{statistics.median(wrk_sim_cpus):.0f} µs serving wrk. Client and simulator share "
            "two cores; apply's rate includes reading the plan and the last journal commit. "
            "Ratio: the median over rounds of apply's rate over the wrk run of its round.")
        row("bare libcurl, 100,000 creates", "bench/curl_post.cc", spread(curl_rates, "req/s", 0),
            f"wrk POST /Users, {CONNECTIONS} connections", spread(wrk_rates, "req/s", 0),
            f"{ratio(curl_rates, wrk_rates):.2f}× wrk; apply {ratio(rates, curl_rates):.2f}× of it",
            "libcurl's multi interface with nothing around it (no plan, scheduler or journal), "
            "the same bodies and connections as wrk: what libcurl itself reaches on this machine.")


def scenario_budget():
    if not has_apply():
        log("budget: skipped, this build has no `scimflow apply`")
        return
    allowed_per_minute = 1200
    log(f"budget: github-emu budgets with user-assignments={allowed_per_minute}/min")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        plan = work / "creates.plan"
        creates = users_only_plan(2 * allowed_per_minute, plan)
        budget = f"user-assignments={allowed_per_minute}/min"
        with Simulator("--profile", "github-emu", "--budget", budget) as simulator:
            # Only the budget under test: github-emu's writes=180/min would otherwise set the pace.
            wall, report = apply(plan, simulator, work, "--no-budgets", "--budget", budget)
            stats = simulator.stats()
        # The bucket starts full: `allowed_per_minute` at once, then the refill rate.
        allowed = allowed_per_minute + allowed_per_minute / 60 * wall
        achieved = creates / allowed
        throttled = stats["throttled"] / max(1, stats["requests"]["total"])
        row(f"budget adherence, {creates} creates at {allowed_per_minute}/min",
            "creates done in the time taken", f"{creates} in {wall:.1f} s, "
            f"{100 * throttled:.2f}% answered 429", "allowed by the budget in that time",
            f"{allowed:.0f}", f"{achieved:.2f}× of allowed",
            "The scheduler paces to the bucket; the gap is the time to the first request and "
            "the last answer.")


def scenario_python():
    log("python: the same reconciliation by hand with json and dicts")
    script = ROOT / "bench" / "baseline" / "reconcile.py"
    for users in (100_000, 1_000_000):
        directory = dataset(users)
        files = inputs(directory)
        answer = subprocess.run([sys.executable, script, *files], check=True, capture_output=True,
                                text=True).stdout
        expected = json.load(open(directory / "day1" / "expected.json", encoding="utf-8"))
        if json.loads(answer)["operations"] != expected["operations"]:
            raise SystemExit(f"bench/run: the Python baseline disagrees with expected.json:\n"
                             f"{answer}\n{expected}")
        python_walls = [run_timed([sys.executable, script, *files])[0]
                        for _ in range(1 if users > 100_000 else RUNS)]
        walls, _ = measure(plan_command(files[0], files[1], files[2], files[3],
                                        directory / "day1.plan"))
        row(f"nightly reconciliation, {users:,} users", "scimflow plan (writes the plan)",
            spread(walls), "Python json + dicts (counts only)", spread(python_walls),
            f"{statistics.median(python_walls) / statistics.median(walls):.1f}× faster",
            "Python parses every document into objects on one core; scimflow parses on demand "
            "on every core and compares hashes.")


def machine():
    memory = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return dict(cpu=cpu, cores=os.cpu_count(), memory_gib=int(memory.split()[1]) / 2**20,
                kernel=platform.release(), commit=commit + (" (with local changes)" if dirty else ""),
                date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))


def write_results(started):
    info = machine()
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run` (do not edit by hand; run it again). Every figure stands next to a",
        "baseline measured in the same run on the same data; times are medians of "
        f"{RUNS} runs after a warm-up, with min–max ({2 * RUNS} randomly interleaved "
        "repetitions for the ingest micro-benchmarks).",
        "",
        f"- Machine: {info['cores']} cores ({info['cpu']}), {info['memory_gib']:.0f} GiB, "
        f"Linux {info['kernel']}; load average {LOAD_AT_START:.1f} at the start (other work on the "
        "machine moves absolute figures, not the same-run ratios much)",
        f"- Commit: {info['commit']}; run {info['date']}, took {time.time() - started:.0f} s",
        f"- Scenarios run: {', '.join(SCENARIOS)}; runs per figure: {RUNS}",
        "",
        "| scenario | scimflow | baseline (same run) | ratio | what limits it |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['scenario']} | {r['figure']}: {r['value']} | {r['baseline']}: "
                     f"{r['baseline_value']} | {r['ratio']} | {r['limits']} |")
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log("wrote bench/RESULTS.md")


def main():
    for binary in (SCIMFLOW, MICRO):
        if not binary.exists():
            raise SystemExit(f"bench/run: {binary} is missing; build the Release tree first")
    if shutil.which("wrk") is None and "apply" in SCENARIOS:
        raise SystemExit("bench/run: needs wrk (Debian package wrk)")
    started = time.time()
    for name in SCENARIOS:
        globals()[f"scenario_{name}"]()
    write_results(started)


if __name__ == "__main__":
    main()
