// Cap Num web chat: talks to /webhooks/webchat/webhook, keeps the conversation in
// localStorage so that a reload shows it again. Bot text is rendered as text only.
(function () {
  "use strict";
  var ENDPOINT = "webhook";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var statusEl = document.getElementById("status");
  var store = window.localStorage;

  function newSender() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var sender = store.getItem("capnum.sender") || newSender();
  store.setItem("capnum.sender", sender);
  var history = JSON.parse(store.getItem("capnum.history") || "[]");

  function save() { store.setItem("capnum.history", JSON.stringify(history.slice(-200))); }

  // Text with **bold** only; everything else stays plain text.
  function richText(el, text) {
    text.split(/(\*\*[^*]+\*\*)/).forEach(function (part) {
      if (/^\*\*[^*]+\*\*$/.test(part)) {
        var b = document.createElement("strong");
        b.textContent = part.slice(2, -2);
        el.appendChild(b);
      } else {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  function safeLink(url) {
    try { var u = new URL(url); return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null; }
    catch (e) { return null; }
  }

  function renderCards(item, li) {
    (item.custom.formations || []).forEach(function (f) {
      var card = document.createElement("article");
      card.className = "card";
      var h = document.createElement("h2");
      h.textContent = f.intitule + (f.organisme ? " – " + f.organisme : "");
      card.appendChild(h);
      var meta = document.createElement("p");
      meta.className = "meta";
      var km = f.distance_km == null ? "" : (f.distance_km < 1 ? " · dans ta ville" : " · " + Math.round(f.distance_km) + " km");
      var lieu = f.a_distance && !f.commune ? "à distance" : (f.commune || "") + km;
      meta.textContent = lieu + (f.duree ? " · " + f.duree : "") + " · données " + f.date_donnees;
      card.appendChild(meta);
      var ul = document.createElement("ul");
      (f.raisons || []).forEach(function (r) { var x = document.createElement("li"); x.textContent = r; ul.appendChild(x); });
      card.appendChild(ul);
      var link = f.site && safeLink(f.site);
      if (link) {
        var a = document.createElement("a");
        a.href = link; a.target = "_blank"; a.rel = "noopener noreferrer";
        a.textContent = "Site de l'organisme";
        card.appendChild(a);
      }
      li.appendChild(card);
    });
  }

  function render(item, live) {
    var li = document.createElement("li");
    li.className = item.from;
    if (item.custom && item.custom.type === "recommandations") {
      renderCards(item, li);
    } else if (item.text) {
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      richText(bubble, item.text);
      li.appendChild(bubble);
    }
    if (item.buttons && item.buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      item.buttons.forEach(function (btn) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = btn.title;
        b.addEventListener("click", function () { send(btn.payload, btn.title); });
        group.appendChild(b);
      });
      li.appendChild(group);
    }
    if (li.childNodes.length) { log.appendChild(li); }
    if (live) { li.scrollIntoView({ block: "end" }); }
  }

  function add(item) { history.push(item); save(); render(item, true); }

  var pending = null;
  function send(message, shown) {
    add({ from: "user", text: shown || message });
    pending = message;
    statusEl.textContent = "Cap Num écrit…";
    fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message })
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (messages) {
      pending = null;
      statusEl.textContent = "";
      // With a recommendations payload, its cards replace the plain-text cards
      // ("1. **Title** ...") meant for text-only channels.
      var rich = messages.some(function (m) { return m.custom && m.custom.type === "recommandations"; });
      messages.forEach(function (m) {
        if (rich && m.text && /^\d+\. \*\*/.test(m.text)) { return; }
        add({ from: "bot", text: m.text, buttons: m.buttons, custom: m.custom });
      });
      input.focus();
    }).catch(function () {
      statusEl.textContent = "Connexion perdue. Ton message sera renvoyé dès que possible.";
      input.value = shown && shown !== message ? "" : message;
    });
  }

  window.addEventListener("online", function () { if (pending) { var p = pending; history.pop(); save(); log.removeChild(log.lastChild); send(p); } });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
  document.getElementById("restart").addEventListener("click", function () { send("/recommencer", "Recommencer"); });
  document.getElementById("erase").addEventListener("click", function () {
    if (window.confirm("Effacer toute la conversation et ton profil ?")) {
      send("/confirmer_suppression", "Effacer mes données");
      history = []; save(); store.removeItem("capnum.sender");
      sender = newSender(); store.setItem("capnum.sender", sender);
      log.textContent = "";
    }
  });

  history.forEach(function (item) { render(item, false); });
  if (!history.length) { send("bonjour", "Bonjour"); }
})();
