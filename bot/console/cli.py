"""`capnum conseil …`: structures and counsellors' accounts of the console.

Passwords are typed twice at a hidden prompt (or read from the standard input with
`--mot-de-passe-stdin`, for scripts); none is ever printed, and none exists by default.
Refusals are the domain's `libelle_console_erreur_*` texts.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError

from bot.config import REPO_ROOT
from bot.console.comptes import ROLES, ConsoleError
from bot.console.service import service
from bot.presentation import Texts


@lru_cache(maxsize=1)
def _texts() -> Texts:
    with open(REPO_ROOT / "domain.yml", encoding="utf-8") as handle:
        return Texts.from_domain(yaml.safe_load(handle))


def message(error: ConsoleError) -> str:
    try:
        return _texts().get(f"libelle_console_erreur_{error.code}")
    except KeyError:
        return error.code


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "conseil",
        help="console des conseillers : structures et comptes",
        description="Console des conseillers : structures et comptes.",
    )
    sub = parser.add_subparsers(dest="conseil_command", required=True, metavar="SOUS-COMMANDE")

    def password_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--mot-de-passe-stdin",
            action="store_true",
            help="lire le mot de passe sur l'entrée standard (une ligne) au lieu de le demander",
        )

    admin = sub.add_parser(
        "creer-admin",
        help="créer la structure si besoin et son premier compte admin",
        description="Crée la structure (si elle n'existe pas) et un compte « admin » de cette "
        "structure, qui pourra créer les comptes des conseillers dans la console.",
    )
    compte = sub.add_parser("creer-compte", help="créer un compte dans une structure existante")
    for p in (admin, compte):
        p.add_argument("--structure", required=True, help="nom de la structure")
        p.add_argument("--identifiant", required=True, help="identifiant de connexion")
        p.add_argument("--nom", required=True, help="nom affiché (« Camille Martin »)")
        password_options(p)
    compte.add_argument("--role", choices=ROLES, default="conseiller", help="rôle du compte")
    admin.add_argument(
        "--region",
        help="code INSEE de la région de la structure (« 32 » : Hauts-de-France) : "
        "ses admins et ses comptes « territoire » lisent la carte de cette région",
    )
    compte.set_defaults(region=None)
    admin.set_defaults(func=run_create, role="admin", create_structure=True)
    compte.set_defaults(func=run_create, create_structure=False)

    comptes = sub.add_parser("comptes", help="lister les comptes d'une structure")
    comptes.add_argument("--structure", required=True, help="nom de la structure")
    comptes.set_defaults(func=run_list)

    reset = sub.add_parser("mot-de-passe", help="changer le mot de passe d'un compte")
    reset.add_argument("identifiant", help="identifiant de connexion")
    password_options(reset)
    reset.set_defaults(func=run_reset)


def _password(args: argparse.Namespace) -> str | None:
    if args.mot_de_passe_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe (12 caractères au moins) : ")
    if getpass.getpass("Le même, encore une fois : ") != first:
        print("ERREUR : les deux mots de passe sont différents. Rien n'a été créé.")
        return None
    return first


def _run(action: Any) -> int:
    try:
        return int(action() or 0)
    except ConsoleError as error:
        print(f"ERREUR : {message(error)}")
        return 2
    except SQLAlchemyError as exc:
        print(f"ERREUR : base de la console inaccessible ({type(exc).__name__}).")
        return 1


def run_create(args: argparse.Namespace) -> int:
    def action() -> int:
        comptes = service().comptes
        if args.region is not None and args.region not in service().geo.regions:
            raise ConsoleError("region_inconnue")
        if args.create_structure:
            structure_id = comptes.creer_structure(args.structure, args.region)
        else:
            structure_id = comptes.structure_id(args.structure)
            if structure_id is None:
                raise ConsoleError("structure_inconnue")
        password = _password(args)
        if password is None:
            return 2
        compte = comptes.creer_compte(structure_id, args.identifiant, args.nom, args.role, password)
        print(
            f"Compte créé : {compte.identifiant} ({compte.role}) dans « {compte.structure} ». "
            "Connexion : /webhooks/console/ sur l'adresse du serveur."
        )
        return 0

    return _run(action)


def run_list(args: argparse.Namespace) -> int:
    def action() -> int:
        structure_id = service().comptes.structure_id(args.structure)
        if structure_id is None:
            raise ConsoleError("structure_inconnue")
        for row in service().comptes.comptes(structure_id):
            etat = "actif" if row["actif"] else "désactivé"
            verrou = ", verrouillé" if row["verrouille"] else ""
            print(f"{row['identifiant']}\t{row['role']}\t{row['nom']}\t{etat}{verrou}")
        return 0

    return _run(action)


def run_reset(args: argparse.Namespace) -> int:
    def action() -> int:
        password = _password(args)
        if password is None:
            return 2
        service().comptes.changer_mot_de_passe(args.identifiant, password)
        print("Mot de passe changé ; les connexions ouvertes de ce compte sont fermées.")
        return 0

    return _run(action)
