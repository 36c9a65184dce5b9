"""Job sheets ("fiches métier"): which job a question names, its ROME codes and official
titles, and the catalogue trainings that lead to it.

Reads ``knowledge/metiers/fiches.yml`` (ids, domains, keywords) and
``knowledge/rome/metiers_numeriques.csv`` (ROME codes and titles per sheet). The French
descriptions live in the domain (``utter_fiche_<id>``), not here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.catalogue.validation import FormationRecord
from bot.config import get_settings
from bot.contract import DOMAINES
from bot.geo import distance_km
from bot.profil.interets import parse_interets
from bot.texte import normalize


@dataclass(frozen=True)
class CodeRome:
    code: str
    libelle: str


@dataclass(frozen=True)
class Fiche:
    id: str
    domaine: str
    principale: bool
    mots_cles: tuple[str, ...]
    rome: tuple[CodeRome, ...]
    appellations: tuple[str, ...]  # official ROME titles, shortest first

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.rome)


class FichesError(ValueError):
    """The job sheet files are inconsistent (unknown domain, sheet without ROME code...)."""


def _title_variants(label: str) -> list[str]:
    """Normalised forms of an official title: "Développeur / Développeuse web" gives
    "developpeur web" and "developpeuse web"."""
    label = re.sub(r"\([^)]*\)", " ", label)
    match = re.match(r"^\s*(\S+)\s*/\s*(\S+)\s+(.*)$", label)
    variants = [f"{match[1]} {match[3]}", f"{match[2]} {match[3]}"] if match else [label]
    return [v for v in (normalize(v) for v in variants) if v]


class Fiches:
    """All job sheets, with keyword detection in free text."""

    def __init__(self, fiches: Sequence[Fiche], source: dict[str, str]) -> None:
        self.fiches = list(fiches)
        self.source = source
        self._by_id = {f.id: f for f in self.fiches}
        phrases: dict[str, str] = {}
        for fiche in self.fiches:
            for title in fiche.appellations:
                for variant in _title_variants(title):
                    phrases.setdefault(variant, fiche.id)
            for mot in fiche.mots_cles:
                phrases[normalize(mot)] = fiche.id
        # Longest phrases first, so "reseaux sociaux" wins over "reseaux". Compiled once:
        # there are more phrases than the `re` module's cache holds.
        self._phrases = [
            (re.compile(rf"(?<![a-z0-9+]){re.escape(phrase)}(?![a-z0-9+])"), len(phrase), fid)
            for phrase, fid in sorted(phrases.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        ]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Fiches:
        spec = yaml.safe_load((knowledge_dir / "metiers" / "fiches.yml").read_text("utf-8"))
        rome: dict[str, dict[str, str]] = {}
        titles: dict[str, list[str]] = {}
        with (knowledge_dir / "rome" / "metiers_numeriques.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rome.setdefault(row["metier_cible"], {})[row["code_fiche"]] = row["libelle_fiche"]
                titles.setdefault(row["metier_cible"], []).append(row["libelle_appellation"])
        fiches = []
        for item in spec["fiches"]:
            if item["domaine"] not in DOMAINES:
                raise FichesError(f"fiche {item['id']} : domaine inconnu {item['domaine']!r}")
            codes = rome.get(item["id"])
            if not codes:
                raise FichesError(f"fiche {item['id']} : aucun code ROME (metier_cible)")
            fiches.append(
                Fiche(
                    id=item["id"],
                    domaine=item["domaine"],
                    principale=bool(item.get("principale")),
                    mots_cles=tuple(item.get("mots_cles") or ()),
                    rome=tuple(CodeRome(c, libelle) for c, libelle in sorted(codes.items())),
                    appellations=tuple(
                        sorted(set(titles.get(item["id"], ())), key=lambda t: (len(t), t))
                    ),
                )
            )
        return cls(fiches, dict(spec.get("source") or {}))

    def get(self, fiche_id: str) -> Fiche | None:
        return self._by_id.get(fiche_id)

    def principale(self, domaine: str) -> Fiche | None:
        """The sheet that answers for a whole interest domain."""
        return next((f for f in self.fiches if f.domaine == domaine and f.principale), None)

    def pour_code_rome(self, code: str) -> Fiche | None:
        return next((f for f in self.fiches if code in f.codes), None)

    def detecter(self, text: str) -> list[Fiche]:
        """Sheets named in the text, in the order they appear; falls back on the interest
        domains the text describes ("j'aime dessiner" gives the design sheet)."""
        norm = f" {normalize(text)} "
        found: list[tuple[int, str]] = []
        for pattern, length, fiche_id in self._phrases:
            for match in list(pattern.finditer(norm)):
                found.append((match.start(), fiche_id))
                norm = norm[: match.start()] + " " * length + norm[match.end() :]
        ids = list(dict.fromkeys(fiche_id for _, fiche_id in sorted(found)))
        if not ids:
            ids = [f.id for d in parse_interets(text) if (f := self.principale(d)) is not None]
        return [self._by_id[i] for i in ids]


@lru_cache(maxsize=1)
def default_fiches() -> Fiches:
    """The project's sheets (read once per process)."""
    return Fiches.load(get_settings().knowledge_dir)


def formations_vers(
    fiche: Fiche,
    formations: Iterable[FormationRecord],
    lat: float | None = None,
    lon: float | None = None,
) -> list[FormationRecord]:
    """Catalogue rows leading to the job (a ROME code in common), nearest first when a
    position is given, else most recent data first."""
    rows = [f for f in formations if fiche.codes.intersection(f.rome)]
    if lat is not None and lon is not None:

        def distance(f: FormationRecord) -> float:
            if f.lat is None or f.lon is None:
                return float("inf")
            return distance_km(lat, lon, f.lat, f.lon)

        return sorted(rows, key=lambda f: (distance(f), f.id))
    return sorted(rows, key=lambda f: (_last_year(f.date_donnees), f.id), reverse=True)


def _last_year(date: str) -> int:
    years = re.findall(r"\d{4}", date or "")
    return int(years[-1]) if years else 0


def annees(dates: Iterable[str]) -> str:
    """ "2016" or "2016-2021": the span of the data years."""
    years = sorted({int(y) for d in dates for y in re.findall(r"\d{4}", d or "")})
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
