"""The French word lists of the text readers: ``knowledge/lexique/*.yml``.

Each file has one reader below, which loads it once per process (``functools.cache``),
checks its format and returns typed values; a malformed file raises `LexiqueInvalide`,
naming the file and the entry. Patterns are regular expressions on the normalised text
(see `bot.texte.normalize`); their codes are the contract's canonical values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS

LEXIQUE_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "lexique"

_WORD = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")


class LexiqueInvalide(ValueError):
    """A lexicon file that does not have the expected format."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loader that refuses a key written twice in a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise LexiqueInvalide(f"{self.name} : « {key} » écrit deux fois (ligne {line})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Fichier:
    """One lexicon file being checked: errors name the file and the entry."""

    def __init__(self, nom: str, directory: Path | None = None) -> None:
        self.path = (directory or LEXIQUE_DIR) / f"{nom}.yml"
        loader = _Loader(self.path.read_text(encoding="utf-8"))
        loader.name = str(self.path)
        try:
            data = loader.get_single_data()
        except yaml.YAMLError as error:
            raise LexiqueInvalide(f"{self.path} : YAML illisible ({error})") from error
        finally:
            loader.dispose()
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    def erreur(self, entree: str, message: str) -> LexiqueInvalide:
        return LexiqueInvalide(f"{self.path} : « {entree} » : {message}")

    def cles(self, *attendues: str) -> None:
        """The top-level keys are exactly `attendues`."""
        for cle in attendues:
            if cle not in self.data:
                raise self.erreur(cle, "clé manquante")
        for cle in self.data:
            if cle not in attendues:
                raise self.erreur(cle, f"clé inconnue (attendues : {', '.join(attendues)})")

    def textes(
        self, valeur: Any, entree: str, check: Callable[[str], bool] | None = None
    ) -> tuple[str, ...]:
        """A non-empty list of distinct non-empty texts, each accepted by `check`."""
        if not isinstance(valeur, list) or not valeur:
            raise self.erreur(entree, "une liste non vide est attendue")
        vus: set[str] = set()
        for item in valeur:
            if not isinstance(item, str) or not item:
                raise self.erreur(entree, f"{item!r} n'est pas un texte")
            if item in vus:
                raise self.erreur(entree, f"« {item} » figure deux fois")
            if check is not None and not check(item):
                raise self.erreur(entree, f"« {item} » n'a pas la forme attendue")
            vus.add(item)
        return tuple(valeur)

    def mots(self, valeur: Any, entree: str) -> frozenset[str]:
        """Normalised words or phrases (lowercase, no accents)."""
        return frozenset(self.textes(valeur, entree, _WORD.fullmatch))

    def motifs(self, valeur: Any, entree: str) -> tuple[str, ...]:
        """Regular expressions that compile."""
        motifs = self.textes(valeur, entree)
        for motif in motifs:
            try:
                re.compile(motif)
            except re.error as error:
                message = f"expression régulière invalide « {motif} » ({error})"
                raise self.erreur(entree, message) from error
        return motifs

    def table(self, valeur: Any, entree: str, type_valeur: type) -> dict[str, Any]:
        """A non-empty mapping of texts to values of `type_valeur`."""
        if not isinstance(valeur, dict) or not valeur:
            raise self.erreur(entree, "une table non vide est attendue")
        for cle, item in valeur.items():
            if not isinstance(cle, str) or not cle or cle != cle.lower():
                raise self.erreur(f"{entree} → {cle}", "la clé doit être un mot en minuscules")
            if not isinstance(item, type_valeur) or isinstance(item, bool) or item == "":
                raise self.erreur(f"{entree} → {cle}", f"{type_valeur.__name__} attendu")
        return dict(valeur)

    def codes(self, codes: Any, entree: str, permis: tuple[str, ...]) -> None:
        """Every code is one of the contract's `permis` values."""
        for code in codes:
            if code not in permis:
                permises = ", ".join(permis)
                raise self.erreur(entree, f"« {code} » : pas une valeur du contrat ({permises})")


@dataclass(frozen=True)
class Sms:
    """SMS spellings: word → expansion, after accent stripping (`mots`) and before (`accents`)."""

    mots: Mapping[str, str]
    accents: Mapping[str, str]


@dataclass(frozen=True)
class GroupeSituation:
    """Patterns stating one situation, at one priority; a `faible` group is a wish."""

    situation: str
    motifs: tuple[str, ...]
    faible: bool


@dataclass(frozen=True)
class Situations:
    groupes: tuple[GroupeSituation, ...]
    masques: tuple[str, ...]
    fragments: Mapping[str, str]


@dataclass(frozen=True)
class Diplomes:
    motifs: tuple[tuple[str, tuple[str, ...]], ...]  # highest first, as in the file
    aucun: tuple[str, ...]


@dataclass(frozen=True)
class Interets:
    motifs: Mapping[str, tuple[str, ...]]
    informatique_generale: tuple[str, ...]
    domaines_generaux: tuple[str, ...]


@dataclass(frozen=True)
class Lieux:
    indices: frozenset[str]
    surnoms: Mapping[str, str]
    mots_courants: frozenset[str]
    seulement_apres_indice: frozenset[str]


@cache
def sms(directory: Path | None = None) -> Sms:
    f = _Fichier("sms", directory)
    f.cles("mots", "accents")
    return Sms(f.table(f.data["mots"], "mots", str), f.table(f.data["accents"], "accents", str))


@cache
def mots_cles(directory: Path | None = None) -> frozenset[str]:
    f = _Fichier("mots_cles", directory)
    f.cles("mots_cles")
    return frozenset(f.textes(f.data["mots_cles"], "mots_cles", str.isalpha))


@cache
def situations(directory: Path | None = None) -> Situations:
    f = _Fichier("situations", directory)
    f.cles("fragments", "groupes", "masques")
    fragments: dict[str, str] = {}
    if not isinstance(f.data["fragments"], dict):
        raise f.erreur("fragments", "une table est attendue")

    def expand(motif: str, entree: str) -> str:
        def fragment(m: re.Match[str]) -> str:
            if m.group(1) not in fragments:
                raise f.erreur(entree, f"fragment inconnu {m.group(0)}")
            return fragments[m.group(1)]

        return _FRAGMENT.sub(fragment, motif)

    for nom, valeur in f.data["fragments"].items():
        entree = f"fragments → {nom}"
        parts = [valeur] if isinstance(valeur, str) else f.motifs(valeur, entree)
        fragments[nom] = expand("|".join(parts), entree)
    groupes = []
    for i, groupe in enumerate(f.data["groupes"] or []):
        entree = f"groupes → {i + 1}"
        if not isinstance(groupe, dict) or set(groupe) - {"situation", "motifs", "faible"}:
            raise f.erreur(entree, "situation, motifs et faible (facultatif) sont attendus")
        f.codes([groupe.get("situation")], entree, SITUATIONS)
        motifs = tuple(expand(m, entree) for m in f.motifs(groupe.get("motifs"), entree))
        f.motifs(list(motifs), entree)
        groupes.append(GroupeSituation(groupe["situation"], motifs, groupe.get("faible") is True))
    if not groupes:
        raise f.erreur("groupes", "une liste non vide est attendue")
    return Situations(tuple(groupes), f.motifs(f.data["masques"], "masques"), fragments)


@cache
def diplomes(directory: Path | None = None) -> Diplomes:
    f = _Fichier("diplomes", directory)
    f.cles("diplomes", "aucun")
    table = f.table(f.data["diplomes"], "diplomes", list)
    f.codes(table, "diplomes", DIPLOMES)
    motifs = tuple((code, f.motifs(ps, f"diplomes → {code}")) for code, ps in table.items())
    return Diplomes(motifs, f.motifs(f.data["aucun"], "aucun"))


@cache
def interets(directory: Path | None = None) -> Interets:
    f = _Fichier("interets", directory)
    f.cles("domaines", "informatique_generale", "domaines_generaux")
    table = f.table(f.data["domaines"], "domaines", list)
    f.codes(table, "domaines", DOMAINES)
    generaux = f.textes(f.data["domaines_generaux"], "domaines_generaux")
    f.codes(generaux, "domaines_generaux", DOMAINES)
    return Interets(
        {code: f.motifs(ps, f"domaines → {code}") for code, ps in table.items()},
        f.motifs(f.data["informatique_generale"], "informatique_generale"),
        generaux,
    )


@cache
def rangs(directory: Path | None = None) -> dict[str, int]:
    f = _Fichier("rangs", directory)
    f.cles("rangs")
    table = f.table(f.data["rangs"], "rangs", int)
    for mot, rang in table.items():
        if rang == 0 or rang < -1:
            raise f.erreur(f"rangs → {mot}", "un rang est 1, 2… ou -1 (le dernier)")
    return table


@cache
def lieux(directory: Path | None = None) -> Lieux:
    f = _Fichier("lieux", directory)
    f.cles("indices", "surnoms", "mots_courants", "seulement_apres_indice")
    surnoms = f.table(f.data["surnoms"], "surnoms", str)
    for surnom in surnoms:
        if not _WORD.fullmatch(surnom):
            raise f.erreur(f"surnoms → {surnom}", "le surnom doit être écrit normalisé")
    return Lieux(
        f.mots(f.data["indices"], "indices"),
        surnoms,
        f.mots(f.data["mots_courants"], "mots_courants"),
        f.mots(f.data["seulement_apres_indice"], "seulement_apres_indice"),
    )


LECTEURS: dict[str, Callable[..., Any]] = {
    "sms": sms,
    "mots_cles": mots_cles,
    "situations": situations,
    "diplomes": diplomes,
    "interets": interets,
    "rangs": rangs,
    "lieux": lieux,
}
"""The reader of each file of ``knowledge/lexique`` (by file name without ``.yml``)."""
