"""Accessible SVG choropleth map of the French départements.

Outlines: ``fr.departments.svg`` of the installed ``pygal_maps_fr`` package (Kozea, GNU LGPL v3+).
Colours are ``fill=`` attributes: the pages' CSP (``style-src 'self'``) blocks style elements.
"""

from __future__ import annotations

import math
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from xml.sax.saxutils import escape, quoteattr

SEUIL = 5
"""Smallest count shown: 1 to 4 are masked."""

PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
"""Classes c1…c5: ColorBrewer YlOrRd, sequential and colour-blind safe."""

COULEURS = {"c0": "#f2f2f2", "cm": "#bdbdbd"} | {f"c{i}": c for i, c in enumerate(PALETTE, 1)}
TRAIT = "#555"
ENCRE = "#1a1a1a"

_NOMBRE = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_JETON = re.compile(rf"([MmLlHhVvCcSsQqZz])|({_NOMBRE})|([^\s,])")
_TRANSLATION = re.compile(rf"\s*translate\(\s*({_NOMBRE})(?:[\s,]+({_NOMBRE}))?\s*\)\s*")
_CODE = re.compile(r"z(\d{2,3}|2[AB])")
_ARITE = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "Z": 0}

Point = tuple[float, float]
Boite = tuple[float, float, float, float]
Contours = dict[str, list[str]]


@dataclass(frozen=True)
class CelluleCarte:
    """One département of the map; ``valeur`` None means masked (below :data:`SEUIL`)."""

    code: str
    nom: str
    valeur: int | None
    libelle: str


def _segments(d: str) -> list[tuple[str, list[Point]]]:
    """The path data ``d`` as absolute segments: M, L, C, S or Q with their points, or Z."""
    commandes: list[tuple[str, list[float]]] = []
    for lettre, nombre, autre in _JETON.findall(d):
        if autre or (not commandes and lettre not in ("M", "m")):  # data starts with a moveto
            raise ValueError(f"donnée de chemin non prise en charge : {d[:40]!r}")
        if lettre:
            commandes.append((lettre, []))
        else:
            commandes[-1][1].append(float(nombre))
    segments: list[tuple[str, list[Point]]] = []
    x = y = x0 = y0 = 0.0
    for lettre, args in commandes:
        nom = lettre.upper()
        k = _ARITE[nom]  # Z takes no number, the others a positive multiple of k
        if (not args) != (k == 0) or (k and len(args) % k):
            raise ValueError(f"nombre de coordonnées invalide après {lettre} : {d[:40]!r}")
        if nom == "Z":
            segments.append(("Z", []))
            x, y = x0, y0
            continue
        for i in range(0, len(args), k):
            a = args[i : i + k]
            ox, oy = (x, y) if lettre != nom else (0.0, 0.0)
            if nom == "H":
                points = [(a[0] + ox, y)]
            elif nom == "V":
                points = [(x, a[0] + oy)]
            else:
                points = [(a[j] + ox, a[j + 1] + oy) for j in range(0, k, 2)]
            suite = "L" if nom in "HV" or (nom == "M" and i > 0) else nom
            segments.append((suite, points))
            x, y = points[-1]
            if suite == "M":
                x0, y0 = x, y
    return segments


def _parcourir(noeud: ET.Element, dx: float, dy: float, code: str | None, acc: Contours) -> None:
    """Add to ``acc`` (code → path data) the paths under ``noeud``, absolute and translated."""
    decalage = _TRANSLATION.fullmatch(noeud.get("transform", "translate(0)"))
    if decalage is None:
        raise ValueError(f"transformation non prise en charge : {noeud.get('transform')!r}")
    dx, dy = dx + float(decalage[1]), dy + float(decalage[2] or 0.0)
    code = next((m[1] for c in noeud.get("class", "").split() if (m := _CODE.fullmatch(c))), code)
    if code and noeud.tag.rsplit("}", 1)[-1] == "path":
        acc.setdefault(code, []).append(
            "".join(
                nom + " ".join(f"{px + dx:.1f},{py + dy:.1f}" for px, py in points)
                for nom, points in _segments(noeud.get("d", ""))
            )
        )
    for enfant in noeud:
        _parcourir(enfant, dx, dy, code, acc)


@lru_cache(maxsize=1)
def contours() -> Contours:
    """Code → path data of each département, absolute, with the groups' translations applied.

    A code drawn again in a later layer of the file (the zoomed Paris inset) keeps its drawing on
    the main map; the overseas départements are drawn in insets of their own layer.
    """
    with (files("pygal_maps_fr") / "fr.departments.svg").open("rb") as fichier:
        racine = ET.parse(fichier).getroot()
    resultat: Contours = {}
    for calque in racine:
        trouves: Contours = {}
        _parcourir(calque, 0.0, 0.0, None, trouves)
        resultat = trouves | resultat  # on a code already drawn, the earlier layer wins
    return resultat


def boite_chemins(chemins: Iterable[str]) -> Boite:
    """Box (min x, min y, width, height) of SVG path data (M L H V C S Q Z, absolute or relative).

    Control points count (the box may exceed the curves a little); ValueError without points.
    """
    points = [p for d in chemins for _, segment in _segments(d) for p in segment]
    if not points:
        raise ValueError("aucun point pour calculer une boîte")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


@cache
def _coins(code: str) -> Boite:
    """Corners (min x, min y, max x, max y) of one département of the map."""
    x, y, w, h = boite_chemins(contours()[code])
    return x, y, x + w, y + h


def boite(codes: Iterable[str]) -> Boite:
    """Box (min x, min y, width, height) of these départements in the map's coordinates.

    Unknown codes are skipped (ValueError when none is known). The curves' control points
    count, so the box may be a little larger than the outlines.
    """
    coins = [_coins(code) for code in codes if code in contours()]
    if not coins:
        raise ValueError("aucun département connu")
    xs0, ys0, xs1, ys1 = zip(*coins, strict=True)
    return min(xs0), min(ys0), max(xs1) - min(xs0), max(ys1) - min(ys0)


def classes(valeurs: Sequence[int], n: int = 5) -> list[tuple[int, int]]:
    """Up to ``n`` (1 to 5) equal-width inclusive ranges covering the values ≥ :data:`SEUIL`.

    Bounds are rounded to integers and empty ranges dropped; [] when no value is shown.
    """
    if not 1 <= n <= len(PALETTE):
        raise ValueError(f"nombre de classes hors de 1 à {len(PALETTE)} : {n}")
    montrees = [v for v in valeurs if v >= SEUIL]
    if not montrees:
        return []
    bas, haut = min(montrees), max(montrees)
    pas = (haut - bas + 1) / n
    bornes = [bas + math.floor(i * pas + 0.5) for i in range(n)] + [haut + 1]
    return [(a, b - 1) for a, b in zip(bornes, bornes[1:], strict=False) if b > a]


def _classe(valeur: int | None, tranches: Sequence[tuple[int, int]]) -> str:
    """Colour class: c0 for 0, cm for masked (or any count below the threshold), else c1…c5."""
    if valeur == 0:
        return "c0"
    if valeur is None or valeur < SEUIL:
        return "cm"
    return next(f"c{i}" for i, (a, b) in enumerate(tranches, 1) if a <= valeur <= b)


def _texte(x: float, y: float, texte: str, police: float, colonnes: int) -> tuple[str, float]:
    """A ``<text>`` below ``y``, wrapped at ``colonnes`` characters, and its height."""
    lignes = textwrap.wrap(texte, max(colonnes, 8)) or [""]
    tspans = "".join(
        f'<tspan x="{x:.6g}" dy="{police * (1.25 if i else 1.0):.6g}">{escape(ligne)}</tspan>'
        for i, ligne in enumerate(lignes)
    )
    return f'<text y="{y:.6g}" fill="{ENCRE}">{tspans}</text>', police * (1.25 * len(lignes) - 0.1)


def _dessin(dessin: Sequence[CelluleCarte], libelles: Mapping[str, str]) -> tuple[str, float, str]:
    """viewBox, font size and content (départements, then legend) of a map of known cells."""
    x, y, w, h = boite(c.code for c in dessin)
    marge = max(w, h) * 0.03
    largeur = w + 2 * marge
    police = largeur * 13 / 360  # 13 px once the map is drawn 360 px wide
    tranches = classes([c.valeur for c in dessin if c.valeur is not None])
    groupes = []
    for cellule in dessin:
        classe = _classe(cellule.valeur, tranches)
        chemins = "".join(f'<path d="{d}"/>' for d in contours()[cellule.code])
        groupes.append(
            f'<g class="{classe}" fill="{COULEURS[classe]}" data-code={quoteattr(cellule.code)}'
            f' tabindex="0" role="img" aria-label={quoteattr(cellule.libelle)}>'
            f"<title>{escape(cellule.libelle)}</title>{chemins}</g>"
        )
    textes = {"c0": libelles["aucune"], "cm": libelles["masque"]} | {
        f"c{i}": libelles["tranche" if a < b else "tranche_unique"].format(min=a, max=b)
        for i, (a, b) in enumerate(tranches, 1)
    }
    presentes = {_classe(c.valeur, tranches) for c in dessin} | {"c0"}
    colonnes = int((w - 1.6 * police) / (0.6 * police))
    legende, bas = [], y + h + marge
    for classe in sorted(presentes, key=lambda c: "c9" if c == "cm" else c):
        texte, hauteur = _texte(x + 1.6 * police, bas, textes[classe], police, colonnes)
        legende.append(
            f'<rect x="{x:.6g}" y="{bas + 0.1 * police:.6g}" width="{police:.6g}"'
            f' height="{police:.6g}" fill="{COULEURS[classe]}" stroke="{TRAIT}"'
            f' stroke-width="{police / 12:.6g}"/>{texte}'
        )
        bas += hauteur + 0.5 * police
    vue = " ".join(f"{v:.6g}" for v in (x - marge, y - marge, largeur, bas - y + 1.5 * marge))
    corps = (
        f'<g stroke="{TRAIT}" stroke-width="{largeur / 600:.6g}" stroke-linejoin="round">'
        f'{"".join(groupes)}</g><g class="legende">{"".join(legende)}</g>'
    )
    return vue, police, corps


def carte_svg(cellules: Sequence[CelluleCarte], libelles: Mapping[str, str]) -> str:
    """Standalone SVG document of the cells' départements, cropped to them, legend below.

    ``libelles``: "titre", "description", "aucune" (0), "masque", "tranche" (formatted with
    ``min`` and ``max``), "tranche_unique" (a class of one value, formatted with ``min``) and
    "vide" (shown alone when no cell is on the map). Cells whose code is
    not on the map are skipped.
    """
    dessin = [c for c in cellules if c.code in contours()]
    if dessin:
        vue, police, corps = _dessin(dessin, libelles)
    else:
        police = 14.0
        corps, hauteur = _texte(12, 12, libelles["vide"], police, 40)
        vue = f"0 0 360 {hauteur + 24:.6g}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vue}" role="group"'
        ' aria-labelledby="carte-titre" aria-describedby="carte-desc"'
        f' font-family="sans-serif" font-size="{police:.6g}">'
        f'<title id="carte-titre">{escape(libelles["titre"])}</title>'
        f'<desc id="carte-desc">{escape(libelles["description"])}</desc>{corps}</svg>'
    )
