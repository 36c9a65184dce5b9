"""The map of départements: outlines from pygal_maps_fr, boxes, colour classes and the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.statistiques.carte import (
    COULEURS,
    CelluleCarte,
    boite,
    boite_chemins,
    carte_svg,
    classes,
    contours,
)

SVG = "{http://www.w3.org/2000/svg}"
METROPOLE = [f"{i:02d}" for i in range(1, 96) if i != 20] + ["2A", "2B"]
OUTRE_MER = ["971", "972", "973", "974", "976"]
HAUTS_DE_FRANCE = ["02", "59", "60", "62", "80"]
ILE_DE_FRANCE = ["75", "77", "78", "91", "92", "93", "94", "95"]
LIBELLES = {
    "titre": "Recherches sans formation à portée",
    "description": "Nombre de recherches par département",
    "aucune": "Aucune recherche",
    "masque": "Moins de 5 recherches (masqué)",
    "tranche": "{min} à {max} recherches",
    "tranche_unique": "{min} recherches",
    "vide": "Aucune donnée à afficher",
}


def cellule(code: str, valeur: int | None, libelle: str | None = None) -> CelluleCarte:
    """A cell named after its code, labelled with its value unless told."""
    return CelluleCarte(code, f"Dép. {code}", valeur, libelle or f"{code} : {valeur}")


def contient(grande: tuple, petite: tuple) -> bool:
    """Whether the box ``petite`` lies inside the box ``grande``."""
    return (
        grande[0] <= petite[0]
        and grande[1] <= petite[1]
        and petite[0] + petite[2] <= grande[0] + grande[2]
        and petite[1] + petite[3] <= grande[1] + grande[3]
    )


def departements(svg: str) -> list[ET.Element]:
    """The focusable groups of an SVG document."""
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("tabindex") == "0"]


def legende(svg: str) -> list[str]:
    """The legend's texts, in order."""
    racine = ET.fromstring(svg)
    groupe = next(g for g in racine.iter(f"{SVG}g") if g.get("class") == "legende")
    return [" ".join(t.itertext()) for t in groupe.iter(f"{SVG}text")]


def test_every_departement_has_an_outline() -> None:
    """Each metropolitan (2A and 2B, no 20) and overseas département has path data."""
    table = contours()
    assert "20" not in table
    for code in METROPOLE + OUTRE_MER:
        assert table[code], code
        assert all(d.startswith("M") for d in table[code]), code


def test_the_group_translation_is_applied() -> None:
    """The translate() of the file's group is folded into the absolute coordinates."""
    # The file's first point of the Val-d'Oise is "m 1024.3329,380.24156" inside a group
    # translated by (-42.932808, 96.039162).
    assert contours()["95"][0].startswith("M981.4,476.3")


def test_a_region_box_holds_only_its_departements() -> None:
    """A région's box is its départements' union, inside and much smaller than mainland France."""
    metropole = boite(METROPOLE)
    region = boite(HAUTS_DE_FRANCE)
    assert contient(metropole, region)
    assert region[2] * region[3] < 0.1 * metropole[2] * metropole[3]
    for code in HAUTS_DE_FRANCE:
        assert contient(region, boite([code]))
    # The union of the départements' boxes, nothing more (no inset, no neighbour).
    coins = [boite([code]) for code in HAUTS_DE_FRANCE]
    assert region[0] == min(b[0] for b in coins)
    assert region[1] + region[3] == pytest.approx(max(b[1] + b[3] for b in coins))
    # Paris is the small département of the main map, not the zoomed Paris inset of the file.
    paris = boite(["75"])
    assert contient(boite(ILE_DE_FRANCE), paris)
    assert paris[2] < 0.03 * metropole[2]


def test_overseas_insets_are_outside_a_mainland_region() -> None:
    """The overseas insets are not in a mainland région's box and would widen it."""
    region = boite(HAUTS_DE_FRANCE)
    for code in OUTRE_MER:
        dom = boite([code])
        assert not contient(region, dom)
        assert boite(HAUTS_DE_FRANCE + [code]) != region


def test_unknown_codes_are_skipped_by_the_box() -> None:
    """Codes absent from the map are ignored; none known at all is an error."""
    assert boite(["59", "999", "20"]) == boite(["59"])
    with pytest.raises(ValueError):
        boite(["999"])


def test_box_of_hand_written_path_data() -> None:
    """Relative, absolute, implicit and compact path data give the box computed by hand."""
    d = "M 10 20 l 5 5 10-30 H 0 v 50 z m 100,0 c 1,1 2,2 3,-100 s 10,10 10,10 q -5,-5 0,0 Z"
    assert boite_chemins([d]) == pytest.approx((0, -80, 123, 125))
    # Implicit repeated pairs after m are relative lines; compact numbers and exponents.
    assert boite_chemins(["m1 2 3 4", "M-1.5.5", "M2e0,1E1"]) == pytest.approx(
        (-1.5, 0.5, 5.5, 9.5)
    )
    # A relative command after z starts from the subpath's start.
    assert boite_chemins(["M10 10 l10 0 z l-5 10"]) == pytest.approx((5, 10, 15, 10))


@pytest.mark.parametrize("d", ["M 1", "L 1 2", "M 0 0 A 1 1 0 0 1 5 5", "M 0 0 z 3"])
def test_invalid_path_data_is_refused(d: str) -> None:
    """Missing coordinates, a path without moveto and unsupported commands raise ValueError."""
    with pytest.raises(ValueError):
        boite_chemins([d])


def test_classes() -> None:
    """Equal-width integer ranges over the values ≥ 5, without empty ones."""
    assert classes([]) == []
    assert classes([0, 0, 3]) == []
    assert classes([5, 100]) == [(5, 23), (24, 42), (43, 62), (63, 81), (82, 100)]
    assert classes([0, 12, 12]) == [(12, 12)]
    assert classes([5, 6, 7]) == [(5, 5), (6, 6), (7, 7)]
    assert classes([5, 14], n=2) == [(5, 9), (10, 14)]
    with pytest.raises(ValueError):
        classes([10], n=6)


def test_map_has_one_focusable_group_per_known_cell() -> None:
    """Each known cell is one focusable, labelled, coloured group; texts are escaped; no style."""
    cellules = [
        cellule("59", 100),
        cellule("62", 5),
        cellule("80", 0),
        cellule("02", None),
        cellule("999", 40),
        cellule("60", 52, "Oise : <b>&</b> 52 recherches"),
    ]
    svg = carte_svg(cellules, LIBELLES)
    racine = ET.fromstring(svg)
    assert racine.tag == f"{SVG}svg"
    assert racine.get("role") != "img"
    titre = racine.find(f"{SVG}title")
    desc = racine.find(f"{SVG}desc")
    assert titre is not None and titre.text == LIBELLES["titre"]
    assert desc is not None and desc.text == LIBELLES["description"]
    assert titre.get("id") in racine.get("aria-labelledby", "").split()
    assert (
        desc.get("id")
        in (racine.get("aria-labelledby", "") + " " + racine.get("aria-describedby", "")).split()
    )
    groupes = {g.get("data-code"): g for g in departements(svg)}
    assert list(groupes) == ["59", "62", "80", "02", "60"]
    attendues = {"59": "c5", "62": "c1", "80": "c0", "02": "cm", "60": "c3"}
    for code, g in groupes.items():
        assert g.get("role") == "img"
        assert g.get("class") == attendues[code]
        assert g.get("fill") == COULEURS[attendues[code]]
        libelle = next(c.libelle for c in cellules if c.code == code)
        assert g.get("aria-label") == libelle
        assert g.find(f"{SVG}title").text == libelle
        assert len(g.findall(f"{SVG}path")) == len(contours()[code])
    assert "<b>" not in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    assert "<style" not in svg and " style=" not in svg


def test_legend_lists_only_the_classes_present() -> None:
    """The legend has "aucune", then the classes that occur, then "masque" if a cell is masked."""
    svg = carte_svg([cellule("59", 5), cellule("62", 100)], LIBELLES)
    assert legende(svg) == ["Aucune recherche", "5 à 23 recherches", "82 à 100 recherches"]
    svg = carte_svg([cellule("59", None), cellule("62", 40)], LIBELLES)
    assert legende(svg) == [
        "Aucune recherche",
        "40 recherches",
        "Moins de 5 recherches (masqué)",
    ]
    svg = carte_svg([cellule("59", 0)], LIBELLES)
    assert legende(svg) == ["Aucune recherche"]


def test_view_box_is_cropped_and_the_legend_readable_at_360_px() -> None:
    """The viewBox frames the cells with a small margin; the text is ≥ 12 px at 360 px wide."""
    for codes in (HAUTS_DE_FRANCE, ["75"], METROPOLE + OUTRE_MER):
        racine = ET.fromstring(carte_svg([cellule(c, 10) for c in codes], LIBELLES))
        x, y, largeur, hauteur = map(float, racine.get("viewBox").split())
        bx, by, bw, bh = boite(codes)
        assert x < bx and y < by and bx + bw < x + largeur and by + bh < y + hauteur
        assert largeur < bw * 1.2
        assert float(racine.get("font-size")) * 360 / largeur >= 12


def test_map_without_drawable_cell() -> None:
    """Without any known cell the SVG only holds the title, the description and "vide"."""
    for cellules in ([], [cellule("999", 12)]):
        svg = carte_svg(cellules, LIBELLES)
        racine = ET.fromstring(svg)
        assert not departements(svg)
        assert racine.find(f"{SVG}title").text == LIBELLES["titre"]
        assert LIBELLES["vide"] in "".join(racine.itertext())
