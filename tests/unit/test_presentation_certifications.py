"""What the cards say beyond the historical lists, on the repository's catalogue and RNCP
knowledge: the certification (title, level in words, status, the current one when it was
replaced), the latest cohort's outcomes with year and source, the next session against an
injected date, and links only in the documented formats."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from bot import liens
from bot.catalogue.validation import validate_row
from bot.config import REPO_ROOT
from bot.metiers import default_fiches
from bot.presentation import Texts, carte, payload_formation, suite
from bot.presentation_certifications import actuel, certifications_metier, historique
from bot.recommend import Profil, Recommandation, evaluer

TODAY = dt.date(2026, 12, 7)
LILLE = Profil(
    situation="demandeur_emploi",
    diplome="bac",
    age=22.0,
    commune="Lille",
    lat=50.6292,
    lon=3.0573,
    interets=("developpement",),
    distanciel=True,
    aujourdhui=TODAY,
)


@pytest.fixture(scope="module")
def t(domain: dict[str, Any]) -> Texts:
    return Texts.from_domain(domain)


def _row(formation_id: str, **changes: Any) -> Any:
    for path in sorted((REPO_ROOT / "knowledge" / "catalogue").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["id"] == formation_id:
                return validate_row({**row, **changes})
    raise AssertionError(formation_id)


def test_a_replaced_title_names_the_current_one_with_its_outcomes(t: Texts) -> None:
    """O'clock's row prepares RNCP31114 (ended in September 2023): the card says it was
    replaced by RNCP37674, gives that title's 2021 cohort outcomes with the source, and
    links its official fiche and current apprenticeship trainings near Lille."""
    f = _row("gen-reg-067")
    a = actuel(t, f, LILLE, TODAY)
    assert "Développeur web et web mobile (RNCP31114)" in a.certification
    assert "niveau 5 (équivalent bac +2)" in a.certification
    assert "remplacée depuis par « Développeur web et web mobile » (RNCP37674)" in a.certification
    assert a.niveau.startswith("🧭 Ton diplôme correspond déjà") is False
    assert "un niveau au-dessus de ton diplôme" in a.niveau  # bac against level 5
    assert "6 mois après, 60 % en emploi" in a.insertion
    assert "promotion 2021" in a.insertion and "France Compétences" in a.insertion
    urls = [lien["url"] for lien in a.liens]
    assert urls[0] == liens.fiche_rncp("RNCP37674")
    assert urls[1] == liens.formations_en_alternance(list(f.rome), LILLE.lat, LILLE.lon, 30)
    card = carte(t, evaluer(LILLE, f), 1, LILLE)
    text = t.get("utter_formation_carte", **card)
    assert "🎓 Certification" in text and "📈" in text and "🔗" in text
    assert "{" not in text and "None" not in text


def test_a_row_without_certification_nor_dates_keeps_the_historical_card(t: Texts) -> None:
    """No certification, no session: nothing is added but the search of current
    trainings for the same jobs; without a place, not even that."""
    f = _row("gen-reg-014")
    a = actuel(t, f, LILLE, TODAY)
    assert (a.certification, a.insertion, a.sessions) == ("", "", "")
    assert [lien["titre"] for lien in a.liens] == [t.get("libelle_lien_alternance")]
    sans_lieu = Profil(interets=("developpement",), aujourdhui=TODAY)
    assert actuel(t, f, sans_lieu, TODAY).liens == []


def test_sessions_to_come_come_first_and_past_ones_are_said_past(t: Texts) -> None:
    """A session in March 2027 is said and lifts the training above the same training
    without dates; a row whose only dates are past says so plainly."""
    plain = _row("gen-reg-014")
    future = _row("gen-reg-014", id="x-future", sessions=[{"debut": "2027-03-01", "fin": None}])
    past = _row("gen-reg-014", id="x-past", sessions=[{"debut": "2025-09-01", "fin": "2026-03-31"}])
    assert actuel(t, future, LILLE, TODAY).sessions == "📅 Prochaine session : mars 2027"
    assert "septembre 2025, déjà passée" in actuel(t, past, LILLE, TODAY).sessions
    scores = {f.id: evaluer(LILLE, f).score for f in (plain, future, past)}
    assert scores["x-future"] > scores[plain.id] == scores["x-past"]
    later = Profil(**{**LILLE.__dict__, "aujourdhui": dt.date(2027, 3, 2)})
    assert evaluer(later, future).score == scores[plain.id]
    item = payload_formation(t, evaluer(LILLE, future), 1, LILLE)
    assert item["textes"]["sessions"] == "📅 Prochaine session : mars 2027"
    assert all(set(lien) == {"titre", "url"} for lien in item["liens"])


def test_the_historical_warning_stays_only_where_it_is_true(t: Texts) -> None:
    """A page of current trainings (a session to come, data of this year) has no warning
    about the label's old lists; one historical training on the page brings it back."""
    gen = _row("gen-reg-014")
    current = _row(
        "gen-reg-014",
        id="lheo-1",
        date_donnees="2026",
        sessions=[{"debut": "2027-01-04", "fin": "2027-06-30"}],
    )
    assert historique(gen, TODAY) and not historique(current, TODAY)
    reco = Recommandation([evaluer(LILLE, current)], [], None)
    responses = [m["response"] for m in suite(t, LILLE, reco, 0, reco.resultats)]
    assert "utter_avertissement_donnees" not in responses
    both = [evaluer(LILLE, current), evaluer(LILLE, gen)]
    responses = [m["response"] for m in suite(t, LILLE, Recommandation(both, [], None), 0, both)]
    assert "utter_avertissement_donnees" in responses


def test_job_sheets_list_the_certifications_in_force(t: Texts) -> None:
    """The web developer sheet lists the titles in force from the August 2026 fiches,
    level in words; a sheet whose certifications have all ended lists none (it would send
    people towards titles that no longer exist)."""
    fiches = default_fiches()
    dev = certifications_metier(t, fiches.get("developpeur_web_mobile").codes, TODAY)
    assert dev is not None
    assert dev.startswith("Développeur web et web mobile (RNCP37674, niveau 5 (équivalent bac +2))")
    assert "RNCP36490" in dev and "RNCP37873" in dev
    assert certifications_metier(t, fiches.get("mediateur_numerique").codes, TODAY) is None
    assert (
        certifications_metier(t, fiches.get("developpeur_web_mobile").codes, dt.date(2029, 1, 1))
        is None
    )


def test_the_level_gap_is_said_kindly(t: Texts) -> None:
    """Level 5 against no diploma, the bac and a bac+2; unknown diploma: nothing said."""
    f = _row("gen-reg-067")
    lines = {
        diplome: actuel(t, f, Profil(**{**LILLE.__dict__, "diplome": diplome}), TODAY).niveau
        for diplome in ("aucun", "bac", "bac_plus_2", None)
    }
    assert "plusieurs niveaux au-dessus" in lines["aucun"] and "motivation" in lines["aucun"]
    assert "un niveau au-dessus" in lines["bac"]
    assert "correspond déjà à ce niveau 5" in lines["bac_plus_2"]
    assert lines[None] == ""
