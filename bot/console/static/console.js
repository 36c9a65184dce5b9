/* Cap Num – the counsellors' console: sign in, sessions, live view of a session (long
 * polling of /api/seances/<id>/attendre), criteria, marks, notes, referrals, summary sheet.
 * "territoire" accounts go straight to the map page. No framework, no inline script
 * (strict Content-Security-Policy). */
(() => {
  "use strict";
  const BASE = "/webhooks/console/";
  const $ = (id) => document.getElementById(id);
  const TEXTES = {
    partage: {
      sans: "En attente : la personne n'a pas encore tapé le code.",
      attente_accord: "Code reçu : la personne doit accepter le partage dans son chat.",
      actif: "Partage en cours : vous voyez ses réponses en direct.",
      refuse: "La personne a refusé le partage. Vous pouvez créer un nouveau code.",
      arrete: "La personne a arrêté le partage : la conversation n'est plus visible.",
      efface: "La personne a effacé ses données.",
    },
    sansTelephone: "Séance sans téléphone : remplissez le profil avec la personne.",
    statut: { en_cours: "en cours", terminee: "terminée" },
    marque: { a_contacter: "à contacter", ecartee: "écartée" },
    aucunManque: "Profil complet.",
    manque: "À demander encore : ",
    champs: { situation: "situation", age: "âge", diplome: "diplôme", commune: "commune", interets: "domaines" },
    ajoutees: "Ajoutées : ", retirees: "Retirées : ", rienChange: "La liste n'a pas changé.",
    envoye: "Sélection envoyée dans le chat de la personne.",
    ficheEnvoyee: "Lien envoyé dans le chat de la personne : ",
    lienFiche: "Lien de la fiche (7 jours) : ",
    aucuneReco: "Aucune recommandation pour l'instant : il manque des domaines, ou rien ne correspond.",
    nombre: (n) => (n === 1 ? "1 formation correspond." : `${n} formations correspondent ; les 10 premières sont affichées.`),
    score: "score", exclure: "Exclure de la recherche", reintegrer: "Réintégrer",
    aContacter: "À contacter", ecarter: "Écarter", annulerMarque: "Annuler la marque",
    de: { personne: "Personne", assistant: "Cap Num", conseiller: "Vous (conseil)" },
    formationsProposees: (n) => (n === 1 ? "(1 formation proposée)" : `(${n} formations proposées)`),
    ouvrir: "Ouvrir", expire: (h) => `Ce code expire à ${h} et ne sert qu'une fois.`,
    bloque: "Pourquoi pas accessible : ",
    terminer: "Terminer la séance", reprendre: "Reprendre la séance",
    actif: "actif", desactive: "désactivé", desactiver: "Désactiver", activer: "Réactiver",
    horsLigne: "Connexion au serveur perdue : nouvel essai dans quelques secondes…",
    compteCree: "Compte créé.",
    noteAjoutee: "Note ajoutée.", etapesEnregistrees: "Étapes enregistrées.",
    visibilite: { structure: "structure", personne: "pour la personne" },
    seancesAffichees: (n) => (n === 0 ? "Aucune séance à afficher." : n === 1 ? "1 séance affichée." : `${n} séances affichées.`),
    statutOrientation: {
      proposee: "proposée", candidature_envoyee: "candidature envoyée", entretien: "entretien",
      entree_formation: "entrée en formation", abandon: "abandon", sans_suite: "sans suite",
    },
    motifSansSolution: {
      trop_loin: "trop loin", non_eligible: "pas éligible", pas_de_session: "pas de session prévue",
      domaine_absent: "domaine absent du catalogue", autre: "autre raison",
    },
    orienter: "Orienter vers cette formation",
    choisirFormation: "— choisir une formation —", aucuneFormation: "— aucune formation recommandée —",
    formationRetiree: (id) => `formation ${id} (plus dans le catalogue)`,
    libelleStatut: "Statut", statutDe: (cible) => ` de l'orientation vers ${cible}`,
    orienteeLe: (d) => `Le ${d}`, motif: "Motif : ",
    orientationEnregistree: "Orientation enregistrée.", statutMisAJour: "Statut mis à jour.",
    sansSolution: (motif, commentaire) => `Aucune solution trouvée : ${motif}${commentaire ? ` — ${commentaire}` : ""}`,
    sansSolutionNotee: "« Aucune solution trouvée » noté.", sansSolutionRetiree: "« Aucune solution trouvée » retiré.",
  };
  let csrf = "";
  let compte = null;
  let referentiel = null;
  let seanceId = null;
  let version = -1;
  let dernierEtat = null;
  let attente = null;

  const annoncer = (texte) => { $("annonce").textContent = texte; };
  const erreur = (texte) => { const e = $("erreur"); e.textContent = texte || ""; e.hidden = !texte; };

  async function api(chemin, options = {}) {
    const init = { method: options.method || "GET", headers: {}, credentials: "same-origin", signal: options.signal };
    if (init.method === "POST") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(options.corps || {});
    }
    const reponse = await fetch(BASE + chemin, init);
    let donnees = {};
    try { donnees = await reponse.json(); } catch (e) { donnees = {}; }
    if (reponse.status === 401 && chemin !== "api/connexion") { montrer("connexion"); }
    if (!reponse.ok) { const err = new Error(donnees.message || "Erreur"); err.code = donnees.error; err.status = reponse.status; throw err; }
    return donnees;
  }

  const essayer = (fn) => async (...args) => {
    erreur("");
    try { await fn(...args); } catch (e) { if (e.name !== "AbortError") { erreur(e.message); } }
  };

  function montrer(vue) {
    for (const nom of ["connexion", "liste", "seance"]) { $(`vue-${nom}`).hidden = nom !== vue; }
    $("compte").hidden = vue === "connexion";
    if (vue !== "seance") { arreterDirect(); }
    const titre = document.querySelector(`#vue-${vue} h1`);
    if (titre) { titre.setAttribute("tabindex", "-1"); titre.focus(); }
  }

  const el = (balise, attributs = {}, ...enfants) => {
    const n = document.createElement(balise);
    for (const [k, v] of Object.entries(attributs)) {
      if (k === "texte") { n.textContent = v; } else if (k === "classe") { n.className = v; } else if (v !== false && v != null) { n.setAttribute(k, v === true ? "" : v); }
    }
    for (const e of enfants) { if (e != null) { n.append(e); } }
    return n;
  };
  const heure = (t) => new Date(t * 1000).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  const date = (t) => new Date(t * 1000).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
  const jour = (iso) => iso.split("-").reverse().join("/");
  const aujourdhui = () => {
    const d = new Date();
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
  };
  const ajouterOptions = (select, valeurs) => {
    for (const [code, libelle] of Object.entries(valeurs)) { select.append(el("option", { value: code, texte: libelle })); }
  };

  // --- accounts ----------------------------------------------------------------------------
  async function demarrer() {
    try {
      const moi = await api("api/moi");
      connecte(moi);
    } catch (e) { montrer("connexion"); return; }
    await route();
  }

  function connecte(moi) {
    compte = moi.compte; csrf = moi.csrf;
    $("compte-nom").textContent = `${compte.nom} · ${compte.structure} (${compte.role})`;
    for (const id of ["lien-statistiques", "lien-journal"]) { $(id).hidden = compte.role !== "admin"; }
    // The map is the région's: shown only when the structure has one.
    $("lien-carte").hidden = compte.role !== "admin" || !compte.region;
  }

  $("form-connexion").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    const moi = await api("api/connexion", { method: "POST", corps: { identifiant: $("identifiant").value, mot_de_passe: $("mot-de-passe").value } });
    $("mot-de-passe").value = "";
    connecte(moi);
    await route();
  }));

  $("bouton-deconnexion").addEventListener("click", essayer(async () => {
    await api("api/deconnexion", { method: "POST" });
    compte = null; csrf = ""; location.hash = "";
    montrer("connexion");
  }));
  $("bouton-seances").addEventListener("click", () => { location.hash = "#/seances"; });

  // --- sessions list -----------------------------------------------------------------------
  async function afficherListe() {
    await remplirListe();
    $("admin").hidden = !(compte && compte.role === "admin");
    if (compte && compte.role === "admin") { afficherComptes((await api("api/comptes")).comptes); }
    montrer("liste");
  }

  // Fills the table (filtered by referral status when one is chosen); returns the count.
  async function remplirListe() {
    const filtre = $("filtre-orientation").value;
    const { seances } = await api(`api/seances${filtre ? `?orientation=${encodeURIComponent(filtre)}` : ""}`);
    const corps = document.querySelector("#table-seances tbody");
    corps.textContent = "";
    if (!seances.length) { corps.append(el("tr", {}, el("td", { colspan: "6", texte: TEXTES.seancesAffichees(0) }))); }
    for (const s of seances) {
      const marquees = Object.values(s.marques || {}).filter((m) => m === "a_contacter").length;
      const ouvrir = el("button", { type: "button", classe: "lien", texte: TEXTES.ouvrir, "aria-label": `${TEXTES.ouvrir} la séance du ${date(s.cree_le)}` });
      ouvrir.addEventListener("click", () => { location.hash = `#/seances/${s.id}`; });
      corps.append(el("tr", {},
        el("td", { texte: date(s.cree_le) }), el("td", { texte: s.conseiller }),
        el("td", { texte: TEXTES.statut[s.statut] || s.statut }),
        el("td", { texte: s.mode === "sans_telephone" ? "sans téléphone" : (TEXTES.partage[s.partage] || s.partage).split(":")[0] }),
        el("td", { texte: String(marquees) }), el("td", {}, ouvrir)));
    }
    return seances.length;
  }

  ajouterOptions($("filtre-orientation"), TEXTES.statutOrientation);
  $("filtre-orientation").addEventListener("change", essayer(async () => { annoncer(TEXTES.seancesAffichees(await remplirListe())); }));

  function afficherComptes(comptes) {
    const liste = $("liste-comptes");
    liste.textContent = "";
    for (const c of comptes) {
      const li = el("li", { texte: `${c.nom} (${c.identifiant}, ${c.role}, ${c.actif ? TEXTES.actif : TEXTES.desactive}) ` });
      if (c.identifiant !== compte.identifiant) {
        const b = el("button", { type: "button", classe: "lien", texte: c.actif ? TEXTES.desactiver : TEXTES.activer });
        b.addEventListener("click", essayer(async () => { afficherComptes((await api(`api/comptes/${c.id}/activer`, { method: "POST", corps: { actif: !c.actif } })).comptes); }));
        li.append(b);
      }
      liste.append(li);
    }
  }

  $("form-compte").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    const r = await api("api/comptes", { method: "POST", corps: { identifiant: $("nouveau-identifiant").value, nom: $("nouveau-nom").value, role: $("nouveau-role").value, mot_de_passe: $("nouveau-mdp").value } });
    $("form-compte").reset();
    afficherComptes(r.comptes);
    annoncer(TEXTES.compteCree);
  }));

  const nouvelle = (mode) => essayer(async () => {
    const etat = await api("api/seances", { method: "POST", corps: { mode } });
    location.hash = `#/seances/${etat.seance.id}`;
  });
  $("nouvelle-chat").addEventListener("click", nouvelle("chat"));
  $("nouvelle-sans").addEventListener("click", nouvelle("sans_telephone"));

  // --- one session -------------------------------------------------------------------------
  async function ouvrirSeance(id) {
    if (!referentiel) { referentiel = await api("api/referentiel"); remplirFormulaire(); }
    seanceId = id; version = -1; dernierEtat = null;
    $("changements").textContent = ""; $("lien-fiche-envoye").textContent = "";
    viderOrientation(); $("form-sans-solution").reset();
    $("lien-fiche").href = `${BASE}seances/${id}/fiche`;
    $("lien-pdf").href = `${BASE}seances/${id}/fiche.pdf`;
    afficherEtat(await api(`api/seances/${id}${nonEligibles()}`), true);
    montrer("seance");
    direct();
  }

  const nonEligibles = () => ($("voir-non-eligibles").checked ? "?non_eligibles=1" : "");

  function remplirFormulaire() {
    const options = (select, valeurs) => {
      select.append(el("option", { value: "", texte: "—" }));
      ajouterOptions(select, valeurs);
    };
    options($("p-situation"), referentiel.situations);
    options($("p-diplome"), referentiel.diplomes);
    for (const [code, libelle] of Object.entries(referentiel.domaines)) {
      const id = `p-domaine-${code}`;
      $("p-domaines").append(el("div", { classe: "case" }, el("input", { type: "checkbox", id, value: code }), el("label", { for: id, texte: libelle })));
    }
  }

  function afficherEtat(etat, formulaireAussi) {
    const precedent = dernierEtat;
    dernierEtat = etat;
    version = etat.version;
    const s = etat.seance;
    $("titre-seance").textContent = `Séance du ${date(s.cree_le)}`;
    const partage = s.mode === "sans_telephone" ? TEXTES.sansTelephone : TEXTES.partage[s.partage];
    $("seance-etat").textContent = `${TEXTES.statut[s.statut]} · ${partage}`;
    $("bouton-terminer").textContent = s.statut === "terminee" ? TEXTES.reprendre : TEXTES.terminer;
    const montrerCode = s.mode === "chat" && ["sans", "refuse"].includes(s.partage) && s.statut === "en_cours";
    $("panneau-code").hidden = !montrerCode;
    if (montrerCode && s.code) {
      $("code").textContent = s.code.code;
      $("qr").src = `${BASE}api/seances/${s.id}/qr.svg?c=${encodeURIComponent(s.code.code)}`;
      $("code-expire").textContent = TEXTES.expire(heure(s.code.expire_le));
    } else if (montrerCode) {
      $("code").textContent = "—"; $("qr").removeAttribute("src"); $("code-expire").textContent = "";
    }
    $("bouton-envoyer").disabled = s.partage !== "actif";
    $("bouton-lien-fiche").disabled = s.partage !== "actif";
    if (formulaireAussi || !$("form-profil").contains(document.activeElement)) { remplirProfil(etat.profil); }
    $("manquants").textContent = etat.manquants.length
      ? TEXTES.manque + etat.manquants.map((m) => TEXTES.champs[m] || m).join(", ") : TEXTES.aucunManque;
    afficherReco($("liste-reco"), etat.recommandations.formations, true);
    $("reco-resume").textContent = etat.recommandations.nombre ? TEXTES.nombre(etat.recommandations.nombre) : TEXTES.aucuneReco;
    $("liste-non-eligibles").hidden = !etat.non_eligibles;
    if (etat.non_eligibles) { afficherReco($("liste-non-eligibles"), etat.non_eligibles, false); }
    afficherMessages(etat.messages);
    if (document.activeElement !== $("etapes")) { $("etapes").value = etat.etapes || ""; }
    const notes = $("notes");
    notes.textContent = "";
    for (const n of etat.notes) { notes.append(el("li", { texte: `${date(n.le)} · ${n.auteur} (${TEXTES.visibilite[n.visibilite]}) : ${n.texte}` })); }
    remplirFormations(etat.recommandations.formations);
    const sans = etat.sans_solution;
    $("sans-solution").hidden = !sans;
    $("sans-solution-texte").textContent = sans ? TEXTES.sansSolution(TEXTES.motifSansSolution[sans.motif] || sans.motif, sans.commentaire) : "";
    if (!precedent || JSON.stringify(precedent.orientations) !== JSON.stringify(etat.orientations)) { afficherOrientations(etat.orientations); }
  }

  function remplirProfil(p) {
    $("p-situation").value = p.situation || "";
    $("p-age").value = p.age == null ? "" : Math.round(p.age);
    $("p-diplome").value = p.diplome || "";
    $("p-commune").value = p.commune || "";
    $("p-rayon").value = p.rayon_km || 30;
    $("p-distanciel").checked = Boolean(p.distanciel);
    for (const c of $("p-domaines").querySelectorAll("input")) { c.checked = (p.interets || []).includes(c.value); }
  }

  function afficherReco(liste, formations, actions) {
    liste.textContent = "";
    const exclues = (dernierEtat && dernierEtat.profil.formations_exclues) || [];
    for (const f of formations) {
      const titre = el("h3", { texte: `${f.rang}. ${f.intitule}` });
      const infos = el("p", { texte: `${f.textes.organisme} · ${f.textes.lieu} · ${f.textes.duree} · ${f.textes.cout}` });
      const score = el("p", { classe: "aide", texte: `${TEXTES.score} ${Number(f.score).toFixed(2)}${f.marque ? ` · ${TEXTES.marque[f.marque]}` : ""}` });
      const raisons = el("ul", {}, ...(f.raisons || []).map((r) => el("li", { texte: r })));
      const li = el("li", { classe: `carte ${f.marque || ""}` }, titre, infos, score, raisons);
      if (f.blocages && f.blocages.length) { li.append(el("p", { classe: "bloque", texte: TEXTES.bloque + f.blocages.join(" ; ") })); }
      li.append(el("p", { classe: "source", texte: f.textes.source }));
      if (actions) {
        const boutons = el("div", { classe: "actions" });
        const marquer = (marque, texte) => {
          const b = el("button", { type: "button", classe: "secondaire", texte, "aria-label": `${texte} : ${f.intitule}` });
          b.addEventListener("click", essayer(async () => afficherEtat(await api(`api/seances/${seanceId}/marques${nonEligibles()}`, { method: "POST", corps: { formation_id: f.id, marque } }))));
          boutons.append(b);
        };
        if (f.marque) { marquer(null, TEXTES.annulerMarque); } else { marquer("a_contacter", TEXTES.aContacter); marquer("ecartee", TEXTES.ecarter); }
        const exclure = el("button", { type: "button", classe: "lien", texte: TEXTES.exclure, "aria-label": `${TEXTES.exclure} : ${f.intitule}` });
        exclure.addEventListener("click", essayer(async () => criteres({ formations_exclues: [...exclues, f.id] })));
        const orienter = el("button", { type: "button", classe: "lien", texte: TEXTES.orienter, "aria-label": `${TEXTES.orienter} : ${f.intitule}` });
        orienter.addEventListener("click", () => {
          $("orientation-vers-formation").checked = true;
          modeOrientation();
          $("orientation-formation").value = f.id;
          $("orientation-formation").focus();
        });
        boutons.append(exclure, orienter);
        li.append(boutons);
      }
      liste.append(li);
    }
  }

  function afficherMessages(messages) {
    const liste = $("messages");
    const bas = liste.scrollTop + liste.clientHeight >= liste.scrollHeight - 20;
    liste.textContent = "";
    for (const m of messages) {
      // The chat's **bold** marks are shown as plain text here.
      const texte = m.texte != null ? m.texte.replace(/\*\*/g, "") : TEXTES.formationsProposees(m.formations);
      liste.append(el("li", { classe: `message ${m.de}` }, el("span", { classe: "qui", texte: `${TEXTES.de[m.de]} · ${heure(m.le)}` }), el("span", { texte })));
    }
    if (bas) { liste.scrollTop = liste.scrollHeight; }
  }

  // --- referrals and "aucune solution trouvée" ---------------------------------------------
  function afficherOrientations(orientations) {
    const liste = $("liste-orientations");
    // The list is rebuilt: focus goes back to the same status select.
    const focus = liste.contains(document.activeElement) ? document.activeElement.id : "";
    liste.textContent = "";
    $("orientations-vide").hidden = orientations.length > 0;
    for (const o of orientations) {
      const cible = o.intitule || o.structure || TEXTES.formationRetiree(o.formation_id);
      const id = `orientation-statut-${o.id}`;
      const select = el("select", { id });
      ajouterOptions(select, TEXTES.statutOrientation);
      select.value = o.statut;
      select.addEventListener("change", essayer(async () => {
        try {
          afficherEtat(await api(`api/seances/${seanceId}/orientation_statut${nonEligibles()}`, { method: "POST", corps: { orientation_id: o.id, statut: select.value } }));
        } catch (e) { select.value = o.statut; throw e; }
        annoncer(TEXTES.statutMisAJour);
      }));
      liste.append(el("li", { classe: `orientation statut-${o.statut}` },
        el("p", { classe: "cible", texte: cible }),
        el("p", { classe: "aide", texte: TEXTES.orienteeLe(jour(o.date)) + (o.motif ? ` · ${TEXTES.motif}${o.motif}` : "") }),
        el("div", { classe: "statut-orientation" },
          el("label", { for: id, texte: TEXTES.libelleStatut }, el("span", { classe: "visuellement-cache", texte: TEXTES.statutDe(cible) })),
          select)));
    }
    if (focus && $(focus)) { $(focus).focus(); }
  }

  // The training choices are the current recommendations; the choice made is kept.
  function remplirFormations(formations) {
    const select = $("orientation-formation");
    if (document.activeElement === select) { return; }
    const choisie = select.value;
    select.textContent = "";
    select.append(el("option", { value: "", texte: formations.length ? TEXTES.choisirFormation : TEXTES.aucuneFormation }));
    for (const f of formations) { select.append(el("option", { value: f.id, texte: `${f.intitule} (${f.textes.organisme})` })); }
    select.value = formations.some((f) => f.id === choisie) ? choisie : "";
  }

  function modeOrientation() {
    const formation = $("orientation-vers-formation").checked;
    $("bloc-orientation-formation").hidden = !formation;
    $("orientation-formation").disabled = !formation;
    $("bloc-orientation-structure").hidden = formation;
    $("orientation-structure").disabled = formation;
  }

  function viderOrientation() {
    $("form-orientation").reset();
    $("orientation-date").value = aujourdhui();
    modeOrientation();
  }

  ajouterOptions($("sans-solution-motif"), TEXTES.motifSansSolution);
  for (const radio of document.querySelectorAll("input[name='orientation-vers']")) { radio.addEventListener("change", modeOrientation); }

  $("form-orientation").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    const cible = $("orientation-vers-formation").checked
      ? { formation_id: $("orientation-formation").value } : { structure: $("orientation-structure").value.trim() };
    const corps = { ...cible, motif: $("orientation-motif").value.trim(), date: $("orientation-date").value };
    afficherEtat(await api(`api/seances/${seanceId}/orientations${nonEligibles()}`, { method: "POST", corps }));
    viderOrientation();
    annoncer(TEXTES.orientationEnregistree);
  }));

  const sansSolution = (motif, commentaire) => api(`api/seances/${seanceId}/sans_solution${nonEligibles()}`, { method: "POST", corps: { motif, commentaire } });
  $("form-sans-solution").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    afficherEtat(await sansSolution($("sans-solution-motif").value, $("sans-solution-commentaire").value.trim()));
    $("form-sans-solution").reset();
    annoncer(TEXTES.sansSolutionNotee);
  }));
  $("bouton-retirer-sans-solution").addEventListener("click", essayer(async () => {
    afficherEtat(await sansSolution(null, ""));
    $("sans-solution-motif").focus();
    annoncer(TEXTES.sansSolutionRetiree);
  }));

  async function criteres(valeurs) {
    const etat = await api(`api/seances/${seanceId}/criteres${nonEligibles()}`, { method: "POST", corps: { criteres: valeurs } });
    afficherEtat(etat, true);
    const c = etat.changements;
    const morceaux = [];
    if (c.ajoutees.length) { morceaux.push(TEXTES.ajoutees + c.ajoutees.join(", ")); }
    if (c.retirees.length) { morceaux.push(TEXTES.retirees + c.retirees.join(", ")); }
    $("changements").textContent = morceaux.length ? morceaux.join(". ") : TEXTES.rienChange;
  }

  $("form-profil").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    const domaines = [...$("p-domaines").querySelectorAll("input:checked")].map((c) => c.value);
    const age = $("p-age").value.trim();
    const p = dernierEtat.profil;
    const valeurs = {};
    const si = (nom, valeur, actuel) => { if (String(valeur ?? "") !== String(actuel ?? "")) { valeurs[nom] = valeur === "" ? null : valeur; } };
    si("situation", $("p-situation").value, p.situation);
    si("age", age === "" ? "" : Number(age), p.age == null ? "" : Math.round(p.age));
    si("diplome", $("p-diplome").value, p.diplome);
    si("commune", $("p-commune").value.trim(), p.commune);
    si("rayon_km", Number($("p-rayon").value || 30), p.rayon_km);
    if ($("p-distanciel").checked !== Boolean(p.distanciel)) { valeurs.distanciel = $("p-distanciel").checked; }
    if (domaines.join() !== (p.interets || []).join()) { valeurs.interets = domaines; }
    await criteres(valeurs);
  }));

  $("voir-non-eligibles").addEventListener("change", essayer(async () => afficherEtat(await api(`api/seances/${seanceId}${nonEligibles()}`))));
  $("bouton-envoyer").addEventListener("click", essayer(async () => { afficherEtat(await api(`api/seances/${seanceId}/envoyer${nonEligibles()}`, { method: "POST" })); annoncer(TEXTES.envoye); }));
  $("bouton-code").addEventListener("click", essayer(async () => afficherEtat(await api(`api/seances/${seanceId}/code`, { method: "POST" }))));
  $("bouton-terminer").addEventListener("click", essayer(async () => {
    const statut = dernierEtat.seance.statut === "terminee" ? "en_cours" : "terminee";
    afficherEtat(await api(`api/seances/${seanceId}/statut`, { method: "POST", corps: { statut } }));
  }));
  $("form-etapes").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    afficherEtat(await api(`api/seances/${seanceId}/etapes`, { method: "POST", corps: { texte: $("etapes").value } }));
    annoncer(TEXTES.etapesEnregistrees);
  }));
  $("form-note").addEventListener("submit", essayer(async (ev) => {
    ev.preventDefault();
    afficherEtat(await api(`api/seances/${seanceId}/notes`, { method: "POST", corps: { texte: $("note").value, visibilite: $("note-visibilite").value } }));
    $("note").value = "";
    annoncer(TEXTES.noteAjoutee);
  }));
  $("bouton-lien-fiche").addEventListener("click", essayer(async () => {
    const etat = await api(`api/seances/${seanceId}/lien_fiche`, { method: "POST" });
    afficherEtat(etat);
    $("lien-fiche-envoye").textContent = TEXTES.ficheEnvoyee + etat.lien_fiche;
  }));

  // --- live updates: long polling ----------------------------------------------------------
  function arreterDirect() { if (attente) { attente.abort(); attente = null; } }

  async function direct() {
    arreterDirect();
    const controle = new AbortController();
    attente = controle;
    const id = seanceId;
    while (!controle.signal.aborted && id === seanceId) {
      try {
        const etat = await api(`api/seances/${id}/attendre?version=${version}${nonEligibles().replace("?", "&")}`, { signal: controle.signal });
        if (!etat.inchange && id === seanceId) { afficherEtat(etat); }
        erreur("");
      } catch (e) {
        if (e.name === "AbortError" || e.status === 401 || e.status === 404) { return; }
        erreur(TEXTES.horsLigne);
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  }

  // --- routes (#/seances, #/seances/<id>) --------------------------------------------------
  async function route() {
    erreur("");
    if (!compte) { montrer("connexion"); return; }
    // A regional planner reads the map only (the sessions API answers 403).
    if (compte.role === "territoire") { location.replace(`${BASE}pilotage/carte`); return; }
    const m = location.hash.match(/^#\/seances\/([0-9a-f]{32})$/);
    try {
      if (m) { await ouvrirSeance(m[1]); } else { await afficherListe(); }
    } catch (e) {
      erreur(e.message);
      if (m) { location.hash = "#/seances"; }
    }
  }
  window.addEventListener("hashchange", route);
  demarrer();
})();
