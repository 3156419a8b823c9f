/* greenproof dashboard: draws the ECharts charts of a page from the JSON the server embeds in it.
   All numbers are aggregated server-side; this script only maps columns to chart options. */
(function () {
  "use strict";
  var dataNode = document.getElementById("chart-data");
  if (!dataNode || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = data.labels || {};
  var palette = ["#1a9850", "#3f6e8c", "#f4a53c", "#7b5ea7", "#a50f15", "#6b8e23", "#00897b", "#c2185b"];

  function empty(el) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = labels.empty || "—";
    el.replaceWith(p);
  }

  function axisBase(x) {
    return {
      color: palette, animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 48, top: 36, bottom: 56, containLabel: false },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      xAxis: { type: "category", data: x, axisLabel: { hideOverlap: true } }
    };
  }

  var builders = {
    share: function (d) {
      var option = axisBase(d.x);
      option.yAxis = [
        { type: "value", name: labels.percent, min: 0, max: 100 },
        { type: "value", name: labels.mwh, splitLine: { show: false } }
      ];
      option.series = [
        { name: labels.share, type: "line", data: d.share, showSymbol: false, sampling: "lttb", yAxisIndex: 0,
          lineStyle: { width: 2 }, z: 3 },
        { name: labels.consumption, type: "bar", data: d.consumption, yAxisIndex: 1, itemStyle: { color: "#b0bec5" },
          large: true },
        { name: labels.renewable, type: "bar", data: d.renewable, yAxisIndex: 1, itemStyle: { color: "#66bb6a" },
          barGap: "-100%", large: true }
      ];
      return option;
    },
    matching: function (d) {
      var option = axisBase(d.x);
      option.yAxis = { type: "value", name: labels.mwh };
      option.series = [
        { name: labels.matched, type: "bar", stack: "c", data: d.matched, itemStyle: { color: "#1a9850" }, large: true },
        { name: labels.unmatched, type: "bar", stack: "c", data: d.unmatched, itemStyle: { color: "#cfd8dc" }, large: true }
      ];
      return option;
    },
    sankey: function (d) {
      return {
        color: palette, animation: false,
        tooltip: { trigger: "item", valueFormatter: function (v) { return v.toFixed(3) + " MWh"; } },
        series: [{
          type: "sankey", data: d.nodes, links: d.links, emphasis: { focus: "adjacency" },
          nodeAlign: "left", layoutIterations: 32, left: 8, right: 210, top: 8, bottom: 8,
          lineStyle: { color: "gradient", opacity: 0.45 },
          label: { fontSize: 11, width: 200, overflow: "truncate" }
        }]
      };
    }
  };

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    var d = data[kind];
    var hasData = d && ((d.x && d.x.length) || (d.links && d.links.length));
    if (!hasData) { empty(el); return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(builders[kind](d));
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
