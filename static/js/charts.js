// Kemitraan coordinator pages: progress bars and the indicator chart.
// No inline script or style is allowed (Content-Security-Policy), so widths are set here
// through the CSSOM, and chart data arrives in a <script type="application/json"> block
// written by Django's json_script filter.
(function () {
  "use strict";

  function setProgressWidths(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (isNaN(value)) { value = 0; }
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  var PALETTE = ["#0d6efd", "#d63384", "#fd7e14", "#20c997", "#6f42c1", "#0dcaf0", "#ffc107", "#6610f2"];

  function formatNumber(value) {
    var lang = document.documentElement.lang || undefined;
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 2 });
  }

  function drawIndicatorChart() {
    var canvas = document.getElementById("indicator-chart");
    var source = document.getElementById("indicator-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var narrow = window.matchMedia("(max-width: 576px)").matches;
    var constant = function (value) { return data.labels.map(function () { return value; }); };
    var datasets = data.series.map(function (series, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
        tension: 0.2,
        pointRadius: 4,
      };
    });
    datasets.push({
      label: data.text.baseline + " (" + formatNumber(data.baseline) + ")",
      data: constant(data.baseline),
      borderColor: "#6c757d",
      backgroundColor: "#6c757d",
      borderDash: [6, 4],
      pointRadius: 0,
    });
    datasets.push({
      label: data.text.target + " (" + formatNumber(data.target) + ")",
      data: constant(data.target),
      borderColor: "#198754",
      backgroundColor: "#198754",
      borderDash: [2, 3],
      borderWidth: 3,
      pointRadius: 0,
    });
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: data.text.period }, ticks: { maxRotation: narrow ? 60 : 0, autoSkip: true } },
          y: {
            title: { display: true, text: data.unit },
            ticks: { callback: function (value) { return formatNumber(value); } },
          },
        },
        plugins: {
          // Below the chart, smaller on a phone so that every series still fits.
          legend: { position: "bottom", labels: narrow ? { boxWidth: 12, font: { size: 11 } } : {} },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + formatNumber(item.parsed.y) + " " + data.unit;
              },
            },
          },
        },
      },
    });
  }

  function init() {
    setProgressWidths(document);
    drawIndicatorChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // Progress bars inside content swapped in by htmx.
  document.addEventListener("htmx:afterSwap", function (event) { setProgressWidths(event.target); });
}());
