/* fieldnote analytics pages: the funnel builder's step rows (add, remove, reorder) and
   line charts drawn from JSON embedded in the page (no inline script: the
   Content-Security-Policy forbids it). Plotly is served from the plotly wheel. */
(function () {
  "use strict";

  var INK = "#1d2a33";
  var GRID = "#e6e9ec";
  var COLORS = ["#0e7c6b", "#3867d6", "#c2410c", "#7c3aed", "#0891b2", "#be123c"];

  function renumber(list) {
    list.querySelectorAll(".step-row").forEach(function (row, i) {
      var k = i + 1;
      var inputs = row.querySelectorAll("input");
      var labels = row.querySelectorAll("label");
      var names = ["event", "where"];
      var texts = ["Step " + k + " event", "Step " + k + " only where"];
      inputs.forEach(function (input, j) {
        input.id = names[j] + "-" + k;
        if (labels[j]) { labels[j].setAttribute("for", input.id); labels[j].textContent = texts[j]; }
      });
      var verbs = { up: "Move step " + k + " up", down: "Move step " + k + " down", remove: "Remove step " + k };
      row.querySelectorAll("[data-step-action]").forEach(function (b) {
        b.setAttribute("aria-label", verbs[b.getAttribute("data-step-action")]);
      });
    });
  }

  function setupBuilder() {
    var list = document.getElementById("step-rows");
    var template = document.getElementById("step-row-template");
    if (!list || !template) { return; }
    document.addEventListener("click", function (ev) {
      var button = ev.target.closest("[data-step-action]");
      if (!button) { return; }
      var action = button.getAttribute("data-step-action");
      var row = button.closest(".step-row");
      if (action === "add") {
        list.appendChild(template.content.cloneNode(true));
        renumber(list);
        list.lastElementChild.querySelector("input").focus();
        return;
      }
      if (!row) { return; }
      if (action === "remove") {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber(list);
        var focus = next ? next.querySelector("input") : document.getElementById("add-step");
        if (focus) { focus.focus(); }
      } else if (action === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
        renumber(list);
        button.focus();
      } else if (action === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
        renumber(list);
        button.focus();
      }
    });
  }

  function mixed(data) {
    return data.kind !== "rate" && data.series.some(function (s) { return s.rate; });
  }

  function lineTraces(data) {
    var traces = [];
    var twoAxes = mixed(data);
    data.series.forEach(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var axis = twoAxes && s.rate ? "y2" : "y";
      var fmt = (s.rate || data.kind === "rate") ? ":.1%" : ":,";
      var hasBand = s.low && s.low.some(function (v) { return v !== null; });
      if (hasBand) {
        traces.push({ x: data.x, y: s.high, yaxis: axis, type: "scatter", mode: "lines", line: { width: 0 },
          hoverinfo: "skip", showlegend: false });
        traces.push({ x: data.x, y: s.low, yaxis: axis, type: "scatter", mode: "lines", line: { width: 0 },
          fill: "tonexty", fillcolor: "rgba(14, 124, 107, 0.14)", hoverinfo: "skip",
          name: s.name + " 95% CI", showlegend: false });
      }
      traces.push({ x: data.x, y: s.y, yaxis: axis, type: "scatter", mode: "lines+markers", name: s.name,
        line: { color: color, width: 2, dash: axis === "y2" ? "dot" : "solid" }, marker: { size: 5 },
        hovertemplate: "%{x}<br><b>%{y" + fmt + "}</b><extra>" + s.name + "</extra>" });
    });
    return traces;
  }

  function drawLines(el, data) {
    var layout = {
      margin: { l: 56, r: 16, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: INK },
      xaxis: { showgrid: false, linecolor: GRID },
      yaxis: { gridcolor: GRID, zeroline: false, rangemode: "tozero",
        tickformat: data.kind === "rate" ? ".0%" : "~s" },
      yaxis2: { overlaying: "y", side: "right", tickformat: ".0%", rangemode: "tozero", showgrid: false },
      showlegend: data.series.length > 1,
      legend: { orientation: "h" }
    };
    window.Plotly.newPlot(el, lineTraces(data), layout, { displayModeBar: false, responsive: true });
  }

  function drawCharts() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-analytics-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-analytics-chart"));
      if (!source) { return; }
      drawLines(el, JSON.parse(source.textContent));
      el.setAttribute("data-rendered", "true");
    });
  }

  function start() { setupBuilder(); drawCharts(); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
