"""SVG charts of the statistics: valid, accessible, CSP-safe, escaped, masked values kept apart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.statistiques.graphiques import Barre, barres_horizontales, colonnes

NS = "{http://www.w3.org/2000/svg}"
MASQUE = "Moins de 5 personnes"


def _arbre(svg: str) -> ET.Element:
    assert "<style" not in svg and " style=" not in svg
    return ET.fromstring(svg)


def _lignes(racine: ET.Element) -> list[ET.Element]:
    """The rows of a horizontal bar chart: one <g> per category."""
    return racine.findall(f"{NS}g")


def _textes(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text")]


def _barres() -> list[Barre]:
    return [
        Barre("Développement", 10, "10"),
        Barre("Bureautique", 5, "5"),
        Barre("Réseaux", None, "moins de 5"),
    ]


def _semaines(n: int, serie: str) -> list[Barre]:
    return [Barre(f"S{i + 1}", None if i % 4 == 2 else i, f"{serie}{i}") for i in range(n)]


def test_root_is_an_accessible_titled_image() -> None:
    """The root has role img, width 100%, and title/desc first, named by aria-labelledby."""
    sorties = [
        barres_horizontales("par-domaine", "Domaines", "Séances par domaine", _barres(), MASQUE),
        colonnes("par-semaine", "Semaines", "Séances par semaine", [("A", _semaines(5, "a"))], ""),
    ]
    for svg, id_ in zip(sorties, ("par-domaine", "par-semaine"), strict=True):
        racine = _arbre(svg)
        assert racine.tag == f"{NS}svg"
        assert racine.get("role") == "img" and racine.get("width") == "100%"
        assert racine.get("aria-labelledby") == f"{id_}-titre {id_}-desc"
        assert racine.get("font-family") == "sans-serif"
        titre, desc = list(racine)[:2]
        assert (titre.tag, titre.get("id")) == (f"{NS}title", f"{id_}-titre")
        assert (desc.tag, desc.get("id")) == (f"{NS}desc", f"{id_}-desc")
    assert "Séances par domaine" in sorties[0] and "Semaines" in sorties[1]


def test_bars_are_proportional_and_masked_category_has_no_bar() -> None:
    """A bar of 10 is twice as wide as a bar of 5; the masked one has its text but no rect."""
    racine = _arbre(barres_horizontales("d", "T", "D", _barres(), MASQUE))
    dix, cinq, masquee = _lignes(racine)
    largeur_dix = float(dix.find(f"{NS}rect").get("width"))
    largeur_cinq = float(cinq.find(f"{NS}rect").get("width"))
    assert largeur_dix > 0
    assert largeur_dix == pytest.approx(2 * largeur_cinq, abs=0.1)
    assert masquee.find(f"{NS}rect") is None
    assert "moins de 5" in _textes(masquee)
    assert masquee.find(f"{NS}title").text == "Réseaux : moins de 5"
    assert len(racine.findall(f".//{NS}rect")) == 2
    assert any(MASQUE in t for t in _textes(racine))


def test_masked_note_only_when_a_value_is_masked() -> None:
    """The caller's masked text is written only when some value is masked."""
    sans_masque = barres_horizontales("d", "T", "D", _barres()[:2], MASQUE)
    assert MASQUE not in sans_masque
    assert len(_lignes(_arbre(sans_masque))) == 2


def test_texts_are_escaped() -> None:
    """Labels, values, title and description with <&> stay text."""
    barres = [Barre("a <&> b", 3, "<3>")]
    for svg in (
        barres_horizontales("d", "x < y & z", "<desc>", barres, "<masque>"),
        colonnes("c", "x < y & z", "<desc>", [("<s>", barres)], "<masque>"),
    ):
        racine = _arbre(svg)
        assert racine.find(f"{NS}title").text == "x < y & z"
        assert racine.find(f"{NS}desc").text == "<desc>"
        assert "a <&> b" in _textes(racine)
        titres = [t.text for t in racine.iter(f"{NS}title")]
        assert any(t and t.endswith("a <&> b : <3>") for t in titres)


def test_long_label_is_truncated_in_drawing_but_full_in_title() -> None:
    """A long label ends with … in the drawing; the row's title keeps it whole."""
    long = "Développement web et mobile pour les débutants"
    ligne = _lignes(_arbre(barres_horizontales("d", "T", "D", [Barre(long, 7, "7")], "")))[0]
    libelle = _textes(ligne)[0]
    assert libelle.endswith("…") and len(libelle) < len(long)
    assert long.startswith(libelle[:-1])
    assert ligne.find(f"{NS}title").text == f"{long} : 7"


@pytest.mark.parametrize("court", [False, True])
def test_thirty_weeks_show_at_most_twelve_x_labels_first_and_last_included(court: bool) -> None:
    """Many weeks: x labels are thinned out, the first and the last always shown."""
    semaines = _semaines(30, "s")
    if court:  # one-character labels: the cap of 12, not their width, thins them out
        semaines = [
            Barre(chr(ord("a") + i % 26), b.valeur, b.texte) for i, b in enumerate(semaines)
        ]
    series = [("Séances", semaines), ("Conversations", _semaines(30, "c"))]
    racine = _arbre(colonnes("s", "T", "D", series, MASQUE))
    abscisses = [t.text for t in racine.iter(f"{NS}text") if t.get("text-anchor") == "middle"]
    assert 2 <= len(abscisses) <= 12
    assert abscisses[0] == semaines[0].libelle and abscisses[-1] == semaines[-1].libelle
    positions = [
        float(t.get("x")) for t in racine.iter(f"{NS}text") if t.get("text-anchor") == "middle"
    ]
    assert positions == sorted(positions)


def test_few_weeks_show_every_x_label() -> None:
    """Few short labels all fit."""
    racine = _arbre(colonnes("s", "T", "D", [("A", _semaines(6, "a"))], ""))
    abscisses = [t.text for t in racine.iter(f"{NS}text") if t.get("text-anchor") == "middle"]
    assert abscisses == [f"S{i}" for i in range(1, 7)]


def test_columns_series_legend_heights_and_masked_markers() -> None:
    """Two series side by side with a legend; heights follow values; masked: outlined marker."""
    premiere = [Barre("S1", 10, "10"), Barre("S2", None, "moins de 5")]
    seconde = [Barre("S1", 20, "20"), Barre("S2", 5, "5")]
    racine = _arbre(
        colonnes("s", "T", "D", [("Séances", premiere), ("Conversations", seconde)], MASQUE)
    )
    assert {"Séances", "Conversations", MASQUE} <= set(_textes(racine))
    colonnes_ = {r.find(f"{NS}title").text: r for r in racine.iter(f"{NS}rect") if len(r)}
    assert set(colonnes_) == {
        "Séances, S1 : 10",
        "Séances, S2 : moins de 5",
        "Conversations, S1 : 20",
        "Conversations, S2 : 5",
    }
    hauteur = {t: float(r.get("height")) for t, r in colonnes_.items()}
    assert hauteur["Conversations, S1 : 20"] == pytest.approx(
        2 * hauteur["Séances, S1 : 10"], abs=0.1
    )
    assert hauteur["Conversations, S1 : 20"] == pytest.approx(
        4 * hauteur["Conversations, S2 : 5"], abs=0.1
    )
    marque = colonnes_["Séances, S2 : moins de 5"]
    assert marque.get("fill") == "#fff" and marque.get("stroke")
    assert 0 < hauteur["Séances, S2 : moins de 5"] < hauteur["Conversations, S2 : 5"]
    bleu, orange = colonnes_["Séances, S1 : 10"], colonnes_["Conversations, S1 : 20"]
    assert bleu.get("fill") != orange.get("fill")
    assert orange.get("stroke") and not bleu.get("stroke")
    assert float(bleu.get("x")) < float(orange.get("x"))


def test_y_axis_has_three_to_five_round_values_from_zero() -> None:
    """Gridline values: 0 first, evenly spaced, reaching the largest value."""
    for maximum, attendu in (
        (0, ["0", "1", "2"]),
        (7, ["0", "2", "4", "6", "8"]),
        (100, ["0", "50", "100"]),
    ):
        barres = [Barre("S1", maximum, "x"), Barre("S2", None, "y")]
        racine = _arbre(colonnes("s", "T", "D", [("A", barres)], MASQUE))
        assert [
            t.text for t in racine.iter(f"{NS}text") if t.get("text-anchor") == "end"
        ] == attendu
        assert len(racine.findall(f"{NS}line")) == len(attendu)


def test_empty_or_zero_input_gives_a_valid_svg() -> None:
    """No bars, only zeros or only masked values: valid SVG, no division by zero."""
    zeros = [Barre("a", 0, "0"), Barre("b", None, "moins de 5")]
    sorties = [
        barres_horizontales("d", "T", "D", [], MASQUE),
        barres_horizontales("d", "T", "D", zeros, MASQUE),
        barres_horizontales("d", "T", "D", [Barre("a", None, "moins de 5")], MASQUE),
        colonnes("c", "T", "D", [], MASQUE),
        colonnes("c", "T", "D", [("A", []), ("B", [])], MASQUE),
        colonnes("c", "T", "D", [("A", zeros), ("B", zeros)], MASQUE),
    ]
    for svg in sorties:
        racine = _arbre(svg)
        assert racine.find(f"{NS}title").text == "T"
        assert "nan" not in svg and "inf" not in svg
        for rect in racine.iter(f"{NS}rect"):
            assert float(rect.get("width")) >= 0 and float(rect.get("height")) >= 0
    assert float(_lignes(_arbre(sorties[1]))[0].find(f"{NS}rect").get("width")) == 0


@pytest.mark.parametrize("id_", ["", "Graph", "1abc", "a_b", "a b", 'a"b', "-a"])
def test_invalid_id_raises(id_: str) -> None:
    """An id that is not [a-z][a-z0-9-]* is refused by both charts."""
    with pytest.raises(ValueError):
        barres_horizontales(id_, "T", "D", _barres(), MASQUE)
    with pytest.raises(ValueError):
        colonnes(id_, "T", "D", [("A", _barres())], MASQUE)


def test_series_must_be_one_or_two_of_the_same_length() -> None:
    """Three series, or series of different lengths, are refused."""
    with pytest.raises(ValueError):
        colonnes("c", "T", "D", [("A", _barres()), ("B", _barres()[:2])], MASQUE)
    with pytest.raises(ValueError):
        colonnes("c", "T", "D", [("A", _barres())] * 3, MASQUE)


def test_output_is_deterministic() -> None:
    """The same input gives the same string."""
    series = [("A", _semaines(30, "a")), ("B", _semaines(30, "b"))]
    assert colonnes("c", "T", "D", series, MASQUE) == colonnes("c", "T", "D", series, MASQUE)
    assert barres_horizontales("d", "T", "D", _barres(), MASQUE) == barres_horizontales(
        "d", "T", "D", _barres(), MASQUE
    )
