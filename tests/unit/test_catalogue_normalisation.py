"""Normalisation rules of catalogue sources (`bot.catalogue.normalisation`) and the
catalogue row builder (`bot.catalogue.rows`), shared by the import and the knowledge build."""

from __future__ import annotations

import pytest

from bot.catalogue import normalisation
from bot.catalogue.rows import place_fields, schema_row
from bot.catalogue.validation import SCHEMA_FIELDS
from bot.contract import COUTS

ROME_ROWS = [
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1855"},
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1805"},
    {"metier_cible": "developpeur_web_mobile", "code_fiche": "M1855"},
    {"metier_cible": "mediateur_numerique", "code_fiche": "G1238"},
    {"metier_cible": "community_manager", "code_fiche": "E1101"},
]


@pytest.mark.parametrize(
    "texts, expected",
    [
        (("Développeur Web, Intégrateur web",), ["developpement"]),
        (("Développeur test logiciel",), ["developpement", "test_logiciel"]),
        (("Administrateur réseaux",), ["reseaux_systemes"]),
        (("Architecte en technologie numérique",), ["reseaux_systemes"]),
        (("Technicien de maintenance informatique",), ["support_informatique"]),
        (("Help Desk",), ["support_informatique"]),
        (("Data analyst",), ["data"]),
        (("Data Security Helper (cybersécurité)",), ["cybersecurite"]),
        (("Animation 3D",), ["design"]),
        (
            ("Community manager, Technicien de maintenance informatique",),
            ["support_informatique", "communication_digitale"],
        ),
        (("Journaliste digital", "journalisme digital"), ["communication_digitale"]),
        (
            ("Gestionnaire de contenus et de communautés (web)",),
            ["developpement", "communication_digitale"],
        ),
        (("Médiateur numérique",), ["mediation_numerique"]),
        (("Référent numérique", "E-démonstrateur"), ["mediation_numerique"]),
        (("Forgeur numérique",), ["mediation_numerique"]),
        (("Maker",), ["mediation_numerique"]),
        (("", "La FabNum"), ["mediation_numerique"]),
        (("Développeur (code)",), ["developpement"]),
        (("Développeur full-stack",), ["developpement"]),
        (("Assistant(e) de gestion", "option numérisation"), []),
        (("pas de métier", "pépinière du numérique"), []),
        (("Métiers du numérique (projet d'emploi, de création d'activité)",), []),
    ],
)
def test_domains_from_text(texts: tuple[str, ...], expected: list[str]) -> None:
    """Job and course titles map to the right catalogue domains, or to none."""
    assert normalisation.domains_from_text(*texts) == expected


def test_rome_codes() -> None:
    """Domains map to the ROME codes present in the ROME file, sorted."""
    assert normalisation.rome_codes(["developpement"], ROME_ROWS) == ["M1805", "M1855"]
    assert normalisation.rome_codes(
        ["mediation_numerique", "communication_digitale"], ROME_ROWS
    ) == [
        "E1101",
        "G1238",
    ]
    assert (
        normalisation.rome_codes(["data"], ROME_ROWS) == []
    )  # only codes present in the ROME file


@pytest.mark.parametrize(
    "text, months",
    [
        ("4 mois", 4.0),
        ("3 mois et demi", 3.5),
        ("1 an", 12.0),
        ("3 ans", 36.0),
        ("2 ans (dont une année d'alternance selon 01net)", 24.0),
        ("13 jours", 0.6),
        ("24 mois", 24.0),
        ("inconnu", None),
        ("", None),
        (None, None),
        ("Un peu moins de 9 mois, 1 000 heures", 9.0),
        ("6 mois (30 h par semaine sur 4 jours) puis 3 mois de stage", 6.0),
        ("4 mois (cycle court)", 4.0),
    ],
)
def test_parse_duree(text: str | None, months: float | None) -> None:
    """Free-text durations in days, months or years become a number of months."""
    assert normalisation.parse_duree(text) == months


@pytest.mark.parametrize(
    "text, cout",
    [
        ("gratuit", "gratuit"),
        ("gratuite", "gratuit"),
        ("payant", "payant"),
        ("payante", "payant"),
        ("payante en fonction du quotien familial", "payant"),
        ("alternance", "remunere"),
        ("CDDI", "remunere"),
        ("formation conventionné par la région île de france", "finance"),
        ("Gratuit ; apprenants rémunérés (environ 1 100 € net par mois)", "remunere"),
        ("Financée à 80 % par l'État grâce au label GEN", "finance"),
        ("Gratuit (entièrement financée par la Région Occitanie)", "gratuit"),
        ("Gratuite pour les apprenants (financement Région Grand Est)", "gratuit"),
        ("", "inconnu"),
        (None, "inconnu"),
    ],
)
def test_parse_cout(text: str | None, cout: str) -> None:
    """Free-text cost descriptions become one of the catalogue cost values."""
    assert normalisation.parse_cout(text) == cout
    assert cout in COUTS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aucun diplôme formellement exigé", ("aucun", None)),
        ("Aucun diplôme requis ; tests d'apprentissage du code en ligne", ("aucun", None)),
        ("Avec ou sans diplôme", ("aucun", None)),
        ("Sans niveau prérequis", ("aucun", None)),
        ("Aucun prérequis", ("aucun", None)),
        ("Sans condition de diplôme", ("aucun", None)),
        ("Non-bacheliers", (None, "cap_bep")),
        ("Sélection sur la motivation et la passion", (None, None)),
        ("", (None, None)),
    ],
)
def test_prerequis_diplomas(text: str, expected: tuple[str | None, str | None]) -> None:
    """Free-text prerequisites map to the minimum and maximum diplomas."""
    assert normalisation.prerequis_diplomas(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jeunes décrocheurs", (["decrocheur"], None, None)),
        (
            "Décrocheurs, jeunes sans emploi et sans diplôme ; élèves de la CALL",
            (["decrocheur", "demandeur_emploi"], None, None),
        ),
        ("demandeurs d'emploi", (["demandeur_emploi"], None, None)),
        ("Jeunes de 18 à 25 ans sortis du système scolaire sans le bac", (["decrocheur"], 18, 25)),
        ("Hommes et femmes de 19 à 57 ans dans la 1re promotion", ([], 19, 57)),
        (
            "Jeunes demandeurs d'emploi de moins de 26 ans éloignés de l'emploi",
            (["demandeur_emploi"], None, 25),
        ),
        ("Jeunes NEET de 18 à 25/26 ans sans emploi", (["decrocheur", "demandeur_emploi"], 18, 26)),
        ("En priorité moins de 25 ans peu ou pas diplômés", ([], None, None)),
        ("Surtout personnes en reconversion et décrocheurs scolaires", ([], None, None)),
        ("Tous profils : jeunes en décrochage (moyenne d'âge 29 ans)", ([], None, None)),
        (
            "Personnes sorties du système scolaire, demandeurs d'emploi, personnes en reconversion",
            ([], None, None),
        ),
        ("Jeunes 16-25 ans", ([], 16, 25)),
        ("24 adultes", ([], None, None)),
        ("", ([], None, None)),
    ],
)
def test_sourced_public(text: str, expected: tuple[list[str], int | None, int | None]) -> None:
    """Sourced public texts yield a target public and an age range only when explicit."""
    assert normalisation.sourced_public(text) == expected


def test_text_helpers() -> None:
    """Year, source name, job list, text cleaning and web-site helpers parse their inputs."""
    assert normalisation.split_metiers("Développeur Web, Intégrateur web") == [
        "Développeur Web",
        "Intégrateur web",
    ]
    assert normalisation.split_metiers("pas de métier") == []
    assert normalisation.clean_text("Technicien Supérieur Réseau\nInformatique") == (
        "Technicien Supérieur Réseau Informatique"
    )
    assert normalisation.web_site("") is None
    assert normalisation.web_site("http://simplon.co/") == "http://simplon.co/"
    assert normalisation.fold("Île-de-France, CYBER sécurité") == "ile de france cyber securite"


def test_schema_row_is_built_in_schema_order() -> None:
    """The one row builder gives every schema field, in SCHEMA.md order, and derives the
    ROME codes, the duration in months and the cost code."""
    row = schema_row(
        row_id="x-001",
        intitule="Développeur web",
        organisme=None,
        metiers=["Développeur web"],
        domaines=["developpement"],
        rome_rows=ROME_ROWS,
        place=place_fields(None, None),
        a_distance=True,
        duree_texte="3 mois et demi",
        cout_texte="Gratuit",
        diplomes=("aucun", None),
        ages=(18, None),
        public_texte=None,
        public_cible=[],
        certification=None,
        label_gen_annee=None,
        site=None,
        source={"nom": "Test", "reference": None, "confiance": None},
        date_donnees="2024",
        brut={},
    )
    assert list(row) == list(SCHEMA_FIELDS)
    assert (row["rome"], row["duree_mois"], row["cout"]) == (["M1805", "M1855"], 3.5, "gratuit")
