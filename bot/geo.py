"""Runtime geography: communes, postcodes, départements and distances.

Reads only ``knowledge/geo/*.csv`` (written by ``python -m tools knowledge build``), lazily and once
per process through :meth:`Geo.default`. Nothing is loaded at import time. Finding a place
in what a person writes is `bot.lieux`.
"""

from __future__ import annotations

import csv
import math
import re
import threading
import unicodedata
from collections.abc import ItemsView, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "geo"

EARTH_RADIUS_KM = 6371.0

ARTICLES = ("le", "la", "les", "l")
TOKEN_ALIASES = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

_DEP_SUFFIX_RE = re.compile(r"^(?P<name>.*?)[\s,]*\(?\s*(?P<dep>\d{2,3}|2[abAB])\s*\)?\s*$")


def normalize_name(text: str) -> str:
    """Lowercase, strip accents, ``œ``→``oe``, punctuation → spaces, ``st``→``saint``."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(TOKEN_ALIASES.get(tok, tok) for tok in tokens)


def strip_article(key: str) -> str:
    """Drop a leading article from a normalised name ("le havre" → "havre")."""
    head, _, rest = key.partition(" ")
    return rest if head in ARTICLES and rest else key


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, Earth radius 6371 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Commune:
    """A current French commune (INSEE COG)."""

    code_insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    departement: str
    region: str
    population: int
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        """Display name with the département code, e.g. ``Saint-Denis (93)``."""
        return f"{self.nom} ({self.departement})"


def _by_population(communes: Iterable[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (-c.population, c.code_insee))


class Geo:
    """In-memory index of communes by postcode and by normalised name."""

    _default: Geo | None = None
    _lock = threading.Lock()

    def __init__(
        self,
        communes: Iterable[Commune],
        departements: Mapping[str, tuple[str, str]] | None = None,
        chefs_lieux: Mapping[str, str] | None = None,
        regions: Mapping[str, str] | None = None,
    ) -> None:
        """Index ``communes``; ``departements`` maps code → (name, région name),
        ``chefs_lieux`` code → INSEE code of its chef-lieu (the préfecture), ``regions``
        région code → name."""
        self.communes: list[Commune] = _by_population(communes)
        self._by_cp: dict[str, list[Commune]] = {}
        self._by_key: dict[str, list[Commune]] = {}
        self._by_bare_key: dict[str, list[Commune]] = {}
        self._by_insee: dict[str, Commune] = {c.code_insee: c for c in self.communes}
        for commune in self.communes:  # already biggest first: lists stay sorted
            for cp in commune.codes_postaux:
                self._by_cp.setdefault(cp, []).append(commune)
            key = normalize_name(commune.nom)
            self._by_key.setdefault(key, []).append(commune)
            self._by_bare_key.setdefault(strip_article(key), []).append(commune)
        self._departements: dict[str, tuple[str, str]] = dict(departements or {})
        self._chefs_lieux: dict[str, str] = dict(chefs_lieux or {})
        self._dep_names: dict[str, str] | None = None
        self.regions: dict[str, str] = dict(regions or {})
        for commune in self.communes:
            self._departements.setdefault(commune.departement, ("", commune.region))

    # -- loading -------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Geo:
        """The process-wide instance loaded from ``knowledge/geo`` (loaded on first call)."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    cls._default = cls.from_dir(GEO_DIR)
        return cls._default

    @classmethod
    def from_dir(cls, directory: Path) -> Geo:
        """Load ``communes.csv``, ``departements.csv`` and ``regions.csv`` from ``directory``."""
        with open(directory / "regions.csv", encoding="utf-8", newline="") as fh:
            regions = {row["code"]: row["nom"] for row in csv.DictReader(fh)}
        with open(directory / "departements.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        deps = {row["code"]: (row["nom"], regions.get(row["region_code"], "")) for row in rows}
        chefs = {row["code"]: row["chef_lieu"] for row in rows if row.get("chef_lieu")}
        communes = []
        with open(directory / "communes.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                communes.append(
                    Commune(
                        code_insee=row["code_insee"],
                        nom=row["nom"],
                        codes_postaux=tuple(row["codes_postaux"].split()),
                        departement=row["departement"],
                        region=regions.get(row["region_code"], ""),
                        population=int(row["population"] or 0),
                        lat=float(row["lat"]) if row["lat"] else None,
                        lon=float(row["lon"]) if row["lon"] else None,
                    )
                )
        return cls(communes, deps, chefs, regions)

    # -- lookups -------------------------------------------------------------------------
    def by_insee(self, code: str) -> Commune | None:
        """The commune with this INSEE code, if any."""
        return self._by_insee.get(code)

    def by_postcode(self, cp: str) -> list[Commune]:
        """All communes carrying postcode ``cp``, biggest first."""
        return list(self._by_cp.get(cp.strip(), []))

    def by_name(self, name: str) -> list[Commune]:
        """Communes whose normalised name matches ``name`` (leading article optional)."""
        key = normalize_name(name)
        if not key:
            return []
        found = self._by_key.get(key)
        if found is None:
            found = self._by_bare_key.get(strip_article(key), [])
        return list(found)

    def by_key(self, key: str) -> list[Commune]:
        """Communes whose name normalises to `key` exactly, biggest first (not a copy)."""
        return self._by_key.get(key, [])

    def by_bare_key(self, key: str) -> list[Commune]:
        """Communes whose name without its article normalises to `key` (not a copy)."""
        return self._by_bare_key.get(key, [])

    def bare_names(self) -> ItemsView[str, list[Commune]]:
        """(normalised name without article, its communes) of every commune name."""
        return self._by_bare_key.items()

    def resolve(self, text: str) -> list[Commune]:
        """Postcode or name, optionally followed by a département: ``Saint-Denis (93)``."""
        text = text.strip()
        match = re.search(r"(?<!\d)\d{5}(?!\d)", text)
        if match:
            return self.by_postcode(match.group(0))
        dep_match = _DEP_SUFFIX_RE.match(text)
        if dep_match and dep_match.group("name"):
            dep = dep_match.group("dep").upper()
            candidates = self.by_name(dep_match.group("name"))
            return [c for c in candidates if c.departement == dep]
        return self.by_name(text)

    # -- départements --------------------------------------------------------------------
    def prefecture(self, code: str) -> Commune | None:
        """The chef-lieu of a département ("93" → Bobigny); the most populated commune of
        the département when its chef-lieu is unknown; None for an unknown code."""
        code = code.strip().upper()
        chef = self._by_insee.get(self._chefs_lieux.get(code, ""))
        if chef is not None:
            return chef
        return next((c for c in self.communes if c.departement == code), None)

    def departement_names(self) -> dict[str, str]:
        """Normalised département names ("seine saint denis", bare "nord") → code."""
        if self._dep_names is None:
            self._dep_names = {}
            for code, (name, _) in self._departements.items():
                if name:
                    key = normalize_name(name)
                    self._dep_names.setdefault(key, code)
                    self._dep_names.setdefault(strip_article(key), code)
        return self._dep_names

    def departement_name(self, code: str) -> str | None:
        """Name of a département ("59" → "Nord"); None when unknown."""
        entry = self._departements.get(code.strip().upper())
        return (entry[0] or None) if entry else None

    def region_of_departement(self, code: str) -> str | None:
        """Région name of a département ("59" → "Hauts-de-France"); None when unknown."""
        entry = self._departements.get(code.strip().upper())
        return (entry[1] or None) if entry else None

    def region_code(self, name_or_code: str | None) -> str | None:
        """INSEE code of a région from its code or its name ("Hauts-de-France" → "32")."""
        if not name_or_code:
            return None
        if name_or_code in self.regions:
            return name_or_code
        key = normalize_name(name_or_code)
        return next((c for c, n in self.regions.items() if normalize_name(n) == key), None)

    def departements_de_region(self, code: str) -> list[tuple[str, str]]:
        """(code, name) of the départements of a région, by code."""
        name = self.regions.get(code)
        deps = self._departements.items()
        return sorted((dep, nom) for dep, (nom, region) in deps if name and region == name)
