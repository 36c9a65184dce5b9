"""Tests of bot.presentation with the real French texts of domain.yml."""

from __future__ import annotations

import ast
import datetime as dt
import math
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import recommend
from bot.catalogue.validation import validate_files
from bot.contract import COUTS, DIPLOMES, DOMAINES, PROFILE_SLOTS, SITUATIONS
from bot.exploration import DEFAULT_DOMAINS
from bot.geo import EARTH_RADIUS_KM
from bot.presentation import (
    EDITEURS,
    SOURCES_NOMMEES,
    Texts,
    aide,
    annonce,
    annonce_alternative,
    carte,
    detail,
    nombre_formations,
    payload,
    payload_formation,
    que_faire,
    raison_texte,
    reponse_critere,
    source_publique,
    suite,
)
from bot.recommend import Profil, Raison, Recommandation, Reponse, Resultat, evaluer
from tests.support.factories import DISTANCE_ONLY, make_formation
from tests.support.texts import internal_strings

ROOT = Path(__file__).resolve().parents[2]
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
ROUBAIX = (50.69421, 3.17456)

FORMATION_KEYS = {
    "id",
    "intitule",
    "organisme",
    "commune",
    "departement",
    "distance_km",
    "a_distance",
    "duree",
    "cout",
    "public",
    "domaines",
    "rome",
    "certification",
    "eligible",
    "score",
    "raisons",
    "blocages",
    "source",
    "site",
}


def load_responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


@pytest.fixture(scope="module")
def responses() -> dict[str, list[dict[str, Any]]]:
    return load_responses()


@pytest.fixture(scope="module")
def t(responses: dict[str, list[dict[str, Any]]]) -> Texts:
    return Texts(responses)


def km_south_of_roubaix(km: float) -> dict[str, float]:
    return {"lat": ROUBAIX[0] - km / KM_PER_DEGREE, "lon": ROUBAIX[1]}


def person(**overrides: Any) -> Profil:
    values: dict[str, Any] = {
        "situation": "decrocheur",
        "diplome": "aucun",
        "age": 19.0,
        "commune": "Roubaix",
        "lat": ROUBAIX[0],
        "lon": ROUBAIX[1],
        "interets": ("developpement",),
    }
    values.update(overrides)
    return Profil(**values)


def result(km: float = 8.0, who: Profil | None = None, **overrides: Any) -> Resultat:
    """A training `km` from Roubaix, evaluated for a 19-year-old dropout in Roubaix."""
    fields: dict[str, Any] = {
        "diplome_min": "aucun",
        "public_cible": [],
        "commune": "Lille",
        "departement": "59",
        **km_south_of_roubaix(km),
    }
    fields.update(overrides)
    return evaluer(who or person(), make_formation(**fields))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --- payload ---------------------------------------------------------------------------------


def test_payload_shape(t: Texts) -> None:
    """payload has the contract keys: type, the profile slots and one item per result."""
    slots = {"situation": "decrocheur", "age": 19.0, "commune": "Roubaix", "requested_slot": "x"}
    r = result()
    out = payload(t, slots, [r], None)
    assert out["type"] == "recommandations"
    assert {"type", "profil", "formations"} <= set(out)
    assert set(out) - {"type", "profil", "formations"} <= {"alternative"}
    assert list(out["profil"]) == list(PROFILE_SLOTS)
    assert out["profil"]["situation"] == "decrocheur"
    assert out["profil"]["diplome"] is None
    assert "requested_slot" not in out["profil"]
    assert len(out["formations"]) == 1
    assert FORMATION_KEYS <= set(out["formations"][0])
    assert set(out["formations"][0]) - FORMATION_KEYS <= {
        "date_donnees",
        "rang",
        "textes",
        "liens",
        "details_payload",
    }


def test_payload_ranks_and_display_texts(t: Texts) -> None:
    """Items carry their shown rank, the detail button payload for that rank and the
    French display strings of the text card, so rich channels need no French of their own."""
    out = payload(t, {}, [result(km=8.0), result(km=0.2)], None, premier_rang=6)
    first, second = out["formations"]
    assert (first["rang"], second["rang"]) == (6, 7)
    assert second["details_payload"] == '/demander_details{"rang": "7"}'
    card = carte(t, result(km=8.0), 6)
    assert first["textes"] == {
        k: card[k] for k in ("organisme", "lieu", "duree", "cout", "public", "source")
    }
    assert first["textes"]["cout"] == t.get("libelle_cout_gratuit")
    assert "8 km" in first["textes"]["lieu"]


def test_payload_item_values(t: Texts) -> None:
    """A payload item copies the training and result values (JSON-friendly types)."""
    r = result(km=8.0, organisme=None, site="https://simplon.co")
    item = payload_formation(t, r)
    f = r.formation
    assert item["id"] == f.id
    assert item["intitule"] == "Développeur web et web mobile"
    assert item["organisme"] is None
    assert item["commune"] == "Lille" and item["departement"] == "59"
    assert item["distance_km"] == pytest.approx(8.0, abs=0.05)
    assert item["a_distance"] is False
    assert item["duree"] == "7 mois"
    assert item["cout"] == "gratuit"
    assert item["public"] == "Demandeurs d'emploi"
    assert item["domaines"] == ["developpement"] and isinstance(item["domaines"], list)
    assert item["rome"] == ["M1805"] and isinstance(item["rome"], list)
    assert item["certification"] == "certifiante"
    assert item["eligible"] is True
    assert item["score"] == r.score
    assert item["source"] == "source publique relevée par Cap Num, 2016"
    assert item["site"] == "https://simplon.co"
    assert item["blocages"] == []
    assert item["raisons"] == [
        "correspond à ton intérêt pour le développement (créer des sites et des applis)",
        "à 8 km de Roubaix",
        "ouverte à ton âge (dès 18 ans)",
        "accessible sans diplôme",
        "gratuite",
    ]


def test_payload_alternative_and_blocked_item(t: Texts) -> None:
    """A blocked alternative is marked not eligible; its blocking reason is in French on
    the public line, not among the reasons it is proposed for."""
    r = result(age_min=26)
    out = payload(t, {}, [r], "non_eligible")
    assert out.get("alternative") == "non_eligible"
    item = out["formations"][0]
    assert item["eligible"] is False
    assert "à partir de 26 ans" not in item["raisons"]
    assert item["blocages"] == ["à partir de 26 ans"]
    assert item["textes"]["public"].endswith(
        "⛔ D'après tes réponses, elle ne t'est pas ouverte : à partir de 26 ans"
    )


# --- cards -------------------------------------------------------------------------------------


def test_carte_fills_card_template(t: Texts, responses: dict[str, Any]) -> None:
    """carte gives every variable of utter_formation_carte, in French."""
    variables = carte(t, result(km=8.0), 2)
    template = responses["utter_formation_carte"][0]["text"]
    assert placeholders(template) <= set(variables)
    text = template.format(**variables)
    assert "2. **Développeur web et web mobile** – Simplon" in text
    assert variables["lieu"] == "Lille (59), à 8 km"
    assert variables["cout"] == "gratuit"
    assert variables["duree"] == "7 mois"
    assert variables["public"] == "Demandeurs d'emploi – dès 18 ans"
    assert variables["raisons"] == (
        "correspond à ton intérêt pour le développement (créer des sites et des applis), "
        "à 8 km de Roubaix, ouverte à ton âge (dès 18 ans), accessible sans diplôme, gratuite"
    )
    assert variables["date_donnees"] == "2016"
    assert variables["source"] == "source publique relevée par Cap Num, 2016"


@pytest.mark.parametrize(
    "overrides, field, expected",
    [
        ({"organisme": None}, "organisme", "organisme non précisé par la source"),
        ({"duree_texte": None, "duree_mois": None}, "duree", "Durée non précisée"),
        ({"duree_texte": "inconnu", "duree_mois": None}, "duree", "Durée non précisée"),
        ({"cout": "payant"}, "cout", "payant (des financements peuvent exister)"),
        ({"cout": "inconnu"}, "cout", "non précisé (à demander à l'organisme)"),
        ({"public_texte": None, "age_min": None}, "public", "public non précisé par la source"),
        ({"public_texte": "tout public", "age_min": None}, "public", "tout public"),
        ({"public_texte": None, "age_min": 16, "age_max": 25}, "public", "de 16 à 25 ans"),
        ({"public_texte": None, "age_min": None, "age_max": 29}, "public", "jusqu'à 29 ans"),
    ],
)
def test_carte_fields(t: Texts, overrides: dict[str, Any], field: str, expected: str) -> None:
    """Missing or coded training fields are shown with their French wording."""
    assert carte(t, result(**overrides), 1)[field] == expected


def test_remote_only_card(t: Texts) -> None:
    """A distance-only training (no commune) is shown "à distance" with its reason."""
    r = result(
        **DISTANCE_ONLY,
    )
    variables = carte(t, r, 1)
    assert variables["lieu"] == "à distance"
    assert "peut se suivre à distance" in variables["raisons"]
    assert payload_formation(t, r)["distance_km"] is None


def test_place_without_person_position(t: Texts) -> None:
    """Without the person's coordinates, the card shows the town without a distance."""
    r = result(who=person(lat=None, lon=None))
    assert carte(t, r, 1)["lieu"] == "Lille (59)"


def test_same_town_is_said_plainly(t: Texts) -> None:
    """Under 1 km the card and the reason say "dans ta ville", not "à 0 km"."""
    r = result(km=0.4)
    assert carte(t, r, 1)["lieu"].endswith("dans ta ville")
    (reason,) = [x for x in r.raisons if x.code == "distance"]
    assert raison_texte(t, reason) == "dans ta ville (Roubaix)"


@pytest.mark.parametrize("km", [1.2, 7.47, 12.5, 13.46, 21.51, 29.49])
def test_card_distance_matches_reason(t: Texts, km: float) -> None:
    """The km shown in the place line and in the distance reason are the same number."""
    r = result(km=km)
    lieu_km = carte(t, r, 1)["lieu"].rsplit("à ", 1)[1]
    (reason,) = [x for x in r.raisons if x.code == "distance"]
    assert raison_texte(t, reason) == f"à {lieu_km} de Roubaix"


def test_detail_fills_detail_template(t: Texts, responses: dict[str, Any]) -> None:
    """detail gives every variable of utter_detail_formation, in French."""
    r = result(metiers=["Développeur web", "Intégrateur"], diplome_min="cap_bep")
    variables = detail(t, r)
    template = responses["utter_detail_formation"][0]["text"]
    # `aide` (who can help, by age) is added by the action.
    assert placeholders(template) <= set(variables) | {"aide"}
    template.format(**variables, aide="France Travail")
    assert variables["metiers"] == "Développeur web, Intégrateur"
    assert variables["rome"] == "M1805"
    assert variables["niveau"] == "CAP ou BEP"
    assert variables["certification"] == "certifiante"
    assert variables["label"] == "labellisée en 2016"
    assert variables["site"] == "https://simplon.co"


def test_detail_unknowns(t: Texts) -> None:
    """Unknown detail fields read "non précisé", agreeing with the field."""
    r = result(
        metiers=[],
        rome=[],
        diplome_min=None,
        certification=None,
        label_gen_annee=None,
        site=None,
        organisme=None,
    )
    variables = detail(t, r)
    for field in ("niveau", "label", "site"):
        assert variables[field] == "non précisé", field
    assert variables["certification"] == "non précisée"
    assert variables["metiers"] == variables["rome"] == "non précisés"
    assert variables["organisme"] == "organisme non précisé par la source"


# --- reasons -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raison, prefix, expected",
    [
        (Raison("sans_diplome"), "raison_", "accessible sans diplôme"),
        (Raison("distance", {"km": 8, "commune": "Roubaix"}), "raison_", "à 8 km de Roubaix"),
        (
            Raison("interet", {"domaine": "developpement"}),
            "raison_",
            "correspond à ton intérêt pour le développement (créer des sites et des applis)",
        ),
        (
            Raison("interet_voisin", {"domaine": "design"}),
            "raison_",
            "proche de ce qui te plaît (le design et le graphisme)",
        ),
        (
            Raison("niveau_ok", {"diplome": "bac"}),
            "raison_",
            "ton diplôme suffit (niveau demandé : bac)",
        ),
        (
            Raison("age_ok", {"age_min": 16, "age_max": 25}),
            "raison_",
            "ouverte à ton âge (de 16 à 25 ans)",
        ),
        (
            Raison("age_ok", {"age_min": 18, "age_max": None}),
            "raison_",
            "ouverte à ton âge (dès 18 ans)",
        ),
        (Raison("age_min", {"age_min": 26}), "blocage_", "à partir de 26 ans"),
        (Raison("age_max", {"age_max": 25}), "blocage_", "jusqu'à 25 ans"),
        (Raison("diplome_min", {"diplome": "bac"}), "blocage_", "demande au moins : bac"),
        (
            Raison("public_reserve", {"publics": ["demandeur_emploi", "decrocheur"]}),
            "blocage_",
            "réservée à : demandeurs d'emploi, jeunes qui ont arrêté l'école",
        ),
    ],
)
def test_raison_texte(t: Texts, raison: Raison, prefix: str, expected: str) -> None:
    """Reason codes are rendered as plain French with their parameters."""
    assert raison_texte(t, raison, prefix=prefix) == expected


def _appended_to(tree: ast.AST, name: str) -> set[int]:
    """Ids of the nodes appended to the list called `name`."""
    calls = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            calls.update(id(a) for a in node.args)
    return calls


def _reason_codes_in_recommend() -> tuple[set[str], set[str], int]:
    """(positive codes, blocking codes, number of Raison calls with a computed code);
    the codes of restrictions to check are apart (`_check_codes_in_recommend`)."""
    positive, blocking, _, computed = _codes_in_recommend()
    return positive, blocking, computed


def _check_codes_in_recommend() -> set[str]:
    """Codes of the restrictions to check (appended to `verifier`)."""
    return _codes_in_recommend()[2]


def _codes_in_recommend() -> tuple[set[str], set[str], set[str], int]:
    tree = ast.parse(Path(recommend.__file__).read_text(encoding="utf-8"))
    blocking_calls = _appended_to(tree, "bloque")
    check_calls = _appended_to(tree, "verifier")
    positive: set[str] = set()
    blocking: set[str] = set()
    checks: set[str] = set()
    computed = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Raison":
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if id(node) in blocking_calls:
                    blocking.add(arg.value)
                elif id(node) in check_calls:
                    checks.add(arg.value)
                else:
                    positive.add(arg.value)
            else:
                computed += 1
    return positive, blocking, checks, computed


def _cost_reason_codes() -> set[str]:
    """Reason codes that the cost of a training produces (computed codes)."""
    found: set[str] = set()
    for cout in COUTS:
        r = evaluer(Profil(), make_formation(cout=cout))
        found.update(x.code for x in r.raisons if x.code in COUTS)
    return found


def test_reason_code_scan_finds_codes() -> None:
    """The scan of recommend.py finds the known codes (guards the fragment test below)."""
    positive, blocking, computed = _reason_codes_in_recommend()
    assert {"interet", "distance", "sans_diplome", "age_ok", "public"} <= positive
    assert blocking == {"age_min", "age_max", "diplome_min", "diplome_max", "public_reserve"}
    # Only the cost reason is computed; a new computed code must be listed here.
    assert computed == 1
    assert _cost_reason_codes() == {"gratuit", "remunere", "finance"}


def test_every_reason_code_has_a_fragment(responses: dict[str, Any]) -> None:
    """Every reason code recommend.py can produce has a raison_/blocage_ domain fragment."""
    positive, blocking, _ = _reason_codes_in_recommend()
    missing = [
        f"raison_{c}"
        for c in sorted(positive | _cost_reason_codes())
        if f"raison_{c}" not in responses
    ]
    missing += [f"blocage_{c}" for c in sorted(blocking) if f"blocage_{c}" not in responses]
    checks = _check_codes_in_recommend()
    assert {"verifier_age", "verifier_public", "verifier_residence"} <= checks
    missing += [f"alerte_{c}" for c in sorted(checks) if f"alerte_{c}" not in responses]
    assert missing == []


@pytest.mark.parametrize(
    "prefix, codes",
    [
        ("libelle_domaine_", DOMAINES),
        ("libelle_diplome_", DIPLOMES),
        ("libelle_situation_", SITUATIONS),
        ("libelle_cout_", COUTS),
    ],
)
def test_every_canonical_code_has_a_label(
    responses: dict[str, Any], prefix: str, codes: tuple[str, ...]
) -> None:
    """Every canonical domain, diploma, situation and cost code has a French label."""
    assert [c for c in codes if f"{prefix}{c}" not in responses] == []


# (person overrides, training overrides): together they produce every reason code.
RENDER_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"age_min": 16, "age_max": 25, "public_cible": ["decrocheur"], "cout": "remunere"}),
    ({"diplome": "bac"}, {"diplome_min": "cap_bep", "cout": "finance", "a_distance": True}),
    ({"interets": ("design",)}, {"domaines": ["developpement"]}),
    ({"age": 30.0}, {"age_max": 25, "diplome_min": "bac", "public_cible": ["salarie"]}),
    ({"age": 15.0, "diplome": "bac_plus_3"}, {"age_min": 16, "diplome_max": "aucun"}),
    ({"interets": DEFAULT_DOMAINS, "interets_par_defaut": True}, {}),
    ({"aujourdhui": dt.date(2026, 12, 7)}, {"sessions": [{"debut": "2027-03-01", "fin": None}]}),
]


@pytest.mark.parametrize("who, overrides", RENDER_CASES)
def test_every_produced_reason_renders(
    t: Texts, who: dict[str, Any], overrides: dict[str, Any]
) -> None:
    """Reasons produced by evaluer render fully (no placeholder or None left)."""
    r = result(who=person(**who), **overrides)
    item = payload_formation(t, r)
    texts = item["raisons"]
    assert len(texts) == len(r.raisons)
    for text in texts:
        assert text and "{" not in text and "None" not in text
    public = item["textes"]["public"]
    assert "{" not in public and "None" not in public
    for blocage in r.blocages:
        assert raison_texte(t, blocage, prefix="blocage_") in public


def test_all_reason_codes_are_exercised() -> None:
    """The rendering cases above cover every code recommend.py can produce."""
    positive, blocking, _ = _reason_codes_in_recommend()
    seen: set[str] = set()
    for who, overrides in RENDER_CASES:
        r = result(who=person(**who), **overrides)
        seen.update(x.code for x in r.raisons + r.blocages)
    assert positive | blocking | _cost_reason_codes() <= seen


# --- Texts ---------------------------------------------------------------------------------------


def test_texts_missing_response_raises(t: Texts) -> None:
    """A missing fragment raises KeyError naming it."""
    with pytest.raises(KeyError, match="raison_inexistante"):
        t.get("raison_inexistante")


def test_texts_from_domain(responses: dict[str, Any]) -> None:
    """Texts.from_domain reads the `responses` of a domain dict and formats variables."""
    t = Texts.from_domain({"responses": responses})
    assert t.get("raison_distance", km=3, commune="Lille") == "à 3 km de Lille"


# --- human wording ---------------------------------------------------------------------------


def test_internal_string_detector() -> None:
    """The detector finds what leaked before (ids, repo paths, hashes, "(s)", "15.0 km")."""
    leaked = (
        "GitHub (fichier indexé, find_string id 29016143252 ; dépôt non identifié), "
        "github.com/fabienoger/mtn-app "
        "imports/api/formations/liste_formation_GEN_IDF.json@99962b94 "
        "1 formation(s), rayon de 15.0 km, None"
    )
    found = internal_strings(leaked)
    for piece in ("29016143252", "dépôt", "(s)", "15.0 km", "None", "find_string"):
        assert any(piece in f for f in found), piece
    assert any("99962b94" in f for f in found)
    fine = "Développeur Web/Mobile, de 18 à 25/26 ans, site : https://simplon.co/formations/web"
    assert internal_strings(fine) == []


@pytest.fixture(scope="module")
def catalogue_rows() -> list[Any]:
    records, errors = validate_files(sorted((ROOT / "knowledge" / "catalogue").glob("*.jsonl")))
    assert errors == [] and records
    return records


PEOPLE = [
    person(),
    person(age=None, situation=None, diplome=None, commune=None),
    person(
        age=26.0, diplome="bac", situation="salarie", departement="59", region="Hauts-de-France"
    ),
    person(lat=43.6, lon=1.44, commune="Toulouse", departement="31", region="Occitanie"),
    person(interets=DEFAULT_DOMAINS, interets_par_defaut=True),
]


def test_no_card_shows_internal_provenance(
    t: Texts, responses: dict[str, Any], catalogue_rows: list[Any]
) -> None:
    """No card, detail or payload text of any catalogue row, for varied people, shows an
    internal-looking string (hash, path, "dépôt", "None", ".0 km", "(s)")."""
    card = responses["utter_formation_carte"][0]["text"]
    fiche = responses["utter_detail_formation"][0]["text"]
    for who in PEOPLE:
        for row in catalogue_rows:
            r = evaluer(who, row)
            texts = [
                card.format(**carte(t, r, 1)),
                fiche.format(**detail(t, r), aide=aide(t, who.age)),
                *payload_formation(t, r)["textes"].values(),
                *payload_formation(t, r)["raisons"],
                payload_formation(t, r)["source"],
            ]
            for text in texts:
                assert internal_strings(text) == [], (row.id, text)


@pytest.mark.parametrize(
    "row_id, expected",
    [
        ("gen-idf-2016-001", "liste GEN Île-de-France de Mon Taff Numérique (Data for Good), 2016"),
        ("gen-reg-001", "site de la Région Hauts-de-France, 2017"),
        ("gen-reg-006", "FSE mag (Fonds social européen), 2018"),
        ("gen-reg-007", "pages publiées en ligne par des apprenants"),
        ("gen-reg-016", "Le Courrier des Yvelines, 2018"),
        ("gen-reg-019", "pages publiées en ligne par des apprenants, 2017"),
        ("gen-reg-047", "fiche de la Grande École du Numérique"),
        ("gen-reg-066", "France-Antilles, 2018"),
        ("gen-reg-020", "93600infos.fr, 2017"),
    ],
)
def test_sources_name_the_publisher_and_year(
    t: Texts, catalogue_rows: list[Any], row_id: str, expected: str
) -> None:
    """A card's source is its publisher and year in plain words, not the internal
    reference (search ids, repository paths, commit hashes)."""
    (row,) = [r for r in catalogue_rows if r.id == row_id]
    assert source_publique(t, row) == expected
    assert row.source_reference and source_publique(t, row) not in row.source_reference


def test_every_publisher_key_has_a_label(responses: dict[str, Any]) -> None:
    """Every publisher key of presentation.EDITEURS / SOURCES_NOMMEES has its label."""
    keys = [k for _, k in EDITEURS + SOURCES_NOMMEES] + ["apprenants", "document_en_ligne", "autre"]
    assert [k for k in keys if f"libelle_editeur_{k}" not in responses] == []


@pytest.mark.parametrize(
    "nombre, expected", [(1, "1 formation"), (3, "3 formations"), (12, "12 formations")]
)
def test_plural_of_formations(t: Texts, nombre: int, expected: str) -> None:
    """ "1 formation", "3 formations": never "formation(s)"."""
    assert nombre_formations(t, nombre) == expected


@pytest.mark.parametrize(
    "total, response",
    [
        (1, "utter_intro_resultat_unique"),
        (3, "utter_intro_resultats_toutes"),
        (14, "utter_intro_resultats"),
    ],
)
def test_intro_agrees_with_the_number(
    t: Texts, responses: dict[str, Any], total: int, response: str
) -> None:
    """The intro of the results agrees with how many there are and how many are shown."""
    liste = [result(km=float(k), intitule=f"F{k}") for k in range(total)]
    reco = Recommandation(liste, [], None)
    (message,) = annonce(t, person(), reco, liste, 0)
    assert message["response"] == response
    text = responses[response][0]["text"].format(**message)
    assert "(s)" not in text
    if total == 14:
        assert text == "J'ai trouvé 14 formations pour toi. Voici les 5 meilleures :"


def test_next_pages_say_which_results(t: Texts) -> None:
    """ "Voir plus" says which results it shows (6 to 10 of 12), not "les meilleures"."""
    liste = [result(km=float(k), intitule=f"F{k}") for k in range(12)]
    reco = Recommandation(liste, [], None)
    assert annonce(t, person(), reco, liste, 1) == [
        {"response": "utter_page_resultats", "debut": 6, "fin": 10, "nombre": 12}
    ]
    assert annonce(t, person(), reco, liste[:11], 2) == [
        {"response": "utter_page_resultats_derniere", "rang": 11, "nombre": 11}
    ]


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"public_texte": "16-25 ans", "age_min": 16, "age_max": 25}, "16-25 ans"),
        ({"public_texte": "- de 30 ans", "age_min": None, "age_max": 29}, "- de 30 ans"),
        ({"public_texte": "demandeur d'emploi", "age_min": 18}, "demandeur d'emploi – dès 18 ans"),
    ],
)
def test_one_age_band_not_two(t: Texts, overrides: dict[str, Any], expected: str) -> None:
    """The public line gives the age band once: the source's words when they already
    say it ("16-25 ans", not "16-25 ans – de 16 à 25 ans")."""
    assert carte(t, result(public_cible=[], **overrides), 1)["public"] == expected


@pytest.mark.parametrize(
    "km_away, training, expected",
    [
        (0.3, {}, "Lille (59), dans ta ville"),
        (12.4, {}, "Lille (59), à 12 km"),
        (45.0, {"departement": "59"}, "Lille (59), à 45 km, dans ton département"),
        (90.0, {"departement": "62", "commune": "Arras"}, "Arras (62), à 90 km, dans ta région"),
        (
            784.0,
            {"departement": "13", "commune": "Marseille", "region": "Provence-Alpes-Côte d'Azur"},
            "Marseille (13), à 784 km, loin de chez toi",
        ),
    ],
)
def test_place_line_has_honest_bands_in_whole_km(
    t: Texts, km_away: float, training: dict[str, Any], expected: str
) -> None:
    """The place line gives whole km and an honest band (never "15.0 km", never "un peu
    plus loin" for 784 km)."""
    who = person(departement="59", region="Hauts-de-France")
    assert carte(t, result(km=km_away, who=who, **training), 1)["lieu"] == expected


def test_restrictions_are_flagged_on_the_card(t: Texts) -> None:
    """A public chosen by residence, and restrictions the answers cannot settle, are
    flagged on the card ("À vérifier")."""
    r = result(
        public_texte="Décrocheurs ; élèves sélectionnés parmi les habitants de la CALL",
        public_cible=["demandeur_emploi"],
        who=person(situation=None),
    )
    public = carte(t, r, 1)["public"]
    first, flag = public.split("\n")
    assert first.startswith("Décrocheurs")
    assert flag.startswith("⚠️ À vérifier : ")
    assert "réservée à : demandeurs d'emploi" in flag
    assert "lieu d'habitation" in flag


@pytest.mark.parametrize(
    "age, mission_locale, jeune",
    [
        (20.0, True, True),
        (25.0, True, True),
        (26.0, False, True),
        (40.0, False, False),
        (None, None, True),
    ],
)
def test_help_by_age(
    t: Texts, responses: dict[str, Any], age: float | None, mission_locale: bool | None, jeune: bool
) -> None:
    """Nothing near: the next steps name the Mission locale only for 16-25 year olds (a
    26-year-old is not sent there), France Travail for everyone, "1 jeune 1 solution"
    for young people; distance learning when some exists."""
    reco = Recommandation([], [result(km=300.0)], "plus_loin", a_distance_possibles=2)
    message = que_faire(t, person(age=age), reco)
    text = responses["utter_que_faire"][0]["text"].format(**message)
    assert "France Travail" in text and "francetravail.fr" in text
    if mission_locale is None:
        assert "si tu as entre 16 et 25 ans" in text
    else:
        assert ("Mission locale" in text) is mission_locale
    assert ("1jeune1solution.gouv.fr" in text) is jeune
    assert "2 formations de ce domaine se suivent à distance" in text
    one = que_faire(t, person(age=age), Recommandation([], [], "plus_loin", a_distance_possibles=1))
    assert "1 formation de ce domaine se suit à distance" in one["etapes"]
    accepted = que_faire(t, person(age=age, distanciel=True), reco)
    assert "à distance" not in accepted["etapes"]
    warning = suite(t, person(age=age), Recommandation([result()], [], None), 0)[0]
    assert warning["response"] == "utter_avertissement_donnees"
    assert ("Mission locale" in warning["aide"] and "si tu as" not in warning["aide"]) is bool(
        mission_locale
    )


def test_nothing_near_is_said_plainly_with_the_real_distance(
    t: Texts, responses: dict[str, Any]
) -> None:
    """Nothing in the radius: "Rien près de chez toi", the radius in whole km and how
    far the nearest really is (far away, not "un peu plus loin")."""
    who = person(rayon_km=15.0, departement="23", region="Nouvelle-Aquitaine", commune="Guéret")
    far = result(km=482.0, who=who, departement="59", region="Hauts-de-France")
    message = annonce_alternative(t, who, Recommandation([], [far], "plus_loin"))
    text = responses[message["response"]][0]["text"].format(**message)
    assert text.startswith(
        "Rien près de chez toi : aucune formation de ce domaine à moins de 15 km de Guéret."
    )
    assert "loin de chez toi : à 482 km" in text
    for variants in responses.values():
        assert "un peu plus loin" not in variants[0].get("text", "")


@pytest.mark.parametrize(
    "critere, reponse, response, piece",
    [
        (
            "plus_pres",
            Reponse("rien_plus_pres"),
            "utter_rien_plus_pres_sans_distance",
            "moins de 15 km",
        ),
        (
            "plus_pres",
            Reponse("deja_plus_proches"),
            "utter_deja_plus_proches",
            "déjà les plus proches",
        ),
        (
            "plus_pres",
            Reponse("deja_plus_proches"),
            "utter_deja_plus_proches_sans_distance",
            "déjà les plus proches de chez toi.",
        ),
        ("plus_loin", Reponse("rien_de_plus_loin"), "utter_rien_de_plus_loin", "jusqu'à 15 km"),
        (
            "a_distance",
            Reponse("pas_de_distanciel"),
            "utter_pas_de_distanciel",
            "aucune formation à distance",
        ),
        ("plus_loin", Reponse("montrer", nouvelles=1), "utter_plus_loin", "1 formation de plus"),
    ],
)
def test_unchanged_results_are_explained(
    t: Texts, responses: dict[str, Any], critere: str, reponse: Reponse, response: str, piece: str
) -> None:
    """A change of criterion that changes nothing says why (nothing closer, nothing more,
    no distance learning), with whole km and agreed plurals."""
    who = person(rayon_km=15.0)
    if response == "utter_deja_plus_proches":
        reponse.plus_proche = result(km=0.2)
    message = reponse_critere(t, critere, reponse, who)
    assert message["response"] == response
    text = responses[response][0]["text"].format(**message)
    assert piece in text
    assert internal_strings(text) == []
    if response == "utter_deja_plus_proches":
        assert "dans ta ville" in text and "0 km" not in text


def test_nearest_known_distance_is_named(t: Texts, responses: dict[str, Any]) -> None:
    """ "Plus près" with nothing closer names the nearest training's distance and town."""
    reponse = Reponse("rien_plus_pres", plus_proche=result(km=482.0, commune="Maubeuge"))
    message = reponse_critere(t, "plus_pres", reponse, person(rayon_km=15.0, commune="Guéret"))
    text = responses[message["response"]][0]["text"].format(**message)
    assert text.endswith("La plus proche que je connaisse est à 482 km, à Maubeuge (59).")


def test_default_suggestions_are_announced_as_such(t: Texts, responses: dict[str, Any]) -> None:
    """The "je sais pas" defaults are announced as beginner suggestions, and the promised
    jobs with nothing near are named, instead of "ton intérêt pour"."""
    who = person(interets=DEFAULT_DOMAINS, interets_par_defaut=True)
    liste = [result(km=float(k), who=who, intitule=f"F{k}") for k in range(2)]
    messages = annonce(t, who, Recommandation(liste, [], None), liste, 0)
    assert [m["response"] for m in messages] == ["utter_intro_pistes", "utter_pistes_manquantes"]
    missing = responses["utter_pistes_manquantes"][0]["text"].format(**messages[1])
    assert "support informatique" in missing and "médiation numérique" in missing
    assert "développement" not in missing
    for r in liste:
        assert not any("ton intérêt" in x for x in payload_formation(t, r)["raisons"])
        assert "une piste pour débuter : le développement" in carte(t, r, 1)["raisons"]


def test_domain_wording_is_human() -> None:
    """The recommendation texts have no machine wording ("(s)", "inconnu" as a value,
    "un peu plus loin")."""
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in data["responses"].items():
        text = variants[0].get("text", "")
        assert "(s)" not in text, name
        assert "un peu plus loin" not in text, name
