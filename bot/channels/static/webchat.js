// Cap Num web chat. Talks to the `webchat` channel (POST <base>/webhook), keeps the
// conversation and the unsent messages in localStorage, renders every text as text (a
// small safe Markdown subset: **bold**, links, "- " lists) and never uses innerHTML.
(() => {
  "use strict";

  const TEXTES = {
    choisi: " (choisi)",
    pasEnvoye: "Pas encore envoyé : il partira dès que la connexion revient.",
    refuse: "Ce message n'a pas pu être envoyé. Réessaie avec un texte plus court.",
    horsLigne: "Pas de connexion internet. Ton message est gardé et sera envoyé dès qu'elle revient.",
    serveurIndisponible: "Cap Num ne répond pas pour l'instant. Ton message est gardé, nouvel essai dans quelques secondes…",
    ecrit: "Cap Num écrit…",
    tropVite: "Tu vas un peu vite 🙂 Ton message est gardé et part dans quelques secondes.",
    garde: "Ton message est gardé : il repartira tout seul.",
    nouvelleFenetre: " (nouvelle fenêtre)",
    voirDetail: "Voir le détail",
    siteOrganisme: "Site de l'organisme",
    detailDe: "Détails : ",
    lieu: "Lieu",
    duree: "Durée",
    cout: "Coût",
    public: "Public",
    pourquoi: "Pourquoi elle te va :",
    plusInfos: "Pourquoi elle te va",
    aVerifier: "Conditions à vérifier",
    donnees: (date, source) => `Données ${date}${source ? ` · source : ${source}` : ""}`,
    effacementImpossible: "L'effacement n'a pas pu être fait (pas de connexion ?). Tes données sont toujours là : réessaie dans un moment.",
    effacementFait: "Tes données ont été effacées.",
  };
  const COULEUR_PAR_DEFAUT = "#1d3c78";
  const DELAI_ENTRE_MESSAGES_MS = 250;
  const HISTORIQUE_MAX = 300;
  const RECOMMENCER = "/recommencer";
  // A source line of the domain: "ℹ️ Source : …", "Sources : …".
  const MOTIF_SOURCE = /^\s*(?:\u2139\uFE0F?\s*)?Sources?\s*:/u;

  // --- configuration: server address, embedding, colours ---------------------------------
  const script = document.currentScript;
  const serveur = script && script.dataset.server;
  const base = serveur ? new URL("/webhooks/webchat/", serveur) : new URL("../", script.src);
  const ENDPOINT = new URL("webhook", base).href;
  const EFFACER = new URL("effacer", base).href;
  const NOUVELLES = new URL("nouvelles", base).href;
  // While a counsellor's session is shared, the page asks every 2 s for what they push.
  const DELAI_NOUVELLES_MS = 2000;
  document.getElementById("confidentialite").href = new URL("confidentialite", base).href;
  const params = new URLSearchParams(window.location.search);
  const integre = params.get("integre") === "1";

  const journal = document.getElementById("journal");
  const regionLive = document.getElementById("conversation");
  const formulaire = document.getElementById("composeur");
  const champ = document.getElementById("texte");
  const etatEl = document.getElementById("etat");
  const saisie = document.getElementById("saisie-en-cours");
  const dialogue = document.getElementById("confirmation");
  const erreurDialogue = document.getElementById("confirmation-erreur");
  const dialogueRecommencer = document.getElementById("confirmation-recommencer");

  /** Relative luminance of a #rrggbb colour (WCAG 2.1). */
  const luminance = (hex) => {
    const canaux = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const [r, g, b] = canaux.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  /** A partner colour is used only if white text on it keeps a 4.5:1 contrast. */
  const couleurSure = (valeur) =>
    /^#[0-9a-f]{6}$/i.test(valeur || "") && 1.05 / (luminance(valeur) + 0.05) >= 4.5 ? valeur : null;

  if (integre) { document.body.classList.add("integre"); }
  const titre = (params.get("titre") || "").trim().slice(0, 60);
  if (titre) { document.getElementById("titre").textContent = titre; document.title = titre; }
  const couleur = params.get("couleur");
  if (couleur) {
    const sure = couleurSure(couleur);
    if (sure) { document.documentElement.style.setProperty("--accent", sure); }
    else { console.warn(`Cap Num : couleur ${couleur} refusée (contraste insuffisant), ${COULEUR_PAR_DEFAUT} gardée.`); }
  }

  // --- storage (falls back to memory when the browser refuses localStorage) ---------------
  const memoire = {};
  const stockage = (() => {
    try { const s = window.localStorage; s.setItem("capnum.test", "1"); s.removeItem("capnum.test"); return s; }
    catch (e) { return { getItem: (k) => memoire[k] ?? null, setItem: (k, v) => { memoire[k] = String(v); }, removeItem: (k) => { delete memoire[k]; } }; }
  })();
  const lire = (cle, defaut) => { try { return JSON.parse(stockage.getItem(cle)) ?? defaut; } catch (e) { return defaut; } };
  const ecrire = (cle, valeur) => { try { stockage.setItem(cle, JSON.stringify(valeur)); } catch (e) { /* quota: keep going in memory */ } };

  const nouvelId = () => {
    const octets = new Uint8Array(16);
    window.crypto.getRandomValues(octets);
    return Array.from(octets, (o) => o.toString(16).padStart(2, "0")).join("");
  };
  let expediteur = lire("capnum.expediteur", null) || nouvelId();
  ecrire("capnum.expediteur", expediteur);
  let historique = lire("capnum.historique", []);
  let envois = lire("capnum.envois", []);
  const sauver = () => {
    historique = historique.slice(-HISTORIQUE_MAX);
    ecrire("capnum.historique", historique);
    ecrire("capnum.envois", envois);
  };

  // --- safe rendering ----------------------------------------------------------------------
  const lienSur = (url) => {
    try { const u = new URL(url); return u.protocol === "https:" || u.protocol === "http:" ? u.href : null; }
    catch (e) { return null; }
  };
  const creer = (balise, classe, texte) => {
    const el = document.createElement(balise);
    if (classe) { el.className = classe; }
    if (texte != null) { el.textContent = texte; }
    return el;
  };
  const lienExterne = (url, libelle) => {
    const a = creer("a", null, libelle);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.append(creer("span", "visuellement-cache", TEXTES.nouvelleFenetre));
    return a;
  };

  /** **bold**, [label](https://…) and bare http(s) addresses; everything else is text. */
  const enLigne = (parent, texte) => {
    const motif = /\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)»])/g;
    let fin = 0;
    for (const m of texte.matchAll(motif)) {
      parent.append(texte.slice(fin, m.index));
      const url = lienSur(m[3] || m[4] || "");
      if (m[1] != null) { parent.append(creer("strong", null, m[1])); }
      else if (url) { parent.append(lienExterne(url, m[2] || m[4])); }
      else { parent.append(m[0]); }
      fin = m.index + m[0].length;
    }
    parent.append(texte.slice(fin));
  };

  /** Lines become paragraphs; lines starting with "- " or "• " become a list. */
  const markdown = (parent, texte) => {
    let liste = null;
    for (const ligne of String(texte).split("\n")) {
      const puce = /^\s*[-•]\s+(.*)$/.exec(ligne);
      if (puce) {
        if (!liste) { liste = creer("ul"); parent.append(liste); }
        const li = creer("li");
        enLigne(li, puce[1]);
        liste.append(li);
      } else {
        liste = null;
        const p = creer("p");
        if (ligne.trim()) { enLigne(p, ligne); } else { p.append(document.createElement("br")); }
        parent.append(p);
      }
    }
  };

  // --- one history item → one <li> ---------------------------------------------------------
  const elements = new Map();

  let compteurCartes = 0;
  /** Label and value as a <div><dt><dd></div> group of a <dl>. */
  const ligneDl = (libelle, valeur) => {
    const groupe = creer("div");
    groupe.append(creer("dt", null, libelle), creer("dd", null, valeur));
    return groupe;
  };

  /** A compact card: title, organisation, place, one line of key facts (duration and
   * cost), then "Pourquoi elle te va" (a disclosure: reasons, every fact in full, data
   * date and source, the organisation's site) and "Voir le détail". */
  const carte = (f, item) => {
    const li = creer("li", "carte");
    const t = f.textes || {};
    li.append(creer("h3", null, `${f.rang}. ${f.intitule}`));
    if (t.organisme) { li.append(creer("p", "organisme", t.organisme)); }
    if (f.eligible === false) { li.append(creer("p", "a-verifier", TEXTES.aVerifier)); }
    const essentiel = creer("dl", "essentiel");
    if (t.lieu) { essentiel.append(ligneDl(TEXTES.lieu, t.lieu)); }
    const faits = creer("div", "faits");
    for (const [libelle, valeur] of [[TEXTES.duree, t.duree], [TEXTES.cout, t.cout]]) {
      if (!valeur) { continue; }
      faits.append(creer("dt", null, libelle), creer("dd", null, valeur));
    }
    if (faits.childNodes.length) { essentiel.append(faits); }
    li.append(essentiel);
    // What is current about it (next session, certification), written by the server.
    if (t.sessions) { li.append(creer("p", "sessions", t.sessions)); }

    compteurCartes += 1;
    const plus = creer("div", "plus");
    plus.id = `carte-plus-${compteurCartes}`;
    plus.hidden = true;
    if ((f.raisons || []).length) {
      plus.append(creer("p", "raisons-titre", TEXTES.pourquoi));
      const ul = creer("ul");
      f.raisons.forEach((r) => ul.append(creer("li", null, r)));
      plus.append(ul);
    }
    const complet = creer("dl", "complet");
    for (const [libelle, valeur] of [[TEXTES.duree, t.duree], [TEXTES.cout, t.cout], [TEXTES.public, t.public]]) {
      if (valeur) { complet.append(ligneDl(libelle, valeur)); }
    }
    if (complet.childNodes.length) { plus.append(complet); }
    plus.append(creer("p", "donnees", TEXTES.donnees(f.date_donnees, t.source)));
    const site = f.site && lienSur(f.site);
    if (site) { plus.append(lienExterne(site, TEXTES.siteOrganisme)); }
    for (const texte of [t.certification, t.insertion]) {
      if (texte) { plus.append(creer("p", "certification", texte)); }
    }
    for (const lien of f.liens || []) {
      const url = lienSur(lien.url);
      if (url) { const ligne = creer("p", "lien-officiel"); ligne.append(lienExterne(url, lien.titre)); plus.append(ligne); }
    }

    const liens = creer("div", "liens");
    const bascule = creer("button", "bascule", TEXTES.plusInfos);
    bascule.type = "button";
    bascule.setAttribute("aria-expanded", "false");
    bascule.setAttribute("aria-controls", plus.id);
    bascule.setAttribute("aria-label", `${TEXTES.plusInfos} : ${f.intitule}`);
    bascule.addEventListener("click", () => {
      const ouvrir = plus.hidden;
      plus.hidden = !ouvrir;
      bascule.setAttribute("aria-expanded", String(ouvrir));
    });
    liens.append(bascule);
    if (f.details_payload) {
      const b = creer("button", "detail", TEXTES.voirDetail);
      b.type = "button";
      b.setAttribute("aria-label", `${TEXTES.voirDetail} : ${f.intitule}`);
      b.disabled = item.perime === true;
      b.addEventListener("click", (ev) => {
        envoyer(f.details_payload, TEXTES.detailDe + f.intitule);
        focusApresClic(ev);
      });
      liens.append(b);
    }
    li.append(liens, plus);
    return li;
  };

  const groupeDeChoix = (item) => {
    const groupe = creer("div", "choix");
    groupe.setAttribute("role", "group");
    groupe.setAttribute("aria-label", (item.texte || "").slice(0, 80) || "Choix");
    for (const bouton of item.boutons) {
      const b = creer("button", null, bouton.title);
      b.type = "button";
      if (item.repondu) {
        b.disabled = true;
        if (item.choisi === bouton.payload) {
          b.classList.add("choisi");
          b.append(creer("span", "visuellement-cache", TEXTES.choisi));
        }
      }
      b.addEventListener("click", (ev) => {
        if (bouton.payload === RECOMMENCER) { demanderRecommencer(ev); return; }
        item.choisi = bouton.payload;
        envoyer(bouton.payload, bouton.title);
        focusApresClic(ev);
      });
      groupe.append(b);
    }
    return groupe;
  };

  const rendre = (item) => {
    const li = creer("li", item.de);
    if (item.custom && item.custom.type === "recommandations") {
      const liste = creer("ul", "cartes");
      liste.setAttribute("aria-label", "Formations proposées");
      (item.custom.formations || []).forEach((f) => liste.append(carte(f, item)));
      li.append(liste);
    } else if (item.texte) {
      const bulle = creer("div", "bulle");
      if (item.de === "bot") { markdown(bulle, item.texte); } else { bulle.append(creer("p", null, item.texte)); }
      if (item.source) {
        const source = creer("div", "source");
        markdown(source, item.source);
        bulle.append(source);
      }
      li.append(bulle);
    }
    if (item.boutons && item.boutons.length) { li.append(groupeDeChoix(item)); }
    if (item.enAttente) {
      li.classList.add("en-attente");
      li.append(creer("span", "mention", TEXTES.pasEnvoye));
    }
    return li;
  };

  const afficher = (item) => {
    const li = rendre(item);
    if (!li.childNodes.length) { return; }
    const ancien = elements.get(item);
    if (ancien) { ancien.replaceWith(li); } else { journal.append(li); }
    elements.set(item, li);
  };
  /** While an answer with cards is shown, the view stays on its first card (set by
   * `afficherReponses`, cleared when the person sends something). */
  let ancre = null;
  const zone = document.getElementById("fil");
  /** Scrolls the conversation (only it, never the page around an embedded chat): to the
   * first card of the latest results if any, else to the bottom. */
  const defiler = () => {
    const doux = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    let haut = zone.scrollHeight;
    if (ancre && ancre.isConnected) {
      const marge = parseFloat(getComputedStyle(ancre).scrollMarginTop) || 0;
      haut = zone.scrollTop + ancre.getBoundingClientRect().top - zone.getBoundingClientRect().top - marge;
    }
    zone.scrollTo({ top: Math.max(0, haut), behavior: doux ? "smooth" : "auto" });
  };
  const ajouter = (item) => { historique.push(item); sauver(); afficher(item); defiler(); return elements.get(item); };

  /** After the person answers, earlier choices become read-only (the chosen one marked). */
  const fermerLesChoix = () => {
    for (const item of historique) {
      if (item.boutons && item.boutons.length && !item.repondu) { item.repondu = true; afficher(item); }
    }
  };

  // --- sending, with an outbox that survives network loss and reloads ------------------------
  let envoiEnCours = false;
  let essais = 0;
  let minuterie = null;
  const etat = (texte) => { etatEl.textContent = texte; };
  /** The typing dots; `annoncer` also tells screen readers (once per answer, not per message). */
  const montrerSaisie = (oui, annoncer = true) => {
    saisie.hidden = !oui;
    if (oui) {
      if (annoncer) { etat(TEXTES.ecrit); }
      defiler();
    } else if (etatEl.textContent === TEXTES.ecrit) { etat(""); }
  };
  const pause = (ms) => new Promise((ok) => setTimeout(ok, ms));

  const envoyer = (message, affiche) => {
    const envoi = { id: nouvelId(), message, affiche };
    ancre = null;
    fermerLesChoix();
    if (affiche != null) { ajouter({ de: "utilisateur", texte: affiche, envoi: envoi.id }); }
    envois.push(envoi);
    sauver();
    vider();
  };

  const marquerAttente = (id, oui) => {
    const item = historique.find((i) => i.envoi === id);
    if (item && Boolean(item.enAttente) !== oui) { item.enAttente = oui; sauver(); afficher(item); }
  };

  /** A "Source : …" message (the domain's source lines; the payload does not carry the
   * response name): shown as the last line of the message before it. */
  const estSource = (m) => typeof m.text === "string" && MOTIF_SOURCE.test(m.text)
    && !(m.buttons && m.buttons.length) && !(m.quick_replies && m.quick_replies.length) && !m.custom;

  /** Bot messages of one answer, in order; the payload's cards replace the text cards. */
  const afficherReponses = async (messages) => {
    const reco = messages.find((m) => m.custom && m.custom.type === "recommandations");
    const cartesTexte = new Set(((reco && reco.custom.formations) || []).map((f) => `${f.rang}. **${f.intitule}**`));
    const aAfficher = messages.filter((m) => !(m.text && [...cartesTexte].some((d) => m.text.startsWith(d))));
    if (reco) { historique.forEach((i) => { if (i.custom && i.custom.type === "recommandations" && !i.perime) { i.perime = true; afficher(i); } }); }
    const effacement = messages.find((m) => m.custom && m.custom.type === "effacement" && m.custom.efface === true);
    if (effacement) {
      // Erased on the server (typed "supprimer mes données", then confirmed): the device
      // forgets the conversation too, as with the header button.
      montrerSaisie(false);
      effaceIci(effacement.text || TEXTES.effacementFait);
      return;
    }
    const items = [];
    for (const m of aAfficher) {
      const precedent = items[items.length - 1];
      if (estSource(m) && precedent && precedent.texte && !precedent.custom && !precedent.source) {
        precedent.source = m.text;  // one bubble, its source as the last line
      } else {
        items.push({ de: "bot", texte: m.text, boutons: m.buttons || m.quick_replies, custom: m.custom });
      }
    }
    for (const [n, item] of items.entries()) {
      if (n > 0) { montrerSaisie(true, false); await pause(DELAI_ENTRE_MESSAGES_MS); }
      const li = ajouter(item);
      if (item.custom && item.custom.type === "recommandations" && li && li.querySelector(".carte")) {
        // New results: the view lands on their first card, not at the bottom.
        ancre = li.querySelector(".carte");
        defiler();
      }
    }
    montrerSaisie(false);
  };

  /** Next try: 2, 4, 8… up to 30 s, or later if the server asked (Retry-After). */
  const planifier = (auPlusTotSecondes = 0) => {
    clearTimeout(minuterie);
    essais += 1;
    const delai = Math.max(1000 * auPlusTotSecondes, Math.min(30000, 1000 * 2 ** Math.min(essais, 5)));
    minuterie = setTimeout(vider, delai);
  };

  const vider = async () => {
    if (envoiEnCours || !envois.length) { return; }
    envoiEnCours = true;
    const envoi = envois[0];
    montrerSaisie(true);
    let reponse;
    try {
      reponse = await fetch(ENDPOINT, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: expediteur, message: envoi.message, message_id: envoi.id }),
      });
    } catch (e) {
      reponse = null;
    }
    if (!reponse || reponse.status >= 500 || reponse.status === 408 || reponse.status === 429) {
      let texte = navigator.onLine === false ? TEXTES.horsLigne : TEXTES.serveurIndisponible;
      if (reponse && reponse.status === 429) { texte = TEXTES.tropVite; }
      if (reponse && reponse.status === 503) {
        // The server explains (in French) and has not recorded the message: it is kept.
        try { texte = `${(await reponse.json()).messages[0].text} ${TEXTES.garde}`; } catch (e) { /* keep the default */ }
      }
      envoiEnCours = false;
      montrerSaisie(false);
      marquerAttente(envoi.id, true);
      etat(texte);
      planifier(Number(reponse && reponse.headers.get("Retry-After")) || 0);
      return;
    }
    let erreur = {};
    if (!reponse.ok) {
      try { erreur = await reponse.json(); } catch (e) { erreur = {}; }
    }
    if (erreur.error === "invalid_sender") {
      // An id the server refuses (an old page's, say): a new conversation, same message.
      expediteur = nouvelId();
      ecrire("capnum.expediteur", expediteur);
      envoiEnCours = false;
      vider();
      return;
    }
    envois.shift();
    sauver();
    essais = 0;
    marquerAttente(envoi.id, false);
    etat("");
    if (reponse.ok) {
      let messages = [];
      try { messages = await reponse.json(); } catch (e) { messages = []; }
      messages = Array.isArray(messages) ? messages : [];
      suivrePartage(messages);
      await afficherReponses(messages);
    } else {
      montrerSaisie(false);
      etat(erreur.message || TEXTES.refuse);
    }
    envoiEnCours = false;
    vider();
  };

  window.addEventListener("online", () => { clearTimeout(minuterie); essais = 0; vider(); });

  // --- a counsellor's session (code, consent, "arrêter le partage") -------------------------
  /** The server marks its answers about sharing ("partage": actif, attente or fin). */
  let partage = lire("capnum.partage", "fin");
  const suivrePartage = (messages) => {
    const marque = messages.map((m) => m.partage).filter(Boolean).pop();
    if (marque) { partage = marque; ecrire("capnum.partage", partage); }
  };
  const nouvelles = async () => {
    if (partage === "fin" || envoiEnCours || document.hidden) { return; }
    try {
      const r = await fetch(NOUVELLES, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: expediteur }),
      });
      const messages = r.ok ? await r.json() : [];
      if (Array.isArray(messages) && messages.length) { suivrePartage(messages); await afficherReponses(messages); }
    } catch (e) { /* offline: the next round asks again */ }
  };
  setInterval(nouvelles, DELAI_NOUVELLES_MS);

  /** Keyboard users keep a logical focus (the text field); on touch screens the keyboard
   * is not opened for them. */
  const focusApresClic = (ev) => {
    if (ev.detail === 0 || !window.matchMedia("(pointer: coarse)").matches) { champ.focus(); }
  };

  formulaire.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const texte = champ.value.trim();
    if (!texte) { champ.focus(); return; }
    champ.value = "";
    envoyer(texte, texte);
    champ.focus();
  });

  const toutOublierIci = () => {
    historique = [];
    envois = [];
    elements.clear();
    journal.textContent = "";
    clearTimeout(minuterie);
    sauver();
  };

  // --- confirmation dialogs: the focus starts on "Annuler" and goes back where it was ----
  let ouvreur = null;
  const ouvrir = (boite, bouton) => {
    ouvreur = document.activeElement !== document.body ? document.activeElement : null;
    boite.showModal();
    bouton.focus();
  };
  /** Closed by "Annuler" or Escape: back to the control that opened it, else (it is
   * gone, or nothing had the focus) to the text field (to the header's "Recommencer" on
   * a touch screen). */
  const rendreFocus = () => {
    const tactile = window.matchMedia("(pointer: coarse)").matches;
    const repli = tactile ? document.getElementById("recommencer") : champ;
    const cible = ouvreur && ouvreur.isConnected && !ouvreur.disabled ? ouvreur : repli;
    ouvreur = null;
    cible.focus();
  };
  /** After a confirmation the conversation starts afresh: keyboard and mouse users go on
   * in the text field (on a touch screen the control that opened the dialog keeps the
   * focus, so that no virtual keyboard pops up). */
  const apresConfirmation = (ev) => {
    if (ev.detail === 0 || !window.matchMedia("(pointer: coarse)").matches) { ouvreur = champ; }
  };
  for (const boite of [dialogue, dialogueRecommencer]) { boite.addEventListener("close", rendreFocus); }

  /** "Recommencer" (the header's or a choice's) asks first: the answers will be forgotten. */
  const demanderRecommencer = () => ouvrir(dialogueRecommencer, document.getElementById("annuler-recommencer"));
  document.getElementById("recommencer").addEventListener("click", demanderRecommencer);
  document.getElementById("annuler-recommencer").addEventListener("click", () => dialogueRecommencer.close());
  document.getElementById("confirmer-recommencer").addEventListener("click", (ev) => {
    toutOublierIci();
    envoyer(RECOMMENCER, null);
    apresConfirmation(ev);
    dialogueRecommencer.close();
  });

  document.getElementById("effacer").addEventListener("click", () => {
    erreurDialogue.textContent = "";
    ouvrir(dialogue, document.getElementById("annuler-effacement"));
  });
  document.getElementById("annuler-effacement").addEventListener("click", () => dialogue.close());
  /** Once the server said it erased: nothing of the conversation stays on this device
   * either; a new conversation id; the confirmation is shown but not kept. */
  const effaceIci = (texte) => {
    toutOublierIci();
    partage = "fin";
    ecrire("capnum.partage", partage);
    expediteur = nouvelId();
    ecrire("capnum.expediteur", expediteur);
    journal.append(rendre({ de: "bot", texte }));
    historique = [];
    sauver();
  };

  document.getElementById("confirmer-effacement").addEventListener("click", async (ev) => {
    // "Effacé" is said only when the server answered that it erased ({"efface": true}).
    let resultat = null;
    try {
      const r = await fetch(EFFACER, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: expediteur }),
      });
      resultat = await r.json();
      if (!r.ok || !resultat || resultat.efface !== true) { throw new Error(`HTTP ${r.status}`); }
    } catch (e) {
      erreurDialogue.textContent = TEXTES.effacementImpossible;
      return;
    }
    effaceIci(resultat.message || TEXTES.effacementFait);
    apresConfirmation(ev);
    dialogue.close();
  });

  if (integre && window.parent !== window) {
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && !dialogue.open && !dialogueRecommencer.open) { window.parent.postMessage({ type: "capnum:fermer" }, "*"); }
    });
  }

  // --- start: earlier conversation, unsent messages, or a greeting ---------------------------
  // The restored history is not read out again: the log is live only for new messages.
  regionLive.setAttribute("aria-live", "off");
  historique.forEach(afficher);
  defiler();
  setTimeout(() => regionLive.setAttribute("aria-live", "polite"), 0);
  if (envois.length) { vider(); }
  else if (!historique.length) { envoyer("/saluer", null); }
  // Opened from a counsellor's QR code: the code is sent as if typed, and leaves the address.
  const code = params.get("code");
  if (code && /^[A-Za-z0-9]{6}$/.test(code)) {
    params.delete("code");
    const reste = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (reste ? `?${reste}` : ""));
    envoyer(code, code);
  }
})();
