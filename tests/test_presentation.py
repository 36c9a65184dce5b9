"""Tests of bot.presentation with the real French texts of domain/*.yml."""

from __future__ import annotations

import ast
import math
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import recommend
from bot.contract import COUTS, DIPLOMES, DOMAINES, PROFILE_SLOTS, SITUATIONS
from bot.geo import EARTH_RADIUS_KM
from bot.presentation import Texts, carte, detail, payload, payload_formation, raison_texte
from bot.recommend import Profil, Raison, Resultat, evaluer
from tests.factories import DISTANCE_ONLY, make_formation

ROOT = Path(__file__).resolve().parents[1]
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
    "source",
    "site",
}


def load_responses() -> dict[str, list[dict[str, Any]]]:
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            assert name not in responses, f"{name} defined twice"
            responses[name] = variants
    return responses


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
    assert item["source"] == "GEN 2016"
    assert item["site"] == "https://simplon.co"
    assert item["raisons"] == [
        "correspond à ton intérêt pour le développement (créer des sites et des applis)",
        "à 8 km de Roubaix",
        "ouverte à ton âge (dès 18 ans)",
        "accessible sans diplôme",
        "gratuite",
    ]


def test_payload_alternative_and_blocked_item(t: Texts) -> None:
    """A blocked alternative is marked not eligible and its blocking reason is in French."""
    r = result(age_min=26)
    out = payload(t, {}, [r], "non_eligible")
    assert out.get("alternative") == "non_eligible"
    item = out["formations"][0]
    assert item["eligible"] is False
    assert "à partir de 26 ans" in item["raisons"]


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
    assert variables["source"] == "GEN 2016"


@pytest.mark.parametrize(
    "overrides, field, expected",
    [
        ({"organisme": None}, "organisme", "organisme non précisé par la source"),
        ({"duree_texte": None, "duree_mois": None}, "duree", "non précisé"),
        ({"cout": "payant"}, "cout", "payant (des financements peuvent exister)"),
        ({"cout": "inconnu"}, "cout", "non précisé (à demander à l'organisme)"),
        ({"public_texte": None, "age_min": None}, "public", "tout public"),
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
    assert placeholders(template) <= set(variables)
    template.format(**variables)
    assert variables["metiers"] == "Développeur web, Intégrateur"
    assert variables["rome"] == "M1805"
    assert variables["niveau"] == "CAP ou BEP"
    assert variables["certification"] == "certifiante"
    assert variables["label"] == "labellisée en 2016"
    assert variables["site"] == "https://simplon.co"


def test_detail_unknowns(t: Texts) -> None:
    """Unknown detail fields read "non précisé"."""
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
    for field in ("metiers", "rome", "niveau", "certification", "label", "site"):
        assert variables[field] == "non précisé", field
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


def _reason_codes_in_recommend() -> tuple[set[str], set[str], int]:
    """(positive codes, blocking codes, number of Raison calls with a computed code)."""
    tree = ast.parse(Path(recommend.__file__).read_text(encoding="utf-8"))
    blocking_calls = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "bloque"
        ):
            blocking_calls.update(id(a) for a in node.args)
    positive: set[str] = set()
    blocking: set[str] = set()
    computed = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Raison":
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                (blocking if id(node) in blocking_calls else positive).add(arg.value)
            else:
                computed += 1
    return positive, blocking, computed


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
]


@pytest.mark.parametrize("who, overrides", RENDER_CASES)
def test_every_produced_reason_renders(
    t: Texts, who: dict[str, Any], overrides: dict[str, Any]
) -> None:
    """Reasons produced by evaluer render fully (no placeholder or None left)."""
    r = result(who=person(**who), **overrides)
    texts = payload_formation(t, r)["raisons"]
    assert len(texts) == len(r.raisons) + len(r.blocages)
    for text in texts:
        assert text and "{" not in text and "None" not in text


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
