#!/usr/bin/env python3
"""An open-loop HTTP/1.1 load client independent of the project's own (Benchmarks/LoadGenerator): Python asyncio
(uvloop when installed), raw sockets, keep-alive connections.

Requests are due at a fixed rate; each one's latency counts from when it was due, so a server that falls behind
shows it. A request takes an idle connection, or opens one when none is idle. Prints one JSON object, as the
project's load generator does: sent, completed, failed, latency_ms {p50, p90, p99, max}.

Usage: open_loop.py --url http://127.0.0.1:8080/v1/chat/completions --rate 200 --duration 8 --body-file request.json
       [--header "authorization: Bearer sk-…"]
"""
import argparse, asyncio, json, time, urllib.parse


async def read_response(reader):
    """Reads one response; returns its status. Handles Content-Length and chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() != "close"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    body = open(args.body_file, "rb").read()
    extra = "".join(f"{h.split(':', 1)[0].strip()}: {h.split(':', 1)[1].strip()}\r\n" for h in args.header)
    request = (f"POST {url.path or '/'} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\ncontent-type: application/json\r\n"
               f"content-length: {len(body)}\r\n{extra}\r\n").encode() + body
    idle = []
    samples, failures = [], 0
    total = int(args.rate * args.duration)
    # perf_counter, not the loop's clock: uvloop's counts whole milliseconds.
    clock = time.perf_counter
    start = clock() + 0.1

    async def one(due):
        nonlocal failures
        connection = idle.pop() if idle else None
        try:
            if connection is None:
                connection = await asyncio.open_connection(url.hostname, url.port)
            reader, writer = connection
            writer.write(request)
            status, keep = await asyncio.wait_for(read_response(reader), 30)
            elapsed = clock() - due
            if 200 <= status < 300:
                samples.append(elapsed * 1000)
            else:
                failures += 1
            if keep:
                idle.append(connection)
            else:
                writer.close()
        except Exception:
            failures += 1
            if connection is not None:
                connection[1].close()

    tasks = []
    for index in range(total):
        due = start + index / args.rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(due)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    samples.sort()

    def at(quantile):
        return samples[min(len(samples) - 1, int(len(samples) * quantile))] if samples else 0

    print(json.dumps({"client": "python-asyncio" + ("+uvloop" if USING_UVLOOP else ""), "rate": args.rate, "sent": total,
                      "completed": len(samples), "failed": failures,
                      "latency_ms": {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": samples[-1] if samples else 0}}))


try:
    import uvloop
    USING_UVLOOP = True
except ImportError:
    USING_UVLOOP = False

if __name__ == "__main__":
    if USING_UVLOOP:
        uvloop.run(main())
    else:
        asyncio.run(main())
