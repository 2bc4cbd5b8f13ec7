#!/usr/bin/env python3
"""Switchyard's end-to-end benchmark, against references measured in the same run.

Four ways to reach the same static OpenAI-shaped upstream (nginx answering `return 200` with a real
chat.completion body, or an SSE body for streams):
  direct      the upstream itself
  nginx       an nginx reverse proxy in front of it: the reference hop
  swiftnio    a minimal reverse proxy on SwiftNIO's own codecs, callbacks only, doing none of a gateway's work
              (Benchmarks/ProxyFloor): the floor of any proxy on the gateway's stack
  switchyard  the gateway (release build), with governance on: a virtual key with rpm/tpm/budget limits,
              metering, Prometheus metrics, request lines and the request log
  cached      the same gateway and request to a model whose response cache is on: every request after the
              first is a hit, answered from memory with no upstream call (streams replay the cached answer)

In interleaved rounds it measures saturation throughput (wrk), latency at fixed rates (open loop, so queueing
shows; for direct, nginx and switchyard also with an independent client, Benchmarks/open_loop.py), streaming time to first byte and total, CPU time per request of the process under test (from /proc), and
resident memory; then prints one table with ratios to direct, to the nginx hop and to the SwiftNIO floor, and writes the results as JSON.
Each round also measures the floor of the gateway's own server stack: wrk against GET /health/live, which answers
with no upstream, no key and no body; a proxied request costs at least this on the client's side, plus the upstream
call. The SwiftNIO proxy answers the same request itself, so the two server stacks are compared alone too.

Then, with the gateway still up: it holds `--streams` streams open at once against an upstream that trickles its
events (nginx limit_rate), records the gateway's resident memory with them open, and checks that each stream's first
event reached the client long before its end (events are forwarded as they arrive, not buffered); with `--soak M`
it sends a steady load for M minutes and reports how resident memory moved.

With `--baseline PATH` a second gateway from another binary (an earlier build) runs beside the first and is measured
in the same rounds, so a change is compared within one run rather than across runs of a noisy machine.

With `--parts` it measures instead what each part of the governed path costs: the same binary in configurations
that turn parts off, side by side (see parts.py).

Usage: Benchmarks/run [--rounds N] [--seconds S] [--rates 200,1000] [--streams 1000] [--soak MINUTES] [--out results.json]
                      [--baseline OLD_BINARY] [--profile]
       Benchmarks/run --parts [--rounds N] [--seconds S] [--out parts.json]
"""
import argparse, json, os, resource, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UPSTREAM, HOP, GATEWAY, FLOOR, BASELINE = 18081, 18082, 18083, 18084, 18085
MASTER = "sk-benchmark-master-key"

COMPLETION = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "A fox goes looking for adventure while a lazy dog sleeps."},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 96, "completion_tokens": 14, "total_tokens": 110}})
CHUNK = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":null}]}'
SSE = "".join("data: %s\n\n" % (CHUNK % w) for w in ["A", " fox", " goes", " looking", " for", " adventure", "."]) + \
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":96,"completion_tokens":7,"total_tokens":103}}\n\n' + \
    "data: [DONE]\n\n"
REQUEST = json.dumps({"model": "chat", "messages": [
    {"role": "system", "content": "You are a helpful assistant that answers briefly."},
    {"role": "user", "content": "Summarise in one sentence: the quick brown fox jumps over the lazy dog, who keeps sleeping "
                                "in the afternoon sun while the fox trots off into the woods looking for its next adventure."}],
    "temperature": 0.2, "max_tokens": 256})


def sh(command, **kwargs):
    return subprocess.run(command, shell=True, check=True, **kwargs)


def install():
    missing = [tool for tool in ("nginx", "wrk") if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool)]
    if missing:
        print("installing", " ".join(missing), flush=True)
        sh("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null || "
           "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null")
    # The independent client runs on uvloop when it can (PyPI), else on asyncio's own loop.
    if subprocess.run([sys.executable, "-c", "import uvloop"], capture_output=True).returncode != 0:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "uvloop"], capture_output=True)


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(directory, name, port, body, workers):
    path = os.path.join(directory, name + ".conf")
    with open(path, "w") as f:
        f.write(f"""
worker_processes {workers};
pid {directory}/{name}.pid;
error_log {directory}/{name}.error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    {body}
}}
""")
    return path


def start_nginx(directory, name, port, body, workers):
    config = nginx_config(directory, name, port, body, workers)
    process = subprocess.Popen([nginx_binary(), "-c", config, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    wait_for(port)
    return process


def wait_for(port, path="/"):
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"nothing answered on port {port}")


def pids_of(process):
    """The process and its children (nginx workers)."""
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return [process.pid] + [int(p) for p in children]


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def memory_kib(pids, field):
    total = 0
    for pid in pids:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                total += int(line.split()[1])
    return total


def post_script(key, directory, body=REQUEST, name="post"):
    """A wrk script that POSTs `body` (the benchmark's chat request) with `key`; returns its path."""
    script = os.path.join(directory, name + ".lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n'
                'wrk.headers["Authorization"] = "Bearer %s"\n' % (json.dumps(body), key))
    return script


def wrk(url, seconds, script=None):
    """Saturates `url` for `seconds` (a GET, or what `script` sends); returns (requests, rate, non-2xx answers)."""
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency"] + (["-s", script] if script else []) + [url],
                         capture_output=True, text=True, check=True).stdout
    requests = int(next(line for line in out.splitlines() if "requests in" in line).split()[0])
    rate = float(next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1])
    non2xx = next((int(line.split()[-1]) for line in out.splitlines() if "Non-2xx" in line), 0)
    # "Socket errors: connect 0, read 0, write 0, timeout 0": requests that got no answer count as failed too.
    errors = next((line for line in out.splitlines() if "Socket errors" in line), "")
    non2xx += sum(int(part.split()[-1]) for part in errors.split(":", 1)[-1].split(",") if part.strip())
    return requests, rate, non2xx


def loadgen_command(url, rate, seconds, key, body, stream=False, connections=256):
    return [os.path.join(ROOT, ".build/release/switchyard-loadgen"), "--url", url, "--rate", str(rate), "--duration", str(seconds),
            "--body-file", body, "--header", f"authorization: Bearer {key}", "--connections", str(connections)] + (["--stream"] if stream else [])


def independent(url, rate, seconds, key, directory):
    """Latency at a fixed rate measured by a client that shares no code with the project (Benchmarks/open_loop.py)."""
    command = [sys.executable, os.path.join(ROOT, "Benchmarks", "open_loop.py"), "--url", url, "--rate", str(rate), "--duration",
               str(seconds), "--body-file", os.path.join(directory, "request.json"), "--header", f"authorization: Bearer {key}"]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def record_saturation(measured, rate, cpu_used, count):
    """Adds one saturation run to `measured`: its rate and the CPU it cost per request."""
    measured["throughput"].append(rate)
    measured["cpu_us_per_request"].append(cpu_used / max(count, 1) * 1e6)


def saturation_summary(measured):
    """Medians of the rounds' saturation runs, with each round's figures."""
    return {"throughput_rps": statistics.median(measured["throughput"]),
            "cpu_us_per_request": statistics.median(measured["cpu_us_per_request"]),
            "throughput_rps_per_round": measured["throughput"], "cpu_us_per_request_per_round": measured["cpu_us_per_request"]}


def loadgen(url, rate, seconds, key, directory, stream=False, prefix=""):
    body = os.path.join(directory, prefix + ("stream.json" if stream else "request.json"))
    return json.loads(subprocess.run(loadgen_command(url, rate, seconds, key, body, stream), capture_output=True, text=True, check=True).stdout)


def watch_rss(process, pid, every=0.25):
    """Runs until `process` ends, sampling `pid`'s resident memory; returns (samples in KiB, its stdout)."""
    samples = []
    while process.poll() is None:
        samples.append(memory_kib([pid], "VmRSS"))
        time.sleep(every)
    return samples, process.stdout.read()


def open_streams(count, key, directory, pid):
    """Holds `count` slow streams open through the gateway at once; resident memory while they are open."""
    body = os.path.join(directory, "slow.json")
    # Opened over about two seconds, each lasting several: all of them are open together for a while.
    process = subprocess.Popen(loadgen_command(f"http://127.0.0.1:{GATEWAY}/v1/chat/completions", count / 2, 2, key, body, True,
                                               connections=count + 64), stdout=subprocess.PIPE, text=True)
    samples, out = watch_rss(process, pid)
    result = json.loads(out)
    return {"streams": count, "failed": result["failed"], "rss_mib_with_streams_open": max(samples) / 1024,
            "first_byte_p50_ms": result["first_byte_ms"].get("p50", 0), "end_p50_ms": result["latency_ms"].get("p50", 0)}


def soak(minutes, rate, key, directory, pid):
    """A steady load for `minutes`; resident memory sampled along the way."""
    process = subprocess.Popen(loadgen_command(f"http://127.0.0.1:{GATEWAY}/v1/chat/completions", rate, minutes * 60, key,
                                               os.path.join(directory, "request.json")), stdout=subprocess.PIPE, text=True)
    samples, out = watch_rss(process, pid, every=5)
    result = json.loads(out)
    tenth = max(1, len(samples) // 10)
    return {"minutes": minutes, "rate": rate, "failed": result["failed"], "rss_mib_first_tenth": statistics.median(samples[:tenth]) / 1024,
            "rss_mib_last_tenth": statistics.median(samples[-tenth:]) / 1024, "p99_ms": result["latency_ms"].get("p99", 0)}


def admin_get(path):
    request = urllib.request.Request(f"http://127.0.0.1:{GATEWAY}{path}", headers={"authorization": f"Bearer {MASTER}"})
    return json.loads(urllib.request.urlopen(request).read())


BENCH_LIMITS = {"rpm": 10_000_000, "tpm": 10_000_000_000, "max_budget_usd": 1_000_000}


def create_key(master, name, port=GATEWAY, limits=BENCH_LIMITS):
    """A virtual key with `limits` (by default rpm, tpm and a budget, high enough never to refuse): (key, id)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/keys", method="POST", headers={
        "authorization": f"Bearer {master}", "content-type": "application/json"},
        data=json.dumps(dict(limits, name=name)).encode())
    created = json.loads(urllib.request.urlopen(request).read())
    return created["key"], created["id"]


def scrape_sum(series):
    """The sum of every sample of `series` in the gateway's /metrics (authenticated, so every series is there)."""
    request = urllib.request.Request(f"http://127.0.0.1:{GATEWAY}/metrics", headers={"authorization": f"Bearer {MASTER}"})
    text = urllib.request.urlopen(request).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(series + "{") or line.startswith(series + " "))


def gate_load(key, directory, rate, seconds):
    """Requests the correctness gates account for, sent with a key of their own: plain ones at `rate` and streams at
    a tenth of it; what was sent, completed and failed of each."""
    plain = loadgen(f"http://127.0.0.1:{GATEWAY}/v1/chat/completions", rate, seconds, key, directory)
    stream = loadgen(f"http://127.0.0.1:{GATEWAY}/v1/chat/completions", max(1, rate // 10), seconds, key, directory, stream=True)
    return {"plain": plain["sent"], "stream": stream["sent"], "failed": plain["failed"] + stream["failed"]}


def check_gates(database, key_id, sent, usage, dropped, not_ok):
    """The checks that keep dropped work from looking like saved work: every answer 2xx, no row dropped by storage,
    a request-log row per request sent, and usage sums equal to what the upstream reported, priced."""
    import sqlite3
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT COUNT(*) FROM request_logs WHERE key_id = ?", (key_id,)).fetchone()[0]
    finally:
        connection.close()
    total = sent["plain"] + sent["stream"]
    by_model = {entry["group"]: entry for entry in usage}
    # What the upstream reports for each answer (COMPLETION's usage, and the SSE body's last chunk), and its price.
    expected = {"chat": (sent["plain"], 96, 14), "chat-stream": (sent["stream"], 96, 7)}
    usage_ok, usage_detail = True, []
    for model, (count, prompt, completion) in expected.items():
        entry = by_model.get(model, {})
        cost = count * (prompt * 0.15 + completion * 0.6) / 1e6
        got = (entry.get("requests", 0), entry.get("prompt_tokens", 0), entry.get("completion_tokens", 0), entry.get("cost_usd", 0.0))
        matches = got[:3] == (count, count * prompt, count * completion) and abs(got[3] - cost) <= 1e-9 * max(1, cost)
        usage_ok &= matches
        usage_detail.append(f"{model} {got[0]} requests, {got[1]}+{got[2]} tokens, ${got[3]:.6f} (expected {count}, "
                            f"{count * prompt}+{count * completion}, ${cost:.6f})")
    return {
        "every answer 2xx": {"passed": not_ok == 0, "detail": f"{not_ok} failed or non-2xx answers over the whole run"},
        "nothing dropped by storage": {"passed": dropped == 0, "detail": f"switchyard_storage_dropped_total = {dropped:.0f}"},
        "a request-log row per request": {"passed": rows == total, "detail": f"{rows} rows for {total} requests sent"},
        "usage equals the upstream's": {"passed": usage_ok, "detail": "; ".join(usage_detail)},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rates", default="200,1000")
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "results.json"))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--profile", action="store_true", help="record the gateway with perf during its first saturation run")
    parser.add_argument("--streams", type=int, default=1000, help="streams held open at once for the memory check (0: skip)")
    parser.add_argument("--soak", type=float, default=0, help="minutes of steady load at --soak-rate for the memory growth check")
    parser.add_argument("--soak-rate", type=int, default=500)
    parser.add_argument("--baseline", help="another switchyard binary (an earlier build), measured in the same rounds as "
                                           "`baseline`: a comparison this machine's noise between runs cannot blur")
    parser.add_argument("--parts", action="store_true", help="instead of the main run: what each part of the governed path costs, "
                                                             "the same binary measured with parts turned off (see parts.py)")
    args = parser.parse_args()
    if args.parts and (args.baseline or args.profile or args.soak):
        parser.error("--parts runs on its own: without --baseline, --profile or --soak")
    if args.parts and args.out == parser.get_default("out"):
        args.out = os.path.join(ROOT, "Benchmarks", "parts.json")
    rates = [int(r) for r in args.rates.split(",")]

    install()
    # A thousand open streams take two thousand descriptors in the gateway.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    if not args.no_build:
        print("building release (this takes a while on a small machine)", flush=True)
        products = ("switchyard", "switchyard-loadgen", "switchyard-proxy-floor")
        sh(f"cd {ROOT} && " + " && ".join(f"swift build -c release --product {product} >/dev/null" for product in products))
    if args.parts:
        import parts
        return parts.main(args)

    directory = tempfile.mkdtemp(prefix="switchyard-bench-")
    with open(os.path.join(directory, "request.json"), "w") as f:
        f.write(REQUEST)
    with open(os.path.join(directory, "stream.json"), "w") as f:
        f.write(json.dumps(dict(json.loads(REQUEST), model="chat-stream", stream=True)))
    with open(os.path.join(directory, "slow.json"), "w") as f:
        f.write(json.dumps(dict(json.loads(REQUEST), model="chat-slow", stream=True)))
    cached_request = json.dumps(dict(json.loads(REQUEST), model="chat-cached"))
    with open(os.path.join(directory, "cached-request.json"), "w") as f:
        f.write(cached_request)
    with open(os.path.join(directory, "cached-stream.json"), "w") as f:
        f.write(json.dumps(dict(json.loads(REQUEST), model="chat-cached", stream=True)))
    # The same request to a model with the pii guardrail on (redact, input and output): what screening costs.
    guarded_request = json.dumps(dict(json.loads(REQUEST), model="chat-pii"))
    with open(os.path.join(directory, "guarded-request.json"), "w") as f:
        f.write(guarded_request)
    with open(os.path.join(directory, "guarded-stream.json"), "w") as f:
        f.write(json.dumps(dict(json.loads(REQUEST), model="chat-pii-stream", stream=True)))
    completion = COMPLETION.replace("'", "\\'")
    sse = SSE.replace("\n", "\\n").replace("'", "\\'")
    upstream = start_nginx(directory, "upstream", UPSTREAM, f"""
    server {{
        listen 127.0.0.1:{UPSTREAM} reuseport;
        location /stream/ {{ default_type text/event-stream; return 200 '{sse}'; }}
        location /slow/ {{ default_type text/event-stream; limit_rate 200; return 200 '{sse}'; }}
        location / {{ default_type application/json; return 200 '{completion}'; }}
    }}""", 1)
    hop = start_nginx(directory, "hop", HOP, f"""
    upstream backend {{ server 127.0.0.1:{UPSTREAM}; keepalive 256; }}
    server {{
        listen 127.0.0.1:{HOP} reuseport;
        location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }}
    }}""", "auto")
    floor_proxy = subprocess.Popen([os.path.join(ROOT, ".build/release/switchyard-proxy-floor"), "--port", str(FLOOR),
                                    "--upstream-port", str(UPSTREAM)], stderr=subprocess.DEVNULL)
    wait_for(FLOOR)
    config = os.path.join(directory, "switchyard.yaml")
    with open(config, "w") as f:
        f.write(f"""
server: {{host: 127.0.0.1, port: PORT, master_key: {MASTER}}}
storage: {{url: "sqlite:{directory}/DATABASE.db"}}
logging: {{request_lines: true, request_log: true}}
providers:
  - {{name: up, type: openai, base_url: "http://127.0.0.1:{UPSTREAM}/v1"}}
  - {{name: up-stream, type: openai, base_url: "http://127.0.0.1:{UPSTREAM}/stream/v1"}}
  - {{name: up-slow, type: openai, base_url: "http://127.0.0.1:{UPSTREAM}/slow/v1"}}
models:
  - {{name: chat, targets: [{{provider: up, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
  - {{name: chat-stream, targets: [{{provider: up-stream, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
  - {{name: chat-slow, targets: [{{provider: up-slow, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
  - {{name: chat-cached, cache: {{enabled: true}}, targets: [{{provider: up, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
  - {{name: chat-pii, guardrails: [pii], targets: [{{provider: up, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
  - {{name: chat-pii-stream, guardrails: [pii], targets: [{{provider: up-stream, model: gpt-4o-mini, price: {{input: 0.15, output: 0.6}}}}]}}
guardrails:
  - {{name: pii, type: pii, action: redact, on: [input, output]}}
""")
    template = open(config).read()
    with open(config, "w") as f:
        f.write(template.replace("PORT", str(GATEWAY)).replace("DATABASE", "switchyard"))
    log = open(os.path.join(directory, "switchyard.log"), "w")
    gateway = subprocess.Popen([os.path.join(ROOT, ".build/release/switchyard"), "serve", "--config", config], stdout=log, stderr=log)
    wait_for(GATEWAY, "/health/ready")
    baseline = None
    if args.baseline:
        baseline_config = os.path.join(directory, "baseline.yaml")
        with open(baseline_config, "w") as f:
            f.write(template.replace("PORT", str(BASELINE)).replace("DATABASE", "baseline"))
        baseline = subprocess.Popen([os.path.abspath(args.baseline), "serve", "--config", baseline_config],
                                    stdout=open(os.path.join(directory, "baseline.log"), "w"), stderr=subprocess.STDOUT)
        wait_for(BASELINE, "/health/ready")
    time.sleep(0.5)
    idle_rss = memory_kib([gateway.pid], "VmRSS")
    key = create_key(MASTER, "bench")[0]
    gate_key, gate_key_id = create_key(MASTER, "gate")
    keys = {"baseline": create_key(MASTER, "bench", port=BASELINE)[0]} if baseline else {}
    # The cached model's one miss: every request after it is a hit.
    warm = urllib.request.Request(f"http://127.0.0.1:{GATEWAY}/v1/chat/completions", method="POST", data=cached_request.encode(),
                                  headers={"authorization": f"Bearer {key}", "content-type": "application/json"})
    with urllib.request.urlopen(warm) as answer:
        assert answer.headers["x-switchyard-cache"] == "miss", answer.headers["x-switchyard-cache"]
    time.sleep(0.5)

    targets = {
        "direct": (f"http://127.0.0.1:{UPSTREAM}", pids_of(upstream)),
        "nginx": (f"http://127.0.0.1:{HOP}", pids_of(hop)),
        "swiftnio": (f"http://127.0.0.1:{FLOOR}", [floor_proxy.pid]),
        "switchyard": (f"http://127.0.0.1:{GATEWAY}", [gateway.pid]),
        "cached": (f"http://127.0.0.1:{GATEWAY}", [gateway.pid]),
        "guarded": (f"http://127.0.0.1:{GATEWAY}", [gateway.pid]),
    }
    if baseline:
        targets["baseline"] = (f"http://127.0.0.1:{BASELINE}", [baseline.pid])
    results = {name: {"throughput": [], "cpu_us_per_request": [], "latency": {r: [] for r in rates}, "stream": [],
                      "independent": {r: [] for r in rates}} for name in targets}
    # The floor of the gateway's own server stack: what answering a request costs it with no upstream, no key and no
    # body (GET /health/live). A proxied request costs at least this, plus its upstream call.
    floor = {"throughput": [], "cpu_us_per_request": []}
    nio_floor = {"throughput": [], "cpu_us_per_request": []}
    scripts = {name: post_script(keys.get(name, key), directory, name=name) for name in targets}
    not_ok = 0
    scripts["cached"] = post_script(key, directory, cached_request, "cached")
    scripts["guarded"] = post_script(key, directory, guarded_request, "guarded")
    try:
        for round_index in range(args.rounds):
            print(f"round {round_index + 1} of {args.rounds}", flush=True)
            for name, (base, pids) in targets.items():
                stream_base = base + ("/stream" if name not in ("switchyard", "cached", "guarded", "baseline") else "")
                target_key = keys.get(name, key)
                prefix = {"cached": "cached-", "guarded": "guarded-"}.get(name, "")
                before = cpu_seconds(pids)
                profiler = None
                if args.profile and name == "switchyard" and round_index == 0:
                    profiler = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(gateway.pid), "-o",
                                                 os.path.join(directory, "perf.data"), "--", "sleep", str(args.seconds - 1)],
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                count, rate, non2xx = wrk(base + "/v1/chat/completions", args.seconds, scripts[name])
                if profiler:
                    profiler.wait()
                    report = subprocess.run(["perf", "report", "-i", os.path.join(directory, "perf.data"), "--stdio", "--no-children",
                                             "--sort", "symbol", "-g", "none", "--percent-limit", "0.7"], capture_output=True, text=True).stdout
                    with open(os.path.join(ROOT, "Benchmarks", "profile.txt"), "w") as f:
                        f.write(report)
                    print("  profile: Benchmarks/profile.txt", flush=True)
                used = cpu_seconds(pids) - before
                if non2xx:
                    print(f"  {name}: {non2xx} answers were not 2xx", flush=True)
                not_ok += non2xx
                record_saturation(results[name], rate, used, count)
                for fixed in rates:
                    results[name]["latency"][fixed].append(loadgen(base + "/v1/chat/completions", fixed, args.seconds, target_key, directory, prefix=prefix))
                    not_ok += results[name]["latency"][fixed][-1]["failed"]
                    if name in ("direct", "nginx", "switchyard"):
                        results[name]["independent"][fixed].append(independent(base + "/v1/chat/completions", fixed, args.seconds, key, directory))
                        not_ok += results[name]["independent"][fixed][-1]["failed"]
                results[name]["stream"].append(loadgen(stream_base + "/v1/chat/completions", 100, args.seconds, target_key, directory, stream=True, prefix=prefix))
                not_ok += results[name]["stream"][-1]["failed"]
            for measured, port, pid in ((floor, GATEWAY, gateway.pid), (nio_floor, FLOOR, floor_proxy.pid)):
                before = cpu_seconds([pid])
                count, rate, _ = wrk(f"http://127.0.0.1:{port}/health/live", args.seconds)
                record_saturation(measured, rate, cpu_seconds([pid]) - before, count)
        peak_rss = memory_kib([gateway.pid], "VmHWM")
        streams = open_streams(args.streams, key, directory, gateway.pid) if args.streams else None
        soaked = soak(args.soak, args.soak_rate, key, directory, gateway.pid) if args.soak else None
        if streams:
            not_ok += streams["failed"]
        if soaked:
            not_ok += soaked["failed"]
        sent = gate_load(gate_key, directory, max(rates), args.seconds)
        not_ok += sent["failed"]
        time.sleep(1.5)  # the usage and request-log writers flush every 250 ms
        gate_usage = admin_get(f"/admin/usage?key_id={gate_key_id}&group_by=model")["data"]
        dropped = scrape_sum("switchyard_storage_dropped_total")
    finally:
        processes = [gateway, floor_proxy, hop, upstream] + ([baseline] if baseline else [])
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    gates = check_gates(os.path.join(directory, "switchyard.db"), gate_key_id, sent, gate_usage, dropped, not_ok)
    summary = {"rounds": args.rounds, "seconds": args.seconds, "idle_rss_mib": idle_rss / 1024, "peak_rss_mib": peak_rss / 1024,
               "gates": gates,
               "open_streams": streams, "soak": soaked, "targets": {},
               "server_floor": saturation_summary(floor), "swiftnio_server_floor": saturation_summary(nio_floor)}
    for name, measured in results.items():
        entry = saturation_summary(measured)
        for fixed in rates:
            entry[f"p50_ms_at_{fixed}"] = statistics.median(r["latency_ms"].get("p50", 0) for r in measured["latency"][fixed])
            entry[f"p99_ms_at_{fixed}"] = statistics.median(r["latency_ms"].get("p99", 0) for r in measured["latency"][fixed])
            entry[f"failed_at_{fixed}"] = sum(r["failed"] for r in measured["latency"][fixed])
        for fixed in rates:
            runs = measured["independent"][fixed]
            if runs:
                entry[f"independent_p50_ms_at_{fixed}"] = statistics.median(r["latency_ms"]["p50"] for r in runs)
                entry[f"independent_p99_ms_at_{fixed}"] = statistics.median(r["latency_ms"]["p99"] for r in runs)
                entry["independent_client"] = runs[0]["client"]
        entry["stream_ttfb_p50_ms"] = statistics.median(r["first_byte_ms"].get("p50", 0) for r in measured["stream"])
        entry["stream_total_p50_ms"] = statistics.median(r["latency_ms"].get("p50", 0) for r in measured["stream"])
        summary["targets"][name] = entry
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=2)

    direct, nginx, nio, gw, hit = (summary["targets"][n] for n in ("direct", "nginx", "swiftnio", "switchyard", "cached"))
    rows = [("throughput (req/s)", "throughput_rps", "{:.0f}"), ("CPU per request (µs)", "cpu_us_per_request", "{:.0f}")]
    for fixed in rates:
        rows += [(f"p50 at {fixed} req/s (ms)", f"p50_ms_at_{fixed}", "{:.3f}"), (f"p99 at {fixed} req/s (ms)", f"p99_ms_at_{fixed}", "{:.3f}")]
    rows += [("stream first byte p50 (ms)", "stream_ttfb_p50_ms", "{:.3f}"), ("stream total p50 (ms)", "stream_total_p50_ms", "{:.3f}")]
    print(f"\n{'':30} {'direct':>10} {'nginx':>10} {'swiftnio':>10} {'switchyard':>11} {'÷ direct':>9} {'÷ nginx':>9} {'÷ swiftnio':>10}"
          f" {'cached':>10} {'÷ miss':>7}")
    for label, field, fmt in rows:
        ratio = lambda a, b: f"{a / b:.2f}" if b else "-"
        print(f"{label:30} {fmt.format(direct[field]):>10} {fmt.format(nginx[field]):>10} {fmt.format(nio[field]):>10} "
              f"{fmt.format(gw[field]):>11} {ratio(gw[field], direct[field]):>9} {ratio(gw[field], nginx[field]):>9} "
              f"{ratio(gw[field], nio[field]):>10} {fmt.format(hit[field]):>10} {ratio(hit[field], gw[field]):>7}")
    for fixed in rates:
        print(f"added latency at {fixed} req/s vs direct: p50 {gw[f'p50_ms_at_{fixed}'] - direct[f'p50_ms_at_{fixed}']:+.3f} ms, "
              f"p99 {gw[f'p99_ms_at_{fixed}'] - direct[f'p99_ms_at_{fixed}']:+.3f} ms")
    for fixed in rates:
        if f"independent_p50_ms_at_{fixed}" in gw:
            added = lambda entry, quantile: entry[f"independent_{quantile}_ms_at_{fixed}"] - direct[f"independent_{quantile}_ms_at_{fixed}"]
            print(f"added latency at {fixed} req/s vs direct, independent client ({gw['independent_client']}): "
                  f"switchyard p50 {added(gw, 'p50'):+.3f} ms, p99 {added(gw, 'p99'):+.3f} ms; "
                  f"nginx p50 {added(nginx, 'p50'):+.3f} ms, p99 {added(nginx, 'p99'):+.3f} ms")
    print("switchyard per round (medians above): " + ", ".join(
        f"{rate:.0f} req/s at {cpu:.0f} µs" for rate, cpu in zip(gw["throughput_rps_per_round"], gw["cpu_us_per_request_per_round"])))
    print(f"the SwiftNIO floor proxy: {nio['throughput_rps'] / nginx['throughput_rps']:.2f} of the nginx hop's throughput, "
          f"{nio['cpu_us_per_request']:.0f} µs per request")
    # The machine's cores are shared by wrk, the upstream and the proxy under test: at the floor proxy's saturation,
    # whatever CPU per request the proxy does not use went to wrk and the upstream. Half the nginx hop's rate leaves
    # a proxy what remains of the cores' time per request after those.
    others = os.cpu_count() * 1e6 / nio["throughput_rps"] - nio["cpu_us_per_request"]
    budget = os.cpu_count() * 1e6 / (0.5 * nginx["throughput_rps"]) - others
    print(f"CPU per request a proxy may spend for 0.5× the nginx hop on this machine: about {budget:.0f} µs "
          f"({others:.0f} µs of each request go to wrk and the upstream)")
    nio_served = summary["swiftnio_server_floor"]
    print(f"the SwiftNIO server alone (GET /health/live): {nio_served['throughput_rps']:.0f} req/s at {nio_served['cpu_us_per_request']:.0f} µs per request")
    print(f"stream first byte added vs direct: {gw['stream_ttfb_p50_ms'] - direct['stream_ttfb_p50_ms']:+.3f} ms")
    served = summary["server_floor"]
    print(f"switchyard's server alone (GET /health/live, no upstream): {served['throughput_rps']:.0f} req/s at "
          f"{served['cpu_us_per_request']:.0f} µs per request ({served['throughput_rps'] / direct['throughput_rps']:.2f} of direct, {served['throughput_rps'] / nginx['throughput_rps']:.2f} of the nginx hop)")
    print(f"a cache hit against a proxied miss: {hit['cpu_us_per_request']:.0f} µs of the gateway's CPU against {gw['cpu_us_per_request']:.0f} µs "
          f"({hit['cpu_us_per_request'] / gw['cpu_us_per_request']:.2f}); p50 at {rates[0]} req/s {hit[f'p50_ms_at_{rates[0]}']:.3f} ms against "
          f"{gw[f'p50_ms_at_{rates[0]}']:.3f} ms")
    guarded = summary["targets"]["guarded"]
    print(f"with the pii guardrail on (redact, request and answer): {guarded['cpu_us_per_request']:.0f} µs of the gateway's CPU per request "
          f"against {gw['cpu_us_per_request']:.0f} µs ({guarded['cpu_us_per_request'] - gw['cpu_us_per_request']:+.0f} µs); "
          f"p50 at {rates[0]} req/s {guarded[f'p50_ms_at_{rates[0]}']:.3f} ms against {gw[f'p50_ms_at_{rates[0]}']:.3f} ms")
    if "baseline" in summary["targets"]:
        base = summary["targets"]["baseline"]
        print(f"against the baseline binary in the same rounds: {gw['cpu_us_per_request']:.0f} µs per request against "
              f"{base['cpu_us_per_request']:.0f} ({gw['cpu_us_per_request'] / base['cpu_us_per_request']:.2f}), {gw['throughput_rps']:.0f} req/s "
              f"against {base['throughput_rps']:.0f} ({gw['throughput_rps'] / base['throughput_rps']:.2f}); per round: "
              + ", ".join(f"{a:.0f}/{b:.0f} µs" for a, b in zip(gw["cpu_us_per_request_per_round"], base["cpu_us_per_request_per_round"]))
              + f"; p50 at {rates[0]} req/s {gw[f'p50_ms_at_{rates[0]}']:.3f} against {base[f'p50_ms_at_{rates[0]}']:.3f} ms")
    print(f"switchyard RSS: {summary['idle_rss_mib']:.1f} MiB idle, {summary['peak_rss_mib']:.1f} MiB peak under the rounds' load")
    if streams:
        print(f"{streams['streams']} streams open at once ({streams['failed']} failed): RSS {streams['rss_mib_with_streams_open']:.1f} MiB; "
              f"first event after {streams['first_byte_p50_ms']:.0f} ms, end after {streams['end_p50_ms']:.0f} ms (p50): "
              + ("events forwarded as they arrive" if streams['first_byte_p50_ms'] < streams['end_p50_ms'] / 4 else "EVENTS HELD BACK"))
    if soaked:
        print(f"soak, {soaked['minutes']:g} min at {soaked['rate']} req/s ({soaked['failed']} failed): RSS {soaked['rss_mib_first_tenth']:.1f} MiB "
              f"in the first tenth, {soaked['rss_mib_last_tenth']:.1f} MiB in the last; p99 {soaked['p99_ms']:.2f} ms")
    print("correctness gates: " + ("all passed" if all(g["passed"] for g in gates.values()) else "FAILED"))
    for name, gate in gates.items():
        print(f"  {'ok  ' if gate['passed'] else 'FAIL'} {name}: {gate['detail']}")
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
