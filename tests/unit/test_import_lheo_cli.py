"""LHEO import through `capnum catalogue import FICHIER.xml --format lheo`: summary, dry
run, all-or-nothing writing, re-import (updates in place, retires what left the feed) and
the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.catalogue.import_lheo import prepare_lheo, write_and_load_lheo
from bot.catalogue.lheo_filtre import ECARTEE_HORS_NUMERIQUE, Referentiel
from bot.catalogue.repository import Catalogue
from bot.catalogue.sessions import PeriodeSession
from tests.support.catalogue_import import loaded_ids, run_cli
from tests.support.factories import valid_row, write_jsonl
from tests.support.lheo_xml import EXEMPLE, action, formation, lieu, session, write_offre


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A temporary knowledge folder (one GEN row) and SQLite database used by the CLI."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "catalogue").mkdir(parents=True)
    write_jsonl(knowledge / "catalogue" / "gen.jsonl", [valid_row()])
    db = tmp_path / "var" / "capnum.db"
    monkeypatch.setenv("CAPNUM_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("CAPNUM_DATABASE_URL", f"sqlite:///{db}")
    return {"catalogue": knowledge / "catalogue", "db": db, "tmp": tmp_path}


def feed(tmp_path: Path, name: str = "flux.xml", **numbers: list[str]) -> Path:
    """An offer: formation F1 (A1, A2 in Lille and Roubaix), F2 (A3), one sales training."""
    formations = [
        formation("F1", [action("A1"), action("A2", lieux=[lieu("59512", "59100", "Roubaix")])]),
        formation(
            "F2",
            [action("A3", sessions=[session("20251006", "20260410")])],
            rome=["M1844"],
            formacodes=[],
        ),
        formation("F9", [action("V1")], rome=["D1402"], formacodes=[], nsf=["312"]),
    ]
    return write_offre(tmp_path / name, formations)


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def import_argv(path: Path, *options: str) -> list[str]:
    return ["catalogue", "import", str(path), "--id-prefix", "lheo-hdf", *options]


# --------------------------------------------------------------------------- CLI


def test_import_writes_the_file_loads_the_catalogue_and_sums_up(env, capsys) -> None:
    """A `.xml` file is read as LHEO: digital actions written and loaded with the GEN rows,
    the summary says what was read, kept, dropped and why, and the sessions."""
    assert run_cli(import_argv(feed(env["tmp"]))) == 0
    out = capsys.readouterr().out
    assert "Fichier lu : flux.xml (LHEO 2.2) : 4 action(s) dans 3 formation(s)." in out
    assert "Gardées (numérique) : 3 ; écartées : 1 ; rejetées (erreurs) : 0." in out
    assert f"  {ECARTEE_HORS_NUMERIQUE} : 1" in out
    assert "import_lheo-hdf.jsonl : 3 ligne(s) valide(s) (3 nouvelle(s), 0 mise(s) à jour" in out
    assert "3 session(s)." in out
    written = rows_of(env["catalogue"] / "import_lheo-hdf.jsonl")
    assert [row["id"] for row in written] == ["lheo-hdf-a1", "lheo-hdf-a2", "lheo-hdf-a3"]
    assert sorted(p.name for p in env["catalogue"].iterdir()) == [
        "gen.jsonl",
        "import_lheo-hdf.jsonl",
    ]
    assert loaded_ids(env["db"]) == ["gen-hdf-2016-001", *[row["id"] for row in written]]


def test_dry_run_writes_nothing(env, capsys) -> None:
    """`--dry-run` prints the summary and the rows, writes no file and no database."""
    assert run_cli(import_argv(feed(env["tmp"]), "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "Lignes qui seraient importées :" in out and "lheo-hdf-a3" in out
    assert "Vérification seule (--dry-run) : rien n'a été écrit (3 ligne(s)" in out
    assert sorted(p.name for p in env["catalogue"].iterdir()) == ["gen.jsonl"]
    assert not env["db"].exists()


def test_the_real_example_is_dropped_and_nothing_is_written(env, capsys) -> None:
    """The real BTS file, with the default prefix: read, dropped (not digital), refused."""
    assert run_cli(["catalogue", "import", str(EXEMPLE)]) == 1
    captured = capsys.readouterr()
    assert "Gardées (numérique) : 0 ; écartées : 1" in captured.out
    assert "Aucune action numérique valide à importer" in captured.err
    assert not (env["catalogue"] / "import_lheo-exemple-offre-onisep.jsonl").exists()


def test_rejected_actions_block_the_import_unless_asked(env, capsys) -> None:
    """One bad action: errors listed as `fichier:action n°N: raison`, nothing written; with
    --ignorer-erreurs the valid actions are written and loaded."""
    path = write_offre(
        env["tmp"] / "flux.xml",
        [formation("F1", [action("A1"), action("A2", lieux=[lieu(insee="99999")])])],
    )
    assert run_cli(import_argv(path)) == 1
    err = capsys.readouterr().err
    assert "Actions rejetées (1) :\n  flux.xml:action n°2: code INSEE inconnu '99999'" in err
    assert "Rien n'a été écrit" in err
    assert sorted(p.name for p in env["catalogue"].iterdir()) == ["gen.jsonl"]

    assert run_cli(import_argv(path, "--dry-run")) == 1
    assert run_cli(import_argv(path, "--ignorer-erreurs")) == 0
    assert loaded_ids(env["db"]) == ["gen-hdf-2016-001", "lheo-hdf-a1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--mapping", "m.yml"], "--mapping ne s'utilise pas avec --format lheo"),
        (["--id-prefix", "LHEO_HDF"], "--id-prefix invalide 'LHEO_HDF'"),
    ],
)
def test_bad_options_stop_before_reading(env, capsys, argv, message) -> None:
    """A mapping file or an invalid prefix with an LHEO file is refused."""
    assert run_cli(["catalogue", "import", str(feed(env["tmp"])), *argv]) == 1
    assert message in capsys.readouterr().err


def test_format_option_and_csv_without_mapping(env, capsys) -> None:
    """`--format lheo` reads any extension as LHEO; a CSV still needs its mapping file;
    broken XML is a whole-file error."""
    path = feed(env["tmp"], "flux.txt")
    assert run_cli(["catalogue", "import", str(path), "--format", "lheo", "--dry-run"]) == 0
    assert "(LHEO 2.2)" in capsys.readouterr().out
    assert run_cli(["catalogue", "import", str(env["tmp"] / "liste.csv")]) == 1
    assert "--mapping est obligatoire" in capsys.readouterr().err
    broken = env["tmp"] / "casse.xml"
    broken.write_text("<lheo><offres>", encoding="utf-8")
    assert run_cli(["catalogue", "import", str(broken)]) == 1
    assert "casse.xml: XML invalide (ligne 1" in capsys.readouterr().err


def test_reimport_updates_in_place_and_retires_what_left_the_feed(env, capsys) -> None:
    """Same feed again with A1 changed, A2 unchanged, A3 gone and A4 new: same ids, no
    duplicates, A3 retired (file and database) and reported."""
    assert run_cli(import_argv(feed(env["tmp"]))) == 0
    capsys.readouterr()
    second = write_offre(
        env["tmp"] / "flux.xml",
        [
            formation(
                "F1",
                [
                    action("A1", sessions=[session("20260105", "20260630"), session()]),
                    action("A2", lieux=[lieu("59512", "59100", "Roubaix")]),
                ],
            ),
            formation("F3", [action("A4", modalites_enseignement="2", lieux=[])], rome=["M1419"]),
        ],
    )
    assert run_cli(import_argv(second)) == 0
    out = capsys.readouterr().out
    assert "3 ligne(s) valide(s) (1 nouvelle(s), 1 mise(s) à jour, 1 inchangée(s))" in out
    assert "Retirées (absentes du flux ou rejetées) : 1 : lheo-hdf-a3" in out
    written = rows_of(env["catalogue"] / "import_lheo-hdf.jsonl")
    assert [row["id"] for row in written] == ["lheo-hdf-a1", "lheo-hdf-a2", "lheo-hdf-a4"]
    assert written[0]["sessions"] == [
        {"debut": "2025-09-01", "fin": "2026-03-31"},
        {"debut": "2026-01-05", "fin": "2026-06-30"},
    ]
    ids = loaded_ids(env["db"])
    assert ids == ["gen-hdf-2016-001", "lheo-hdf-a1", "lheo-hdf-a2", "lheo-hdf-a4"]


# --------------------------------------------------------------------------- database


def test_load_and_reload_on_each_database(db_engine: Engine, tmp_path: Path) -> None:
    """SQLite and PostgreSQL: the imported rows read back with their sessions and RNCP
    numbers; a second import replaces them (same ids) and drops the retired one."""
    ref = Referentiel.charger()
    catalogue_dir = tmp_path / "catalogue"
    catalogue_dir.mkdir()
    write_jsonl(catalogue_dir / "gen.jsonl", [valid_row()])
    first = prepare_lheo(feed(tmp_path), "lheo-hdf", catalogue_dir, ref)
    expected = first.records()[2].to_dict()
    write_and_load_lheo(first, catalogue_dir, db_engine)
    assert not first.rows_file.exists()

    catalogue = Catalogue(db_engine)
    a3 = catalogue.get("lheo-hdf-a3")
    assert a3 is not None and a3.sessions == (PeriodeSession("2025-10-06", "2026-04-10"),)
    assert a3.rncp == ("RNCP37674",) and a3.domaines == ("cybersecurite",)
    assert a3.to_dict() == expected

    second_feed = write_offre(
        tmp_path / "flux.xml",
        [formation("F1", [action("A1", sessions=[session("20270104", "20270528")])])],
    )
    second = prepare_lheo(second_feed, "lheo-hdf", catalogue_dir, ref)
    assert (second.mises_a_jour, second.retirees) == (1, ["lheo-hdf-a2", "lheo-hdf-a3"])
    write_and_load_lheo(second, catalogue_dir, db_engine)
    assert [record.id for record in catalogue.all()] == ["gen-hdf-2016-001", "lheo-hdf-a1"]
    a1 = catalogue.get("lheo-hdf-a1")
    assert a1 is not None and a1.sessions == (PeriodeSession("2027-01-04", "2027-05-28"),)
