"""Channel-neutral layer for messaging apps (Telegram today, WhatsApp or Messenger next).

A messaging adapter only has to (1) turn a platform update into an `Incoming` message and
(2) send `Outgoing` messages with the platform's API. Everything in between is here and
pure: what Rasa receives for a text, a command, a tapped button, a media or a shared
location (`rasa_text`), and how the bot's messages of one turn become platform-neutral
messages (`render`): **bold** turned into spans, buttons kept, the plain-text training cards
replaced by one message per training drawn from the `recommandations` payload, and long
texts split under the platform's size limit. French wording comes from the domain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import redis
from rasa.core.channels.channel import OutputChannel
from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.guard import EMPTY_MESSAGE_INTENT, prepare_text
from bot.geo import Commune, Geo, distance_km
from bot.presentation import Texts
from bot.shared_state import log_failure, shared_key, shared_redis

CARD_RESPONSE = "utter_formation_carte"
# The key of a bot message that names the domain response it comes from.
RESPONSE_NAME_KEY = RESPONSE_SELECTOR_UTTER_ACTION_KEY
RECOMMENDATIONS_TYPE = "recommandations"
# What Rasa cannot read is answered by the channel itself with a domain text, without a
# turn (nothing stored): `rasa_text` returns one of these markers (never sent to Rasa).
MEDIA = "<media>"
UNKNOWN_POSITION = "<position_inconnue>"
LOCAL_ANSWERS = {
    MEDIA: "libelle_messagerie_media",
    UNKNOWN_POSITION: "libelle_messagerie_position_inconnue",
}
# A shared position further than this from every commune with known coordinates is
# treated as outside France.
MAX_POSITION_KM = 20.0
# Commands of the messaging apps (typed "/aide", or chosen in the app's command menu).
COMMANDS = {
    "start": "/saluer",
    "recommencer": "/recommencer",
    "supprimer": "/supprimer_donnees",
    "aide": "/demander_aide",
}
_BOLD = re.compile(r"\*\*([^*\n]+?)\*\*")


# --- incoming -----------------------------------------------------------------------------
class Kind(Enum):
    """What the person sent."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"
    LOCATION = "location"


@dataclass(frozen=True)
class Incoming:
    """One message from a person, whatever the app: typed text, command name (without
    the slash), button payload, a media, or a position."""

    kind: Kind
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None


def nearest_commune(
    geo: Geo, latitude: float, longitude: float, max_km: float = MAX_POSITION_KM
) -> Commune | None:
    """The commune with known coordinates nearest to a position, if within `max_km`."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    # A cheap box first (1 degree of latitude is 111 km), then the exact distance.
    dlat = max_km / 111.0
    dlon = max_km / (111.0 * max(0.1, math.cos(math.radians(latitude))))
    best: tuple[float, Commune] | None = None
    for commune in geo.communes:
        if commune.lat is None or commune.lon is None:
            continue
        if abs(commune.lat - latitude) > dlat or abs(commune.lon - longitude) > dlon:
            continue
        km = distance_km(latitude, longitude, commune.lat, commune.lon)
        if km <= max_km and (best is None or km < best[0]):
            best = (km, commune)
    return best[1] if best else None


def commune_payload(commune: Commune) -> str:
    """The button-like payload that gives the commune, as the commune choice buttons do."""
    return "/informer" + json.dumps({"commune": commune.label}, ensure_ascii=False)


def rasa_text(incoming: Incoming, max_length: int, geo: Callable[[], Geo] = Geo.default) -> str:
    """What Rasa receives for one incoming message, or a `LOCAL_ANSWERS` marker.

    Typed texts are handled as on the web chat (empty or too long texts become intents);
    commands map to intents (an unknown command is "not understood"); a tapped button
    sends its payload; a position gives the nearest commune; media (and positions far
    from France) get a local answer.
    """
    if incoming.kind is Kind.TEXT:
        # Typed text never reaches Rasa as an intent payload: only buttons send those.
        return prepare_text(incoming.text.lstrip("/"), max_length)
    if incoming.kind is Kind.COMMAND:
        return COMMANDS.get(incoming.text.lower(), EMPTY_MESSAGE_INTENT)
    if incoming.kind is Kind.BUTTON:
        return incoming.text if incoming.text.startswith("/") else EMPTY_MESSAGE_INTENT
    if incoming.kind is Kind.LOCATION and incoming.latitude is not None:
        commune = nearest_commune(geo(), incoming.latitude, float(incoming.longitude or 0))
        return commune_payload(commune) if commune else UNKNOWN_POSITION
    return MEDIA


def pending_question(tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    """The bot's last message (text and buttons) while the profile form waits for an
    answer, to show the question again after a local answer."""
    if tracker is None or not tracker.active_loop_name:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and event.text:
            return {"text": event.text, "buttons": event.data.get("buttons")}
    return None


def conversation_id(prefix: str, key: str, *parts: object) -> str:
    """A stable conversation (sender) id that does not reveal the platform's ids: an HMAC
    of the chat (and, in groups, the person) keyed by the channel's secret."""
    message = ":".join(str(p) for p in parts).encode()
    return f"{prefix}-{hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]}"


class RecentIds:
    """The last `size` ids seen (bounded memory), to drop re-delivered updates. With a
    `name` and several servers (`bot.shared_state`), the ids are kept in Redis for a day,
    so that a delivery retried on another server is dropped too."""

    DAY = 86_400

    def __init__(self, size: int = 10_000, name: str | None = None) -> None:
        self.size = size
        self.name = name
        self._ids: OrderedDict[object, None] = OrderedDict()

    def seen(self, key: object) -> bool:
        """True if `key` was already seen; otherwise remember it."""
        client = shared_redis() if self.name else None
        if client is not None:
            try:
                return not client.set(
                    shared_key(f"seen:{self.name}", str(key)), 1, nx=True, ex=self.DAY
                )
            except redis.RedisError as exc:
                log_failure(f"ids {self.name}", exc)
        if key in self._ids:
            return True
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False


class MessageCollector(OutputChannel):
    """Collects the bot's messages of one turn unchanged (Rasa's collector splits texts on
    blank lines); `CHANNEL` is the name that channel-specific responses can target."""

    CHANNEL = "messaging"

    @classmethod
    def name(cls) -> str:
        return cls.CHANNEL

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))


# --- outgoing -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RichText:
    """Plain text and its bold spans, as [start, end) indices into `text`."""

    text: str
    bold: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Outgoing:
    """One message to send: text, and buttons under it."""

    body: RichText
    buttons: tuple[Button, ...] = field(default_factory=tuple)


def parse_bold(text: str) -> RichText:
    """`**bold**` markers (the only formatting of the domain texts) to bold spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    length = 0
    for match in _BOLD.finditer(text):
        before = text[position : match.start()]
        out.append(before)
        length += len(before)
        inner = match.group(1)
        spans.append((length, length + len(inner)))
        out.append(inner)
        length += len(inner)
        position = match.end()
    out.append(text[position:])
    return RichText("".join(out), tuple(spans))


def _cut(text: str, start: int, limit: int, measure: Callable[[str], int]) -> int:
    """Where the chunk starting at `start` ends: the longest piece within `limit`, cut
    at a blank line, else a line break, else a space, else anywhere."""
    if measure(text[start:]) <= limit:
        return len(text)
    low, high = start + 1, len(text)
    while low < high:  # largest end with measure(text[start:end]) <= limit
        middle = (low + high + 1) // 2
        if measure(text[start:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    end = low
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, start, end)
        if at > start + (end - start) // 2:
            return at
    return end


def split_text(rich: RichText, limit: int, measure: Callable[[str], int] = len) -> list[RichText]:
    """Pieces of `rich` each within `limit` (as the platform counts), cut at paragraph,
    line or word boundaries when possible; bold spans follow their text."""
    text = rich.text
    pieces: list[RichText] = []
    start = 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        end = _cut(text, start, limit, measure)
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        spans = tuple(
            (max(a, start) - start, min(b, stop) - start)
            for a, b in rich.bold
            if a < stop and b > start
        )
        pieces.append(RichText(text[start:stop], spans))
        start = end
    return pieces


def _plain(value: Any) -> str:
    """A value put into a template: its asterisks become the look-alike "∗" so that
    they cannot open or close the template's bold."""
    return str(value).replace("*", "\u2217") if value is not None else ""


def card(t: Texts, formation: Mapping[str, Any]) -> Outgoing:
    """One training of the `recommandations` payload as a message with a "Détails" button."""
    textes = formation.get("textes") or {}
    raisons = "\n".join(
        t.get("libelle_messagerie_raison", raison=_plain(r)) for r in formation.get("raisons") or []
    )
    text = t.get(
        "libelle_messagerie_carte",
        rang=formation.get("rang", ""),
        intitule=_plain(formation.get("intitule")),
        raisons=raisons,
        date_donnees=_plain(formation.get("date_donnees")),
        **{key: _plain(textes.get(key)) for key in textes},
    )
    buttons: tuple[Button, ...] = ()
    if formation.get("details_payload"):
        title = t.get("libelle_messagerie_bouton_details")
        buttons = (Button(title, str(formation["details_payload"])),)
    return Outgoing(parse_bold(text), buttons)


def _is_card_text(message: Mapping[str, Any], formations: Iterable[Mapping[str, Any]]) -> bool:
    if message.get(RESPONSE_NAME_KEY) == CARD_RESPONSE:
        return True
    text = message.get("text") or ""
    return any(text.startswith(f"{f.get('rang')}. **{f.get('intitule')}**") for f in formations)


def _buttons(message: Mapping[str, Any]) -> tuple[Button, ...]:
    return tuple(
        Button(str(b.get("title") or b.get("payload")), str(b["payload"]))
        for b in message.get("buttons") or []
        if b.get("payload")
    )


def render(
    messages: list[dict[str, Any]],
    t: Texts,
    limit: int,
    measure: Callable[[str], int] = len,
) -> list[Outgoing]:
    """The bot's messages of one turn as platform-neutral messages, in order.

    With a `recommandations` payload, its cards replace the plain-text cards; texts
    longer than `limit` are split, and the buttons go under the last piece.
    """
    formations = [
        f
        for m in messages
        if isinstance(m.get("custom"), dict) and m["custom"].get("type") == RECOMMENDATIONS_TYPE
        for f in m["custom"].get("formations") or []
    ]
    out: list[Outgoing] = []
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == RECOMMENDATIONS_TYPE:
            out += [card(t, f) for f in custom.get("formations") or []]
        text = message.get("text")
        if text and not (formations and _is_card_text(message, formations)):
            out.append(Outgoing(parse_bold(str(text)), _buttons(message)))
    return [piece for item in out for piece in split_outgoing(item, limit, measure)]


def split_outgoing(
    item: Outgoing, limit: int, measure: Callable[[str], int] = len
) -> list[Outgoing]:
    """One message cut under `limit`; its buttons go under the last piece."""
    pieces = split_text(item.body, limit, measure)
    if not pieces:
        return []
    return [Outgoing(p) for p in pieces[:-1]] + [Outgoing(pieces[-1], item.buttons)]
