"""What one user message changes in the profile: the logic behind `action_extraire_profil`.

Pure: it takes the message (text, intent, entities), the slot asked for and the current
slots, and returns the slot updates plus the responses to send. Canonical values come
from button payloads (entities) or from the parsers of `bot.profil`; places from
`bot.geo`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.geo import Commune, Geo, normalize_name
from bot.lieux import STOP_WORDS, departement_in, find_in_text, locate, without_place_names
from bot.memo import per_message
from bot.profil.age import parse_age
from bot.profil.faits import first_person_facts, parse_message
from bot.texte import normalize

# Intents whose text may carry profile facts.
PROFILE_INTENTS = frozenset(
    {
        "informer",
        "saluer",
        "demander_formation",
        "affirmer",
        "nier",
        "nlu_fallback",
        "hors_sujet",
        "je_sais_pas",
    }
)
# Intents that only count when the form is waiting for an answer ("rien" or "aucun",
# read as "je ne sais pas", answer the diploma question: no diploma).
ANSWER_ONLY_INTENTS = frozenset({"affirmer", "nier", "nlu_fallback", "hors_sujet", "je_sais_pas"})
MAX_COMMUNES_PROPOSEES = 6
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


@dataclass
class Extraction:
    """Slot updates and responses (name, template variables) for one message."""

    slots: dict[str, Any] = field(default_factory=dict)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    corrections: dict[str, Any] = field(default_factory=dict)


# Questions and requests whose first-person facts are taken (`first_person_facts`).
_ASKING = frozenset({"demander_aide", "demander_inscription", "plus_pres", "elargir_zone"})


def _asks(intent: str | None) -> bool:
    return bool(intent) and (intent.startswith("question_") or intent in _ASKING)


def _inside_blank(entity: dict[str, Any], text: str, masked: str) -> bool:
    """Whether an extracted entity (not a place) was read inside a blanked place name."""
    start, end = entity.get("start"), entity.get("end")
    if entity.get("entity") == "commune" or not entity.get("extractor"):
        return False
    if not isinstance(start, int) or not isinstance(end, int) or start >= end:
        return False
    return masked[start:end].strip() == "" and text[start:end].strip() != ""


def _entity_values(entities: list[dict[str, Any]], name: str) -> list[Any]:
    values: list[Any] = []
    for entity in entities:
        if entity.get("entity") == name:
            value = entity.get("value")
            values.extend(value if isinstance(value, list) else [value])
    return values


def commune_slots(commune: Commune) -> dict[str, Any]:
    """The place slots for one resolved commune."""
    return {
        "commune": commune.nom,
        "code_insee": commune.code_insee,
        "departement": commune.departement,
        "region": commune.region,
        "communes_possibles": None,
    }


def _find_place(
    text: str, entities: list[dict[str, Any]], expecting: bool, geo: Geo
) -> tuple[list[Commune] | None, str | None]:
    """Candidate communes, and the place text that matched nothing (if any)."""
    for value in _entity_values(entities, "commune"):
        if isinstance(value, str) and value.strip():
            found = geo.resolve(value)
            if len(found) > 1:
                # A name shared by several communes, written as a postcode ("93200" gives
                # the value "Saint-Denis"): the message itself may say which one.
                in_text = find_in_text(geo, text) or []
                found = [c for c in found if c in in_text] or found
            if found:
                return found, None
    postcode = _POSTCODE.search(text)
    if postcode and not geo.by_postcode(postcode.group(1)):
        return None, postcode.group(1)
    found = find_in_text(geo, text)
    if found:
        return found, None
    if expecting:
        bare = text.strip()
        if _no_place_words(bare):
            return None, None
        if 1 < len(bare) <= 60 and len(bare.split()) <= 6:
            # The name, else a nickname or a misspelled big town ("tlse", "marseil").
            found = geo.resolve(bare) or find_in_text(geo, bare, reponse=True)
            if found:
                return found, None
            if not re.search(r"\d", bare) and normalize(bare) not in {"", "oui", "non"}:
                return None, bare
    return None, None


def departement_seul(
    text: str, entities: list[dict[str, Any]], expecting: bool, geo: Geo
) -> dict[str, Any] | None:
    """When the place of the message is a département alone ("dans le 93"), the variables
    of `utter_departement_prefecture` (the préfecture taken for distances, see `bot.geo`);
    None otherwise: `extract` tells the person which town the distances start from."""
    if any(e.get("entity") == "commune" and not e.get("extractor") for e in entities):
        return None  # a button: the town was chosen
    found = departement_in(geo, text, reponse=expecting)
    located = locate(geo, text, reponse=expecting)
    if found is None or located is None or located[1] != found[1]:
        return None  # no département, or a town named as well
    prefecture = geo.prefecture(found[0])
    if prefecture is None:
        return None
    nom = geo.departement_name(found[0]) or found[0]
    return {"commune": prefecture.nom, "departement": found[0], "nom_departement": nom}


def _no_place_words(text: str) -> bool:
    """Only everyday words ("aucun", "rien", "pas l'info"): no town to look for, and none
    to report as not found ("aucun" is also a commune of the Hautes-Pyrénées)."""
    words = normalize_name(text).split()
    return bool(words) and all(w in STOP_WORDS for w in words)


@per_message()
def extract(
    text: str,
    intent: str | None,
    entities: list[dict[str, Any]],
    requested_slot: str | None,
    current: dict[str, Any],
    geo: Geo,
) -> Extraction:
    """Profile updates carried by one message (see module docstring)."""
    out = Extraction()
    # Entities of a button payload (the NLU extractors name themselves in "extractor").
    from_buttons = {e.get("entity") for e in entities if not e.get("extractor")}
    if intent not in PROFILE_INTENTS and not from_buttons & {"situation", "diplome", "interets"}:
        if _asks(intent) and not text.lstrip().startswith("/"):
            # "j'ai 35 ans, c'est mort ?": what the person says of themself, when not known.
            facts = first_person_facts(text)
            for slot in ("situation", "diplome", "age"):
                value = getattr(facts, slot)
                if value is not None and current.get(slot) is None:
                    out.slots[slot] = float(value) if slot == "age" else value
        return out
    if intent in ANSWER_ONLY_INTENTS and requested_slot is None:
        return out
    if text.lstrip().startswith("/"):
        # A button payload ('/informer{"situation": "..."}'): only its entities count.
        text = ""
    masked = without_place_names(geo, text, requested_slot == "commune")
    if masked != text:
        # The words of the town's name are no other fact ("Lège-Cap-Ferret": no CAP).
        entities = [e for e in entities if not _inside_blank(e, text, masked)]
    facts = parse_message(masked, requested_slot)
    if facts.age is None and current.get("age") is None and requested_slot not in (None, "commune"):
        # A bare number answers the age question even when another one was asked.
        facts.age = parse_age(text, expecting_age=True)

    situation = next(
        (v for v in _entity_values(entities, "situation") if v in SITUATIONS), facts.situation
    )
    diplome = next((v for v in _entity_values(entities, "diplome") if v in DIPLOMES), facts.diplome)
    interets = [v for v in _entity_values(entities, "interets") if v in DOMAINES]
    interets = interets or facts.interets
    updates: dict[str, Any] = {
        "situation": situation,
        "diplome": diplome,
        "age": float(facts.age) if facts.age is not None else None,
        "distanciel": facts.distanciel,
        "rayon_km": float(facts.rayon_km) if facts.rayon_km else None,
    }
    if interets:
        known = list(current.get("interets") or [])
        if known and re.search(r"\baussi\b|\ben plus\b", normalize(text)):
            interets = [d for d in DOMAINES if d in set(known) | set(interets)]
        updates["interets"] = interets

    candidates, unknown = _find_place(text, entities, requested_slot == "commune", geo)
    if unknown is not None and not unknown.isdigit():
        if any(value not in (None, []) for value in updates.values()):
            unknown = None  # the message answered something else, it named no place
    if unknown is not None:
        out.responses.append(("utter_commune_introuvable", {"lieu": unknown[:60]}))
        updates["commune"] = None
    elif candidates and len(candidates) == 1:
        updates.update(commune_slots(candidates[0]))
        seul = departement_seul(text, entities, requested_slot == "commune", geo)
        if seul is not None and seul["commune"] == candidates[0].nom:
            out.responses.append(("utter_departement_prefecture", seul))
    elif candidates:
        updates["commune"] = None
        updates["communes_possibles"] = [c.label for c in candidates[:MAX_COMMUNES_PROPOSEES]]

    place_unresolved = unknown is not None or (candidates is not None and len(candidates) > 1)
    for slot, value in updates.items():
        if slot == "commune" and value is None and place_unresolved:
            # Always said, so that the form asks again instead of rejecting the turn.
            out.slots[slot] = None
            continue
        if value is None and slot not in ("commune", "communes_possibles"):
            continue
        if value is None and slot == "communes_possibles" and "commune" not in updates:
            continue
        old = current.get(slot)
        if value == old:
            continue
        out.slots[slot] = value
        if old not in (None, [], "") and value not in (None, []) and slot in _CORRECTABLE:
            out.corrections[slot] = value
    return out


_CORRECTABLE = ("situation", "diplome", "age", "commune", "interets", "rayon_km")


def prioritise(required: list[str], town_pending: bool, age_pending: bool) -> list[str]:
    """The form's slot order, with a pending town choice or age correction first."""
    first = [s for s, pending in (("commune", town_pending), ("age", age_pending)) if pending]
    return [s for s in first if s in required] + [s for s in required if s not in first]
