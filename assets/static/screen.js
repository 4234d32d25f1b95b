// SafeCampus: the monitoring screen (数据大屏). Fills the page from the JSON API with the
// session's cookie, same origin: the counts and the 30-day trend (/api/v1/screen), every
// school's risk index on the map (/api/v1/risk-index) and the open warnings
// (/api/v1/warnings?open=true). It follows the live stream of warnings
// (/api/v1/warnings/stream): a new warning goes to the top of the list at once (a red one
// flashes), the counts move, and a school with an open red warning turns red on the map; the
// figures are then fetched again to agree with the server. Charts are the vendored Apache
// ECharts; every word comes from the page (`data-text`, from the catalogue).
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root || !window.fetch || !window.JSON) { return; }
  var T = JSON.parse(root.getAttribute("data-text") || "{}");
  var LEVELS = ["red", "orange", "yellow", "blue"];
  var COLOUR = { red: "#ff4d4f", orange: "#ff9f1a", yellow: "#ffd60a", blue: "#3ba4ff" };
  var OPEN = { raised: true, acknowledged: true, dispatched: true };
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  // The rule of a device's offline warning (domain::warning::OFFLINE_RULE).
  var OFFLINE_RULE = "offline";
  var HOUR = 3600 * 1000;

  var state = {
    open: {},          // id → open warning
    counts: { red: 0, orange: 0, yellow: 0, blue: 0 },
    index: [],         // the risk index, riskiest first
    data: null,        // /api/v1/screen
    districtOf: {},    // school id → district name
    fresh: {},         // warning id → until (ms) it flashes
    ready: false,
    queued: [],        // stream events before the first load
    gen: 0             // bumped by every stream event
  };

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  // Instants are shown in China time (UTC+8), wherever the display's clock is set.
  function china(ms) { return new Date(ms + 8 * HOUR); }
  function ymd(d) { return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()); }
  function hm(d) { return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); }

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { location.reload(); }
        if (!r.ok) { throw new Error(url + " " + r.status); }
        return r.json();
      });
  }

  function failed(on) {
    var s = $("screen-status");
    if (!s) { return; }
    s.hidden = !on;
    s.textContent = on ? T.failed : "";
  }

  // ---- The clock.
  var WEEK = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  function tick() {
    var d = china(Date.now());
    var c = $("screen-clock");
    c.textContent = ymd(d) + " " + hm(d) + ":" + pad(d.getUTCSeconds());
    var wd = el("span", "sc-wd", (T.weekday || {})[WEEK[d.getUTCDay()]] || "");
    c.appendChild(wd);
    c.setAttribute("datetime", new Date().toISOString());
  }

  // ---- Key figures.
  function renderCounts() {
    var total = 0;
    LEVELS.forEach(function (l) {
      var n = Math.max(0, state.counts[l] || 0);
      total += n;
      var chip = $("screen-open-" + l);
      if (chip) { chip.querySelector(".n").textContent = String(n); }
    });
    $("screen-open-total").textContent = String(total);
  }

  function renderData() {
    var d = state.data;
    if (!d) { return; }
    $("screen-overdue").textContent = String(d.overdue_hazards);
    var c = d.inspections.counts;
    var done = c.on_time + c.late;
    var pct = c.total ? Math.round(100 * done / c.total) : 0;
    $("screen-insp-rate").textContent = String(pct);
    $("screen-insp-of").textContent = T.done_of + " " + done + " / " + c.total;
    $("screen-insp-bar-on").style.width = (c.total ? 100 * c.on_time / c.total : 0) + "%";
    $("screen-insp-bar-late").style.width = (c.total ? 100 * c.late / c.total : 0) + "%";
    var p = /^(\d{4})-(\d{2})-H([12])$/.exec(d.inspections.period);
    var period = p ? p[1] + "-" + p[2] + " " + (p[3] === "1" ? T.h1 : T.h2) : d.inspections.period;
    $("screen-insp-note").textContent = period + " · " + T.on_time + " " + c.on_time + " · " +
      T.late + " " + c.late + " · " + T.missing + " " + c.missing + " · " + T.open + " " + c.open;
    $("screen-offline").textContent = String(d.devices.offline);
    $("screen-devices-of").textContent = "/ " + d.devices.total + " " + T.devices_of;
    state.districtOf = {};
    d.districts.forEach(function (dist) {
      var name = (document.documentElement.lang === "en" && dist.name_en) || dist.name;
      dist.school_ids.forEach(function (id) { state.districtOf[id] = name; });
    });
    renderTrend();
  }

  // ---- The live list.
  function what(w) {
    if (w.source === "device") {
      if (w.rule === OFFLINE_RULE) { return T.offline; }
      var m = String(w.rule).split(".")[1];
      if (m && T.metric[m]) { return T.metric[m]; }
    }
    return T.source[w.source] || w.source;
  }

  function sorted() {
    return Object.keys(state.open).map(function (k) { return state.open[k]; }).sort(function (a, b) {
      var ta = Date.parse(a.raised_at), tb = Date.parse(b.raised_at);
      return tb - ta || b.id - a.id;
    });
  }

  function renderList() {
    var list = $("screen-warnings");
    var now = Date.now();
    var today = ymd(china(now));
    var items = sorted();
    list.textContent = "";
    if (!items.length) {
      list.appendChild(el("li", "sc-empty", T.none));
      return;
    }
    items.forEach(function (w) {
      var li = el("li", "sc-w lv-" + w.level);
      li.id = "sw-" + w.id;
      li.setAttribute("data-id", w.id);
      li.setAttribute("data-school", w.school_id);
      if (state.fresh[w.id] && state.fresh[w.id] > now) { li.className += " fresh"; }
      var lv = el("span", "sc-w-lv g-" + w.level);
      lv.appendChild(el("i", null, T.roman[w.level]));
      lv.appendChild(document.createTextNode(T.colour[w.level] || w.level));
      li.appendChild(lv);
      var main = el("span", "sc-w-main");
      var a = el("a", "sc-w-school", w.school_name);
      a.href = "/warnings/" + w.id;
      main.appendChild(a);
      main.appendChild(el("span", "sc-w-what", what(w) + (w.detail ? " · " + w.detail : "")));
      li.title = w.school_name + " · " + what(w) + (w.detail ? " · " + w.detail : "");
      li.appendChild(main);
      var side = el("span", "sc-w-side");
      var at = china(Date.parse(w.raised_at));
      var t = el("time", null, ymd(at) === today ? hm(at) : ymd(at).slice(5) + " " + hm(at));
      t.setAttribute("datetime", w.raised_at);
      side.appendChild(t);
      side.appendChild(el("span", "sc-w-status st-" + w.status, T.status[w.status] || w.status));
      li.appendChild(side);
      list.appendChild(li);
    });
  }

  // ---- The map: schools on their coordinates, coloured by risk level.
  var charts = {};
  function chart(id) {
    if (!window.echarts) { return null; }
    if (!charts[id]) { charts[id] = window.echarts.init($(id), null, { renderer: "canvas" }); }
    return charts[id];
  }

  // Schools with an open red warning are shown red until it closes.
  function redSchools() {
    var red = {};
    Object.keys(state.open).forEach(function (k) {
      var w = state.open[k];
      if (w.level === "red") { red[w.school_id] = (red[w.school_id] || 0) + 1; }
    });
    return red;
  }

  // The map is drawn without tiles: each district is the outline around its schools (the
  // convex hull of the schools, widened), in a plane where a degree of longitude is
  // cos(latitude) of a degree of latitude, so the district keeps its shape.
  function hull(points) {
    var p = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (p.length < 3) { return p; }
    var cross = function (o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); };
    var lower = [], upper = [], i;
    for (i = 0; i < p.length; i++) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p[i]) <= 0) { lower.pop(); }
      lower.push(p[i]);
    }
    for (i = p.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p[i]) <= 0) { upper.pop(); }
      upper.push(p[i]);
    }
    upper.pop(); lower.pop();
    return lower.concat(upper);
  }

  // The areas to outline: the districts of a city, or the one district (its schools).
  function areas(points) {
    var lat0 = points.reduce(function (a, s) { return a + s.lat; }, 0) / points.length;
    var k = Math.cos(lat0 * Math.PI / 180) || 1;
    var xs = points.map(function (s) { return s.lng * k; }), ys = points.map(function (s) { return s.lat; });
    var span = Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs), Math.max.apply(null, ys) - Math.min.apply(null, ys), 0.02);
    var r = span * 0.05;
    var groups = [];
    var districts = state.data ? state.data.districts : [];
    var at = {};
    points.forEach(function (s) { at[s.school_id] = s; });
    districts.forEach(function (d) {
      var ss = d.school_ids.map(function (id) { return at[id]; }).filter(Boolean);
      if (ss.length) { groups.push({ name: state.districtOf[d.school_ids[0]] || d.name, schools: ss }); }
    });
    if (!groups.length) { groups.push({ name: "", schools: points }); }
    return {
      k: k,
      list: groups.map(function (g) {
        var cloud = [];
        g.schools.forEach(function (s) {
          for (var a = 0; a < 12; a++) {
            cloud.push([s.lng * k + r * Math.cos(a * Math.PI / 6), s.lat + r * Math.sin(a * Math.PI / 6)]);
          }
        });
        var ring = hull(cloud).map(function (p) { return [p[0] / k, p[1]]; });
        var c = [
          g.schools.reduce(function (a, s) { return a + s.lng; }, 0) / g.schools.length,
          g.schools.reduce(function (a, s) { return a + s.lat; }, 0) / g.schools.length
        ];
        return { name: g.name, ring: ring, c: c };
      })
    };
  }

  // Axis ranges around the outlines with the display's aspect.
  function extent(shapes, w, h, room) {
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    shapes.list.forEach(function (a) {
      a.ring.forEach(function (p) {
        x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
        y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
      });
    });
    var k = shapes.k;
    var sx = Math.max((x1 - x0) * k, 0.01) * 1.06, sy = Math.max(y1 - y0, 0.01) * (1.06 + room);
    y0 -= (y1 - y0) * room / 2;
    var want = w / Math.max(h, 1);
    if (sx / sy < want) { sx = sy * want; } else { sy = sx / want; }
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return { x0: cx - sx / k / 2, x1: cx + sx / k / 2, y0: cy - sy / 2, y1: cy + sy / 2 };
  }

  function schoolTip(p) {
    var s = p.data.s, red = p.data.red;
    var lines = ['<div class="sc-tip"><b>' + esc(s.school_name) + "</b>"];
    if (state.districtOf[s.school_id]) {
      lines.push('<div class="sc-tip-sub">' + esc(T.district) + " · " + esc(state.districtOf[s.school_id]) + "</div>");
    }
    lines.push('<div class="sc-tip-idx g-' + esc(s.level) + '">' + esc(T.index) + " " + s.index + " · " +
      esc(T.level[s.level]) + "</div>");
    if (red) {
      lines.push('<div class="sc-tip-idx g-red">' + esc(T.level.red) + " × " + red + "</div>");
    }
    ["grades", "hazards", "overdue", "missed_checks", "warnings"].forEach(function (k) {
      var v = s.parts ? s.parts[k] : 0;
      lines.push('<div class="sc-tip-row"><span>' + esc(T.parts[k]) + "</span><span>" +
        (Math.round(v * 10) / 10) + "</span></div>");
    });
    lines.push("</div>");
    return lines.join("");
  }

  function renderMap() {
    var c = chart("screen-map");
    var box = $("screen-map");
    var pts = state.index.filter(function (s) { return s.lat != null && s.lng != null; });
    $("screen-school-count").textContent = state.index.length + " " + T.schools_unit;
    var red = redSchools();
    var reds = [];
    var by = { red: [], orange: [], yellow: [], blue: [] };
    var scale = Math.max(0.7, Math.min(1.25, box.clientHeight / 560));
    pts.forEach(function (s) {
      var lv = red[s.school_id] ? "red" : s.level;
      if (lv === "red") { reds.push(s.school_id); }
      (by[lv] || by.blue).push({ name: s.school_name, value: [s.lng, s.lat, s.index], s: s, red: red[s.school_id] || 0 });
    });
    box.setAttribute("data-red-schools", reds.join(","));
    if (!c) { return; }
    if (!pts.length) {
      c.clear();
      c.setOption({ title: { text: T.no_schools, left: "center", top: "middle", textStyle: { color: "#8aa6cc", fontSize: 16, fontFamily: FONT } } });
      return;
    }
    var shapes = areas(pts);
    // A city's district names go under the outlines: room for them below.
    var e = extent(shapes, box.clientWidth, box.clientHeight - 30, shapes.list.length > 1 ? 0.12 : 0);
    var series = LEVELS.map(function (lv, i) {
      return {
        // Stable ids: a render updates the points instead of drawing them anew.
        id: "level-" + lv,
        type: lv === "red" ? "effectScatter" : "scatter",
        name: T.level[lv] + " " + by[lv].length,
        data: by[lv],
        z: 10 - i,
        symbolSize: function (v) { return (11 + v[2] * 0.3) * scale; },
        itemStyle: { color: COLOUR[lv], opacity: 0.92, shadowBlur: 12, shadowColor: COLOUR[lv], borderColor: "rgba(255,255,255,.55)", borderWidth: 1 },
        rippleEffect: { brushType: "stroke", scale: 3.2, period: 3 },
        emphasis: { scale: 1.25 }
      };
    });
    // The districts' outlines, and for a city their names.
    var city = shapes.list.length > 1;
    series.push({
      id: "areas", type: "custom", name: "areas", silent: true, z: 1, clip: false,
      tooltip: { show: false },
      data: shapes.list.map(function (a, i) { return [a.c[0], a.c[1], i]; }),
      renderItem: function (params, api) {
        var a = shapes.list[params.dataIndex];
        var children = [{
          type: "polygon",
          shape: { points: a.ring.map(function (p) { return api.coord(p); }), smooth: 0.25 },
          style: { fill: "rgba(30,110,230,.10)", stroke: "rgba(63,213,255,.55)", lineWidth: 1.5, shadowBlur: 14, shadowColor: "rgba(63,213,255,.55)" }
        }];
        if (city) {
          // The name under the outline, clear of the schools.
          var low = a.ring.reduce(function (m, p) { return Math.min(m, p[1]); }, Infinity);
          var at = api.coord([a.c[0], low]);
          children.push({
            type: "text", x: at[0], y: at[1] + 6,
            style: { text: a.name, fill: "rgba(150,200,255,.6)", font: "bold " + Math.round(18 * scale) + "px " + FONT, align: "center", verticalAlign: "top" }
          });
        }
        return { type: "group", children: children };
      }
    });
    var axis = function (min, max) {
      return {
        type: "value", min: min, max: max, scale: true, splitNumber: 8,
        axisLine: { show: false }, axisTick: { show: false }, axisLabel: { show: false },
        splitLine: { lineStyle: { color: "rgba(64,150,255,.08)" } }
      };
    };
    c.setOption({
      backgroundColor: "transparent",
      textStyle: { fontFamily: FONT },
      title: { text: "" },
      grid: { left: 6, right: 6, top: 6, bottom: 30 },
      xAxis: axis(e.x0, e.x1),
      yAxis: axis(e.y0, e.y1),
      legend: {
        bottom: 0, left: "center", itemGap: 22, icon: "circle",
        data: LEVELS.map(function (lv, i) { return series[i].name; }),
        textStyle: { color: "#c9dbf5", fontSize: 13 * Math.max(scale, 0.95), fontFamily: FONT }
      },
      tooltip: {
        trigger: "item", confine: true, formatter: schoolTip,
        backgroundColor: "rgba(4,18,40,.94)", borderColor: "#2f7fe0", textStyle: { color: "#e3eeff" }
      },
      series: series
    }, { replaceMerge: ["series"] });
  }

  // ---- The ranking.
  function renderRanking() {
    var list = $("screen-ranking");
    list.textContent = "";
    var city = state.data && state.data.districts.length > 1;
    var red = redSchools();
    state.index.slice(0, 10).forEach(function (s, i) {
      var lv = red[s.school_id] ? "red" : s.level;
      var li = el("li", "sc-r");
      li.appendChild(el("span", "sc-r-no", String(i + 1)));
      // The school's name opens its risk index, part by part.
      var name = el("a", "sc-r-name", s.school_name);
      name.href = "/risk-index?org_id=" + encodeURIComponent(s.school_id);
      if (city && state.districtOf[s.school_id]) { name.appendChild(el("small", null, state.districtOf[s.school_id])); }
      li.title = s.school_name;
      li.appendChild(name);
      var bar = el("span", "sc-r-bar g-" + lv);
      var fill = el("span");
      fill.style.width = Math.max(2, s.index) + "%";
      bar.appendChild(fill);
      li.appendChild(bar);
      li.appendChild(el("span", "sc-r-val g-" + lv, String(s.index)));
      list.appendChild(li);
    });
    // As many as fit: a row cut in half is dropped.
    var bottom = list.getBoundingClientRect().bottom + 1;
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (li.getBoundingClientRect().bottom > bottom) { list.removeChild(li); }
    });
  }

  // ---- The trend.
  function trendTip(ps) {
    var out = ['<div class="sc-tip"><b>' + esc(ps[0].axisValue) + "</b>"];
    ps.forEach(function (p) {
      out.push('<div class="sc-tip-row"><span><i class="sc-dot ' + (p.seriesIndex === 0 ? "d-w" : "d-h") + '"></i>' +
        esc(p.seriesName) + "</span><span>" + p.value + "</span></div>");
    });
    out.push("</div>");
    return out.join("");
  }

  function renderTrend() {
    var c = chart("screen-trend");
    if (!c || !state.data) { return; }
    var t = state.data.trend;
    var low = $("screen-trend").clientHeight < 190;
    var gradient = function (rgb) {
      return new window.echarts.graphic.LinearGradient(0, 0, 0, 1, [
        { offset: 0, color: "rgba(" + rgb + ",.38)" }, { offset: 1, color: "rgba(" + rgb + ",0)" }
      ]);
    };
    c.setOption({
      backgroundColor: "transparent",
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 16, top: low ? 24 : 34, bottom: 2, containLabel: true },
      legend: { top: 0, right: 8, icon: "roundRect", itemHeight: 10, textStyle: { color: "#c9dbf5", fontSize: 13, fontFamily: FONT } },
      tooltip: {
        trigger: "axis", confine: true, formatter: trendTip,
        backgroundColor: "rgba(4,18,40,.94)", borderColor: "#2f7fe0", textStyle: { color: "#e3eeff" }
      },
      xAxis: {
        type: "category", boundaryGap: false, data: t.map(function (d) { return d.day.slice(5); }),
        axisLine: { lineStyle: { color: "rgba(120,170,240,.45)" } }, axisTick: { show: false },
        axisLabel: { color: "#8aa6cc", fontSize: 12, hideOverlap: true }
      },
      yAxis: {
        type: "value", minInterval: 1, splitNumber: low ? 2 : 4,
        axisLabel: { color: "#8aa6cc", fontSize: 12 },
        splitLine: { lineStyle: { color: "rgba(64,150,255,.12)", type: "dashed" } }
      },
      series: [
        {
          type: "line", name: T.warnings, smooth: true, symbol: "circle", symbolSize: 5, showSymbol: false,
          data: t.map(function (d) { return d.warnings; }),
          lineStyle: { width: 2.5, color: "#ff5d6c" }, itemStyle: { color: "#ff5d6c" }, areaStyle: { color: gradient("255,93,108") }
        },
        {
          type: "line", name: T.hazards, smooth: true, symbol: "circle", symbolSize: 5, showSymbol: false,
          data: t.map(function (d) { return d.hazards; }),
          lineStyle: { width: 2.5, color: "#3fd5ff" }, itemStyle: { color: "#3fd5ff" }, areaStyle: { color: gradient("63,213,255") }
        }
      ]
    });
  }

  // ---- Loading and reconciling with the server.
  function loadWarnings() {
    var gen = state.gen;
    return get("/api/v1/warnings?open=true&per_page=200").then(function (list) {
      // A stream event arrived meanwhile: this answer may be older than what is shown.
      if (gen !== state.gen) { later("warnings", 800); return; }
      state.open = {};
      list.items.forEach(function (w) { if (OPEN[w.status]) { state.open[w.id] = w; } });
      LEVELS.forEach(function (l) { state.counts[l] = (list.open_by_level || {})[l] || 0; });
      renderCounts();
      renderList();
    });
  }
  function loadIndex() {
    return get("/api/v1/risk-index").then(function (r) {
      state.index = r.items || [];
      renderMap();
      renderRanking();
    });
  }
  function loadData() {
    return get("/api/v1/screen").then(function (d) {
      state.data = d;
      renderData();
      renderMap();
      renderRanking();
    });
  }
  var loaders = { warnings: loadWarnings, index: loadIndex, data: loadData };
  var timers = {};
  function later(what, ms) {
    clearTimeout(timers[what]);
    timers[what] = setTimeout(function () {
      loaders[what]().then(function () { failed(false); }, function () { failed(true); later(what, 15000); });
    }, ms);
  }
  function loadAll() {
    return Promise.all([loadData(), loadIndex(), loadWarnings()]).then(
      function () { failed(false); },
      function () { failed(true); }
    );
  }

  // ---- The live stream.
  function onWarning(w) {
    state.gen += 1;
    var known = state.open[w.id];
    if (OPEN[w.status]) {
      if (!known) {
        state.counts[w.level] = (state.counts[w.level] || 0) + 1;
        state.fresh[w.id] = Date.now() + 4000;
      } else if (known.level !== w.level) {
        state.counts[known.level] -= 1;
        state.counts[w.level] = (state.counts[w.level] || 0) + 1;
      }
      state.open[w.id] = w;
    } else if (known) {
      state.counts[known.level] -= 1;
      delete state.open[w.id];
    }
    renderCounts();
    renderList();
    renderMap();
    renderRanking();
    // Then agree with the server: the list and counts, the index, the figures.
    later("warnings", 1500);
    later("index", 2500);
    later("data", 4000);
  }

  function follow() {
    if (!window.EventSource) { return; }
    var live = $("screen-live");
    var opened = false;
    var stream = new EventSource("/api/v1/warnings/stream");
    stream.addEventListener("open", function (e) {
      if (!(e instanceof MessageEvent)) { return; }
      live.hidden = false;
      live.textContent = T.live;
      live.classList.remove("sc-off");
      // After a reconnection: what changed while away.
      if (opened && state.ready) { loadAll(); }
      opened = true;
    });
    stream.addEventListener("error", function () {
      live.textContent = T.offline_stream;
      live.classList.add("sc-off");
    });
    stream.addEventListener("warning", function (e) {
      var w;
      try { w = JSON.parse(e.data); } catch (x) { return; }
      if (state.ready) { onWarning(w); } else { state.queued.push(w); }
    });
  }

  // A panel that changes size (the window, the layout) redraws what is in it.
  var resizing;
  function resized() {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
      renderMap();
      renderTrend();
      renderRanking();
    }, 120);
  }
  if (window.ResizeObserver) {
    var watch = new ResizeObserver(resized);
    ["screen-map", "screen-trend", "screen-ranking"].forEach(function (id) { watch.observe($(id)); });
  } else {
    window.addEventListener("resize", resized);
  }

  tick();
  setInterval(tick, 1000);
  follow();
  loadAll().then(function () {
    state.ready = true;
    state.queued.splice(0).forEach(onWarning);
    root.setAttribute("data-ready", "");
  });
  // The figures that change without a warning (hazards, inspections) every minute.
  setInterval(function () { later("data", 0); later("index", 0); }, 60000);
  // Fresh rows stop flashing.
  setInterval(function () {
    var now = Date.now();
    Object.keys(state.fresh).forEach(function (id) {
      if (state.fresh[id] <= now) {
        delete state.fresh[id];
        var row = $("sw-" + id);
        if (row) { row.classList.remove("fresh"); }
      }
    });
  }, 1000);
})();
