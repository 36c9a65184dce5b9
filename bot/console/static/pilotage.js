/* Cap Num – statistics, map and audit log pages: hovering or focusing a département
 * writes its figures in the live region beside the map (keyboard: Tab; the table below
 * holds the same figures); "Se déconnecter" signs out (CSRF token from api/moi). No
 * inline script (strict Content-Security-Policy). */
(() => {
  "use strict";
  const BASE = "/webhooks/console/";
  const sortie = document.getElementById("deconnexion");
  if (sortie) {
    sortie.addEventListener("click", async () => {
      try {
        const moi = await (await fetch(`${BASE}api/moi`, { credentials: "same-origin" })).json();
        await fetch(`${BASE}api/deconnexion`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": moi.csrf || "" },
          body: "{}",
        });
      } finally {
        location.assign(BASE);
      }
    });
  }
  const detail = document.getElementById("detail-departement");
  if (!detail) { return; }
  const montrer = (ev) => {
    const zone = ev.target.closest("[data-code]");
    if (zone) { detail.textContent = zone.getAttribute("aria-label"); }
  };
  for (const carte of document.querySelectorAll(".carte svg")) {
    carte.addEventListener("mouseover", montrer);
    carte.addEventListener("focusin", montrer);
  }
})();
