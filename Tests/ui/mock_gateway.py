#!/usr/bin/env python3
"""A stand-in for the gateway's UI contract, for working on the admin UI without building Swift.

It serves Sources/SwitchyardHTTP/Resources/ui the way the gateway does (sign-in with a CSRF cookie, an HttpOnly
session cookie with a lifetime, /ui/session, /ui/logout, the strict Content-Security-Policy) and an in-memory
admin API: keys, teams, the request log, analytics computed from the log, targets, models, prompts and
subscriptions. POST /v1/chat/completions forwards to --upstream (or answers itself) and is logged.

    python3 Tests/ui/mock_gateway.py --port 8099 --master-key sk-master [--upstream http://127.0.0.1:PORT/v1]
    bash Tests/ui/run.sh --mock            # the browser test against this stand-in

It is not the gateway: it checks the UI, not the server. The real contract lives in the Swift sources.
"""

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UI_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "SwitchyardHTTP", "Resources", "ui")
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
KEY_FIELDS = {"name", "models", "rpm", "tpm", "max_parallel", "max_budget_usd", "soft_budget_usd", "token_quota", "budget_period", "expires_at", "team", "metadata", "guardrails"}
TEAM_FIELDS = KEY_FIELDS - {"expires_at", "team", "metadata"}
GUARDRAILS = {"pii", "injection"}
LOCK = threading.RLock()


def now():
    return dt.datetime.now(dt.timezone.utc)


def iso(moment, fraction=False):
    text = moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds" if fraction else "seconds")
    return text.replace("+00:00", "Z")


def parse_iso(text):
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


class Fail(Exception):
    def __init__(self, status, message, kind="invalid_request_error", code=None, param=None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code, self.param = status, message, kind, code, param


class State:
    def __init__(self, master, ttl, upstream):
        self.master, self.ttl, self.upstream = master, ttl, upstream
        self.sessions = {}
        self.keys = {}
        self.secrets = {}
        self.teams = {}
        self.logs = []
        self.prompts = {}
        self.subscriptions = {}
        self.seed()

    def seed(self):
        team = {"id": "team_" + secrets.token_hex(8), "name": "search", "models": ["chat"], "guardrails": [], "created_at": iso(now()),
                "rpm": 600, "tpm": None, "max_parallel": None, "max_budget_usd": 500.0, "soft_budget_usd": None, "token_quota": None, "budget_period": "monthly"}
        self.teams[team["id"]] = team
        base = {"model": "chat", "template": "Classify the sentiment of this text as positive, negative or neutral: {{text}}",
                "variables": {"text": {"type": "string", "required": True, "max_length": 4000}}}
        v2 = dict(base, template="Classify the sentiment of this text as positive, negative, neutral or mixed: {{text}}", parameters={"temperature": 0})
        stamp = iso(now())
        self.prompts["sentiment"] = {
            "prompt": {"name": "sentiment", "state": "published", "active_version": 2, "visibility": "all", "teams": [], "subscription_required": True,
                       "sunset": None, "source": "config", "created_at": stamp, "updated_at": stamp},
            "versions": [dict(base, version=1, created_by="config", created_at=stamp), dict(v2, version=2, created_by="master", created_at=stamp)],
            "history": [{"action": "created", "version": 1, "actor": "config", "time": stamp, "detail": None},
                        {"action": "version_added", "version": 2, "actor": "master", "time": stamp, "detail": None}],
        }
        self.prompts["summary-draft"] = {
            "prompt": {"name": "summary-draft", "state": "draft", "active_version": 1, "visibility": "teams", "teams": [team["id"]], "subscription_required": False,
                       "sunset": None, "source": "api", "created_at": stamp, "updated_at": stamp},
            "versions": [{"model": "chat", "template": "Summarise: {{text}}", "version": 1, "created_by": "master", "created_at": stamp}],
            "history": [{"action": "created", "version": 1, "actor": "master", "time": stamp, "detail": "<b>not html</b>"}],
        }
        sub = {"id": "sub_" + secrets.token_hex(6), "prompt": "sentiment", "team_id": team["id"], "status": "pending", "requested_by": "key_demo",
               "created_at": stamp, "decided_at": None}
        self.subscriptions[sub["id"]] = sub

    # ---- spend
    def spend(self, scope, ident):
        field = "key_id" if scope == "key" else "team_id"
        return round(sum(row["cost_usd"] for row in self.logs if row.get(field) == ident), 10)


def limits_from(body, item):
    for name in ("rpm", "tpm", "max_parallel", "token_quota"):
        if name in body:
            value = body[name]
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise Fail(400, "'%s' must be a whole number from 1 to 10^12." % name, param=name)
            item[name] = value
    for name in ("max_budget_usd", "soft_budget_usd"):
        if name in body:
            value = body[name]
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise Fail(400, "'%s' must be a number of dollars." % name, param=name)
            item[name] = float(value) if value is not None else None
    if "budget_period" in body:
        if body["budget_period"] not in (None, "daily", "weekly", "monthly"):
            raise Fail(400, "'budget_period' must be daily, weekly or monthly.", param="budget_period")
        item["budget_period"] = body["budget_period"]
    if "models" in body:
        value = body["models"]
        if value is not None and (not isinstance(value, list) or not all(isinstance(x, str) and x for x in value)):
            raise Fail(400, "'models' must be an array of model names.", param="models")
        item["models"] = value
    if "guardrails" in body:
        value = body["guardrails"] or []
        for name in value:
            if name not in GUARDRAILS:
                raise Fail(400, "No guardrail named '%s' (configured: %s)." % (name, ", ".join(sorted(GUARDRAILS))), param="guardrails")
        item["guardrails"] = list(dict.fromkeys(value))


def check_fields(body, allowed):
    if not isinstance(body, dict):
        raise Fail(400, "The request body must be a JSON object.")
    for name in sorted(body):
        if name not in allowed:
            raise Fail(400, "Unknown field '%s'; expected some of: %s." % (name, ", ".join(sorted(allowed))), param=name)


RANGES = {"hour": (dt.timedelta(hours=1), dt.timedelta(minutes=1), "minute"), "day": (dt.timedelta(days=1), dt.timedelta(hours=1), "hour"),
          "week": (dt.timedelta(days=7), dt.timedelta(hours=1), "hour"), "month": (dt.timedelta(days=30), dt.timedelta(days=1), "day")}


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(fraction * len(ordered))) - 1)]


def summarize(rows):
    latency = [r["latency_ms"] for r in rows]
    ttft = [r["ttft_ms"] for r in rows if r.get("ttft_ms") is not None]
    lookups = [r for r in rows if r.get("cache") in ("hit", "miss", "semantic-hit")]
    hits = [r for r in lookups if r["cache"] != "miss"]
    errors = [r for r in rows if r["status"] >= 400]
    return {
        "requests": len(rows), "errors": len(errors), "error_rate": (len(errors) / len(rows)) if rows else None,
        "latency_ms": {"p50": percentile(latency, .5), "p95": percentile(latency, .95), "p99": percentile(latency, .99)},
        "ttft_ms": {"p50": percentile(ttft, .5), "p95": percentile(ttft, .95), "p99": percentile(ttft, .99)},
        "prompt_tokens": sum(r["prompt_tokens"] for r in rows), "completion_tokens": sum(r["completion_tokens"] for r in rows),
        "cached_tokens": sum(r["cached_tokens"] for r in rows), "cost_usd": sum(r["cost_usd"] for r in rows),
        "cache_hit_rate": (len(hits) / len(lookups)) if lookups else None, "lookups": len(lookups), "hits": len(hits),
    }


def point(chart, stamp, rows):
    summary = summarize(rows)
    result = {"time": iso(stamp)}
    if chart == "requests":
        result.update(requests=summary["requests"], errors=summary["errors"])
    elif chart == "latency":
        result.update(p50_ms=summary["latency_ms"]["p50"], p95_ms=summary["latency_ms"]["p95"], p99_ms=summary["latency_ms"]["p99"], ttft_p50_ms=summary["ttft_ms"]["p50"])
    elif chart == "tokens":
        result.update(prompt_tokens=summary["prompt_tokens"], completion_tokens=summary["completion_tokens"], cached_tokens=summary["cached_tokens"])
    elif chart == "spend":
        result.update(cost_usd=summary["cost_usd"])
    elif chart == "cache":
        result.update(hit_rate=summary["cache_hit_rate"], lookups=summary["lookups"], hits=summary["hits"])
    return result


def group_of(row, by):
    return {"model": row.get("model"), "target": row.get("target"), "key": row.get("key_id") or "master", "team": row.get("team_id") or "none"}[by]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_VERBOSE"):
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    # ---- plumbing
    def cookies(self):
        found = {}
        for part in (self.headers.get("cookie") or "").split(";"):
            if "=" in part:
                name, value = part.strip().split("=", 1)
                found[name] = value
        return found

    def send(self, status, body=b"", content_type=None, headers=()):
        self.send_response(status)
        if content_type:
            self.send_header("content-type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, value, headers=()):
        self.send(status, json.dumps(value).encode(), "application/json", headers)

    def page_headers(self):
        return [("content-security-policy", CSP), ("cache-control", "no-store"), ("x-content-type-options", "nosniff"),
                ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY")]

    def redirect(self, location, headers=()):
        self.send(303, b"", None, [("location", location), ("cache-control", "no-store")] + list(headers))

    def read_body(self):
        if getattr(self, "_body", None) is None:
            length = int(self.headers.get("content-length") or 0)
            self._body = self.rfile.read(length) if length else b""
        return self._body

    def body_json(self):
        raw = self.read_body()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise Fail(400, "The request body is not valid JSON.", code="invalid_json")

    def session(self):
        token = self.cookies().get("switchyard_session")
        if not token:
            return None
        with LOCK:
            found = self.state.sessions.get(hashlib.sha256(token.encode()).hexdigest())
        if not found or found["expires"] < time.time():
            return None
        return found

    def login_page(self, error, status=200):
        token = secrets.token_urlsafe(24)
        with open(os.path.join(UI_DIR, "login.html"), encoding="utf-8") as handle:
            text = handle.read()
        safe = error.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        text = text.replace("{{csrf}}", token).replace("{{error}}", safe)
        headers = self.page_headers() + [("set-cookie", "switchyard_login_csrf=%s; Path=/ui/login; Max-Age=600; HttpOnly; SameSite=Strict" % token)]
        self.send(status, text.encode(), TYPES[".html"], headers)

    def asset(self, name):
        path = os.path.join(UI_DIR, name)
        if "/" in name or not os.path.isfile(path):
            raise Fail(404, "No file '%s' in the UI." % name, "not_found_error")
        with open(path, "rb") as handle:
            data = handle.read()
        self.send(200, data, TYPES.get(os.path.splitext(name)[1], "application/octet-stream"), self.page_headers())

    # ---- dispatch
    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        self._body = None
        self.read_body()  # always, so an early answer leaves the connection clean
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        params = dict(urllib.parse.parse_qsl(url.query))
        try:
            if path.startswith("/health/"):
                return self.send_json(200, {"status": "ok"})
            if path == "/ui" or path.startswith("/ui/"):
                return self.ui(method, path)
            if path.startswith("/admin/"):
                self.admin_auth(method)
                with LOCK:
                    return self.admin(method, path, params)
            if path in ("/v1/chat/completions", "/chat/completions") and method == "POST":
                return self.chat()
            raise Fail(404, "No route %s %s." % (method, path), "not_found_error")
        except Fail as failure:
            self.send_json(failure.status, {"error": {"message": failure.message, "type": failure.kind, "param": failure.param, "code": failure.code}})
        except (BrokenPipeError, ConnectionResetError):
            pass

    def ui(self, method, path):
        if path == "/ui" and method == "GET":
            return self.redirect("/ui/")
        if path == "/ui/" and method == "GET":
            if not self.session():
                return self.redirect("/ui/login")
            return self.asset("index.html")
        if path == "/ui/login" and method == "GET":
            return self.login_page("")
        if path == "/ui/login" and method == "POST":
            form = dict(urllib.parse.parse_qsl(self.read_body().decode()))
            if not form.get("csrf") or form.get("csrf") != self.cookies().get("switchyard_login_csrf"):
                return self.login_page("The sign-in form expired; try again.", 403)
            if form.get("key") != self.state.master:
                return self.login_page("That is not the master key.", 401)
            token = secrets.token_urlsafe(32)
            with LOCK:
                self.state.sessions[hashlib.sha256(token.encode()).hexdigest()] = {"csrf": secrets.token_urlsafe(24), "expires": time.time() + self.state.ttl}
            return self.redirect("/ui/", [("set-cookie", "switchyard_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict" % (token, self.state.ttl)),
                                          ("set-cookie", "switchyard_login_csrf=; Path=/ui/login; Max-Age=0; HttpOnly; SameSite=Strict")])
        if path == "/ui/session" and method == "GET":
            found = self.session()
            if not found:
                raise Fail(401, "No session, or it has expired; sign in.", "authentication_error", "session_expired")
            return self.send_json(200, {"csrf": found["csrf"], "expires_at": iso(dt.datetime.fromtimestamp(found["expires"], dt.timezone.utc))})
        if path == "/ui/logout" and method == "POST":
            found = self.session()
            if not found:
                raise Fail(401, "No session, or it has expired; sign in.", "authentication_error", "session_expired")
            if self.headers.get("x-csrf-token") != found["csrf"]:
                raise Fail(403, "Signing out needs the session's CSRF token.", "permission_error", "csrf_token_invalid")
            token = self.cookies().get("switchyard_session")
            with LOCK:
                self.state.sessions.pop(hashlib.sha256(token.encode()).hexdigest(), None)
            return self.send(204, b"", None, [("set-cookie", "switchyard_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")])
        if method == "GET":
            return self.asset(path[len("/ui/"):])
        raise Fail(404, "No route.", "not_found_error")

    def admin_auth(self, method):
        presented = (self.headers.get("authorization") or "").removeprefix("Bearer ").strip() or None
        if presented:
            if presented != self.state.master:
                raise Fail(401 if presented not in self.state.secrets else 403, "The admin API needs the master key.", "authentication_error")
            return
        if "switchyard_session" in self.cookies():
            found = self.session()
            if not found:
                raise Fail(401, "The session has expired; sign in again.", "authentication_error", "session_expired")
            if method not in ("GET", "HEAD") and self.headers.get("x-csrf-token") != found["csrf"]:
                raise Fail(403, "This request needs the session's CSRF token in x-csrf-token.", "permission_error", "csrf_token_invalid")
            return
        raise Fail(401, "No API key.", "authentication_error")

    # ---- admin API
    def admin(self, method, path, params):
        s = self.state
        parts = path.strip("/").split("/")[1:]
        head = parts[0] if parts else ""
        if head in ("keys", "teams"):
            return self.entities(method, head, parts[1:])
        if head == "logs" and method == "GET":
            return self.logs(params)
        if head == "analytics" and method == "GET" and len(parts) == 2:
            return self.analytics(parts[1], params)
        if head == "targets" and method == "GET":
            return self.send_json(200, {"data": [
                {"provider": "upstream", "model": "double-chat", "models": ["chat"], "state": "closed", "usable": True, "in_flight": 0, "latency_ms": 12.5,
                 "time_to_first_token_ms": None, "requests": len(s.logs), "failures": 0, "error_rate": 0, "last_error": None},
                {"provider": "backup", "model": "slow-<model>", "models": ["chat"], "state": "open", "usable": False, "in_flight": 0, "latency_ms": 900.0,
                 "requests": 12, "failures": 6, "error_rate": 0.5, "reopens_in_seconds": 17.2, "last_error": "upstream answered 503 <html>", "last_error_seconds_ago": 42.0},
                {"provider": "local", "model": "llama", "models": ["chat", "long"], "state": "half_open", "usable": True, "in_flight": 1, "latency_ms": None,
                 "requests": 3, "failures": 3, "error_rate": 1, "last_error": "connection refused", "last_error_seconds_ago": 5.0},
            ]})
        if head == "models" and method == "GET":
            return self.send_json(200, {"data": [
                {"name": "chat", "strategy": "round-robin", "targets": [{"provider": "upstream", "model": "double-chat", "weight": 1}], "fallbacks": ["long"],
                 "guardrails": ["pii"], "cache": True, "context": "truncate", "memory": False},
                {"name": "long", "strategy": "weighted", "targets": [{"provider": "local", "model": "llama", "weight": 3}, {"provider": "backup", "model": "slow-<model>", "weight": 1}],
                 "fallbacks": [], "guardrails": [], "cache": False, "context": None, "memory": True},
            ]})
        if head == "prompts":
            return self.prompts(method, parts[1:], params)
        if head == "subscriptions":
            if method == "GET" and len(parts) == 1:
                status = params.get("status")
                return self.send_json(200, {"data": [sub for sub in s.subscriptions.values() if not status or sub["status"] == status]})
            if method == "POST" and len(parts) == 3 and parts[2] in ("approve", "reject"):
                sub = s.subscriptions.get(parts[1])
                if not sub:
                    raise Fail(404, "No subscription '%s'." % parts[1], "not_found_error")
                if sub["status"] != "pending":
                    raise Fail(409, "The subscription is already %s." % sub["status"])
                sub["status"] = "approved" if parts[2] == "approve" else "rejected"
                sub["decided_at"] = iso(now())
                return self.send_json(200, sub)
        raise Fail(404, "No route %s %s." % (method, path), "not_found_error")

    def entities(self, method, kind, rest):
        s = self.state
        table = s.keys if kind == "keys" else s.teams
        scope = kind[:-1]
        allowed = KEY_FIELDS if kind == "keys" else TEAM_FIELDS
        if not rest:
            if method == "GET":
                return self.send_json(200, {"data": [self.public(item) for item in table.values()]})
            if method == "POST":
                body = self.body_json()
                check_fields(body, allowed)
                name = body.get("name")
                if not isinstance(name, str) or not name.strip():
                    raise Fail(400, "'name' is required.", param="name")
                if any(item["name"] == name for item in table.values()):
                    raise Fail(409, "A %s named '%s' already exists." % (scope, name), code="conflict")
                if kind == "keys" and body.get("team") and body["team"] not in s.teams:
                    raise Fail(400, "No team with id '%s'." % body["team"], param="team")
                item = {"id": scope + "_" + secrets.token_hex(8), "name": name, "models": None, "guardrails": [], "created_at": iso(now()),
                        "rpm": None, "tpm": None, "max_parallel": None, "max_budget_usd": None, "soft_budget_usd": None, "token_quota": None, "budget_period": None}
                if kind == "keys":
                    secret = "sk-sy-" + secrets.token_urlsafe(36)[:48]
                    item.update(prefix=secret[:10], team=body.get("team"), expires_at=body.get("expires_at"), metadata=body.get("metadata") or {})
                limits_from(body, item)
                table[item["id"]] = item
                view = self.public(item)
                if kind == "keys":
                    s.secrets[secret] = item["id"]
                    view["key"] = secret
                return self.send_json(201, view)
        else:
            item = table.get(rest[0])
            if not item:
                raise Fail(404, "No %s with id '%s'." % (scope, rest[0]), "not_found_error")
            if len(rest) == 1 and method == "GET":
                return self.send_json(200, dict(self.public(item), spend_usd=s.spend(scope, item["id"])))
            if len(rest) == 1 and method == "PATCH":
                body = self.body_json()
                check_fields(body, allowed)
                if "name" in body:
                    if not isinstance(body["name"], str) or not body["name"].strip():
                        raise Fail(400, "'name' is required.", param="name")
                    item["name"] = body["name"]
                if "team" in body:
                    if body["team"] is not None and body["team"] not in s.teams:
                        raise Fail(400, "No team with id '%s'." % body["team"], param="team")
                    item["team"] = body["team"]
                limits_from(body, item)
                return self.send_json(200, self.public(item))
            if len(rest) == 1 and method == "DELETE":
                del table[item["id"]]
                if kind == "teams":
                    for key in [k for k in s.keys.values() if k.get("team") == item["id"]]:
                        del s.keys[key["id"]]
                return self.send(204)
            if len(rest) == 2 and rest[1] == "rotate" and method == "POST" and kind == "keys":
                for secret, owner in list(s.secrets.items()):
                    if owner == item["id"]:
                        del s.secrets[secret]
                secret = "sk-sy-" + secrets.token_urlsafe(36)[:48]
                s.secrets[secret] = item["id"]
                item["prefix"] = secret[:10]
                return self.send_json(200, dict(self.public(item), key=secret))
        raise Fail(404, "No route.", "not_found_error")

    @staticmethod
    def public(item):
        return {name: value for name, value in item.items()}

    def logs(self, params):
        rows = self.state.logs
        for name in ("key_id", "team_id", "model", "request_id"):
            if params.get(name):
                rows = [r for r in rows if r.get(name) == params[name]]
        if params.get("status"):
            try:
                status = int(params["status"])
            except ValueError:
                raise Fail(400, "'status' must be an integer.", param="status")
            rows = [r for r in rows if r["status"] == status]
        for name, keep in (("from", lambda t, b: t >= b), ("to", lambda t, b: t < b)):
            if params.get(name):
                bound = parse_iso(params[name])
                if not bound:
                    raise Fail(400, "'%s' must be an ISO-8601 date or date-time." % name, param=name)
                rows = [r for r in rows if keep(parse_iso(r["time"]), bound)]
        rows = sorted(rows, key=lambda r: r["id"], reverse=True)
        if params.get("cursor"):
            rows = [r for r in rows if r["id"] < params["cursor"]]
        limit = int(params.get("limit") or 100)
        page = rows[:limit]
        more = len(rows) > limit
        return self.send_json(200, {"data": page, "has_more": more, "next_cursor": page[-1]["id"] if more and page else None})

    def analytics(self, chart, params):
        s = self.state
        range_name = params.get("range", "hour")
        if range_name not in RANGES:
            raise Fail(400, "'range' must be hour, day, week or month.", param="range")
        span, step, bucket = RANGES[range_name]
        end = now()
        start = end - span
        rows = [r for r in s.logs if parse_iso(r["time"]) >= start and r.get("model")]
        if chart == "overview":
            summary = summarize(rows)
            summary.pop("lookups")
            summary.pop("hits")
            return self.send_json(200, dict(summary, range=range_name))
        if chart == "budgets":
            data = []
            for scope, table in (("key", s.keys), ("team", s.teams)):
                for item in table.values():
                    if item.get("max_budget_usd") is None:
                        continue
                    spent = s.spend(scope, item["id"])
                    data.append({"scope": scope, "id": item["id"], "name": item["name"], "spend_usd": spent, "max_budget_usd": item["max_budget_usd"],
                                 "budget_period": item.get("budget_period"), "fraction": spent / item["max_budget_usd"] if item["max_budget_usd"] > 0 else None})
            return self.send_json(200, {"data": data})
        by = params.get("by")
        if by and by not in ("model", "target", "key", "team"):
            raise Fail(400, "'by' must be model, target, key or team.", param="by")
        if chart == "top":
            if not by:
                raise Fail(400, "'by' is required.", param="by")
            groups = {}
            for row in rows:
                groups.setdefault(group_of(row, by), []).append(row)
            names = {k["id"]: k["name"] for k in s.keys.values()} if by == "key" else {t["id"]: t["name"] for t in s.teams.values()} if by == "team" else {}
            data = [{"group": group, "name": names.get(group), "requests": len(items), "errors": sum(1 for r in items if r["status"] >= 400),
                     "tokens": sum(r["prompt_tokens"] + r["completion_tokens"] for r in items), "cost_usd": sum(r["cost_usd"] for r in items)}
                    for group, items in groups.items()]
            data.sort(key=lambda row: row["cost_usd"], reverse=True)
            return self.send_json(200, {"data": data[:10]})
        if chart not in ("requests", "latency", "tokens", "spend", "cache"):
            raise Fail(404, "No analytics '%s'." % chart, "not_found_error")
        floor = {"minute": lambda t: t.replace(second=0, microsecond=0), "hour": lambda t: t.replace(minute=0, second=0, microsecond=0),
                 "day": lambda t: t.replace(hour=0, minute=0, second=0, microsecond=0)}[bucket]
        stamps = []
        cursor = floor(start)
        while cursor <= end:
            stamps.append(cursor)
            cursor += step

        def points(selected):
            buckets = {}
            for row in selected:
                buckets.setdefault(floor(parse_iso(row["time"])), []).append(row)
            return [point(chart, stamp, buckets.get(stamp, [])) for stamp in stamps]

        answer = {"range": range_name, "bucket": bucket}
        if by:
            groups = {}
            for row in rows:
                groups.setdefault(group_of(row, by), []).append(row)
            answer["series"] = [{"group": group, "points": points(items)} for group, items in sorted(groups.items())]
        else:
            answer["points"] = points(rows)
        return self.send_json(200, answer)

    def prompts(self, method, rest, params):
        s = self.state
        if not rest:
            if method == "GET":
                return self.send_json(200, {"data": [entry["prompt"] for entry in s.prompts.values()]})
            raise Fail(400, "Creating prompts is not part of this stand-in.")
        entry = s.prompts.get(rest[0])
        if not entry:
            raise Fail(404, "No prompt named '%s'." % rest[0], "not_found_error")
        prompt = entry["prompt"]
        if len(rest) == 1 and method == "GET":
            return self.send_json(200, dict(prompt, versions=entry["versions"]))
        action = rest[1] if len(rest) > 1 else ""
        if action == "history" and method == "GET":
            return self.send_json(200, {"data": list(reversed(entry["history"]))})
        if action == "diff" and method == "GET":
            try:
                old = next(v for v in entry["versions"] if v["version"] == int(params.get("from", "0")))
                new = next(v for v in entry["versions"] if v["version"] == int(params.get("to", "0")))
            except (StopIteration, ValueError):
                raise Fail(404, "No such version.", "not_found_error")
            changes = []
            for field in sorted(set(old) | set(new)):
                if field in ("version", "created_by", "created_at") or old.get(field) == new.get(field):
                    continue
                change = {"field": field, "from": old.get(field), "to": new.get(field)}
                if isinstance(old.get(field), str) and isinstance(new.get(field), str):
                    change["lines"] = ["- " + line for line in old[field].split("\n")] + ["+ " + line for line in new[field].split("\n")]
                changes.append(change)
            return self.send_json(200, {"from": int(params["from"]), "to": int(params["to"]), "changes": changes})
        if method == "POST" and action in ("publish", "deprecate", "retire", "activate"):
            body = self.body_json()
            stamp = iso(now())
            if action == "activate":
                version = body.get("version")
                if not any(v["version"] == version for v in entry["versions"]):
                    raise Fail(400, "No version %s." % version, param="version")
                prompt["active_version"] = version
                entry["history"].append({"action": "activated", "version": version, "actor": "master", "time": stamp, "detail": None})
            else:
                allowed = {"publish": ("draft", "deprecated"), "deprecate": ("published",), "retire": ("draft", "published", "deprecated")}[action]
                if prompt["state"] not in allowed:
                    raise Fail(409, "A %s prompt cannot be moved that way." % prompt["state"], code="invalid_state")
                prompt["state"] = {"publish": "published", "deprecate": "deprecated", "retire": "retired"}[action]
                if action == "deprecate":
                    prompt["sunset"] = body.get("sunset")
                entry["history"].append({"action": prompt["state"], "version": None, "actor": "master", "time": stamp, "detail": body.get("sunset")})
            prompt["updated_at"] = stamp
            return self.send_json(200, prompt)
        raise Fail(404, "No route.", "not_found_error")

    # ---- data plane
    def chat(self):
        s = self.state
        started = time.time()
        presented = (self.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        with LOCK:
            key_id = s.secrets.get(presented)
            key = s.keys.get(key_id) if key_id else None
        if presented != s.master and not key:
            raise Fail(401, "Invalid API key.", "authentication_error", "invalid_api_key")
        body = json.loads(self.read_body() or b"{}")
        request_id = "req_" + secrets.token_hex(10)
        if s.upstream:
            upstream_request = urllib.request.Request(s.upstream.rstrip("/") + "/chat/completions", data=json.dumps(dict(body, model="double-chat")).encode(),
                                                      headers={"content-type": "application/json"}, method="POST")
            with urllib.request.urlopen(upstream_request, timeout=10) as response:
                answer = json.loads(response.read())
        else:
            answer = {"id": "chatcmpl-mock", "object": "chat.completion", "created": int(time.time()), "model": "double-chat",
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16}}
        answer["model"] = body.get("model", "chat")
        usage = answer.get("usage") or {}
        latency = (time.time() - started) * 1000
        stamp = now()
        row = {"id": "%016d-%s" % (int(stamp.timestamp() * 1e6), secrets.token_hex(4)), "request_id": request_id, "time": iso(stamp, True),
               "method": "POST", "path": self.path, "status": 200, "key_id": key["id"] if key else None, "team_id": key.get("team") if key else None,
               "model": body.get("model"), "target": "upstream/double-chat", "attempts": 1, "stream": False,
               "prompt_tokens": usage.get("prompt_tokens", 0), "completion_tokens": usage.get("completion_tokens", 0), "cached_tokens": 0,
               "cost_usd": usage.get("prompt_tokens", 0) * 1e-6 + usage.get("completion_tokens", 0) * 2e-6, "latency_ms": round(latency, 3),
               "overhead_ms": 0.4, "cache": "miss", "request_body": json.dumps(body), "response_body": json.dumps(answer)}
        row = {k: v for k, v in row.items() if v is not None}

        def write_later():  # the gateway writes log rows in batches, off the request path
            time.sleep(0.5)
            with LOCK:
                s.logs.append(row)
        threading.Thread(target=write_later, daemon=True).start()
        self.send_json(200, answer, [("x-request-id", request_id), ("x-switchyard-target", "upstream/double-chat")])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--master-key", required=True)
    parser.add_argument("--session-ttl", type=int, default=43200)
    parser.add_argument("--upstream", default=None, help="an OpenAI-compatible base URL, e.g. http://127.0.0.1:9000/v1")
    args = parser.parse_args()
    Handler.state = State(args.master_key, args.session_ttl, args.upstream)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    sys.stderr.write("mock gateway on http://%s:%d/ui/ (session %d s)\n" % (args.host, args.port, args.session_ttl))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
