// Kemitraan: evaluation trend charts. Data comes from a json_script element (no inline script).
(function () {
  "use strict";

  function readData(id) {
    const element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  // On a phone the charts keep their box's height (app.css .chart-box) and the legend goes below,
  // in a smaller type, one line per series when needed; the x labels stay level.
  function baseOptions(scales) {
    const narrow = window.matchMedia("(max-width: 576px)").matches;
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: Object.assign({ x: { ticks: { maxRotation: 0, autoSkip: true } } }, scales),
      plugins: {
        legend: {
          position: "bottom",
          labels: { boxWidth: narrow ? 12 : 24, boxHeight: narrow ? 12 : 12, font: { size: narrow ? 11 : 12 } },
        },
      },
    };
  }

  // Colour-blind-friendly palette (Okabe-Ito), one colour per principle.
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];

  function healthChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: canvas.dataset.labelHealth,
            data: data.health,
            borderColor: "#0a58ca",
            backgroundColor: "#0a58ca",
            tension: 0,
            spanGaps: true,
          },
          {
            label: canvas.dataset.labelResponse,
            data: data.response,
            borderColor: "#6c757d",
            backgroundColor: "#6c757d",
            borderDash: [6, 4],
            tension: 0,
            spanGaps: true,
          },
        ],
      },
      options: baseOptions({ y: { min: 0, max: 100 } }),
    });
  }

  function principlesChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.principles.map(function (principle, index) {
          return {
            label: principle.label,
            data: principle.averages,
            borderColor: COLOURS[index % COLOURS.length],
            backgroundColor: COLOURS[index % COLOURS.length],
            tension: 0,
            spanGaps: true,
          };
        }),
      },
      options: baseOptions({ y: { min: 1, max: 5, ticks: { stepSize: 1 } } }),
    });
  }

  function init() {
    const data = readData("evaluation-trend");
    if (!data || typeof window.Chart === "undefined") {
      return;
    }
    const health = document.getElementById("trend-health");
    if (health) {
      healthChart(health, data);
    }
    const principles = document.getElementById("trend-principles");
    if (principles) {
      principlesChart(principles, data);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
