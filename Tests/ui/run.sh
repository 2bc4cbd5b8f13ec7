#!/usr/bin/env bash
# Browser test of the admin web UI.
#
#   bash Tests/ui/run.sh PATH/TO/switchyard [SCREENSHOT_DIR]    # against the built gateway
#
# Starts an OpenAI-compatible upstream double (Tests/ui/upstream.py) and the gateway on free loopback ports, with a
# configuration in a temporary directory (SQLite there, the request log on, sessions of 3 seconds), waits for
# /health/ready, runs Tests/ui/ui_test.py, stops both, and exits with the test's status. Screenshots go to
# SCREENSHOT_DIR (default ./ui-screenshots). Needs python3 with selenium, and Debian's chromium and chromium-driver.
set -uo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  echo "usage: $0 PATH/TO/switchyard [SCREENSHOT_DIR]" >&2
  exit 2
fi
BINARY=$1
SHOTS=${2:-./ui-screenshots}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}

if [[ ! -x "$BINARY" ]]; then
  echo "run.sh: $BINARY is not an executable switchyard binary" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import selenium' 2>/dev/null; then
  echo "run.sh: selenium is missing: $PYTHON -m pip install selenium" >&2
  exit 2
fi
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  if [[ ! -x $tool ]]; then
    echo "run.sh: $tool is missing: apt-get install chromium chromium-driver" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-ui.XXXXXX")
UPSTREAM_PID=""
GATEWAY_PID=""

stop() {
  local pid=$1
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop "$GATEWAY_PID"
  stop "$UPSTREAM_PID"
  if [[ -n "${KEEP_UI_WORKDIR:-}" ]]; then
    echo "run.sh: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until URL answers 200 (up to $2 seconds) while process $3 lives.
wait_for() {
  local url=$1 seconds=$2 pid=$3
  "$PYTHON" - "$url" "$seconds" "$pid" <<'EOF'
import os, sys, time, urllib.request
url, seconds, pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
deadline = time.time() + seconds
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the process serving %s exited" % url)
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit("%s did not answer 200 within %d s" % (url, seconds))
EOF
}

UPSTREAM_PORT=$(free_port)
GATEWAY_PORT=$(free_port)
MASTER_KEY="sk-ui-master-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"

"$PYTHON" "$HERE/upstream.py" --port "$UPSTREAM_PORT" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
if ! wait_for "http://127.0.0.1:$UPSTREAM_PORT/v1/models" 15 "$UPSTREAM_PID"; then
  echo "run.sh: the upstream double did not start:" >&2
  cat "$WORK/upstream.log" >&2
  exit 1
fi

cat >"$WORK/switchyard.yaml" <<EOF
server:
  host: 127.0.0.1
  port: $GATEWAY_PORT
  master_key: $MASTER_KEY
storage:
  url: sqlite:$WORK/switchyard.db
ui:
  session_ttl_seconds: 3
logging:
  level: info
  format: text
  request_log: true
providers:
  - name: upstream
    type: openai
    base_url: http://127.0.0.1:$UPSTREAM_PORT/v1
    api_key: upstream-double-key
models:
  - name: chat
    targets:
      - provider: upstream
        model: double-chat
        price: {input: 1.0, output: 2.0}
EOF
"$BINARY" serve --config "$WORK/switchyard.yaml" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!

if ! wait_for "$GATEWAY/health/ready" 60 "$GATEWAY_PID"; then
  echo "run.sh: the gateway did not become ready; its log:" >&2
  tail -n 80 "$WORK/gateway.log" >&2
  exit 1
fi
echo "run.sh: gateway ready at $GATEWAY (upstream double on port $UPSTREAM_PORT)"

"$PYTHON" "$HERE/ui_test.py" --gateway "$GATEWAY" --master-key "$MASTER_KEY" --screenshots "$SHOTS" --expiry-seconds 4
STATUS=$?
if [[ $STATUS -ne 0 ]]; then
  echo "run.sh: the UI test failed ($STATUS); the gateway's log ends with:" >&2
  tail -n 60 "$WORK/gateway.log" >&2
fi
exit $STATUS
