"""`python -m tools bench statistiques`: time of the statistics page and of the map of a
région over N anonymous records (default 1,000,000) on PostgreSQL; target < 1 s.

The records are synthetic (seeded random, two years of days, all in région 32), loaded by
COPY into a throw-away schema (dropped afterwards, also on error). Each case is timed
`--runs` times after 2 warm-up runs: the queries alone, then the whole page (queries and
HTML, what the server spends on a request but the network). Then `EXPLAIN (ANALYZE,
BUFFERS)` summaries show which plan and index the largest queries use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bot.console.comptes import Compte
from bot.console.orientations import MOTIFS, STATUTS
from bot.console.pages import page_statistiques
from bot.console.pages_carte import page_carte
from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.db import engine_for
from bot.geo import Geo
from bot.presentation import Texts
from bot.recommend import Profil
from bot.statistiques.enregistrement import TRANCHES_AGE, Statistiques
from bot.statistiques.modele import creer_tables
from bot.statistiques.requetes import EPOCH, Periode, carte_region, statistiques_structure
from tools.bench.catalogue import PG_URL_DEFAUT, schema_postgresql
from tools.bench.charge import machine
from tools.bench.loadgen import percentile

OBJECTIF_MS = 1000.0
REGION = "32"
TYPES = {"recherche": 60, "recommandee": 15, "seance": 10, "partage": 8, "orientation": 5}
TYPES["sans_solution"] = 2
DEPARTEMENTS = {"59": 26, "62": 15, "60": 8, "80": 6, "02": 5}  # ~ population (100 000)
CANAUX_RECHERCHE = {"webchat": 45, "telegram": 15, "console": 40}
STRUCTURES = 40
PART_STRUCTURE_1 = 0.10  # of all the records
COLONNES = (
    "jour, type, canal, structure_id, region, departement, tranche_age, diplome, situation, "
    "domaines, nb_dans_rayon, nb_proposees, formation_id, statut, cle"
)
PROFILS = ("seance", "recherche", "sans_solution")
FORMATIONS = [f"gen-reg-{i:03d}" for i in range(1, 81)]
COMPTE = Compte(1, "admin.x", "Alex", "admin", 1, "Mission locale", REGION)


def _tirer(rng: random.Random, poids: dict[str, float], n: int) -> list[str]:
    return rng.choices(list(poids), weights=list(poids.values()), k=n)


def _ou_vide(rng: random.Random, valeurs: tuple[str, ...], vide: float) -> str:
    return "" if rng.random() < vide else rng.choice(valeurs)


def lignes_csv(n: int, seed: int, aujourdhui: int, taille: int = 100_000) -> Iterator[str]:
    """The records as CSV (empty field: NULL), `taille` rows per chunk."""
    rng = random.Random(seed)
    jours = list(range(aujourdhui - 730, aujourdhui + 1))
    poids_jours = [0.3 if (j + 3) % 7 >= 5 else 1.0 for j in jours]  # fewer at weekends
    # Structure 1 holds PART_STRUCTURE_1 of all records; chat searches have no structure.
    part_structurees = 1 - TYPES["recherche"] / 100 * (
        (CANAUX_RECHERCHE["webchat"] + CANAUX_RECHERCHE["telegram"]) / 100
    )
    p1 = PART_STRUCTURE_1 / part_structurees
    poids_structures = [p1] + [(1 - p1) / (STRUCTURES - 1)] * (STRUCTURES - 1)
    structures = list(range(1, STRUCTURES + 1))
    numero = 0
    for debut in range(0, n, taille):
        k = min(taille, n - debut)
        types = _tirer(rng, TYPES, k)
        js = rng.choices(jours, weights=poids_jours, k=k)
        deps = _tirer(rng, DEPARTEMENTS, k)
        sids = rng.choices(structures, weights=poids_structures, k=k)
        out = io.StringIO()
        for type_, jour, dep, sid in zip(types, js, deps, sids, strict=True):
            numero += 1
            canal = "console"
            if type_ == "recherche":
                canal = _tirer(rng, CANAUX_RECHERCHE, 1)[0]
            elif type_ == "partage":
                canal = "webchat" if rng.random() < 0.8 else "telegram"
            structure = "" if canal != "console" and type_ != "partage" else str(sid)
            tranche = diplome = situation = rayon = proposees = formation = statut = cle = ""
            domaines = 0
            if type_ in PROFILS and not (type_ == "seance" and rng.random() < 0.15):
                tranche = _ou_vide(rng, TRANCHES_AGE, 0.1)
                diplome = _ou_vide(rng, DIPLOMES, 0.1)
                situation = _ou_vide(rng, SITUATIONS, 0.1)
                if rng.random() > 0.1:
                    for i in rng.sample(range(len(DOMAINES)), rng.randint(1, 3)):
                        domaines |= 1 << i
                if type_ != "sans_solution":
                    rayon = "0" if rng.random() < 0.3 else str(rng.randint(1, 10))
                    proposees = str(rng.randint(0, 12))
            if type_ == "recommandee" or (type_ == "orientation" and rng.random() < 0.8):
                formation = rng.choice(FORMATIONS)
            if type_ == "orientation":
                statut = rng.choice(STATUTS)
            elif type_ == "sans_solution":
                statut = rng.choice(MOTIFS)
            if type_ in ("seance", "orientation"):
                cle = format(numero, "x")
            out.write(
                f"{jour},{type_},{canal},{structure},{REGION},{dep},{tranche},{diplome},"
                f"{situation},{domaines},{rayon},{proposees},{formation},{statut},{cle}\n"
            )
        yield out.getvalue()


def charger(engine: Engine, n: int, seed: int, aujourdhui: int) -> float:
    """Creates the table, COPYs the records, ANALYZE; returns the seconds taken."""
    debut = time.perf_counter()
    creer_tables(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for bloc in lignes_csv(n, seed, aujourdhui):
            cursor.copy_expert(
                f"COPY stats_evenements ({COLONNES}) FROM STDIN WITH (FORMAT csv)",
                io.StringIO(bloc),
            )
        raw.commit()
        cursor.close()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE stats_evenements"))
    return time.perf_counter() - debut


def cas(engine: Engine, geo: Geo, t: Texts, today: dt.date) -> dict[str, Callable[[], Any]]:
    """Each timed case: its label and a call."""
    periodes = {
        "12 sem.": Periode.de_dates(today - dt.timedelta(days=83), today),
        "1 an": Periode.de_dates(today - dt.timedelta(days=364), today),
    }
    out: dict[str, Callable[[], Any]] = {}
    for nom, p in periodes.items():

        def stats(p: Periode = p) -> Any:
            return statistiques_structure(engine, 1, p)

        out[f"statistiques structure 1, {nom} : requêtes"] = stats
        out[f"statistiques structure 1, {nom} : page"] = lambda s=stats: page_statistiques(
            t, COMPTE, s(), {}
        )
        for domaine in (None, DOMAINES[0]):

            def carte(p: Periode = p, d: str | None = domaine) -> Any:
                return carte_region(engine, geo, REGION, p, d)

            libelle = f"carte {REGION}, {nom}, {domaine or 'tous domaines'}"
            out[f"{libelle} : requête"] = carte
            out[f"{libelle} : page"] = lambda c=carte: page_carte(t, COMPTE, c())
    return out


def chronometrer(appel: Callable[[], Any], runs: int, echauffement: int = 2) -> list[float]:
    """Milliseconds of each of `runs` calls after the warm-up ones."""
    for _ in range(echauffement):
        appel()
    temps = []
    for _ in range(runs):
        debut = time.perf_counter()
        appel()
        temps.append((time.perf_counter() - debut) * 1000)
    return temps


def requetes_sql(engine: Engine, appel: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The (statement, parameters) the call sends to the database."""
    vues: list[tuple[str, Any]] = []

    def noter(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        vues.append((statement, params))

    event.listen(engine, "before_cursor_execute", noter)
    try:
        appel()
    finally:
        event.remove(engine, "before_cursor_execute", noter)
    return vues


def expliquer(engine: Engine, statement: str, params: Any) -> tuple[float, list[str]]:
    """(execution ms, the plan's top line, scan lines and execution time)."""
    with engine.connect() as conn:
        plan = [
            r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
        ]
    execution = next(line for line in plan if line.startswith("Execution Time"))
    lignes = [plan[0]] + [line.strip() for line in plan[1:] if "Scan" in line] + [execution]
    return float(execution.split(":")[1].split()[0]), lignes


def ecritures(pg: Engine, geo: Geo, runs: int) -> None:
    """What each chat search costs the action server: one record written, on this
    PostgreSQL table (its indexes, a million rows) and on a SQLite file (`make run`)."""
    profil = Profil(situation="decrocheur", age=19.0, departement="59", interets=("data",))
    print(f"\nÉcriture d'une recherche ({runs} fois) :")
    print("| base | médiane ms | p95 ms |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as dossier:
        sqlite = engine_for(f"sqlite:///{dossier}/stats.db")
        creer_tables(sqlite)
        for nom, engine in (("PostgreSQL", pg), ("SQLite (fichier)", sqlite)):
            stats = Statistiques(engine, geo)
            temps = chronometrer(lambda s=stats: s.recherche(profil, 0, 3, canal="webchat"), runs)
            print(f"| {nom} | {statistics.median(temps):.2f} | {percentile(temps, 95):.2f} |")
        sqlite.dispose()


def mesurer(args: argparse.Namespace) -> int:
    """Loads, times, explains and prints; 1 when a case misses the target."""
    t = Texts.from_domain(yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8")))
    geo = Geo.default()
    today = dt.date.today()
    with schema_postgresql(args.pg_url) as engine:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version()")).scalar_one()
        print(f"Chargement de {args.records:,} enregistrements (COPY)…".replace(",", " "))
        duree = charger(engine, args.records, args.seed, (today - EPOCH).days)
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM stats_evenements")).scalar_one()
        infos = machine()
        print(f"Chargement : {duree:.1f} s (COPY et ANALYZE)")
        print(f"Enregistrements : {total:,}".replace(",", " "))
        print(f"Machine : {infos['cpu']}, {infos['coeurs']} cœurs ; {version}")
        print(f"Mesures : {args.runs} par cas, après 2 d'échauffement\n")
        print("| cas | médiane ms | p95 ms | objectif < 1000 ms |")
        print("|---|---|---|---|")
        tous = cas(engine, geo, t, today)
        manques = 0
        for nom, appel in tous.items():
            temps = chronometrer(appel, args.runs)
            p95 = percentile(temps, 95)
            atteint = p95 < OBJECTIF_MS
            manques += not atteint
            print(
                f"| {nom} | {statistics.median(temps):.1f} | {p95:.1f} | "
                f"{'atteint' if atteint else 'MANQUÉ'} |"
            )
        ecritures(engine, geo, args.runs * 10)
        print("\nPlans (EXPLAIN ANALYZE, BUFFERS), sur 1 an :")
        plans = {
            "carte, tous domaines": requetes_sql(
                engine, tous[f"carte {REGION}, 1 an, tous domaines : requête"]
            ),
            f"carte, {DOMAINES[0]}": requetes_sql(
                engine, tous[f"carte {REGION}, 1 an, {DOMAINES[0]} : requête"]
            ),
        }
        stats = [
            expliquer(engine, s, p)
            for s, p in requetes_sql(engine, tous["statistiques structure 1, 1 an : requêtes"])
        ]
        for nom, requetes in plans.items():
            print(f"- {nom} :")
            for ligne in expliquer(engine, *requetes[0])[1]:
                print(f"    {ligne}")
        plus_longue = max(range(len(stats)), key=lambda i: stats[i][0])
        print(f"- statistiques, la plus longue des {len(stats)} requêtes (n° {plus_longue + 1}) :")
        for ligne in stats[plus_longue][1]:
            print(f"    {ligne}")
    print(f"\nObjectif < {OBJECTIF_MS:.0f} ms (p95) : {'atteint' if not manques else 'MANQUÉ'}")
    return 1 if manques else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Adds `statistiques` to the `bench` group's sub-commands."""
    parser = sub.add_parser(
        "statistiques",
        help="temps de la page de statistiques et de la carte sur PostgreSQL (1 M enregistrements)",
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="enregistrements chargés")
    parser.add_argument("--runs", type=int, default=20, help="mesures par cas")
    parser.add_argument("--seed", type=int, default=2016, help="graine du tirage")
    parser.add_argument("--pg-url", default=PG_URL_DEFAUT, help="base PostgreSQL (schéma jetable)")
    parser.set_defaults(func=mesurer)
