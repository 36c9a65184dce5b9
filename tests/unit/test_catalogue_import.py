"""Catalogue import (CSV/JSON + YAML mapping) and export, through `capnum catalogue`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.export import CSV_COLUMNS
from bot.catalogue.import_conversion import resolve_place
from bot.catalogue.import_sources import (
    MappingError,
    SourceFileError,
    load_mapping,
    parse_mapping,
)
from bot.catalogue.importer import prepare_import, write_and_load
from bot.catalogue.repository import CatalogueLoadError
from bot.catalogue.validation import validate_files
from bot.config import REPO_ROOT
from bot.db import engine_for
from bot.geo import Geo
from tests.support.catalogue_import import (
    HEADER,
    MAPPING,
    import_argv,
    line,
    loaded_ids,
    run_cli,
    write_mapping,
)
from tests.support.factories import valid_row


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ";", bom: bool = True) -> Path:
    """Write HEADER and `rows` as CSV (with a UTF-8 BOM by default)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A temporary knowledge folder and SQLite database used by the CLI."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "catalogue").mkdir(parents=True)
    db = tmp_path / "var" / "capnum.db"
    monkeypatch.setenv("CAPNUM_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("CAPNUM_DATABASE_URL", f"sqlite:///{db}")
    return {"catalogue": knowledge / "catalogue", "db": db, "tmp": tmp_path}


# --------------------------------------------------------------------------- import


def test_csv_with_semicolons_and_bom_imports_and_loads(env, capsys) -> None:
    """A `;` CSV with a BOM is converted, written to the catalogue folder and loaded."""
    source = write_csv(
        env["tmp"] / "liste.csv",
        [
            line(),
            line(**{"Ville": "Roubaix", "CP": "", "Âge min": "", "Public": "Tout public"}),
            line(**{"Ville": "", "CP": "", "Distanciel": "oui", "Métiers": "Data analyst"}),
        ],
    )
    mapping = write_mapping(env["tmp"] / "m.yml")

    assert run_cli(import_argv(source, mapping)) == 0

    out = capsys.readouterr().out
    assert "3 valide(s), 0 rejeté(s)" in out and "Catalogue chargé" in out
    written = env["catalogue"] / "import_mlille.jsonl"
    records, errors = validate_files([written])
    assert errors == []
    assert [r.id for r in records] == ["mlille-001", "mlille-002", "mlille-003"]
    assert loaded_ids(env["db"]) == ["mlille-001", "mlille-002", "mlille-003"]
    lille, roubaix, distance = records
    assert (lille.commune, lille.code_insee, lille.departement) == ("Lille", "59350", "59")
    assert lille.metiers == ("Développeur web", "Intégrateur web")
    assert lille.domaines == ("developpement",) and "M1805" in lille.rome
    assert (lille.duree_mois, lille.cout, lille.diplome_min) == (7.0, "gratuit", "aucun")
    assert (lille.age_min, lille.public_cible) == (18, ("demandeur_emploi",))
    assert lille.brut == dict(zip(HEADER, line(), strict=True))
    assert (lille.source_nom, lille.source_reference, lille.date_donnees) == (
        "Mission locale de test",
        "liste interne de test",
        "2024",
    )
    assert (roubaix.commune, roubaix.code_postal) == ("Roubaix", "59100")
    assert roubaix.formation_id == "mlille-001"  # same organisme and title as the Lille row
    assert distance.commune is None and distance.a_distance is True
    assert distance.domaines == ("developpement", "data")


def test_json_list_imports(env, capsys) -> None:
    """A JSON list of objects (numbers, lists, booleans) imports like a CSV."""
    source = env["tmp"] / "liste.json"
    items = [
        {
            "Intitulé": "Technicien support",
            "Métiers": ["Technicien helpdesk"],
            "CP": 59100,
            "Âge min": 16,
            "Âge max": 25,
            "Distanciel": False,
            "Coût": "Rémunéré",
        },
        {"Intitulé": "Médiateur numérique", "Distanciel": True, "Durée": "12 semaines"},
    ]
    source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    champs = {"intitule", "metiers", "code_postal", "age_min", "age_max", "a_distance"}
    champs |= {"cout", "duree"}
    mapping = write_mapping(
        env["tmp"] / "m.yml",
        champs={key: column for key, column in MAPPING["champs"].items() if key in champs},
    )

    assert run_cli(import_argv(source, mapping)) == 0

    records, errors = validate_files([env["catalogue"] / "import_mlille.jsonl"])
    assert errors == []
    support, mediation = records
    assert (support.commune, support.age_min, support.age_max) == ("Roubaix", 16, 25)
    assert (support.domaines, support.cout) == (("support_informatique",), "remunere")
    assert mediation.a_distance is True and mediation.duree_mois == 2.8
    assert mediation.brut == items[1]
    assert loaded_ids(env["db"]) == ["mlille-001", "mlille-002"]


def test_bad_rows_are_reported_with_line_and_reason_and_nothing_is_written(env, capsys) -> None:
    """Every bad row is listed as file:physical line: reason, and nothing is written."""
    source = write_csv(
        env["tmp"] / "liste.csv",
        [
            line(**{"Réf": "A1", "Public": "Demandeurs d'emploi\n(sur deux lignes)"}),  # 2-3
            line(**{"Réf": "A2", "CP": "99999"}),  # 4
            line(**{"Réf": "A3", "Intitulé": ""}),  # 5
            line(**{"Réf": "A4", "Âge min": "5"}),  # 6
            line(**{"Réf": "A1"}),  # 7
            line(**{"Réf": "A6", "Domaines": "robotique"}),  # 8
        ],
    )
    mapping = write_mapping(env["tmp"] / "m.yml", id="Réf", domaines="Domaines")

    assert run_cli(import_argv(source, mapping)) == 1

    err = capsys.readouterr().err
    assert "Lignes rejetées (5) :" in err
    assert "liste.csv:4: code postal inconnu '99999'" in err
    assert "liste.csv:5: intitulé manquant (colonne « Intitulé »)" in err
    assert "liste.csv:6: âge hors limites : age_min = 5 (attendu entre 14 et 99)" in err
    assert "liste.csv:7: identifiant 'mlille-a1' en double (déjà utilisé : ligne 2)" in err
    assert "liste.csv:8: domaine inconnu 'robotique' dans 'domaines'" in err
    assert ":2:" not in err and ":3:" not in err
    assert "--ignorer-erreurs" in err
    assert list(env["catalogue"].iterdir()) == []
    assert not env["db"].exists()


def test_id_already_in_the_catalogue_is_rejected(env, capsys) -> None:
    """An id colliding with another catalogue file is reported with that file's line."""
    other = env["catalogue"] / "autre.jsonl"
    other.write_text(json.dumps(valid_row(id="mlille-002")) + "\n", encoding="utf-8")
    source = write_csv(env["tmp"] / "liste.csv", [line(), line()])
    mapping = write_mapping(env["tmp"] / "m.yml")

    assert run_cli(import_argv(source, mapping)) == 1

    err = capsys.readouterr().err
    assert "liste.csv:3: identifiant 'mlille-002' déjà présent dans le catalogue " in err
    assert "(autre.jsonl:1)" in err
    assert sorted(p.name for p in env["catalogue"].iterdir()) == ["autre.jsonl"]


def test_json_bad_elements_are_reported_as_elements(env, capsys) -> None:
    """JSON rejections name the element (index + 1), not a line."""
    source = env["tmp"] / "liste.json"
    items: list[Any] = [{"Intitulé": "Développeur web", "CP": "59000"}, "texte", {"CP": "59000"}]
    source.write_text(json.dumps(items), encoding="utf-8")
    mapping = write_mapping(
        env["tmp"] / "m.yml", champs={"intitule": "Intitulé", "code_postal": "CP"}
    )

    assert run_cli(import_argv(source, mapping)) == 1

    err = capsys.readouterr().err
    assert "liste.json: élément 2: objet JSON attendu" in err
    assert "liste.json: élément 3: intitulé manquant (colonne « Intitulé »)" in err
    assert list(env["catalogue"].iterdir()) == []


def test_ignorer_erreurs_writes_only_valid_rows(env, capsys) -> None:
    """With --ignorer-erreurs the valid rows are written and loaded, the others reported."""
    source = write_csv(
        env["tmp"] / "liste.csv", [line(), line(CP="99999"), line(Ville="Roubaix", CP="")]
    )
    mapping = write_mapping(env["tmp"] / "m.yml")

    assert run_cli(import_argv(source, mapping, "--ignorer-erreurs")) == 0

    captured = capsys.readouterr()
    assert "liste.csv:3: code postal inconnu '99999'" in captured.err
    assert "2 valide(s), 1 rejeté(s)" in captured.out
    records, errors = validate_files([env["catalogue"] / "import_mlille.jsonl"])
    assert errors == [] and [r.id for r in records] == ["mlille-001", "mlille-003"]
    assert loaded_ids(env["db"]) == ["mlille-001", "mlille-003"]


def test_dry_run_writes_nothing(env, capsys) -> None:
    """--dry-run shows the rows that would be imported and writes no file nor database."""
    source = write_csv(env["tmp"] / "liste.csv", [line(), line(Ville="Roubaix", CP="")])
    mapping = write_mapping(env["tmp"] / "m.yml")

    assert run_cli(import_argv(source, mapping, "--dry-run")) == 0

    out = capsys.readouterr().out
    assert "mlille-001" in out and "mlille-002" in out and "Roubaix" in out
    assert "rien n'a été écrit" in out
    assert list(env["catalogue"].iterdir()) == []
    assert not env["db"].exists()


def test_dry_run_with_bad_rows_exits_1(env, capsys) -> None:
    """--dry-run reports the rejected rows and exits 1 when the import would be refused."""
    source = write_csv(env["tmp"] / "liste.csv", [line(), line(CP="99999")], delimiter=",")
    mapping = write_mapping(env["tmp"] / "m.yml")

    assert run_cli(import_argv(source, mapping, "--dry-run")) == 1

    assert "liste.csv:3: code postal inconnu '99999'" in capsys.readouterr().err
    assert list(env["catalogue"].iterdir()) == []


def test_failed_load_restores_the_previous_import(env, tmp_path: Path) -> None:
    """When loading fails, the previous import file is put back (or the new one removed)."""
    catalogue = env["catalogue"]
    mapping = load_mapping(write_mapping(tmp_path / "m.yml"))
    source = write_csv(tmp_path / "liste.csv", [line()])
    result = prepare_import(source, mapping, catalogue)
    broken = catalogue / "autre.jsonl"
    broken.write_text(json.dumps(valid_row(departement="20")) + "\n", encoding="utf-8")
    engine = engine_for("sqlite://")
    try:
        with pytest.raises(CatalogueLoadError):
            write_and_load(result, catalogue, engine)
        assert sorted(p.name for p in catalogue.iterdir()) == ["autre.jsonl"]

        previous = catalogue / "import_mlille.jsonl"
        previous.write_text("ancien contenu\n", encoding="utf-8")
        with pytest.raises(CatalogueLoadError):
            write_and_load(result, catalogue, engine)
        assert previous.read_text(encoding="utf-8") == "ancien contenu\n"
        assert sorted(p.name for p in catalogue.iterdir()) == ["autre.jsonl", previous.name]
    finally:
        engine.dispose()


def test_missing_column_and_bad_encoding_are_file_errors(tmp_path: Path) -> None:
    """A mapped column absent from the header, or a non-UTF-8 file, rejects the whole file."""
    mapping = parse_mapping({**MAPPING, "champs": {"intitule": "Titre"}})
    source = write_csv(tmp_path / "liste.csv", [line()])
    with pytest.raises(SourceFileError, match="« Titre » \\(champs.intitule\\)"):
        prepare_import(source, mapping, tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Titre;Ville\nDéveloppeur;Lille\n".encode("cp1252"))
    with pytest.raises(SourceFileError, match="UTF-8"):
        prepare_import(latin, mapping, tmp_path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Titre;Ville\nD\xc3\xa9v;Lille\nD\x00v;Lille\n", "ligne 3 illisible : caractère nul"),
        (('Titre;Ville\n"' + "x" * 200_000 + '";Lille\n').encode(), "ligne 2 illisible : format"),
    ],
)
def test_csv_the_csv_module_refuses_is_a_file_error(
    env, capsys, content: bytes, reason: str
) -> None:
    """Regression (found by tests/unit/test_fuzz_catalogue.py): a NUL character or a huge field
    made the csv module raise, and the command crashed with a stack trace."""
    source = env["tmp"] / "liste.csv"
    source.write_bytes(content)
    mapping = write_mapping(env["tmp"] / "m.yml", intitule="Titre", commune="Ville")
    assert run_cli(import_argv(source, mapping)) == 1
    err = capsys.readouterr().err
    assert f"liste.csv: {reason}" in err and "Traceback" not in err
    assert list(env["catalogue"].iterdir()) == []


def test_mapping_problems_are_all_listed() -> None:
    """An incomplete mapping lists every problem in French."""
    with pytest.raises(MappingError) as caught:
        parse_mapping({"source": {"nom": "X", "date_donnees": "hier"}, "champs": {"titre": "A"}})
    problems = caught.value.problems
    assert "'source.reference' manquant ou vide" in problems
    assert any(p.startswith("'source.date_donnees' invalide 'hier'") for p in problems)
    assert "'id_prefix' manquant (ex. « mlille »)" in problems
    assert any(p.startswith("champ inconnu 'champs.titre'") for p in problems)
    assert "'champs.intitule' manquant (obligatoire)" in problems


@pytest.mark.parametrize(
    ("cp", "commune", "distance", "expected"),
    [
        ("59000", "", False, "Lille"),
        ("1000", "", False, "code postal 01000 ambigu"),
        ("01000", "Saint-Denis-lès-Bourg", False, "Saint-Denis-lès-Bourg"),
        ("59000", "Roubaix", False, "la commune « Roubaix » ne porte pas le code postal 59000"),
        ("59O00", "", False, "code postal invalide « 59O00 »"),
        ("", "Saint-Denis", False, "commune « Saint-Denis » ambiguë"),
        ("", "Saint-Denis (93)", False, "Saint-Denis"),
        ("", "Nulle-Part-Sur-Mer", False, "commune inconnue « Nulle-Part-Sur-Mer »"),
        ("", "", False, "ni code postal ni commune"),
    ],
)
def test_place_resolution(geo: Geo, cp: str, commune: str, distance: bool, expected: str) -> None:
    """Postcode first, then commune name; unknown or ambiguous places give a reason."""
    place, reason = resolve_place(geo, cp, commune, distance)
    if place is not None:
        assert place["commune"] == expected and reason is None
    else:
        assert reason is not None and reason.startswith(expected)


def test_example_files_in_docs_import_cleanly(tmp_path: Path) -> None:
    """docs/exemples/import_exemple.{csv,yml} convert without any rejected row."""
    mapping = load_mapping(REPO_ROOT / "docs" / "exemples" / "import_exemple.yml")
    result = prepare_import(
        REPO_ROOT / "docs" / "exemples" / "import_exemple.csv", mapping, tmp_path
    )
    assert [str(issue) for issue in result.issues] == []
    assert len(result.records) == result.total == 4


# --------------------------------------------------------------------------- export


@pytest.fixture
def loaded(env) -> dict[str, Path]:
    """The temporary catalogue loaded with three imported rows."""
    source = write_csv(
        env["tmp"] / "liste.csv",
        [line(), line(Ville="Roubaix", CP=""), line(Ville="", CP="", Distanciel="oui")],
    )
    assert run_cli(import_argv(source, write_mapping(env["tmp"] / "m.yml"))) == 0
    return env


def test_export_jsonl_round_trips_through_validation(loaded, capsys) -> None:
    """`export --format jsonl` gives schema rows that validate_files accepts unchanged."""
    capsys.readouterr()
    out_file = loaded["tmp"] / "export" / "catalogue.jsonl"
    out_file.parent.mkdir()
    assert run_cli(["catalogue", "export", "--sortie", str(out_file)]) == 0
    assert "3 ligne(s) exportée(s)" in capsys.readouterr().out

    records, errors = validate_files([out_file])
    assert errors == []
    original, _ = validate_files([loaded["catalogue"] / "import_mlille.jsonl"])
    assert records == original

    assert run_cli(["catalogue", "export"]) == 0
    assert capsys.readouterr().out == out_file.read_text(encoding="utf-8")


def test_export_csv_has_header_and_one_line_per_row(loaded, capsys) -> None:
    """`export --format csv` writes a header then one flat line per row, lists joined by |."""
    capsys.readouterr()
    assert run_cli(["catalogue", "export", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + 3 and len(text.splitlines()) == 1 + 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["id"] == "mlille-001" and first["metiers"] == "Développeur web|Intégrateur web"
    assert first["a_distance"] == "non" and first["source_nom"] == "Mission locale de test"

    out_file = loaded["tmp"] / "catalogue.csv"
    assert run_cli(["catalogue", "export", "--format", "csv", "--sortie", str(out_file)]) == 0
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_without_loaded_catalogue_exits_1(env, capsys) -> None:
    """Exporting before any load says so and creates no database."""
    assert run_cli(["catalogue", "export"]) == 1
    assert "lancez d'abord" in capsys.readouterr().err
    assert not env["db"].exists()
