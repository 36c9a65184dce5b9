"""The recommendation profile (`bot.recommend.Profil`) from slot values: used by the
actions (the tracker's slots) and by the counsellors' console (the same slots, with the
counsellor's corrections)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.contract import RAYON_KM_DEFAUT
from bot.geo import Geo
from bot.recommend import Profil


def profil_depuis_slots(
    slots: Mapping[str, Any], geo: Geo, aujourdhui: dt.date | None = None
) -> Profil:
    """The profile of these slot values; the place's coordinates (and its département and
    région when the slots lack them) come from the INSEE code, else from the commune's
    name when it names one commune only."""
    lat = lon = None
    commune = None
    if slots.get("code_insee"):
        commune = geo.by_insee(slots["code_insee"])
    if commune is None and slots.get("commune"):
        found = geo.resolve(slots["commune"])
        commune = found[0] if len(found) == 1 else None
    if commune is not None:
        lat, lon = commune.lat, commune.lon
    return Profil(
        situation=slots.get("situation"),
        diplome=slots.get("diplome"),
        age=slots.get("age"),
        commune=slots.get("commune"),
        lat=lat,
        lon=lon,
        interets=tuple(slots.get("interets") or ()),
        distanciel=bool(slots.get("distanciel")),
        rayon_km=float(slots.get("rayon_km") or RAYON_KM_DEFAUT),
        domaines_exclus=tuple(slots.get("domaines_exclus") or ()),
        formations_exclues=tuple(slots.get("formations_exclues") or ()),
        departement=slots.get("departement") or (commune.departement if commune else None),
        region=slots.get("region") or (commune.region if commune else None),
        aujourdhui=aujourdhui or dt.date.today(),
    )
