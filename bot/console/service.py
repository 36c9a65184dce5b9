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

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.catalogue.repository import Catalogue
from bot.config import get_settings, setting
from bot.console.comptes import Comptes
from bot.console.direct import Direct
from bot.console.journal import Journal
from bot.console.models import SeanceRow, create_tables
from bot.console.orientations import Orientations, enregistrer
from bot.console.seances import Seance, Seances
from bot.db import engine_for
from bot.geo import Geo
from bot.presentation import Texts
from bot.recommend import MAX_RESULTATS, Profil
from bot.statistiques.enregistrement import Statistiques

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
    # The profile last recorded for each session (bounded): only changes are recorded.
    _profils_notes: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False)

    @cached_property
    def comptes(self) -> Comptes:
        return Comptes(self.engine, self.clock)

    @cached_property
    def seances(self) -> Seances:
        return Seances(self.engine, self.clock)

    @cached_property
    def journal(self) -> Journal:
        return Journal(self.engine, self.clock)

    @cached_property
    def statistiques(self) -> Statistiques:
        return Statistiques(self.engine, self.geo, self.clock)

    @cached_property
    def orientations(self) -> Orientations:
        return Orientations(self.seances, self.statistiques, self.clock)

    @cached_property
    def direct(self) -> Direct:
        return Direct(self.seances.senders_actifs)

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.catalogue_engine)

    @property
    def geo(self) -> Geo:
        return Geo.default()

    def noter_profil(self, seance: Seance, profil: Profil, reco: dict[str, Any]) -> None:
        """Records the session's latest profile and what it was proposed, when it changed
        (anonymous record); the counsellor's own criteria also count as a search."""
        if not seance.stats_cle:
            return
        premieres = [f["id"] for f in reco["formations"][:MAX_RESULTATS]]
        key = (profil, reco["nombre"], reco["dans_rayon"], tuple(premieres))
        if self._profils_notes.get(seance.id) == key:
            return
        self._profils_notes[seance.id] = key
        while len(self._profils_notes) > 4096:
            self._profils_notes.pop(next(iter(self._profils_notes)))
        stats = self.statistiques
        cle, dans_rayon, nombre = seance.stats_cle, reco["dans_rayon"], reco["nombre"]
        enregistrer(lambda: stats.profil_seance(cle, profil, dans_rayon, nombre, premieres))
        if seance.criteres and profil.interets:
            enregistrer(
                lambda: stats.recherche(
                    profil, dans_rayon, nombre, canal="console", structure_id=seance.structure_id
                )
            )

    def partage_accepte(self, seance_id: str, canal: str) -> None:
        """Counts a conversation shared with the session's structure (anonymous record)."""
        with self.engine.connect() as conn:
            structure_id = conn.scalar(
                select(SeanceRow.structure_id).where(SeanceRow.id == seance_id)
            )
        if structure_id is not None:
            enregistrer(lambda: self.statistiques.partage(structure_id, canal))

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
