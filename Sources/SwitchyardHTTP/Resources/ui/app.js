/* Switchyard admin console: a hash-routed single page app over the admin API.
   Rules kept throughout: every value reaches the DOM through textContent or attributes (never innerHTML), every
   fetch is same-origin with the session cookie, every mutating fetch carries x-csrf-token, any 401 goes to sign-in. */
(function () {
  "use strict";

  const Charts = window.SwitchyardCharts;
  const LOGIN = "/ui/login";
  const RETURN_TO = "switchyard.returnTo";

  const state = {
    csrf: null,
    expiresAt: null,
    sessionTimer: null,
    redirecting: false,
    firstRoute: true,
    names: { key: null, team: null, fetchedAt: 0 },
    logs: { cursors: [], page: 0 },
  };
  let cleanups = [];

  // ---------------------------------------------------------------- DOM helpers

  const PROPERTIES = new Set(["value", "checked", "disabled", "selected", "hidden", "required", "multiple", "open"]);

  function h(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const name of Object.keys(props)) {
        const value = props[name];
        if (value === null || value === undefined || value === false) continue;
        if (name === "class") node.className = value;
        else if (name === "text") node.textContent = String(value);
        else if (name === "for") node.htmlFor = value;
        else if (name === "on") for (const event of Object.keys(value)) node.addEventListener(event, value[event]);
        else if (name === "data") for (const key of Object.keys(value)) node.dataset[key] = String(value[key]);
        else if (PROPERTIES.has(name)) node[name] = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined || children === false) return node;
    if (Array.isArray(children)) children.forEach(function (child) { append(node, child); });
    else if (children instanceof Node) node.appendChild(children);
    else node.appendChild(document.createTextNode(String(children)));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function replace(node, children) {
    clear(node);
    return append(node, children);
  }

  function $(id) { return document.getElementById(id); }

  // ---------------------------------------------------------------- formatting

  const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const compactFormat = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
  const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  const shortDateTime = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
  const DASH = "—";

  function isNum(value) { return typeof value === "number" && Number.isFinite(value); }
  function fmtInt(value) { return isNum(value) ? numberFormat.format(Math.round(value)) : DASH; }
  function fmtCompact(value) { return isNum(value) ? compactFormat.format(value) : DASH; }
  function fmtPct(value) { return isNum(value) ? percentFormat.format(value) : DASH; }
  const usdFormats = {
    tiny: new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumSignificantDigits: 2 }),
    small: new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 }),
    normal: new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  };
  function fmtUSD(value) {
    if (!isNum(value)) return DASH;
    const size = Math.abs(value);
    if (size === 0) return usdFormats.normal.format(0);
    return (size < 0.01 ? usdFormats.tiny : size < 1 ? usdFormats.small : usdFormats.normal).format(value);
  }
  function fmtUSDAxis(value) {
    if (!isNum(value)) return DASH;
    if (value === 0) return "$0";
    if (Math.abs(value) >= 1000) return "$" + compactFormat.format(value);
    return "$" + Number(value.toPrecision(3)).toString();
  }
  function fmtMs(value) {
    if (!isNum(value)) return DASH;
    if (value < 10) return value.toFixed(1) + " ms";
    if (value < 1000) return Math.round(value) + " ms";
    return (value / 1000).toFixed(2) + " s";
  }
  function parseDate(text) {
    if (!text) return null;
    const date = new Date(text);
    return isNaN(date.getTime()) ? null : date;
  }
  function fmtTime(text) {
    const date = parseDate(text);
    return date ? dateTimeFormat.format(date) : text ? String(text) : DASH;
  }
  function dash(value) {
    return value === null || value === undefined || value === "" ? DASH : String(value);
  }
  function timeCell(text) {
    const date = parseDate(text);
    return h("time", { datetime: date ? date.toISOString() : null, title: text ? String(text) : null, text: fmtTime(text) });
  }
  function tags(list) {
    if (!Array.isArray(list) || list.length === 0) return h("span", { class: "muted", text: DASH });
    return h("span", { class: "tags" }, list.map(function (item) { return h("span", { class: "tag", text: String(item) }); }));
  }
  function badge(text, cls) { return h("span", { class: "badge " + (cls || "neutral"), text: text }); }
  function statusBadge(status) {
    const cls = status >= 500 ? "status-5xx" : status >= 400 ? "status-4xx" : status >= 200 && status < 300 ? "status-2xx" : "neutral";
    return h("span", { class: "badge plain " + cls, text: dash(status) });
  }
  function onOff(value) {
    if (value === true) return badge("on", "good");
    if (value === false || value === null || value === undefined) return badge("off", "neutral");
    if (typeof value === "string" || typeof value === "number") return badge(String(value), "good");
    return h("code", { text: JSON.stringify(value) });
  }
  function prettyBody(text) {
    if (typeof text !== "string") return JSON.stringify(text, null, 2);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (error) { return text; }
  }
  function budgetCell(spend, max, period) {
    const cell = h("div", { class: "budget-cell" });
    if (!isNum(max)) {
      append(cell, h("span", { class: "small", text: (isNum(spend) ? fmtUSD(spend) + " spent" : "") + (isNum(spend) ? " · " : "") + "no budget" }));
      return cell;
    }
    const fraction = max > 0 && isNum(spend) ? spend / max : isNum(spend) && spend > 0 ? 1 : 0;
    const text = (isNum(spend) ? fmtUSD(spend) : "…") + " of " + fmtUSD(max) + (period ? " " + period : "") + (isNum(spend) ? " (" + fmtPct(fraction) + ")" : "");
    append(cell, [Charts.meter(isNum(spend) ? fraction : 0, text), h("span", { class: "small", text: text })]);
    return cell;
  }

  // ---------------------------------------------------------------- messages

  function showError(message) {
    $("error-text").textContent = message;
    $("error-banner").hidden = false;
  }
  function hideError() { $("error-banner").hidden = true; $("error-text").textContent = ""; }
  let noticeTimer = null;
  function notice(message) {
    const node = $("notice");
    node.textContent = message;
    node.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { node.hidden = true; node.textContent = ""; }, 6000);
  }
  function report(error) {
    if (error && error.sessionGone) return;
    if (!(error instanceof ApiError)) console.error(error);
    showError(error && error.message ? error.message : String(error));
  }
  /** Runs an async action, showing what went wrong in the banner. */
  function attempt(action) {
    return Promise.resolve().then(action).catch(report);
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(message, status, info) {
      super(message);
      this.status = status;
      this.info = info || null;
    }
  }

  function toLogin() {
    const error = new ApiError("The session has ended; signing in again.", 401);
    error.sessionGone = true;
    if (!state.redirecting) {
      state.redirecting = true;
      // Come back to this page after signing in again.
      try { sessionStorage.setItem(RETURN_TO, window.location.hash || ""); } catch (ignored) { /* storage off */ }
      window.location.replace(LOGIN);
    }
    return error;
  }

  async function request(method, path, body) {
    if (state.redirecting) throw toLogin();
    const headers = { accept: "application/json" };
    const options = { method: method, credentials: "same-origin", headers: headers, cache: "no-store" };
    if (method !== "GET" && method !== "HEAD") headers["x-csrf-token"] = state.csrf || "";
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      throw new ApiError("Cannot reach the gateway (" + (error && error.message ? error.message : "network error") + ").", 0);
    }
    if (response.status === 401) throw toLogin();
    if (response.status === 204) return null;
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (error) { data = null; }
    }
    if (!response.ok) {
      const info = data && data.error && typeof data.error === "object" ? data.error : null;
      const message = info && info.message ? info.message : "The gateway answered " + response.status + " " + response.statusText + ".";
      throw new ApiError(message, response.status, info);
    }
    return data;
  }

  const api = {
    get: function (path) { return request("GET", path); },
    post: function (path, body) { return request("POST", path, body === undefined ? {} : body); },
    patch: function (path, body) { return request("PATCH", path, body); },
    del: function (path) { return request("DELETE", path); },
  };

  function query(params) {
    const search = new URLSearchParams();
    for (const name of Object.keys(params)) {
      const value = params[name];
      if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
    }
    const text = search.toString();
    return text ? "?" + text : "";
  }
  function seg(text) { return encodeURIComponent(String(text)); }

  async function loadSession() {
    const session = await api.get("/ui/session");
    state.csrf = session && session.csrf;
    state.expiresAt = parseDate(session && session.expires_at);
    clearTimeout(state.sessionTimer);
    if (state.expiresAt) {
      // Check again just after the session should end, so an idle page goes back to sign-in by itself.
      const wait = Math.min(2147483000, Math.max(1000, state.expiresAt.getTime() - Date.now() + 1000));
      state.sessionTimer = setTimeout(function () { loadSession().catch(report); }, wait);
    }
    return session;
  }

  /** Names of keys and teams by id, for charts grouped by key or team; kept a minute. */
  async function names() {
    if (state.names.key && Date.now() - state.names.fetchedAt < 60000) return state.names;
    const [keys, teams] = await Promise.all([api.get("/admin/keys"), api.get("/admin/teams")]);
    const keyNames = new Map();
    const teamNames = new Map();
    ((keys && keys.data) || []).forEach(function (key) { keyNames.set(key.id, key.name); });
    ((teams && teams.data) || []).forEach(function (team) { teamNames.set(team.id, team.name); });
    state.names = { key: keyNames, team: teamNames, fetchedAt: Date.now() };
    return state.names;
  }
  function forgetNames() { state.names.fetchedAt = 0; }

  /** Runs `work` over `items`, at most `limit` at once. */
  async function eachLimited(items, limit, work) {
    let next = 0;
    const runners = [];
    for (let index = 0; index < Math.min(limit, items.length); index++) {
      runners.push((async function () {
        while (next < items.length) {
          const item = items[next++];
          try { await work(item); } catch (error) { if (error && error.sessionGone) return; report(error); }
        }
      })());
    }
    await Promise.all(runners);
  }

  // ---------------------------------------------------------------- page scaffolding

  function every(milliseconds, action) {
    const timer = setInterval(function () {
      if (document.visibilityState === "visible") action();
    }, milliseconds);
    cleanups.push(function () { clearInterval(timer); });
  }

  function page(id, title, toolbar) {
    const heading = h("h1", { id: id + "-title", tabindex: "-1", text: title });
    const root = h("section", { id: id, class: "page", "aria-labelledby": id + "-title" });
    append(root, h("div", { class: "page-head" }, [h("div", null, heading), toolbar ? h("div", { class: "toolbar" }, toolbar) : null]));
    return root;
  }

  function field(id, label, control, hint) {
    const hintNode = hint ? h("span", { class: "hint", id: id + "-hint", text: hint }) : null;
    if (hintNode) control.setAttribute("aria-describedby", id + "-hint");
    control.id = id;
    return h("div", { class: "field" }, [h("label", { for: id, text: label }), control, hintNode]);
  }

  function selectControl(options, value) {
    const select = h("select");
    options.forEach(function (option) {
      const item = Array.isArray(option) ? option : [option, option];
      select.appendChild(h("option", { value: item[0], text: item[1], selected: String(item[0]) === String(value) }));
    });
    return select;
  }

  function button(text, props, onClick) {
    const attrs = Object.assign({ type: "button", class: "btn" }, props || {});
    attrs.text = text;
    if (onClick) attrs.on = { click: onClick };
    return h("button", attrs);
  }

  function tableShell(id, columns, caption) {
    const headRow = h("tr", null, columns.map(function (column) {
      const label = typeof column === "string" ? column : column.label;
      return h("th", { scope: "col", class: column.num ? "num" : null, text: label });
    }));
    const tbody = h("tbody");
    const table = h("table", { class: "data", id: id }, [caption ? h("caption", { class: "visually-hidden", text: caption }) : null, h("thead", null, headRow), tbody]);
    return { wrap: h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || id }, table), tbody: tbody, columns: columns.length };
  }

  function emptyRow(shell, text) {
    replace(shell.tbody, h("tr", null, h("td", { class: "empty", colspan: shell.columns, text: text })));
  }

  function td(content, cls) { return h("td", { class: cls || null }, content); }
  function num(content) { return h("td", { class: "num nowrap" }, content); }

  // ---------------------------------------------------------------- router

  const routes = {
    dashboard: renderDashboard,
    keys: renderKeys,
    teams: renderTeams,
    logs: renderLogs,
    targets: renderTargets,
    models: renderModels,
    prompts: renderPrompts,
  };

  function parseHash() {
    let raw = window.location.hash.replace(/^#\/?/, "");
    let search = "";
    const mark = raw.indexOf("?");
    if (mark >= 0) { search = raw.slice(mark + 1); raw = raw.slice(0, mark); }
    const parts = raw.split("/").filter(function (part) { return part !== ""; });
    let rest = null;
    if (parts.length > 1) {
      try { rest = parts.slice(1).map(decodeURIComponent).join("/"); } catch (error) { rest = parts.slice(1).join("/"); }
    }
    return { name: parts[0] || "dashboard", rest: rest, params: new URLSearchParams(search) };
  }

  function route() {
    // An in-page anchor (the skip link) is not a page.
    if (/^#[A-Za-z]/.test(window.location.hash)) return;
    cleanups.forEach(function (cleanup) { try { cleanup(); } catch (error) { /* ignore */ } });
    cleanups = [];
    hideError();
    const target = parseHash();
    const render = routes[target.name];
    document.querySelectorAll(".nav a[data-route]").forEach(function (link) {
      if (link.dataset.route === target.name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    const view = clear($("view"));
    let root;
    if (!render) {
      root = page("page-not-found", "Not found");
      append(root, h("p", null, ["There is no page here. ", h("a", { href: "#/dashboard", text: "Go to the dashboard" }), "."]));
      view.appendChild(root);
    } else {
      root = render(view, target.rest, target.params);
    }
    const title = root && root.querySelector("h1");
    document.title = (title ? title.textContent + " · " : "") + "Switchyard";
    if (!state.firstRoute && title) title.focus({ preventScroll: false });
    state.firstRoute = false;
  }

  // ---------------------------------------------------------------- dashboard

  const RANGES = [["hour", "Last hour"], ["day", "Last day"], ["week", "Last week"], ["month", "Last month"]];
  const GROUPS = [["model", "Model"], ["target", "Target"], ["key", "Key"], ["team", "Team"]];
  const dashboardChoice = { range: "day", by: "model", metric: "cost_usd" };

  function axisTime(range) {
    return function (date) { return range === "week" || range === "month" ? dayFormat.format(date) : timeFormat.format(date); };
  }

  /** {times, series} from a series answer: `points` (one series per field) or `series` (one per group). */
  function seriesData(answer, fields, groupValue, groupName) {
    if (answer && Array.isArray(answer.series)) {
      const times = new Map();
      answer.series.forEach(function (group) {
        (group.points || []).forEach(function (point) {
          const date = parseDate(point.time);
          if (date) times.set(date.getTime(), date);
        });
      });
      const sorted = Array.from(times.keys()).sort(function (a, b) { return a - b; });
      const index = new Map(sorted.map(function (time, at) { return [time, at]; }));
      let series = answer.series.map(function (group) {
        const values = new Array(sorted.length).fill(null);
        (group.points || []).forEach(function (point) {
          const date = parseDate(point.time);
          if (date) values[index.get(date.getTime())] = groupValue(point);
        });
        const total = values.reduce(function (sum, value) { return sum + (isNum(value) ? value : 0); }, 0);
        return { name: groupName(group.group), values: values, total: total };
      });
      series.sort(function (a, b) { return b.total - a.total; });
      series = series.filter(function (item) { return item.total > 0; });
      if (series.length > 8) {
        const rest = series.slice(7);
        const other = new Array(sorted.length).fill(null).map(function (_, at) {
          return rest.reduce(function (sum, item) { return sum + (isNum(item.values[at]) ? item.values[at] : 0); }, 0);
        });
        series = series.slice(0, 7).concat([{ name: "other (" + rest.length + ")", values: other }]);
      }
      return { times: sorted.map(function (time) { return new Date(time); }), series: series };
    }
    const points = (answer && answer.points) || [];
    const kept = points.filter(function (point) { return parseDate(point.time); });
    return {
      times: kept.map(function (point) { return parseDate(point.time); }),
      series: fields.map(function (item) {
        return { name: item.name, values: kept.map(function (point) { return isNum(point[item.key]) ? point[item.key] : item.compute ? item.compute(point) : null; }) };
      }),
    };
  }

  function chartBox(name, title, description) {
    const svg = Charts.svgEl("svg", { class: "chart", "data-chart": name, role: "img", "aria-label": title });
    const legend = h("ul", { class: "legend", hidden: true });
    const note = h("span", { class: "muted small", text: description || "" });
    const box = h("figure", { class: "chart-box", id: "chart-" + name }, [
      h("figcaption", null, [h("h3", { text: title }), note]),
      h("div", { class: "chart-holder" }, svg),
      legend,
    ]);
    return { box: box, svg: svg, legend: legend, note: note };
  }

  function card(id, label) {
    const value = h("p", { class: "value", id: "card-" + id, text: "…" });
    const sub = h("p", { class: "sub", id: "card-" + id + "-sub" });
    return { node: h("div", { class: "card" }, [h("h3", { text: label }), value, sub]), value: value, sub: sub };
  }

  function renderDashboard(view, rest, params) {
    if (params.get("range")) dashboardChoice.range = params.get("range");
    if (params.get("by")) dashboardChoice.by = params.get("by");
    const range = selectControl(RANGES, dashboardChoice.range);
    const by = selectControl(GROUPS, dashboardChoice.by);
    const metric = selectControl([["cost_usd", "Spend"], ["requests", "Requests"], ["tokens", "Tokens"]], dashboardChoice.metric);
    const updated = h("span", { class: "muted small", id: "dashboard-updated", "aria-live": "polite" });
    const refresh = button("Refresh", { id: "dashboard-refresh" }, function () { load(); });
    const root = page("page-dashboard", "Dashboard", [
      field("range", "Range", range),
      field("group", "Break down by", by),
      field("top-metric", "Rank by", metric),
      refresh,
      updated,
    ]);

    const cards = {
      requests: card("requests", "Requests"),
      errors: card("error-rate", "Error rate"),
      p50: card("latency-p50", "Latency p50"),
      p95: card("latency-p95", "Latency p95"),
      p99: card("latency-p99", "Latency p99"),
      ttft: card("ttft-p50", "Time to first token p50"),
      tokens: card("tokens", "Tokens"),
      spend: card("spend", "Spend"),
      cache: card("cache-hit-rate", "Cache hit rate"),
    };
    append(root, h("section", { class: "cards", id: "overview-cards", "aria-label": "Overview" }, Object.keys(cards).map(function (name) { return cards[name].node; })));

    const charts = {
      requests: chartBox("requests", "Requests", "requests and errors"),
      latency: chartBox("latency", "Latency", "p50 / p95 / p99, time to first token"),
      tokens: chartBox("tokens", "Tokens", ""),
      spend: chartBox("spend", "Spend", ""),
      cache: chartBox("cache", "Cache hit rate", ""),
      topKeys: chartBox("top-keys", "Top keys", ""),
      topTeams: chartBox("top-teams", "Top teams", ""),
    };
    append(root, h("section", { class: "chart-grid", "aria-label": "Charts" }, Object.keys(charts).map(function (name) { return charts[name].box; })));

    const budgets = tableShell("budgets", ["Scope", "Name", "Spend", "Budget", "Period", { label: "Use" }], "Budget use of every key and team with a budget");
    append(root, h("section", { class: "panel", "aria-labelledby": "budgets-title" }, [h("h2", { id: "budgets-title", text: "Budgets" }), budgets.wrap]));
    emptyRow(budgets, "Loading…");
    view.appendChild(root);

    function remember() {
      dashboardChoice.range = range.value;
      dashboardChoice.by = by.value;
      dashboardChoice.metric = metric.value;
      history.replaceState(null, "", "#/dashboard" + query({ range: range.value, by: by.value }));
    }
    range.addEventListener("change", function () { remember(); load(); });
    by.addEventListener("change", function () { remember(); load(); });
    metric.addEventListener("change", function () { remember(); load(); });

    let generation = 0;
    async function load() {
      const mine = ++generation;
      const r = range.value;
      const d = by.value;
      const rankBy = metric.value;
      const xFormat = axisTime(r);
      const tipTime = function (date) { return shortDateTime.format(date); };
      const rangeText = RANGES.find(function (item) { return item[0] === r; })[1].toLowerCase();
      const groupText = GROUPS.find(function (item) { return item[0] === d; })[1].toLowerCase();
      charts.tokens.note.textContent = "by " + groupText;
      charts.spend.note.textContent = "by " + groupText;
      const rankText = rankBy === "cost_usd" ? "by spend" : rankBy === "tokens" ? "by tokens" : "by requests";
      charts.topKeys.note.textContent = rankText;
      charts.topTeams.note.textContent = rankText;
      refresh.disabled = true;
      let firstError = null;
      const fail = function (error) { if (!firstError && !(error && error.sessionGone)) firstError = error; if (error && error.sessionGone) throw error; };
      const plain = function (group) { return group === null || group === undefined || group === "" ? "(none)" : String(group); };
      const groupName = async function () {
        if (d !== "key" && d !== "team") return plain;
        try {
          const known = await names();
          const map = d === "key" ? known.key : known.team;
          return function (group) { return map.get(group) || plain(group); };
        } catch (error) { fail(error); return plain; }
      };
      const current = function () { return mine === generation; };
      const tasks = [
        api.get("/admin/analytics/overview" + query({ range: r })).then(function (overview) {
          if (!current()) return;
          overview = overview || {};
          cards.requests.value.textContent = fmtInt(overview.requests);
          cards.requests.sub.textContent = "in the " + rangeText;
          cards.errors.value.textContent = fmtPct(overview.error_rate);
          cards.errors.sub.textContent = isNum(overview.errors) ? fmtInt(overview.errors) + " errors" : "";
          const latency = overview.latency_ms || {};
          const ttft = overview.ttft_ms || {};
          cards.p50.value.textContent = fmtMs(latency.p50);
          cards.p95.value.textContent = fmtMs(latency.p95);
          cards.p99.value.textContent = fmtMs(latency.p99);
          cards.ttft.value.textContent = fmtMs(ttft.p50);
          cards.ttft.sub.textContent = isNum(ttft.p95) ? "p95 " + fmtMs(ttft.p95) : "streams only";
          const prompt = overview.prompt_tokens;
          const completion = overview.completion_tokens;
          cards.tokens.value.textContent = isNum(prompt) || isNum(completion) ? fmtCompact((prompt || 0) + (completion || 0)) : DASH;
          cards.tokens.sub.textContent = fmtCompact(prompt) + " in · " + fmtCompact(completion) + " out";
          cards.spend.value.textContent = fmtUSD(overview.cost_usd);
          cards.cache.value.textContent = fmtPct(overview.cache_hit_rate);
          cards.cache.sub.textContent = isNum(overview.cache_hit_rate) ? "" : "no cache lookups";
        }).catch(fail),
        api.get("/admin/analytics/requests" + query({ range: r })).then(function (answer) {
          if (!current()) return;
          const data = seriesData(answer, [{ key: "requests", name: "Requests" }, { key: "errors", name: "Errors" }]);
          Charts.timeSeries(charts.requests.svg, {
            times: data.times, series: data.series, area: true, integer: true, label: "Requests in the " + rangeText, legend: charts.requests.legend,
            emptyText: "No requests in this range", yFormat: fmtCompact, tipFormat: fmtInt, xFormat: xFormat, tipTimeFormat: tipTime,
          });
        }).catch(fail),
        api.get("/admin/analytics/latency" + query({ range: r })).then(function (answer) {
          if (!current()) return;
          const data = seriesData(answer, [
            { key: "p50_ms", name: "p50" }, { key: "p95_ms", name: "p95" }, { key: "p99_ms", name: "p99" }, { key: "ttft_p50_ms", name: "TTFT p50" },
          ]);
          Charts.timeSeries(charts.latency.svg, {
            times: data.times, series: data.series, label: "Latency in the " + rangeText, legend: charts.latency.legend,
            emptyText: "No requests in this range", yFormat: fmtMs, xFormat: xFormat, tipTimeFormat: tipTime,
          });
        }).catch(fail),
        groupName().then(function (nameOf) {
          return Promise.all([
            api.get("/admin/analytics/tokens" + query({ range: r, by: d })).then(function (answer) {
              if (!current()) return;
              const data = seriesData(answer, [{ key: "prompt_tokens", name: "Prompt" }, { key: "completion_tokens", name: "Completion" }],
                function (point) { return (point.prompt_tokens || 0) + (point.completion_tokens || 0); }, nameOf);
              Charts.timeSeries(charts.tokens.svg, {
                times: data.times, series: data.series, stacked: true, integer: true, legendAlways: true, label: "Tokens by " + groupText + " in the " + rangeText,
                legend: charts.tokens.legend, emptyText: "No tokens in this range", yFormat: fmtCompact, tipFormat: fmtInt, xFormat: xFormat, tipTimeFormat: tipTime,
              });
            }).catch(fail),
            api.get("/admin/analytics/spend" + query({ range: r, by: d })).then(function (answer) {
              if (!current()) return;
              const data = seriesData(answer, [{ key: "cost_usd", name: "Spend" }], function (point) { return isNum(point.cost_usd) ? point.cost_usd : 0; }, nameOf);
              Charts.timeSeries(charts.spend.svg, {
                times: data.times, series: data.series, stacked: true, legendAlways: true, label: "Spend by " + groupText + " in the " + rangeText,
                legend: charts.spend.legend, emptyText: "No spend in this range", yFormat: fmtUSDAxis, tipFormat: fmtUSD, xFormat: xFormat, tipTimeFormat: tipTime,
              });
            }).catch(fail),
          ]);
        }),
        api.get("/admin/analytics/cache" + query({ range: r })).then(function (answer) {
          if (!current()) return;
          const data = seriesData(answer, [{ key: "hit_rate", name: "Hit rate" }]);
          Charts.timeSeries(charts.cache.svg, {
            times: data.times, series: data.series, area: true, yMax: 1, label: "Cache hit rate in the " + rangeText, legend: charts.cache.legend,
            emptyText: "No cache lookups in this range", yFormat: function (value) { return percentFormat.format(value); }, tipFormat: fmtPct,
            xFormat: xFormat, tipTimeFormat: tipTime,
          });
        }).catch(fail),
        topChart("key", charts.topKeys, "keys"),
        topChart("team", charts.topTeams, "teams"),
        api.get("/admin/analytics/budgets").then(function (answer) {
          if (!current()) return;
          const rows = ((answer && answer.data) || []).slice().sort(function (a, b) { return (b.fraction || 0) - (a.fraction || 0); });
          if (rows.length === 0) { emptyRow(budgets, "No key or team has a budget."); return; }
          replace(budgets.tbody, rows.map(function (row) {
            return h("tr", { data: { scope: row.scope, id: row.id } }, [
              td(badge(dash(row.scope), "neutral")),
              td([h("a", { href: row.scope === "team" ? "#/teams" : "#/keys", text: dash(row.name || row.id) }), h("div", { class: "muted small mono", text: dash(row.id) })]),
              num(fmtUSD(row.spend_usd)),
              num(fmtUSD(row.max_budget_usd)),
              td(dash(row.budget_period || "lifetime")),
              td(budgetCell(row.spend_usd, row.max_budget_usd, null)),
            ]);
          }));
        }).catch(fail),
      ];

      function topChart(dimension, chart, plural) {
        return api.get("/admin/analytics/top" + query({ range: r, by: dimension })).then(function (answer) {
          if (!current()) return;
          const rows = (answer && answer.data) || [];
          const value = function (row) { return rankBy === "cost_usd" ? row.cost_usd : rankBy === "tokens" ? row.tokens : row.requests; };
          const items = rows.map(function (row) {
            const details = [];
            if (rankBy !== "requests") details.push(fmtInt(row.requests) + " req");
            if (rankBy !== "cost_usd") details.push(fmtUSD(row.cost_usd));
            if (rankBy !== "tokens") details.push(fmtCompact(row.tokens) + " tok");
            return { label: row.name || row.group || "(none)", value: value(row), detail: details.join(" · ") };
          }).sort(function (a, b) { return (b.value || 0) - (a.value || 0); }).slice(0, 10);
          Charts.bars(chart.svg, {
            items: items, label: "Top " + plural + " " + rankText + " in the " + rangeText, emptyText: "No requests in this range",
            format: rankBy === "cost_usd" ? fmtUSD : rankBy === "tokens" ? fmtCompact : fmtInt,
          });
        }).catch(fail);
      }

      await Promise.all(tasks.map(function (task) { return task.catch(function () { /* reported below */ }); }));
      if (!current()) return;
      refresh.disabled = false;
      updated.textContent = "Updated " + timeFormat.format(new Date());
      if (firstError) report(firstError);
    }

    load();
    every(30000, load);
    return root;
  }

  // ---------------------------------------------------------------- keys and teams

  const PERIODS = [["", "Lifetime (no period)"], ["daily", "Daily"], ["weekly", "Weekly"], ["monthly", "Monthly"]];
  const LIMIT_FIELDS = [
    { key: "name", label: "Name", type: "text", required: true },
    { key: "team", label: "Team", type: "team", only: "key" },
    { key: "models", label: "Models", type: "list", hint: "Comma-separated; a name ending in * matches a prefix. Empty: every model." },
    { key: "rpm", label: "Requests per minute", type: "int" },
    { key: "tpm", label: "Tokens per minute", type: "int" },
    { key: "max_parallel", label: "Requests in flight", type: "int", edit: true },
    { key: "max_budget_usd", label: "Budget (USD)", type: "usd" },
    { key: "soft_budget_usd", label: "Soft budget (USD)", type: "usd", edit: true },
    { key: "token_quota", label: "Token quota", type: "int", edit: true },
    { key: "budget_period", label: "Budget period", type: "period" },
    { key: "guardrails", label: "Guardrails", type: "list", hint: "Comma-separated names of configured guardrails." },
  ];

  class InputError extends Error {}

  /** A form control for a key or team field: {node, read(), focus()}; read() gives the value to send (null when empty). */
  function limitControl(definition, id, value, teams) {
    let control;
    switch (definition.type) {
      case "team":
        control = selectControl([["", "No team"]].concat((teams || []).map(function (team) { return [team.id, team.name + " (" + team.id + ")"]; })), value || "");
        break;
      case "period":
        control = selectControl(PERIODS, value || "");
        break;
      case "int":
        control = h("input", { type: "number", min: "1", step: "1", inputmode: "numeric", value: isNum(value) ? String(value) : "" });
        break;
      case "usd":
        control = h("input", { type: "number", min: "0", step: "any", inputmode: "decimal", value: isNum(value) ? String(value) : "" });
        break;
      case "list":
        control = h("input", { type: "text", autocomplete: "off", spellcheck: "false", value: Array.isArray(value) ? value.join(", ") : "" });
        break;
      default:
        control = h("input", { type: "text", autocomplete: "off", maxlength: "200", required: !!definition.required, value: value === null || value === undefined ? "" : String(value) });
    }
    const node = field(id, definition.label, control, definition.hint);
    function read() {
      const text = control.value.trim();
      if (definition.type === "int" || definition.type === "usd") {
        if (control.validity && control.validity.badInput) throw new InputError(definition.label + " must be a number.");
        if (text === "") return null;
        const number = Number(text);
        if (!Number.isFinite(number)) throw new InputError(definition.label + " must be a number.");
        if (definition.type === "int" && !Number.isInteger(number)) throw new InputError(definition.label + " must be a whole number.");
        return number;
      }
      if (definition.type === "list") {
        const items = text.split(",").map(function (item) { return item.trim(); }).filter(Boolean);
        return items.length ? items : null;
      }
      if (definition.required && text === "") throw new InputError(definition.label + " is required.");
      return text === "" ? null : text;
    }
    return { node: node, read: read, control: control, definition: definition };
  }

  function normalized(definition, value) {
    if (definition.type === "list") return Array.isArray(value) && value.length ? value : null;
    return value === undefined || value === "" ? null : value;
  }

  function editDialog(kind, item, teams, onSaved) {
    const prefix = "edit-" + kind;
    const controls = LIMIT_FIELDS.filter(function (definition) { return !definition.only || definition.only === kind; })
      .map(function (definition) { return limitControl(definition, prefix + "-" + definition.key.replace(/_/g, "-"), item[definition.key], teams); });
    const errorLine = h("p", { class: "banner banner-error", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "btn btn-primary", id: prefix + "-save", text: "Save changes" });
    const cancel = button("Cancel", { id: prefix + "-cancel" });
    const form = h("form", { id: prefix + "-form", novalidate: true }, [
      h("div", { class: "form-grid" }, controls.map(function (control) { return control.node; })),
      errorLine,
      h("div", { class: "form-actions" }, [save, cancel]),
    ]);
    const dialog = h("dialog", { id: prefix, "aria-labelledby": prefix + "-title" }, [
      h("h2", { id: prefix + "-title", text: "Edit " + kind + " “" + (item.name || item.id) + "”" }),
      h("p", { class: "muted small", text: "Only the fields you change are sent; an emptied field clears that limit." }),
      form,
    ]);
    cancel.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errorLine.hidden = true;
      attempt(async function () {
        const changes = {};
        try {
          controls.forEach(function (control) {
            const key = control.definition.key;
            const next = normalized(control.definition, control.read());
            const before = normalized(control.definition, item[key]);
            if (JSON.stringify(next) !== JSON.stringify(before)) changes[key] = next;
          });
        } catch (error) {
          if (error instanceof InputError) { errorLine.textContent = error.message; errorLine.hidden = false; return; }
          throw error;
        }
        if (Object.keys(changes).length === 0) { dialog.close(); notice("Nothing changed."); return; }
        save.disabled = true;
        try {
          await api.patch("/admin/" + kind + "s/" + seg(item.id), changes);
        } catch (error) {
          save.disabled = false;
          if (error && error.sessionGone) throw error;
          errorLine.textContent = error.message;
          errorLine.hidden = false;
          return;
        }
        dialog.close();
        forgetNames();
        notice("Saved " + kind + " “" + (changes.name || item.name || item.id) + "”.");
        onSaved();
      });
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    controls[0].control.focus();
  }

  function secretPanel(slot, title, secret) {
    const code = h("code", { id: "new-secret", text: secret });
    const copy = button("Copy", { id: "copy-secret" });
    const done = button("Done, hide it", { id: "secret-done", class: "btn btn-quiet" });
    const panel = h("section", { class: "panel secret-panel", id: "secret-panel", "aria-labelledby": "secret-title" }, [
      h("h2", { id: "secret-title", text: title }),
      h("p", null, [h("strong", { text: "Copy this secret now: it will not be shown again." }), " Only its digest is kept by the gateway."]),
      h("div", { class: "secret-row" }, [code, copy]),
      done,
    ]);
    copy.addEventListener("click", function () {
      const finish = function (ok) {
        copy.textContent = ok ? "Copied" : "Select and copy it by hand";
        setTimeout(function () { copy.textContent = "Copy"; }, 2500);
      };
      const select = function () {
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        let ok = false;
        try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
        finish(ok);
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(secret).then(function () { finish(true); }, select);
      else select();
    });
    done.addEventListener("click", function () { panel.remove(); });
    replace(slot, panel);
    copy.focus();
  }

  /** The keys and teams pages share their shape: a create form, a table with spend against budget, row actions. */
  function entityPage(view, kind) {
    const plural = kind + "s";
    const title = kind === "key" ? "Keys" : "Teams";
    const refresh = button("Refresh", { id: plural + "-refresh" }, function () { attempt(load); });
    const root = page("page-" + plural, title, [refresh]);
    const secretSlot = h("div", { id: "secret-slot" });
    append(root, secretSlot);

    // Create form.
    const createDefinitions = LIMIT_FIELDS.filter(function (definition) { return !definition.edit && (!definition.only || definition.only === kind); });
    const formId = "create-" + kind;
    let controls = [];
    const formGrid = h("div", { class: "form-grid" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", id: formId + "-submit", text: "Create " + kind });
    const form = h("form", { id: formId, novalidate: true, "aria-labelledby": formId + "-title" }, [
      formGrid,
      h("div", { class: "form-actions" }, [submit]),
    ]);
    function buildForm(teams) {
      const values = {};
      controls.forEach(function (control) { values[control.definition.key] = control.control.value; });
      controls = createDefinitions.map(function (definition) {
        const id = kind + "-" + definition.key.replace(/_/g, "-").replace(/-usd$/, "");
        const control = limitControl(definition, id, null, teams);
        if (values[definition.key] !== undefined) control.control.value = values[definition.key];
        return control;
      });
      replace(formGrid, controls.map(function (control) { return control.node; }));
    }
    buildForm([]);
    append(root, h("section", { class: "panel" }, [
      h("details", { open: true }, [h("summary", { id: formId + "-title", text: "Create a " + kind }), form]),
    ]));

    // Table.
    const columns = kind === "key"
      ? ["Name", "Team", "Models", { label: "RPM", num: true }, { label: "TPM", num: true }, "Spend / budget", "Guardrails", "Created", "Actions"]
      : ["Name", "Models", { label: "RPM", num: true }, { label: "TPM", num: true }, { label: "In flight", num: true }, "Spend / budget", "Guardrails", "Created", "Actions"];
    const shell = tableShell(plural + "-table", columns, title);
    append(root, h("section", { "aria-label": title + " list" }, shell.wrap));
    emptyRow(shell, "Loading…");
    view.appendChild(root);

    let teams = [];
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      attempt(async function () {
        const body = {};
        try {
          controls.forEach(function (control) {
            const value = control.read();
            if (value !== null) body[control.definition.key] = value;
          });
        } catch (error) {
          if (error instanceof InputError) { showError(error.message); return; }
          throw error;
        }
        submit.disabled = true;
        try {
          const created = await api.post("/admin/" + plural, body);
          hideError();
          form.reset();
          forgetNames();
          if (kind === "key" && created && created.key) secretPanel(secretSlot, "Key “" + (created.name || body.name) + "” created", created.key);
          else notice("Created " + kind + " “" + ((created && created.name) || body.name) + "”.");
        } finally {
          submit.disabled = false;
        }
        await load();
      });
    });

    async function load() {
      const [list, teamList] = await Promise.all([api.get("/admin/" + plural), kind === "key" ? api.get("/admin/teams") : Promise.resolve(null)]);
      const items = (list && list.data) || [];
      if (teamList) {
        teams = teamList.data || [];
        buildForm(teams);
      }
      const teamName = new Map(teams.map(function (team) { return [team.id, team.name]; }));
      if (items.length === 0) { emptyRow(shell, kind === "key" ? "No keys yet: create one above." : "No teams yet: create one above."); return; }
      const budgetCells = new Map();
      replace(shell.tbody, items.map(function (item) {
        const budget = h("td", null, budgetCell(null, item.max_budget_usd, item.budget_period));
        budgetCells.set(item.id, budget);
        const actions = h("div", { class: "row-actions" }, [
          button("Edit", { class: "btn btn-small", "aria-label": "Edit " + kind + " " + item.name, data: { action: "edit" } }, function () {
            editDialog(kind, item, teams, function () { attempt(load); });
          }),
          kind === "key" ? button("Rotate", { class: "btn btn-small", "aria-label": "Rotate key " + item.name, data: { action: "rotate" } }, function () {
            if (!window.confirm("Rotate the key “" + item.name + "”? Its current secret stops working at once.")) return;
            attempt(async function () {
              const rotated = await api.post("/admin/keys/" + seg(item.id) + "/rotate");
              secretPanel(secretSlot, "New secret for “" + item.name + "”", rotated.key);
              await load();
            });
          }) : null,
          button("Delete", { class: "btn btn-small btn-danger", "aria-label": "Delete " + kind + " " + item.name, data: { action: "delete" } }, function () {
            const question = kind === "key" ? "Delete the key “" + item.name + "”? It stops working at once."
              : "Delete the team “" + item.name + "” and every key in it? Its keys stop working at once.";
            if (!window.confirm(question)) return;
            attempt(async function () {
              await api.del("/admin/" + plural + "/" + seg(item.id));
              forgetNames();
              notice("Deleted " + kind + " “" + item.name + "”.");
              await load();
            });
          }),
        ]);
        const nameCell = td([h("strong", { text: dash(item.name) }), h("div", { class: "muted small mono", text: item.id + (item.prefix ? " · " + item.prefix + "…" : "") })]);
        const cells = kind === "key"
          ? [nameCell, td(item.team ? [h("span", { text: teamName.get(item.team) || item.team })] : h("span", { class: "muted", text: DASH })), td(tags(item.models)),
            num(fmtInt(item.rpm)), num(fmtInt(item.tpm)), budget, td(tags(item.guardrails)), td(timeCell(item.created_at), "nowrap"), td(actions)]
          : [nameCell, td(tags(item.models)), num(fmtInt(item.rpm)), num(fmtInt(item.tpm)), num(fmtInt(item.max_parallel)), budget,
            td(tags(item.guardrails)), td(timeCell(item.created_at), "nowrap"), td(actions)];
        return h("tr", { data: { id: item.id, name: item.name } }, cells);
      }));
      // Spend is per item (its current budget period).
      await eachLimited(items, 4, async function (item) {
        const detail = await api.get("/admin/" + plural + "/" + seg(item.id));
        const cell = budgetCells.get(item.id);
        if (cell && detail) replace(cell, budgetCell(detail.spend_usd, detail.max_budget_usd, detail.budget_period));
      });
    }

    attempt(load);
    return root;
  }

  function renderKeys(view) { return entityPage(view, "key"); }
  function renderTeams(view) { return entityPage(view, "team"); }

  // ---------------------------------------------------------------- request log

  const LOG_FILTERS = [
    { key: "key_id", label: "Key id" },
    { key: "team_id", label: "Team id" },
    { key: "model", label: "Model" },
    { key: "status", label: "Status", type: "number" },
    { key: "request_id", label: "Request id" },
    { key: "from", label: "From", type: "datetime" },
    { key: "to", label: "To", type: "datetime" },
  ];

  function localInputValue(date) {
    const pad = function (value) { return String(value).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function renderLogs(view, requestId, params) {
    if (requestId) return renderLogDetail(view, requestId);
    const root = page("page-logs", "Request log");
    const controls = LOG_FILTERS.map(function (definition) {
      const id = "log-" + definition.key.replace(/_/g, "-");
      let control;
      if (definition.type === "number") control = h("input", { type: "number", min: "100", max: "599", step: "1", inputmode: "numeric" });
      else if (definition.type === "datetime") control = h("input", { type: "datetime-local", step: "60" });
      else control = h("input", { type: "text", autocomplete: "off", spellcheck: "false" });
      const given = params.get(definition.key);
      if (given) {
        if (definition.type === "datetime") {
          const date = parseDate(given);
          if (date) control.value = localInputValue(date);
        } else control.value = given;
      }
      return { definition: definition, control: control, node: field(id, definition.label, control) };
    });
    const apply = h("button", { type: "submit", class: "btn btn-primary", id: "log-refresh", text: "Apply filters / refresh" });
    const reset = button("Clear filters", { id: "log-reset" });
    const form = h("form", { id: "log-filters", "aria-label": "Filters", novalidate: true }, [
      h("div", { class: "form-grid" }, controls.map(function (control) { return control.node; })),
      h("div", { class: "form-actions" }, [apply, reset]),
    ]);
    // On a narrow screen the filters start folded unless some are set.
    const wide = !window.matchMedia || window.matchMedia("(min-width: 641px)").matches;
    const filtered = LOG_FILTERS.some(function (definition) { return params.get(definition.key); });
    append(root, h("details", { class: "panel", id: "log-filters-panel", open: wide || filtered }, [h("summary", { text: "Filters" }), form]));
    const shell = tableShell("log-table", ["Time", "Request id", "Status", "Method", "Path", "Model", "Target", "Key", { label: "Tokens", num: true }, { label: "Cost", num: true }, { label: "Latency", num: true }], "Requests, newest first");
    append(root, shell.wrap);
    const previous = button("← Newer", { id: "log-prev" });
    const next = button("Older →", { id: "log-next" });
    const position = h("span", { class: "muted small", id: "log-page", "aria-live": "polite" });
    append(root, h("nav", { class: "pager", "aria-label": "Pages" }, [previous, next, position]));
    emptyRow(shell, "Loading…");
    view.appendChild(root);

    function filters() {
      const values = {};
      controls.forEach(function (control) {
        const text = control.control.value.trim();
        if (!text) return;
        if (control.definition.type === "datetime") {
          const date = new Date(text);
          if (!isNaN(date.getTime())) values[control.definition.key] = date.toISOString();
        } else values[control.definition.key] = text;
      });
      return values;
    }

    let cursors = [null];
    let pageIndex = 0;
    let nextCursor = null;
    async function load() {
      const values = filters();
      const rows = await api.get("/admin/logs" + query(Object.assign({}, values, { limit: 50, cursor: cursors[pageIndex] })));
      const data = (rows && rows.data) || [];
      nextCursor = rows && rows.has_more ? rows.next_cursor : null;
      previous.disabled = pageIndex === 0;
      next.disabled = !nextCursor;
      position.textContent = "Page " + (pageIndex + 1) + (data.length ? " · " + data.length + " requests" : "");
      if (data.length === 0) {
        emptyRow(shell, pageIndex === 0 ? "No requests match these filters." : "No more requests.");
        return;
      }
      replace(shell.tbody, data.map(function (row) {
        const link = "#/logs/" + seg(row.request_id);
        return h("tr", {
          class: "log-row", data: { requestId: row.request_id },
          on: {
            click: function (event) {
              if (event.target.closest("a, button")) return;
              window.location.hash = link;
            },
          },
        }, [
          td(timeCell(row.time), "nowrap"),
          td(h("a", { href: link, class: "mono small", text: row.request_id, "aria-label": "Details of request " + row.request_id })),
          td(statusBadge(row.status)),
          td(dash(row.method)),
          td(h("code", { text: dash(row.path) })),
          td(dash(row.model)),
          td(dash(row.target)),
          td(h("span", { class: "mono small", text: dash(row.key_id) })),
          num(fmtInt((row.prompt_tokens || 0) + (row.completion_tokens || 0))),
          num(fmtUSD(row.cost_usd)),
          num(fmtMs(row.latency_ms)),
        ]);
      }));
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      cursors = [null];
      pageIndex = 0;
      history.replaceState(null, "", "#/logs" + query(filters()));
      attempt(load);
    });
    reset.addEventListener("click", function () {
      controls.forEach(function (control) { control.control.value = ""; });
      cursors = [null];
      pageIndex = 0;
      history.replaceState(null, "", "#/logs");
      attempt(load);
    });
    next.addEventListener("click", function () {
      if (!nextCursor) return;
      cursors = cursors.slice(0, pageIndex + 1);
      cursors.push(nextCursor);
      pageIndex += 1;
      attempt(load);
    });
    previous.addEventListener("click", function () {
      if (pageIndex === 0) return;
      pageIndex -= 1;
      attempt(load);
    });
    attempt(load);
    return root;
  }

  const LOG_FIELDS = [
    ["time", "Time"], ["request_id", "Request id"], ["method", "Method"], ["path", "Path"], ["status", "Status"], ["key_id", "Key"],
    ["team_id", "Team"], ["model", "Model"], ["target", "Target"], ["attempts", "Attempts"], ["stream", "Stream"], ["prompt_tokens", "Prompt tokens"],
    ["completion_tokens", "Completion tokens"], ["cached_tokens", "Cached tokens"], ["cost_usd", "Cost"], ["latency_ms", "Latency"],
    ["ttft_ms", "Time to first token"], ["overhead_ms", "Gateway overhead"], ["error", "Error"], ["cache", "Cache"], ["guardrails", "Guardrails"],
    ["prompt", "Prompt"], ["id", "Row id"],
  ];

  function logValue(name, row) {
    const value = row[name];
    switch (name) {
      case "time": return [timeCell(value), h("span", { class: "muted small", text: value ? " (" + value + ")" : "" })];
      case "status": return statusBadge(value);
      case "stream": return value === true ? "yes" : value === false ? "no" : DASH;
      case "cost_usd": return fmtUSD(value);
      case "latency_ms": case "ttft_ms": case "overhead_ms": return isNum(value) ? fmtMs(value) + " (" + value + " ms)" : DASH;
      case "prompt_tokens": case "completion_tokens": case "cached_tokens": case "attempts": return isNum(value) ? fmtInt(value) : DASH;
      case "path": case "request_id": case "id": case "key_id": case "team_id": return value ? h("code", { text: String(value) }) : DASH;
      default:
        if (value === null || value === undefined || value === "") return DASH;
        return typeof value === "object" ? JSON.stringify(value) : String(value);
    }
  }

  function renderLogDetail(view, requestId) {
    const back = h("a", { href: "#/logs", class: "btn", id: "log-back", text: "← Request log" });
    const reload = button("Refresh", { id: "log-detail-refresh" });
    const root = page("page-log-detail", "Request " + requestId, [back, reload]);
    const body = h("div", { id: "log-detail" }, h("p", { class: "muted loading", text: "Loading…" }));
    append(root, body);
    view.appendChild(root);

    async function load() {
      const answer = await api.get("/admin/logs" + query({ request_id: requestId, limit: 20 }));
      const rows = (answer && answer.data) || [];
      if (rows.length === 0) {
        replace(body, h("p", { class: "empty-state", text: "No request with this id is in the log (rows are written within a second or so: refresh in a moment)." }));
        return;
      }
      replace(body, rows.map(function (row, index) {
        const known = new Set(LOG_FIELDS.map(function (item) { return item[0]; }).concat(["request_body", "response_body"]));
        const items = [];
        LOG_FIELDS.forEach(function (item) {
          items.push(h("dt", { text: item[1] }));
          items.push(h("dd", { data: { field: item[0] } }, logValue(item[0], row)));
        });
        Object.keys(row).filter(function (name) { return !known.has(name); }).sort().forEach(function (name) {
          items.push(h("dt", { text: name }));
          items.push(h("dd", { data: { field: name } }, logValue(name, row)));
        });
        const sections = [
          h("h2", { text: rows.length > 1 ? "Row " + (index + 1) + " of " + rows.length : "Fields" }),
          h("dl", { class: "fields" }, items),
        ];
        ["request_body", "response_body"].forEach(function (name) {
          if (row[name] === null || row[name] === undefined || row[name] === "") return;
          sections.push(h("h2", { text: name === "request_body" ? "Request body" : "Response body" }));
          sections.push(h("pre", { id: (index ? index + "-" : "") + name.replace("_", "-"), tabindex: "0", "aria-label": name.replace("_", " ") }, h("code", { text: prettyBody(row[name]) })));
        });
        if (!row.request_body && !row.response_body) {
          sections.push(h("p", { class: "muted small", text: "Bodies are kept only with logging.bodies: true." }));
        }
        return h("section", { class: "panel log-detail", data: { rowId: row.id || "" } }, sections);
      }));
    }
    reload.addEventListener("click", function () { attempt(load); });
    attempt(load);
    return root;
  }

  // ---------------------------------------------------------------- targets

  const STATE_TEXT = { closed: "closed · healthy", open: "open · skipped", half_open: "half-open · probing" };

  function renderTargets(view) {
    const updated = h("span", { class: "muted small", "aria-live": "polite" });
    const refresh = button("Refresh", { id: "targets-refresh" }, function () { attempt(load); });
    const root = page("page-targets", "Targets", [refresh, updated]);
    const shell = tableShell("targets-table", ["Target", "Circuit", { label: "In flight", num: true }, { label: "Latency", num: true },
      { label: "TTFT", num: true }, { label: "Requests", num: true }, { label: "Failures", num: true }, { label: "Error rate", num: true }, "Last error", "Models"],
    "Each upstream target's live state");
    append(root, shell.wrap);
    emptyRow(shell, "Loading…");
    view.appendChild(root);

    async function load() {
      const answer = await api.get("/admin/targets");
      const rows = (answer && answer.data) || [];
      updated.textContent = "Updated " + timeFormat.format(new Date());
      if (rows.length === 0) { emptyRow(shell, "No targets are configured."); return; }
      replace(shell.tbody, rows.map(function (row) {
        const stateName = String(row.state || "unknown");
        const circuit = [h("span", { class: "badge state-" + stateName.replace(/[^a-z_]/g, ""), text: STATE_TEXT[stateName] || stateName })];
        if (isNum(row.reopens_in_seconds)) circuit.push(h("div", { class: "muted small", text: "probe in " + Math.ceil(row.reopens_in_seconds) + " s" }));
        if (row.usable === false && stateName !== "open") circuit.push(h("div", { class: "muted small", text: "at capacity" }));
        const lastError = row.last_error
          ? [h("span", { text: String(row.last_error) }), isNum(row.last_error_seconds_ago) ? h("div", { class: "muted small", text: Math.round(row.last_error_seconds_ago) + " s ago" }) : null]
          : h("span", { class: "muted", text: DASH });
        return h("tr", { data: { target: (row.provider || "") + "/" + (row.model || "") } }, [
          td([h("strong", { text: dash(row.provider) }), h("span", { class: "muted", text: " / " }), h("span", { class: "mono", text: dash(row.model) })]),
          td(circuit, "nowrap"),
          num(fmtInt(row.in_flight)),
          num(fmtMs(row.latency_ms)),
          num(fmtMs(row.time_to_first_token_ms)),
          num(fmtInt(row.requests)),
          num(fmtInt(row.failures)),
          num(fmtPct(row.error_rate)),
          td(lastError, "wrap"),
          td(tags(row.models)),
        ]);
      }));
    }
    attempt(load);
    every(10000, function () { attempt(load); });
    return root;
  }

  // ---------------------------------------------------------------- models

  function renderModels(view) {
    const refresh = button("Refresh", { id: "models-refresh" }, function () { attempt(load); });
    const root = page("page-models", "Models", [refresh]);
    const shell = tableShell("models-table", ["Model", "Strategy", "Targets", "Fallbacks", "Guardrails", "Cache", "Context", "Memory"], "The configured models and their routes");
    append(root, shell.wrap);
    emptyRow(shell, "Loading…");
    view.appendChild(root);

    async function load() {
      const answer = await api.get("/admin/models");
      const rows = (answer && answer.data) || [];
      if (rows.length === 0) { emptyRow(shell, "No models are configured."); return; }
      replace(shell.tbody, rows.map(function (row) {
        const targets = (row.targets || []).map(function (target) {
          return h("li", null, [
            h("span", { class: "mono", text: dash(target.provider) + "/" + dash(target.model) }),
            isNum(target.weight) ? h("span", { class: "muted small", text: " × " + target.weight }) : null,
          ]);
        });
        return h("tr", { data: { model: row.name } }, [
          td(h("strong", { text: dash(row.name) })),
          td(dash(row.strategy)),
          td(targets.length ? h("ul", { class: "plain-list" }, targets) : DASH, "wrap"),
          td(tags(row.fallbacks)),
          td(tags(row.guardrails)),
          td(onOff(row.cache)),
          td(onOff(row.context)),
          td(onOff(row.memory)),
        ]);
      }));
    }
    attempt(load);
    return root;
  }

  // ---------------------------------------------------------------- prompts

  function promptBadge(stateName) {
    return h("span", { class: "badge prompt-" + String(stateName || "").replace(/[^a-z]/g, ""), text: dash(stateName) });
  }

  function renderPrompts(view, name) {
    if (name) return renderPromptDetail(view, name);
    const refresh = button("Refresh", { id: "prompts-refresh" }, function () { attempt(load); });
    const root = page("page-prompts", "Prompts", [refresh]);
    const shell = tableShell("prompts-table", ["Name", "State", { label: "Active version", num: true }, "Visibility", "Subscription", "Source", "Updated"], "Prompt templates");
    append(root, shell.wrap);
    const subscriptions = tableShell("subscriptions", ["Prompt", "Team", "Requested by", "Requested", "Decision"], "Subscription requests waiting for a decision");
    append(root, h("section", { class: "panel", id: "subscriptions-section", "aria-labelledby": "subscriptions-title" }, [
      h("h2", { id: "subscriptions-title", text: "Pending subscriptions" }),
      subscriptions.wrap,
    ]));
    emptyRow(shell, "Loading…");
    emptyRow(subscriptions, "Loading…");
    view.appendChild(root);

    async function loadPrompts() {
      const answer = await api.get("/admin/prompts");
      const rows = (answer && answer.data) || [];
      if (rows.length === 0) { emptyRow(shell, "No prompts yet (see docs/prompts.md to add one)."); return; }
      replace(shell.tbody, rows.map(function (row) {
        return h("tr", { data: { prompt: row.name } }, [
          td(h("a", { href: "#/prompts/" + seg(row.name), text: row.name })),
          td(promptBadge(row.state)),
          num(dash(row.active_version)),
          td([h("span", { text: dash(row.visibility) }), row.visibility === "teams" ? tags(row.teams) : null]),
          td(row.subscription_required ? "required" : "not required"),
          td(dash(row.source)),
          td(timeCell(row.updated_at), "nowrap"),
        ]);
      }));
    }

    async function loadSubscriptions() {
      const answer = await api.get("/admin/subscriptions?status=pending");
      const rows = (answer && answer.data) || [];
      if (rows.length === 0) { emptyRow(subscriptions, "No subscription requests are waiting."); return; }
      replace(subscriptions.tbody, rows.map(function (row) {
        const decide = function (verb) {
          return function () {
            attempt(async function () {
              await api.post("/admin/subscriptions/" + seg(row.id) + "/" + verb);
              notice((verb === "approve" ? "Approved" : "Rejected") + " the subscription of " + row.team_id + " to " + row.prompt + ".");
              await loadSubscriptions();
            });
          };
        };
        return h("tr", { data: { subscription: row.id } }, [
          td(h("a", { href: "#/prompts/" + seg(row.prompt), text: dash(row.prompt) })),
          td(h("span", { class: "mono small", text: dash(row.team_id) })),
          td(h("span", { class: "mono small", text: dash(row.requested_by) })),
          td(timeCell(row.created_at), "nowrap"),
          td(h("div", { class: "row-actions" }, [
            button("Approve", { class: "btn btn-small btn-primary", "aria-label": "Approve " + row.team_id + " for " + row.prompt }, decide("approve")),
            button("Reject", { class: "btn btn-small btn-danger", "aria-label": "Reject " + row.team_id + " for " + row.prompt }, decide("reject")),
          ])),
        ]);
      }));
    }

    function load() { return Promise.all([loadPrompts().catch(report), loadSubscriptions().catch(report)]); }
    load();
    return root;
  }

  function renderPromptDetail(view, name) {
    const back = h("a", { href: "#/prompts", class: "btn", text: "← Prompts" });
    const root = page("page-prompt-detail", "Prompt " + name, [back]);
    const summary = h("section", { class: "panel", "aria-labelledby": "prompt-summary-title" }, h("p", { class: "muted", text: "Loading…" }));
    const lifecycle = h("section", { class: "panel", id: "prompt-lifecycle", "aria-labelledby": "prompt-lifecycle-title" });
    const versions = tableShell("prompt-versions", [{ label: "Version", num: true }, "Model", "Created by", "Created", "Definition", "Active"], "Versions, oldest first");
    const diffFrom = h("select");
    const diffTo = h("select");
    const diffOut = h("div", { id: "prompt-diff", "aria-live": "polite" });
    const diffForm = h("form", { class: "toolbar", id: "prompt-diff-form" }, [
      field("diff-from", "From version", diffFrom),
      field("diff-to", "To version", diffTo),
      h("button", { type: "submit", class: "btn", id: "diff-run", text: "Compare" }),
    ]);
    const history = tableShell("prompt-history", ["Time", "Action", { label: "Version", num: true }, "Actor", "Detail"], "Every change, newest first");
    append(root, [
      summary,
      lifecycle,
      h("section", { class: "panel", "aria-labelledby": "prompt-versions-title" }, [h("h2", { id: "prompt-versions-title", text: "Versions" }), versions.wrap]),
      h("section", { class: "panel", "aria-labelledby": "prompt-diff-title" }, [h("h2", { id: "prompt-diff-title", text: "Compare versions" }), diffForm, diffOut]),
      h("section", { class: "panel", "aria-labelledby": "prompt-history-title" }, [h("h2", { id: "prompt-history-title", text: "History" }), history.wrap]),
    ]);
    emptyRow(versions, "Loading…");
    emptyRow(history, "Loading…");
    view.appendChild(root);
    const base = "/admin/prompts/" + seg(name);

    async function load() {
      const [prompt, events] = await Promise.all([api.get(base), api.get(base + "/history").catch(function (error) { report(error); return null; })]);
      renderSummary(prompt);
      renderLifecycle(prompt);
      renderVersions(prompt);
      renderHistory(events);
    }

    function renderSummary(prompt) {
      const entries = [
        ["State", promptBadge(prompt.state)],
        ["Active version", dash(prompt.active_version)],
        ["Visibility", [dash(prompt.visibility), prompt.visibility === "teams" ? tags(prompt.teams) : null]],
        ["Subscription", prompt.subscription_required ? "required (a team's keys need an approved subscription)" : "not required"],
        ["Sunset", prompt.sunset ? timeCell(prompt.sunset) : DASH],
        ["Source", dash(prompt.source)],
        ["Created", timeCell(prompt.created_at)],
        ["Updated", timeCell(prompt.updated_at)],
      ];
      replace(summary, [
        h("h2", { id: "prompt-summary-title", text: "Summary" }),
        h("dl", { class: "fields" }, entries.reduce(function (list, entry) {
          list.push(h("dt", { text: entry[0] }));
          list.push(h("dd", null, entry[1]));
          return list;
        }, [])),
      ]);
    }

    function move(verb, body, question) {
      return function () {
        if (question && !window.confirm(question)) return;
        attempt(async function () {
          await api.post(base + "/" + verb, body ? body() : {});
          notice("The prompt " + name + " is now " + (verb === "publish" ? "published" : verb === "deprecate" ? "deprecated" : "retired") + ".");
          await load();
        });
      };
    }

    function renderLifecycle(prompt) {
      const current = prompt.state;
      const sunset = h("input", { type: "datetime-local", step: "60" });
      const sunsetBody = function () {
        if (!sunset.value) return {};
        const date = new Date(sunset.value);
        return isNaN(date.getTime()) ? {} : { sunset: date.toISOString() };
      };
      replace(lifecycle, [
        h("h2", { id: "prompt-lifecycle-title", text: "Lifecycle" }),
        h("p", { class: "muted small", text: "draft → published → deprecated → retired. Retiring is final: runs then get 410." }),
        h("div", { class: "toolbar" }, [
          button("Publish", { id: "prompt-publish", class: "btn btn-primary", disabled: !(current === "draft" || current === "deprecated") }, move("publish")),
          field("prompt-sunset", "Sunset (optional)", sunset),
          button("Deprecate", { id: "prompt-deprecate", disabled: current !== "published" }, move("deprecate", sunsetBody)),
          button("Retire", { id: "prompt-retire", class: "btn btn-danger", disabled: current === "retired" }, move("retire", null,
            "Retire the prompt “" + name + "”? This is final: every run gets 410 from now on.")),
        ]),
      ]);
    }

    function renderVersions(prompt) {
      const list = prompt.versions || [];
      [diffFrom, diffTo].forEach(function (select) { clear(select); });
      list.forEach(function (version) {
        diffFrom.appendChild(h("option", { value: String(version.version), text: "v" + version.version }));
        diffTo.appendChild(h("option", { value: String(version.version), text: "v" + version.version }));
      });
      if (list.length > 1) {
        diffFrom.value = String(list[list.length - 2].version);
        diffTo.value = String(list[list.length - 1].version);
      }
      if (list.length === 0) { emptyRow(versions, "No versions."); return; }
      replace(versions.tbody, list.map(function (version) {
        const active = version.version === prompt.active_version;
        const definition = Object.assign({}, version);
        delete definition.version;
        delete definition.created_by;
        delete definition.created_at;
        return h("tr", { data: { version: version.version } }, [
          num("v" + version.version),
          td(dash(version.model)),
          td(h("span", { class: "mono small", text: dash(version.created_by) })),
          td(timeCell(version.created_at), "nowrap"),
          td(h("details", null, [h("summary", { text: "Show" }), h("pre", null, h("code", { text: JSON.stringify(definition, null, 2) }))]), "wrap"),
          td(active ? badge("active", "good") : button("Activate", { class: "btn btn-small", "aria-label": "Activate version " + version.version }, function () {
            const older = version.version < prompt.active_version;
            if (older && !window.confirm("Roll back " + name + " to version " + version.version + "?")) return;
            attempt(async function () {
              await api.post(base + "/activate", { version: version.version });
              notice("Version " + version.version + " of " + name + " is now active.");
              await load();
            });
          })),
        ]);
      }));
    }

    function renderHistory(events) {
      const rows = ((events && events.data) || []).slice().sort(function (a, b) { return String(b.time).localeCompare(String(a.time)); });
      if (rows.length === 0) { emptyRow(history, "No history."); return; }
      replace(history.tbody, rows.map(function (event) {
        return h("tr", null, [
          td(timeCell(event.time), "nowrap"),
          td(dash(event.action)),
          num(event.version === null || event.version === undefined ? DASH : "v" + event.version),
          td(h("span", { class: "mono small", text: dash(event.actor) })),
          td(dash(event.detail), "wrap"),
        ]);
      }));
    }

    diffForm.addEventListener("submit", function (event) {
      event.preventDefault();
      attempt(async function () {
        if (!diffFrom.value || !diffTo.value) return;
        const answer = await api.get(base + "/diff" + query({ from: diffFrom.value, to: diffTo.value }));
        const changes = (answer && answer.changes) || [];
        if (changes.length === 0) {
          replace(diffOut, h("p", { class: "empty-state", text: "v" + diffFrom.value + " and v" + diffTo.value + " are the same." }));
          return;
        }
        replace(diffOut, changes.map(function (change) {
          let content;
          if (Array.isArray(change.lines) && change.lines.length) {
            content = h("pre", { class: "diff", tabindex: "0" }, change.lines.map(function (line) {
              const text = String(line);
              const cls = text.charAt(0) === "+" ? "add" : text.charAt(0) === "-" ? "del" : "ctx";
              return h("span", { class: cls, text: text });
            }));
          } else {
            const show = function (value) { return value === undefined || value === null ? "(none)" : typeof value === "string" ? value : JSON.stringify(value, null, 2); };
            content = h("pre", { class: "diff", tabindex: "0" }, [
              h("span", { class: "del", text: "- " + show(change.from) }),
              h("span", { class: "add", text: "+ " + show(change.to) }),
            ]);
          }
          return h("div", { class: "diff-change" }, [h("h3", { text: dash(change.field) }), content]);
        }));
      });
    });

    attempt(load);
    return root;
  }

  // ---------------------------------------------------------------- start

  async function logout() {
    const control = $("logout");
    control.disabled = true;
    try {
      await request("POST", "/ui/logout");
    } catch (error) {
      if (!(error && error.sessionGone)) console.error(error);
    }
    state.redirecting = true;
    try { sessionStorage.removeItem(RETURN_TO); } catch (ignored) { /* storage off */ }
    window.location.replace(LOGIN);
  }

  async function start() {
    $("error-dismiss").addEventListener("click", hideError);
    document.querySelector(".skip-link").addEventListener("click", function (event) {
      event.preventDefault();
      $("view").focus();
    });
    $("logout").addEventListener("click", logout);
    try {
      await loadSession();
    } catch (error) {
      report(error);
      return;
    }
    window.addEventListener("hashchange", route);
    let returnTo = null;
    try {
      returnTo = sessionStorage.getItem(RETURN_TO);
      sessionStorage.removeItem(RETURN_TO);
    } catch (ignored) { /* storage off */ }
    if (!/^#\/[A-Za-z]/.test(window.location.hash)) {
      history.replaceState(null, "", returnTo && /^#\/[A-Za-z]/.test(returnTo) ? returnTo : "#/dashboard");
    }
    route();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
