"""Deterministic matching of the catalogue's free-text certification names to RNCP
numbers; its proposals are reviewed by hand and the reviewed file
(``knowledge/catalogue/rncp_correspondances.csv``) is the truth: the build reports any
difference and never overwrites it.

Rules, per training (``formation_id``, the texts of all its rows):

1. Texts are normalised: lower case, no accents, parentheses dropped (gender marks
   "(ne)", "(DU)"...), "niveau III" and "bac+2" dropped, punctuation as spaces, the small
   words (de, du, en, et...) dropped, plurals folded (réseaux → reseau).
2. An official title of ``knowledge/rncp/certifications.csv`` (or a reviewed short form
   of ``ALIAS``) found as whole words in the row's certification field names the
   certification; the field saying "titre professionnel" keeps only professional titles.
3. The training's title counts only when it *is* an official title (or short form) and
   the certification field says the training leads to a diploma ("diplômante", not
   "non diplômante") or names a kind of certification (titre professionnel, BTS, DUT,
   diplôme d'université, licence, master). "Certifiante" alone does not: in these lists it
   also covers certificates outside the RNCP.
4. Among the fiches of that title, the year of the row's data keeps those registered that
   year: ended before it (known end date) or starting after it (known start) are out, and
   an inactive fiche without end date is out (its dates are unknown). One fiche left, or
   several of one replacement chain (the earliest is kept), makes a match; fiches of
   different chains (other certifying bodies) make no match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.catalogue.rncp import Rncp
from bot.catalogue.rncp_donnees import Certification, Correspondance

PETITS_MOTS = frozenset("a au aux d de des du en et l la le les".split())
# Reviewed short forms of official titles (normalised form → normalised official title).
ALIAS: dict[str, str] = {
    # "BTS SIO" is the usual name of the BTS Services informatiques aux organisations.
    "bts sio": "service informatique organisation",
    # M2I's 2016 wording of the professional title TSRIT.
    "technicien superieur reseau informatique telecom": (
        "technicien superieur reseau informatique telecommunication entreprise"
    ),
}
_DIPLOMANT_RE = re.compile(r"(?<!non )diplomant")
_TYPE_RE = re.compile(r"\b(titre professionnel|tp|bts|dut|diplome universite|du|licence|master)\b")
_TP_RE = re.compile(r"\b(titre professionnel|tp)\b")


def normaliser(text: str | None) -> str:
    """The comparable form of a title or a sentence (rule 1)."""
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\bniveau\s+(?:[ivx]+|\d)\b|\bbac\s*\+\s*\d\b", " ", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_singulier(w) for w in words if w not in PETITS_MOTS)


def _singulier(word: str) -> str:
    if word.endswith("eaux"):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _annee(date_donnees: str) -> int:
    """First year of a row's data date ("2016-2021" → 2016)."""
    return int(re.findall(r"\d{4}", date_donnees)[0])


def en_vigueur_en(cert: Certification, annee: int, rncp: Rncp) -> bool:
    """Registered during `annee`, as far as the data tells (rule 4)."""
    if cert.fin_validite is None:
        if cert.statut != "actif":
            return False
    elif cert.fin_validite.year < annee:
        return False
    fiche = rncp.fiche(cert.numero)
    return not (fiche and fiche.debut and fiche.debut.year > annee)


@dataclass(frozen=True)
class Proposition:
    """The matcher's proposal for one training."""

    formation_id: str
    lignes: tuple[str, ...]
    rncp: tuple[str, ...]
    raison: str

    def ligne(self) -> dict[str, str]:
        """A row of rncp_correspondances.csv."""
        return {
            "formation_id": self.formation_id,
            "lignes": "|".join(self.lignes),
            "rncp": "|".join(self.rncp),
            "raison": self.raison,
        }


def _textes(rows: Sequence[dict[str, Any]], *keys: str) -> list[str]:
    found: list[str] = []
    for row in rows:
        for key in keys:
            for value in (row.get(key), (row.get("brut") or {}).get(key)):
                if isinstance(value, str) and value.strip() and value.strip() not in found:
                    found.append(value.strip())
    return found


class Matcher:
    """Official titles of the digital certifications, by normalised form."""

    def __init__(self, rncp: Rncp) -> None:
        self.rncp = rncp
        self.titres: dict[str, list[Certification]] = {}
        for cert in rncp.certifications.values():
            self.titres.setdefault(normaliser(cert.intitule), []).append(cert)
        phrases = {titre: titre for titre in self.titres}
        phrases.update({alias: titre for alias, titre in ALIAS.items() if titre in self.titres})
        self.phrases = sorted(phrases.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def titres_nommes(self, texte: str) -> list[tuple[str, str]]:
        """(phrase, official title) named in a normalised text, longest phrases first."""
        found = []
        padded = f" {texte} "
        for phrase, titre in self.phrases:
            if f" {phrase} " in padded:
                found.append((phrase, titre))
                padded = padded.replace(f" {phrase} ", " | ")
        return found

    def fiches(self, titre: str, annee: int, tp_seul: bool) -> list[Certification]:
        """Fiches of a title registered in `annee`, the earliest of a chain kept."""
        certs = [
            c
            for c in self.titres.get(titre, [])
            if en_vigueur_en(c, annee, self.rncp)
            and (not tp_seul or c.type == "Titre professionnel")
        ]
        later = {n.numero for c in certs for n in self.rncp.chaine(c.numero)[1:]}
        earliest = [c for c in certs if c.numero not in later]
        chains = {self.rncp.chaine(c.numero)[-1].numero for c in certs}
        return earliest if len(chains) == 1 else certs

    def proposer(self, formation_id: str, rows: Sequence[dict[str, Any]]) -> Proposition:
        """The proposal for the rows of one training."""
        ids = tuple(row["id"] for row in rows)
        annee = min(_annee(row["date_donnees"]) for row in rows)
        certifs = _textes(rows, "certification", "formation_diplomante")
        cert_norm = " ".join(normaliser(t) for t in certifs)
        tp_seul = bool(_TP_RE.search(cert_norm))
        evidence: list[tuple[str, str, str]] = []  # (texte, champ, titre)
        for texte in certifs:
            for _phrase, titre in self.titres_nommes(normaliser(texte)):
                evidence.append((texte, "champ certification", titre))
        says_diploma = bool(_DIPLOMANT_RE.search(cert_norm) or _TYPE_RE.search(cert_norm))
        identiques: list[str] = []
        for intitule in _textes(rows, "intitule", "nom_formation"):
            norm = normaliser(intitule)
            titre = ALIAS.get(norm, norm)
            if titre in self.titres and says_diploma:
                evidence.append((intitule, "intitulé ; formation dite diplômante", titre))
            elif titre in self.titres:
                identiques.append(intitule)
        numeros: list[str] = []
        raisons: list[str] = []
        for texte, champ, titre in evidence:
            fiches = self.fiches(titre, annee, tp_seul)
            if len(fiches) != 1:
                raisons.append(
                    f"« {texte} » ({champ}) : {len(fiches)} fiches non terminées en {annee} "
                    f"({', '.join(c.numero for c in fiches) or 'aucune'}), aucune retenue"
                )
                continue
            cert = fiches[0]
            if cert.numero in numeros:
                continue
            numeros.append(cert.numero)
            raisons.append(
                f"« {texte} » ({champ}) → {cert.numero} « {cert.intitule} » "
                f"({cert.type + ', ' if cert.type else ''}niveau {cert.niveau}), "
                f"seule fiche de ce titre non terminée en {annee}"
            )
        if not raisons and identiques:
            intitule = identiques[0]
            norm = normaliser(intitule)
            fiches = self.fiches(ALIAS.get(norm, norm), annee, tp_seul=False)
            raisons.append(
                f"intitulé « {intitule} » : même titre au RNCP "
                f"({', '.join(c.numero for c in fiches) or 'aucune fiche'} non terminée(s) en "
                f"{annee}), "
                "mais la source ne dit pas que la formation y prépare"
            )
        if not raisons:
            raisons.append("aucun intitulé de certification du RNCP dans les textes de la ligne")
        return Proposition(formation_id, ids, tuple(numeros), " ; ".join(raisons))


def proposer(rows: Sequence[dict[str, Any]], rncp: Rncp) -> list[Proposition]:
    """The proposal for every training of the catalogue rows, in formation_id order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["formation_id"], []).append(row)
    matcher = Matcher(rncp)
    return [matcher.proposer(fid, groups[fid]) for fid in sorted(groups)]


def comparer(
    propositions: Sequence[Proposition], reviewed: Mapping[str, Correspondance]
) -> list[str]:
    """Differences between the matcher's numbers and the reviewed file (French lines)."""
    differences = []
    proposed = {p.formation_id: p for p in propositions}
    for fid in sorted(set(proposed) | set(reviewed)):
        if fid not in reviewed:
            differences.append(f"{fid} : absente du fichier revu (proposé : {proposed[fid].rncp})")
        elif fid not in proposed:
            differences.append(f"{fid} : dans le fichier revu mais plus dans le catalogue")
        elif set(proposed[fid].rncp) != set(reviewed[fid].rncp):
            differences.append(
                f"{fid} : revu {'|'.join(reviewed[fid].rncp) or '(aucune)'}, "
                f"proposé {'|'.join(proposed[fid].rncp) or '(aucune)'}"
            )
    return differences
