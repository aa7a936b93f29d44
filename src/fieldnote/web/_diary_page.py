"""The participant's diary entry page (the link in a prompt email): the prompt, a box
for the entry, and a way to stop the diary. Same look as the chat page (``STYLE``),
self-contained, mobile-first; the prompt is announced by a live region. An entry
whose reply was lost is sent again; the server stores it once."""

from __future__ import annotations

from fieldnote.web._interview_page import STYLE

__all__ = ["DIARY_PAGE"]

DIARY_PAGE = (
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Diary entry</title>
<style>
"""
    + STYLE
    + """  #entry { flex-direction: column; }
  #entry textarea { min-height: 9rem; }
  #stop-area { margin-top: 2rem; border-top: 1px solid #d5d9de; padding-top: 1rem; }
</style>
</head>
<body>
<main>
  <h1 id="title">Diary</h1>
  <p id="progress"></p>
  <ol id="log" aria-live="polite" aria-label="Diary prompt and your entry"></ol>
  <form id="entry" hidden>
    <label for="text">Your entry</label>
    <textarea id="text" name="text" required maxlength="5000"></textarea>
    <button type="submit">Save my entry</button>
  </form>
  <p id="status" role="status"></p>
  <section id="stop-area" hidden>
    <button id="stop" type="button" class="secondary">Stop my diary</button>
    <p id="stop-confirm" hidden>No more prompts will be sent and nothing more is recorded.
      <button id="stop-yes" type="button">Yes, stop</button></p>
  </section>
</main>
<script>
(() => {
  const token = location.pathname.split("/").pop();
  const api = "/api/d/" + token;
  const $ = (id) => document.getElementById(id);
  let pending = null;
  const messages = {
    answered: "Thank you, your entry is saved.",
    closed: "This prompt has closed. Thank you; the next one comes by email.",
    withdrawn: "You stopped this diary. Nothing more is recorded.",
  };

  function bubble(role, text) {
    const li = document.createElement("li");
    li.className = role;
    li.textContent = text;
    return li;
  }

  function render(view) {
    $("title").textContent = view.diary;
    $("progress").textContent = "Entry " + view.number + " of " + view.total;
    const items = [bubble("interviewer", view.prompt)];
    if (view.text) items.push(bubble("participant", view.text));
    $("log").replaceChildren(...items);
    $("entry").hidden = view.status !== "open";
    $("stop-area").hidden = view.status === "withdrawn";
    $("status").textContent = messages[view.status] || "";
  }

  async function call(path, body) {
    const r = await fetch(api + path, body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const data = await r.json();
    if (!r.ok) { const e = new Error(data.error || r.statusText); e.final = r.status < 500; throw e; }
    return data;
  }

  async function send(text) {
    pending = {text};
    for (let attempt = 0; pending; attempt++) {
      try {
        render(await call("/entry", pending));
        pending = null;
      } catch (e) {
        if (e.final) { pending = null; $("status").textContent = e.message; break; }
        $("status").textContent = "Connection lost, retrying…";
        await new Promise((ok) => setTimeout(ok, Math.min(8000, 500 * 2 ** attempt)));
      }
    }
  }

  $("entry").onsubmit = (ev) => {
    ev.preventDefault();
    const text = $("text").value.trim();
    if (text && !pending) send(text);
  };
  $("stop").onclick = () => { $("stop-confirm").hidden = false; $("stop-yes").focus(); };
  $("stop-yes").onclick = async () => render(await call("/withdraw", {}));
  call("").then(render).catch((e) => { $("status").textContent = e.message; });
})();
</script>
</body>
</html>
"""
)
