"""`python -m tools bench lheo`: the generated feed and a tiny run (no timing asserted)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalogue.import_lheo import prepare_lheo
from bot.catalogue.lheo_filtre import ECARTEE_HORS_NUMERIQUE, ECARTEE_NSF_SANS_DOMAINE
from tools import cli
from tools.bench.lheo import PG_URL_DEFAUT, generer, mesurer_cas


def test_the_generated_feed_is_valid_lheo_with_a_third_digital(tmp_path: Path) -> None:
    """2,000 generated actions: all read, about 30 % kept, every kept one valid, the drops
    by both reasons; the same seed writes the same file."""
    path = tmp_path / "flux.xml"
    counts = generer(path, 2000, 7)
    assert counts["actions"] == 2000 and 2000 / 3 <= counts["formations"] <= 2000
    result = prepare_lheo(path, "b", tmp_path, None)
    try:
        assert (result.lues, result.formations, result.version) == (
            2000,
            counts["formations"],
            "2.3",
        )
        assert 0.25 <= result.gardees / 2000 <= 0.40
        assert not result.issues and result.lignes == result.gardees
        assert set(result.ecartees) == {ECARTEE_HORS_NUMERIQUE, ECARTEE_NSF_SANS_DOMAINE}
        assert result.sessions >= result.lignes
        assert any(record.a_distance and record.commune is None for record in result.records())
    finally:
        result.discard()
    again = tmp_path / "encore.xml"
    generer(again, 2000, 7)
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("cas", ["analyse", "sqlite"])
def test_one_case_measures_time_and_memory(tmp_path: Path, cas: str) -> None:
    """A case reads (and loads) the feed, and reports its counts, times and peak memory."""
    path = tmp_path / "flux.xml"
    generer(path, 300, 1)
    mesure = mesurer_cas(cas, str(path), PG_URL_DEFAUT)
    assert mesure["lues"] == 300 and mesure["lignes"] == mesure["gardees"] > 0
    assert mesure["total_s"] >= mesure["analyse_s"] > 0
    assert mesure["pic_mo"] >= mesure["avant_mo"] > 0
    assert (mesure["version"] != "") == (cas == "sqlite")


@pytest.mark.postgres
def test_tiny_run_through_the_command_line(capsys) -> None:
    """`bench lheo --actions 200` prints the table of the three cases and the verdict."""
    assert cli.main(["bench", "lheo", "--actions", "200"]) == 0
    out = capsys.readouterr().out
    assert "Actions lues : 200 ;" in out
    assert len(re.findall(r"^\| (lecture|import complet)", out, re.MULTILINE)) == 3
    assert "Objectifs < 120 s et < 500 Mo (VmHWM) : atteints" in out
