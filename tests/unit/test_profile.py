"""Tests of the parsers of bot.profil and of bot.texte: canonical profile values from standard
and informal French."""

from __future__ import annotations

import pytest

from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.profil.age import age_is_plausible, parse_age
from bot.profil.diplome import parse_diplome
from bot.profil.distance import parse_distanciel, parse_rayon_km
from bot.profil.faits import ProfileFacts, parse_message
from bot.profil.interets import GENERIC_IT_DOMAINS, parse_interets
from bot.profil.situation import parse_situation
from bot.selection import parse_rang
from bot.texte import normalize

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
        ("c cool", "c est cool"),
        ("c'est cool", "c est cool"),  # not "c est est" (found by tests/unit/test_fuzz_text.py)
        ("c’était trop bien", "c etait trop bien"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    """normalize lowercases, strips accents/punctuation, expands SMS words and squeezes runs."""
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text",
    ["le dev c'est pas pour moi", "le graphisme c’était pas mon truc", "le dev c pas pour moi"],
)
def test_negated_interest_with_c_est(text: str) -> None:
    """Regression: "c'est" was read "c est est", and the negation after it was missed."""
    assert parse_interets(text) == []


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
def test_no_bac_alone_is_undecided_outside_the_diploma_question(text: str) -> None:
    """ "Not the bac" alone says no diploma only as an answer to the diploma question."""
    assert parse_diplome(text) is None
    assert parse_diplome(text, expecting=True) == "aucun"


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


# --- what people really say (development set: tests/nlu/dev/profil.yml) -------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # job seekers
        ("jfais rien dpui 1 an", "demandeur_emploi"),
        ("jtravaille pas", "demandeur_emploi"),
        ("Je ne travaille pas en ce moment", "demandeur_emploi"),
        ("jhabite a tourcoing et je taf pas", "demandeur_emploi"),
        ("jai perdu mon taf en janvier", "demandeur_emploi"),
        ("g ete viré de mon cdd", "demandeur_emploi"),
        ("g le bac mé pa de taf", "demandeur_emploi"),
        ("jcherche du taf", "demandeur_emploi"),
        ("je galère a trouver du taf", "demandeur_emploi"),
        ("jsuis en recherche demploi", "demandeur_emploi"),
        ("Je suis sans activité professionnelle depuis deux ans.", "demandeur_emploi"),
        ("Je suis bénéficiaire du RSA", "demandeur_emploi"),
        ("chui o chomedu a perpignan", "demandeur_emploi"),
        # dropouts
        ("jss déscolarisé dpui 2 ans", "decrocheur"),
        ("chui sorti de 3e", "decrocheur"),
        ("jsui plus au lycée", "decrocheur"),
        ("jsui plus a lecole", "decrocheur"),
        ("g arreté en 1ere", "decrocheur"),
        ("jai arreter l ecole en 3eme", "decrocheur"),
        ("jsui deco dpui la seconde", "decrocheur"),
        ("jsui pas scolarisé", "decrocheur"),
        ("Elle a abandonné ses études en première année de licence.", "decrocheur"),
        ("Un jeune en décrochage scolaire", "decrocheur"),
        ("J'ai obtenu le brevet mais je n'ai pas poursuivi au lycée.", "decrocheur"),
        ("bjr jsui sortie du lycée en terminale sans le bac", "decrocheur"),
        # employees (interim, a job held)
        ("jss interimaire", "salarie"),
        ("jfais de l'interim dans le batiment", "salarie"),
        ("jtaf au mcdo mais c pa ouf", "salarie"),
        ("chui caissiere chez auchan", "salarie"),
        ("g 24 ans, vendeuse chez zara", "salarie"),
        ("Je suis agent de sécurité", "salarie"),
        ("Je suis technicien de maintenance", "salarie"),
        # pupils, students, trainees: a course in progress
        ("g 20 ans jsuis en cap vente", "etudiant"),
        ("Ma fille de 16 ans prépare un CAP coiffure", "etudiant"),
        ("Je suis en première année de BTS commerce.", "etudiant"),
        ("Elle est en classe de seconde", "etudiant"),
        ("jsui en alternance", "etudiant"),
        ("je suis en formation à l'AFPA", "etudiant"),
        ("jsuis apprenti en boulangerie", "etudiant"),
        ("chui au college", "etudiant"),
        ("jai 18 ans jsui en 1ere mé jveu arreter", "etudiant"),
        ("Je fais encore des études", "etudiant"),
        ("Je ne vais plus au lycée", "decrocheur"),
        ("je vais plus en cours", "decrocheur"),
        ("Je suis parent au foyer", "autre"),
        ("je m'occupe de mes enfants à la maison", "autre"),
        ("je poursuis mes etudes", "etudiant"),
        ("jsuis tjr en etudes", "etudiant"),
        # other situations
        ("jsuis en service civique a marseille", "autre"),
        ("g 34 ans, mere au foyer", "autre"),
        ("Je suis retraitée", "autre"),
        ("Je suis en congé parental", "autre"),
        ("en arret maladie dpui 1 an", "autre"),
    ],
)
def test_parse_situation_everyday_phrasings(text: str, expected: str) -> None:
    """Informal and counsellor phrasings of each situation."""
    assert parse_situation(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("dpui ke jai arreté la fac jbosse chez amazon", "salarie"),
        ("J'ai arrêté mes études en BTS et je travaille depuis comme vendeur.", "salarie"),
        ("jai arrêté l'école à 16 ans, maintenant je suis au chômage", "demandeur_emploi"),
        ("jai arrété le lycée en terminale, g jamais eu le bac", "decrocheur"),
    ],
)
def test_present_situation_wins_over_a_past_dropout(text: str, expected: str) -> None:
    """Having left school is the situation only when nothing more present is said."""
    assert parse_situation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "je suis pas étudiant",
        "jveu arreter l'ecole",
        "je veux faire un service civique",
        "je cherche une formation en alternance",
        "j'étais en CDI",
        "Je suis conseillère France Travail",
        "c gratuit pour les chomeurs ?",
        "jsui deco de la soirée",
        "je veux faire des études",
        "je fais pas d'études",
    ],
)
def test_parse_situation_ignores_negations_intentions_and_others(text: str) -> None:
    """Negated, wished, past or somebody else's situations are not the person's own."""
    assert parse_situation(text) is None


def test_counsellor_phrase_is_not_a_situation() -> None:
    """ "conseiller France Travail" is who writes; the young person's situation counts."""
    text = "Je suis conseiller France Travail et j'accompagne un jeune qui a arrêté le lycée"
    assert parse_situation(text) == "decrocheur"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le bac jlai pa, g ke le brevet", "brevet"),
        ("jai eu le bac mais g raté mon bts", "bac"),
        ("j'ai le bac et un bts", "bac_plus_2"),
        ("j'ai un CAP mais pas eu le brevet", "cap_bep"),
        ("Je suis titulaire d'un baccalauréat professionnel", "bac"),
        ("J'ai obtenu le diplôme national du brevet", "brevet"),
        ("licence pro en com", "bac_plus_3"),
        ("arreté les etudes apres le bac", "bac"),
        ("g 0 diplome", "aucun"),
        ("Jeune de 20 ans, sans qualification", "aucun"),
        ("non diplômé", "aucun"),
    ],
)
def test_parse_diplome_everyday_phrasings(text: str, expected: str) -> None:
    """The highest diploma held, in informal and standard French."""
    assert parse_diplome(text) == expected


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("bac pro pas eu", "aucun"),
        ("jai fait un bac pro vente mais je lai pas eu", "aucun"),
        ("jai fait un bts mco mais pas validé", None),
        ("J'ai commencé une licence mais je ne l'ai pas terminée", None),
        ("Il a échoué au bac l'an dernier", "aucun"),
        ("jsuis en bts sio", None),
        ("jsuis en terminale bac pro", "aucun"),
        ("je prépare un CAP", None),
        ("Je prépare actuellement le baccalauréat", "aucun"),
        ("jsui a la fac, en licence d'info", None),
    ],
)
def test_failed_or_ongoing_diploma_is_not_held(text: str, answer: str | None) -> None:
    """A failed, unfinished or ongoing diploma is not held; answering the diploma question,
    a bac missed or to come places the person below the bac: aucun (issue 17)."""
    assert parse_diplome(text) is None
    assert parse_diplome(text, expecting=True) == answer


@pytest.mark.parametrize(
    "text, as_answer",
    [
        ("faut le bac ?", "bac"),
        ("Le bac est-il obligatoire pour cette formation ?", "bac"),
        ("j'ai un niveau bac", "bac"),
        ("Bac requis", "bac"),
        ("bac+2 minimum", "bac_plus_2"),
    ],
)
def test_requirement_or_level_only_counts_as_an_answer(text: str, as_answer: str) -> None:
    """In a free message a required diploma or a level ("niveau bac") is not held; as the
    answer to the diploma question (or a catalogue value) it gives that level."""
    assert parse_diplome(text) is None
    assert parse_diplome(text, expecting=True) == as_answer


@pytest.mark.parametrize(
    "text, expected",
    [
        ("g 22 piges", 22),
        ("quarante-cinq ans", 45),
        ("j'ai trente-deux ans", 32),
        ("soixante et onze ans", 71),
        ("quatre-vingt-dix ans", 90),
        ("jai arreté l'ecole a 16 ans, maintenant g 21 ans", 21),
        ("J'ai quitté l'école à seize ans, et j'en ai maintenant 24.", 24),
        ("mon fils a 16 ans", 16),
    ],
)
def test_parse_age_everyday_phrasings(text: str, expected: int) -> None:
    """Slang units, number words up to 99, "j'en ai 24"; a past age is skipped."""
    assert parse_age(text) == expected


@pytest.mark.parametrize(
    "text",
    ["J'ai quitté l'école à 16 ans", "quand j'avais 15 ans", "jsuis o chomdu depui 2 ans"],
)
def test_past_ages_and_durations_are_not_ages(text: str) -> None:
    """A past age or a duration in years is not read as the person's age."""
    assert parse_age(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le développement web", ["developpement"]),
        ("jveu pa fer du dev, plutot du design", ["design"]),
        ("le code c pa pour moi, jprefere les reseaux", ["reseaux_systemes"]),
        ("l'électronique", ["support_informatique"]),
        ("bricoler les ordis", ["support_informatique"]),
        ("j'aime réparer", ["support_informatique"]),
        ("les maths", ["data"]),
        ("l'analyse de données", ["data"]),
        ("tester des applis", ["test_logiciel"]),
        ("tester des jeux vidéo", ["test_logiciel"]),
        ("la sécurité informatique", ["cybersecurite"]),
        ("l'UX design", ["design"]),
        ("le web design", ["design"]),
        ("la fibre optique", ["reseaux_systemes"]),
        ("la création de sites web", ["developpement"]),
    ],
)
def test_parse_interets_everyday_phrasings(text: str, expected: list[str]) -> None:
    """Activities, negations ("pas le dev") and phrases naming one domain."""
    assert parse_interets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "jsui pas fan du code",
        "je suis agent de sécurité",
        "je suis technicien de maintenance",
        "Elle est diplômée d'un master en marketing",
        "réparer des voitures",
    ],
)
def test_not_an_interest(text: str) -> None:
    """A negated domain, one's own job, a diploma's subject, non-IT repairs."""
    assert parse_interets(text) == []


# --- SMS, phonetic and glued spellings (second development batch) --------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # Glued words: a number, a subject and verb, an elided article.
        ("jai19ans", "j ai 19 ans"),
        ("g 17an", "j ai 17 ans"),
        ("g18ans", "j ai 18 ans"),
        ("jsuisau chomage", "je suis au chomage"),
        ("jaipas de diplome", "j ai pas de diplome"),
        ("jhabite a lyon", "j habite a lyon"),
        ("jcherche du taf", "je cherche du travail"),
        ("jaime linformatique", "j aime l informatique"),
        # SMS words told apart by their accent, phonetic spellings.
        ("mn bac jlé pa", "mon bac je l ai pas"),
        ("jkif lé jeux é le dessin", "je kif les jeux et le dessin"),
        ("jfé ri1", "je fais rien"),
        ("jaime bi1", "j aime bien"),
        # "pu" is "plus", except as the participle of "pouvoir".
        ("jsui pu a lécole", "je suis plus a l ecole"),
        ("g pu de taf", "j ai plus de travail"),
        ("j'ai pu venir", "j ai pu venir"),
        # "plu" after "être" is "plus"; after "avoir" it is the participle of "plaire".
        ("jsui plu a lécole", "je suis plus a l ecole"),
        ("ça m'a plu", "ca m a plu"),
        # "bac + 1 an" is the bac and one year, not "bac+1".
        ("bac + 1 an de fac", "bac + 1 ans de fac"),
        # A separate accent (e + U+0301) stays with its letter.
        ("e\u0301cole", "ecole"),
        # "j'" before a consonant is "je".
        ("j'bosse", "je bosse"),
        ("j'cherche du taff", "je cherche du travail"),
        ("j'habite", "j habite"),
        ("j'y vais", "j y vais"),
        # Without `corriger`, misspelled words are kept (the NLU featurizer corrects).
        ("une formaton", "une formaton"),
    ],
)
def test_normalize_sms_spellings(text: str, expected: str) -> None:
    """SMS spellings and slang are normalised to plain French; typos kept without corriger."""
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("la programation", "la programmation"),
        ("le grafisme", "le graphisme"),
        ("o lycé", "au lycee"),
        ("les statistik", "les statistiques"),
        ("devlopeur", "developpeur"),
        ("lé rézo sociaux", "les reseau sociaux"),
        ("le brevé", "le brevet"),
        ("intérimère", "interimaire"),
        ("jcherch du boulo", "je cherche du travail"),
        ("jprepar un cap", "je prepare un cap"),
        ("jaim", "j aime"),
        # After an auxiliary, "-er" is the participle when the parsers know it.
        ("jsui licencier", "je suis licencie"),
        ("g quitter lécole", "j ai quitte l ecole"),
        ("il a arreter", "il a arrete"),
    ],
)
def test_normalize_corrects_misspelled_key_words(text: str, expected: str) -> None:
    """With corriger, misspelled key words are corrected, participles included."""
    assert normalize(text, corriger=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        # French words are never corrected, even when they sound like a key word.
        "il me donne des conseils",
        "j en ai maintenant 24",
        "les etudiants",
        "je suis boulanger",
        "un arret maladie",
        "aide soignante",
        # "à trouver" is an infinitive: "a" is an auxiliary only after a subject.
        "je galere a trouver du travail",
        "bonjour je voudrais une formation",
    ],
)
def test_normalize_leaves_french_words_alone(text: str) -> None:
    """With corriger, correct French words and phrases are left unchanged."""
    assert normalize(text, corriger=True) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("g 17an jsui pu a lécole", "decrocheur"),
        ("jsui plu a lecole", "decrocheur"),
        ("jsui plu scolarisé", "decrocheur"),
        ("g laché le lycé en 1ere", "decrocheur"),
        ("g quitter lécole en 3eme", "decrocheur"),
        ("mon ptit frere il est pu o college", "decrocheur"),
        ("jsui sur paname, jfou rien de mes journées", "demandeur_emploi"),
        ("jfé ri1", "demandeur_emploi"),
        ("jfai pa grand chose", "demandeur_emploi"),
        ("jsui au chom", "demandeur_emploi"),
        ("jcherch 1 taf", "demandeur_emploi"),
        ("jai20ans et jcherch du boulo", "demandeur_emploi"),
        ("jtrouv pa de boulot", "demandeur_emploi"),
        ("jsui inscrit a pol emploi", "demandeur_emploi"),
        ("inscri a france travail dpui 3 mois", "demandeur_emploi"),
        ("jsui demandeuse demploie", "demandeur_emploi"),
        ("jsui licencier dpui janvier", "demandeur_emploi"),
        ("jsui sans emplois", "demandeur_emploi"),
        ("jsui jobless dpui 6 mois", "demandeur_emploi"),
        ("g quarante ans é jbosse pu", "demandeur_emploi"),
        ("un CAP de cuisine et aucun emploi", "demandeur_emploi"),
        ("jboss ds un entrepot", "salarie"),
        ("jtravail a lusine dpui 5 ans", "salarie"),
        ("jsui intérimère ds le bâtiment", "salarie"),
        ("chui en 2nd", "etudiant"),
        ("jsuis en terminal stmg", "etudiant"),
        ("jsui etudient en L2", "etudiant"),
        ("mtn jprepar un cap cuisine", "etudiant"),
        ("jsui en service civik a la mairie", "autre"),
        ("jsui maman au foyer", "autre"),
        ("chui en congé mat", "autre"),
        ("j'bosse au macdo", "salarie"),
        ("j'taf en EHPAD", "salarie"),
        # An intention does not reach across a new clause.
        ("mé parents veulent ke jfasse 1 formation, g arrêté l'école a 16 ans", "decrocheur"),
    ],
)
def test_parse_situation_sms_spellings(text: str, expected: str) -> None:
    """The situation is recognised in SMS spellings; an intention stays in its clause."""
    assert parse_situation(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jai19ans", 19),
        ("g 17an", 17),
        ("g eu 19 ans hier", 19),
        # An age to come is not the age.
        ("jvais avoir 18 ans en mai, g 17 ans", 17),
        # "il en a dix-neuf": the age without "ans".
        ("il a quitté le collège à 15 ans, il en a dix-neuf aujourd'hui", 19),
    ],
)
def test_parse_age_sms_spellings(text: str, expected: int) -> None:
    """The age is read from SMS spellings, ignoring ages to come and past ages."""
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["je vais avoir 18 ans", "il aura 20 ans en juin"])
def test_future_age_is_not_the_age(text: str) -> None:
    """An age to come ('je vais avoir 18 ans') is not the age."""
    assert parse_age(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("chui a 97400, g le bak", "bac"),
        ("g lbac dpui 2 ans", "bac"),
        ("g le bac L et g arrêté la fac", "bac"),
        ("mn bac jlé pa, g jst le brevé", "brevet"),
        ("g 1 bepc c tt", "brevet"),
        ("0 diplom", "aucun"),
        ("aucun diplom 😅", "aucun"),
        ("jaipas de diplome mé jsui motivée", "aucun"),
        ("g r1 comme diplome", "aucun"),
        ("g bac + 1 an de fac", "bac"),
        ("g jamais eu mon brevet", "aucun"),
    ],
)
def test_parse_diplome_sms_spellings(text: str, expected: str) -> None:
    """The diploma is read from SMS spellings, 'none' included."""
    assert parse_diplome(text) == expected


@pytest.mark.parametrize("text", ["mn bac jlé pa", "le bac jlé pa eu"])
def test_sms_diploma_not_held(text: str) -> None:
    """A diploma mentioned as not obtained is not recorded."""
    assert parse_diplome(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jveu fer de la prog", ["developpement"]),
        ("jkiff la programation", ["developpement"]),
        ("jveu devnir devlopeur", ["developpement"]),
        ("jveu etre dévelopeuse web", ["developpement"]),
        ("jveu fer du grafisme", ["design"]),
        ("le graphic design ca me parle", ["design"]),
        ("il kiff le motion design", ["design"]),
        ("jkiff monter des vidéos", ["design"]),
        ("jsui tt le tps sur lé rézo sociaux", ["communication_digitale"]),
        ("jveu fer social media manager", ["communication_digitale"]),
        ("jaime bien lé statistik", ["data"]),
        ("jveu bosser ds l'intelligence artificiel", ["data"]),
        ("jveu bosser ds l'IT support", ["support_informatique"]),
        ("le dépannage info c mon truc", ["support_informatique"]),
        ("jveu bosser ds le network", ["reseaux_systemes"]),
        ("jhabite a mamoudzou jveu fer d rézo", ["reseaux_systemes"]),
        ("jsui ouf de cyber sécu", ["cybersecurite"]),
        ("jveu aidé lé gens avec linformatik", ["mediation_numerique"]),
        ("jveu aider les vieux a utiliser leur tel", ["mediation_numerique"]),
    ],
)
def test_parse_interets_sms_spellings(text: str, expected: list[str]) -> None:
    """Interests are recognised in SMS spellings and English job words."""
    assert parse_interets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # One's own job ("serveur" is not the servers of a network), a diploma's subject.
        "je travaille comme serveur à Ajaccio",
        "g un bachelor en marketing",
    ],
)
def test_sms_not_an_interest(text: str) -> None:
    """One's own job or a diploma's subject is not taken as an interest."""
    assert parse_interets(text) == []


# --- issue 17: what this audience writes ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jai rien eu",
        "g rien eu",
        "j'ai rien eu moi",
        "j'ai aucun diplôme",
        "pas de diplome",
        "aucun",
        "rien",
        "zéro diplôme",
        "j'ai jamais rien eu",
    ],
)
def test_no_diploma_in_every_form(text: str) -> None:
    """ "rien", "aucun", "pas de diplôme", "j'ai rien eu" answer the diploma question: aucun."""
    assert parse_diplome(text, expecting=True) == "aucun"


@pytest.mark.parametrize(
    "text",
    [
        "2nde",
        "seconde",
        "1ère",
        "première",
        "1ere",
        "terminale",
        "en seconde",
        "jusqu'en première",
        "niveau terminale",
        "j'ai arrêté en terminale",
        "g arreté en 2nde",
        "terminale pro mais g pas eu le diplome",
        "pas eu le bac",
        "jai pas eu le bac",
        "j'ai pas eu mon bac pro",
        "g loupé le bac",
        "je passe le bac",
    ],
)
def test_a_level_below_the_bac_without_a_named_diploma_is_aucun(text: str) -> None:
    """A class below the bac or the bac missed, answering the diploma question, is aucun."""
    assert parse_diplome(text, expecting=True) == "aucun"


@pytest.mark.parametrize(
    "text", ["terminale", "seconde", "jai pas eu le bac", "j'ai arrêté le lycée en première"]
)
def test_a_level_alone_is_no_diploma_outside_the_question(text: str) -> None:
    """Outside the diploma question a class reached decides nothing (the question is asked)."""
    assert parse_diplome(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jai pas eu le bac mais g le brevet", "brevet"),
        ("terminale, j'ai un CAP", "cap_bep"),
        ("seconde mais g un bep vente", "cap_bep"),
    ],
)
def test_a_named_diploma_wins_over_the_level(text: str, expected: str) -> None:
    """The brevet or a CAP counts when it is named next to the level reached."""
    assert parse_diplome(text, expecting=True) == expected


@pytest.mark.parametrize(
    "text", ["la première", "attends une seconde", "non en fait j'ai 18 ans", "la 1ere stp"]
)
def test_not_every_ordinal_is_a_level(text: str) -> None:
    """ "la première" (a result) or "une seconde" (a moment) are not diploma answers."""
    assert parse_diplome(text, expecting=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bac s", "bac"),
        ("bac es", "bac"),
        ("bac l", "bac"),
        ("bac pro", "bac"),
        ("bac techno", "bac"),
        ("g le bac sti2d", "bac"),
        ("bts sio", "bac_plus_2"),
        ("bts ndrc", "bac_plus_2"),
        ("jai un bts sio option slam", "bac_plus_2"),
        ("licence", "bac_plus_3"),
        ("licence pro", "bac_plus_3"),
    ],
)
def test_named_diplomas_of_this_audience(text: str, expected: str) -> None:
    """Bac series, BTS with their option and licence give their level, asked or not."""
    assert parse_diplome(text) == expected
    assert parse_diplome(text, expecting=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pas à distance", False),
        ("je veux pas a distance, sur place a bordeaux", False),
        ("jveu pa de distanciel", False),
        ("à distance non merci", False),
        ("sans visio stp", False),
        ("j'aime pas trop les cours en ligne", False),
        ("je prefere pas a distance", False),
        ("a distance c pas pour moi", False),
        ("sur place", False),
        ("a distance ca me va", True),
        ("pas de souci pour le distanciel", True),
        ("ok en ligne pas de probleme", True),
    ],
)
def test_distance_learning_refused_or_accepted(text: str, expected: bool) -> None:
    """A refused distance learning ("pas à distance", "à distance non merci") is False."""
    assert parse_distanciel(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pas l'info", []),
        ("l'info c pas pour moi", []),
        ("je veux pas faire d'informatique", []),
        ("pas l'info, plutot le graphisme", ["design"]),
        ("jkiffe l'info", list(GENERIC_IT_DOMAINS)),
    ],
)
def test_refused_it_is_not_an_interest(text: str, expected: list[str]) -> None:
    """ "pas l'info" is no interest in IT; "l'info" alone still is."""
    assert sorted(parse_interets(text)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data analyst", ["data"]),
        ("admin système", ["reseaux_systemes"]),
        ("technicien de maintenance", ["support_informatique"]),
        ("médiateur numérique", ["mediation_numerique"]),
        ("testeur", ["test_logiciel"]),
        ("développeur", ["developpement"]),
        ("je veux devenir développeuse web", ["developpement"]),
        (
            "plutot technicien de maintenance ou admin sys",
            ["reseaux_systemes", "support_informatique"],
        ),
    ],
)
def test_jobs_named_instead_of_interests(text: str, expected: list[str]) -> None:
    """A job named instead of an interest gives the job's domain."""
    assert parse_interets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jai jamais rien eu comme diplome", "aucun"),
        ("pas eu de diplome moi", "aucun"),
        ("g pas obtenu de diplome", "aucun"),
        ("jai juste mon bvet", "brevet"),
    ],
)
def test_no_diploma_and_brevet_spellings_without_the_question(text: str, expected: str) -> None:
    """ "jamais rien eu comme diplôme", "pas eu de diplôme", "bvet" decide on their own."""
    assert parse_diplome(text) == expected


def test_a_nephew_of_fifteen_is_not_an_age_in_the_past() -> None:
    """ "mon neveu a quinze ans": "neveu a" is not "eu à" (an age in the past)."""
    assert parse_age("Mon neveu a quinze ans et il est en troisième.") == 15


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jsuis a echirolles g arreter le bac pro en terminale", "decrocheur"),
        ("g 42 ans et chui au foyer depuis 10 ans", "autre"),
        ("trente deux ans, ouvrier a lusine vers dunkerque", "salarie"),
    ],
)
def test_situations_written_this_way(text: str, expected: str) -> None:
    """A bac pro stopped, staying at home, a factory worker: the present situation."""
    assert parse_situation(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jaime trop faire des visuels", ["design"]),
        ("jaimerais aider les mamies avec internet", ["mediation_numerique"]),
        ("Je m'intéresse à la sécurité des systèmes d'information.", ["cybersecurite"]),
        ("jaimerais animer des ateliers numeriques", ["mediation_numerique"]),
    ],
)
def test_interests_written_this_way(text: str, expected: list[str]) -> None:
    """Visuals, helping grannies, information systems security: their domains."""
    assert parse_interets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # words of other facts are no interest
        ("j'ai 44 ans pour info", []),
        ("Mon code postal c'est 76000", []),
        ("installer des réseaux", ["reseaux_systemes"]),
        # the apps a designer or a tester works on are not a wish to develop them
        ("le design d'applis", ["design"]),
        ("testeur de jeux et d'applis", ["test_logiciel"]),
        ("des applis et du design", ["developpement", "design"]),
        ("apprendre l'informatique aux gens", ["mediation_numerique"]),
    ],
)
def test_interests_as_the_simulator_found_them(text: str, expected: list[str]) -> None:
    """Cases the conversation simulator found (docs/simulation.md): the final profile
    had the wrong interests."""
    assert parse_interets(text) == expected
