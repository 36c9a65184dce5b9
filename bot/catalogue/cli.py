"""`capnum catalogue …` commands: load, stats, search, show, import, export, migrate
(messages in French)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.catalogue import rncp_import
from bot.catalogue.cli_lheo import cmd_import_lheo
from bot.catalogue.cli_support import (
    NOTHING_WRITTEN,
    cell,
    database_url,
    err,
    missing_sqlite_file,
    print_load_report,
    print_rejected,
    print_table,
    safe_url,
    with_engine,
    write_import,
)
from bot.catalogue.export import export_csv, export_jsonl
from bot.catalogue.import_sources import MappingError, SourceFileError, load_mapping
from bot.catalogue.importer import ImportResult, prepare_import, write_and_load
from bot.catalogue.repository import (
    Catalogue,
    CatalogueLoadError,
    catalogue_paths,
    check_catalogue,
)
from bot.config import get_settings
from bot.contract import DOMAINES


def register(subparsers: Any) -> None:
    """Add the `catalogue` command and its subcommands to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "catalogue",
        help="catalogue des formations (chargement, statistiques, recherche)",
        description="Catalogue des formations : chargement et consultation.",
    )
    sub = parser.add_subparsers(dest="catalogue_command", required=True, metavar="SOUS-COMMANDE")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        metavar="URL",
        help="base de données SQLAlchemy (défaut : CAPNUM_DATABASE_URL, sinon var/capnum.db)",
    )

    load = sub.add_parser(
        "load",
        parents=[common],
        help="valider puis charger les fichiers JSONL",
        description="Valide tous les fichiers puis remplace le catalogue en une transaction.",
    )
    load.add_argument(
        "--file",
        dest="files",
        action="extend",
        nargs="+",
        type=Path,
        metavar="F",
        help="fichier(s) à charger (défaut : knowledge/catalogue/*.jsonl)",
    )
    load.add_argument("--dry-run", action="store_true", help="valider seulement, sans écrire")
    load.add_argument(
        "--if-changed", action="store_true", help="ne recharger que si les fichiers ont changé"
    )
    load.set_defaults(func=cmd_load)

    stats_parser = sub.add_parser("stats", parents=[common], help="statistiques du catalogue")
    stats_parser.add_argument("--json", action="store_true", help="sortie JSON")
    stats_parser.set_defaults(func=cmd_stats)

    search_parser = sub.add_parser("search", parents=[common], help="chercher des formations")
    search_parser.add_argument("--domaine", choices=DOMAINES, help="domaine d'intérêt")
    search_parser.add_argument("--departement", metavar="CODE", help="code département, ex. 59")
    search_parser.add_argument("--region", metavar="NOM", help="nom de la région")
    search_parser.add_argument("--texte", metavar="MOTS", help="mots à trouver")
    search_parser.set_defaults(func=cmd_search)

    show = sub.add_parser("show", parents=[common], help="afficher une ligne du catalogue")
    show.add_argument("id", metavar="ID", help="identifiant de la ligne")
    show.set_defaults(func=cmd_show)

    import_parser = sub.add_parser(
        "import",
        parents=[common],
        help=(
            "importer une liste de formations (CSV ou JSON avec un fichier de correspondance, "
            "ou offre LHEO en XML)"
        ),
        description=(
            "Convertit un fichier CSV ou JSON selon un fichier de correspondance YAML, ou une "
            "offre de formation LHEO 2.2/2.3 dont seules les formations au numérique sont "
            "gardées (voir docs/catalogue-import.md), valide chaque ligne, écrit "
            "knowledge/catalogue/import_<id_prefix>.jsonl puis recharge tout le catalogue."
        ),
    )
    import_parser.add_argument(
        "fichier", type=Path, metavar="FICHIER", help="fichier .csv/.json, ou .xml (LHEO)"
    )
    import_parser.add_argument(
        "--format",
        choices=("csv", "json", "lheo"),
        help="format du fichier (défaut : d'après l'extension ; .xml = lheo)",
    )
    import_parser.add_argument(
        "--mapping",
        type=Path,
        metavar="M.yml",
        help="fichier de correspondance YAML (source, id_prefix, champs), pour CSV et JSON",
    )
    import_parser.add_argument(
        "--id-prefix",
        metavar="P",
        help="LHEO : préfixe des identifiants et du fichier écrit (défaut : lheo-<nom du fichier>)",
    )
    import_parser.add_argument(
        "--dry-run", action="store_true", help="afficher ce qui serait importé, sans rien écrire"
    )
    import_parser.add_argument(
        "--ignorer-erreurs",
        action="store_true",
        help="écrire les lignes valides même si d'autres sont rejetées (elles restent signalées)",
    )
    import_parser.set_defaults(func=cmd_import)

    export_parser = sub.add_parser(
        "export",
        parents=[common],
        help="exporter le catalogue chargé (JSONL ou CSV)",
        description=(
            "Exporte le catalogue chargé en base : JSONL (lignes du schéma) ou CSV à plat "
            "(séparateur « ; », listes jointes par « | »)."
        ),
    )
    export_parser.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="format (défaut : jsonl)"
    )
    export_parser.add_argument(
        "--sortie", type=Path, metavar="F", help="fichier de sortie (défaut : sortie standard)"
    )
    export_parser.set_defaults(func=cmd_export)

    migrate = sub.add_parser(
        "migrate",
        parents=[common],
        help="mettre le schéma de la base à jour (migrations Alembic)",
        description=(
            "Applique les migrations du schéma du catalogue, sans perte de données "
            "(voir docs/catalogue-migrations.md). Une base créée avant les migrations est "
            "d'abord marquée à la révision initiale."
        ),
    )
    migrate.add_argument(
        "--revision", default="head", metavar="REV", help="révision cible (défaut : head)"
    )
    migrate.add_argument(
        "--status", action="store_true", help="afficher la révision actuelle, sans rien modifier"
    )
    migrate.set_defaults(func=cmd_migrate)

    rncp_import.register(sub)


# --------------------------------------------------------------------------- commands


def cmd_load(args: argparse.Namespace) -> int:
    """`catalogue load`: validate every file, then load (or only check with --dry-run)."""
    paths = list(args.files or catalogue_paths(get_settings().catalogue_dir))
    if not paths:
        err(f"Aucun fichier de catalogue dans {get_settings().catalogue_dir}.")
        err(NOTHING_WRITTEN)
        return 1
    url = database_url(args)
    try:
        if args.dry_run:
            _records, report = check_catalogue(paths)
            print_load_report(report, "dry-run", url)
            return 0

        def do_load(engine: Engine) -> int:
            catalogue = Catalogue(engine)
            loader = catalogue.load_if_changed if args.if_changed else catalogue.load
            print_load_report(loader(paths), "load", url)
            return 0

        return with_engine(args, do_load, read=False)
    except CatalogueLoadError as exc:
        print_rejected(exc)
        return 1


def cmd_stats(args: argparse.Namespace) -> int:
    """`catalogue stats`: counts per région, domain, source and data year."""

    def run(engine: Engine) -> int:
        data = Catalogue(engine).stats()
        if args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        print(
            f"Catalogue : {data['rows']} ligne(s), {data['formations']} formation(s), "
            f"{data['a_distance']} accessible(s) à distance."
        )
        if data["loaded_at"]:
            print(f"Chargé le {data['loaded_at']} (empreinte {data['digest'][:12]}).")
        sections = [
            ("Par région", "by_region"),
            ("Par domaine", "by_domain"),
            ("Par source", "by_source"),
            ("Par année des données", "by_year"),
        ]
        for title, key in sections:
            counts: dict[str, int] = data[key]
            print(f"{title} :")
            labels = {name: cell(name, 70) for name in counts}
            width = max((len(label) for label in labels.values()), default=0)
            for name, count in counts.items():
                print(f"  {labels[name].ljust(width)}  {count}")
        return 0

    return with_engine(args, run, read=True)


def cmd_search(args: argparse.Namespace) -> int:
    """`catalogue search`: rows matching every given filter, as a table."""

    def run(engine: Engine) -> int:
        records = Catalogue(engine).search(
            domaine=args.domaine,
            departement=args.departement,
            region=args.region,
            text=args.texte,
        )
        if not records:
            print("Aucune formation ne correspond.")
            return 0
        print_table(records)
        print(f"{len(records)} ligne(s).")
        return 0

    return with_engine(args, run, read=True)


def cmd_show(args: argparse.Namespace) -> int:
    """`catalogue show ID`: one row as JSON."""

    def run(engine: Engine) -> int:
        record = Catalogue(engine).get(args.id)
        if record is None:
            err(f"Formation introuvable : '{args.id}'.")
            return 1
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
        return 0

    return with_engine(args, run, read=True)


def _print_import_result(result: ImportResult) -> None:
    print(
        f"Fichier lu : {result.file} ({result.total} enregistrement(s)) ; "
        f"{len(result.records)} valide(s), {result.rejected} rejeté(s)."
    )
    if result.issues:
        err(f"Lignes rejetées ({result.rejected}) :")
        for issue in result.issues:
            err(f"  {issue}")


def cmd_import(args: argparse.Namespace) -> int:
    """`catalogue import FICHIER --mapping M.yml`: convert, validate, write, then load
    (`--format lheo`, or a `.xml` file: `bot.catalogue.cli_lheo`)."""
    source_format = args.format or ("lheo" if args.fichier.suffix.lower() == ".xml" else None)
    if source_format == "lheo":
        return cmd_import_lheo(args)
    if args.mapping is None:
        err(
            "--mapping est obligatoire pour un fichier CSV ou JSON (voir docs/catalogue-import.md)."
        )
        return 1
    catalogue_dir = get_settings().catalogue_dir
    try:
        mapping = load_mapping(args.mapping)
    except MappingError as exc:
        err(f"Fichier de correspondance invalide ({args.mapping}) :")
        for problem in exc.problems:
            err(f"  {problem}")
        err(NOTHING_WRITTEN)
        return 1
    try:
        result = prepare_import(args.fichier, mapping, catalogue_dir, source_format=source_format)
    except SourceFileError as exc:
        err(f"{args.fichier.name}: {exc}")
        err(NOTHING_WRITTEN)
        return 1
    _print_import_result(result)
    blocked = bool(result.issues) and not args.ignorer_erreurs
    target = catalogue_dir / mapping.output_name
    if args.dry_run:
        if result.records:
            print("Lignes qui seraient importées :")
            print_table(result.records)
        print(
            f"Vérification seule (--dry-run) : rien n'a été écrit "
            f"({0 if blocked else len(result.records)} ligne(s) seraient écrites dans {target})."
        )
        return 1 if blocked else 0
    return write_import(
        args,
        blocked,
        str(len(result.records)),
        None if result.records else "Aucune ligne valide à importer.",
        lambda engine: write_and_load(result, catalogue_dir, engine),
    )


def cmd_export(args: argparse.Namespace) -> int:
    """`catalogue export`: the loaded catalogue as JSONL schema rows or flat CSV."""
    writer = export_csv if args.format == "csv" else export_jsonl

    def run(engine: Engine) -> int:
        records = Catalogue(engine).all()
        if args.sortie is None:
            writer(records, sys.stdout)
            return 0
        # A BOM lets spreadsheets read the CSV as UTF-8.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        try:
            with open(args.sortie, "w", encoding=encoding, newline="") as fh:
                count = writer(records, fh)
        except OSError as exc:
            err(f"Impossible d'écrire {args.sortie} : {exc.strerror or exc}")
            return 1
        print(f"{count} ligne(s) exportée(s) dans {args.sortie} (format {args.format}).")
        return 0

    return with_engine(args, run, read=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    """`catalogue migrate`: upgrade the schema (or `--status`: show the revision)."""
    from alembic.util import CommandError

    from bot.catalogue.schema import (
        INITIAL_REVISION,
        SchemaStateError,
        schema_status,
        upgrade_schema,
    )

    url = database_url(args)

    def label(revision: str | None) -> str:
        return revision or "aucune"

    def status(engine: Engine) -> int:
        state = schema_status(engine)
        print(f"Base : {safe_url(url)}")
        print(f"Révision actuelle : {label(state.current)}")
        print(f"Dernière révision : {state.head}")
        if state.up_to_date:
            print("Schéma à jour.")
        elif state.legacy:
            print(
                "Tables créées avant les migrations : « capnum catalogue migrate » les "
                "versionnera sans perte de données."
            )
        else:
            print("Migration nécessaire : lancez « capnum catalogue migrate ».")
        return 0

    def migrate(engine: Engine) -> int:
        before = schema_status(engine).current
        print(f"Base : {safe_url(url)}")
        print(f"Révision avant : {label(before)}")
        result = upgrade_schema(engine, args.revision)
        if result.stamped:
            print(
                "Tables créées avant les migrations : marquées à la révision "
                f"{INITIAL_REVISION}, données conservées."
            )
        print(f"Révision après : {label(result.after)}")
        print("Schéma mis à jour." if result.changed else "Schéma déjà à jour : rien à faire.")
        return 0

    if args.status and missing_sqlite_file(url):
        print(f"Base : {safe_url(url)}")
        print("Révision actuelle : aucune (base absente)")
        return 0
    try:
        return with_engine(args, status if args.status else migrate, read=False)
    except (CommandError, SchemaStateError) as exc:
        err(f"Migration impossible ({safe_url(url)}) : {exc}")
        err("Rien n'a été modifié.")
        return 1
