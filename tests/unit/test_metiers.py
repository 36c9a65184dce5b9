"""Job sheets: detection in questions, ROME data, coverage of domains and catalogue."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.catalogue.validation import validate_files
from bot.config import REPO_ROOT
from bot.contract import DOMAINES
from bot.metiers import Fiches, FichesError, annees, default_fiches, formations_vers
from tests.support.factories import DISTANCE_ONLY, make_formation

KNOWLEDGE = REPO_ROOT / "knowledge"


@pytest.fixture(scope="module")
def fiches() -> Fiches:
    return default_fiches()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c'est quoi un technicien réseaux ?", ["technicien_reseaux"]),
        ("ça fait quoi un community manager ?", ["community_manager"]),
        ("différence entre développeur et testeur ?", ["developpeur_web_mobile", "testeur"]),
        ("testeur ou dev c quoi la diff", ["testeur", "developpeur_web_mobile"]),
        ("cest koi un admin sys", ["admin_systemes_reseaux"]),
        ("jsp ce que fait un pentesteur", ["cybersecurite"]),
        ("et un integrateur web ?", ["developpeur_web_mobile"]),
        ("technicien info ca fait quoi", ["technicien_support_helpdesk"]),
        # "réseaux sociaux" is the community manager, not the network technician.
        ("gestionnaire des reseaux sociaux c quoi", ["community_manager"]),
        ("c quoi un ux designer", ["ux_ui_designer"]),
        ("qu'est-ce qu'une médiatrice numérique", ["mediateur_numerique"]),
        # An official ROME title that is not a keyword.
        ("c'est quoi un homologateur fonctionnel de logiciel", ["testeur"]),
        ("animateur d'atelier multimédia ça consiste en quoi", ["mediateur_numerique"]),
        # No job named, but an interest described: the domain's main sheet.
        ("j'aime dessiner, c'est quoi comme métier ?", ["ux_ui_designer"]),
        ("c'est quoi ce métier ?", []),
    ],
)
def test_detects_the_jobs_named_in_order(fiches: Fiches, text: str, expected: list[str]) -> None:
    """Job sheets are detected from names, feminine forms and ROME titles, in order."""
    assert [f.id for f in fiches.detecter(text)] == expected


def test_every_domain_has_one_main_sheet(fiches: Fiches) -> None:
    """Every catalogue domain has exactly one main job sheet."""
    for domaine in DOMAINES:
        principales = [f for f in fiches.fiches if f.domaine == domaine and f.principale]
        assert len(principales) == 1, domaine


def test_every_rome_code_of_the_catalogue_has_a_sheet(fiches: Fiches) -> None:
    """Each job targeted by a catalogue row (its ROME codes) is covered by a sheet."""
    records, errors = validate_files(sorted((KNOWLEDGE / "catalogue").glob("*.jsonl")))
    assert not errors
    codes = {code for record in records for code in record.rome}
    assert codes
    assert {c for c in codes if fiches.pour_code_rome(c) is None} == set()


def test_sheets_carry_official_rome_codes_and_titles(fiches: Fiches) -> None:
    """Job sheets carry official ROME codes with their titles and job appellations."""
    testeur = fiches.get("testeur")
    assert testeur is not None
    assert "M1815" in testeur.codes
    labels = {c.code: c.libelle for c in testeur.rome}
    assert labels["M1815"] == "Spécialiste test et validation logiciel ou application"
    assert len(testeur.appellations) > len(testeur.rome)
    assert all(re.fullmatch(r"[A-N]\d{4}", c.code) for f in fiches.fiches for c in f.rome)


def test_every_sheet_has_its_texts_and_a_button(fiches: Fiches, domain) -> None:
    """Every job sheet has its long and short responses and a button in the unknown-job list."""
    responses = domain["responses"]
    buttons = [b["payload"] for b in responses["utter_metier_inconnu"][0]["buttons"]]
    for fiche in fiches.fiches:
        assert f"utter_fiche_{fiche.id}" in responses
        assert f"utter_fiche_{fiche.id}_bref" in responses
        assert f'/question_metier{{"metier": "{fiche.id}"}}' in buttons
    assert len(buttons) == len(fiches.fiches)


def _copy_knowledge(tmp_path: Path) -> Path:
    for part in ("metiers", "rome"):
        shutil.copytree(KNOWLEDGE / part, tmp_path / part)
    return tmp_path


def test_unknown_domain_in_the_sheet_file_is_refused(tmp_path: Path) -> None:
    """A job sheet with an unknown domain is refused with its id and the domain."""
    knowledge = _copy_knowledge(tmp_path)
    path = knowledge / "metiers" / "fiches.yml"
    path.write_text(path.read_text("utf-8").replace("domaine: data", "domaine: cuisine"), "utf-8")
    with pytest.raises(FichesError, match="data_analyst : domaine inconnu 'cuisine'"):
        Fiches.load(knowledge)


def test_sheet_without_rome_code_is_refused(tmp_path: Path) -> None:
    """A job sheet that resolves to no ROME code is refused."""
    knowledge = _copy_knowledge(tmp_path)
    path = knowledge / "metiers" / "fiches.yml"
    text = path.read_text("utf-8").replace("id: testeur", "id: testeur_inconnu")
    path.write_text(text, "utf-8")
    with pytest.raises(FichesError, match="testeur_inconnu : aucun code ROME"):
        Fiches.load(knowledge)


def test_trainings_leading_to_a_job_nearest_first(fiches: Fiches) -> None:
    """Courses leading to a job are listed nearest first, distance-only ones last."""
    dev = fiches.get("developpeur_web_mobile")
    assert dev is not None
    lille = make_formation(id="a", formation_id="a", rome=["M1855"])
    paris = make_formation(
        id="b", formation_id="b", rome=["M1805"], commune="Paris", lat=48.86, lon=2.35
    )
    distance = make_formation(id="c", formation_id="c", rome=["M1861"], **DISTANCE_ONLY)
    other = make_formation(id="d", formation_id="d", rome=["E1101"])
    rows = [paris, other, distance, lille]
    # From Roubaix: Lille, then Paris, then the distance-learning one (no place).
    assert [f.id for f in formations_vers(dev, rows, 50.69, 3.18)] == ["a", "b", "c"]


def test_trainings_leading_to_a_job_most_recent_first_without_a_place(fiches: Fiches) -> None:
    """Without a place, courses leading to a job are listed most recent data first."""
    dev = fiches.get("developpeur_web_mobile")
    assert dev is not None
    old = make_formation(id="a", formation_id="a", date_donnees="2016")
    recent = make_formation(id="b", formation_id="b", date_donnees="2016-2021")
    assert [f.id for f in formations_vers(dev, [old, recent])] == ["b", "a"]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [(["2016", "2016"], "2016"), (["2016", "2016-2021", "2019"], "2016-2021"), ([], "")],
)
def test_years_span(dates: list[str], expected: str) -> None:
    """A list of data dates is summarised as the widest year span."""
    assert annees(dates) == expected
