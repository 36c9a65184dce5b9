"""The driver: what the persona writes next, given what the assistant just did.

Pure (no network): `Conducteur.premier()` then `Conducteur.suivant(tour)` after each
answer, until it returns None.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from bot.contract import DOMAINES
from tools.simulation import banques as b
from tools.simulation.modele import Tour, a_des_resultats, boutons, normaliser
from tools.simulation.personas import REGISTRES, Lieu, Persona, communes

ORDRE = ("situation", "age", "diplome", "commune", "interets")
BOUTONS_SUITES = {
    "plus_pres": "/plus_pres",
    "a_distance": "/accepter_distance",
    "d_autres": "/plus_de_resultats",
}
EXPLORATION = ("utter_explorer_interets_1", "utter_explorer_interets_2")
MAX_INTERJECTIONS = 2
# Intentions that answer the question being asked (a second one is a rephrasing).
ESSAIS = ("reponse", "reformulation", "precision", "reponse+volontaire", "indecis")
# Messages that do not answer it: at most one per question, so that a question asked three
# times in a row always means that an answer was not understood.
DETOURS = ("question", "hors_sujet", "ok", "desordre", "hesitation", "partiel", "correction")


@dataclass
class Envoi:
    """A message the persona sends."""

    texte: str
    intention: str
    faits: dict[str, Any] = field(default_factory=dict)  # canonical facts it states
    bouton: str | None = None


def valeur_bouton(payload: str) -> dict[str, Any]:
    """The entities of a button payload ('/informer{"age": "19"}' → {"age": "19"})."""
    if "{" not in payload:
        return {}
    try:
        valeur = json.loads(payload[payload.index("{") :])
    except ValueError:
        return {}
    return valeur if isinstance(valeur, dict) else {}


class Conducteur:
    """Plays one persona."""

    def __init__(self, persona: Persona, rng: random.Random, max_tours: int = 20) -> None:
        self.p = persona
        self.rng = rng
        self.max_tours = max_tours
        self.donnes: dict[str, Any] = {}  # facts stated so far (canonical)
        self.corriger: str | None = None  # fact to correct in the next message
        self.fait_faux = False
        self.hesite = False
        self.partiel = False
        self.interjections = 0
        self.resultats = False
        self.suites = list(persona.suites)
        self.tours = 0
        self.question: str | None = None  # slot the assistant is asking
        self.essais = 0  # answers already given to that question
        self.detour = False  # a message that did not answer it was already sent

    # --- facts -------------------------------------------------------------------------
    def vrai(self, champ: str) -> Any:
        """The persona's true value of a fact (None: the persona does not know)."""
        if champ == "interets":
            return list(self.p.interets) or None
        if champ == "commune":
            return self.p.lieu
        return getattr(self.p, champ)

    def _faits(self, champ: str, valeur: Any) -> dict[str, Any]:
        if champ == "commune":
            return {"commune": valeur.nom, "departement": valeur.departement}
        return {champ: valeur}

    def _registre(self) -> str:
        autres = [r for r in REGISTRES if r != self.p.registre]
        return self.p.registre if self.rng.random() < 0.85 else self.rng.choice(autres)

    def _ecrire(self, champ: str, valeur: Any, forme: str, registre: str) -> str:
        lieu = valeur if isinstance(valeur, Lieu) else None
        return b.fait(champ, valeur, forme, registre, self.rng, lieu=lieu)

    def _habiller(self, texte: str, registre: str, soigne: bool = False) -> str:
        return b.habiller(texte, registre, 0 if soigne else self.p.fautes, self.p.emoji, self.rng)

    def manquants(self, sauf: str | None = None) -> list[str]:
        """Facts not stated yet that the persona knows."""
        return [c for c in ORDRE if c != sauf and c not in self.donnes and self.vrai(c) is not None]

    def _bouton_pour(self, tour: Tour | None, champ: str, valeur: Any) -> dict[str, str] | None:
        for bouton in boutons(tour) if tour else []:
            entites = valeur_bouton(str(bouton.get("payload", "")))
            if champ not in entites:
                continue
            cible = valeur[0] if isinstance(valeur, list) else valeur
            if champ == "commune" and isinstance(valeur, Lieu):
                # "Saint-Denis (93)": the right name and the right department.
                if normaliser(entites[champ]) == normaliser(f"{valeur.nom} ({valeur.departement})"):
                    return bouton
            elif entites[champ] == cible:
                return bouton
        return None

    def _clic(self, bouton: dict[str, str], intention: str, faits: dict[str, Any]) -> Envoi:
        return Envoi(str(bouton["payload"]), intention, faits, bouton=str(bouton.get("title")))

    # --- messages ----------------------------------------------------------------------
    def premier(self) -> Envoi:
        """The opening message."""
        self.tours = 1
        registre = self._registre()
        if self.p.ouverture == "avec_faits":
            choix = [c for c in ORDRE if self.vrai(c) is not None and c != self.p.correction]
            champs = sorted(
                self.rng.sample(choix, min(len(choix), self.rng.randint(2, 3))), key=ORDRE.index
            )
            parties = [self._ecrire(c, self.vrai(c), "phrase", registre) for c in champs]
            faits: dict[str, Any] = {}
            for c in champs:
                faits.update(self._faits(c, self.vrai(c)))
            self.donnes.update(faits)
            modele = b.phrase_simple("ouvertures", "avec_faits", registre, self.rng, faits="{}")
            faits_texte = b.joindre(parties, registre, self.rng)
            texte = modele.format(
                faits_texte if modele.startswith("{") else b.minuscule(faits_texte)
            )
            return Envoi(self._habiller(texte, registre), "ouverture", faits)
        texte = b.phrase_simple("ouvertures", "salut", registre, self.rng)
        return Envoi(self._habiller(texte, registre), "ouverture")

    def suivant(self, tour: Tour) -> Envoi | None:
        """The next message after the assistant answered `tour`; None ends the conversation."""
        if tour.statut == 200 and a_des_resultats(tour):
            self.resultats = True
        if tour.requested_slot != self.question:
            self.question, self.essais, self.detour = tour.requested_slot, 0, False
        if not self.resultats and self.tours >= self.max_tours:
            return None
        envoi = self._choisir(tour)
        if envoi is not None:
            self.tours += 1
            sorte = envoi.intention.split(":")[0]
            self.essais += sorte in ESSAIS
            self.detour = self.detour or sorte in DETOURS
            self.donnes.update(envoi.faits)
        return envoi

    def _choisir(self, tour: Tour) -> Envoi | None:
        if self.corriger:
            return self._correction()
        slot = tour.requested_slot
        if self.resultats and slot is None:
            return self._suite(tour) if self.suites else None
        if self.tours >= 30:
            return None
        if (
            self.tours > 1
            and self.essais == 0
            and not self.detour
            and self.interjections < MAX_INTERJECTIONS
            and self.rng.random() < self.p.interjections
        ):
            return self._interjection()
        if slot in ORDRE:
            return self._repondre(slot, tour)
        return self._relance()

    def _interjection(self) -> Envoi:
        self.interjections += 1
        sorte = self.rng.choices(("questions", "hors_sujet", "acquiescement"), (5, 2, 3))[0]
        texte = self.rng.choice(b.banque("interjections")[sorte])
        intention = {"questions": "question", "hors_sujet": "hors_sujet"}.get(sorte, "ok")
        return Envoi(texte, intention)

    def _relance(self) -> Envoi:
        manquants = self.manquants()
        registre = self._registre()
        if manquants:
            champ = manquants[0]
            valeur = self.vrai(champ)
            texte = self._ecrire(champ, valeur, "phrase", registre)
            return Envoi(
                self._habiller(texte, registre), f"volontaire:{champ}", self._faits(champ, valeur)
            )
        texte = b.phrase_simple("ouvertures", "relance", registre, self.rng)
        return Envoi(self._habiller(texte, registre), "relance")

    def _correction(self) -> Envoi:
        champ, self.corriger = self.corriger, None
        assert champ is not None
        registre = self._registre()
        valeur = self.vrai(champ)
        phrase = self._ecrire(champ, valeur, "phrase", registre)
        phrase = b.minuscule(phrase)
        texte = b.phrase_simple("corrections", "correction", registre, self.rng, phrase=phrase)
        return Envoi(
            self._habiller(texte, registre, soigne=True),
            f"correction:{champ}",
            self._faits(champ, valeur),
        )

    def _faux(self, champ: str) -> Any:
        """A wrong value for a fact, corrected in the next message."""
        vrai = self.vrai(champ)
        if champ == "age":
            return min(60, max(15, vrai + self.rng.choice((-3, -2, -1, 1, 2, 3))))
        if champ == "commune":
            grandes = [c for c in communes() if c.population > 150_000 and c.nom != vrai.nom]
            return self.rng.choice(grandes)
        if champ == "interets":
            return [self.rng.choice([d for d in DOMAINES if d not in vrai])]
        choix = {
            "situation": ("decrocheur", "demandeur_emploi", "salarie", "etudiant"),
            "diplome": ("aucun", "brevet", "cap_bep", "bac", "bac_plus_2"),
        }[champ]
        return self.rng.choice([v for v in choix if v != vrai])

    def _repondre(self, slot: str, tour: Tour) -> Envoi:
        registre = self._registre()
        if slot == "interets" and self.vrai("interets") is None:
            return self._indecis(tour, registre)
        valeur = self.vrai(slot)
        if slot == "commune" and "utter_commune_ambigue" in tour.modeles:
            bouton = self._bouton_pour(tour, "commune", valeur)
            if bouton:
                return self._clic(bouton, "reponse:commune", self._faits("commune", valeur))
            texte = b.phrase_simple(
                "commune", "precision", registre, self.rng, **b.variables_lieu(valeur, self.rng)
            )
            return Envoi(texte, "precision:commune", self._faits("commune", valeur))
        if self.essais >= 2 or (self.essais == 0 and self.rng.random() < self.p.clics):
            bouton = self._bouton_pour(tour, slot, valeur)
            if bouton:
                clique = valeur[:1] if slot == "interets" else valeur
                return self._clic(bouton, f"reponse:{slot}", self._faits(slot, clique))
        if self.essais:
            # Asked again after an answer: say it plainly, as a whole sentence.
            texte = self._ecrire(slot, valeur, "phrase", "standard")
            if slot == "commune":
                texte = b.phrase_simple(
                    "commune",
                    "precision",
                    "standard",
                    self.rng,
                    **b.variables_lieu(valeur, self.rng),
                )
            return Envoi(texte, f"reformulation:{slot}", self._faits(slot, valeur))
        if slot == "diplome" and self.p.hesite_diplome and not self.hesite and not self.detour:
            self.hesite = True
            texte = b.phrase_simple("diplome", "hesitation", registre, self.rng)
            return Envoi(self._habiller(texte, registre), "hesitation:diplome")
        if slot == "commune" and self.p.departement_seul and not self.partiel and not self.detour:
            self.partiel = True
            texte = b.phrase_simple(
                "commune", "partiel", registre, self.rng, dep=valeur.departement
            )
            return Envoi(self._habiller(texte, registre), "partiel:commune")
        if slot == self.p.correction and not self.fait_faux:
            self.fait_faux, self.corriger = True, slot
            faux = self._faux(slot)
            texte = self._ecrire(slot, faux, "reponse", registre)
            return Envoi(
                self._habiller(texte, registre, soigne=True),
                f"faux:{slot}",
                self._faits(slot, faux),
            )
        autres = self.manquants(sauf=slot)
        if autres and not self.detour and self.rng.random() < self.p.desordre:
            champ = self.rng.choice(autres)
            texte = self._ecrire(champ, self.vrai(champ), "phrase", registre)
            return Envoi(
                self._habiller(texte, registre),
                f"desordre:{champ}",
                self._faits(champ, self.vrai(champ)),
            )
        forme = "reponse" if self.rng.random() < 0.7 else "phrase"
        texte = self._ecrire(slot, valeur, forme, registre)
        faits = self._faits(slot, valeur)
        intention = f"reponse:{slot}"
        if autres and self.rng.random() < self.p.volontaire:
            champ = self.rng.choice(autres)
            texte = b.joindre(
                [
                    self._ecrire(slot, valeur, "phrase", registre),
                    self._ecrire(champ, self.vrai(champ), "phrase", registre),
                ],
                registre,
                self.rng,
            )
            faits.update(self._faits(champ, self.vrai(champ)))
            intention = f"reponse+volontaire:{slot}+{champ}"
        return Envoi(self._habiller(texte, registre), intention, faits)

    def _indecis(self, tour: Tour, registre: str) -> Envoi:
        """A persona who does not know what they like: "je sais pas", then maybe a choice."""
        revele = self.p.revele
        if any(m in tour.modeles for m in EXPLORATION):
            if revele:
                bouton = self._bouton_pour(tour, "interets", [revele])
                if bouton:
                    if self.rng.random() < 0.6:
                        return self._clic(bouton, "reponse:interets", {"interets": [revele]})
                    texte = self._ecrire("interets", [revele], "reponse", registre)
                    return Envoi(
                        self._habiller(texte, registre), "reponse:interets", {"interets": [revele]}
                    )
            texte = b.phrase_simple("interets", "toujours_pas", registre, self.rng)
            return Envoi(self._habiller(texte, registre), "indecis:interets")
        bouton = next((x for x in boutons(tour) if x.get("payload") == "/je_sais_pas"), None)
        if bouton and self.rng.random() < self.p.clics:
            return self._clic(bouton, "indecis:interets", {})
        texte = b.phrase_simple("interets", "indecis", registre, self.rng)
        return Envoi(self._habiller(texte, registre), "indecis:interets")

    def _suite(self, tour: Tour) -> Envoi:
        suite = self.suites.pop(0)
        payload = BOUTONS_SUITES.get(suite)
        bouton = next((x for x in boutons(tour) if x.get("payload") == payload), None)
        if bouton and self.rng.random() < max(self.p.clics, 0.2):
            return self._clic(bouton, f"suite:{suite}", {})
        texte = self.rng.choice(b.banque("suites")[suite])
        return Envoi(self._habiller(texte, self.p.registre), f"suite:{suite}")
