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
    """Phone numbers, e-mails, NIR, addresses and names are masked; the rest is kept."""
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
    """Ordinary messages with numbers, towns or payloads are left untouched."""
    result = mask(text)
    assert result.text == text and result.kinds == ()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("moi c'est Kevin Dupont", "moi c'est"),
        ("moi c'est Kevin", "moi c'est"),
        ("Moi, c'est Kevin DUPONT et j'ai 19 ans", "j'ai 19 ans"),
        ("c'est Kevin", "c'est"),
        ("Bonjour, c'est Kevin", "Bonjour, c'est"),
        ("salut c'est Kevin Dupont, je suis demandeur d'emploi", "je suis demandeur d'emploi"),
        ("je suis Kevin Dupont", "je suis"),
        ("Je suis Kevin, j'ai 19 ans et je suis à Lille", "je suis à Lille"),
        ("jsuis Kevin", "jsuis"),
        ("ici c'est Kevin", "ici c'est"),
        ("moi c Kevin", "moi c"),
        ("moi c'est kevin dupont", "moi c'est"),
        ("moi c'est kevin dupont et j'ai 19 ans", "j'ai 19 ans"),
        ("moi c’est Jean-Pierre Dupont", "moi c’est"),
    ],
)
def test_names_introduced_without_je_m_appelle_are_masked(text: str, kept: str) -> None:
    """A name after "moi c'est", "je suis", "ici c'est" or an opening "c'est" is masked."""
    result = mask(text)
    assert result.kinds == ("nom",)
    assert PLACEHOLDERS["nom"] in result.text and kept in result.text
    for secret in ("Kevin", "kevin", "Dupont", "dupont", "DUPONT", "Jean-Pierre"):
        assert secret not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "je suis demandeur d'emploi",
        "Je suis Demandeur d'emploi",
        "je suis en terminale",
        "Je Suis En Terminale",
        "je suis perdu",
        "je suis a Lille",
        "Je suis Titulaire d'un bac pro",
        "je suis au RSA",
        "moi c'est le dev web qui m'interesse",
        "moi c'est Dev web",
        "moi c'est dev web que je veux",
        "moi c'est les maths mon truc",
        "moi c'est informatique",
        "moi c'est 19 ans",
        "moi c st denis dans le 93",
        "ché moi c la rochelle",
        "chez moi c'est Roubaix",
        "slt moi c sarah 19 ans en decrochage sur reims",  # one lower-case word: kept
        "c'est payant ?",
        "C'est Payant ?",
        "c'est quoi un testeur",
        "C'est Quoi Un Testeur",
        "c'est Simplon qui organise la formation ?",
        "c'est Lille ?",
        "C'est Le Havre",
        "la formation c'est Simplon",  # "c'est" not opening the message
    ],
)
def test_situation_age_town_and_interests_are_not_taken_for_names(text: str) -> None:
    """Situations, ages, towns, interests, clefts and questions after these words are kept."""
    result = mask(text)
    assert result.text == text and result.kinds == ()


@pytest.mark.parametrize(
    ("kind", "before", "text"),
    [
        ("telephone", "mon tel", "06/12/34/56/78"),
        ("telephone", "mon tel", "06 12 34 56 78"),
        ("telephone", "mon tel", "06-12-34-56-78"),
        ("telephone", "mon tel", "0612345678"),
        ("telephone", "mon tel", "+33 6 12 34 56 78"),
        ("telephone", "mon tel", "+33612345678"),
        ("telephone", "mon tel", "06.12.34.56.78"),
        ("telephone", "mon tel", "06 1234 5678"),
        ("telephone", "mon tel", "06  12  34  56  78"),
        ("telephone", "mon tel", "06 - 12 - 34 - 56 - 78"),
        ("telephone", "mon tel", "+33 06 12 34 56 78"),
        ("email", "mon mail", "kevin point dupont arobase gmail point com"),
        ("email", "mon mail", "kevin.dupont at gmail.com"),
        ("email", "mon mail", "kevin(at)gmail(dot)com"),
        ("email", "mon mail", "kevin @ gmail . com"),
        ("email", "mon mail", "kevin arobase orange.fr"),
        ("email", "mon mail", "kevin [at] gmail [dot] com"),
        ("email", "mon mail", "KEVIN POINT DUPONT AROBASE GMAIL POINT COM"),
    ],
)
def test_phones_and_emails_in_any_form_are_masked(kind: str, before: str, text: str) -> None:
    """A French mobile number is masked whether its pairs are glued or split by / . - or
    spaces; an e-mail written with "arobase"/"at"/"(at)"/" @ " and "point"/"dot"/" . " too."""
    result = mask(f"{before} {text} merci")
    assert result.text == f"{before} {PLACEHOLDERS[kind]} merci"
    assert result.kinds == (kind,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("écris à kevin@gmail.com. De plus", "écris à [e-mail masqué]. De plus"),
        ("kevin@gmail.com point final", "[e-mail masqué] point final"),
        ("pole emploi @ Lille. Je suis là", "pole emploi @ Lille. Je suis là"),
    ],
)
def test_emails_end_at_their_domain(text: str, expected: str) -> None:
    """Only the address is masked, not the words around it; "@ Lille. Je" is no address."""
    assert mask(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 19 ans",
        "59100",
        "j'habite dans le 93",
        "je suis né en 2016",
        "la formation dure 400 heures",
        "le titre RNCP37674 développeur web",
        "ça coûte 1 500 € ou 2400 euros",
        "59100 Roubaix",
        "je vis à Saint-Denis",
        "la formation Simplon à Lille",
        "elle commence le 01/09/2026 et finit le 30/06/2027",
        "rendez-vous le 01/02/2026 14h",  # a date and a time, not a phone number
        "je cherche un point info à Lille",
        "je suis dispo at home",
    ],
)
def test_numbers_towns_and_trainings_are_kept(text: str) -> None:
    """Ages, postcodes, years, durations, RNCP codes, amounts, dates, towns are not masked."""
    result = mask(text)
    assert result.text == text and result.kinds == ()


ADVERSARIAL_UNITS = [
    "0",
    "0 ",
    "06  ",
    "06/",
    "0.",
    "9-",
    "a.",
    "a-",
    "a.a+a-a_",
    "@",
    "a@",
    "a @ ",
    " . ",
    "point ",
    "a point ",
    "a point b arobase ",
    "a at b point ",
    "(at)(dot)",
    "+33 ",
    "1 85 05 78 006 ",
    "12 rue ",
    "moi c'est ",
    "moi c'est kevin ",
    "je suis Kevin ",
    "c'est ",
    " ",
]


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_mask_completes_on_hostile_input(unit: str) -> None:
    """mask() finishes on 1,000 characters built to make regexes backtrack (linear patterns)."""
    for text in ((unit * 1000)[:1000], ("x " + unit * 1000)[:1000], (unit * 1000)[:999] + "!"):
        result = mask(text)
        assert isinstance(result.text, str)


def test_several_kinds_are_reported_once_each() -> None:
    """Each kind of personal data is reported once, however many times it is masked."""
    result = mask("06 12 34 56 78 ou 07 98 76 54 32, mail a@b.fr")
    assert result.kinds == ("email", "telephone")
    assert result.text.count(PLACEHOLDERS["telephone"]) == 2


def test_masking_note_names_what_was_masked(domain) -> None:
    """The masking note names in French each kind of data that was masked."""
    note = masking_note(domain["responses"], ("telephone", "email"))
    assert "ton numéro de téléphone, ton adresse e-mail" in note
    assert "masquées" in note


def test_privacy_settings_from_the_environment() -> None:
    """Retention days and the privacy page URL come from the environment, with safe defaults."""
    assert retention_days({}) == 30
    assert retention_days({"CAPNUM_RETENTION_DAYS": "90"}) == 90
    assert retention_days({"CAPNUM_RETENTION_DAYS": "-3"}) == 30
    assert retention_days({"CAPNUM_RETENTION_DAYS": "abc"}) == 30
    assert privacy_page_url({}) == "http://127.0.0.1:5005/webhooks/webchat/confidentialite"
    assert (
        privacy_page_url({"CAPNUM_PUBLIC_URL": "https://capnum.example.fr/"})
        == "https://capnum.example.fr/webhooks/webchat/confidentialite"
    )
