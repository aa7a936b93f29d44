/* The affinity map (templates/affinity.html): drag a card to another theme, or use its
   "Move to" list and button (the keyboard way); merge, split and rename from a column's
   header. Every change is one JSON POST to /api/projects/P/books/B/<action> with the
   session's CSRF token; the page then reloads with ?done=<change>&ids (the server words
   the status line), so what is shown is always what the server stored. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  var root = document.getElementById("affinity");
  if (!root) { return; }
  var api = root.getAttribute("data-api");
  var csrf = root.getAttribute("data-csrf");
  var href = root.getAttribute("data-href");
  var errorBox = document.getElementById("affinity-error");
  var dragged = null;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function post(action, body, done) {
    fetch(api + "/" + action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        showError(result.data.error || "The change was refused.");
        return;
      }
      var params = done(result.data);
      window.location.assign(href + "?" + new URLSearchParams(params).toString());
    }).catch(function (err) {
      showError("Could not reach the server: " + err);
    });
  }

  function move(note, theme) {
    post("move", { notes: [note], theme: theme === "" || theme === "-" ? null : theme }, function () {
      return { done: "move", n: "1" };
    });
  }

  root.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".affinity-card") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.setData("text/plain", card.getAttribute("data-note"));
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  root.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    root.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  root.querySelectorAll(".affinity-column").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      var note = event.dataTransfer.getData("text/plain") || (dragged && dragged.getAttribute("data-note"));
      if (!note) { return; }
      var from = dragged ? dragged.closest(".affinity-column") : null;
      if (from === column) { return; }
      move(note, column.getAttribute("data-theme"));
    });
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".affinity-move") : null;
    if (!button) { return; }
    var card = button.closest(".affinity-card");
    var select = card.querySelector(".affinity-to");
    if (!select.value) {
      showError("Choose where to move the note first.");
      select.focus();
      return;
    }
    move(card.getAttribute("data-note"), select.value);
  });

  root.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest(".affinity-form") : null;
    if (!form) { return; }
    event.preventDefault();
    var theme = form.getAttribute("data-theme");
    var action = form.getAttribute("data-action");
    if (action === "rename") {
      post("rename", { theme: theme, label: form.elements.label.value }, function () {
        return { done: "rename", theme: theme };
      });
    } else if (action === "merge") {
      var into = form.elements.into.value;
      if (!into) {
        showError("Choose the theme to merge " + theme + " into first.");
        form.elements.into.focus();
        return;
      }
      post("merge", { into: into, other: theme }, function () {
        return { done: "merge", theme: theme, into: into };
      });
    } else if (action === "split") {
      var column = form.closest(".affinity-column");
      var picked = Array.prototype.map.call(
        column.querySelectorAll(".affinity-pick:checked"), function (box) { return box.value; });
      if (!picked.length) {
        showError("Select the cards to split off first (their “select” boxes).");
        return;
      }
      post("split", { theme: theme, notes: picked, label: form.elements.label.value }, function (data) {
        return { done: "split", theme: data.result, n: String(picked.length) };
      });
    }
  });
}());
