"""Command line: `python -m tools.simulation [--conversations N] [--strict inv2,inv7] ...`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tools.simulation.client import afficher_progres, jouer_tout, verifier_serveur
from tools.simulation.invariants import INVARIANTS, NOMS, verifier
from tools.simulation.modele import Conversation
from tools.simulation.personas import generer_tous
from tools.simulation.rapport import ecrire, markdown, resumer

RACINE = Path(__file__).resolve().parents[2]


def machine() -> str:
    """CPU, cores, memory and OS of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                ligne.split(":", 1)[1].strip() for ligne in f if ligne.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memoire = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            ko = int(next(ligne.split()[1] for ligne in f if ligne.startswith("MemTotal")))
        memoire = f", {ko / 1024 / 1024:.0f} Go de mémoire"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cœurs{memoire}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    try:
        sortie = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=RACINE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        modifie = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot", "domain.yml"],
            cwd=RACINE,
            capture_output=True,
            text=True,
        ).stdout.strip()
        suffixe = " (avec des modifications locales de bot/ ou domain.yml)"
        return sortie + (suffixe if modifie else "")
    except (OSError, subprocess.CalledProcessError):
        return "inconnu"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tools.simulation",
        description="Joue des conversations simulées contre le vrai Cap Num et vérifie les "
        "invariants (jeton de l'API de Rasa dans CAPNUM_RASA_TOKEN).",
    )
    p.add_argument(
        "--serveur", default=os.environ.get("CAPNUM_SERVER_URL", "http://127.0.0.1:5005")
    )
    p.add_argument("--conversations", type=int, default=1000)
    p.add_argument("--graine", type=int, default=17)
    p.add_argument("--parallele", type=int, default=6, help="conversations à la fois")
    p.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(0.3, 0.5),
        metavar=("MIN", "MAX"),
        help="secondes entre deux messages d'une conversation",
    )
    p.add_argument(
        "--max-tours",
        type=int,
        default=20,
        help="messages accordés pour arriver aux résultats (inv1)",
    )
    p.add_argument(
        "--strict", default="", help="invariants qui font échouer la commande, ex. inv2,inv6,inv7"
    )
    p.add_argument("--sortie", type=Path, default=RACINE / "results" / "simulation")
    p.add_argument("--rapport", type=Path, help="écrit le rapport Markdown (docs/simulation.md)")
    p.add_argument("--depuis", type=Path, help="relit un résultat JSON au lieu de jouer")
    p.add_argument(
        "--code", help="version du code servi, pour le rapport (défaut : le commit de ce dépôt)"
    )
    args = p.parse_args(argv)
    args.strict = [s.strip() for s in args.strict.split(",") if s.strip()]
    inconnus = [s for s in args.strict if s not in INVARIANTS]
    if inconnus:
        p.error(f"invariants inconnus : {', '.join(inconnus)} (connus : {', '.join(INVARIANTS)})")
    return args


def afficher(resume: dict[str, Any], meta: dict[str, Any], strict: list[str]) -> None:
    """The summary printed at the end of a run."""
    tp = resume["tours_premier_resultat"]
    print(
        f"\nSimulation : {resume['conversations']} conversations, {resume['messages']} "
        f"messages en {meta['duree_s']:.0f} s (graine {meta['graine']})"
    )
    print(
        f"Messages avant les premiers résultats : médiane {tp['mediane']}, p90 {tp['p90']}, "
        f"max {tp['max']} ; {resume['avec_cartes']} avec cartes, {resume['rien_trouve']} "
        "« rien trouvé »"
    )
    for inv in INVARIANTS:
        v = resume["invariants"][inv]
        marque = "STRICT " if inv in strict else "       "
        etat = "ok   " if v["conversations"] == 0 else "ÉCHEC"
        print(
            f"  {marque}{inv} {etat} {v['conversations']:5d} conv. {v['echecs']:6d} échecs"
            f"  {NOMS[inv]}"
        )
    for sorte, v in resume["sortes"].items():
        print(f"    {sorte}: {v['conversations']} conv. (ex. : {v['exemple'][:90]})")
    if resume["erreurs_simulateur"]:
        print(f"  Erreurs du simulateur : {resume['erreurs_simulateur']} conversations")


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.depuis:
        donnees = json.loads(args.depuis.read_text(encoding="utf-8"))
        meta = donnees["meta"]
        convs = [verifier(Conversation.from_dict(c)) for c in donnees["conversations"]]
    else:
        jeton = os.environ.get("CAPNUM_RASA_TOKEN", "")
        if not jeton:
            print(
                "ERREUR : CAPNUM_RASA_TOKEN n'est pas défini (jeton de l'API de Rasa).",
                file=sys.stderr,
            )
            return 2
        probleme = asyncio.run(verifier_serveur(args.serveur, jeton))
        if probleme:
            print(f"ERREUR : {probleme} ({args.serveur})", file=sys.stderr)
            return 2
        personas = generer_tous(args.graine, args.conversations)
        print(
            f"{len(personas)} conversations contre {args.serveur}, {args.parallele} à la fois…",
            file=sys.stderr,
        )
        debut = time.monotonic()
        convs, nb_429 = asyncio.run(
            jouer_tout(
                args.serveur,
                jeton,
                personas,
                args.graine,
                args.parallele,
                tuple(args.pause),
                args.max_tours,
                afficher_progres,
            )
        )
        meta = {
            "date": dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %Z"),
            "machine": machine(),
            "commit": args.code or commit(),
            "graine": args.graine,
            "parallele": args.parallele,
            "pause": list(args.pause),
            "max_tours": args.max_tours,
            "duree_s": round(time.monotonic() - debut, 1),
            "reponses_429": nb_429,
            "serveur": args.serveur,
        }
        args.sortie.mkdir(parents=True, exist_ok=True)
        nom = f"{dt.datetime.now():%Y%m%d-%H%M%S}-graine{args.graine}-n{len(convs)}.json"
        chemin = args.sortie / nom
        chemin.write_text(
            json.dumps(
                {
                    "meta": meta,
                    "resume": resumer(convs, args.max_tours),
                    "conversations": [c.to_dict() for c in convs],
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        print(f"Résultats : {chemin}", file=sys.stderr)
    resume = resumer(convs, meta.get("max_tours", 20))
    afficher(resume, meta, args.strict)
    if args.rapport:
        ecrire(args.rapport, markdown(convs, meta, args.strict))
        print(f"Rapport : {args.rapport}")
    echoue = [i for i in args.strict if resume["invariants"][i]["conversations"]]
    if echoue:
        print(f"ÉCHEC : invariants stricts en échec : {', '.join(echoue)}")
        return 1
    if args.strict:
        print(f"Invariants stricts tenus : {', '.join(args.strict)}")
    return 0
