"""`python -m tools bench lheo`: time and peak memory of the LHEO import of a generated
regional feed of N actions (default 100,000; targets: under 2 minutes and 500 MB).

The feed is written to a temporary file as a stream (seeded random: 1 to 3 actions per
formation, about 30 % of them digital by the ROME codes of the job sheets, a few by NSF
326 only; communes drawn by population with their INSEE code and coordinates; 1 to 4
sessions per action; descriptions of a real offer's length). Then three cases run, each in
a fresh Python process (`spawn`), so that its peak memory is its own: the reading and
checking alone (what `--dry-run` does), and the whole import (reading, writing
`import_<prefix>.jsonl`, loading the whole catalogue) into a temporary SQLite file and
into a throw-away PostgreSQL schema (dropped afterwards). Peak memory is the process's
`VmHWM` (/proc/self/status: resident set high-water mark since the process started,
interpreter and modules included), printed with the resident memory before the import
started. Not `ru_maxrss`: on Linux it keeps the parent's resident size at the time of the
fork, across the exec of the new interpreter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.catalogue.import_lheo import prepare_lheo, write_and_load_lheo
from bot.catalogue.lheo_filtre import Referentiel
from bot.db import engine_for
from bot.geo import Geo
from tools.bench.catalogue import PG_URL_DEFAUT, Communes, schema_postgresql
from tools.bench.charge import machine

OBJECTIF_S = 120.0
OBJECTIF_MO = 500.0
PREFIXE = "lheo-bench"
PART_NUMERIQUE = 0.30
PART_NSF_SEUL = 0.02  # formations kept by NSF 326 and their title only
PART_DISTANCE = 0.05

# (title, ROME codes, Formacode, NSF) of digital trainings: ROME codes of the job sheets.
NUMERIQUES = [
    ("Développeur web et web mobile", ["M1855", "M1805"], "31090", "326"),
    ("Concepteur développeur d'applications", ["M1861", "M1805"], "31067", "326"),
    ("Technicien d'assistance en informatique", ["I1401", "M1874"], "31054", "326"),
    ("Technicien supérieur systèmes et réseaux", ["M1816", "M1810"], "31025", "326"),
    ("Administrateur d'infrastructures sécurisées", ["M1801", "M1817"], "31006", "326"),
    ("Analyste en cybersécurité", ["M1844", "M1883"], "31045", "326"),
    ("Data analyst", ["M1419", "M1851"], "31036", "326"),
    ("Concepteur designer UI", ["E1206", "E1205"], "46325", "320"),
    ("Community manager", ["E1101", "E1124"], "46359", "320"),
    ("Médiateur numérique", ["G1238"], "15054", "326"),
    ("Testeur logiciel", ["M1815", "M1842"], "31067", "326"),
]
NSF_SEUL = [
    ("Technicien réseaux et télécommunications", "326"),
    ("Gestion de projet informatique", "326"),  # no domain in the title: dropped
]
AUTRES = [
    ("BTS négociation et relation client", ["D1402", "D1403"], "34582", "312"),
    ("CAP cuisine", ["G1602"], "42752", "221"),
    ("Titre professionnel agent de propreté et d'hygiène", ["K2204"], "42811", "343"),
    ("Titre professionnel secrétaire comptable", ["M1608", "M1203"], "32663", "324"),
    ("CACES engins de chantier", ["F1302"], "31812", "311"),
    ("Titre professionnel assistant de vie aux familles", ["K1302"], "44028", "330"),
    ("Bac pro maintenance des véhicules", ["I1604"], "31854", "252"),
    ("Titre professionnel maçon", ["F1703"], "22454", "232"),
    ("Formation de base en français", ["K2111"], "15043", "136"),
    ("Titre professionnel préparateur de commandes", ["N1103"], "31734", "311"),
]
TEXTE = (
    "Former des professionnels capables d'exercer le métier visé en entreprise : accueil "
    "et analyse de la demande, mise en œuvre des techniques du métier, travail en équipe, "
    "communication écrite et orale, sécurité et réglementation, suivi de la qualité. "
)


def _action(rng: random.Random, numero: str, communes: Communes) -> str:
    """One `<action>` with 1 to 4 sessions in 2025-2027."""
    if rng.random() < PART_DISTANCE:
        modalite, lieu = "2", ""
    else:
        commune = communes.tirer(rng)
        cp = commune.codes_postaux[0] if commune.codes_postaux else ""
        lat = (commune.lat or 0) + rng.uniform(-0.01, 0.01)
        lon = (commune.lon or 0) + rng.uniform(-0.01, 0.01)
        modalite = rng.choice("0001")
        lieu = (
            f"<lieu-de-formation><coordonnees><adresse><ligne>{rng.randint(1, 200)} rue de la "
            f"Formation</ligne><codepostal>{cp}</codepostal><ville>{escape(commune.nom)}</ville>"
            f"<departement>{commune.departement}</departement><code-INSEE-commune>"
            f"{commune.code_insee}</code-INSEE-commune><pays>FR</pays><geolocalisation>"
            f"<latitude>{lat:.6f}</latitude><longitude>{lon:.6f}</longitude></geolocalisation>"
            "</adresse></coordonnees></lieu-de-formation>"
        )
    sessions = []
    for _ in range(rng.randint(1, 4)):
        debut = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        fin = debut + dt.timedelta(days=rng.randint(30, 400))
        sessions.append(
            f'<session numero="{numero}-{len(sessions) + 1}"><periode><debut>'
            f"{debut:%Y%m%d}</debut><fin>{fin:%Y%m%d}</fin></periode><adresse-inscription>"
            "<adresse><ligne>Accueil</ligne><codepostal>00000</codepostal><ville>-</ville>"
            "</adresse></adresse-inscription><etat-recrutement>1</etat-recrutement></session>"
        )
    heures = rng.choice((140, 280, 455, 600, 800, 1050, 1400))
    prix = rng.choice(("0", "", "2500", "4800", "7200"))
    rythme = rng.choice(("Temps plein", "Temps partiel"))
    return (
        f'<action numero="{numero}"><rythme-formation>{rythme}'
        '</rythme-formation><code-public-vise ref="V12">80056</code-public-vise>'
        "<info-public-vise>Tout public, demandeurs d'emploi et salariés</info-public-vise>"
        "<niveau-entree-obligatoire>0</niveau-entree-obligatoire><modalites-alternance>-"
        f"</modalites-alternance><modalites-enseignement>{modalite}</modalites-enseignement>"
        "<conditions-specifiques>Entretien et tests de positionnement</conditions-specifiques>"
        f"<prise-en-charge-frais-possible>{rng.choice('01')}</prise-en-charge-frais-possible>"
        f"{lieu}<modalites-entrees-sorties>{rng.choice('001')}</modalites-entrees-sorties>"
        f"<url-action><urlweb>https://formation.example.org/{numero}</urlweb></url-action>"
        f"{''.join(sessions)}<restauration>Restaurant d'entreprise</restauration>"
        + (f"<prix-total-TTC>{prix}</prix-total-TTC>" if prix else "")
        + f"<nombre-heures-total>{heures}</nombre-heures-total><conventionnement>"
        f"{rng.choice('01')}</conventionnement><organisme-financeur><code-financeur>"
        f"{rng.choice(('2', '4', '10', '16'))}</code-financeur></organisme-financeur></action>"
    )


def _formation(rng: random.Random, numero: int, actions: list[str]) -> str:
    """One `<formation>`: digital (30 %), NSF 326 only (2 %) or another sector."""
    tirage = rng.random()
    if tirage < PART_NUMERIQUE:
        intitule, romes, formacode, nsf = rng.choice(NUMERIQUES)
    elif tirage < PART_NUMERIQUE + PART_NSF_SEUL:
        intitule, nsf = rng.choice(NSF_SEUL)
        romes, formacode = ["M1802"], "31094"
    else:
        intitule, romes, formacode, nsf = rng.choice(AUTRES)
    codes = "".join(f"<code-ROME>{code}</code-ROME>" for code in romes)
    return (
        f'<formation numero="F{numero}"><domaine-formation><code-FORMACODE ref="V12">'
        f"{formacode}</code-FORMACODE><code-NSF>{nsf}</code-NSF>{codes}</domaine-formation>"
        f"<intitule-formation>{escape(intitule)}</intitule-formation><objectif-formation>"
        f"{TEXTE * 2}</objectif-formation><resultats-attendus>{TEXTE}</resultats-attendus>"
        f"<contenu-formation>{TEXTE * 3}</contenu-formation><certifiante>1</certifiante>"
        "<contact-formation><coordonnees><courriel>contact@example.org</courriel></coordonnees>"
        "</contact-formation><parcours-de-formation>1</parcours-de-formation>"
        f"<code-niveau-entree>{rng.choice(('0', '4', '5', '13', '14'))}</code-niveau-entree>"
        f"<certification><code-RNCP>{rng.randint(30000, 40000)}</code-RNCP></certification>"
        f"<url-formation><urlweb>https://formation.example.org/F{numero}</urlweb></url-formation>"
        f"{''.join(actions)}<organisme-formation-responsable><numero-activite>11750000000"
        "</numero-activite><SIRET-organisme-formation><SIRET>12345678900011</SIRET>"
        f"</SIRET-organisme-formation><nom-organisme>Organisme {numero % 997}</nom-organisme>"
        "<raison-sociale>ORGANISME DE FORMATION</raison-sociale><coordonnees-organisme>"
        "<coordonnees><courriel>of@example.org</courriel></coordonnees></coordonnees-organisme>"
        "<contact-organisme><coordonnees><courriel>of@example.org</courriel></coordonnees>"
        "</contact-organisme></organisme-formation-responsable></formation>"
    )


def generer(chemin: Path, actions: int, graine: int) -> dict[str, int]:
    """Write an LHEO 2.3 feed of `actions` actions; returns formation and action counts."""
    rng = random.Random(graine)
    communes = Communes.de(Geo.default())
    ecrites = formations = 0
    with open(chemin, "w", encoding="utf-8", buffering=1 << 20) as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write('<lheo xmlns="http://lheo.gouv.fr/2.3" horodatage-export="2026-12-01T06:00:00">')
        fh.write("<offres>")
        while ecrites < actions:
            formations += 1
            k = min(rng.choice((1, 1, 2, 2, 3)), actions - ecrites)
            liste = [_action(rng, f"AF{ecrites + i + 1}", communes) for i in range(k)]
            ecrites += k
            fh.write(_formation(rng, formations, liste))
        fh.write("</offres></lheo>\n")
    return {"formations": formations, "actions": ecrites}


def _n(nombre: int) -> str:
    """`100 000`: thousands separated by a space."""
    return f"{nombre:,}".replace(",", " ")


def _mo(kilo_octets: int) -> float:
    return kilo_octets / 1024


def _status_ko(field: str) -> int:
    """A memory figure of /proc/self/status, in kB: `VmRSS` (resident now) or `VmHWM`
    (resident high-water mark of this process since it started)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def mesurer_cas(cas: str, chemin: str, pg_url: str) -> dict[str, Any]:
    """One case in this (fresh) process: `analyse`, `sqlite` or `postgresql`."""
    ref = Referentiel.charger()
    avant = _status_ko("VmRSS")
    with tempfile.TemporaryDirectory() as tmp:
        catalogue_dir = Path(tmp) / "catalogue"
        catalogue_dir.mkdir()
        debut = time.perf_counter()
        resultat = prepare_lheo(Path(chemin), PREFIXE, catalogue_dir, ref)
        analyse = time.perf_counter() - debut
        mesure: dict[str, Any] = {
            "cas": cas,
            "lues": resultat.lues,
            "gardees": resultat.gardees,
            "lignes": resultat.lignes,
            "rejetees": resultat.rejected,
            "sessions": resultat.sessions,
            "analyse_s": analyse,
            "version": "",
        }

        def charger(engine: Engine) -> None:
            write_and_load_lheo(resultat, catalogue_dir, engine)
            with engine.connect() as conn:
                mesure["version"] = (
                    conn.execute(text("SELECT sqlite_version()")).scalar_one()
                    if engine.dialect.name == "sqlite"
                    else conn.execute(text("SHOW server_version")).scalar_one()
                )

        if cas == "sqlite":
            engine = engine_for(f"sqlite:///{Path(tmp) / 'capnum.db'}")
            try:
                charger(engine)
            finally:
                engine.dispose()
        elif cas == "postgresql":
            with schema_postgresql(pg_url) as engine:
                charger(engine)
        mesure["total_s"] = time.perf_counter() - debut
    mesure["avant_mo"] = _mo(avant)
    mesure["pic_mo"] = _mo(_status_ko("VmHWM"))
    return mesure


def _dans_un_processus(cas: str, chemin: Path, pg_url: str) -> dict[str, Any]:
    contexte = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=contexte) as executeur:
        return executeur.submit(mesurer_cas, cas, str(chemin), pg_url).result()


NOMS = {
    "analyse": "lecture et vérification seules (--dry-run)",
    "sqlite": "import complet, SQLite (fichier)",
    "postgresql": "import complet, PostgreSQL",
}


def mesurer(args: argparse.Namespace) -> int:
    """Generates the feed, runs the cases, prints; 1 when a case misses a target."""
    cas = ["analyse", "sqlite"] + ([] if args.sans_postgresql else ["postgresql"])
    with tempfile.TemporaryDirectory() as tmp:
        chemin = Path(tmp) / "flux.xml"
        print(f"Génération de {_n(args.actions)} actions LHEO…")
        debut = time.perf_counter()
        compte = generer(chemin, args.actions, args.graine)
        generation = time.perf_counter() - debut
        taille = chemin.stat().st_size / 1024**2
        infos = machine()
        print(
            f"Fichier : {_n(compte['actions'])} actions dans {_n(compte['formations'])} "
            f"formations, {taille:.0f} Mo (écrit en {generation:.1f} s)"
        )
        print(f"Machine : {infos['cpu']}, {infos['coeurs']} cœurs ; Python {infos['python']}")
        mesures = [_dans_un_processus(c, chemin, args.pg_url) for c in cas]
    premier = mesures[0]
    print(
        f"Actions lues : {_n(premier['lues'])} ; gardées (numérique) : "
        f"{_n(premier['gardees'])} ; lignes valides : {_n(premier['lignes'])} ; rejetées : "
        f"{_n(premier['rejetees'])} ; sessions : {_n(premier['sessions'])}\n"
    )
    print("| cas | lecture et vérification s | total s | pic mémoire Mo | dont avant l'import Mo |")
    print("|---|---|---|---|---|")
    manques = 0
    for mesure in mesures:
        nom = NOMS[mesure["cas"]] + (f" {mesure['version']}" if mesure["version"] else "")
        manques += mesure["total_s"] >= OBJECTIF_S or mesure["pic_mo"] >= OBJECTIF_MO
        print(
            f"| {nom} | {mesure['analyse_s']:.1f} | {mesure['total_s']:.1f} | "
            f"{mesure['pic_mo']:.0f} | {mesure['avant_mo']:.0f} |"
        )
    print(
        f"\nObjectifs < {OBJECTIF_S:.0f} s et < {OBJECTIF_MO:.0f} Mo (VmHWM) : "
        f"{'atteints' if not manques else 'MANQUÉS'}"
    )
    return 1 if manques else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Adds `lheo` to the `bench` group's sub-commands."""
    parser = sub.add_parser(
        "lheo",
        help="temps et mémoire de l'import LHEO d'un flux généré (100 000 actions)",
    )
    parser.add_argument("--actions", type=int, default=100_000, help="actions du flux généré")
    parser.add_argument("--graine", type=int, default=2016, help="graine du tirage")
    parser.add_argument("--pg-url", default=PG_URL_DEFAUT, help="base PostgreSQL (schéma jetable)")
    parser.add_argument("--sans-postgresql", action="store_true", help="mesurer SQLite seulement")
    parser.set_defaults(func=mesurer)
