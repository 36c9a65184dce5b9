"""Phrasing banks (YAML files of `banques/`) and how a persona's facts become messages."""

from __future__ import annotations

import random
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tools.simulation.personas import Lieu

BANQUES_DIR = Path(__file__).resolve().parent / "banques"

_UNITES = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize dix-sept dix-huit dix-neuf"
).split()
_DIZAINES = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def en_lettres(n: int) -> str:
    """A number from 0 to 69 in French words ("vingt et un", "trente-deux")."""
    if n < 20:
        return _UNITES[n]
    dizaine, unite = divmod(n, 10)
    if unite == 0:
        return _DIZAINES[dizaine]
    return f"{_DIZAINES[dizaine]}{' et ' if unite == 1 else '-'}{_UNITES[unite]}"


def sans_accents(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


@cache
def banque(nom: str) -> dict[str, Any]:
    """One YAML bank (`banques/<nom>.yml`)."""
    with open(BANQUES_DIR / f"{nom}.yml", encoding="utf-8") as f:
        return dict(yaml.safe_load(f))


def variantes(section: Any, registre: str) -> list[str]:
    """The variants of a section for a register (standard when the register is missing)."""
    if isinstance(section, list):
        return list(section)
    return list(section.get(registre) or section["standard"])


def _a_ville(nom: str) -> str:
    """ "à Lyon", "au Havre", "aux Abymes", "à La Rochelle"."""
    for article, contracte in (("Le ", "au "), ("Les ", "aux ")):
        if nom.startswith(article):
            return contracte + nom[len(article) :]
    return f"à {nom}"


def variables_lieu(lieu: Lieu, rng: random.Random) -> dict[str, str]:
    """Ways of writing a commune: official, lower case, SMS, with its article."""
    sms = sans_accents(lieu.nom).lower().replace("-", " ").replace("'", " ")
    if sms.startswith("saint ") and rng.random() < 0.5:
        sms = "st " + sms[len("saint ") :]
    minuscule = lieu.nom.lower() if rng.random() < 0.7 else lieu.nom.lower().replace("-", " ")
    a_sms = sans_accents(_a_ville(lieu.nom)).lower().replace("-", " ")
    return {
        "ville": lieu.nom,
        "ville_min": minuscule,
        "ville_sms": sms,
        "a_ville": _a_ville(lieu.nom),
        "a_ville_sms": a_sms,
        "cp": lieu.codes_postaux[0],
        "dep": lieu.departement,
    }


def fait(
    champ: str,
    valeur: Any,
    forme: str,
    registre: str,
    rng: random.Random,
    lieu: Lieu | None = None,
) -> str:
    """One fact (`champ` = situation, age, diplome, commune, interets) written as a short
    answer (`forme` = "reponse") or a self-contained sentence ("phrase")."""
    if champ == "age":
        modele = rng.choice(variantes(banque("age")[forme], registre))
        return modele.format(age=valeur, age_lettres=en_lettres(int(valeur)))
    if champ == "commune":
        assert lieu is not None
        modele = rng.choice(variantes(banque("commune")[forme], registre))
        if "{cp}" in modele and "{ville" not in modele and not lieu.cp_unique:
            modele = "{ville} {cp}"  # a postcode shared by several communes is not enough
        return modele.format(**variables_lieu(lieu, rng))
    if champ == "interets":
        domaines = banque("interets")["domaines"]
        if len(valeur) == 1:
            return rng.choice(variantes(domaines[valeur[0]][forme], registre))
        a, b = (rng.choice(variantes(domaines[d]["reponse"], registre)) for d in valeur[:2])
        return rng.choice(variantes(banque("interets")["deux"], registre)).format(
            a=a, b=minuscule(b)
        )
    return rng.choice(variantes(banque(champ)[valeur][forme], registre))


def minuscule(texte: str) -> str:
    """First letter in lower case ("J'ai" → "j'ai"), for a part inside a sentence."""
    return texte[:1].lower() + texte[1:]


def phrase_simple(nom: str, section: str, registre: str, rng: random.Random, **v: Any) -> str:
    """A variant of `banques/<nom>.yml` → `section`, formatted with `v`."""
    return rng.choice(variantes(banque(nom)[section], registre)).format(**v)


def joindre(parties: list[str], registre: str, rng: random.Random) -> str:
    """Several facts in one message ("j'ai 19 ans et je cherche du taf")."""
    texte = parties[0]
    for suivante in parties[1:]:
        liaison = rng.choice(variantes(banque("ouvertures")["liaisons"], registre))
        texte = liaison.format(a=texte, b=minuscule(suivante))
    return texte


def fautes(texte: str, rng: random.Random) -> str:
    """Typing mistakes on one or two words: a letter dropped, doubled or swapped, accents lost."""
    mots = texte.split(" ")
    candidats = [i for i, m in enumerate(mots) if len(m) >= 4 and m.isalpha()]
    for i in rng.sample(candidats, min(len(candidats), rng.randint(1, 2))):
        m = mots[i]
        j = rng.randrange(1, len(m) - 1)
        sortes = ["oubli", "double"] + ["inversion"] * (m[j - 1] != m[j])
        sortes += ["accents"] * (sans_accents(m) != m)
        sorte = rng.choice(sortes)
        if sorte == "oubli":
            m = m[:j] + m[j + 1 :]
        elif sorte == "double":
            m = m[:j] + m[j] + m[j:]
        elif sorte == "inversion":
            m = m[: j - 1] + m[j] + m[j - 1] + m[j + 1 :]
        else:
            m = sans_accents(m)
        mots[i] = m
    return " ".join(mots)


def habiller(texte: str, registre: str, fautes_p: float, emoji_p: float, rng: random.Random) -> str:
    """The register's look: SMS in lower case without accents, typos, an emoji."""
    if registre == "sms":
        texte = sans_accents(texte).lower()
    if fautes_p and rng.random() < fautes_p:
        texte = fautes(texte, rng)
    if emoji_p and rng.random() < emoji_p:
        texte = f"{texte} {rng.choice(banque('interjections')['emojis'])}"
    return texte
