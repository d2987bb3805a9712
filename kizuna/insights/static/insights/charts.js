// Draws every chart whose data the page embeds as <script type="application/json" id="data-X">
// into the element with id X. Data: {id, kind: spark|line|bar|stack, x, series: [{name, y}]}.
(function () {
  "use strict";
  var COLORS = ["#c2410c", "#2563eb", "#16a34a", "#9333ea", "#ca8a04", "#0891b2", "#db2777"];

  function traces(chart) {
    return chart.series.map(function (series, index) {
      var trace = { x: chart.x, y: series.y, name: series.name, marker: { color: COLORS[index % COLORS.length] } };
      if (chart.kind === "bar" || chart.kind === "stack") {
        trace.type = "bar";
      } else {
        trace.type = "scatter";
        trace.mode = chart.kind === "spark" ? "lines" : "lines+markers";
        trace.line = { color: COLORS[index % COLORS.length], width: 2 };
        if (chart.kind === "spark") { trace.fill = "tozeroy"; trace.fillcolor = "rgba(194,65,12,0.12)"; }
      }
      return trace;
    });
  }

  function layout(chart) {
    var spark = chart.kind === "spark";
    return {
      barmode: chart.kind === "stack" ? "stack" : "group",
      height: spark ? 70 : 320,
      margin: spark ? { l: 0, r: 0, t: 4, b: 0 } : { l: 48, r: 16, t: 16, b: 48 },
      showlegend: !spark && chart.series.length > 1,
      legend: { orientation: "h" },
      xaxis: { visible: !spark, type: "category" },
      yaxis: { visible: !spark, rangemode: "tozero" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "inherit", size: 12 }
    };
  }

  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('script[type="application/json"][id^="data-"]').forEach(function (node) {
      var chart = JSON.parse(node.textContent);
      var target = document.getElementById(chart.id);
      if (target) {
        window.Plotly.newPlot(target, traces(chart), layout(chart), { displayModeBar: false, responsive: true, staticPlot: chart.kind === "spark" });
        target.classList.add("is-drawn");
      }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
