// Draws every chart whose data the page embeds as <script type="application/json" id="data-X">
// into the element with id X. Data: {id, kind, x, series: [{name, y}], unit, partial,
// partial_label, axes}. Kinds: spark, line, bar, stack, relative (stacked around zero),
// hbar (horizontal bars, x holds the categories), dual (two series, one y axis each).
// The period still in progress (`partial`) is drawn faded or hollow and labelled.
(function () {
  "use strict";
  var COLORS = ["#c2410c", "#2563eb", "#16a34a", "#9333ea", "#ca8a04", "#0891b2", "#db2777"];
  var PARTIAL_COLOR = "#9ca3af";

  function isBar(chart) {
    return ["bar", "stack", "relative", "hbar"].indexOf(chart.kind) >= 0;
  }

  function label(chart, value) {
    return value === chart.partial ? value + " (" + chart.partial_label + ")" : value;
  }

  // A line reaching the period in progress would read as a fall: it stops at the last
  // complete period, and a dotted segment leads to the hollow partial point.
  function partialSegment(chart, x, trace) {
    var at = chart.x.indexOf(chart.partial);
    if (at < 1 || trace.type !== "scatter") { return [trace]; }
    var segment = {
      type: "scatter", mode: "lines+markers", name: trace.name, showlegend: false,
      x: [x[at - 1], x[at]], y: [trace.y[at - 1], trace.y[at]], yaxis: trace.yaxis,
      line: { color: trace.line.color, width: 2, dash: "dot" },
      marker: { color: trace.line.color, size: [0, 8], symbol: "circle-open" },
      hovertemplate: trace.hovertemplate
    };
    trace.y = trace.y.map(function (value, index) { return index === at ? null : value; });
    return [trace, segment];
  }

  function traces(chart) {
    var x = chart.x.map(function (value) { return label(chart, value); });
    var drawn = chart.series.map(function (series, index) {
      var color = COLORS[index % COLORS.length];
      var partial = chart.x.map(function (value) { return value === chart.partial; });
      var trace = { x: x, y: series.y, name: series.name };
      if (chart.kind === "hbar") {
        trace = { x: series.y, y: x, name: series.name, type: "bar", orientation: "h", marker: { color: color } };
      } else if (isBar(chart)) {
        trace.type = "bar";
        trace.marker = {
          color: partial.map(function (p) { return p ? PARTIAL_COLOR : color; }),
          opacity: 0.95
        };
      } else {
        trace.type = "scatter";
        trace.mode = "lines+markers";
        trace.line = { color: color, width: 2 };
        trace.marker = {
          color: color,
          size: partial.map(function (p) { return p ? 8 : (chart.kind === "spark" ? 0 : 6); }),
          symbol: partial.map(function (p) { return p ? "circle-open" : "circle"; })
        };
        if (chart.kind === "spark") { trace.fill = "tozeroy"; trace.fillcolor = "rgba(194,65,12,0.12)"; }
        if (chart.kind === "dual" && index === 1) { trace.yaxis = "y2"; }
      }
      trace.hovertemplate = "%{" + (chart.kind === "hbar" ? "y" : "x") + "}: %{" + (chart.kind === "hbar" ? "x" : "y") + "}" + (chart.unit ? " " + chart.unit : "") + "<extra>" + series.name + "</extra>";
      return partialSegment(chart, x, trace);
    });
    return [].concat.apply([], drawn);
  }

  // Small counts get a tick per whole number: "0.5 件" of something counted makes no sense.
  function wholeSmallCounts(chart) {
    var values = [].concat.apply([], chart.series.map(function (series) { return series.y; }));
    var top = chart.kind === "stack" ? Math.max.apply(null, chart.x.map(function (_x, i) {
      return chart.series.reduce(function (sum, series) { return sum + (series.y[i] || 0); }, 0);
    })) : Math.max.apply(null, values);
    return values.every(function (v) { return v === null || Number.isInteger(v); }) && top < 5;
  }

  function layout(chart, width) {
    var spark = chart.kind === "spark";
    var value = { visible: !spark, rangemode: "tozero", ticksuffix: chart.unit && chart.unit !== "%" ? " " + chart.unit : chart.unit, automargin: true };
    var category = { visible: !spark, type: "category", automargin: true };
    // Plotly labels every category: a year of weeks gets fewer labels, fewer still on a phone.
    if (chart.kind !== "hbar" && chart.x.length > 24) { category.nticks = Math.max(4, Math.floor(width / 110)); }
    if (!spark && chart.kind !== "dual" && wholeSmallCounts(chart)) { value.dtick = 1; }
    var result = {
      barmode: chart.kind === "stack" ? "stack" : (chart.kind === "relative" ? "relative" : "group"),
      height: spark ? 70 : (chart.kind === "hbar" ? Math.max(160, 28 * chart.x.length + 60) : 320),
      margin: spark ? { l: 0, r: 0, t: 4, b: 0 } : { l: 48, r: 16, t: 36, b: 48 },
      showlegend: !spark && chart.series.length > 1,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      xaxis: chart.kind === "hbar" ? value : category,
      yaxis: chart.kind === "hbar" ? category : value,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "inherit", size: 12 }
    };
    if (chart.kind === "relative") { result.yaxis.rangemode = "normal"; }
    if (chart.kind === "hbar") { result.xaxis.tickformat = ",d"; result.margin.t = 8; }
    if (chart.kind === "dual") {
      result.yaxis = { title: { text: chart.axes[0] }, range: [-100, 100], zeroline: true, automargin: true };
      result.yaxis2 = { title: { text: chart.axes[1] }, range: [1, 7], overlaying: "y", side: "right", showgrid: false, automargin: true };
      result.margin.r = 56;
    }
    return result;
  }

  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('script[type="application/json"][id^="data-"]').forEach(function (node) {
      var chart = JSON.parse(node.textContent);
      var target = document.getElementById(chart.id);
      if (target) {
        window.Plotly.newPlot(target, traces(chart), layout(chart, target.clientWidth), { displayModeBar: false, responsive: true, staticPlot: chart.kind === "spark" });
        target.classList.add("is-drawn");
        if (chart.partial) { target.setAttribute("data-partial", chart.partial); }
      }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
