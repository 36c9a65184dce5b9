// Cap Num widget for partner sites: one tag, e.g.
//   <script src="https://capnum.example.fr/webhooks/webchat/static/widget.js" defer
//           data-titre="Cap Num – Mission locale" data-couleur="#6a1b5d"></script>
// Optional data- attributes: server (Cap Num address, default: where this file comes from),
// titre, couleur (#rrggbb, used only with enough contrast), libelle (launcher text).
// The chat runs in an iframe served by Cap Num, so the partner's CSS and scripts cannot
// reach it; the launcher lives in a shadow root styled by widget.css.
(() => {
  "use strict";
  const script = document.currentScript;
  const d = script.dataset;
  const page = d.server ? new URL("/webhooks/webchat/", d.server) : new URL("../", script.src);
  const origine = page.origin;
  const titre = (d.titre || "Cap Num").slice(0, 60);
  const src = new URL(page);
  src.searchParams.set("integre", "1");
  src.searchParams.set("titre", titre);
  if (/^#[0-9a-f]{6}$/i.test(d.couleur || "")) { src.searchParams.set("couleur", d.couleur); }

  const hote = document.createElement("div");
  hote.id = "capnum-widget";
  const racine = hote.attachShadow({ mode: "open" });
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("static/widget.css", page).href;
  const lanceur = document.createElement("button");
  lanceur.type = "button";
  lanceur.className = "lanceur";
  lanceur.textContent = d.libelle || `Discuter avec ${titre}`;
  lanceur.setAttribute("aria-expanded", "false");
  lanceur.setAttribute("aria-controls", "capnum-panneau");
  const panneau = document.createElement("section");
  panneau.id = "capnum-panneau";
  panneau.className = "panneau";
  panneau.hidden = true;
  panneau.setAttribute("aria-label", titre);
  const barre = document.createElement("div");
  barre.className = "barre";
  const h = document.createElement("h2");
  h.textContent = titre;
  const fermer = document.createElement("button");
  fermer.type = "button";
  fermer.className = "fermer";
  fermer.textContent = "Fermer";
  fermer.setAttribute("aria-label", `Fermer ${titre}`);
  barre.append(h, fermer);
  const cadre = document.createElement("iframe");
  cadre.title = `${titre} : assistant automatique d'orientation`;
  panneau.append(barre, cadre);
  racine.append(style, lanceur, panneau);

  const ouvrir = () => {
    if (!cadre.src) { cadre.src = src.href; }
    panneau.hidden = false;
    lanceur.setAttribute("aria-expanded", "true");
    cadre.focus();
  };
  const refermer = () => {
    panneau.hidden = true;
    lanceur.setAttribute("aria-expanded", "false");
    lanceur.focus();
  };
  lanceur.addEventListener("click", () => (panneau.hidden ? ouvrir() : refermer()));
  fermer.addEventListener("click", refermer);
  panneau.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { refermer(); } });
  window.addEventListener("message", (ev) => {
    if (ev.origin === origine && ev.source === cadre.contentWindow && ev.data && ev.data.type === "capnum:fermer") { refermer(); }
  });
  if (/^#[0-9a-f]{6}$/i.test(d.couleur || "")) { hote.style.setProperty("--capnum-couleur", d.couleur); }
  document.body.append(hote);
})();
