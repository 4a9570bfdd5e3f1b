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
            borderColor: "#0d6efd",
            backgroundColor: "#0d6efd",
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
      options: {
        animation: false,
        responsive: true,
        scales: { y: { min: 0, max: 100 } },
        plugins: { legend: { position: "bottom" } },
      },
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
      options: {
        animation: false,
        responsive: true,
        scales: { y: { min: 1, max: 5, ticks: { stepSize: 1 } } },
        plugins: { legend: { position: "bottom" } },
      },
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
