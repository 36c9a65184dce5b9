"""The console's views of a session, built in the Rasa server: its live state (from the
conversation's tracker while the sharing is on), the messages a counsellor pushes to the
young person's chat, and the summary sheet's data."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

import segno
from rasa.shared.core.events import BotUttered, SlotSet

from bot.catalogue.recommend_sql import recommander_catalogue
from bot.console import etat
from bot.console.comptes import Compte, ConsoleError
from bot.console.fiche import Fiche, FormationFiche, date_en_lettres
from bot.console.seances import Seance, code_affiche
from bot.console.service import ConsoleService
from bot.contract import RAYON_KM_DEFAUT
from bot.presentation import Texts, carte, nombre_formations, payload
from bot.profil.recherche import profil_depuis_slots
from bot.recommend import MAX_RESULTATS, liste_a_montrer, page

# Slots a counsellor's criteria write into the conversation when pushed.
SLOTS_POUSSES = (*etat.CRITERES, "code_insee", "departement", "region")
CONSEILLER = "conseiller"


async def slots_et_evenements(
    agent: Any, seance: Seance, service: ConsoleService | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The conversation's slots and messages, only while the person shares it: from the
    snapshot of its last saved turn, else from the tracker store."""
    if not seance.partage_actif or agent is None:
        return {}, []
    snapshot = service.direct.lire_instantane(seance.sender_id) if service else None
    if snapshot is not None:
        return snapshot
    tracker = await agent.tracker_store.retrieve(seance.sender_id)
    if tracker is None:
        return {}, []
    return tracker.current_slot_values(), [e.as_dict() for e in tracker.events]


async def etat_seance(
    service: ConsoleService,
    t: Texts,
    agent: Any,
    seance: Seance,
    public_url: str,
    avec_non_eligibles: bool = False,
) -> dict[str, Any]:
    """Everything the session page shows, as JSON."""
    slots, events = await slots_et_evenements(agent, seance, service)
    vus = etat.slots_de_la_seance(slots, seance.criteres)
    profil = profil_depuis_slots(vus, service.geo)
    reco = await recommandations_en_cache(service, t, profil, seance.marques)
    service.noter_profil(seance, profil, reco)
    out: dict[str, Any] = {
        "version": service.direct.version(seance.id),
        "seance": resume(seance, public_url),
        "profil": etat.profil_affiche(vus),
        "corrections": sorted(k for k, v in seance.criteres.items() if v is not None),
        "manquants": etat.manquants(vus),
        "messages": etat.messages(events, seance.accord_le),
        "recommandations": reco,
        "notes": seance.notes,
        "etapes": seance.etapes,
        "orientations": [
            {**o, "intitule": _intitule(service, o["formation_id"])}
            for o in service.orientations.de_seance(seance.id)
        ],
        "sans_solution": service.orientations.sans_solution_de(seance.id),
    }
    if avec_non_eligibles:
        out["non_eligibles"] = await asyncio.to_thread(
            etat.non_eligibles, t, profil, service.catalogue
        )
    return out


def _intitule(service: ConsoleService, formation_id: str | None) -> str | None:
    found = service.catalogue.get(formation_id) if formation_id else None
    return (
        f"{found.intitule} ({found.organisme})"
        if found and found.organisme
        else (found.intitule if found else None)
    )


# The console's recommendations by (profile, marks): most turns do not change the profile.
_RECOS: OrderedDict[tuple[Any, ...], tuple[float, dict[str, Any]]] = OrderedDict()
RECOS_SIZE = 512
RECOS_SECONDS = 60.0


async def recommandations_en_cache(
    service: ConsoleService, t: Texts, profil: Any, marques: dict[str, str]
) -> dict[str, Any]:
    """`etat.recommandations`, computed once a minute at most for the same profile and
    marks (a reloaded catalogue shows within that minute)."""
    key = (profil, tuple(sorted(marques.items())), id(service.catalogue))
    now = time.monotonic()
    found = _RECOS.get(key)
    if found is not None and now - found[0] < RECOS_SECONDS:
        _RECOS.move_to_end(key)
        return found[1]
    reco = await asyncio.to_thread(etat.recommandations, t, profil, service.catalogue, marques)
    _RECOS[key] = (now, reco)
    while len(_RECOS) > RECOS_SIZE:
        _RECOS.popitem(last=False)
    return reco


def resume(seance: Seance, public_url: str) -> dict[str, Any]:
    """A session's line in the list, and the head of its page."""
    code = None
    if seance.code is not None:
        code = {
            "code": code_affiche(seance.code),
            "expire_le": seance.code_expire_le,
            "lien": f"{public_url}/webhooks/webchat/?code={seance.code}",
        }
    return {
        "id": seance.id,
        "cree_le": seance.cree_le,
        "maj_le": seance.maj_le,
        "statut": seance.statut,
        "mode": seance.mode,
        "conseiller": seance.conseiller,
        "partage": seance.partage,
        "canal": (seance.canal or "").split(":", 1)[0] or None,
        "accord_le": seance.accord_le,
        "donnees_effacees": seance.donnees_effacees,
        "marques": seance.marques,
        "code": code,
    }


async def selection_poussee(
    service: ConsoleService, t: Texts, agent: Any, seance: Seance
) -> tuple[list[dict[str, Any]], list[Any]]:
    """(messages for the young person's chat, tracker events) of the counsellor's
    selection: a note that the counsellor adjusted the search, the first page of cards
    and the `recommandations` payload; the events also set the corrected slots."""
    slots, _ = await slots_et_evenements(agent, seance, service)
    vus = etat.slots_de_la_seance(slots, seance.criteres)
    profil = profil_depuis_slots(vus, service.geo)
    reco = await asyncio.to_thread(recommander_catalogue, profil, service.catalogue)
    liste = liste_a_montrer(profil, reco)
    affiches = page(liste, 0)
    rayon = int(vus.get("rayon_km") or RAYON_KM_DEFAUT)
    if affiches:
        entete = t.get(
            "libelle_partage_ajuste", formations=nombre_formations(t, len(liste)), rayon_km=rayon
        )
    else:
        entete = t.get("libelle_partage_ajuste_vide", rayon_km=rayon)
    messages: list[dict[str, Any]] = [{"text": entete}]
    for rang, resultat in enumerate(affiches, start=1):
        carte_texte = t.get("utter_formation_carte", **carte(t, resultat, rang, profil))
        messages.append({"text": carte_texte})
    if affiches:
        messages.append({"custom": payload(t, vus, affiches, reco.type_alternative, profil=profil)})
    events: list[Any] = [
        SlotSet(name, vus.get(name))
        for name in SLOTS_POUSSES
        if name in seance.criteres
        or (name in ("code_insee", "departement", "region") and "commune" in seance.criteres)
    ]
    events += [
        SlotSet("resultats", [r.formation.id for r in liste]),
        SlotSet("page_resultats", 0.0),
    ]
    for message in messages:
        data = {"custom": {"type": CONSEILLER}} if message is messages[0] else {}
        if "custom" in message:
            data = {"custom": message["custom"]}
        events.append(BotUttered(message.get("text"), data))
    return messages, events


def fiche(t: Texts, seance: Seance, structure: str, state: dict[str, Any], now: float) -> Fiche:
    """The summary sheet of a session: the trainings marked "à contacter" (else the
    current selection without those set aside), with the profile and the next steps."""
    referentiel = etat.referentiel(t)
    profil = state["profil"]
    lignes: list[tuple[str, str]] = []
    if profil.get("situation"):
        lignes.append(
            (
                t.get("libelle_console_champ_situation"),
                referentiel["situations"][profil["situation"]],
            )
        )
    if profil.get("age"):
        lignes.append(
            (t.get("libelle_console_champ_age"), t.get("resume_age_valeur", age=int(profil["age"])))
        )
    if profil.get("diplome"):
        lignes.append(
            (t.get("libelle_console_champ_diplome"), referentiel["diplomes"][profil["diplome"]])
        )
    if profil.get("commune"):
        lignes.append((t.get("libelle_console_champ_commune"), str(profil["commune"])))
    if profil.get("interets"):
        domaines = ", ".join(referentiel["domaines"][d] for d in profil["interets"])
        lignes.append((t.get("libelle_console_champ_interets"), domaines))
    lignes.append(
        (
            t.get("libelle_console_champ_distance"),
            t.get("libelle_console_distance", rayon_km=int(profil.get("rayon_km") or 30)),
        )
    )
    formations = state["recommandations"]["formations"]
    choisies = [f for f in formations if f.get("marque") == "a_contacter"]
    if not choisies:
        choisies = [f for f in formations if f.get("marque") != "ecartee"][:MAX_RESULTATS]
    return Fiche(
        date=datetime.fromtimestamp(now).date(),
        structure=structure,
        conseiller=seance.conseiller,
        profil=lignes,
        formations=[_formation_fiche(t, f) for f in choisies],
        etapes=seance.etapes,
        notes_personne=[n["texte"] for n in seance.notes if n["visibilite"] == "personne"],
        orientations=[_orientation_fiche(t, o) for o in state.get("orientations", [])],
    )


def _orientation_fiche(t: Texts, o: dict[str, Any]) -> str:
    return t.get(
        "libelle_orientation_ligne",
        cible=o.get("intitule") or o.get("structure") or o.get("formation_id") or "",
        statut=t.get(f"libelle_orientation_statut_{o['statut']}"),
        date=date_en_lettres(t, date.fromisoformat(o["date"])),
    )


def _formation_fiche(t: Texts, f: dict[str, Any]) -> FormationFiche:
    textes = f["textes"]
    marque = f.get("marque")
    return FormationFiche(
        intitule=f["intitule"],
        organisme=textes["organisme"],
        lieu=textes["lieu"],
        duree=textes["duree"],
        cout=textes["cout"],
        dates=None,
        contact=None,
        site=f.get("site"),
        raisons=list(f.get("raisons") or []),
        marque=t.get(f"libelle_console_marque_{marque}") if marque else None,
        source=textes["source"],
        date_donnees=f.get("date_donnees"),
    )


def qr_svg(seance: Seance, public_url: str) -> str:
    """The QR code that opens the web chat with the session's code."""
    if seance.code is None:
        raise ConsoleError("code_expire", 404)
    lien = f"{public_url}/webhooks/webchat/?code={seance.code}"
    return segno.make(lien, error="m").svg_inline(scale=6, title="QR code", border=2)


def compte_json(compte: Compte) -> dict[str, Any]:
    return {
        "identifiant": compte.identifiant,
        "nom": compte.nom,
        "role": compte.role,
        "structure": compte.structure,
        "region": compte.region,
    }
