"""Turn recommendation results into card texts and the `recommandations` payload.

The French wording comes from `domain.yml` responses (fragments named `raison_*`,
`blocage_*`, `libelle_*`), looked up through `Texts`, so no user-facing sentence is
written in Python.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from bot.contract import PROFILE_SLOTS
from bot.recommend import Raison, Resultat


class Texts:
    """Response texts of the domain, formatted with variables."""

    def __init__(self, responses: Mapping[str, list[dict[str, Any]]]):
        self._responses = responses

    @classmethod
    def from_domain(cls, domain: Mapping[str, Any]) -> Texts:
        return cls(domain.get("responses", {}))

    def get(self, name: str, **variables: Any) -> str:
        variants = self._responses.get(name)
        if not variants:
            raise KeyError(f"response {name!r} is missing from the domain")
        return str(variants[0].get("text", "")).format(**variables)


def _ages(t: Texts, age_min: int | None, age_max: int | None) -> str:
    if age_min is not None and age_max is not None:
        return t.get("libelle_ages_entre", age_min=age_min, age_max=age_max)
    if age_min is not None:
        return t.get("libelle_ages_min", age_min=age_min)
    return t.get("libelle_ages_max", age_max=age_max)


def raison_texte(t: Texts, raison: Raison, prefix: str = "raison_") -> str:
    """One reason (or blocking reason) in plain French."""
    p = dict(raison.params)
    if "domaine" in p:
        p["domaine"] = t.get(f"libelle_domaine_{p['domaine']}")
    if "diplome" in p:
        p["diplome"] = t.get(f"libelle_diplome_{p['diplome']}")
    if raison.code == "age_ok":
        p = {"ages": _ages(t, p.get("age_min"), p.get("age_max"))}
    if "publics" in p:
        p["publics"] = ", ".join(t.get(f"libelle_situation_{s}") for s in p["publics"])
    if raison.code == "distance" and p.get("km", 1) < 1:
        return t.get(f"{prefix}meme_ville", commune=p.get("commune"))
    return t.get(f"{prefix}{raison.code}", **p)


def source_courte(nom: str | None) -> str | None:
    """A source for a card: the site name when the source is a web address."""
    if nom and nom.startswith(("http://", "https://")):
        host = urlparse(nom).hostname or nom
        return host.removeprefix("www.")
    return nom


def _lieu(t: Texts, r: Resultat) -> str:
    f = r.formation
    if f.commune is None:
        return t.get("libelle_a_distance")
    if r.distance_km is not None and round(r.distance_km) < 1:
        return t.get("libelle_lieu_meme_ville", commune=f.commune, departement=f.departement)
    if r.distance_km is not None:
        return t.get(
            "libelle_lieu_distance",
            commune=f.commune,
            departement=f.departement,
            km=round(r.distance_km),
        )
    return t.get("libelle_lieu", commune=f.commune, departement=f.departement)


def _public(t: Texts, r: Resultat) -> str:
    f = r.formation
    parts = [f.public_texte] if f.public_texte else []
    if f.age_min is not None or f.age_max is not None:
        parts.append(_ages(t, f.age_min, f.age_max))
    return " – ".join(parts) if parts else t.get("libelle_public_tous")


def _raisons(t: Texts, r: Resultat) -> list[str]:
    texts = [raison_texte(t, x) for x in r.raisons]
    texts += [raison_texte(t, x, prefix="blocage_") for x in r.blocages]
    return texts


def carte(t: Texts, r: Resultat, rang: int) -> dict[str, Any]:
    """Variables of `utter_formation_carte` for one result."""
    f = r.formation
    return {
        "rang": rang,
        "intitule": f.intitule,
        "organisme": f.organisme or t.get("libelle_organisme_inconnu"),
        "lieu": _lieu(t, r),
        "duree": f.duree_texte or t.get("libelle_inconnu"),
        "cout": t.get(f"libelle_cout_{f.cout}"),
        "public": _public(t, r),
        "raisons": ", ".join(_raisons(t, r)),
        "date_donnees": f.date_donnees,
        "source": source_courte(f.source_nom),
    }


def detail(t: Texts, r: Resultat) -> dict[str, Any]:
    """Variables of `utter_detail_formation`."""
    f = r.formation
    inconnu = t.get("libelle_inconnu")
    niveau = t.get(f"libelle_diplome_{f.diplome_min}") if f.diplome_min else inconnu
    label = t.get("libelle_label_annee", annee=f.label_gen_annee) if f.label_gen_annee else inconnu
    return {
        **carte(t, r, 0),
        "metiers": ", ".join(f.metiers) or inconnu,
        "rome": ", ".join(f.rome) or inconnu,
        "niveau": niveau,
        "certification": f.certification or inconnu,
        "label": label,
        "site": f.site or inconnu,
        "source_complete": f.source_reference or f.source_nom,
    }


CARD_TEXT_KEYS = ("organisme", "lieu", "duree", "cout", "public", "source")


def details_payload(rang: int) -> str:
    """The button payload that asks for the details of the result shown at `rang`."""
    return "/demander_details" + json.dumps({"rang": str(rang)})


def payload_formation(t: Texts, r: Resultat, rang: int = 1) -> dict[str, Any]:
    """One item of the `recommandations` payload: raw values, plus `textes` (the French
    display strings of the text card) for channels that draw their own cards."""
    f = r.formation
    affichage = carte(t, r, rang)
    return {
        "id": f.id,
        "rang": rang,
        "intitule": f.intitule,
        "organisme": f.organisme,
        "commune": f.commune,
        "departement": f.departement,
        "distance_km": r.distance_km,
        "a_distance": f.a_distance,
        "duree": f.duree_texte,
        "cout": f.cout,
        "public": f.public_texte,
        "domaines": list(f.domaines),
        "rome": list(f.rome),
        "certification": f.certification,
        "eligible": r.eligible,
        "score": r.score,
        "raisons": _raisons(t, r),
        "source": f.source_nom,
        "site": f.site,
        "date_donnees": f.date_donnees,
        "textes": {k: affichage[k] for k in CARD_TEXT_KEYS},
        "details_payload": details_payload(rang),
    }


def payload(
    t: Texts,
    slots: Mapping[str, Any],
    resultats: list[Resultat],
    alternative: str | None,
    premier_rang: int = 1,
) -> dict[str, Any]:
    """The machine-readable `recommandations` message."""
    return {
        "type": "recommandations",
        "profil": {name: slots.get(name) for name in PROFILE_SLOTS},
        "alternative": alternative,
        "formations": [
            payload_formation(t, r, rang) for rang, r in enumerate(resultats, start=premier_rang)
        ],
    }
