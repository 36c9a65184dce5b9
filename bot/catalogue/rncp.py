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

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import get_settings
from bot.contract import DIPLOMES
from bot.liens import fiche_rncp

CERTIFICATION_COLUMNS = (
    "rncp",
    "intitule",
    "niveau",
    "type",
    "statut",
    "fin_validite",
    "remplacee_par",
    "source",
    "date_donnees",
)
ROME_COLUMNS = ("rncp", "code_rome", "libelle_rome", "source")
CODES_ROME_COLUMNS = ("code_rome", "code_rome_rncp", "lien")
CORRESPONDANCE_COLUMNS = ("formation_id", "lignes", "rncp", "raison")
STATUTS = ("actif", "inactif")
LIENS = ("identique", "parent")
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
_NUMERO_RE = re.compile(r"^\s*(?:rncp)?\s*(\d{1,6})\s*$", re.IGNORECASE)
_FICHES_RE = re.compile(r"^fiches_(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\.json$")


class RncpError(ValueError):
    """A knowledge file of the RNCP is malformed (message in French, with file and line)."""


def numero_rncp(value: str) -> str | None:
    """Canonical number ("RNCP37674") of "RNCP37674", "rncp 37674" or "37674"."""
    match = _NUMERO_RE.match(value or "")
    return f"RNCP{int(match[1])}" if match else None


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


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Certification:
    """One RNCP fiche as the newest data gives it."""

    numero: str
    intitule: str
    niveau: int | None
    type: str
    statut: str  # "actif" | "inactif", as of date_donnees
    fin_validite: date | None
    remplacee_par: str  # number of the fiche that replaced it, or ""
    source: str
    date_donnees: str

    @property
    def url_fiche(self) -> str:
        """Official page on France Compétences' site (bot/liens.py)."""
        return fiche_rncp(self.numero) or ""

    def en_vigueur(self, jour: date) -> bool:
        """Registered on that day: active in the data and not past its end date."""
        return self.statut == "actif" and (self.fin_validite is None or self.fin_validite >= jour)


@dataclass(frozen=True)
class LienRome:
    """A certification → ROME code link (the RNCP's code)."""

    code: str
    libelle: str


@dataclass(frozen=True)
class TauxInsertion:
    """One insertion rate of a cohort, as the export gives it: share (%) of the
    respondents in a job ("emploi": any job; "metier_vise": the job the certification
    prepares), `delai_mois` months after certification."""

    portee: str
    delai_mois: int
    pourcentage: int


@dataclass(frozen=True)
class Statistique:
    """A cohort ("promotion": the people certified in `annee`)."""

    annee: int
    nombre_certifies: int | None
    nombre_certifies_vae: int | None  # certified after a VAE
    taux: tuple[TauxInsertion, ...]
    source: str
    date_donnees: str


@dataclass(frozen=True)
class FicheExport:
    """A complete fiche of an XML export, as stored in ``fiches_<date>.json``."""

    numero: str
    intitule: str
    type: str
    niveau: int | None
    actif: bool
    fin_enregistrement: date | None
    debut: date | None  # DATE_EFFET, else DATE_DECISION
    anciennes: tuple[str, ...]
    nouvelles: tuple[str, ...]
    rome: tuple[LienRome, ...]
    prerequis: str | None
    certificateurs: tuple[str, ...]
    organismes_habilites: int
    statistiques: tuple[dict[str, Any], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """JSON form (dates in ISO)."""
        return {
            "numero": self.numero,
            "intitule": self.intitule,
            "type": self.type,
            "niveau": self.niveau,
            "actif": self.actif,
            "fin_enregistrement": _iso(self.fin_enregistrement),
            "debut": _iso(self.debut),
            "anciennes": list(self.anciennes),
            "nouvelles": list(self.nouvelles),
            "rome": [{"code": r.code, "libelle": r.libelle} for r in self.rome],
            "prerequis": self.prerequis,
            "certificateurs": list(self.certificateurs),
            "organismes_habilites": self.organismes_habilites,
            "statistiques": list(self.statistiques),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FicheExport:
        """Inverse of :meth:`to_json`."""
        return cls(
            numero=data["numero"],
            intitule=data["intitule"],
            type=data.get("type") or "",
            niveau=data.get("niveau"),
            actif=bool(data["actif"]),
            fin_enregistrement=_date(data.get("fin_enregistrement")),
            debut=_date(data.get("debut")),
            anciennes=tuple(data.get("anciennes") or ()),
            nouvelles=tuple(data.get("nouvelles") or ()),
            rome=tuple(LienRome(r["code"], r["libelle"]) for r in data.get("rome") or ()),
            prerequis=data.get("prerequis"),
            certificateurs=tuple(data.get("certificateurs") or ()),
            organismes_habilites=int(data.get("organismes_habilites") or 0),
            statistiques=tuple(data.get("statistiques") or ()),
        )


@dataclass(frozen=True)
class Export:
    """The digital fiches of one XML export, with its source and date."""

    source: str
    date_donnees: str
    fiches: dict[str, FicheExport]


@dataclass(frozen=True)
class Correspondance:
    """The reviewed certifications of one catalogue training, with the evidence."""

    formation_id: str
    rncp: tuple[str, ...]
    raison: str


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def choisir_remplacante(candidats: Iterable[str], connues: Mapping[str, Certification]) -> str:
    """Among the fiches said to replace one: a known active one first, then the highest
    number (the most recent registration)."""

    def rang(numero: str) -> tuple[bool, int]:
        cert = connues.get(numero)
        return (cert is not None and cert.statut == "actif", int(numero[4:]))

    return max(candidats, key=rang)


def fusionner(
    certifications: Mapping[str, Certification],
    liens: Mapping[str, tuple[LienRome, ...]],
    export: Export,
) -> tuple[dict[str, Certification], dict[str, tuple[LienRome, ...]]]:
    """The certifications and ROME links once an export's fiches replace older data for
    the same number; the export's replaced-by links (a fiche's successors, and the
    fiches it names as replaced) win over older ones."""
    certs = dict(certifications)
    links = dict(liens)
    for fiche in export.fiches.values():
        before = certs.get(fiche.numero)
        certs[fiche.numero] = Certification(
            numero=fiche.numero,
            intitule=fiche.intitule,
            niveau=fiche.niveau,
            type=fiche.type,
            statut="actif" if fiche.actif else "inactif",
            fin_validite=fiche.fin_enregistrement,
            remplacee_par=before.remplacee_par if before else "",
            source=export.source,
            date_donnees=export.date_donnees,
        )
        links[fiche.numero] = fiche.rome
    successeurs: dict[str, set[str]] = {}
    for fiche in export.fiches.values():
        for ancienne in fiche.anciennes:
            successeurs.setdefault(ancienne, set()).add(fiche.numero)
    for fiche in export.fiches.values():
        if fiche.nouvelles:
            successeurs[fiche.numero] = set(fiche.nouvelles)
    for numero, nouvelles in successeurs.items():
        nouvelles.discard(numero)
        if numero in certs and nouvelles:
            choisie = choisir_remplacante(nouvelles, certs)
            certs[numero] = replace(certs[numero], remplacee_par=choisie)
    return certs, links


# --------------------------------------------------------------------------- reading


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise RncpError(f"{path.name} : colonnes attendues {', '.join(columns)}")
        return list(reader)


def lire_certifications(path: Path) -> dict[str, Certification]:
    """certifications.csv, by number."""
    certs: dict[str, Certification] = {}
    for line, row in enumerate(_rows(path, CERTIFICATION_COLUMNS), 2):
        try:
            if numero_rncp(row["rncp"]) != row["rncp"] or row["statut"] not in STATUTS:
                raise ValueError("numéro ou statut invalide")
            certs[row["rncp"]] = Certification(
                numero=row["rncp"],
                intitule=row["intitule"],
                niveau=int(row["niveau"]) if row["niveau"] else None,
                type=row["type"],
                statut=row["statut"],
                fin_validite=_date(row["fin_validite"]),
                remplacee_par=row["remplacee_par"],
                source=row["source"],
                date_donnees=row["date_donnees"],
            )
        except ValueError as exc:
            raise RncpError(f"{path.name}, ligne {line} : {exc}") from exc
    return certs


def lire_liens_rome(path: Path) -> dict[str, tuple[LienRome, ...]]:
    """rome.csv, by certification number."""
    links: dict[str, list[LienRome]] = {}
    for row in _rows(path, ROME_COLUMNS):
        links.setdefault(row["rncp"], []).append(LienRome(row["code_rome"], row["libelle_rome"]))
    return {numero: tuple(items) for numero, items in links.items()}


def lire_correspondances(path: Path) -> dict[str, Correspondance]:
    """The reviewed correspondences, by formation_id."""
    result: dict[str, Correspondance] = {}
    for line, row in enumerate(_rows(path, CORRESPONDANCE_COLUMNS), 2):
        numeros = tuple(row["rncp"].split("|")) if row["rncp"] else ()
        if any(numero_rncp(n) != n for n in numeros) or not row["raison"]:
            raise RncpError(f"{path.name}, ligne {line} : numéro RNCP ou raison invalide")
        result[row["formation_id"]] = Correspondance(row["formation_id"], numeros, row["raison"])
    return result


def lire_export(path: Path) -> Export:
    """One ``fiches_<date>.json`` file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fiches = (FicheExport.from_json(item) for item in data["fiches"])
    return Export(data["source"], data["date_donnees"], {f.numero: f for f in fiches})


def export_le_plus_recent(dossier: Path) -> Path | None:
    """The newest ``fiches_<date>.json`` of a folder (by the date in its name)."""
    found = []
    for path in dossier.glob("fiches_*.json"):
        if match := _FICHES_RE.match(path.name):
            found.append((tuple(int(part or 0) for part in match.groups()), path))
    return max(found)[1] if found else None


def statistique(data: Mapping[str, Any], export: Export) -> Statistique:
    """A cohort of an export's fiche."""
    return Statistique(
        annee=int(data["annee"]),
        nombre_certifies=data.get("nombre_certifies"),
        nombre_certifies_vae=data.get("nombre_certifies_vae"),
        taux=tuple(
            TauxInsertion(t["portee"], int(t["delai_mois"]), int(t["pourcentage"]))
            for t in data.get("taux") or ()
        ),
        source=export.source,
        date_donnees=export.date_donnees,
    )


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
        for row in _rows(dossier / "codes_rome.csv", CODES_ROME_COLUMNS):
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
        self, rome_codes: Iterable[str], jour: date | None = None
    ) -> list[Certification]:
        """Certifications linked to a job's ROME codes (a job sheet's ROME 4.0 codes are
        turned into the RNCP's codes by codes_rome.csv): registered ones first, then
        those linked by the code itself before those linked by its parent, then by
        level, lowest first."""
        jour = jour or date.today()
        liens: dict[str, str] = {}
        for code in rome_codes:
            for target, lien in (self.codes_rome.get(code) or {code: "identique"}).items():
                if liens.get(target) != "identique":
                    liens[target] = lien
        best: dict[str, str] = {}
        for target, lien in liens.items():
            for numero in self._par_code.get(target, ()):
                if best.get(numero) != "identique":
                    best[numero] = lien
        certs = [self.certifications[n] for n in best if n in self.certifications]
        return sorted(
            certs,
            key=lambda c: (
                not c.en_vigueur(jour),
                best[c.numero] != "identique",
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
    rome_codes: Iterable[str], jour: date | None = None
) -> list[Certification]:
    """See :meth:`Rncp.certifications_du_metier`."""
    return default_rncp().certifications_du_metier(rome_codes, jour)
