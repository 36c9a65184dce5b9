"""The console's process-wide services in the Rasa server: the database (accounts and
sessions), the live-update hub, the catalogue and the places, and the channels' ways of
pushing messages to a young person's chat. Created on first use from the settings;
tests install their own with `installer()`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine

from bot.catalogue.repository import Catalogue
from bot.config import get_settings, setting
from bot.console.comptes import Comptes
from bot.console.direct import Direct
from bot.console.models import create_tables
from bot.console.seances import Seances
from bot.db import engine_for
from bot.geo import Geo
from bot.presentation import Texts

logger = logging.getLogger(__name__)
CONSOLE_URL_ENV = "CAPNUM_CONSOLE_URL"

# A channel's way to push messages (Rasa-style dicts) to a conversation it serves:
# (conversation id, channel detail saved at link time, messages, the domain's texts).
Pousseur = Callable[[str, str, list[dict[str, Any]], Texts], Awaitable[None]]
#: The channels register their pusher here when the server builds their routes.
POUSSEURS: dict[str, Pousseur] = {}


@dataclass
class ConsoleService:
    engine: Engine
    catalogue_engine: Engine
    clock: Callable[[], float] = time.time
    pousseurs: dict[str, Pousseur] = field(default_factory=lambda: POUSSEURS)

    @cached_property
    def comptes(self) -> Comptes:
        return Comptes(self.engine, self.clock)

    @cached_property
    def seances(self) -> Seances:
        return Seances(self.engine, self.clock)

    @cached_property
    def direct(self) -> Direct:
        return Direct(self.seances.senders_actifs)

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.catalogue_engine)

    @property
    def geo(self) -> Geo:
        return Geo.default()

    def effacer_conversation(self, sender_id: str) -> None:
        """ "supprimer mes données": the sessions forget this conversation's person."""
        for seance_id in self.seances.effacer_conversation(sender_id):
            self.direct.changer(seance_id)
        self.direct.rafraichir()


_lock = threading.Lock()
_service: ConsoleService | None = None


def service() -> ConsoleService:
    """The process's console services (tables created on first use)."""
    global _service
    with _lock:
        if _service is None:
            engine = engine_for(setting(CONSOLE_URL_ENV))
            create_tables(engine)
            _service = ConsoleService(engine, engine_for(get_settings().database_url))
        return _service


def installer(new: ConsoleService | None) -> None:
    """Replaces the process's services (tests); None: built again on next use."""
    global _service
    with _lock:
        _service = new


def effacer_conversation(sender_id: str) -> None:
    """Erases the console's data about a conversation (raises when the database fails:
    the caller must not say it is erased)."""
    service().effacer_conversation(sender_id)


def after_turn(sender_id: str) -> None:
    """A channel's turn ended: the session that this conversation shares with (if any)
    is told. Never fails the turn (the console catches up at its next refresh)."""
    try:
        service().direct.apres_tour(sender_id)
    except Exception as exc:
        logger.error("console update failed (%s)", type(exc).__name__)


def tracker_saved(tracker: Any) -> None:
    """The tracker store saved a conversation: the console keeps its snapshot if it is
    shared. Never fails the save."""
    try:
        service().direct.instantane(tracker.sender_id, tracker)
    except Exception as exc:
        logger.error("console snapshot failed (%s)", type(exc).__name__)
