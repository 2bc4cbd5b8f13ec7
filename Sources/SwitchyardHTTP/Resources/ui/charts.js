/* Switchyard console: small SVG charts (time series as lines or areas, rankings as horizontal bars, budget meters).
   Everything is drawn with SVG elements and attributes; colours come from CSS classes (s0..s7). Every drawn mark
   carries the class "mark". No innerHTML: text goes in through textContent. */
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  const SERIES_CLASSES = 8;

  function svgEl(tag, attrs, parent) {
    const node = document.createElementNS(NS, tag);
    if (attrs) {
      for (const name of Object.keys(attrs)) {
        const value = attrs[name];
        if (value !== null && value !== undefined) node.setAttribute(name, String(value));
      }
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgText(parent, text, attrs) {
    const node = svgEl("text", attrs, parent);
    node.textContent = text;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function isNumber(value) {
    return typeof value === "number" && Number.isFinite(value);
  }

  function round(value) {
    return Math.round(value * 10) / 10;
  }

  /** A step of 1, 2, 2.5 or 5 times a power of ten giving about `count` steps over `span`. */
  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const normal = raw / magnitude;
    const factor = normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 2.5 ? 2.5 : normal <= 5 ? 5 : 10;
    return factor * magnitude;
  }

  function niceScale(max, count, integer) {
    let top = max > 0 ? max : 1;
    let step = niceStep(top, count);
    if (integer && step < 1) step = 1;
    top = Math.ceil(top / step - 1e-9) * step;
    const ticks = [];
    for (let index = 0; index * step <= top + step / 2; index++) ticks.push(Number((index * step).toPrecision(12)));
    return { top, ticks };
  }

  /** The drawing width: the width of the element holding the chart, at least 260 px. */
  function widthOf(svg) {
    const holder = svg.parentNode;
    const measured = holder && holder.getBoundingClientRect ? Math.floor(holder.getBoundingClientRect().width) : 0;
    return Math.max(260, measured || 600);
  }

  function prepare(svg, width, height, label) {
    clear(svg);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("focusable", "false");
    const title = svgEl("title", null, svg);
    title.textContent = label;
  }

  function drawEmpty(svg, width, height, text) {
    const axis = svgEl("g", { class: "axis" }, svg);
    svgEl("line", { class: "baseline", x1: 0, x2: width, y1: height - 24.5, y2: height - 24.5 }, axis);
    svgText(svg, text, { class: "empty-text", x: width / 2, y: height / 2, "text-anchor": "middle", "dominant-baseline": "middle" });
  }

  function legend(holder, names, always) {
    if (!holder) return;
    clear(holder);
    holder.hidden = names.length === 0 || (names.length < 2 && !always);
    names.forEach(function (name, index) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch s" + (index % SERIES_CLASSES);
      swatch.setAttribute("aria-hidden", "true");
      const text = document.createElement("span");
      text.textContent = name;
      item.appendChild(swatch);
      item.appendChild(text);
      holder.appendChild(item);
    });
  }

  /**
   * A time series chart.
   * options: {times: [Date], series: [{name, values: [number|null]}], stacked, area, label, emptyText,
   *           yFormat(v), xFormat(Date), tipFormat(v), yMax, integer, height, legend: <ul> element}
   */
  function timeSeries(svg, options) {
    svg.__redraw = function () { timeSeries(svg, options); };
    const width = widthOf(svg);
    const height = options.height || 220;
    const label = options.label || "chart";
    const times = options.times || [];
    const series = (options.series || []).filter(Boolean);
    const yFormat = options.yFormat || String;
    const xFormat = options.xFormat || function (date) { return date.toLocaleTimeString(); };
    const tipFormat = options.tipFormat || yFormat;
    const tipTime = options.tipTimeFormat || xFormat;
    prepare(svg, width, height, label);
    legend(options.legend, series.map(function (item) { return item.name; }), options.legendAlways);

    const count = times.length;
    const hasData = count > 0 && series.some(function (item) {
      return item.values.some(function (value) { return isNumber(value) && value !== 0; });
    });
    if (!hasData) {
      legend(options.legend, [], false);
      svg.setAttribute("aria-label", label + ": " + (options.emptyText || "no data"));
      drawEmpty(svg, width, height, options.emptyText || "No data in this range");
      return;
    }

    // Values as drawn: stacked series sit on the ones before them (gaps count as zero there).
    const lower = [];
    const upper = [];
    let running = new Array(count).fill(0);
    series.forEach(function (item, index) {
      if (options.stacked) {
        lower[index] = running.slice();
        upper[index] = running.map(function (base, at) { return base + (isNumber(item.values[at]) ? item.values[at] : 0); });
        running = upper[index];
      } else {
        lower[index] = new Array(count).fill(0);
        upper[index] = item.values.map(function (value) { return isNumber(value) ? value : null; });
      }
    });
    let max = 0;
    upper.forEach(function (values) { values.forEach(function (value) { if (isNumber(value) && value > max) max = value; }); });
    if (isNumber(options.yMax)) max = Math.max(max, options.yMax);
    const scale = isNumber(options.yMax) && options.yMax >= max ? { top: options.yMax, ticks: [0, 0.25, 0.5, 0.75, 1].map(function (f) { return f * options.yMax; }) }
      : niceScale(max, 4, options.integer);

    const tickLabels = scale.ticks.map(yFormat);
    const longest = tickLabels.reduce(function (most, text) { return Math.max(most, String(text).length); }, 1);
    const margin = { top: 10, right: 14, bottom: 24, left: Math.min(80, Math.ceil(longest * 6.6) + 10) };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const first = times[0].getTime();
    const last = times[count - 1].getTime();
    const xAt = function (index) {
      if (count === 1 || last === first) return margin.left + plotWidth / 2;
      return margin.left + ((times[index].getTime() - first) / (last - first)) * plotWidth;
    };
    const yAt = function (value) { return margin.top + plotHeight - (value / scale.top) * plotHeight; };

    // Grid and axes.
    const grid = svgEl("g", { class: "grid", "aria-hidden": "true" }, svg);
    const axis = svgEl("g", { class: "axis", "aria-hidden": "true" }, svg);
    scale.ticks.forEach(function (tick, index) {
      const y = Math.round(yAt(tick)) + 0.5;
      if (index > 0) svgEl("line", { x1: margin.left, x2: width - margin.right, y1: y, y2: y }, grid);
      svgText(axis, tickLabels[index], { x: margin.left - 6, y: y, "text-anchor": "end", "dominant-baseline": "middle" });
    });
    svgEl("line", { class: "baseline", x1: margin.left, x2: width - margin.right, y1: Math.round(yAt(0)) + 0.5, y2: Math.round(yAt(0)) + 0.5 }, axis);
    const wanted = Math.max(2, Math.min(count, Math.floor(plotWidth / 95)));
    const tickIndexes = [];
    if (count === 1) tickIndexes.push(0);
    else for (let step = 0; step < wanted; step++) {
      const index = Math.round((step * (count - 1)) / (wanted - 1));
      if (tickIndexes.indexOf(index) < 0) tickIndexes.push(index);
    }
    tickIndexes.forEach(function (index, position) {
      const anchor = count === 1 ? "middle" : position === 0 ? "start" : position === tickIndexes.length - 1 ? "end" : "middle";
      svgText(axis, xFormat(times[index]), { x: round(xAt(index)), y: height - 6, "text-anchor": anchor });
    });

    // Marks.
    const marks = svgEl("g", { class: "marks" }, svg);
    const dotsWanted = count <= 200;
    series.forEach(function (item, index) {
      const cls = "s" + (index % SERIES_CLASSES);
      const top = upper[index];
      const bottom = lower[index];
      const segments = [];
      let current = null;
      for (let at = 0; at < count; at++) {
        if (isNumber(top[at])) {
          if (!current) { current = []; segments.push(current); }
          current.push(at);
        } else current = null;
      }
      if (options.area || options.stacked) {
        segments.forEach(function (segment) {
          if (segment.length < 2) return;
          let d = "";
          segment.forEach(function (at, position) { d += (position === 0 ? "M" : "L") + round(xAt(at)) + "," + round(yAt(top[at])); });
          for (let position = segment.length - 1; position >= 0; position--) {
            const at = segment[position];
            d += "L" + round(xAt(at)) + "," + round(yAt(bottom[at]));
          }
          svgEl("path", { class: "area mark " + cls + (options.stacked ? " stacked" : ""), d: d + "Z" }, marks);
        });
      }
      let line = "";
      segments.forEach(function (segment) {
        segment.forEach(function (at, position) { line += (position === 0 ? "M" : "L") + round(xAt(at)) + "," + round(yAt(top[at])); });
      });
      if (line) {
        const path = svgEl("path", { class: "line mark " + cls, d: line }, marks);
        const title = svgEl("title", null, path);
        title.textContent = item.name;
      }
      segments.forEach(function (segment) {
        segment.forEach(function (at) {
          const value = item.values[at];
          const isolated = segment.length === 1;
          if (!isolated && !(dotsWanted && isNumber(value) && value !== 0)) return;
          const dot = svgEl("circle", { class: "dot mark " + cls, cx: round(xAt(at)), cy: round(yAt(top[at])), r: isolated ? 3.5 : count > 90 ? 1.75 : 2.75 }, marks);
          const title = svgEl("title", null, dot);
          title.textContent = (series.length > 1 ? item.name + " · " : "") + tipTime(times[at]) + ": " + tipFormat(value);
        });
      });
    });
  }

  /**
   * Horizontal bars for a ranking.
   * options: {items: [{label, value, detail}], label, emptyText, format(v)}
   */
  function bars(svg, options) {
    svg.__redraw = function () { bars(svg, options); };
    const width = widthOf(svg);
    const items = (options.items || []).filter(function (item) { return isNumber(item.value); });
    const label = options.label || "ranking";
    const format = options.format || String;
    const rowHeight = 36;
    const visible = items.filter(function (item) { return item.value > 0; });
    if (visible.length === 0) {
      prepare(svg, width, 120, label + ": " + (options.emptyText || "no data"));
      drawEmpty(svg, width, 120, options.emptyText || "No data in this range");
      return;
    }
    const height = visible.length * rowHeight + 6;
    prepare(svg, width, height, label);
    const max = visible.reduce(function (most, item) { return Math.max(most, item.value); }, 0);
    const characters = Math.max(8, Math.floor((width * 0.62) / 7));
    const group = svgEl("g", { class: "marks" }, svg);
    visible.forEach(function (item, index) {
      const y = index * rowHeight;
      const name = String(item.label);
      const shown = name.length > characters ? name.slice(0, characters - 1) + "…" : name;
      svgText(group, shown, { class: "bar-label", x: 0, y: y + 13 });
      svgText(group, format(item.value) + (item.detail ? " · " + item.detail : ""), { class: "bar-value", x: width, y: y + 13, "text-anchor": "end" });
      svgEl("rect", { class: "bar-track", x: 0, y: y + 19, width: width, height: 10, rx: 3 }, group);
      const bar = svgEl("rect", { class: "bar mark s" + (index % SERIES_CLASSES), x: 0, y: y + 19, width: Math.max(2, round((item.value / max) * width)), height: 10, rx: 3 }, group);
      const title = svgEl("title", null, bar);
      title.textContent = name + ": " + format(item.value) + (item.detail ? " · " + item.detail : "");
    });
  }

  /** A small horizontal meter for a fraction (1 = full; more is drawn full and marked over). */
  function meter(fraction, text) {
    const svg = svgEl("svg", { class: "meter", viewBox: "0 0 100 8", preserveAspectRatio: "none", role: "img", "aria-label": text });
    const value = isNumber(fraction) ? Math.max(0, fraction) : 0;
    if (value >= 1) svg.classList.add("over");
    else if (value >= 0.8) svg.classList.add("warn");
    svgEl("rect", { class: "track", x: 0.5, y: 0.5, width: 99, height: 7, rx: 2 }, svg);
    if (value > 0) svgEl("rect", { class: "fill mark", x: 0.5, y: 0.5, width: Math.max(1, Math.min(99, value * 99)), height: 7, rx: 2 }, svg);
    return svg;
  }

  // Charts follow their container's width.
  let resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      document.querySelectorAll("svg.chart").forEach(function (svg) { if (typeof svg.__redraw === "function") svg.__redraw(); });
    }, 150);
  });

  window.SwitchyardCharts = { timeSeries: timeSeries, bars: bars, meter: meter, svgEl: svgEl };
})();
