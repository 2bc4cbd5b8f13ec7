#!/usr/bin/env python3
"""Measures vector store search latency through the gateway's HTTP API at a given number of chunks.

Starts an embedding server on loopback (deterministic 384-dimension vectors, about 1 ms an answer) and the gateway
(`--gateway`, a release build) on a SQLite file, uploads text files cut into 100-token chunks until the store holds
the number of chunks asked for, waits for ingestion, then times `POST /v1/vector_stores/{id}/search` in each mode
(hybrid, vector only, words only) from one client, one request at a time: the gateway's own time (its
`x-switchyard-overhead-ms`, which leaves out the wait for the query's embedding) and the client's. Prints a Markdown
table.

    swift build -c release --product switchyard
    python3 Scripts/knowledge-search-latency.py --gateway .build/release/switchyard --chunks 10000 100000
"""

import argparse
import hashlib
import http.server
import json
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

DIMENSIONS = 384
MASTER_KEY = "sk-bench-master-key-0123456789"


def vector(text):
    """A deterministic unit-ish vector for `text`: its words hashed into buckets, so similar texts are near."""
    values = [0.0] * DIMENSIONS
    for word in text.lower().split()[:200]:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        bucket, sign = struct.unpack("<IxxxB", digest)
        values[bucket % DIMENSIONS] += 1.0 if sign & 1 else -1.0
    return [round(value, 3) for value in values]


class EmbeddingServer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        answer = json.dumps({
            "object": "list", "model": body["model"],
            "data": [{"object": "embedding", "index": index, "embedding": vector(text)} for index, text in enumerate(inputs)],
            "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *arguments):
        pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, method, path, body=None, content_type="application/json", with_headers=False):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("authorization", "Bearer " + MASTER_KEY)
    if data is not None:
        request.add_header("content-type", content_type)
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = json.loads(response.read())
        return (answer, response.headers) if with_headers else answer


def upload(base, name, text):
    boundary = "----switchyard-bench"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n"
    ).encode() + text.encode() + f"\r\n--{boundary}--\r\n".encode()
    return call(base, "POST", "/v1/files", body, "multipart/form-data; boundary=" + boundary)["id"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--searches", type=int, default=200)
    arguments = parser.parse_args()

    embedder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingServer)
    threading.Thread(target=embedder.serve_forever, daemon=True).start()
    rng = random.Random(7)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(20_000)]
    rows = []
    for chunks in arguments.chunks:
        directory = tempfile.mkdtemp(prefix="switchyard-knowledge-")
        port = free_port()
        config = os.path.join(directory, "switchyard.yaml")
        with open(config, "w") as file:
            file.write(f"""server: {{host: 127.0.0.1, port: {port}, master_key: {MASTER_KEY}, max_body_bytes: 67108864}}
storage: {{url: "sqlite:{directory}/switchyard.db"}}
knowledge: {{embedding_model: embed, max_file_bytes: 67108864}}
providers:
  - {{name: local, type: openai, base_url: "http://127.0.0.1:{embedder.server_address[1]}/v1", api_key: none}}
models:
  - {{name: embed, targets: [{{provider: local, model: bench-embedding}}]}}
""")
        gateway = subprocess.Popen([arguments.gateway, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/health/ready", timeout=1)
                    break
                except Exception:
                    time.sleep(0.1)
            store = call(base, "POST", "/v1/vector_stores", {"name": f"bench-{chunks}"})["id"]
            # About 75 words make 100 tokens; files of 1,000 chunks each.
            files = max(1, chunks // 1_000)
            started = time.monotonic()
            for number in range(files):
                words = [rng.choice(vocabulary) for _ in range(75 * (chunks // files))]
                text = "\n".join(" ".join(words[start:start + 15]) + "." for start in range(0, len(words), 15))
                file_id = upload(base, f"part-{number}.txt", text)
                call(base, "POST", f"/v1/vector_stores/{store}/files",
                     {"file_id": file_id, "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}}})
            while True:
                counts = call(base, "GET", f"/v1/vector_stores/{store}")["file_counts"]
                if counts["in_progress"] == 0:
                    break
                time.sleep(0.5)
            ingested = time.monotonic() - started
            held = call(base, "GET", f"/v1/vector_stores/{store}")
            print(f"{chunks} chunks asked: {held['file_counts']}, {held['usage_bytes']} bytes, ingested in {ingested:.0f} s", file=sys.stderr)
            modes = {
                "hybrid": None,
                "vector only": {"hybrid_search": {"embedding_weight": 1, "text_weight": 0}},
                "words only": {"hybrid_search": {"embedding_weight": 0, "text_weight": 1}},
            }
            query = lambda: " ".join(rng.choice(vocabulary) for _ in range(4))
            started = time.monotonic()
            call(base, "POST", f"/v1/vector_stores/{store}/search", {"query": query()})
            cold = (time.monotonic() - started) * 1000
            for mode, ranking in modes.items():
                timings, own = [], []
                for index in range(arguments.searches + 10):
                    body = {"query": query(), "max_num_results": 10}
                    if ranking:
                        body["ranking_options"] = ranking
                    started = time.monotonic()
                    found, headers = call(base, "POST", f"/v1/vector_stores/{store}/search", body, with_headers=True)
                    if index >= 10:
                        timings.append((time.monotonic() - started) * 1000)
                        # The gateway's own time: the whole search but the query's embedding round trip.
                        own.append(float(headers["x-switchyard-overhead-ms"]))
                    assert found["object"] == "vector_store.search_results.page"
                timings.sort()
                own.sort()
                rows.append((chunks, mode, statistics.median(own), own[int(len(own) * 0.95)], statistics.median(timings), cold))
        finally:
            gateway.terminate()
            gateway.wait()
    print("| chunks | search | gateway p50 ms | gateway p95 ms | client p50 ms (with the query's embedding) | first search (loads the store) ms |")
    print("|---:|---|---:|---:|---:|---:|")
    for chunks, mode, p50, p95, client, cold in rows:
        print(f"| {chunks:,} | {mode} | {p50:.1f} | {p95:.1f} | {client:.1f} | {cold:.0f} |")


if __name__ == "__main__":
    main()
