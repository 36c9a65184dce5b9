"""`python -m tools bench catalogue`: time recommendations on large synthetic catalogues.

A synthetic catalogue of N rows is made from the real rows of `knowledge/catalogue`
(seeded random: commune weighted by population, domains, ages, diplomas, public, cost),
loaded with the real loader into a temporary SQLite file and, when
it answers, into a throw-away schema of PostgreSQL (dropped afterwards). Then random
realistic profiles are recommended with the staged SQL recommendation
(`recommander_catalogue`) and, on the first ones, with the former full scan in Python
(`recommander` over every row), whose first page is compared.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import platform
import random
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue.recommend_sql import recommander_catalogue
from bot.catalogue.repository import Catalogue, catalogue_paths
from bot.catalogue.validation import DEPARTEMENTS, FormationRecord, in_france, validate_files
from bot.config import get_settings
from bot.contract import COUTS, DOMAINES, SITUATIONS
from bot.db import engine_for
from bot.geo import Commune, Geo
from bot.recommend import MAX_RESULTATS, Profil, Recommandation, recommander
from tools.bench import charge as bench_charge
from tools.bench import console as bench_console
from tools.bench import profiling as bench_profiling
from tools.bench import serveurs as bench_serveurs

TAILLES_DEFAUT = (10_000, 100_000)
REQUETES_DEFAUT = 200
SCANS_DEFAUT = 20
PG_URL_DEFAUT = os.environ.get("CAPNUM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

# Synthetic variations (repeated entries weigh more).
_AGES = [(None, None)] * 4 + [(16, 25), (18, None), (None, 29), (18, 30), (26, None), (16, 30)]
_DIPLOMES = [(None, None)] * 3 + [
    ("aucun", None),
    ("aucun", None),
    ("bac", None),
    ("bac_plus_2", None),
    (None, "aucun"),
    ("aucun", "cap_bep"),
]
_PUBLICS = [[]] * 6 + [["demandeur_emploi"], ["decrocheur", "demandeur_emploi"], ["decrocheur"]]
_PROFIL_DIPLOMES = ["aucun"] * 3 + ["brevet", "cap_bep", "cap_bep", "bac", "bac", "bac_plus_2"]
_RAYONS = [30.0] * 6 + [10.0, 60.0, 100.0]


@dataclass(frozen=True)
class Communes:
    """Communes with coordinates inside France, and cumulative population weights."""

    liste: tuple[Commune, ...]
    poids_cumules: tuple[float, ...]

    @classmethod
    def de(cls, geo: Geo) -> Communes:
        liste = tuple(
            c
            for c in geo.communes
            if c.lat is not None
            and c.lon is not None
            and c.departement in DEPARTEMENTS
            and in_france(c.lat, c.lon)
        )
        return cls(liste, tuple(itertools.accumulate(max(c.population, 1) for c in liste)))

    def tirer(self, rng: random.Random) -> Commune:
        """A commune, the more populated the likelier."""
        index = bisect.bisect_left(self.poids_cumules, rng.random() * self.poids_cumules[-1])
        return self.liste[min(index, len(self.liste) - 1)]


def catalogue_synthetique(
    taille: int, modeles: Sequence[FormationRecord], communes: Communes, graine: int = 0
) -> list[dict[str, Any]]:
    """`taille` valid schema rows (dicts) varied from the `modeles` rows: a commune drawn by
    population (distance-only rows stay so, with their domains, as in the real catalogue),
    often other domains, and drawn ages, diplomas, public and cost."""
    rng = random.Random(graine)
    rows = []
    for numero in range(taille):
        row = rng.choice(modeles).to_dict()
        row["id"] = f"synth-{numero:06d}"
        row["formation_id"] = f"synth-{numero // 2:06d}"
        row["age_min"], row["age_max"] = rng.choice(_AGES)
        row["diplome_min"], row["diplome_max"] = rng.choice(_DIPLOMES)
        row["public_cible"] = rng.choice(_PUBLICS)
        row["cout"] = rng.choice(COUTS)
        if row["commune"] is not None:
            if rng.random() < 0.3:
                row["domaines"] = rng.sample(DOMAINES, rng.choice((1, 1, 2)))
            commune = communes.tirer(rng)
            row.update(
                commune=commune.nom,
                code_insee=commune.code_insee,
                code_postal=commune.codes_postaux[0] if commune.codes_postaux else None,
                departement=commune.departement,
                region=commune.region or None,
                lat=commune.lat,
                lon=commune.lon,
            )
        rows.append(row)
    return rows


def profils_aleatoires(nombre: int, communes: Communes, graine: int = 0) -> list[Profil]:
    """Realistic profiles: a commune weighted by population, one or two interests..."""
    rng = random.Random(graine)
    profils = []
    for _ in range(nombre):
        commune = communes.tirer(rng)
        profils.append(
            Profil(
                situation=rng.choice(SITUATIONS),
                diplome=rng.choice(_PROFIL_DIPLOMES),
                age=float(rng.randint(16, 45)),
                commune=commune.nom,
                lat=commune.lat,
                lon=commune.lon,
                interets=tuple(rng.sample(DOMAINES, rng.choice((1, 1, 1, 2)))),
                distanciel=rng.random() < 0.2,
                rayon_km=rng.choice(_RAYONS),
            )
        )
    return profils


def premiere_page(reco: Recommandation) -> tuple[str | None, list[tuple[str, float]]]:
    """Alternative type and the (id, score) of the first page shown."""
    page = (reco.resultats or reco.alternatives)[:MAX_RESULTATS]
    return reco.type_alternative, [(r.formation.id, r.score) for r in page]


def percentile(valeurs: Sequence[float], rang: float) -> float:
    """Nearest-rank percentile (`rang` in 0..100) of a non-empty sequence."""
    ordonnees = sorted(valeurs)
    return ordonnees[max(0, math.ceil(rang / 100 * len(ordonnees)) - 1)]


@dataclass
class Mesure:
    """Timings of one backend on one catalogue size (milliseconds, load in seconds)."""

    base: str
    lignes: int
    chargement_s: float
    etagee_ms: list[float] = field(default_factory=list)
    scan_ms: list[float] = field(default_factory=list)
    identiques: int = 0
    reponses: Counter[str] = field(default_factory=Counter)

    def resume(self) -> dict[str, Any]:
        """JSON-ready summary: medians and 95th percentiles."""
        out: dict[str, Any] = {
            "base": self.base,
            "lignes": self.lignes,
            "chargement_s": round(self.chargement_s, 2),
            "requetes": len(self.etagee_ms),
            "etagee_mediane_ms": round(percentile(self.etagee_ms, 50), 2),
            "etagee_p95_ms": round(percentile(self.etagee_ms, 95), 2),
            "reponses": dict(self.reponses.most_common()),
        }
        if self.scan_ms:
            out.update(
                scans=len(self.scan_ms),
                scan_mediane_ms=round(percentile(self.scan_ms, 50), 1),
                scan_p95_ms=round(percentile(self.scan_ms, 95), 1),
                identiques=self.identiques,
            )
        return out


def mesurer(
    engine: Engine, base: str, fichier: Path, lignes: int, profils: Sequence[Profil], scans: int
) -> Mesure:
    """Load `fichier` with the real loader, then time the staged recommendation of every
    profile and the full scan of the first `scans` ones (first pages compared)."""
    debut = time.perf_counter()
    catalogue = Catalogue(engine)
    catalogue.load([fichier])
    mesure = Mesure(base, lignes, time.perf_counter() - debut)
    pages = []  # first pages only: keeping every answer would slow the garbage collector
    for numero, profil in enumerate(profils):
        debut = time.perf_counter()
        reco = recommander_catalogue(profil, catalogue)
        mesure.etagee_ms.append((time.perf_counter() - debut) * 1000)
        mesure.reponses[reco.type_alternative or ("resultats" if reco.resultats else "rien")] += 1
        if numero < scans:
            pages.append(premiere_page(reco))
    if scans:
        toutes = catalogue.all()
        for profil, page in zip(profils, pages, strict=False):
            debut = time.perf_counter()
            complete = recommander(profil, toutes)
            mesure.scan_ms.append((time.perf_counter() - debut) * 1000)
            mesure.identiques += premiere_page(complete) == page
    return mesure


@contextmanager
def schema_postgresql(url: str) -> Iterator[Engine]:
    """Engine on a new PostgreSQL schema `capnum_bench_…` (its search_path), dropped
    afterwards with everything in it: the database's other schemas are never touched."""
    schema = f"capnum_bench_{uuid.uuid4().hex[:12]}"
    admin = engine_for(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = engine_for(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(postgresql: str | None) -> dict[str, Any]:
    """The machine and software versions the figures were measured with."""
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "systeme": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgresql,
    }


def _version_postgresql(url: str) -> str:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


def run_bench(
    tailles: Sequence[int],
    requetes: int,
    scans: int,
    pg_url: str | None,
    graine: int = 0,
    modeles_paths: Sequence[Path] | None = None,
) -> dict[str, Any]:
    """Measure every size on SQLite and (when `pg_url` answers) PostgreSQL."""
    paths = list(modeles_paths or catalogue_paths(get_settings().catalogue_dir))
    modeles, erreurs = validate_files(paths)
    if erreurs or not modeles:
        raise ValueError(f"catalogue modèle invalide ou vide : {paths}")
    communes = Communes.de(Geo.default())
    profils = profils_aleatoires(requetes, communes, graine)
    version_pg = None
    pg_absent = None
    if pg_url:
        try:
            version_pg = _version_postgresql(pg_url)
        except SQLAlchemyError as exc:
            pg_absent = str(exc.orig if getattr(exc, "orig", None) else exc).strip()
    mesures = []
    with tempfile.TemporaryDirectory(prefix="capnum-bench-") as tmp:
        for taille in tailles:
            fichier = Path(tmp) / f"synthetique_{taille}.jsonl"
            with open(fichier, "w", encoding="utf-8") as fh:
                for row in catalogue_synthetique(taille, modeles, communes, graine):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            sqlite = engine_for(f"sqlite:///{Path(tmp) / f'bench_{taille}.db'}")
            try:
                mesures.append(mesurer(sqlite, "sqlite", fichier, taille, profils, scans))
            finally:
                sqlite.dispose()
            if version_pg is not None and pg_url:
                with schema_postgresql(pg_url) as engine:
                    mesures.append(mesurer(engine, "postgresql", fichier, taille, profils, scans))
    return {
        "machine": machine(version_pg),
        "graine": graine,
        "postgresql_indisponible": pg_absent,
        "mesures": [mesure.resume() for mesure in mesures],
    }


def _afficher(resultat: dict[str, Any]) -> None:
    m = resultat["machine"]
    print(
        f"Machine : {m['cpus']} CPU ({m['cpu']}), {m['systeme']}, Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or 'non mesuré'}"
    )
    if resultat["postgresql_indisponible"]:
        print(f"PostgreSQL indisponible : {resultat['postgresql_indisponible']}")
    tailles = {x["lignes"]: x["reponses"] for x in reversed(resultat["mesures"])}
    for taille, reponses in sorted(tailles.items()):
        detail = ", ".join(f"{nom} {nombre}" for nom, nombre in reponses.items())
        print(f"Réponses sur {taille} lignes : {detail}")
    titres = (
        "base",
        "lignes",
        "chargement",
        "requêtes",
        "étagée médiane",
        "étagée p95",
        "scan médiane",
        "scan p95",
        "1re page identique",
    )
    lignes = [titres]
    for x in resultat["mesures"]:
        scan = "scans" in x
        lignes.append(
            (
                x["base"],
                str(x["lignes"]),
                f"{x['chargement_s']:.1f} s",
                str(x["requetes"]),
                f"{x['etagee_mediane_ms']:.1f} ms",
                f"{x['etagee_p95_ms']:.1f} ms",
                f"{x['scan_mediane_ms']:.0f} ms" if scan else "—",
                f"{x['scan_p95_ms']:.0f} ms" if scan else "—",
                f"{x['identiques']}/{x['scans']}" if scan else "—",
            )
        )
    largeurs = [max(len(ligne[i]) for ligne in lignes) for i in range(len(titres))]
    for ligne in lignes:
        print("  ".join(cell.ljust(w) for cell, w in zip(ligne, largeurs, strict=True)).rstrip())


def cmd_bench_catalogue(args: argparse.Namespace) -> int:
    """`bench catalogue`: run and print (or `--json`) the measures."""
    pg_url = None if args.sans_postgresql else args.pg_url
    resultat = run_bench(args.tailles, args.requetes, args.scans, pg_url, args.graine)
    if args.json:
        print(json.dumps(resultat, ensure_ascii=False, indent=2))
    else:
        _afficher(resultat)
    return 0


def _url_sure(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def register(subparsers: Any) -> None:
    """Add `bench catalogue` to the `capnum` command line."""
    parser = subparsers.add_parser("bench", help="mesures de performance")
    sub = parser.add_subparsers(dest="bench_command", required=True, metavar="SOUS-COMMANDE")
    bench_charge.register(sub)
    bench_serveurs.register(sub)
    bench_profiling.register(sub)
    bench_console.register(sub)
    # Imported here: the statistics and LHEO benches use this module's helpers.
    from tools.bench import lheo as bench_lheo
    from tools.bench import statistiques as bench_statistiques

    bench_statistiques.register(sub)
    bench_lheo.register(sub)
    bench = sub.add_parser(
        "catalogue",
        help="temps de recommandation sur des catalogues synthétiques (SQLite, PostgreSQL)",
        description=(
            "Génère des catalogues synthétiques à partir de knowledge/catalogue, les charge "
            "dans SQLite (fichier temporaire) et PostgreSQL (schéma jetable, supprimé "
            "ensuite), puis mesure la recommandation étagée (SQL puis Python) et l'ancien "
            "parcours complet en Python."
        ),
    )
    bench.add_argument(
        "--tailles",
        type=int,
        nargs="+",
        default=list(TAILLES_DEFAUT),
        metavar="N",
        help="nombres de lignes (défaut : 10000 100000)",
    )
    bench.add_argument(
        "--requetes",
        type=int,
        default=REQUETES_DEFAUT,
        metavar="N",
        help=f"profils recommandés par base et taille (défaut : {REQUETES_DEFAUT})",
    )
    bench.add_argument(
        "--scans",
        type=int,
        default=SCANS_DEFAUT,
        metavar="N",
        help=f"profils aussi passés au parcours complet en Python (défaut : {SCANS_DEFAUT})",
    )
    bench.add_argument(
        "--pg-url",
        default=PG_URL_DEFAUT,
        metavar="URL",
        help=f"serveur PostgreSQL (défaut : {_url_sure(PG_URL_DEFAUT)}, base de test)",
    )
    bench.add_argument("--sans-postgresql", action="store_true", help="mesurer SQLite seulement")
    bench.add_argument("--graine", type=int, default=0, help="graine aléatoire (défaut : 0)")
    bench.add_argument("--json", action="store_true", help="sortie JSON")
    bench.set_defaults(func=cmd_bench_catalogue)
