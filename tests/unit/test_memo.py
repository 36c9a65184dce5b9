"""Results kept while one message is read (`bot.memo`): computed once inside the block,
gone after it."""

from __future__ import annotations

import pytest

import bot.texte
from bot import memo
from bot.extraction import extract
from bot.geo import Geo
from bot.lieux import locate


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def _counting_mots_normalises(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = bot.texte.mots_normalises

    def counting(text: str, corriger: bool = False) -> list[bot.texte.MotNormalise]:
        calls.append(text)
        return real(text, corriger)

    monkeypatch.setattr(bot.texte, "mots_normalises", counting)
    return calls


def test_normalize_runs_once_per_text_inside_a_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside `per_message()` a text is normalised once; outside, every call computes."""
    calls = _counting_mots_normalises(monkeypatch)
    with memo.per_message():
        first = bot.texte.normalize("jsui o chomage", corriger=True)
        again = bot.texte.normalize("jsui o chomage", corriger=True)
        bot.texte.normalize("jsui o chomage")  # other arguments: computed
    assert first == again == "je suis au chomage"
    assert len(calls) == 2
    bot.texte.normalize("jsui o chomage", corriger=True)
    bot.texte.normalize("jsui o chomage", corriger=True)
    assert len(calls) == 4


def test_nothing_outlives_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the block no result is kept: the same text is computed again, and a nested
    block shares the outer block's results."""
    calls = _counting_mots_normalises(monkeypatch)
    with memo.per_message():
        bot.texte.normalize("Kevin 06 12 34 56 78")
        with memo.per_message():
            bot.texte.normalize("Kevin 06 12 34 56 78")
        bot.texte.normalize("Kevin 06 12 34 56 78")
    assert len(calls) == 1
    assert memo._results.get() is None
    with memo.per_message():
        bot.texte.normalize("Kevin 06 12 34 56 78")
    assert len(calls) == 2


def test_an_extraction_normalises_its_message_once_per_reading(
    geo: Geo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`extract` reads its message with several parsers but normalises each text at most
    twice (with and without spelling correction), and gives the same slots as before."""
    calls = _counting_mots_normalises(monkeypatch)
    text = "salut jai 19 ans jsui o chomage pas de diplome jhabite a roubaix"
    result = extract(
        text=text, intent="informer", entities=[], requested_slot=None, current={}, geo=geo
    )
    assert result.slots["age"] == 19.0 and result.slots["commune"] == "Roubaix"
    assert result.slots["situation"] == "demandeur_emploi" and result.slots["diplome"] == "aucun"
    assert calls.count(text) <= 2


def test_located_places_are_copies(geo: Geo) -> None:
    """A caller changing the list of communes found does not change what the next reading
    of the same message finds."""
    with memo.per_message():
        found = locate(geo, "j'habite à Roubaix")
        assert found is not None
        found[0].clear()
        again = locate(geo, "j'habite à Roubaix")
    assert again is not None and [c.nom for c in again[0]] == ["Roubaix"]
