"""The participant's chat page: consent first, one question at a time, mobile-first,
screen-reader friendly (a live region announces each question). Self-contained (no
external assets). It asks the server for the whole conversation on load, so reopening
the link after a dropped connection continues where it stopped; an answer that got no
reply is re-sent with the same sequence number, which the server answers only once."""

from __future__ import annotations

__all__ = ["PAGE", "STYLE"]

#: The participant pages' look (chat and diary entry): mobile-first, system fonts.
STYLE = """  body { font: 17px/1.45 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; }
  main { max-width: 40rem; margin: 0 auto; padding: 1rem; min-height: 100vh; display: flex; flex-direction: column; }
  h1 { font-size: 1.25rem; }
  #log { flex: 1; list-style: none; padding: 0; margin: 0 0 1rem; }
  #log li { margin: .5rem 0; padding: .6rem .8rem; border-radius: .8rem; max-width: 85%; }
  #log li.interviewer { background: #fff; border: 1px solid #d5d9de; }
  #log li.participant { background: #1d5fd1; color: #fff; margin-left: auto; }
  form { display: flex; gap: .5rem; }
  textarea { flex: 1; font: inherit; padding: .6rem; border-radius: .5rem; border: 1px solid #8a939e; min-height: 3rem; }
  button { font: inherit; padding: .6rem 1rem; border-radius: .5rem; border: 0; background: #1d5fd1; color: #fff; }
  button.secondary { background: #5b6570; }
  #status { min-height: 1.5rem; color: #8b1c1c; }
  [hidden] { display: none !important; }
"""

PAGE = (
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Research interview</title>
<style>
"""
    + STYLE
    + """</style>
</head>
<body>
<main>
  <h1>Research interview</h1>
  <section id="consent" hidden aria-labelledby="consent-title">
    <h2 id="consent-title">Before we start</h2>
    <p id="consent-text"></p>
    <button id="agree" type="button">I agree, start</button>
    <button id="decline" type="button" class="secondary">No, thanks</button>
  </section>
  <ol id="log" aria-live="polite" aria-label="Conversation"></ol>
  <form id="reply" hidden>
    <label for="answer" class="visually-hidden" hidden>Your answer</label>
    <textarea id="answer" name="answer" aria-label="Your answer" required maxlength="5000"></textarea>
    <button type="submit">Send</button>
  </form>
  <p id="status" role="status"></p>
</main>
<script>
(() => {
  const token = location.pathname.split("/").pop();
  const api = "/api/i/" + token;
  const $ = (id) => document.getElementById(id);
  let answers = 0, pending = null;

  function render(view) {
    answers = view.answers;
    $("consent-text").textContent = view.consent;
    $("consent").hidden = view.status !== "invited";
    $("reply").hidden = view.status !== "consented" || view.done;
    const log = $("log");
    log.replaceChildren(...view.turns.map((t) => {
      const li = document.createElement("li");
      li.className = t.role;
      li.textContent = t.text;
      return li;
    }));
    if (view.status === "declined") $("status").textContent = "Thank you. Nothing was recorded.";
    else if (view.done) $("status").textContent = "Thank you, the interview is complete.";
    else $("status").textContent = "";
    window.scrollTo(0, document.body.scrollHeight);
  }

  async function call(path, body) {
    const r = await fetch(api + path, body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (!r.ok) throw new Error((await r.json()).error || r.statusText);
    return r.json();
  }

  async function send(text) {
    pending = {text, seq: answers};
    for (let attempt = 0; pending; attempt++) {
      try {
        render(await call("/answer", pending));
        pending = null;
        $("answer").value = "";
      } catch (e) {
        $("status").textContent = "Connection lost, retrying…";
        await new Promise((ok) => setTimeout(ok, Math.min(8000, 500 * 2 ** attempt)));
      }
    }
  }

  $("agree").onclick = async () => render(await call("/consent", {agree: true}));
  $("decline").onclick = async () => render(await call("/consent", {agree: false}));
  $("reply").onsubmit = (ev) => {
    ev.preventDefault();
    const text = $("answer").value.trim();
    if (text && !pending) send(text);
  };
  call("").then(render).catch((e) => { $("status").textContent = e.message; });
})();
</script>
</body>
</html>
"""
)
