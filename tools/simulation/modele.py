"""What a simulated conversation records: turns, bot answers, tracker state, failures."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Tour:
    """One message of the person and the assistant's answer."""

    numero: int
    message: str  # what was sent (a button payload when a button was touched)
    intention: str  # "ouverture", "reponse:age", "correction:age", "suite:plus_pres"...
    statut: int = 0  # HTTP status (0: no answer)
    reponses: list[dict[str, Any]] = field(default_factory=list)
    bouton: str | None = None  # title of the touched button
    faits: list[str] = field(default_factory=list)  # facts the message states
    requested_slot: str | None = None  # question being asked after the turn (tracker)
    modeles: list[str] = field(default_factory=list)  # responses the bot used (tracker)
    slots: dict[str, Any] = field(default_factory=dict)  # profile after the turn (tracker)
    duree_s: float = 0.0
    essais_429: int = 0


@dataclass
class Echec:
    """One invariant failure."""

    invariant: str  # "inv1"... "inv7"
    sorte: str  # kind inside the invariant, e.g. "question_repetee", "http_500"
    tour: int | None
    detail: str


@dataclass
class Conversation:
    """A whole simulated conversation."""

    numero: int
    persona: dict[str, Any]
    sender: str = ""
    tours: list[Tour] = field(default_factory=list)
    attendus: dict[str, Any] = field(default_factory=dict)  # facts given, canonical values
    slots_finaux: dict[str, Any] = field(default_factory=dict)
    erreur: str | None = None  # the simulator's own trouble (tracker unreadable...)
    duree_s: float = 0.0
    echecs: list[Echec] = field(default_factory=list)
    verdicts_cartes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Conversation:
        c = cls(**{k: v for k, v in d.items() if k not in ("tours", "echecs")})
        c.tours = [Tour(**t) for t in d.get("tours", [])]
        c.echecs = [Echec(**e) for e in d.get("echecs", [])]
        return c


def textes_bot(tour: Tour) -> list[str]:
    """Texts of the assistant's messages in a turn."""
    return [str(m["text"]) for m in tour.reponses if isinstance(m, dict) and m.get("text")]


def payload_recommandations(tour: Tour) -> dict[str, Any] | None:
    """The `recommandations` custom payload of a turn, if any."""
    for m in tour.reponses:
        custom = m.get("custom") if isinstance(m, dict) else None
        if isinstance(custom, dict) and custom.get("type") == "recommandations":
            return custom
    return None


AUCUN_RESULTAT = "utter_aucun_resultat"


def aucun_resultat(tour: Tour) -> bool:
    """The honest "no training found" answer."""
    return AUCUN_RESULTAT in tour.modeles or any(
        "aucune formation qui corresponde" in t for t in textes_bot(tour)
    )


def a_des_resultats(tour: Tour) -> bool:
    return payload_recommandations(tour) is not None or aucun_resultat(tour)


def boutons(tour: Tour) -> list[dict[str, str]]:
    """Buttons offered in the turn (of its last message that has some)."""
    for m in reversed(tour.reponses):
        if isinstance(m, dict) and m.get("buttons"):
            return [b for b in m["buttons"] if isinstance(b, dict)]
    return []


def textes_visibles(tour: Tour) -> list[str]:
    """Everything the person can read in a turn: texts, button titles, what the page draws
    from the cards (title, organisation, display texts, reasons)."""
    out = textes_bot(tour)
    for m in tour.reponses:
        if not isinstance(m, dict):
            continue
        out += [str(b.get("title", "")) for b in m.get("buttons") or [] if isinstance(b, dict)]
    payload = payload_recommandations(tour)
    for carte in (payload or {}).get("formations") or []:
        out += [str(carte.get("intitule") or ""), str(carte.get("organisme") or "")]
        out += [str(v) for v in (carte.get("textes") or {}).values()]
        out += [str(r) for r in carte.get("raisons") or []]
    return [t for t in out if t]


def normaliser(texte: Any) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces ("Saint-Étienne" →
    "saint etienne")."""
    decompose = unicodedata.normalize("NFKD", str(texte))
    sans = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s'’-]+", " ", sans).strip()
