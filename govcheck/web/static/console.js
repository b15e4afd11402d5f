/* govcheck console: the only script the console runs (besides the vendored ECharts).
   Everything works without it except the charts; it adds "select all" boxes and draws the charts
   from the JSON block the server put in the page. Archived pages never get here: they are served
   from /replay/ with a CSP that forbids all script. */
(function () {
  "use strict";

  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-select-all");
        var form = box.form || document;
        form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
          b.checked = box.checked;
        });
      });
    });
  }

  var FONT = {fontFamily: "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"};

  function chartOption(kind, d) {
    if (kind === "distribution") {
      return {textStyle: FONT, tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, bottom: 70, top: 20},
        xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0, rotate: 30}},
        yAxis: {type: "value", minInterval: 1, name: "网站数"},
        series: [{type: "bar", data: d.values, itemStyle: {color: "#1c7ed6"}, label: {show: true, position: "top"}}]};
    }
    if (kind === "reasons") {
      return {textStyle: FONT, tooltip: {trigger: "axis"}, grid: {left: 220, right: 30, bottom: 20, top: 10},
        xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: d.labels.slice().reverse(),
          axisLabel: {width: 210, overflow: "truncate"}},
        series: [{type: "bar", data: d.values.slice().reverse(), itemStyle: {color: "#e8590c"},
          label: {show: true, position: "right"}}]};
    }
    if (kind === "trend") {
      var series = [
        {name: "合格率（%）", type: "line", data: d.pass_rate, yAxisIndex: 0},
        {name: "平均分", type: "line", data: d.mean, yAxisIndex: 1}];
      if (d.unit) { series.push({name: d.unit + " 得分", type: "line", data: d.unit_scores, yAxisIndex: 1}); }
      return {textStyle: FONT, tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 50, bottom: 50, top: 40},
        xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0}},
        yAxis: [{type: "value", name: "合格率", max: 100}, {type: "value", name: "得分", max: 100}], series: series};
    }
    return null;
  }

  function charts() {
    var block = document.getElementById("chart-data");
    if (!block || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var opt = data[kind] && chartOption(kind, data[kind]);
      if (!opt) { return; }
      var chart = window.echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(opt);
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    charts();
  });
})();
