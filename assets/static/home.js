// SafeCampus: the home page's charts, drawn with the vendored Apache ECharts from the JSON
// the page carries in `data-charts` (every word from the catalogue). A bar of the overdue
// chart opens that school's overdue hazards. Charts follow the width of their box.
(function () {
  "use strict";
  var root = document.getElementById("home-charts");
  if (!root || !window.echarts || !window.JSON) { return; }
  var D = JSON.parse(root.getAttribute("data-charts") || "{}");
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var GRADE = ["#d92d20", "#f79009", "#fdd835", "#2e90fa"];
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { fontFamily: FONT };
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }
  function title(text) {
    return { text: text, left: 0, top: 0, textStyle: { fontSize: 14, fontWeight: 600 } };
  }
  var grid = { left: 8, right: 8, top: 56, bottom: 8, containLabel: true };
  var legend = { top: 24, left: 0, itemWidth: 12, itemHeight: 8 };

  if (D.weeks) {
    draw("chart-weeks", {
      title: title(D.weeks.title),
      tooltip: { trigger: "axis" },
      legend: legend,
      grid: grid,
      xAxis: { type: "category", data: D.weeks.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: D.weeks.opened_name, type: "bar", data: D.weeks.opened, itemStyle: { color: "#f79009" } },
        { name: D.weeks.closed_name, type: "bar", data: D.weeks.closed, itemStyle: { color: "#12b76a" } }
      ]
    });
  }
  if (D.halves) {
    var n = D.halves.names;
    draw("chart-halves", {
      title: title(D.halves.title),
      tooltip: { trigger: "axis" },
      legend: legend,
      grid: grid,
      xAxis: { type: "category", data: D.halves.labels, axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: n.on_time, type: "bar", stack: "s", data: D.halves.on_time, itemStyle: { color: "#12b76a" } },
        { name: n.late, type: "bar", stack: "s", data: D.halves.late, itemStyle: { color: "#f79009" } },
        { name: n.missing, type: "bar", stack: "s", data: D.halves.missing, itemStyle: { color: "#d92d20" } },
        { name: n.rate, type: "line", yAxisIndex: 1, data: D.halves.rate, itemStyle: { color: "#2e90fa" } }
      ]
    });
  }
  if (D.overdue && document.getElementById("chart-overdue")) {
    var labels = D.overdue.labels.slice().reverse();
    var values = D.overdue.values.slice().reverse();
    var links = D.overdue.links.slice().reverse();
    var c = draw("chart-overdue", {
      title: title(D.overdue.title),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, axisLabel: { width: 110, overflow: "truncate", fontSize: 11 } },
      series: [{ type: "bar", data: values, itemStyle: { color: "#d92d20" }, label: { show: true, position: "right" } }]
    });
    if (c) {
      c.on("click", function (p) {
        if (links[p.dataIndex]) { window.location.href = links[p.dataIndex]; }
      });
    }
  }
  if (D.kinds && document.getElementById("chart-kinds")) {
    var rows = D.kinds.rows;
    draw("chart-kinds", {
      title: title(D.kinds.title),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: legend,
      grid: grid,
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: D.kinds.grades.map(function (g, i) {
        return { name: g, type: "bar", stack: "g", data: rows.map(function (r) { return r.values[i]; }), itemStyle: { color: GRADE[i] } };
      })
    });
  }
  if (D.grades && document.getElementById("chart-grades")) {
    draw("chart-grades", {
      title: title(D.grades.title),
      tooltip: { trigger: "item" },
      legend: { bottom: 0, left: 0, itemWidth: 12, itemHeight: 8 },
      series: [{
        type: "pie", radius: ["35%", "62%"], center: ["50%", "52%"],
        data: D.grades.labels.map(function (l, i) { return { name: l, value: D.grades.values[i], itemStyle: { color: GRADE[i] } }; }),
        label: { formatter: "{b}\n{c}", fontSize: 11 }
      }]
    });
  }
  var timer = null;
  window.addEventListener("resize", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
  root.setAttribute("data-drawn", String(charts.length));
}());
