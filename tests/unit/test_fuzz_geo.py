"""Property-based tests (Hypothesis) of place reading (bot.geo): any text is looked up
without an exception, and the postcodes of knowledge/geo lead to their communes and
départements. Budget: tests/support/fuzz.py (CAPNUM_FUZZ_PROFILE)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.geo import Geo
from bot.lieux import find_in_text, locate
from tests.support.fuzz import any_text, huge_text, message_text

GEO = Geo.default()
POSTCODES = sorted({cp for commune in GEO.communes for cp in commune.codes_postaux})
# La Poste postcodes whose communes all lie outside the département of the code's prefix
# (Orly airport's 94390 is in Essonne; Saint-Barthélemy and Saint-Martin use Guadeloupe's).
CROSS_DEPARTEMENT = {"94390", "97133", "97150", "98799"}


def departements_of_code(cp: str) -> set[str]:
    """Départements a postcode's prefix designates: "59100" -> 59, "20000" -> 2A/2B,
    "97400" -> 974."""
    if cp[:2] in ("97", "98"):
        return {cp[:3]}
    if cp[:2] == "20":
        return {"2A", "2B"}
    return {cp[:2]}


def test_every_postcode_of_the_data_is_in_its_departement() -> None:
    """Over all the postcodes of the data (not a sample): some commune of the postcode is
    in the postcode's département, except the known La Poste exceptions."""
    assert len(POSTCODES) > 6000
    outside = {
        cp
        for cp in POSTCODES
        if not any(c.departement in departements_of_code(cp) for c in GEO.by_postcode(cp))
    }
    assert outside == CROSS_DEPARTEMENT


@given(st.sampled_from(POSTCODES), st.sampled_from(["{}", "j'habite au {}", "cp {} !", "{}."]))
def test_postcodes_of_the_data_are_found(cp: str, template: str) -> None:
    """A postcode of the data, alone or in a sentence, gives its communes (biggest first),
    each carrying that postcode, with a département name."""
    communes = GEO.by_postcode(cp)
    assert communes
    assert all(cp in c.codes_postaux for c in communes)
    assert [c.population for c in communes] == sorted(
        (c.population for c in communes), reverse=True
    )
    found = find_in_text(GEO, template.format(cp))
    assert found == communes
    assert GEO.resolve(template.format(cp)) == communes
    assert all(GEO.departement_name(c.departement) for c in communes)


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_any_five_digits_are_a_known_postcode_or_nothing(cp: str) -> None:
    """Any five digits find communes exactly when they are a known postcode."""
    communes = GEO.by_postcode(cp)
    assert (cp in POSTCODES) == bool(communes)
    assert all(cp in c.codes_postaux for c in communes)


@given(st.one_of(message_text, huge_text), st.booleans())
def test_find_in_text_never_raises(text: str, reponse: bool) -> None:
    """Any message: None or a non-empty list of communes, whose place in the text (when
    known) is inside the text."""
    located = locate(GEO, text, reponse)
    if located is None:
        assert find_in_text(GEO, text, reponse) is None
        return
    communes, span = located
    assert communes
    if span is not None:
        start, end = span
        assert 0 <= start < end <= len(text)


@given(st.one_of(any_text, message_text))
def test_name_lookups_never_raise(text: str) -> None:
    """Name, postcode and department lookups never raise, whatever the text."""
    for communes in (GEO.by_name(text), GEO.resolve(text), GEO.by_postcode(text)):
        assert isinstance(communes, list)
    for name in (GEO.departement_name(text), GEO.region_of_departement(text)):
        assert name is None or (isinstance(name, str) and name)


@pytest.mark.parametrize("text", ["", " ", "\x00", "(93)", "Saint-Denis ()", "2a", "  (2B) "])
def test_degenerate_place_texts(text: str) -> None:
    """Empty, blank or bracket-only place texts resolve to a list without raising."""
    assert isinstance(GEO.resolve(text), list)
