"""Process-wide services of the action server, created lazily on first use."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.catalogue.repository import Catalogue, CatalogueCache
from bot.catalogue.validation import FormationRecord
from bot.config import get_settings
from bot.db import engine_for
from bot.geo import Geo
from bot.profil.recherche import profil_depuis_slots
from bot.recommend import Profil

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


def geo() -> Geo:
    return Geo.default()


def formations() -> list[FormationRecord]:
    """Every catalogue row (cached in memory, refreshed when the catalogue is reloaded):
    for the answers that quote the whole catalogue (figures, job sheets)."""
    return _cache().formations()


def profil_from_tracker(tracker: Tracker, **overrides: Any) -> Profil:
    """The recommendation profile from the tracker's slots (with optional overrides)."""
    return profil_depuis_slots({**tracker.current_slot_values(), **overrides}, geo())
