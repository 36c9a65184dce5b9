"""The page, the CSV and the image of the map of unmet demand (see `bot.console.pages`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.console.comptes import Compte
from bot.console.pages import (
    MASQUE_CSV,
    formulaire_periode,
    h,
    libelle_code,
    nombre,
    page,
    periode_texte,
)
from bot.contract import DOMAINES
from bot.presentation import Texts
from bot.statistiques.carte import CelluleCarte, carte_svg
from bot.statistiques.export import csv_texte


# --------------------------------------------------------------------------------
def _cellules(t: Texts, data: Mapping[str, Any]) -> list[CelluleCarte]:
    return [
        CelluleCarte(
            d["code"],
            d["nom"],
            d["sans_formation"],
            t.get(
                "libelle_pilotage_carte_cellule",
                departement=f"{d['nom']} ({d['code']})",
                sans=nombre(t, d["sans_formation"]),
                recherches=nombre(t, d["recherches"]),
            ),
        )
        for d in data["departements"]
    ]


def _domaine_texte(t: Texts, data: Mapping[str, Any]) -> str:
    if data["domaine"] is None:
        return t.get("libelle_pilotage_carte_tous")
    return libelle_code(t, "domaines", data["domaine"])


def carte_image(t: Texts, data: Mapping[str, Any]) -> str:
    """The map as a standalone SVG (also the downloadable image)."""
    region = data["region"]["nom"]
    libelles = {
        "titre": t.get("libelle_pilotage_carte_titre", region=region),
        "description": t.get(
            "libelle_pilotage_carte_desc",
            periode=periode_texte(t, data),
            domaine=_domaine_texte(t, data),
        ),
        "aucune": t.get("libelle_pilotage_carte_aucune"),
        "masque": t.get("libelle_pilotage_masque"),
        "tranche": t.get("libelle_pilotage_carte_tranche", min="{min}", max="{max}"),
        "tranche_unique": t.get("libelle_pilotage_carte_tranche_unique", valeur="{min}"),
        "vide": t.get("libelle_pilotage_pas_assez"),
    }
    return carte_svg(_cellules(t, data), libelles)


def page_carte(t: Texts, compte: Compte, data: Mapping[str, Any]) -> str:
    p = data["periode"]
    options = [f'<option value="">{h(t.get("libelle_pilotage_carte_tous"))}</option>'] + [
        f'<option value="{c}"{" selected" if c == data["domaine"] else ""}>'
        f"{h(libelle_code(t, 'domaines', c))}</option>"
        for c in DOMAINES
    ]
    choix = [
        f'<div><label for="domaine">{h(t.get("libelle_pilotage_carte_domaine"))}</label>',
        f'<select id="domaine" name="domaine">{"".join(options)}</select></div>',
    ]
    query = f"debut={h(p['debut'])}&amp;fin={h(p['fin'])}&amp;domaine={h(data['domaine'] or '')}"
    pires = sorted(
        (d for d in data["departements"] if d["sans_formation"]),
        key=lambda d: -d["sans_formation"],
    )
    if pires:
        phrase = t.get(
            "libelle_pilotage_carte_phrase",
            departement=pires[0]["nom"],
            valeur=pires[0]["sans_formation"],
            domaine=_domaine_texte(t, data),
        )
    else:
        phrase = t.get("libelle_pilotage_pas_assez")
    entetes = [
        t.get("libelle_pilotage_col_departement"),
        t.get("libelle_pilotage_col_recherches"),
        t.get("libelle_pilotage_col_sans_formation"),
    ]
    lignes = [
        [f"{d['nom']} ({d['code']})", nombre(t, d["recherches"]), nombre(t, d["sans_formation"])]
        for d in data["departements"]
    ]
    titre = t.get("libelle_pilotage_carte_titre", region=data["region"]["nom"])
    corps = [
        *formulaire_periode(t, data, choix),
        '<p class="actions">',
        f'<a class="bouton secondaire" href="carte.csv?{query}" download>'
        f"{h(t.get('libelle_pilotage_csv'))}</a> ",
        f'<a class="bouton secondaire" href="carte.svg?{query}" download>'
        f"{h(t.get('libelle_pilotage_carte_image'))}</a></p>",
        f'<p class="aide">{h(t.get("libelle_pilotage_carte_aide"))}</p>',
        '<div class="carte-et-detail">',
        f'<div class="carte">{carte_image(t, data)}</div>',
        '<p id="detail-departement" class="detail" role="status" aria-live="polite"></p>',
        "</div>",
        f'<p class="phrase">{h(phrase)}</p>',
        "<table><caption>"
        + h(t.get("libelle_pilotage_carte_tableau", domaine=_domaine_texte(t, data)))
        + "</caption><thead><tr>"
        + "".join(f'<th scope="col">{h(e)}</th>' for e in entetes)
        + "</tr></thead><tbody>"
        + "".join(
            f'<tr><th scope="row">{h(a)}</th><td>{h(b)}</td><td>{h(c)}</td></tr>'
            for a, b, c in lignes
        )
        + "</tbody></table>",
    ]
    return page(t, compte, "carte", titre, corps)


def carte_csv(t: Texts, data: Mapping[str, Any]) -> str:
    p = data["periode"]
    colonnes_csv = (
        "periode_debut",
        "periode_fin",
        "region_code",
        "domaine",
        "departement_code",
        "departement",
        "recherches",
        "recherches_sans_formation_dans_le_rayon",
    )
    lignes = [
        [
            p["debut"],
            p["fin"],
            data["region"]["code"],
            data["domaine"] or "",
            d["code"],
            d["nom"],
            MASQUE_CSV if d["recherches"] is None else d["recherches"],
            MASQUE_CSV if d["sans_formation"] is None else d["sans_formation"],
        ]
        for d in data["departements"]
    ]
    return csv_texte(colonnes_csv, lignes)
