"""The chat side of a guidance session, run by every channel before Rasa sees a message:
a session code typed (or opened from the QR code), the yes or no to sharing, and
"arrêter le partage". These are answered by the channel itself, with domain texts, and
never reach the assistant's model (nothing to misread, nothing stored in the tracker).

Any other message goes on to Rasa: a person who does not answer the consent question is
never stuck on it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.channels.guard import RateLimiter
from bot.console.comptes import ConsoleError
from bot.console.seances import code_dans
from bot.console.service import ConsoleService
from bot.presentation import Texts
from bot.texte import normalize

ACCEPT_PAYLOAD = "/partage_accepter"
REFUSE_PAYLOAD = "/partage_refuser"
STOP_PAYLOAD = "/arreter_partage"
PAYLOADS = frozenset({ACCEPT_PAYLOAD, REFUSE_PAYLOAD, STOP_PAYLOAD})
_YES = re.compile(
    r"(?:oui|ouais|ouai|ok|okay|oki|d ?accord|dac|dacc|ca marche|vas y|go|yes|carrement"
    r"|j accepte|oui j accepte|oui je suis d accord|je suis d accord|bien sur|volontiers)"
)
_NO = re.compile(
    r"(?:non|nan|no|pas d accord|je refuse|refuse|non merci|je veux pas|je ne veux pas"
    r"|pas question|jamais)"
)
_STOP = re.compile(
    r"(?:je (?:veux|voudrais) )?(?:arreter|arrete|stopper|stop|stoppe|couper|coupe|finir|fin)"
    r"(?: de| du)? (?:le |la )?partage(?: avec (?:le |la |mon |ma )?conseill\w*)?"
)
# Wrong codes a conversation may try: 5 at once, then one every 6 minutes.
CODE_ATTEMPTS = RateLimiter(per_minute=10 / 60, burst=5, name="share_code")


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", normalize(text).lower()).split())


def consent_question(t: Texts, structure: str) -> dict[str, Any]:
    return {
        "text": t.get("libelle_partage_question", structure=structure),
        "partage": "attente",
        "buttons": [
            {"title": t.get("libelle_partage_bouton_oui"), "payload": ACCEPT_PAYLOAD},
            {"title": t.get("libelle_partage_bouton_non"), "payload": REFUSE_PAYLOAD},
        ],
    }


def intercepter(
    service: ConsoleService, t: Texts, text: object, sender_id: str, canal: str
) -> list[dict[str, Any]] | None:
    """The channel's answer when the message belongs to a guidance session, else None.
    `canal` is saved with the link (the channel's name, and what it needs to push).
    The first message says where the sharing stands (`partage`: attente, actif or fin), so
    that the web chat knows when to ask for the counsellor's messages."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    code = code_dans(raw)
    if code is not None:
        return _join(service, t, code, sender_id, canal)
    # Normalised only when it could be one of the answers below (every message passes here).
    stop_words = len(raw) < 80 and "partag" in raw.lower()
    if not (stop_words or len(raw) < 60):
        return None
    plain = _plain(raw) if not raw.startswith("/") else raw
    if raw == STOP_PAYLOAD or (stop_words and _STOP.fullmatch(plain)):
        return [{"text": t.get(_stop(service, sender_id)), "partage": "fin"}]
    if raw in (ACCEPT_PAYLOAD, REFUSE_PAYLOAD) or (
        len(raw) < 60 and (_YES.fullmatch(plain) or _NO.fullmatch(plain))
    ):
        if service.seances.en_attente(sender_id) is None:
            # A yes or no for something else: the assistant's; a stale button: explained.
            return (
                [{"text": t.get("libelle_partage_aucun"), "partage": "fin"}]
                if raw in PAYLOADS
                else None
            )
        accepte = raw == ACCEPT_PAYLOAD or (raw not in PAYLOADS and bool(_YES.fullmatch(plain)))
        seance_id = service.seances.repondre_accord(sender_id, accepte)
        if seance_id is not None:
            service.direct.rafraichir()
            service.direct.changer(seance_id)
            if accepte:
                service.partage_accepte(seance_id, canal.partition(":")[0])
        name = "libelle_partage_accepte" if accepte else "libelle_partage_refuse"
        return [{"text": t.get(name), "partage": "actif" if accepte else "fin"}]
    return None


def _join(
    service: ConsoleService, t: Texts, code: str, sender_id: str, canal: str
) -> list[dict[str, Any]]:
    if not CODE_ATTEMPTS.allow(sender_id):
        return [{"text": t.get("libelle_partage_trop_d_essais")}]
    try:
        seance_id = service.seances.rejoindre(code, sender_id, canal)
    except ConsoleError:
        return [{"text": t.get("libelle_partage_code_refuse")}]
    service.direct.rafraichir()
    service.direct.changer(seance_id)
    structure = service.seances.structure_de(seance_id)
    return [consent_question(t, structure)]


def _stop(service: ConsoleService, sender_id: str) -> str:
    ended = service.seances.arreter_partage(sender_id)
    service.direct.rafraichir()
    for seance_id in ended:
        service.direct.changer(seance_id)
    return "libelle_partage_arrete" if ended else "libelle_partage_aucun"
