/* fieldnote intercept widget: no dependencies, one global (FieldnoteIntercept).
 *
 * Embed:  <script src="https://FIELDNOTE/intercept.js" nonce="…"></script>
 *         <script nonce="…">FieldnoteIntercept.init({host: "https://FIELDNOTE",
 *           key: "WRITE_KEY", distinctId: "user-42"})</script>
 *
 * It asks the server whether this person has a pending invitation and, if so, shows it
 * in a shadow root with a constructed stylesheet: no inline <style>, no style
 * attributes, no eval, so a host with a strict nonce-based CSP needs nothing more than
 * connect-src to the fieldnote host. Its own interactions are captured as ordinary
 * events (survey shown / survey dismissed / survey sent, with $survey_id).
 */
(function () {
  "use strict";
  if (window.FieldnoteIntercept) return;

  var CSS =
    ":host{all:initial}" +
    ".fn-card{position:fixed;right:16px;bottom:16px;max-width:360px;z-index:2147483000;" +
    "background:#fff;color:#1b1f24;border:1px solid #8c959f;border-radius:8px;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.2);padding:16px;font:14px/1.45 system-ui,sans-serif}" +
    "h2{font-size:16px;margin:0 24px 8px 0}p{margin:0 0 8px}" +
    ".fn-meta{color:#424a53}" +
    "details{margin:0 0 8px}summary{cursor:pointer}" +
    "label{display:block;margin:4px 0}" +
    "textarea{width:100%;box-sizing:border-box;min-height:64px;font:inherit}" +
    ".fn-row{display:flex;gap:8px;margin-top:8px;flex-wrap:wrap}" +
    "button,a.fn-go{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #1f6feb;" +
    "background:#fff;color:#0b57d0;cursor:pointer;text-decoration:none}" +
    ".fn-primary{background:#0b57d0;color:#fff}" +
    ".fn-close{position:absolute;top:8px;right:8px;border:0;font-size:18px;padding:0 6px}" +
    "button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible," +
    "summary:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
    ".fn-error{color:#b42318}";

  var cfg = null;
  var root = null;

  function post(path, body) {
    return fetch(cfg.host + path, {
      method: "POST",
      mode: path === "/capture/" ? "no-cors" : "cors",
      keepalive: true,
      body: JSON.stringify(body)
    });
  }

  function capture(event, props) {
    props = props || {};
    props.$lib = "fieldnote-intercept";
    if (cfg.sessionId) props.$session_id = cfg.sessionId;
    return post("/capture/", {
      api_key: cfg.key,
      event: event,
      distinct_id: cfg.distinctId,
      properties: props,
      timestamp: new Date().toISOString()
    });
  }

  function respond(inv, action, extra) {
    var body = {token: cfg.key, distinct_id: cfg.distinctId, invitation_id: inv.id, action: action};
    for (var k in extra || {}) body[k] = extra[k];
    return post("/intercept/v1/respond", body).then(function (r) {
      if (!r.ok) throw new Error("fieldnote: " + action + " failed (" + r.status + ")");
      return r.json();
    });
  }

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (kid) { if (kid) node.appendChild(kid); });
    return node;
  }

  function close() {
    if (root) root.host.remove();
    root = null;
  }

  function card(inv, content) {
    var shadowHost = document.getElementById("fieldnote-intercept");
    if (!shadowHost) {
      shadowHost = el("div", {id: "fieldnote-intercept"});
      document.body.appendChild(shadowHost);
      root = shadowHost.attachShadow({mode: "open"});
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    }
    root.replaceChildren();
    var x = el("button", {"class": "fn-close", "aria-label": "Dismiss invitation", text: "\u00d7"});
    x.addEventListener("click", function () { dismiss(inv, "dismiss"); });
    var box = el("div", {
      "class": "fn-card", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "fn-title", "aria-describedby": "fn-why"
    }, [x].concat(content));
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); dismiss(inv, "dismiss"); }
    });
    root.appendChild(box);
    var first = box.querySelector(".fn-primary") || box.querySelector("button");
    if (first) first.focus();
    return box;
  }

  function dismiss(inv, action) {
    var survey = {$survey_id: inv.survey_id, $invitation_id: inv.id};
    if (action === "decline") survey.$survey_declined = true;
    capture("survey dismissed", survey);
    respond(inv, action).catch(function () {});
    close();
  }

  function offer(inv) {
    var o = inv.offer;
    var meta = "About " + o.minutes + " minutes" + (o.incentive ? " \u00b7 " + o.incentive : "");
    var kids = [
      el("h2", {id: "fn-title", text: o.title}),
      el("p", {id: "fn-why", text: o.why}),
      el("p", {"class": "fn-meta", text: meta})
    ];
    var boxes = {};
    if (inv.consent) {
      var t = inv.consent.text;
      var parts = [["data_use", "Use of my answers", t.data_use, true],
                   ["recording", "Recording", t.recording, false],
                   ["contact", "Contact me again", t.contact, false]];
      var list = parts.map(function (p) {
        boxes[p[0]] = el("input", {type: "checkbox", name: p[0]});
        if (p[3]) boxes[p[0]].setAttribute("required", "");
        return el("label", {}, [boxes[p[0]], document.createTextNode(" " + p[1] + ": " + p[2])]);
      });
      kids.push(el("details", {}, [
        el("summary", {text: "Consent (version " + inv.consent.version + ")"})
      ].concat(list)));
    }
    var err = el("p", {"class": "fn-error", role: "alert"});
    var yes = el("button", {"class": "fn-primary", text: "Yes, take part"});
    var no = el("button", {text: "No thanks"});
    kids.push(err, el("div", {"class": "fn-row"}, [yes, no]));
    no.addEventListener("click", function () { dismiss(inv, "decline"); });
    yes.addEventListener("click", function () {
      if (inv.consent && !boxes.data_use.checked) {
        err.textContent = "Please agree to the use of your answers to take part.";
        boxes.data_use.closest("details").open = true;
        boxes.data_use.focus();
        return;
      }
      respond(inv, "accept").then(function () {
        if (!inv.consent) return null;
        var chosen = {};
        for (var k in boxes) chosen[k] = boxes[k].checked;
        return respond(inv, "consent", {consent_text_id: inv.consent.id, parts: chosen});
      }).then(function () { next(inv); }).catch(function (e) { err.textContent = e.message; });
    });
    card(inv, kids);
  }

  function next(inv) {
    var o = inv.offer;
    if (o.questions && o.questions.length) {
      var fields = o.questions.map(function (q, i) {
        return el("label", {text: q}, [el("textarea", {name: "q" + i})]);
      });
      var err = el("p", {"class": "fn-error", role: "alert"});
      var send = el("button", {"class": "fn-primary", type: "submit", text: "Send"});
      var form = el("form", {}, fields.concat([err, el("div", {"class": "fn-row"}, [send])]));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var answers = fields.map(function (f) { return f.querySelector("textarea").value.trim(); });
        if (answers.some(function (a) { return !a; })) {
          err.textContent = "Please answer each question.";
          return;
        }
        var props = {$survey_id: inv.survey_id, $invitation_id: inv.id};
        answers.forEach(function (a, i) { props["$survey_response" + (i ? "_" + i : "")] = a; });
        respond(inv, "complete", {answers: answers}).then(function () {
          capture("survey sent", props);
          card(inv, [el("h2", {id: "fn-title", text: "Thank you!"}),
                     el("p", {id: "fn-why", text: "Your answers were sent."})]);
        }).catch(function (x) { err.textContent = x.message; });
      });
      card(inv, [el("h2", {id: "fn-title", text: o.title}), form]);
      root.querySelector("textarea").focus();
    } else {
      var go = el("a", {"class": "fn-go fn-primary", href: o.link, target: "_blank",
                        rel: "noopener", text: "Continue"});
      card(inv, [el("h2", {id: "fn-title", text: "Thank you!"}),
                 el("p", {id: "fn-why", text: "Continue to pick a time or start the conversation."}),
                 go]);
      go.focus();
    }
  }

  function init(options) {
    if (!options || !options.host || !options.key || !options.distinctId) {
      throw new Error("FieldnoteIntercept.init needs host, key and distinctId");
    }
    cfg = {host: String(options.host).replace(/\/$/, ""), key: options.key,
           distinctId: String(options.distinctId), sessionId: options.sessionId};
    return check();
  }

  function check() {
    var url = cfg.host + "/intercept/v1/pending?token=" + encodeURIComponent(cfg.key) +
      "&distinct_id=" + encodeURIComponent(cfg.distinctId);
    return fetch(url, {mode: "cors"}).then(function (r) { return r.json(); }).then(function (d) {
      var inv = d.invitation;
      if (!inv || root) return inv || null;
      offer(inv);
      capture("survey shown", {$survey_id: inv.survey_id, $invitation_id: inv.id});
      respond(inv, "seen").catch(function () {});
      return inv;
    });
  }

  window.FieldnoteIntercept = {init: init, check: check, capture: function (e, p) {
    return capture(e, p);
  }};
})();
