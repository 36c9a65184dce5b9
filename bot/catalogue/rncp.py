"""RNCP certifications of the digital sector: official title, level, status and the
replaced-by chain, cohort statistics and entry requirements, the certifications a
catalogue training prepares, and those that lead to a job.

Reads only knowledge files, once per process (``default_rncp()``):

- ``knowledge/rncp/certifications.csv``: one row per certification (``python -m tools
  knowledge build``, from France Compétences' RNCP exports);
- ``knowledge/rncp/rome.csv``: certification → ROME code links (the codes the RNCP uses);
- ``knowledge/rncp/codes_rome.csv``: the job sheets' ROME 4.0 codes → the RNCP's codes;
- the newest ``knowledge/rncp/fiches_<date>.json``: complete fiches of an XML export
  (``capnum catalogue rncp-import``); they win over the CSV files for the same number;
- ``knowledge/catalogue/rncp_correspondances.csv``: the reviewed certifications of each
  catalogue training.

Codes only: the domain (``domain.yml``) words them for people.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.catalogue.rncp_donnees import (
    CODES_ROME_COLUMNS,
    Certification,
    Correspondance,
    Export,
    FicheExport,
    LienRome,
    Statistique,
    export_le_plus_recent,
    fusionner,
    lire_certifications,
    lire_correspondances,
    lire_export,
    lire_liens_rome,
    numero_rncp,
    rows_of,
    statistique,
)
from bot.config import get_settings
from bot.contract import DIPLOMES

LIENS = ("identique", "parent", "parent_partage")  # strongest first
# Qualification level (3..8) → the diploma it is equivalent to (words in domain.yml).
NIVEAUX: dict[int, str] = {
    3: "cap_bep",
    4: "bac",
    5: "bac_plus_2",
    6: "bac_plus_3",  # bac+3 or bac+4
    7: "bac_plus_5",
    8: "doctorat",
}
# A person's diploma (bot/contract.py DIPLOMES) → its level; no diploma and the brevet
# are below the first qualification level (3), counted as 2.
NIVEAU_DES_DIPLOMES: dict[str, int] = {
    "aucun": 2,
    "brevet": 2,
    "cap_bep": 3,
    "bac": 4,
    "bac_plus_2": 5,
    "bac_plus_3": 6,
}


def niveau_equivalent(niveau: int) -> str:
    """Diploma equivalent of a qualification level: 5 → "bac_plus_2" (see NIVEAUX)."""
    return NIVEAUX[niveau]


def ecart_niveau(diplome: str, niveau: int) -> int:
    """Levels between a person's diploma (contract code) and a certification's level;
    0 when the diploma reaches it."""
    if diplome not in DIPLOMES:
        raise ValueError(f"diplôme inconnu : {diplome!r}")
    return max(0, niveau - NIVEAU_DES_DIPLOMES[diplome])


def comparer_niveau(diplome: str, niveau: int) -> str:
    """ "atteint" (the diploma reaches the level), "un_niveau" (one level above it) or
    "plusieurs_niveaux"."""
    ecart = ecart_niveau(diplome, niveau)
    return "atteint" if ecart == 0 else "un_niveau" if ecart == 1 else "plusieurs_niveaux"


# --------------------------------------------------------------------------- API


class Rncp:
    """Every certification of the knowledge files, with the links around them."""

    def __init__(
        self,
        certifications: Mapping[str, Certification],
        liens: Mapping[str, tuple[LienRome, ...]],
        codes_rome: Mapping[str, Mapping[str, str]],
        correspondances: Mapping[str, Correspondance],
        export: Export | None = None,
    ) -> None:
        if export is not None:
            certifications, liens = fusionner(certifications, liens, export)
        self.certifications = dict(certifications)
        self.liens = dict(liens)
        self.codes_rome = {code: dict(targets) for code, targets in codes_rome.items()}
        self.correspondances = dict(correspondances)
        self.export = export
        self._par_code: dict[str, set[str]] = {}
        for numero, links in self.liens.items():
            for link in links:
                self._par_code.setdefault(link.code, set()).add(numero)

    @classmethod
    def load(cls, knowledge_dir: Path) -> Rncp:
        """Read the knowledge files of a ``knowledge/`` folder."""
        dossier = knowledge_dir / "rncp"
        codes: dict[str, dict[str, str]] = {}
        for row in rows_of(dossier / "codes_rome.csv", CODES_ROME_COLUMNS):
            codes.setdefault(row["code_rome"], {})[row["code_rome_rncp"]] = row["lien"]
        newest = export_le_plus_recent(dossier)
        return cls(
            lire_certifications(dossier / "certifications.csv"),
            lire_liens_rome(dossier / "rome.csv"),
            codes,
            lire_correspondances(knowledge_dir / "catalogue" / "rncp_correspondances.csv"),
            lire_export(newest) if newest else None,
        )

    def certification(self, numero: str) -> Certification | None:
        """The certification of a number ("RNCP37674" or "37674"), if known."""
        return self.certifications.get(numero_rncp(numero) or "")

    def chaine(self, numero: str) -> list[Certification]:
        """The certification then, replacement after replacement, the known fiches that
        followed it (stops at an unknown number or a loop)."""
        chain: list[Certification] = []
        seen: set[str] = set()
        current = self.certification(numero)
        while current is not None and current.numero not in seen:
            chain.append(current)
            seen.add(current.numero)
            current = self.certifications.get(current.remplacee_par)
        return chain

    def actuelle(self, numero: str) -> Certification | None:
        """The last known fiche of the replaced-by chain (the certification itself when
        it was not replaced)."""
        chain = self.chaine(numero)
        return chain[-1] if chain else None

    def correspondance(self, formation_id: str) -> Correspondance | None:
        """The reviewed decision for a catalogue training."""
        return self.correspondances.get(formation_id)

    def certifications_de_formation(self, formation_id: str) -> list[Certification]:
        """The certifications a catalogue training prepares (reviewed), as registered then."""
        corr = self.correspondances.get(formation_id)
        found = (self.certifications.get(n) for n in (corr.rncp if corr else ()))
        return [cert for cert in found if cert is not None]

    def _fiche(self, numero: str) -> FicheExport | None:
        if self.export is None:
            return None
        return self.export.fiches.get(numero_rncp(numero) or "")

    def statistiques(self, numero: str) -> list[Statistique]:
        """The cohorts of the newest export's fiche, latest year first."""
        fiche = self._fiche(numero)
        if fiche is None or self.export is None:
            return []
        stats = [statistique(item, self.export) for item in fiche.statistiques]
        return sorted(stats, key=lambda s: s.annee, reverse=True)

    def prerequis(self, numero: str) -> str | None:
        """Entry requirements of the training (PREREQUIS_ENTREE_FORMATION), if given."""
        fiche = self._fiche(numero)
        return fiche.prerequis if fiche else None

    def fiche(self, numero: str) -> FicheExport | None:
        """The complete fiche of the newest export (certifying bodies, organisations
        authorised to prepare it...), if it holds this number."""
        return self._fiche(numero)

    def certifications_du_metier(
        self,
        rome_codes: Iterable[str],
        jour: date | None = None,
        liens: Collection[str] = LIENS,
    ) -> list[Certification]:
        """Certifications linked to a job's ROME codes (a job sheet's ROME 4.0 codes are
        turned into the RNCP's codes by codes_rome.csv; `liens` keeps some kinds of link):
        registered ones on `jour` (default today) first, then by link (LIENS order), then
        by level, lowest first."""
        jour = jour or date.today()
        targets: dict[str, int] = {}
        for code in rome_codes:
            for target, lien in (self.codes_rome.get(code) or {code: "identique"}).items():
                if lien in liens:
                    targets[target] = min(targets.get(target, 9), LIENS.index(lien))
        best: dict[str, int] = {}
        for target, rank in targets.items():
            for numero in self._par_code.get(target, ()):
                best[numero] = min(best.get(numero, 9), rank)
        certs = [self.certifications[n] for n in best if n in self.certifications]
        return sorted(
            certs,
            key=lambda c: (
                not c.en_vigueur(jour),
                best[c.numero],
                c.niveau or 99,
                int(c.numero[4:]),
            ),
        )


@lru_cache(maxsize=1)
def default_rncp() -> Rncp:
    """The project's RNCP knowledge (read once per process)."""
    return Rncp.load(get_settings().knowledge_dir)


def certification(numero: str) -> Certification | None:
    """See :meth:`Rncp.certification`."""
    return default_rncp().certification(numero)


def actuelle(numero: str) -> Certification | None:
    """See :meth:`Rncp.actuelle`."""
    return default_rncp().actuelle(numero)


def certifications_de_formation(formation_id: str) -> list[Certification]:
    """See :meth:`Rncp.certifications_de_formation`."""
    return default_rncp().certifications_de_formation(formation_id)


def statistiques(numero: str) -> list[Statistique]:
    """See :meth:`Rncp.statistiques`."""
    return default_rncp().statistiques(numero)


def prerequis(numero: str) -> str | None:
    """See :meth:`Rncp.prerequis`."""
    return default_rncp().prerequis(numero)


def certifications_du_metier(
    rome_codes: Iterable[str], jour: date | None = None, liens: Collection[str] = LIENS
) -> list[Certification]:
    """See :meth:`Rncp.certifications_du_metier`."""
    return default_rncp().certifications_du_metier(rome_codes, jour, liens)
