"""What the console shows of a session: the profile (the conversation's slots, or what the
counsellor typed in, with the counsellor's corrections), what is still missing, the
messages since the consent, the recommendations with their score and reasons, and on
demand the trainings the person cannot enter and why.

Pure functions over the slots, the tracker's events and the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.catalogue.candidats import Boite, Eligibilite, FiltreCandidats
from bot.catalogue.recommend_sql import recommander_catalogue
from bot.catalogue.repository import Catalogue
from bot.console.comptes import ConsoleError
from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.geo import Geo
from bot.presentation import Texts, payload_formation
from bot.recommend import Profil, Resultat, evaluer, liste_a_montrer, sans_doublons
from bot.statistiques.enregistrement import dans_le_rayon

# The profile fields a recommendation needs, in the order the console lists them.
CHAMPS = ("situation", "age", "diplome", "commune", "interets")
# What a counsellor may set or correct (criteria of the search and profile fields).
CRITERES = (*CHAMPS, "rayon_km", "distanciel", "formations_exclues")
MAX_AFFICHEES = 10
MAX_NON_ELIGIBLES = 20


def valider_criteres(values: Mapping[str, Any], geo: Geo) -> dict[str, Any]:
    """The criteria of a request, checked and in canonical form (`None` clears one);
    `ConsoleError("critere_invalide")` for a value that is not allowed."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in CRITERES:
            raise ConsoleError("critere_invalide")
        if value is None or value == "":
            out[name] = None
        elif name == "situation" and value in SITUATIONS:
            out[name] = value
        elif name == "diplome" and value in DIPLOMES:
            out[name] = value
        elif name == "age" and _number(value) is not None and 15 <= _number(value) <= 99:
            out[name] = float(_number(value))  # type: ignore[arg-type]
        elif name == "rayon_km" and _number(value) is not None and 1 <= _number(value) <= 2000:
            out[name] = float(_number(value))  # type: ignore[arg-type]
        elif name == "distanciel" and isinstance(value, bool):
            out[name] = value
        elif name == "interets" and _codes(value, DOMAINES) is not None:
            out[name] = _codes(value, DOMAINES)
        elif name == "formations_exclues" and _codes(value, None) is not None:
            out[name] = _codes(value, None)
        elif name == "commune" and isinstance(value, str) and len(geo.resolve(value)) == 1:
            commune = geo.resolve(value)[0]
            out[name] = commune.nom
            out["code_insee"] = commune.code_insee
        else:
            raise ConsoleError("critere_invalide")
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _codes(value: Any, allowed: tuple[str, ...] | None) -> list[str] | None:
    if not isinstance(value, list) or len(value) > 50:
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= 200 for v in value):
        return None
    if allowed is not None and not set(value) <= set(allowed):
        return None
    return list(dict.fromkeys(value))


def slots_de_la_seance(slots: Mapping[str, Any], criteres: Mapping[str, Any]) -> dict[str, Any]:
    """The slots with the counsellor's criteria over them (a corrected commune replaces the
    conversation's INSEE code, département and région)."""
    merged = dict(slots)
    for name, value in criteres.items():
        if value is None:
            continue
        merged[name] = value
        if name == "commune":
            merged["code_insee"] = criteres.get("code_insee")
            merged["departement"] = merged["region"] = None
    return merged


def manquants(slots: Mapping[str, Any]) -> list[str]:
    return [name for name in CHAMPS if slots.get(name) in (None, "", [])]


def messages(events: Iterable[Mapping[str, Any]], depuis: float | None) -> list[dict[str, Any]]:
    """The person's and the assistant's messages since `depuis` (the consent), oldest first.
    A message holding a list of trainings is summed up by its count."""
    out: list[dict[str, Any]] = []
    for event in events:
        if depuis is None or float(event.get("timestamp") or 0) < depuis:
            continue
        kind = event.get("event")
        if kind == "user":
            text = str(event.get("text") or "")
            if text.startswith("/"):
                continue  # a button: its answer follows
            out.append({"de": "personne", "texte": text, "le": event.get("timestamp")})
        elif kind == "bot":
            data = event.get("data") or {}
            custom = data.get("custom") or {}
            if custom.get("type") == "recommandations":
                count = len(custom.get("formations") or [])
                out.append({"de": "assistant", "formations": count, "le": event.get("timestamp")})
            elif event.get("text"):
                origine = "conseiller" if custom.get("type") == "conseiller" else "assistant"
                out.append({"de": origine, "texte": event["text"], "le": event.get("timestamp")})
    return out[-200:]


def recommandations(
    t: Texts, profil: Profil, catalogue: Catalogue, marques: Mapping[str, str]
) -> dict[str, Any]:
    """The list the person would be shown (first `MAX_AFFICHEES`), each training with its
    score, reasons, where it is and the counsellor's mark."""
    if not profil.interets:
        return {"formations": [], "nombre": 0, "alternative": None, "dans_rayon": 0}
    reco = recommander_catalogue(profil, catalogue)
    liste = liste_a_montrer(profil, reco)
    return {
        "formations": [
            {**payload_formation(t, r, rang, profil), "marque": marques.get(r.formation.id)}
            for rang, r in enumerate(liste[:MAX_AFFICHEES], start=1)
        ],
        "nombre": len(liste),
        "alternative": reco.type_alternative,
        "dans_rayon": dans_le_rayon(reco),
    }


def non_eligibles(t: Texts, profil: Profil, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Trainings of the person's domains in their zone (nearest first without a place)
    that they cannot enter, each with why (`blocages`)."""
    if not profil.interets:
        return []
    bloque = Eligibilite(profil.age, profil.diplome, profil.situation, eligible=False)
    filtre = FiltreCandidats(tuple(profil.interets), eligibilite=bloque, tri="distance")
    if profil.lat is not None and profil.lon is not None:
        boite = Boite.autour(profil.lat, profil.lon, profil.rayon_km)
        filtre = replace(filtre, boite=boite, centre=(profil.lat, profil.lon))
    records = catalogue.candidats(replace(filtre, limite=MAX_NON_ELIGIBLES * 3))
    resultats: list[Resultat] = [r for r in (evaluer(profil, f) for f in records) if not r.eligible]
    return [
        payload_formation(t, r, rang)
        for rang, r in enumerate(sans_doublons(resultats)[:MAX_NON_ELIGIBLES], start=1)
    ]


def changements(avant: list[dict[str, Any]], apres: list[dict[str, Any]]) -> dict[str, Any]:
    """What a change of criteria did to the list: trainings added and removed."""
    ids_avant = {f["id"] for f in avant}
    ids_apres = {f["id"] for f in apres}
    return {
        "ajoutees": [f["intitule"] for f in apres if f["id"] not in ids_avant],
        "retirees": [f["intitule"] for f in avant if f["id"] not in ids_apres],
    }


def profil_affiche(slots: Mapping[str, Any]) -> dict[str, Any]:
    """The profile fields the console shows and edits (raw codes; labels in `referentiel`)."""
    return {
        "situation": slots.get("situation"),
        "age": slots.get("age"),
        "diplome": slots.get("diplome"),
        "commune": slots.get("commune"),
        "interets": list(slots.get("interets") or []),
        "rayon_km": slots.get("rayon_km") or 30,
        "distanciel": bool(slots.get("distanciel")),
        "formations_exclues": list(slots.get("formations_exclues") or []),
    }


def referentiel(t: Texts) -> dict[str, dict[str, str]]:
    """French labels of the codes the console shows (from the domain)."""
    return {
        "situations": {s: t.get(f"libelle_console_situation_{s}") for s in SITUATIONS},
        "diplomes": {d: t.get(f"libelle_diplome_{d}") for d in DIPLOMES},
        "domaines": {d: t.get(f"libelle_domaine_{d}") for d in DOMAINES},
    }
