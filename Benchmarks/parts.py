"""What each part of the governed path costs: `Benchmarks/run --parts`.

A profile of the gateway is flat (no function above a few percent), so it cannot say what removing a part would
save. This runs the same release binary in configurations that each turn parts off (request lines, the request log,
a key's limits, the virtual key itself), all at once against the same static upstream, and measures them in
interleaved saturation rounds (wrk, 64 connections): CPU per request of the whole process, and that CPU split by
thread group (the event loops that serve requests; the thread pool where SQLite runs; the background tasks that
build the storage rows; the thread that writes log lines out). Work a part moves to a background thread is counted where it runs.
"""
import json, os, statistics, subprocess, tempfile, time

import run

FIRST_PORT = 18090

# name, request lines, request log, key: "limits" (rpm, tpm and a budget, as the main run's), "rpm" (rpm only),
# "plain" (no limits) or "master" (the master key: no virtual key at all)
CONFIGURATIONS = [
    ("full: a key with rpm, tpm and a budget; request lines; request log", True, True, "limits"),
    ("no request lines", False, True, "limits"),
    ("no request log", True, False, "limits"),
    ("a key with rpm only (no tpm, so no tokenizer; no budget)", True, True, "rpm"),
    ("a key with no limits", True, True, "plain"),
    ("the master key (no key lookup, limits or spend)", True, True, "master"),
    ("the master key, no request lines, no request log", False, False, "master"),
]

KEY_LIMITS = {"limits": run.BENCH_LIMITS, "rpm": {"rpm": 10_000_000}, "plain": {}}

# Thread names as Linux shows them (at most 15 characters): NIO's event loops and thread pool, the threads of the
# Swift concurrency runtime's global executor (Dispatch's root queues, whose names end in "-qos…"), and the thread
# that writes log lines out.
THREAD_GROUPS = [("event loops", lambda name: name.startswith("NIO-")), ("thread pool", lambda name: name.startswith("SGLTN-TP")),
                 ("tasks", lambda name: "qos" in name), ("log writer", lambda name: name.startswith("switchyard-log"))]


def stat_seconds(path):
    """The name and CPU seconds (user and system) in a /proc `stat` file."""
    stat = open(path).read()
    fields = stat.rsplit(")", 1)[1].split()
    return stat[stat.index("(") + 1:stat.rindex(")")], (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample(pid):
    """The process's CPU seconds so far, whole (exited threads included) and per living thread: (total, {tid: (name, s)})."""
    threads = {}
    for thread in os.listdir(f"/proc/{pid}/task"):
        try:
            threads[thread] = stat_seconds(f"/proc/{pid}/task/{thread}/stat")
        except OSError:
            continue
    return stat_seconds(f"/proc/{pid}/stat")[1], threads


def by_group(before, after):
    """CPU seconds between two samples by thread group: each thread's growth goes to its group; what the whole process
    grew by beyond the threads still alive at the end (threads that exited in between) is `exited`."""
    groups = {name: 0.0 for name, _ in THREAD_GROUPS}
    groups["other"] = 0.0
    for thread, (name, seconds) in after[1].items():
        group = next((group for group, matches in THREAD_GROUPS if matches(name)), "other")
        groups[group] += seconds - before[1].get(thread, (name, 0.0))[1]
    groups["exited"] = max(0.0, (after[0] - before[0]) - sum(groups.values()))
    return groups


def start_gateway(index, request_lines, request_log, directory, processes):
    """A gateway of the configuration at `index`, on a port and database of its own, added to `processes` as soon as it
    starts; returns (process, port)."""
    port = FIRST_PORT + index
    config = os.path.join(directory, f"parts-{index}.yaml")
    with open(config, "w") as f:
        f.write(f"""
server: {{host: 127.0.0.1, port: {port}, master_key: {run.MASTER}}}
storage: {{url: "sqlite:{directory}/parts-{index}.db"}}
logging: {{request_lines: {str(request_lines).lower()}, request_log: {str(request_log).lower()}}}
providers:
  - {{name: up, type: openai, base_url: "http://127.0.0.1:{run.UPSTREAM}/v1"}}
models:
  - {{name: chat, targets: [{{provider: up, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
""")
    log = open(os.path.join(directory, f"parts-{index}.log"), "w")
    process = subprocess.Popen([os.path.join(run.ROOT, ".build/release/switchyard"), "serve", "--config", config], stdout=log, stderr=log)
    processes.append(process)
    run.wait_for(port, "/health/ready")
    return process, port


def main(args):
    directory = tempfile.mkdtemp(prefix="switchyard-parts-")
    completion = run.COMPLETION.replace("'", "\\'")
    upstream = run.start_nginx(directory, "upstream", run.UPSTREAM, f"""
    server {{
        listen 127.0.0.1:{run.UPSTREAM} reuseport;
        location / {{ default_type application/json; return 200 '{completion}'; }}
    }}""", 1)
    gateways = []
    processes = [upstream]
    try:
        for index, (name, request_lines, request_log, key_kind) in enumerate(CONFIGURATIONS):
            process, port = start_gateway(index, request_lines, request_log, directory, processes)
            key = run.MASTER if key_kind == "master" else run.create_key(run.MASTER, f"parts-{index}", port=port, limits=KEY_LIMITS[key_kind])[0]
            gateways.append({"name": name, "process": process, "port": port, "script": run.post_script(key, directory, name=f"parts-{index}"),
                             "cpu": [], "rate": [], "threads": []})
        for gateway in gateways:
            run.wrk(f"http://127.0.0.1:{gateway['port']}/v1/chat/completions", 1, gateway["script"])
        not_ok = 0
        for round_index in range(args.rounds):
            print(f"round {round_index + 1} of {args.rounds}", flush=True)
            for gateway in gateways:
                pid = gateway["process"].pid
                before = sample(pid)
                count, rate, non2xx = run.wrk(f"http://127.0.0.1:{gateway['port']}/v1/chat/completions", args.seconds, gateway["script"])
                # The writers flush every 250 ms: what the rows of this round cost is counted in this round.
                time.sleep(0.6)
                not_ok += non2xx
                per_request = {group: seconds / max(count, 1) * 1e6 for group, seconds in by_group(before, sample(pid)).items()}
                gateway["threads"].append(per_request)
                gateway["cpu"].append(sum(per_request.values()))
                gateway["rate"].append(rate)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    groups = [name for name, _ in THREAD_GROUPS] + ["other", "exited"]
    full = statistics.median(gateways[0]["cpu"])
    summary = []
    print(f"\n{'configuration':66} {'µs/req':>7} {'saved':>6} " + " ".join(f"{group:>11}" for group in groups) + f" {'req/s':>7}")
    for gateway in gateways:
        cpu = statistics.median(gateway["cpu"])
        split = {group: statistics.median(round_split[group] for round_split in gateway["threads"]) for group in groups}
        saved = "" if gateway is gateways[0] else f"{full - cpu:.1f}"
        print(f"{gateway['name']:66} {cpu:7.1f} {saved:>6} " + " ".join(f"{split[group]:11.1f}" for group in groups)
              + f" {statistics.median(gateway['rate']):7.0f}")
        summary.append({"configuration": gateway["name"], "cpu_us_per_request": cpu, "cpu_us_per_request_per_round": gateway["cpu"],
                        "cpu_us_per_request_by_thread_group": split, "throughput_rps": statistics.median(gateway["rate"])})
    print(f"(medians of {args.rounds} rounds of {args.seconds} s; thread groups in µs per request; "
          + ("every answer 2xx)" if not_ok == 0 else f"{not_ok} answers NOT 2xx)"))
    with open(args.out, "w") as f:
        json.dump({"rounds": args.rounds, "seconds": args.seconds, "parts": summary, "not_2xx": not_ok}, f, indent=2)
    print(f"results: {args.out}")
    if not_ok:
        raise SystemExit(1)
