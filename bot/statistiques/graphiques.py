"""Accessible SVG bar and column charts, returned as strings to inline in HTML.

The pages' CSP (``style-src 'self'``) blocks ``<style>`` and ``style=``: presentation
attributes only. Every text (labels, values, legend) comes from the caller. The viewBox is
480 units wide with 17-unit text: about 11 px when the chart is shown 320 px wide.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

LARGEUR = 480
POLICE = 17
CAR = POLICE * 0.65
"""Estimated width of a character, enough for the wide DejaVu Sans (0.61 em on average)."""
MARGE = 8
LIGNE = 28
INTERLIGNE = POLICE * 1.3
HAUTEUR_TRACE = 200
LIBELLE_MAX = 18
"""Characters of a bar label drawn before "…" (the full label is in the bar's title)."""
ABSCISSE_MAX = 10
ABSCISSES_MAX = 12
COULEURS = ("#1b5e9c", "#c86e00")
"""Blue and orange, told apart with colour blindness; 6.7:1 and 3.7:1 against white."""
ENCRE = "#1a1a1a"
GRIS = "#555"
GRILLE = "#d9d9d9"
_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Barre:
    """A category: its label, its value (None when masked) and the value as written."""

    libelle: str
    valeur: int | float | None
    texte: str


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _tronquer(texte: str, n: int) -> str:
    return texte if len(texte) <= n else texte[: n - 1].rstrip() + "…"


def _texte(x: float, y: float, texte: str, **attributs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attributs.items())
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(texte)}</text>'


def _lignes(x: float, y: float, texte: str, largeur: float, **attributs: str) -> tuple[str, int]:
    """`texte` wrapped to `largeur` units from the baseline `y`, and its number of lines."""
    lignes = textwrap.wrap(texte, max(int(largeur / CAR), 1))
    svg = "".join(
        _texte(x, y + i * INTERLIGNE, ligne, **attributs) for i, ligne in enumerate(lignes)
    )
    return svg, len(lignes)


def _rect(
    x: float, y: float, largeur: float, hauteur: float, attributs: str, titre: str = ""
) -> str:
    rect = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(largeur)}" height="{_n(hauteur)}" {attributs}'
    return f"{rect}><title>{escape(titre)}</title></rect>" if titre else f"{rect}/>"


def _svg(id_: str, titre: str, description: str, hauteur: float, corps: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LARGEUR} {_n(hauteur)}"'
        f' role="img" aria-labelledby="{id_}-titre {id_}-desc" width="100%"'
        f' preserveAspectRatio="xMinYMin meet" font-family="sans-serif"'
        f' font-size="{POLICE}" fill="{ENCRE}">'
        f'<title id="{id_}-titre">{escape(titre)}</title>'
        f'<desc id="{id_}-desc">{escape(description)}</desc>{corps}</svg>'
    )


def _verifier(id_: str) -> None:
    if not _ID.fullmatch(id_):
        raise ValueError(f"invalid chart id (expected [a-z][a-z0-9-]*): {id_!r}")


def barres_horizontales(
    id_: str, titre: str, description: str, barres: Sequence[Barre], texte_masque: str
) -> str:
    """One bar per category, in the given order: label, bar, value written at its end.

    A masked value (None) has no bar and its text in italics; `texte_masque` is then written
    under the chart. Raises ValueError when `id_` is not of the form ``[a-z][a-z0-9-]*``.
    """
    _verifier(id_)
    debut = MARGE + min(max((len(b.libelle) for b in barres), default=0), LIBELLE_MAX) * CAR + 6
    place_valeur = max((len(b.texte) for b in barres if b.valeur is not None), default=0) * CAR + 6
    longueur = max(LARGEUR - MARGE - debut - place_valeur, 100)
    maximum = max((b.valeur for b in barres if b.valeur is not None), default=0)
    corps = []
    for i, barre in enumerate(barres):
        y = MARGE + i * LIGNE
        base = y + LIGNE / 2 + POLICE * 0.35
        titre_barre = f"{barre.libelle} : {barre.texte}"
        libelle = _texte(debut - 6, base, _tronquer(barre.libelle, LIBELLE_MAX), text_anchor="end")
        if barre.valeur is None:
            dessin = _texte(debut, base, barre.texte, font_style="italic", fill=GRIS)
        else:
            largeur = longueur * max(barre.valeur, 0) / maximum if maximum > 0 else 0
            dessin = _rect(debut, y + 5, largeur, LIGNE - 10, f'fill="{COULEURS[0]}"')
            dessin += _texte(debut + largeur + 6, base, barre.texte)
        corps.append(f"<g><title>{escape(titre_barre)}</title>{libelle}{dessin}</g>")
    hauteur = MARGE * 2 + len(barres) * LIGNE
    if texte_masque and any(b.valeur is None for b in barres):
        note, nombre = _lignes(
            MARGE, hauteur + POLICE * 0.5, texte_masque, LARGEUR - 2 * MARGE, font_style="italic"
        )
        corps.append(note)
        hauteur += nombre * INTERLIGNE
    return _svg(id_, titre, description, hauteur, "".join(corps))


def _graduations(maximum: float) -> list[int]:
    """3 to 5 round values, from 0 up to `maximum` or just above."""
    pas = next(m * 10**k for k in itertools.count() for m in (1, 2, 5) if maximum <= 4 * m * 10**k)
    return [i * pas for i in range(max(math.ceil(maximum / pas), 2) + 1)]


def _abscisses(n: int, pas_minimal: int) -> list[int]:
    """At most `ABSCISSES_MAX` evenly spaced indices among `n`, the first and last included."""
    pas = max(pas_minimal, math.ceil((n - 1) / (ABSCISSES_MAX - 1)), 1)
    indices = list(range(0, n, pas))
    indices[-1] = n - 1
    return indices


def _remplissage(serie: int) -> str:
    """The second series also has a dark outline, so that colour is not the only cue."""
    if serie == 0:
        return f'fill="{COULEURS[0]}"'
    return f'fill="{COULEURS[1]}" stroke="{ENCRE}" stroke-width="1"'


def _marque_masquee(couleur: str) -> str:
    return f'fill="#fff" stroke="{couleur}" stroke-width="1.5"'


def colonnes(
    id_: str,
    titre: str,
    description: str,
    series: Sequence[tuple[str, Sequence[Barre]]],
    texte_masque: str,
) -> str:
    """Columns over time for one or two series (name, values) side by side, with a legend.

    The x labels are the first series' labels, thinned out so that they do not overlap. A
    masked value (None) is a small outlined marker on the axis, explained in the legend by
    `texte_masque`. Raises ValueError for an invalid `id_`, more than two series or series
    of different lengths.
    """
    _verifier(id_)
    if len(series) > len(COULEURS) or len({len(barres) for _, barres in series}) > 1:
        raise ValueError("expected one or two series of the same length")
    n = len(series[0][1]) if series else 0
    if n == 0:
        return _svg(id_, titre, description, MARGE * 2, "")
    corps = []
    y = MARGE
    legende = [(nom, _remplissage(j), 14.0) for j, (nom, _) in enumerate(series)]
    if texte_masque and any(b.valeur is None for _, barres in series for b in barres):
        legende.append((texte_masque, _marque_masquee(GRIS), 6.0))
    for nom, attributs, cote in legende:
        corps.append(_rect(MARGE, y + 18 - cote, 14, cote, attributs))
        texte, nombre = _lignes(MARGE + 22, y + 16, nom, LARGEUR - 2 * MARGE - 22)
        corps.append(texte)
        y += max(nombre, 1) * INTERLIGNE + 4
    valeurs = [b.valeur for _, barres in series for b in barres if b.valeur is not None]
    graduations = _graduations(max(valeurs, default=0))
    largeur_abscisse = min(max(len(b.libelle) for b in series[0][1]), ABSCISSE_MAX) * CAR
    gauche = MARGE + max(len(str(graduations[-1])) * CAR + 6, largeur_abscisse / 2)
    droite = LARGEUR - MARGE - largeur_abscisse / 2
    colonne = (droite - gauche) / n
    bas = y + POLICE + HAUTEUR_TRACE
    for valeur in graduations:
        yy = bas - valeur / graduations[-1] * HAUTEUR_TRACE
        trait = GRIS if valeur == 0 else GRILLE
        corps.append(
            f'<line x1="{_n(gauche)}" y1="{_n(yy)}" x2="{_n(droite)}" y2="{_n(yy)}"'
            f' stroke="{trait}"/>'
        )
        corps.append(_texte(gauche - 6, yy + POLICE * 0.35, str(valeur), text_anchor="end"))
    largeur = colonne * 0.8 / len(series)
    for j, (nom, barres) in enumerate(series):
        for i, barre in enumerate(barres):
            x = gauche + i * colonne + colonne * 0.1 + j * largeur
            titre_barre = f"{nom}, {barre.libelle} : {barre.texte}"
            if barre.valeur is None:
                corps.append(
                    _rect(x, bas - 6, largeur, 6, _marque_masquee(COULEURS[j]), titre_barre)
                )
            else:
                h = max(barre.valeur, 0) / graduations[-1] * HAUTEUR_TRACE
                corps.append(_rect(x, bas - h, largeur, h, _remplissage(j), titre_barre))
    for i in _abscisses(n, math.ceil((largeur_abscisse + CAR) / colonne)):
        libelle = _tronquer(series[0][1][i].libelle, ABSCISSE_MAX)
        corps.append(
            _texte(gauche + (i + 0.5) * colonne, bas + POLICE + 4, libelle, text_anchor="middle")
        )
    return _svg(id_, titre, description, bas + POLICE * 1.3 + 4 + MARGE, "".join(corps))
