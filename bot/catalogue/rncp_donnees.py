"""Data of the RNCP knowledge files (``knowledge/rncp/``): the certification, ROME
link, cohort and export-fiche records, how an export's fiches replace older data, and
the readers of the files. Used at run time by ``bot.catalogue.rncp`` and written by the
knowledge build and ``capnum catalogue rncp-import``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

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
_NUMERO_RE = re.compile(r"^\s*(?:rncp)?\s*(\d{1,6})\s*$", re.IGNORECASE)
_FICHES_RE = re.compile(r"^fiches_(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\.json$")


class RncpError(ValueError):
    """A knowledge file of the RNCP is malformed (message in French, with file and line)."""


def numero_rncp(value: str) -> str | None:
    """Canonical number ("RNCP37674") of "RNCP37674", "rncp 37674" or "37674"."""
    match = _NUMERO_RE.match(value or "")
    return f"RNCP{int(match[1])}" if match else None


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


def rows_of(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise RncpError(f"{path.name} : colonnes attendues {', '.join(columns)}")
        return list(reader)


def lire_certifications(path: Path) -> dict[str, Certification]:
    """certifications.csv, by number."""
    certs: dict[str, Certification] = {}
    for line, row in enumerate(rows_of(path, CERTIFICATION_COLUMNS), 2):
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
    for row in rows_of(path, ROME_COLUMNS):
        links.setdefault(row["rncp"], []).append(LienRome(row["code_rome"], row["libelle_rome"]))
    return {numero: tuple(items) for numero, items in links.items()}


def lire_correspondances(path: Path) -> dict[str, Correspondance]:
    """The reviewed correspondences, by formation_id."""
    result: dict[str, Correspondance] = {}
    for line, row in enumerate(rows_of(path, CORRESPONDANCE_COLUMNS), 2):
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
