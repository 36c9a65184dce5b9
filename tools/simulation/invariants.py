"""The seven invariants, checked on a recorded conversation (pure functions, no server).

inv1  results (a `recommandations` payload) or an honest "nothing found" within N turns
inv2  the same question is never asked three times in a row
inv3  the final profile equals the facts the persona gave (canonical values)
inv4  every card is open to the persona, or flagged with its reason
inv5  "plus près", "plus loin", "à distance", "d'autres" change the results or say why not
inv6  no internal strings reach the person (ids, paths, hashes, reprs, "15.0 km", "(s)")
inv7  every HTTP answer is 200 with at least one message (and not the "souci technique"
      notice that an action failed)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.contract import DIPLOMES
from tools.simulation.modele import (
    Conversation,
    Echec,
    Tour,
    a_des_resultats,
    normaliser,
    payload_recommandations,
    textes_bot,
    textes_visibles,
)

INVARIANTS = ("inv1", "inv2", "inv3", "inv4", "inv5", "inv6", "inv7")
NOMS = {
    "inv1": "résultats (ou « rien trouvé » honnête) en 20 tours au plus",
    "inv2": "jamais trois fois de suite la même question",
    "inv3": "profil final = faits donnés par la personne",
    "inv4": "chaque carte ouverte à la personne, ou signalée avec sa raison",
    "inv5": "« plus près », « plus loin », « à distance », « d'autres » changent les résultats "
    "ou disent pourquoi pas",
    "inv6": "aucune chaîne interne montrée à la personne",
    "inv7": "chaque réponse HTTP : 200 avec au moins un message (pas « souci technique »)",
}
MAX_TOURS = 20


def tours_avant_resultat(conv: Conversation) -> int | None:
    """Number of messages the person sent until the first results (or honest no-result)."""
    for tour in conv.tours:
        if a_des_resultats(tour):
            return tour.numero
    return None


def inv1(conv: Conversation, max_tours: int = MAX_TOURS) -> list[Echec]:
    n = tours_avant_resultat(conv)
    if n is not None and n <= max_tours:
        return []
    dernier = conv.tours[-1] if conv.tours else None
    dit = (textes_bot(dernier) or [""])[-1][:80] if dernier else ""
    detail = (
        f"{len(conv.tours)} tours sans résultat, question en cours : "
        f"{dernier.requested_slot if dernier else None} ; dernier message : {dit}"
        if n is None
        else f"premiers résultats au tour {n}"
    )
    return [Echec("inv1", "pas_de_resultat" if n is None else "trop_long", None, detail)]


# Questions about the same slot that are not the same question: the "je sais pas" help
# (other choices) and "which of these towns?".
SOUS_QUESTIONS = frozenset(
    {"utter_explorer_interets_1", "utter_explorer_interets_2", "utter_commune_ambigue"}
)


def cle_question(tour: Tour) -> tuple[str, str] | None:
    """Which question the assistant is asking at the end of the turn: the slot the form
    requests (a rephrased question about the same slot is the same question), or the
    help question of `SOUS_QUESTIONS` that asked it."""
    if tour.statut != 200 or tour.requested_slot is None:
        return None
    derniere = tour.modeles[-1] if tour.modeles else ""
    return tour.requested_slot, derniere if derniere in SOUS_QUESTIONS else ""


def inv2(conv: Conversation) -> list[Echec]:
    echecs: list[Echec] = []
    precedente, suite = None, 0
    for tour in conv.tours:
        cle = cle_question(tour)
        suite = suite + 1 if cle is not None and cle == precedente else 1
        precedente = cle
        if cle is not None and suite == 3:
            dit = (textes_bot(tour) or [""])[-1][:120]
            echecs.append(Echec("inv2", f"question_repetee:{cle[0]}", tour.numero, dit))
    return echecs


def inv3(conv: Conversation) -> list[Echec]:
    slots, echecs = conv.slots_finaux, []
    for champ, attendu in conv.attendus.items():
        obtenu = slots.get(champ)
        if champ == "age":
            ok = obtenu is not None and float(obtenu) == float(attendu)
        elif champ == "commune":
            ok = normaliser(obtenu or "") == normaliser(attendu)
        elif champ == "interets":
            ok = set(obtenu or []) == set(attendu)
        else:
            ok = obtenu == attendu
        if not ok:
            sorte = f"{champ}_absent" if obtenu in (None, []) else champ
            echecs.append(Echec("inv3", sorte, None, f"attendu {attendu!r}, obtenu {obtenu!r}"))
    return echecs


# --- inv4: eligibility of each card, read from the payload only ------------------------
_DIPLOME_LIBELLES = {
    "aucun diplôme": "aucun",
    "brevet": "brevet",
    "cap ou bep": "cap_bep",
    "bac": "bac",
    "bac +2": "bac_plus_2",
    "bac +3 ou plus": "bac_plus_3",
}
_SITUATION_LIBELLES = {
    "jeunes qui ont arrêté l'école": "decrocheur",
    "demandeurs d'emploi": "demandeur_emploi",
    "salariés": "salarie",
    "élèves et étudiants": "etudiant",
    "autres situations": "autre",
}
_BANDE = re.compile(r"(?:^| – )(?:de (\d+) à (\d+) ans|dès (\d+) ans|jusqu'à (\d+) ans)$")
_BLOCAGES = re.compile(r"^(à partir de \d+ ans|jusqu'à \d+ ans|demande au moins|réservée)")
_NIVEAU = re.compile(r"niveau demandé : ([^)]+)\)")
_RESERVEE = re.compile(r"^réservée à : (.+)$")


def bande_age(public: str) -> tuple[int | None, int | None] | None:
    """Age band the card shows ("de 16 à 25 ans", "dès 18 ans"), None when none."""
    m = _BANDE.search(public or "")
    if not m:
        return None
    a, b, des, jusqu = (int(x) if x else None for x in m.groups())
    return (a, b) if a is not None else (des, None) if des is not None else (None, jusqu)


def verdict_carte(
    carte: dict[str, Any], persona: dict[str, Any], profil_bot: dict[str, Any]
) -> tuple[str, str]:
    """("ok" | "inconnu" | "signalee" | "signalee_sans_raison" | "incoherente" |
    "non_eligible", why) for one card and the persona's true facts."""
    raisons = [str(r) for r in carte.get("raisons") or []]
    blocages = [str(r) for r in carte.get("blocages") or []]
    blocages += [r for r in raisons if _BLOCAGES.match(r)]
    if carte.get("eligible") is False:
        return ("signalee", "; ".join(blocages)) if blocages else ("signalee_sans_raison", "")
    if blocages:
        return "incoherente", "éligible mais " + "; ".join(blocages)
    ko, inconnu = [], []
    age = persona.get("age")
    bande = bande_age(str((carte.get("textes") or {}).get("public") or ""))
    if bande and age is not None:
        mini, maxi = bande
        if (mini is not None and age < mini) or (maxi is not None and age > maxi):
            ko.append(f"âge {age} hors de {mini}-{maxi}")
    niveaux = [_NIVEAU.search(r) for r in raisons]
    minimum = next((_DIPLOME_LIBELLES.get(m.group(1)) for m in niveaux if m), None)
    if any(r == "accessible sans diplôme" for r in raisons):
        minimum = "aucun"
    diplome = persona.get("diplome")
    if minimum is None or diplome not in DIPLOMES:
        inconnu.append("diplôme")
    elif DIPLOMES.index(diplome) < DIPLOMES.index(minimum):
        ko.append(f"diplôme {diplome} < {minimum}")
    situation = persona.get("situation")
    if any(r == "pensée pour les personnes dans ta situation" for r in raisons):
        if profil_bot.get("situation") != situation:
            inconnu.append("public")
    elif profil_bot.get("situation") is None:
        inconnu.append("public")
    if ko:
        return "non_eligible", "; ".join(ko)
    return ("inconnu", "non précisé : " + ", ".join(inconnu)) if inconnu else ("ok", "")


def inv4(conv: Conversation) -> tuple[list[Echec], Counter[str]]:
    """Failures, and the verdict of every distinct card shown."""
    echecs, verdicts, vues = [], Counter[str](), set()
    for tour in conv.tours:
        payload = payload_recommandations(tour)
        if not payload:
            continue
        for carte in payload.get("formations") or []:
            cle = carte.get("id") or carte.get("intitule")
            if cle in vues:
                continue
            vues.add(cle)
            verdict, pourquoi = verdict_carte(carte, conv.persona, payload.get("profil") or {})
            verdicts[verdict] += 1
            if verdict in ("non_eligible", "incoherente", "signalee_sans_raison"):
                detail = f"{carte.get('intitule')} ({carte.get('organisme')}) : {pourquoi}"
                echecs.append(Echec("inv4", verdict, tour.numero, detail))
    return echecs, verdicts


# --- inv5: the follow-ups after the results -------------------------------------------
EXPLICATION = re.compile(
    r"toutes les formations|déjà|les mêmes|rien de plus|aucune autre|pas d'autres?\b|"
    r"pas plus (près|loin)|aucune formation|rien (trouvé|dans|près|de nouveau)|n'y a pas|"
    r"je n'ai (rien|pas|aucune)|mêmes résultats|il me faut ta ville",
    re.IGNORECASE,
)


def _ids(payload: dict[str, Any] | None) -> list[str]:
    return [str(c.get("id")) for c in (payload or {}).get("formations") or []]


def _sens(suite: str, avant: dict[str, Any], apres: dict[str, Any]) -> str | None:
    """Why the new search goes the wrong way, if it does."""
    r0, r1 = avant.get("rayon_km"), apres.get("rayon_km")
    if suite == "plus_pres" and r0 is not None and r1 is not None and r1 >= r0:
        return f"rayon {r0} → {r1} km"
    if suite == "plus_loin" and r0 is not None and r1 is not None and r1 <= r0:
        return f"rayon {r0} → {r1} km"
    if suite == "a_distance" and not apres.get("distanciel"):
        return "distanciel toujours faux"
    return None


def inv5(conv: Conversation) -> list[Echec]:
    echecs, precedent, etat = [], None, {}
    for tour in conv.tours:
        payload = payload_recommandations(tour)
        if tour.intention.startswith("suite:") and precedent is not None:
            suite = tour.intention.split(":", 1)[1]
            if payload is not None:
                # The radius before this request: the state after the previous message
                # ("plus loin" with nothing more keeps 90 km without new cards).
                avant = etat or precedent.get("profil") or {}
                sens = _sens(suite, avant, payload.get("profil") or {})
                if sens:
                    echecs.append(Echec("inv5", f"sens_inverse:{suite}", tour.numero, sens))
            change = payload is not None and _ids(payload) != _ids(precedent)
            explique = any(EXPLICATION.search(t) for t in textes_bot(tour))
            if not change and not explique:
                # Same cards again, or no new search at all (the request was not understood).
                sorte = "inchange" if payload is not None else "sans_recherche"
                premier = (textes_bot(tour) or ["(pas de texte)"])[0][:120]
                echecs.append(Echec("inv5", f"{sorte}:{suite}", tour.numero, premier))
        if payload is not None:
            precedent = payload
        etat = tour.slots or etat
    return echecs


# --- inv6: internal strings --------------------------------------------------------------
_URL = re.compile(r"https?://\S+|www\.\S+")
MOTIFS_INTERNES: dict[str, re.Pattern[str]] = {
    "identifiant": re.compile(r"\b[a-z]{2,6}-[a-z]{2,6}-\d{2,5}\b|\b[0-9a-f]{32}\b"),
    "chemin": re.compile(
        r"\b[\w.-]+\.(?:py|ya?ml|jsonl?|csv|db|tar\.gz)\b|"
        r"(?:^|\s)(?:bot|knowledge|data|domain|models|var|tools)/\w"
    ),
    "hash_commit": re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"),
    "repr_python": re.compile(
        r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|object at 0x|Traceback|\{'|'\}|\[\]|"
        r"\{[a-z_]+\}|<[\w.]+ object"
    ),
    "point_zero": re.compile(r"\d\.0\s*(?:km|ans?\b|mois|heures?\b|h\b|€|%)"),
    "depot_non_identifie": re.compile(r"d[ée]p[ôo]t non identifi", re.IGNORECASE),
    "pluriel_parentheses": re.compile(r"\w\((?:s|x|es)\)"),
}


def chaines_internes(texte: str) -> list[tuple[str, str]]:
    """(kind, excerpt) of every internal string in a text the person reads."""
    propre = _URL.sub(" ", texte)
    trouve = []
    for sorte, motif in MOTIFS_INTERNES.items():
        for m in motif.finditer(propre):
            debut = max(0, m.start() - 25)
            trouve.append((sorte, propre[debut : m.end() + 10].replace("\n", " ").strip()))
    return trouve


def inv6(conv: Conversation) -> list[Echec]:
    echecs, vus = [], set()
    for tour in conv.tours:
        for texte in textes_visibles(tour):
            for sorte, extrait in chaines_internes(texte):
                if (sorte, extrait) not in vus:
                    vus.add((sorte, extrait))
                    echecs.append(Echec("inv6", sorte, tour.numero, extrait))
    return echecs


SOUCI_TECHNIQUE = "souci technique"


def inv7(conv: Conversation) -> list[Echec]:
    echecs = []
    for tour in conv.tours:
        if tour.statut != 200:
            sorte = "pas_de_reponse" if tour.statut == 0 else f"http_{tour.statut}"
            echecs.append(Echec("inv7", sorte, tour.numero, tour.message[:80]))
        elif not tour.reponses:
            echecs.append(Echec("inv7", "reponse_vide", tour.numero, tour.message[:80]))
        elif any(SOUCI_TECHNIQUE in t for t in textes_bot(tour)):
            # A 200 that only says an action failed on the server.
            echecs.append(Echec("inv7", "souci_technique", tour.numero, tour.message[:80]))
    return echecs


VERIFICATEURS: dict[str, Callable[[Conversation], list[Echec]]] = {
    "inv1": inv1,
    "inv2": inv2,
    "inv3": inv3,
    "inv4": lambda c: inv4(c)[0],
    "inv5": inv5,
    "inv6": inv6,
    "inv7": inv7,
}


def verifier(conv: Conversation) -> Conversation:
    """Checks every invariant; fills `echecs` and `verdicts_cartes`."""
    conv.echecs = [e for nom in INVARIANTS for e in VERIFICATEURS[nom](conv)]
    conv.verdicts_cartes = dict(inv4(conv)[1])
    return conv
