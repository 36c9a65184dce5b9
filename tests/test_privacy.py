"""Personal data is masked before Rasa stores a message; the rest of the message (age,
postcode, town) is kept so the assistant still understands it."""

from __future__ import annotations

import pytest

from bot.config import privacy_page_url, retention_days
from bot.privacy import PLACEHOLDERS, mask, masking_note


@pytest.mark.parametrize(
    ("text", "kind", "kept"),
    [
        ("mon num c'est 06 12 34 56 78", "telephone", "mon num c'est"),
        ("appelle moi au 0612345678 stp", "telephone", "stp"),
        ("tel: 06.12.34.56.78", "telephone", "tel:"),
        ("+33 6 12 34 56 78 c'est moi", "telephone", "c'est moi"),
        ("0033612345678", "telephone", ""),
        ("+44 20 7946 0958", "telephone", ""),
        ("mon mail kevin.dupont@gmail.com", "email", "mon mail"),
        ("KEVIN_59@hotmail.fr", "email", ""),
        ("ma secu 1 85 05 78 006 084 36", "nir", "ma secu"),
        ("285057800608436", "nir", ""),
        ("j'habite 12 rue de la Paix à Roubaix", "adresse", "à Roubaix"),
        ("3 bis avenue Jean Jaurès 59100 Roubaix", "adresse", "59100 Roubaix"),
        ("au 45 bd gambetta, lille", "adresse", ", lille"),
        ("je m'appelle Kevin Dupont et j'ai 19 ans", "nom", "j'ai 19 ans"),
        ("jm'appelle kevin", "nom", "jm'appelle"),
        ("mon nom c'est Sarah", "nom", "mon nom c'est"),
    ],
)
def test_personal_data_is_masked(text: str, kind: str, kept: str) -> None:
    result = mask(text)
    assert kind in result.kinds
    assert PLACEHOLDERS[kind] in result.text
    assert kept in result.text
    for secret in ("06 12", "0612", "gmail", "hotmail", "006 084", "Paix", "Jaurès", "Kevin"):
        if secret in text:
            assert secret not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 19 ans",
        "59100",
        "j'habite à Roubaix 59100",
        "je suis né en 2005",
        "la formation dure 6 mois pour 35 heures par semaine",
        "développeur web et web mobile",
        "bac +2 en 2019",
        "la 2e",
        "j'ai 3 rues à traverser",  # no number before the street type
        "C'est quoi le numéro 1 ?",
        "moi c'est dev web que je veux",
        '/informer{"commune": "Saint-Denis (93)"}',
    ],
)
def test_ordinary_messages_are_untouched(text: str) -> None:
    result = mask(text)
    assert result.text == text and result.kinds == ()


def test_several_kinds_are_reported_once_each() -> None:
    result = mask("06 12 34 56 78 ou 07 98 76 54 32, mail a@b.fr")
    assert result.kinds == ("email", "telephone")
    assert result.text.count(PLACEHOLDERS["telephone"]) == 2


def test_masking_note_names_what_was_masked(domain) -> None:
    note = masking_note(domain["responses"], ("telephone", "email"))
    assert "ton numéro de téléphone, ton adresse e-mail" in note
    assert "masquées" in note


def test_privacy_settings_from_the_environment() -> None:
    assert retention_days({}) == 30
    assert retention_days({"CAPNUM_RETENTION_DAYS": "90"}) == 90
    assert retention_days({"CAPNUM_RETENTION_DAYS": "-3"}) == 30
    assert retention_days({"CAPNUM_RETENTION_DAYS": "abc"}) == 30
    assert privacy_page_url({}) == "http://127.0.0.1:5005/webhooks/webchat/confidentialite"
    assert (
        privacy_page_url({"CAPNUM_PUBLIC_URL": "https://capnum.example.fr/"})
        == "https://capnum.example.fr/webhooks/webchat/confidentialite"
    )
