/* fieldnote pages: draws charts from JSON embedded in the page (no inline script, so
   the Content-Security-Policy can forbid it). Plotly is served from the plotly wheel. */
(function () {
  "use strict";

  var INK = "#1d2a33";
  var GRID = "#e6e9ec";
  var ACCENT = "#0e7c6b";

  function drawVolume(el, data) {
    var trace = {
      x: data.days,
      y: data.counts,
      type: "scatter",
      mode: "lines",
      fill: "tozeroy",
      line: { color: ACCENT, width: 2, shape: "spline", smoothing: 0.4 },
      fillcolor: "rgba(14, 124, 107, 0.12)",
      hovertemplate: "%{x|%a %b %d}<br><b>%{y:,}</b> events<extra></extra>"
    };
    var layout = {
      margin: { l: 56, r: 16, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: INK },
      xaxis: { type: "date", showgrid: false, linecolor: GRID, tickformat: "%b %d" },
      yaxis: { gridcolor: GRID, zeroline: false, rangemode: "tozero", tickformat: "~s" },
      hoverlabel: { bgcolor: "#ffffff", bordercolor: ACCENT, font: { color: INK } },
      showlegend: false
    };
    window.Plotly.newPlot(el, [trace], layout, { displayModeBar: false, responsive: true });
  }

  function drawCharts() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      drawVolume(el, JSON.parse(source.textContent));
      el.setAttribute("data-rendered", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
