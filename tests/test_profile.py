"""Tests of bot.profile: canonical profile values from standard and informal French."""

from __future__ import annotations

import pytest

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.profile import (
    GENERIC_IT_DOMAINS,
    ProfileFacts,
    age_is_plausible,
    normalize,
    parse_age,
    parse_diplome,
    parse_distanciel,
    parse_interets,
    parse_message,
    parse_rang,
    parse_rayon_km,
    parse_situation,
)

# --- normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Je suis AU CHÔMAGE", "je suis au chomage"),
        ("chui o chomdu", "je suis au chomage"),
        ("g pa le bac", "j ai pas le bac"),
        ("ouiiiii", "oui"),
        ("bac + 2", "bac+2"),
        ("j'ai un cœur", "j ai un coeur"),
        ("l’informatique !!!", "l informatique"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    """normalize lowercases, strips accents/punctuation, expands SMS words and squeezes runs."""
    assert normalize(text) == expected


# --- situation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # job seekers
        ("au chômage", "demandeur_emploi"),
        ("Je suis au chômage depuis 2 ans", "demandeur_emploi"),
        ("je cherche du taf", "demandeur_emploi"),
        ("je cherche du boulot", "demandeur_emploi"),
        ("je cherche un emploi", "demandeur_emploi"),
        ("inscrit à France Travail", "demandeur_emploi"),
        ("inscrite à Pôle emploi", "demandeur_emploi"),
        ("chui o chomdu", "demandeur_emploi"),
        ("jsui o chomdu dpui 1 an", "demandeur_emploi"),
        ("je touche le RSA", "demandeur_emploi"),
        ("j'ai été licencié", "demandeur_emploi"),
        ("j'ai été licenciée", "demandeur_emploi"),
        ("je suis demandeuse d'emploi", "demandeur_emploi"),
        # dropouts
        ("j'ai arrêté en seconde", "decrocheur"),
        ("j'ai arrêté le lycée en première", "decrocheur"),
        ("j'ai lâché la fac", "decrocheur"),
        ("j'ai quitté l'école à 16 ans", "decrocheur"),
        ("j'ai décroché", "decrocheur"),
        ("je suis sortie du lycée sans rien", "decrocheur"),
        ("je fais rien depuis le lycée", "decrocheur"),
        # employees
        ("je bosse dans la vente mais je veux changer", "salarie"),
        ("je travaille chez Lidl", "salarie"),
        ("je suis salariée en CDI", "salarie"),
        ("je veux changer de métier", "salarie"),
        # pupils and students
        ("je suis en terminale", "etudiant"),
        ("jsuis en terminale", "etudiant"),
        ("je suis étudiante", "etudiant"),
        ("je suis à la fac", "etudiant"),
        ("je suis lycéenne", "etudiant"),
    ],
)
def test_parse_situation(text: str, expected: str) -> None:
    """parse_situation maps standard and SMS French to the canonical situation code."""
    assert expected in SITUATIONS
    assert parse_situation(text) == expected


@pytest.mark.parametrize(
    "text",
    ["bonjour", "jsp", "je sais pas", "j'ai 19 ans", "Roubaix", "le code", "oui"],
)
def test_parse_situation_none_when_not_said(text: str) -> None:
    """parse_situation returns None when the message states no situation."""
    assert parse_situation(text) is None


def test_dropout_beats_pupil_when_stopped_in_a_class() -> None:
    """ "arrêté en terminale" is a dropout, not a pupil still in terminale."""
    assert parse_situation("j'ai arrêté en terminale") == "decrocheur"
    assert parse_situation("je suis en terminale") == "etudiant"


# --- diploma ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("j'ai le bac pro", "bac"),
        ("j'ai le bac", "bac"),
        ("g le bac", "bac"),
        ("jai eu mon bac", "bac"),
        ("BAC STMG", "bac"),
        ("pas de diplôme", "aucun"),
        ("j'ai aucun diplôme", "aucun"),
        ("sans diplome", "aucun"),
        ("j'ai pas eu le brevet", "aucun"),
        ("CAP", "cap_bep"),
        ("j'ai un CAP cuisine", "cap_bep"),
        ("un BEP", "cap_bep"),
        ("bts", "bac_plus_2"),
        ("BTS SIO", "bac_plus_2"),
        ("un DUT", "bac_plus_2"),
        ("bac+2", "bac_plus_2"),
        ("bac + 2", "bac_plus_2"),
        ("brevet des collèges", "brevet"),
        ("le DNB", "brevet"),
        ("licence", "bac_plus_3"),
        ("j'ai une licence de socio", "bac_plus_3"),
        ("un master", "bac_plus_3"),
        ("bac+5", "bac_plus_3"),
        ("j'ai un CAP, pas de bac", "cap_bep"),
        ("j'ai pas le bac mais j'ai le brevet", "brevet"),
    ],
)
def test_parse_diplome(text: str, expected: str) -> None:
    """parse_diplome maps named diplomas (any spelling) to the canonical code."""
    assert expected in DIPLOMES
    assert parse_diplome(text) == expected
    assert parse_diplome(text, expecting=True) == expected


@pytest.mark.parametrize(
    "text",
    ["g pa le bac", "j'ai pas le bac", "j'ai raté le bac", "pas de bac", "sans le bac"],
)
def test_no_bac_alone_is_undecided(text: str) -> None:
    """ "Not the bac" alone leaves the diploma undecided (None), never bac nor aucun."""
    assert parse_diplome(text) is None
    assert parse_diplome(text, expecting=True) is None


@pytest.mark.parametrize("text", ["aucun", "rien", "non", "nan", "Aucun !"])
def test_bare_none_counts_only_when_expecting(text: str) -> None:
    """A bare "aucun"/"rien" means no diploma only as an answer to the diploma question."""
    assert parse_diplome(text) is None
    assert parse_diplome(text, expecting=True) == "aucun"


@pytest.mark.parametrize("text", ["non j'ai un bts", "non, un CAP"])
def test_expecting_named_diploma_beats_bare_no(text: str) -> None:
    """When expecting, a named diploma wins over a leading "non"."""
    assert parse_diplome(text, expecting=True) in {"bac_plus_2", "cap_bep"}
    assert parse_diplome(text, expecting=True) == parse_diplome(text)


@pytest.mark.parametrize("text", ["capable", "je suis bachelière du futur", "bonjour"])
def test_parse_diplome_no_false_positive(text: str) -> None:
    """Words that merely contain "cap"/"bac" are not diplomas."""
    assert parse_diplome(text) is None


# --- age -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("j'ai 19 ans", 19),
        ("19 ans", 19),
        ("g 19 ans", 19),
        ("j ai 19 an", 19),
        ("j'ai 17ans", 17),
        ("dix-neuf ans", 19),
        ("j'ai vingt ans", 20),
        ("vingt-deux ans", 22),
        ("j'ai vingt et un ans", 21),
        ("au chômage depuis 3 ans, j'ai 20 ans", 20),
        ("2 ans de chômage, j'ai 24 ans", 24),
    ],
)
def test_parse_age(text: str, expected: int) -> None:
    """parse_age reads digits and French number words followed by "ans"."""
    assert parse_age(text) == expected
    assert parse_age(text, expecting_age=True) == expected


@pytest.mark.parametrize("text, expected", [("19", 19), ("j'ai 19", 19), ("dix-neuf", 19)])
def test_bare_age_only_when_asked(text: str, expected: int) -> None:
    """A bare number is an age only when the age was asked."""
    assert parse_age(text) is None
    assert parse_age(text, expecting_age=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "au chômage depuis 2 ans",
        "il y a 3 ans",
        "ça fait 5 ans que je bosse",
        "bac+2",
        "bac +2",
        "bac + 3 ans",
        "j'ai 2 ans d'expérience dans la vente",
        "j'ai fait mon BTS en 2 ans",
    ],
)
def test_durations_are_not_ages(text: str) -> None:
    """Durations ("depuis 2 ans", "2 ans d'expérience") and "bac+2" are not ages."""
    assert parse_age(text) is None
    assert parse_age(text, expecting_age=True) is None


def test_implausible_age_is_returned_but_flagged() -> None:
    """An implausible age is still returned so the assistant can say so."""
    assert parse_age("j'ai 150 ans") == 150
    assert not age_is_plausible(150)
    assert not age_is_plausible(8)
    assert age_is_plausible(14) and age_is_plausible(99) and age_is_plausible(19)


# --- interests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le code", ["developpement"]),
        ("faire des sites", ["developpement"]),
        ("dev", ["developpement"]),
        ("la programmation", ["developpement"]),
        ("devenir développeur web", ["developpement"]),
        ("les jeux vidéo", ["developpement"]),
        ("les réseaux sociaux", ["communication_digitale"]),
        ("insta/tiktok", ["communication_digitale"]),
        ("faire des vidéos", ["design"]),
        ("les jeux vidéos", ["developpement"]),
        ("créer des jeux vidéo et du montage", ["developpement", "design"]),
        ("réparer des ordis", ["support_informatique"]),
        ("dépanner des pc", ["support_informatique"]),
        ("les réseaux", ["reseaux_systemes"]),
        ("la cybersécurité", ["cybersecurite"]),
        ("chercher des bugs", ["test_logiciel"]),
        ("les données", ["data"]),
        ("le design", ["design"]),
        ("le montage vidéo", ["design"]),
        ("aider les gens", ["mediation_numerique"]),
    ],
)
def test_parse_interets(text: str, expected: list[str]) -> None:
    """parse_interets maps activities and slang to interest domains, in contract order."""
    assert parse_interets(text) == expected


@pytest.mark.parametrize(
    "text",
    ["l'informatique", "j'aime bien l'info", "un truc dans le numérique", "les ordinateurs"],
)
def test_generic_it_gives_generic_set(text: str) -> None:
    """A vague "l'informatique" gives the generic IT domain set, in contract order."""
    assert parse_interets(text) == [d for d in DOMAINES if d in GENERIC_IT_DOMAINS]
    assert set(parse_interets(text)) == set(GENERIC_IT_DOMAINS)


def test_specific_interest_wins_over_generic_it() -> None:
    """A specific activity in an IT sentence is kept alone, without the generic set."""
    assert parse_interets("réparer des ordis, l'informatique quoi") == ["support_informatique"]


@pytest.mark.parametrize(
    "text", ["je sais pas", "rien", "peu importe", "devoirs", "oui", "les réseaux sociaux"]
)
def test_parse_interets_no_false_positive(text: str) -> None:
    """Vague answers give no interest; "réseaux sociaux" is never reseaux_systemes."""
    found = parse_interets(text)
    assert "reseaux_systemes" not in found
    if text != "les réseaux sociaux":
        assert found == []


# --- distance learning and radius -----------------------------------------------------


@pytest.mark.parametrize(
    "text, expecting, expected",
    [
        ("à distance ça me va", False, True),
        ("en ligne", False, True),
        ("en visio depuis chez moi", False, True),
        ("pas à distance", False, False),
        ("non pas en ligne", False, False),
        ("je déteste le distanciel", False, False),
        ("je préfère en présentiel", False, False),
        ("sur place", False, False),
        ("oui", True, True),
        ("ouais carrément", True, True),
        ("pourquoi pas", True, True),
        ("non", True, False),
        ("bof", True, False),
        ("oui", False, None),
        ("non", False, None),
        ("bonjour", True, None),
    ],
)
def test_parse_distanciel(text: str, expecting: bool, expected: bool | None) -> None:
    """parse_distanciel reads remote/on-site wishes; bare yes/no only when asked."""
    assert parse_distanciel(text, expecting=expecting) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("50 km max", 50),
        ("pas plus de 10 km", 10),
        ("20km", 20),
        ("30 kms", 30),
        ("100 kilomètres", 100),
        ("jusqu'à 15 kilometre", 15),
        ("59100", None),
        ("bac+2", None),
        ("loin", None),
    ],
)
def test_parse_rayon_km(text: str, expected: int | None) -> None:
    """parse_rayon_km reads a distance in km and ignores other numbers."""
    assert parse_rayon_km(text) == expected


# --- ranks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("la 2e", 2),
        ("la deuxième", 2),
        ("la seconde", 2),
        ("numéro 3", 3),
        ("la 3ème", 3),
        ("n°4", 4),
        ("la cinquième", 5),
        ("la première", 1),
        ("la 1re", 1),
        ("le 2", 2),
        ("3", 3),
        ("la dernière", -1),
        ("la derniere stp", -1),
        ("celle de Simplon", None),
        ("j'ai 2 questions", None),
    ],
)
def test_parse_rang(text: str, expected: int | None) -> None:
    """parse_rang reads ordinal words, "numéro N" and "la dernière" (-1)."""
    assert parse_rang(text) == expected


# --- whole message ---------------------------------------------------------------------


def test_parse_message_reads_every_fact() -> None:
    """parse_message gathers every fact a single informal message states."""
    facts = parse_message("jsui o chomdu, g 22 ans, j'ai un bts et j'kiffe le code, 50 km max")
    assert facts == ProfileFacts(
        situation="demandeur_emploi",
        diplome="bac_plus_2",
        age=22,
        interets=["developpement"],
        distanciel=None,
        rayon_km=50,
    )


@pytest.mark.parametrize(
    "slot, text, field, expected",
    [
        ("age", "19", "age", 19),
        ("diplome", "aucun", "diplome", "aucun"),
        ("distanciel", "oui", "distanciel", True),
        (None, "19", "age", None),
        (None, "aucun", "diplome", None),
        (None, "oui", "distanciel", None),
        ("age", "aucun", "diplome", None),
    ],
)
def test_parse_message_bare_answers_follow_requested_slot(
    slot: str | None, text: str, field: str, expected: object
) -> None:
    """Bare answers are read only for the slot being asked."""
    assert getattr(parse_message(text, slot), field) == expected
