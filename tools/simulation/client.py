"""Plays conversations against the real assistant: web chat webhook + Rasa tracker API."""

from __future__ import annotations

import asyncio
import random
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.contract import PROFILE_SLOTS
from tools.simulation.conducteur import Conducteur, Envoi
from tools.simulation.invariants import verifier
from tools.simulation.modele import Conversation, Tour
from tools.simulation.personas import Persona

WEBHOOK = "/webhooks/webchat/webhook"
# The slots read after each turn: the question asked and the profile contract.
PROFIL = ("requested_slot", *PROFILE_SLOTS)
MAX_ESSAIS_429 = 6
TIMEOUT_S = 60


class Serveur:
    """The assistant's HTTP endpoints, with the pacing the server asks for."""

    def __init__(self, session: aiohttp.ClientSession, url: str, jeton: str) -> None:
        self.session = session
        self.url = url.rstrip("/")
        self.jeton = jeton
        self.nb_429 = 0

    async def envoyer(self, sender: str, message: str) -> tuple[int, list[Any], int]:
        """(status, bot messages, 429 answers waited for); status 0 when nothing answered."""
        corps = {"sender": sender, "message": message, "message_id": secrets.token_hex(8)}
        attentes = 0
        while True:
            try:
                async with self.session.post(self.url + WEBHOOK, json=corps) as r:
                    if r.status == 429 and attentes < MAX_ESSAIS_429:
                        attentes += 1
                        self.nb_429 += 1
                        pause = float(r.headers.get("Retry-After", "3") or 3)
                        await asyncio.sleep(pause + random.uniform(0.1, 0.6))
                        continue
                    try:
                        corps_reponse = await r.json(content_type=None)
                    except ValueError:
                        corps_reponse = None
                    messages = corps_reponse if isinstance(corps_reponse, list) else []
                    return r.status, messages, attentes
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return 0, [], attentes

    async def tracker(self, sender: str) -> dict[str, Any] | None:
        """The conversation state (Rasa HTTP API, token-protected)."""
        url = f"{self.url}/conversations/{sender}/tracker"
        try:
            async with self.session.get(url, params={"token": self.jeton}) as r:
                return await r.json() if r.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None


def lire_tracker(tracker: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Profile slots and the responses the bot used since the last user message."""
    slots = tracker.get("slots") or {}
    evenements = tracker.get("events") or []
    dernier = max((i for i, e in enumerate(evenements) if e.get("event") == "user"), default=-1)
    modeles = []
    for e in evenements[dernier + 1 :]:
        if e.get("event") != "bot":
            continue
        meta = e.get("metadata") or {}
        nom = meta.get("utter_action") or meta.get("template")
        custom = (e.get("data") or {}).get("custom")
        if nom:
            modeles.append(str(nom))
        elif isinstance(custom, dict):
            modeles.append(f"custom:{custom.get('type')}")
    return {k: slots.get(k) for k in PROFIL}, modeles


async def jouer(
    serveur: Serveur,
    persona: Persona,
    graine: int,
    pause: tuple[float, float] = (0.3, 0.5),
    max_tours: int = 20,
) -> Conversation:
    """One whole conversation of `persona`, checked against the invariants."""
    rng = random.Random(f"conducteur-{graine}-{persona.numero}")
    conducteur = Conducteur(persona, rng, max_tours=max_tours)
    conv = Conversation(numero=persona.numero, persona=persona.to_dict())
    conv.sender = secrets.token_hex(16)
    debut = time.monotonic()
    envoi: Envoi | None = conducteur.premier()
    sans_reponse = 0
    while envoi is not None:
        t0 = time.monotonic()
        statut, messages, attentes = await serveur.envoyer(conv.sender, envoi.texte)
        tour = Tour(
            numero=len(conv.tours) + 1,
            message=envoi.texte,
            intention=envoi.intention,
            statut=statut,
            reponses=messages,
            bouton=envoi.bouton,
            faits=sorted(envoi.faits),
            essais_429=attentes,
        )
        etat = await serveur.tracker(conv.sender)
        if etat is None:
            conv.erreur = "tracker illisible (jeton CAPNUM_RASA_TOKEN ?)"
        else:
            tour.slots, tour.modeles = lire_tracker(etat)
            tour.requested_slot = tour.slots.get("requested_slot")
            conv.slots_finaux = tour.slots
        tour.duree_s = round(time.monotonic() - t0, 3)
        conv.tours.append(tour)
        sans_reponse = sans_reponse + 1 if statut == 0 else 0
        if sans_reponse >= 3:
            conv.erreur = "le serveur ne répond plus"
            break
        envoi = conducteur.suivant(tour)
        if envoi is not None:
            await asyncio.sleep(rng.uniform(*pause))
    conv.attendus = dict(conducteur.donnes)
    conv.duree_s = round(time.monotonic() - debut, 2)
    return verifier(conv)


async def jouer_tout(
    url: str,
    jeton: str,
    personas: list[Persona],
    graine: int,
    parallele: int = 6,
    pause: tuple[float, float] = (0.3, 0.5),
    max_tours: int = 20,
    progres: Callable[[int, int], None] | None = None,
) -> tuple[list[Conversation], int]:
    """Every conversation, `parallele` at a time; (conversations in order, 429 answers)."""
    limite = asyncio.Semaphore(parallele)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    fini = 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        serveur = Serveur(session, url, jeton)

        async def une(p: Persona) -> Conversation:
            nonlocal fini
            async with limite:
                conv = await jouer(serveur, p, graine, pause, max_tours)
            fini += 1
            if progres:
                progres(fini, len(personas))
            return conv

        convs = await asyncio.gather(*(une(p) for p in personas))
    return list(convs), serveur.nb_429


async def verifier_serveur(url: str, jeton: str) -> str | None:
    """Why the server cannot be used (None when it answers and the token works)."""
    timeout = aiohttp.ClientTimeout(total=10)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url.rstrip("/") + "/webhooks/webchat/") as r:
                if r.status != 200:
                    return f"GET /webhooks/webchat/ : {r.status}"
            async with session.get(url.rstrip("/") + "/status", params={"token": jeton}) as r:
                if r.status != 200:
                    return f"API de Rasa refusée ({r.status}) : vérifie CAPNUM_RASA_TOKEN"
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return f"serveur injoignable ({type(exc).__name__})"
    return None


def afficher_progres(fini: int, total: int) -> None:
    if fini % 50 == 0 or fini == total:
        print(f"  {fini}/{total} conversations", file=sys.stderr, flush=True)
