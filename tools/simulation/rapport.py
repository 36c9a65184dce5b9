"""Summary of a run: turn distribution, failures by kind, worst conversations; Markdown."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from tools.simulation.invariants import INVARIANTS, NOMS, tours_avant_resultat
from tools.simulation.modele import Conversation, aucun_resultat, payload_recommandations
from tools.simulation.personas import OUTRE_MER, Lieu, Persona, resume

MARQUEUR_NOTES = "<!-- notes : le texte qui suit est gardé quand le rapport est refait -->"
TRANCHES = [(1, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9), (10, 10), (11, 12), (13, 15), (16, 20)]


def centile(valeurs: list[int], q: float) -> int:
    """The q-quantile (nearest rank) of a non-empty list."""
    ordre = sorted(valeurs)
    return ordre[max(0, min(len(ordre) - 1, math.ceil(q * len(ordre)) - 1))]


def resumer(convs: list[Conversation], max_tours: int = 20) -> dict[str, Any]:
    """Figures of a run (JSON-serialisable)."""
    tours = [t for c in convs if (t := tours_avant_resultat(c)) is not None]
    par_inv: dict[str, dict[str, int]] = {i: {"conversations": 0, "echecs": 0} for i in INVARIANTS}
    par_sorte: Counter[str] = Counter()
    conv_par_sorte: Counter[str] = Counter()
    exemples: dict[str, str] = {}
    for c in convs:
        for inv in {e.invariant for e in c.echecs}:
            par_inv[inv]["conversations"] += 1
        for e in c.echecs:
            par_inv[e.invariant]["echecs"] += 1
            cle = f"{e.invariant}/{e.sorte}"
            par_sorte[cle] += 1
            exemples.setdefault(cle, e.detail)
        for cle in {f"{e.invariant}/{e.sorte}" for e in c.echecs}:
            conv_par_sorte[cle] += 1
    histogramme = {
        f"{a}" if a == b else f"{a}-{b}": sum(a <= t <= b for t in tours) for a, b in TRANCHES
    }
    histogramme[f"> {max_tours} ou jamais"] = len(convs) - sum(t <= max_tours for t in tours)
    verdicts: Counter[str] = Counter()
    intentions: Counter[str] = Counter()
    for c in convs:
        verdicts.update(c.verdicts_cartes)
        for t in c.tours:
            sorte = t.intention if t.intention.startswith("suite:") else t.intention.split(":")[0]
            intentions[sorte] += 1
            intentions["bouton"] += t.bouton is not None
    return {
        "conversations": len(convs),
        "messages": sum(len(c.tours) for c in convs),
        "avec_cartes": sum(any(payload_recommandations(t) for t in c.tours) for c in convs),
        "rien_trouve": sum(any(aucun_resultat(t) for t in c.tours) for c in convs),
        "tours_premier_resultat": {
            "mediane": statistics.median(tours) if tours else None,
            "p90": centile(tours, 0.9) if tours else None,
            "max": max(tours) if tours else None,
            "histogramme": histogramme,
        },
        "invariants": par_inv,
        "sortes": {
            k: {"echecs": v, "conversations": conv_par_sorte[k], "exemple": exemples[k]}
            for k, v in sorted(par_sorte.items())
        },
        "cartes": dict(verdicts),
        "intentions": dict(intentions.most_common()),
        "personas": personas(convs),
        "suites": suites(convs),
        "erreurs_simulateur": sum(c.erreur is not None for c in convs),
    }


def personas(convs: list[Conversation]) -> dict[str, dict[str, int]]:
    """Who was simulated: situations, diplomas, ages, places, interests, registers."""
    out: dict[str, Counter[str]] = {
        k: Counter()
        for k in ("situation", "diplome", "age", "lieu", "interets", "registre", "habitudes")
    }
    for c in convs:
        p = c.persona
        out["situation"][p["situation"]] += 1
        out["diplome"][p["diplome"]] += 1
        age = p["age"]
        out["age"][
            "15" if age < 16 else "16-25" if age <= 25 else "26-30" if age <= 30 else "31-60"
        ] += 1
        lieu = p["lieu"]
        out["lieu"][
            "outre-mer"
            if lieu["departement"] in OUTRE_MER
            else "village (< 2 000 hab.)"
            if lieu["population"] < 2000
            else "ville de 2 000 à 100 000 hab."
            if lieu["population"] < 100_000
            else "grande ville"
        ] += 1
        out["interets"][
            "aucune idée"
            if not p["interets"]
            else "un domaine"
            if len(p["interets"]) == 1
            else "deux domaines"
        ] += 1
        out["registre"][p["registre"]] += 1
        for trait in (
            "fautes",
            "emoji",
            "clics",
            "volontaire",
            "desordre",
            "interjections",
            "correction",
            "hesite_diplome",
            "departement_seul",
        ):
            out["habitudes"][trait] += bool(p.get(trait))
    return {k: dict(v.most_common()) for k, v in out.items()}


MIN_FORMULATION = 10  # a follow-up phrasing gets its own row from this many uses


def suites(convs: list[Conversation]) -> dict[str, dict[str, dict[str, int]]]:
    """For each follow-up (plus près...), each phrasing: uses and inv5 failures by kind."""
    brut: dict[str, dict[str, Counter[str]]] = {}
    for c in convs:
        echecs = {(e.tour, e.sorte.split(":")[0]) for e in c.echecs if e.invariant == "inv5"}
        for t in c.tours:
            if not t.intention.startswith("suite:"):
                continue
            phrase = f"[bouton « {t.bouton} »]" if t.bouton else t.message
            compte = brut.setdefault(t.intention[6:], {}).setdefault(phrase, Counter())
            compte["fois"] += 1
            compte.update(sorte for n, sorte in echecs if n == t.numero)
    out: dict[str, dict[str, dict[str, int]]] = {}
    for suite, phrases in brut.items():
        rangees: dict[str, Counter[str]] = {}
        for phrase, compte in sorted(phrases.items(), key=lambda x: -x[1]["fois"]):
            cle = (
                phrase
                if compte["fois"] >= MIN_FORMULATION
                else "(autres : fautes de frappe, emoji…)"
            )
            rangees.setdefault(cle, Counter()).update(compte)
        out[suite] = {k: dict(v) for k, v in rangees.items()}
    return out


# Weight of each invariant when ranking the worst conversations.
POIDS = {"inv1": 5, "inv7": 5, "inv3": 4, "inv4": 4, "inv2": 3, "inv5": 2, "inv6": 1}


def gravite(c: Conversation) -> tuple[int, int, int]:
    """Sort key of the worst conversations: weighted invariants failed, failures, turns."""
    return (sum(POIDS[i] for i in {e.invariant for e in c.echecs}), len(c.echecs), len(c.tours))


_CARTE = re.compile(r"^\d+\. \*\*")


def _court(texte: str, n: int = 160) -> str:
    texte = " ".join(texte.split()).replace("|", "\\|")
    return texte if len(texte) <= n else texte[: n - 1] + "…"


def extrait(c: Conversation, max_tours: int = 14) -> list[str]:
    """Transcript lines of a conversation (cards and long notices shortened)."""
    lignes = []
    marques = {e.tour for e in c.echecs if e.tour}
    for t in c.tours[:max_tours]:
        dit = t.bouton and f"[bouton « {t.bouton} »]" or t.message
        drapeau = " ⚠" if t.numero in marques else ""
        lignes.append(f"- **{t.numero}.** 👤 {_court(dit, 120)} _({t.intention})_{drapeau}")
        textes = [m["text"] for m in t.reponses if isinstance(m, dict) and m.get("text")]
        cartes = sum(bool(_CARTE.match(x)) for x in textes)
        bot = [_court(x, 140) for x in textes if not _CARTE.match(x)][:3]
        if cartes:
            bot.append(f"[{cartes} carte(s) de formation]".replace("(s)", "s"))
        if t.statut != 200:
            bot = [f"HTTP {t.statut}"]
        lignes.append(f"  🤖 {' / '.join(bot) or '(rien)'}")
    if len(c.tours) > max_tours:
        lignes.append(f"- … {len(c.tours) - max_tours} tours de plus")
    return lignes


def markdown(
    convs: list[Conversation],
    meta: dict[str, Any],
    strict: list[str],
) -> str:
    """The French report (docs/simulation.md)."""
    r = resumer(convs, meta.get("max_tours", 20))
    tp = r["tours_premier_resultat"]
    n = r["conversations"]
    out = [
        "# Simulation de conversations (issue 17)",
        "",
        "Rapport produit par `python -m tools.simulation` : des personnes fictives (personas tirés",
        "au hasard avec une graine) écrivent à Cap Num comme des jeunes écrivent (registres",
        "standard, familier, SMS, fautes, réponses dans le désordre, corrections, questions en",
        "route, hors-sujet, « je sais pas », « ok », emoji) par le vrai webhook du chat web ;",
        "l'état de la conversation est lu par l'API HTTP de Rasa. Sept invariants sont vérifiés",
        "sur chaque conversation. Les données personnelles sont fausses.",
        "",
        "## Exécution",
        "",
        "| | |",
        "|---|---|",
        f"| date | {meta['date']} |",
        f"| machine | {meta['machine']} |",
        f"| code servi | {meta['commit']} |",
        f"| graine | {meta['graine']} |",
        f"| conversations | {n} ({r['messages']} messages envoyés) |",
        f"| parallélisme, pause | {meta['parallele']} conversations à la fois, "
        f"{meta['pause'][0]}-{meta['pause'][1]} s entre deux messages d'une conversation |",
        f"| durée | {meta['duree_s'] / 60:.1f} min ({meta['duree_s']:.0f} s) |",
        f"| réponses 429 attendues | {meta.get('reponses_429', 0)} |",
        f"| résultats | {r['avec_cartes']} conversations avec des cartes, "
        f"{r['rien_trouve']} avec « rien trouvé » |",
        "",
        "## Personas et messages",
        "",
        *_tableaux_personas(r),
        "## Nombre de messages avant les premiers résultats",
        "",
        f"Médiane **{tp['mediane']}**, 90e centile **{tp['p90']}**, maximum **{tp['max']}** "
        "(messages de la personne, premier « bonjour » compris, jusqu'au message qui reçoit les "
        "cartes ou le « rien trouvé »).",
        "",
        "| messages | conversations | part |",
        "|---:|---:|---:|",
    ]
    for tranche, nombre in tp["histogramme"].items():
        out.append(f"| {tranche} | {nombre} | {100 * nombre / max(n, 1):.1f} % |")
    out += [
        "",
        "## Invariants",
        "",
        "| invariant | règle | conversations en échec | échecs | bloquant en CI |",
        "|---|---|---:|---:|---|",
    ]
    for inv in INVARIANTS:
        v = r["invariants"][inv]
        part = f"{v['conversations']} ({100 * v['conversations'] / max(n, 1):.1f} %)"
        out.append(
            f"| {inv} | {NOMS[inv]} | {part} | {v['echecs']} | "
            f"{'oui' if inv in strict else 'non'} |"
        )
    out += [
        "",
        "### Échecs par sorte",
        "",
        "| sorte | conversations | échecs | exemple |",
        "|---|---:|---:|---|",
    ]
    for sorte, v in r["sortes"].items():
        out.append(
            f"| `{sorte}` | {v['conversations']} | {v['echecs']} | {_court(v['exemple'], 110)} |"
        )
    cartes = r["cartes"]
    out += [
        "",
        "### Cartes montrées (inv4), une fois par conversation",
        "",
        "Lu dans la charge utile : tranche d'âge de `textes.public`, niveau demandé et public dans",
        "`raisons`, `eligible`. « inconnu » : la carte ne dit pas le niveau demandé (ou le public,",
        "quand l'assistant a compris une autre situation que celle de la personne).",
        "",
        "| verdict | cartes |",
        "|---|---:|",
    ]
    for verdict in (
        "ok",
        "inconnu",
        "signalee",
        "non_eligible",
        "incoherente",
        "signalee_sans_raison",
    ):
        out.append(f"| {verdict} | {cartes.get(verdict, 0)} |")
    out += [
        "",
        "### Après les résultats : chaque demande et ce qu'elle a donné (inv5)",
        "",
        "« sens inverse » : le rayon change dans l'autre sens (ou « à distance » n'est pas",
        "pris) ; « mêmes cartes » : les mêmes formations, sans dire pourquoi ; « pas de",
        "recherche » : aucune nouvelle liste et aucune explication.",
        "",
        "| demande | formulation | fois | sens inverse | mêmes cartes | pas de recherche |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for suite, phrases in r["suites"].items():
        for phrase, v in phrases.items():
            out.append(
                f"| {suite} | {_court(phrase, 60)} | {v['fois']} | {v.get('sens_inverse', 0)} | "
                f"{v.get('inchange', 0)} | {v.get('sans_recherche', 0)} |"
            )
    out += ["", "## Les dix pires conversations", ""]
    for c in sorted(convs, key=gravite, reverse=True)[:10]:
        persona = Persona(**{**c.persona, "lieu": _lieu(c.persona["lieu"])})
        sortes = Counter(f"{e.invariant}/{e.sorte}" for e in c.echecs)
        out += [
            f"### Conversation {c.numero} : {len(c.tours)} messages",
            "",
            f"Persona : {resume(persona)}.",
            "",
            "Échecs : "
            + ", ".join(f"`{s}`×{k}" if k > 1 else f"`{s}`" for s, k in sortes.most_common())
            + ".",
            "",
            *extrait(c),
            "",
        ]
    out += [
        "## Comment le lancer",
        "",
        "```sh",
        "source scripts/env.sh",
        "# un serveur Rasa et un serveur d'actions lancés, API HTTP ouverte (--enable-api),",
        "# jeton dans CAPNUM_RASA_TOKEN ; CAPNUM_WEB_RATE_ADDRESS=100000 sur un serveur de test",
        "python -m tools.simulation --serveur http://127.0.0.1:5005 --conversations 1000 \\",
        "    --graine 17 --rapport docs/simulation.md",
        "# tranche de CI : sort en erreur si un invariant strict échoue",
        f"python -m tools.simulation --conversations 200 --strict {','.join(strict)}",
        "# refaire le rapport depuis un résultat JSON, sans rejouer",
        "python -m tools.simulation --depuis results/simulation/FICHIER.json "
        "--rapport docs/simulation.md",
        "```",
        "",
        "Résultats complets (chaque conversation, chaque réponse, l'état après chaque message) :",
        "`results/simulation/*.json` (hors de git). Phrases : `tools/simulation/banques/*.yml` ;",
        "tests des parties pures : `tests/unit/test_simulation.py`.",
        "",
    ]
    return "\n".join(out)


INTENTIONS = {
    "ouverture": "premier message (salut, ou plusieurs faits d'un coup)",
    "reponse": "réponse à la question posée",
    "reponse+volontaire": "réponse + un fait pas encore demandé",
    "reformulation": "même réponse redite autrement après une incompréhension",
    "precision": "code postal ou nom précisé",
    "desordre": "répond à une autre question que celle posée",
    "faux": "fait donné faux…",
    "correction": "… puis corrigé (« en fait j'ai 20 ans »)",
    "question": "question en route (« c'est payant ? »)",
    "hors_sujet": "hors-sujet",
    "ok": "« ok », « 👍 »",
    "hesitation": "« je sais pas » au diplôme",
    "partiel": "département seul (« dans le 93 »)",
    "indecis": "« je sais pas » aux intérêts",
    "volontaire": "fait donné sans question en cours",
    "relance": "relance sans fait nouveau",
    "bouton": "dont : bouton touché au lieu d'écrire",
}


def _tableaux_personas(r: dict[str, Any]) -> list[str]:
    lignes = ["| trait | répartition |", "|---|---|"]
    for trait, valeurs in r["personas"].items():
        lignes.append(f"| {trait} | " + ", ".join(f"{k} {v}" for k, v in valeurs.items()) + " |")
    lignes += ["", "| message de la personne | nombre |", "|---|---:|"]
    for sorte, nombre in r["intentions"].items():
        libelle = INTENTIONS.get(sorte, sorte.replace("suite:", "après les résultats : "))
        lignes.append(f"| {libelle} (`{sorte}`) | {nombre} |")
    return lignes + [""]


def _lieu(d: Any) -> Any:
    return Lieu(**{**d, "codes_postaux": tuple(d["codes_postaux"])}) if isinstance(d, dict) else d


def ecrire(chemin: Path, texte: str) -> None:
    """Writes the report, keeping the hand-written notes after the marker."""
    notes = ""
    if chemin.exists():
        ancien = chemin.read_text(encoding="utf-8")
        if MARQUEUR_NOTES in ancien:
            notes = ancien[ancien.index(MARQUEUR_NOTES) :]
    chemin.write_text(texte + ("\n" + notes if notes else ""), encoding="utf-8")
