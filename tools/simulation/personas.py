"""Personas: fake young people (and a few older ones) drawn from a seed.

Each persona is generated from `random.Random(f"{graine}-{numero}")`, so persona n is the
same whatever the number of conversations asked for.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS

GEO_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "geo"
OUTRE_MER = ("971", "972", "973", "974", "976")
REGISTRES = ("standard", "familier", "sms")
SUITES = ("plus_pres", "plus_loin", "a_distance", "d_autres")
CORRIGEABLES = ("situation", "age", "diplome", "commune", "interets")


@dataclass(frozen=True)
class Lieu:
    """A real commune of knowledge/geo/communes.csv."""

    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    population: int
    homonyme: bool = False  # another commune has the same name
    cp_unique: bool = False  # its first postcode belongs to it alone


@dataclass
class Persona:
    """Who the simulated person is and how they write."""

    numero: int
    situation: str
    age: int
    diplome: str
    lieu: Lieu
    interets: list[str]  # empty: does not know ("je sais pas")
    revele: str | None = None  # domain picked among the "je sais pas" choices, if any
    registre: str = "familier"
    fautes: float = 0.0  # probability that a typed message carries typos
    emoji: float = 0.0
    clics: float = 0.0  # probability to touch an offered button rather than typing
    volontaire: float = 0.0  # probability to add a fact that was not asked
    desordre: float = 0.0  # probability to answer another fact than the one asked
    interjections: float = 0.0  # probability of a question/off-topic/"ok" before answering
    correction: str | None = None  # a fact first given wrong, then corrected
    hesite_diplome: bool = False
    departement_seul: bool = False  # answers "dans le 93" first
    ouverture: str = "salut"  # "salut" or "avec_faits"
    suites: list[str] = field(default_factory=list)

    def faits(self) -> dict[str, Any]:
        """Canonical slot values this persona can state."""
        out: dict[str, Any] = {
            "situation": self.situation,
            "age": self.age,
            "diplome": self.diplome,
            "commune": self.lieu.nom,
            "departement": self.lieu.departement,
        }
        if self.interets:
            out["interets"] = list(self.interets)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def communes() -> tuple[Lieu, ...]:
    """Every commune of the geography files (metropolitan France and overseas)."""
    with open(GEO_DIR / "communes.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    noms: dict[str, int] = defaultdict(int)
    cps: dict[str, int] = defaultdict(int)
    for r in rows:
        noms[r["nom"].lower()] += 1
        for cp in r["codes_postaux"].split():
            cps[cp] += 1
    out = []
    for r in rows:
        codes = tuple(r["codes_postaux"].split())
        if not codes:
            continue
        out.append(
            Lieu(
                nom=r["nom"],
                departement=r["departement"],
                codes_postaux=codes,
                population=int(r["population"] or 0),
                homonyme=noms[r["nom"].lower()] > 1,
                cp_unique=cps[codes[0]] == 1,
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _strates() -> dict[str, tuple[Lieu, ...]]:
    strates: dict[str, list[Lieu]] = defaultdict(list)
    for lieu in communes():
        if lieu.departement in OUTRE_MER:
            strates["outre_mer"].append(lieu)
        elif lieu.population >= 100_000:
            strates["grande_ville"].append(lieu)
        elif lieu.population >= 10_000:
            strates["ville_moyenne"].append(lieu)
        elif lieu.population >= 2_000:
            strates["bourg"].append(lieu)
        else:
            strates["village"].append(lieu)
    return {k: tuple(v) for k, v in strates.items()}


# Share of each kind of place among personas.
STRATES_POIDS = {
    "grande_ville": 0.30,
    "ville_moyenne": 0.28,
    "bourg": 0.17,
    "village": 0.15,
    "outre_mer": 0.10,
}


def _choix(rng: random.Random, poids: dict[str, float]) -> str:
    return rng.choices(list(poids), weights=list(poids.values()))[0]


def _age(rng: random.Random) -> int:
    tirage = rng.random()
    if tirage < 0.04:
        return 15
    if tirage < 0.82:
        return rng.randint(16, 30)
    return rng.randint(31, 60)


def _situation(rng: random.Random, age: int) -> str:
    if age < 18:
        poids = {"decrocheur": 0.6, "etudiant": 0.3, "demandeur_emploi": 0.05, "autre": 0.05}
    elif age <= 25:
        poids = {
            "decrocheur": 0.25,
            "demandeur_emploi": 0.35,
            "salarie": 0.15,
            "etudiant": 0.15,
            "autre": 0.1,
        }
    else:
        poids = {"demandeur_emploi": 0.5, "salarie": 0.35, "autre": 0.1, "etudiant": 0.05}
    assert set(poids) <= set(SITUATIONS)
    return _choix(rng, poids)


def _diplome(rng: random.Random, age: int) -> str:
    poids = {
        "aucun": 0.30,
        "brevet": 0.20,
        "cap_bep": 0.20,
        "bac": 0.18,
        "bac_plus_2": 0.08,
        "bac_plus_3": 0.04,
    }
    plafond = "brevet" if age < 16 else "cap_bep" if age < 18 else "bac" if age < 20 else None
    if plafond:
        rang = DIPLOMES.index(plafond)
        poids = {d: p for d, p in poids.items() if DIPLOMES.index(d) <= rang}
    return _choix(rng, poids)


def _interets(rng: random.Random) -> list[str]:
    tirage = rng.random()
    if tirage < 0.2:
        return []
    return rng.sample(list(DOMAINES), 1 if tirage < 0.8 else 2)


def generer(graine: int, numero: int) -> Persona:
    """Persona `numero` of the seed `graine` (deterministic)."""
    rng = random.Random(f"{graine}-{numero}")
    age = _age(rng)
    lieu = rng.choice(_strates()[_choix(rng, STRATES_POIDS)])
    interets = _interets(rng)
    registre = rng.choices(REGISTRES, weights=(0.35, 0.4, 0.25))[0]
    suites = rng.sample(list(SUITES), rng.randint(2, 4))
    return Persona(
        numero=numero,
        situation=_situation(rng, age),
        age=age,
        diplome=_diplome(rng, age),
        lieu=lieu,
        interets=interets,
        revele=(rng.choice(DOMAINES) if not interets and rng.random() < 0.5 else None),
        registre=registre,
        fautes=rng.choice((0.0, 0.0, 0.0, 0.15, 0.4)),
        emoji=rng.choice((0.0, 0.0, 0.1, 0.25)),
        clics=rng.choices((0.0, 0.3, 0.8), weights=(0.6, 0.3, 0.1))[0],
        volontaire=rng.choice((0.0, 0.0, 0.2, 0.4)),
        desordre=rng.choice((0.0, 0.0, 0.0, 0.2)),
        interjections=rng.choice((0.0, 0.0, 0.1, 0.25)),
        correction=rng.choice(CORRIGEABLES) if rng.random() < 0.12 else None,
        hesite_diplome=rng.random() < 0.08,
        departement_seul=rng.random() < 0.05,
        ouverture="avec_faits" if rng.random() < 0.25 else "salut",
        suites=suites,
    )


def generer_tous(graine: int, nombre: int) -> list[Persona]:
    """The first `nombre` personas of a seed."""
    return [generer(graine, n) for n in range(nombre)]


def resume(p: Persona) -> str:
    """One line describing a persona, for reports."""
    interets = "+".join(p.interets) or (f"ne sait pas→{p.revele}" if p.revele else "ne sait pas")
    traits = [p.registre]
    for nom, valeur in (
        ("fautes", p.fautes),
        ("volontaire", p.volontaire),
        ("désordre", p.desordre),
        ("interjections", p.interjections),
    ):
        if valeur:
            traits.append(nom)
    if p.correction:
        traits.append(f"corrige {p.correction}")
    return (
        f"{p.situation}, {p.age} ans, {p.diplome}, {p.lieu.nom} ({p.lieu.departement}), "
        f"{interets} ; {', '.join(traits)}"
    )
