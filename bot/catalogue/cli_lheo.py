"""`capnum catalogue import FICHIER.xml --format lheo`: the LHEO import and its summary
(read, kept, dropped by reason, rejected, retired, sessions; messages in French)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.catalogue.cli_support import (
    NOTHING_WRITTEN,
    err,
    print_table,
    write_import,
)
from bot.catalogue.import_lheo import (
    LheoResult,
    default_prefix,
    prepare_lheo,
    write_and_load_lheo,
)
from bot.catalogue.import_sources import SourceFileError
from bot.catalogue.validation import ID_RE
from bot.config import get_settings

#: Retired ids listed in the summary.
SHOWN = 20


def _nombre(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def print_summary(result: LheoResult) -> None:
    """What was read, kept, dropped (by reason), rejected, and what the catalogue file
    becomes (new, updated, unchanged, retired rows; sessions)."""
    version = f"LHEO {result.version}" if result.version else "LHEO"
    print(
        f"Fichier lu : {result.file} ({version}) : {_nombre(result.lues)} action(s) "
        f"dans {_nombre(result.formations)} formation(s)."
    )
    ecartees = sum(result.ecartees.values())
    print(
        f"Gardées (numérique) : {_nombre(result.gardees)} ; écartées : {_nombre(ecartees)} ; "
        f"rejetées (erreurs) : {_nombre(result.rejected)}."
    )
    if ecartees:
        print("Écartées, par raison :")
        for raison, count in result.ecartees.most_common():
            print(f"  {raison} : {_nombre(count)}")
    if result.issues:
        err(f"Actions rejetées ({_nombre(result.rejected)}) :")
        for issue in result.issues:
            err(f"  {issue}")
    print(
        f"{result.output_name} : {_nombre(result.lignes)} ligne(s) valide(s) "
        f"({_nombre(result.nouvelles)} nouvelle(s), {_nombre(result.mises_a_jour)} mise(s) à "
        f"jour, {_nombre(result.inchangees)} inchangée(s)) ; "
        f"{_nombre(result.sessions)} session(s)."
    )
    if result.retirees:
        shown = ", ".join(result.retirees[:SHOWN])
        more = f", … (+{len(result.retirees) - SHOWN})" if len(result.retirees) > SHOWN else ""
        print(
            f"Retirées (absentes du flux ou rejetées) : {_nombre(len(result.retirees))} : "
            f"{shown}{more}"
        )


def cmd_import_lheo(args: argparse.Namespace) -> int:
    """Read, filter, convert and validate an LHEO file, then (unless `--dry-run`) replace
    `import_<prefix>.jsonl` and load the whole catalogue."""
    if args.mapping is not None:
        err("--mapping ne s'utilise pas avec --format lheo (la correspondance est fixe).")
        return 1
    prefix = args.id_prefix or default_prefix(args.fichier)
    if not ID_RE.match(prefix):
        err(f"--id-prefix invalide '{prefix}' (minuscules, chiffres et tirets)")
        return 1
    catalogue_dir = get_settings().catalogue_dir
    try:
        result = prepare_lheo(args.fichier, prefix, catalogue_dir)
    except SourceFileError as exc:
        err(f"{Path(args.fichier).name}: {exc}")
        err(NOTHING_WRITTEN)
        return 1
    try:
        return _write(args, result, catalogue_dir)
    finally:
        result.discard()  # nothing left behind, whatever happened (moved when written)


def _write(args: argparse.Namespace, result: LheoResult, catalogue_dir: Path) -> int:
    """Summary, then the dry run, the refusal, or the writing and loading."""
    print_summary(result)
    blocked = bool(result.issues) and not args.ignorer_erreurs
    target = catalogue_dir / result.output_name
    if args.dry_run:
        if result.apercu:
            print("Lignes qui seraient importées :")
            print_table(result.apercu)
            if result.lignes > len(result.apercu):
                print(f"… et {_nombre(result.lignes - len(result.apercu))} autre(s).")
        print(
            "Vérification seule (--dry-run) : rien n'a été écrit "
            f"({0 if blocked else _nombre(result.lignes)} ligne(s) seraient écrites "
            f"dans {target})."
        )
        return 1 if blocked else 0
    vide = "Aucune action numérique valide à importer : l'import précédent reste en place."
    return write_import(
        args,
        blocked,
        _nombre(result.lignes),
        None if result.lignes else vide,
        lambda engine: write_and_load_lheo(result, catalogue_dir, engine),
    )
