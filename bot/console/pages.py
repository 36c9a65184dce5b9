"""HTML pages and CSV files of the statistics, the map of unmet demand and the audit log.

Server-rendered, standalone French pages: every label comes from the domain
(`libelle_pilotage_*` and the code labels), every value is escaped, charts and map are
inline SVG drawn with presentation attributes (the console's CSP is `style-src 'self'`),
each with a title, a description, a sentence that says what it shows and the table of
its data. Small counts arrive already masked (None) from `bot.statistiques.requetes`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from typing import Any

from bot.console.comptes import Compte
from bot.console.fiche import date_en_lettres
from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.presentation import Texts
from bot.statistiques.enregistrement import TRANCHES_AGE
from bot.statistiques.export import csv_texte
from bot.statistiques.graphiques import Barre, barres_horizontales, colonnes
from bot.statistiques.requetes import SEUIL, Periode

BASE = "/webhooks/console"
DISTRIBUTIONS = (
    "domaines",
    "diplomes",
    "situations",
    "tranches_age",
    "orientations",
    "sans_solution",
)
MASQUE_CSV = "<5"


def h(value: object) -> str:
    return html.escape(str(value), quote=True)


def heure_iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment).isoformat(timespec="seconds")


def libelle_code(t: Texts, famille: str, code: str | None) -> str:
    """The French label of a coded value of the statistics."""
    if not code or code == "inconnu":
        return t.get("libelle_pilotage_inconnu")
    prefixes = {
        "domaines": "libelle_pilotage_domaine_",
        "diplomes": "libelle_diplome_",
        "situations": "libelle_console_situation_",
        "tranches_age": "libelle_pilotage_tranche_",
        "orientations": "libelle_orientation_statut_",
        "sans_solution": "libelle_sans_solution_",
    }
    try:
        return t.get(prefixes[famille] + code)
    except KeyError:
        return code


def _ordre(famille: str, counts: Mapping[str, int | None]) -> list[str]:
    """Codes in their natural order (diplomas by level...), then the others."""
    natural: tuple[str, ...] = {
        "domaines": DOMAINES,
        "diplomes": DIPLOMES,
        "situations": SITUATIONS,
        "tranches_age": TRANCHES_AGE,
    }.get(famille, ())
    return [c for c in natural if c in counts] + sorted(c for c in counts if c not in natural)


def nombre(t: Texts, value: int | float | None) -> str:
    return t.get("libelle_pilotage_masque") if value is None else f"{value:n}"


def _part(t: Texts, value: float | None) -> str:
    if value is None:
        return t.get("libelle_pilotage_part_masquee")
    return f"{round(value * 100)} %"


def _date(t: Texts, jour: dt.date) -> str:
    return date_en_lettres(t, jour)


def _date_courte(t: Texts, jour: dt.date) -> str:
    return t.get("libelle_pilotage_date_courte", jour=jour.day, mois=jour.month)


def periode_texte(t: Texts, data: Mapping[str, Any]) -> str:
    debut = dt.date.fromisoformat(data["periode"]["debut"])
    fin = dt.date.fromisoformat(data["periode"]["fin"])
    return t.get("libelle_pilotage_periode_texte", debut=_date(t, debut), fin=_date(t, fin))


def security_headers(page: bool) -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
    if page:
        headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    return headers


# --- page frame ----------------------------------------------------------------------------
def page(t: Texts, compte: Compte, actif: str, titre: str, corps: list[str]) -> str:
    liens = [("seances", f"{BASE}/")]
    if compte.admin:
        liens += [("statistiques", f"{BASE}/pilotage/statistiques")]
    if compte.region:
        liens += [("carte", f"{BASE}/pilotage/carte")]
    if compte.admin:
        liens += [("journal", f"{BASE}/pilotage/journal")]
    if compte.territoire:
        liens = [lien for lien in liens if lien[0] == "carte"]
    courant = ' aria-current="page"'
    nav = "".join(
        f'<a href="{h(href)}"{courant if code == actif else ""}>'
        f"{h(t.get(f'libelle_pilotage_nav_{code}'))}</a>"
        for code, href in liens
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="fr">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{h(titre)} – Cap Num</title>",
            f'<link rel="stylesheet" href="{BASE}/static/console.css">',
            f'<link rel="stylesheet" href="{BASE}/static/pilotage.css">',
            f'<script src="{BASE}/static/pilotage.js" defer></script>',
            "</head>",
            "<body>",
            f'<a class="evitement" href="#contenu">{h(t.get("libelle_pilotage_evitement"))}</a>',
            '<header class="entete">',
            f'<p class="marque">Cap Num <span>· {h(compte.structure)}</span></p>',
            f'<nav aria-label="{h(t.get("libelle_pilotage_nav"))}">{nav}'
            f'<button type="button" id="deconnexion" class="lien">'
            f"{h(t.get('libelle_pilotage_deconnexion'))}</button></nav>",
            "</header>",
            '<main id="contenu" class="pilotage" tabindex="-1">',
            f"<h1>{h(titre)}</h1>",
            *corps,
            "</main>",
            "</body>",
            "</html>",
        ]
    )


def formulaire_periode(
    t: Texts, data: Mapping[str, Any], extra: Iterable[str] = (), seuil: bool = True
) -> list[str]:
    p = data["periode"]
    aide = periode_texte(t, data) + "."
    if seuil:
        aide += " " + t.get("libelle_pilotage_seuil", seuil=data["seuil"])
    return [
        '<form method="get" class="periode">',
        f'<div><label for="debut">{h(t.get("libelle_pilotage_periode_du"))}</label>',
        f'<input type="date" id="debut" name="debut" value="{h(p["debut"])}" required></div>',
        f'<div><label for="fin">{h(t.get("libelle_pilotage_periode_au"))}</label>',
        f'<input type="date" id="fin" name="fin" value="{h(p["fin"])}" required></div>',
        *extra,
        f'<div><button type="submit">{h(t.get("libelle_pilotage_periode_bouton"))}</button></div>',
        "</form>",
        f'<p class="aide">{h(aide)}</p>',
    ]


def _tableau(t: Texts, entetes: list[str], lignes: list[list[str]], legende: str) -> list[str]:
    head = "".join(f'<th scope="col">{h(e)}</th>' for e in entetes)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{h(ligne[0])}</th>'
        + "".join(f"<td>{h(v)}</td>" for v in ligne[1:])
        + "</tr>"
        for ligne in lignes
    )
    return [
        f"<details><summary>{h(t.get('libelle_pilotage_tableau'))}</summary>",
        f"<table><caption>{h(legende)}</caption><thead><tr>{head}</tr></thead>",
        f"<tbody>{body}</tbody></table></details>",
    ]


def _section(ident: str, titre: str, dessin: str, phrase: str, tableau: list[str]) -> list[str]:
    return [
        f'<section class="graphique" aria-labelledby="{ident}-h">',
        f'<h2 id="{ident}-h">{h(titre)}</h2>',
        dessin,
        f'<p class="phrase">{h(phrase)}</p>',
        *tableau,
        "</section>",
    ]


# --- statistics ----------------------------------------------------------------------------
def formations_citees(data: Mapping[str, Any]) -> set[str]:
    return {f["formation_id"] for key in ("plus_recommandees", "plus_choisies") for f in data[key]}


def _nom_formation(noms: Mapping[str, Any], formation_id: str) -> str:
    found = noms.get(formation_id)
    if found is None:
        return formation_id
    return f"{found.intitule} ({found.organisme})" if found.organisme else found.intitule


def _distribution(t: Texts, famille: str, counts: Mapping[str, int | None]) -> list[str]:
    codes = _ordre(famille, counts)
    barres = [Barre(libelle_code(t, famille, c), counts[c], nombre(t, counts[c])) for c in codes]
    shown = [(v, c) for c, v in counts.items() if v]
    if shown:
        valeur, code = max(shown)
        phrase = t.get(
            f"libelle_pilotage_{famille}_phrase",
            libelle=libelle_code(t, famille, code),
            valeur=valeur,
        )
    else:
        phrase = t.get("libelle_pilotage_pas_assez")
    return _section_barres(t, famille, barres, phrase, "libelle_pilotage_col_categorie")


def _top(t: Texts, cle: str, liste: list[dict[str, Any]], noms: Mapping[str, Any]) -> list[str]:
    barres = [
        Barre(_nom_formation(noms, f["formation_id"]), f["nombre"], nombre(t, f["nombre"]))
        for f in liste
    ]
    if barres:
        phrase = t.get(
            f"libelle_pilotage_{cle}_phrase", libelle=barres[0].libelle, valeur=barres[0].valeur
        )
    else:
        phrase = t.get("libelle_pilotage_top_vide", seuil=SEUIL)
    return _section_barres(t, cle, barres, phrase, "libelle_pilotage_col_formation")


def _section_barres(
    t: Texts, cle: str, barres: list[Barre], phrase: str, colonne: str
) -> list[str]:
    """A block of horizontal bars (`libelle_pilotage_<cle>_*` texts), its sentence and
    its table (first column headed by `colonne`)."""
    titre = t.get(f"libelle_pilotage_{cle}_titre")
    dessin = barres_horizontales(
        f"g-{cle.replace('_', '-')}",
        titre,
        t.get(f"libelle_pilotage_{cle}_desc"),
        barres,
        t.get("libelle_pilotage_masque"),
    )
    entetes = [t.get(colonne), t.get("libelle_pilotage_col_nombre")]
    lignes = [[b.libelle, b.texte] for b in barres]
    return _section(cle, titre, dessin, phrase, _tableau(t, entetes, lignes, titre))


def _semaines(t: Texts, data: Mapping[str, Any]) -> list[str]:
    titre = t.get("libelle_pilotage_semaines_titre")
    semaines = data["semaines"]

    def serie(cle: str, libelle: Any = _date_courte) -> list[Barre]:
        return [
            Barre(libelle(t, dt.date.fromisoformat(s["semaine"])), s[cle], nombre(t, s[cle]))
            for s in semaines
        ]

    dessin = colonnes(
        "g-semaines",
        titre,
        t.get("libelle_pilotage_semaines_desc"),
        [
            (t.get("libelle_pilotage_serie_seances"), serie("seances")),
            (t.get("libelle_pilotage_serie_conversations"), serie("conversations")),
        ],
        t.get("libelle_pilotage_masque"),
    )
    totaux = data["totaux"]
    phrase = t.get(
        "libelle_pilotage_semaines_phrase",
        seances=nombre(t, totaux["seances"]),
        conversations=nombre(t, totaux["conversations"]),
    )
    entetes = [
        t.get("libelle_pilotage_col_semaine"),
        t.get("libelle_pilotage_serie_seances"),
        t.get("libelle_pilotage_serie_conversations"),
    ]
    lignes = [
        [b.libelle, b.texte, c.texte]
        for b, c in zip(serie("seances", _date), serie("conversations", _date), strict=True)
    ]
    return _section("semaines", titre, dessin, phrase, _tableau(t, entetes, lignes, titre))


def page_statistiques(
    t: Texts, compte: Compte, data: Mapping[str, Any], noms: Mapping[str, Any]
) -> str:
    p = data["periode"]
    corps = [
        *formulaire_periode(t, data),
        f'<p><a class="bouton secondaire" href="statistiques.csv?debut={h(p["debut"])}'
        f'&amp;fin={h(p["fin"])}" download>{h(t.get("libelle_pilotage_csv"))}</a></p>',
        '<section class="chiffres" aria-labelledby="chiffres-h">',
        f'<h2 id="chiffres-h">{h(t.get("libelle_pilotage_chiffres_titre"))}</h2><dl>',
        f"<dt>{h(t.get('libelle_pilotage_part_recommandations'))}</dt>",
        f"<dd>{h(_part(t, data['part_recommandations']))}</dd>",
        f"<dt>{h(t.get('libelle_pilotage_part_sans_formation'))}</dt>",
        f"<dd>{h(_part(t, data['part_sans_formation_rayon']))}</dd>",
        "</dl></section>",
        *_semaines(t, data),
    ]
    for famille in DISTRIBUTIONS:
        corps += _distribution(t, famille, data[famille])
    corps += _top(t, "plus_recommandees", data["plus_recommandees"], noms)
    corps += _top(t, "plus_choisies", data["plus_choisies"], noms)
    titre = t.get("libelle_pilotage_statistiques_titre", structure=compte.structure)
    return page(t, compte, "statistiques", titre, corps)


def statistiques_csv(t: Texts, data: Mapping[str, Any], noms: Mapping[str, Any]) -> str:
    """Long format: one figure per line (columns documented in docs/statistiques.md)."""
    p = data["periode"]
    lignes: list[list[object]] = []

    def ligne(indicateur: str, code: str, libelle: str, valeur: object) -> None:
        shown = MASQUE_CSV if valeur is None else valeur
        lignes.append([p["debut"], p["fin"], indicateur, code, libelle, shown])

    for s in data["semaines"]:
        ligne("seances_semaine", s["semaine"], s["semaine"], s["seances"])
        ligne("conversations_semaine", s["semaine"], s["semaine"], s["conversations"])
    ligne("seances", "", "", data["totaux"]["seances"])
    ligne("conversations", "", "", data["totaux"]["conversations"])
    ligne("part_recommandations", "", "", data["part_recommandations"])
    ligne("part_sans_formation_rayon", "", "", data["part_sans_formation_rayon"])
    for famille in DISTRIBUTIONS:
        for code in _ordre(famille, data[famille]):
            ligne(famille, code, libelle_code(t, famille, code), data[famille][code])
    for cle in ("plus_recommandees", "plus_choisies"):
        for f in data[cle]:
            ligne(cle, f["formation_id"], _nom_formation(noms, f["formation_id"]), f["nombre"])
    colonnes_csv = ("periode_debut", "periode_fin", "indicateur", "code", "libelle", "valeur")
    return csv_texte(colonnes_csv, lignes)


# --- audit log -----------------------------------------------------------------------------
def action_texte(t: Texts, action: str) -> str:
    try:
        return t.get(f"libelle_journal_{action}")
    except KeyError:
        return action


def page_journal(
    t: Texts, compte: Compte, periode: Periode, entrees: list[dict[str, object]]
) -> str:
    data = {
        "periode": {
            "debut": periode.date(periode.debut).isoformat(),
            "fin": periode.date(periode.fin).isoformat(),
        },
        "seuil": SEUIL,
    }
    p = data["periode"]
    entetes = [
        t.get("libelle_pilotage_col_date"),
        t.get("libelle_pilotage_col_compte"),
        t.get("libelle_pilotage_col_action"),
        t.get("libelle_pilotage_col_seance"),
    ]
    lignes = "".join(
        f"<tr><td>{h(heure_iso(float(e['le'])).replace('T', ' '))}</td>"
        f"<td>{h(e['identifiant'])}</td><td>{h(action_texte(t, str(e['action'])))}</td>"
        f"<td>{h(str(e['seance'] or '')[:8])}</td></tr>"
        for e in entrees
    )
    corps = [
        f'<p class="aide">{h(t.get("libelle_pilotage_journal_aide"))}</p>',
        *formulaire_periode(t, data, seuil=False),
        f'<p><a class="bouton secondaire" href="journal.csv?debut={h(p["debut"])}'
        f'&amp;fin={h(p["fin"])}" download>{h(t.get("libelle_pilotage_csv"))}</a></p>',
    ]
    if entrees:
        corps += [
            f"<table><caption>{h(periode_texte(t, data))}</caption><thead><tr>",
            "".join(f'<th scope="col">{h(e)}</th>' for e in entetes) + "</tr></thead>",
            f"<tbody>{lignes}</tbody></table>",
        ]
    else:
        corps.append(f"<p>{h(t.get('libelle_pilotage_journal_vide'))}</p>")
    titre = t.get("libelle_pilotage_journal_titre", structure=compte.structure)
    return page(t, compte, "journal", titre, corps)
