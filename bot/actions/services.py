"""Process-wide services of the action server, created lazily on first use."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.catalogue.repository import Catalogue, CatalogueCache
from bot.catalogue.validation import FormationRecord
from bot.config import get_settings, setting
from bot.db import engine_for
from bot.extraction import extract
from bot.geo import Geo
from bot.profil.recherche import profil_depuis_slots
from bot.recommend import Profil, Recommandation, liste_a_montrer
from bot.statistiques.enregistrement import Statistiques, dans_le_rayon
from bot.statistiques.modele import creer_tables

logger = logging.getLogger(__name__)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue database (one engine and connection pool per process): the
    recommendations query it."""
    with _lock:
        return Catalogue(engine_for(get_settings().database_url))


@lru_cache(maxsize=1)
def _cache() -> CatalogueCache:
    return CatalogueCache(catalogue().engine)


_statistiques: Statistiques | None = None


def statistiques() -> Statistiques:
    """The anonymous records (in the console's database; table created when missing)."""
    global _statistiques
    with _lock:
        if _statistiques is None:
            engine = engine_for(setting("CAPNUM_CONSOLE_URL"))
            creer_tables(engine)
            _statistiques = Statistiques(engine, geo())
        return _statistiques


def installer_statistiques(new: Statistiques | None) -> None:
    """Replaces where the searches are recorded (tests); None: built again on next use."""
    global _statistiques
    with _lock:
        _statistiques = new


def compter_recherche(tracker: Tracker, profil: Profil, reco: Recommandation) -> None:
    """Records the search anonymously; a failure is logged and the conversation goes on."""
    try:
        statistiques().recherche(
            profil,
            dans_le_rayon(reco),
            len(liste_a_montrer(profil, reco)),
            canal=tracker.get_latest_input_channel(),
        )
    except Exception as exc:
        logger.error("anonymous record failed (%s)", type(exc).__name__)


def geo() -> Geo:
    return Geo.default()


def formations() -> list[FormationRecord]:
    """Every catalogue row (cached in memory, refreshed when the catalogue is reloaded):
    for the answers that quote the whole catalogue (figures, job sheets)."""
    return _cache().formations()


def load() -> None:
    """Loads the communes, the word lists of the profile parsers (with the French
    dictionary: about 1.5 s) and the catalogue before the first message (at server
    start); a catalogue that cannot be read is only logged here: each action that needs
    it tells the person when it fails."""
    extract(
        text="salut jsui o chomage jhabite a marseil",
        intent="informer",
        entities=[],
        requested_slot=None,
        current={},
        geo=geo(),
    )
    try:
        formations()
    except Exception as exc:
        logger.error("catalogue not loaded at start (%s)", type(exc).__name__)


def aujourdhui() -> dt.date:
    """Today's date, against which sessions are compared (tests replace it)."""
    return dt.date.today()


def profil_from_tracker(tracker: Tracker, **overrides: Any) -> Profil:
    """The recommendation profile from the tracker's slots (with optional overrides)."""
    slots = {**tracker.current_slot_values(), **overrides}
    return profil_depuis_slots(slots, geo(), aujourdhui())
