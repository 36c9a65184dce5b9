"""Helpers shared by the `capnum catalogue …` commands: database URL and engine, the
load report, rejected rows and the table of rows (messages in French)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue.repository import CatalogueLoadError, LoadReport, schema_exists
from bot.catalogue.validation import FormationRecord
from bot.config import get_settings
from bot.db import engine_for

NOTHING_WRITTEN = "Rien n'a été écrit : le catalogue précédent est intact."
NOT_LOADED = "Catalogue non chargé : lancez d'abord « capnum catalogue load »."
IMPORT_BLOCKED = (
    "Rien n'a été écrit : corrigez ces lignes dans le fichier source "
    "ou relancez avec --ignorer-erreurs pour n'importer que les lignes valides."
)


def database_url(args: argparse.Namespace) -> str:
    """`--database-url`, else the settings' database."""
    return getattr(args, "database_url", None) or get_settings().database_url


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def missing_sqlite_file(url: str) -> bool:
    """True for a SQLite file that does not exist yet (reading must not create it)."""
    sa_url = make_url(url)
    database = sa_url.database or ""
    if sa_url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return False
    return not database.startswith("file:") and not Path(database).expanduser().exists()


def err(message: str) -> None:
    """Print a message on the standard error."""
    print(message, file=sys.stderr)


def with_engine(args: argparse.Namespace, action: Callable[[Engine], int], read: bool) -> int:
    """Run `action` with an engine built for this command, reporting database errors."""
    url = database_url(args)
    if read and missing_sqlite_file(url):
        err(NOT_LOADED)
        return 1
    engine = engine_for(url)
    try:
        if read and not schema_exists(engine):
            err(NOT_LOADED)
            return 1
        return action(engine)
    except SQLAlchemyError as exc:
        err(f"Erreur de base de données ({safe_url(url)}) : {exc}")
        if not read:
            err(NOTHING_WRITTEN)
        return 2
    finally:
        engine.dispose()


def print_load_report(report: LoadReport, mode: str, url: str) -> None:
    """Files, totals and outcome of a catalogue load (`mode` "dry-run" or "load")."""
    print("Fichiers validés :")
    width = max((len(name) for name, _rows in report.files), default=0)
    for name, rows in report.files:
        print(f"  {name.ljust(width)} : {rows} ligne(s)")
    print(f"Total : {report.rows} ligne(s), {report.formations} formation(s) distincte(s).")
    short = report.digest[:12]
    if mode == "dry-run":
        print("Vérification seule (--dry-run) : rien n'a été écrit.")
    elif report.skipped:
        print(f"Catalogue inchangé (empreinte {short}) : rien à recharger dans {safe_url(url)}.")
    else:
        print(f"Catalogue chargé dans {safe_url(url)} (empreinte {short}).")


def print_rejected(exc: CatalogueLoadError) -> None:
    """Every row the loader refused, then that nothing was written."""
    lines = {(error.file, error.line) for error in exc.errors}
    err(f"Lignes rejetées ({len(lines)}) :")
    for error in exc.errors:
        err(f"  {error}")
    err(NOTHING_WRITTEN)


def cell(value: str, width: int) -> str:
    """The value cut to `width` characters (an ellipsis marks the cut)."""
    return value if len(value) <= width else value[: width - 1] + "…"


def print_table(records: list[FormationRecord]) -> None:
    """The rows as a text table: id, title, organisation, commune, domains, data year."""
    columns: list[tuple[str, int, Callable[[FormationRecord], str]]] = [
        ("id", 26, lambda r: r.id),
        ("intitulé", 40, lambda r: r.intitule),
        ("organisme", 26, lambda r: r.organisme or "—"),
        ("commune", 20, lambda r: r.commune or "à distance"),
        ("domaines", 30, lambda r: ", ".join(r.domaines)),
        ("données", 9, lambda r: r.date_donnees),
    ]
    rows = [[cell(get(record), width) for _title, width, get in columns] for record in records]
    widths = [
        max([len(title)] + [len(row[index]) for row in rows])
        for index, (title, _width, _get) in enumerate(columns)
    ]
    titles = [title for title, _width, _get in columns]
    print("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip())


def write_import(
    args: argparse.Namespace,
    blocked: bool,
    lignes: str,
    vide: str | None,
    ecrire: Callable[[Engine], tuple[Path, LoadReport]],
) -> int:
    """The end of an import once checked: its valid rows (`lignes` of them, as printed)
    written and the whole catalogue loaded by `ecrire`; nothing when a rejected row
    `blocked` it, or when there is no valid row (`vide` given: it says why)."""
    if blocked:
        err(IMPORT_BLOCKED)
        return 1
    if vide is not None:
        err(vide)
        err(NOTHING_WRITTEN)
        return 1
    url = database_url(args)

    def do_import(engine: Engine) -> int:
        path, report = ecrire(engine)
        print(f"Fichier écrit : {path} ({lignes} ligne(s)).")
        print_load_report(report, "load", url)
        return 0

    try:
        return with_engine(args, do_import, read=False)
    except CatalogueLoadError as exc:
        print_rejected(exc)
        return 1
