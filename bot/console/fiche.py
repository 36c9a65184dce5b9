"""The summary sheet ("fiche de synthèse") of a guidance session: HTML (printable) and PDF.

The sheet's data (`Fiche`) is built by `bot.console.store`; this module only lays it out.
Every French label comes from the domain (`libelle_fiche_*` responses, read through
`bot.presentation.Texts`).

- `render_html`: a standalone HTML5 page that links one stylesheet (`static/fiche.css`,
  screen and print), with no script and no style attribute (the console's CSP is
  `style-src 'self'`). Every value is escaped.
- `render_pdf`: an A4 PDF laid out by ReportLab with the Bitstream Vera fonts shipped
  inside the reportlab package, embedded so that accents print anywhere. Its metadata hold
  the document's title only, never the person's data; the output is byte-for-byte
  reproducible (`invariant`).
"""

from __future__ import annotations

import functools
import html
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bot.presentation import Texts


@dataclass(frozen=True)
class FormationFiche:
    """One chosen training as the sheet shows it (display strings, already in French)."""

    intitule: str
    organisme: str
    lieu: str  # "Roubaix (59), à 3 km" or "à distance"
    duree: str
    cout: str
    dates: str | None  # known session dates, None when the catalogue has none
    contact: str | None
    site: str | None
    raisons: list[str]
    marque: str | None  # "à contacter", "écartée" or None
    source: str  # where the row comes from ("liste GEN 2019, data.gouv.fr")
    date_donnees: str | None  # date of the data ("2019-06")


@dataclass(frozen=True)
class Fiche:
    """Everything the sheet prints."""

    date: date
    structure: str
    conseiller: str
    profil: list[tuple[str, str]]  # (label, value), in display order
    formations: list[FormationFiche]
    etapes: str  # next steps written by the counsellor (may hold line breaks)
    notes_personne: list[str] = field(default_factory=list)  # notes "pour la personne"
    orientations: list[str] = field(default_factory=list)  # referrals, one line each


def _listes(t: Texts, fiche: Fiche) -> list[tuple[str, str, list[str]]]:
    """(class, title, lines) of the sheet's lists that are not empty."""
    listes = [
        ("orientations", t.get("libelle_fiche_orientations"), fiche.orientations),
        ("notes", t.get("libelle_fiche_notes"), fiche.notes_personne),
    ]
    return [
        (c, titre, [x for x in lignes if x.strip()])
        for c, titre, lignes in listes
        if any(x.strip() for x in lignes)
    ]


# --- shared pieces -------------------------------------------------------------------------

_DATE_DONNEES = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_DOMAIN_NAME = re.compile(r"[\w-]+(\.[\w-]+)*\.[a-z]{2,}([/?#]\S*)?", re.IGNORECASE)


def date_en_lettres(t: Texts, jour: date) -> str:
    """A date as people write it: "7 décembre 2026", "1er mars 2027"."""
    mois = t.get(f"libelle_fiche_mois_{jour.month}")
    if jour.day == 1:
        return t.get("libelle_fiche_premier_jour", mois=mois, annee=jour.year)
    return t.get("libelle_fiche_jour", jour=jour.day, mois=mois, annee=jour.year)


def date_donnees_texte(t: Texts, valeur: str) -> str:
    """The date of a source's data in words ("2019-06" -> "juin 2019"); other forms as given."""
    trouve = _DATE_DONNEES.fullmatch(valeur.strip())
    if not trouve:
        return valeur
    annee, mois, jour = trouve.groups()
    try:
        if jour:
            return date_en_lettres(t, date(int(annee), int(mois), int(jour)))
        if mois:
            date(int(annee), int(mois), 1)  # rejects a 13th month
            return t.get(
                "libelle_fiche_mois_annee",
                mois=t.get(f"libelle_fiche_mois_{int(mois)}"),
                annee=annee,
            )
    except ValueError:
        return valeur
    return annee


def source_texte(t: Texts, formation: FormationFiche) -> str:
    """ "Source : liste GEN 2019, data.gouv.fr (données de juin 2019)"."""
    if formation.date_donnees:
        return t.get(
            "libelle_fiche_source",
            source=formation.source,
            date_donnees=date_donnees_texte(t, formation.date_donnees),
        )
    return t.get("libelle_fiche_source_sans_date", source=formation.source)


def _link_target(address: str | None) -> str | None:
    """Where a training's site links to: an http(s) address, or a bare domain name read as
    https; anything else (another scheme, free text) is shown, never linked."""
    if not address or not address.strip():
        return None
    address = address.strip()
    scheme = urlsplit(address).scheme.lower()
    if scheme in ("http", "https"):
        return address
    if not scheme and _DOMAIN_NAME.fullmatch(address):
        return f"https://{address}"
    return None


def _host(target: str) -> str:
    """The site's name for the screen ("simplon.co"); print adds the whole address."""
    host = urlsplit(target).hostname or target
    return host.removeprefix("www.")


def _champs(t: Texts, formation: FormationFiche) -> list[tuple[str, str]]:
    """The (label, plain text) facts of a training, in display order (site apart)."""
    champs = [
        (t.get("libelle_fiche_organisme"), formation.organisme),
        (t.get("libelle_fiche_lieu"), formation.lieu),
        (t.get("libelle_fiche_duree"), formation.duree),
        (t.get("libelle_fiche_cout"), formation.cout),
        (t.get("libelle_fiche_dates"), formation.dates or t.get("libelle_fiche_dates_inconnues")),
    ]
    if formation.contact:
        champs.append((t.get("libelle_fiche_contact"), formation.contact))
    return champs


def _entete(t: Texts, fiche: Fiche) -> list[str]:
    return [
        t.get("libelle_fiche_date", date=date_en_lettres(t, fiche.date)),
        t.get("libelle_fiche_structure", structure=fiche.structure),
        t.get("libelle_fiche_conseiller", conseiller=fiche.conseiller),
    ]


# --- HTML ----------------------------------------------------------------------------------


def _h(text: Any) -> str:
    """Escaped text (`_attr` for an attribute's value)."""
    return html.escape(str(text), quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _h_lines(text: str) -> str:
    """Escaped text whose line breaks stay line breaks."""
    return "<br>\n".join(_h(line) for line in text.strip().splitlines())


def _html_formation(t: Texts, formation: FormationFiche) -> list[str]:
    out = ['<article class="formation">', f"<h3>{_h(formation.intitule)}</h3>"]
    if formation.marque:
        out.append(
            f'<p class="statut">{_h(t.get("libelle_fiche_statut", marque=formation.marque))}</p>'
        )
    out.append('<dl class="champs">')
    for libelle, valeur in _champs(t, formation):
        out.append(f"<dt>{_h(libelle)}</dt><dd>{_h(valeur)}</dd>")
    if formation.site:
        target = _link_target(formation.site)
        site = (
            f'<a href="{_attr(target)}">{_h(_host(target))}</a>' if target else _h(formation.site)
        )
        out.append(f"<dt>{_h(t.get('libelle_fiche_site'))}</dt><dd>{site}</dd>")
    out.append("</dl>")
    if formation.raisons:
        out.append(f"<h4>{_h(t.get('libelle_fiche_raisons'))}</h4>")
        out.append('<ul class="raisons">')
        out.extend(f"<li>{_h(raison)}</li>" for raison in formation.raisons)
        out.append("</ul>")
    out.append(f'<p class="source">{_h(source_texte(t, formation))}</p>')
    out.append("</article>")
    return out


def render_html(
    fiche: Fiche,
    t: Texts,
    *,
    effacement_url: str | None = None,
    css_href: str = "static/fiche.css",
) -> str:
    """The sheet as a standalone French HTML5 page, screen and print (see `static/fiche.css`).

    `effacement_url` (an absolute address, so that it reads on paper) adds a link to the
    page where the person erases their data."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(t.get('libelle_fiche_titre_document'))}</title>",
        f'<link rel="stylesheet" href="{_attr(css_href)}">',
        "</head>",
        "<body>",
        '<header class="entete">',
        f"<h1>{_h(t.get('libelle_fiche_titre'))}</h1>",
        '<ul class="infos">',
        *(f"<li>{_h(ligne)}</li>" for ligne in _entete(t, fiche)),
        "</ul>",
        "</header>",
        "<main>",
        '<section class="profil">',
        f"<h2>{_h(t.get('libelle_fiche_profil'))}</h2>",
    ]
    if fiche.profil:
        out.append("<dl>")
        out.extend(
            f"<dt>{_h(libelle)}</dt><dd>{_h(valeur)}</dd>" for libelle, valeur in fiche.profil
        )
        out.append("</dl>")
    else:
        out.append(f"<p>{_h(t.get('libelle_fiche_profil_vide'))}</p>")
    out += ["</section>", '<section class="formations">']
    out.append(f"<h2>{_h(t.get('libelle_fiche_formations'))}</h2>")
    if not fiche.formations:
        out.append(f"<p>{_h(t.get('libelle_fiche_formations_aucune'))}</p>")
    for formation in fiche.formations:
        out.extend(_html_formation(t, formation))
    out.append("</section>")
    if fiche.etapes.strip():
        out.append('<section class="etapes">')
        out.append(f"<h2>{_h(t.get('libelle_fiche_etapes'))}</h2>")
        out.append(f"<p>{_h_lines(fiche.etapes)}</p>")
        out.append("</section>")
    for classe, titre, lignes in _listes(t, fiche):
        out.append(f'<section class="{classe}">')
        out.append(f"<h2>{_h(titre)}</h2>")
        out.append("<ul>")
        out.extend(f"<li>{_h_lines(ligne)}</li>" for ligne in lignes)
        out.append("</ul>")
        out.append("</section>")
    out += [
        "</main>",
        '<footer class="donnees">',
        f"<h2>{_h(t.get('libelle_fiche_donnees'))}</h2>",
        f"<p>{_h(t.get('libelle_fiche_effacement'))}</p>",
    ]
    if effacement_url:
        if urlsplit(effacement_url).scheme.lower() not in ("", "http", "https"):
            raise ValueError(f"effacement_url is not a web address: {effacement_url!r}")
        lien = _h(t.get("libelle_fiche_effacement_lien"))
        out.append(
            f"<p>{_h(t.get('libelle_fiche_effacement_page'))} "
            f'<a href="{_attr(effacement_url)}">{lien}</a></p>'
        )
    out += ["</footer>", "</body>", "</html>", ""]
    return "\n".join(out)


# --- PDF -----------------------------------------------------------------------------------

# The Bitstream Vera fonts shipped inside the reportlab package (embedded in the PDF).
FONT_FILES = {
    "Vera": "Vera.ttf",
    "VeraBd": "VeraBd.ttf",
    "VeraIt": "VeraIt.ttf",
    "VeraBI": "VeraBI.ttf",
}
ACCENT = colors.HexColor("#1d3c78")
GREY = colors.HexColor("#555555")
_PAGE = A4
_MARGIN = 18 * mm
_WIDTH = _PAGE[0] - 2 * _MARGIN
# Paragraph styles: name -> (font, size, leading, other settings).
_STYLES: dict[str, tuple[str, float, float, dict[str, Any]]] = {
    "texte": ("Vera", 9.5, 12.5, {}),
    "titre": ("VeraBd", 18, 22, {"textColor": ACCENT, "spaceAfter": 4}),
    "infos": ("Vera", 9, 12, {"spaceAfter": 2}),
    "h2": ("VeraBd", 12.5, 16, {"textColor": ACCENT, "spaceBefore": 10, "spaceAfter": 4}),
    "h3": ("VeraBd", 11, 14, {"spaceAfter": 2}),
    "statut": ("VeraIt", 9.5, 12.5, {"spaceAfter": 2}),
    "libelle": ("VeraBd", 8.5, 11.5, {}),
    "valeur": ("Vera", 9, 11.5, {}),
    "h4": ("VeraBd", 9, 12, {"spaceBefore": 3}),
    "puce": ("Vera", 9, 11.5, {"leftIndent": 11, "bulletIndent": 2}),
    "source": ("VeraIt", 8, 10, {"textColor": GREY, "spaceBefore": 3}),
}
_STYLE = {
    name: ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading, bulletFontName="Vera", **other
    )
    for name, (font, size, leading, other) in _STYLES.items()
}
_TABLE_STYLE = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), "Vera")]
    + [(f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "TOP", "BOTTOM")]
    + [("RIGHTPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
)


@functools.cache
def _glyphs() -> frozenset[int]:
    """Register the Vera fonts (once); return the code points they can draw."""
    import reportlab

    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="VeraBd", italic="VeraIt", boldItalic="VeraBI"
    )
    return frozenset(pdfmetrics.getFont("Vera").face.charToGlyph)


def _markup(text: str) -> str:
    """Text for ReportLab's mini-markup: escaped, line breaks kept, characters the font
    cannot draw (emoji) left out rather than printed as empty boxes."""
    glyphs = _glyphs()
    text = "".join(c for c in text.replace("\u202f", "\u00a0") if c == "\n" or ord(c) in glyphs)
    return "<br/>".join(xml_escape(line) for line in text.strip().splitlines())


def _p(text: str, style: str, **kwargs: Any) -> Paragraph:
    return Paragraph(_markup(text), _STYLE[style], **kwargs)


def _link(address: str) -> str:
    """A web address as a link that prints whole; anything else as plain text."""
    target = _link_target(address)
    if not target:
        return _markup(address)
    href = xml_escape(target, {'"': "&quot;"})
    return f'<a href="{href}" color="#1d3c78">{_markup(target)}</a>'


def _table(
    rows: list[tuple[str, str]], label_width: float, link: tuple[str, str] | None = None
) -> Table:
    """(label, value) rows as two columns; `link` adds a last row: (label, link address)."""
    cells = [[_p(libelle, "libelle"), _p(valeur, "valeur")] for libelle, valeur in rows]
    if link:
        cells.append([_p(link[0], "libelle"), Paragraph(_link(link[1]), _STYLE["valeur"])])
    table = Table(cells, colWidths=[label_width, _WIDTH - label_width], hAlign="LEFT")
    table.setStyle(_TABLE_STYLE)
    return table


def _pdf_formation(t: Texts, formation: FormationFiche) -> Flowable:
    bloc: list[Flowable] = [
        HRFlowable(width="100%", thickness=0.5, color=colors.lightgrey, spaceAfter=5),
        _p(formation.intitule, "h3"),
    ]
    if formation.marque:
        bloc.append(_p(t.get("libelle_fiche_statut", marque=formation.marque), "statut"))
    site = (t.get("libelle_fiche_site"), formation.site) if formation.site else None
    bloc.append(_table(_champs(t, formation), 24 * mm, site))
    if formation.raisons:
        bloc.append(_p(t.get("libelle_fiche_raisons"), "h4"))
        bloc.extend(_p(raison, "puce", bulletText="•") for raison in formation.raisons)
    bloc.append(_p(source_texte(t, formation), "source"))
    return KeepTogether([*bloc, Spacer(1, 4)])


def _numbered_canvas(t: Texts) -> type[Canvas]:
    """A canvas that writes "Page 1 / 2" at the foot of each page once the total is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for numero, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Vera", 8)
                self.setFillColor(GREY)
                self.drawString(_MARGIN, 10 * mm, t.get("libelle_fiche_titre_document"))
                page = t.get("libelle_fiche_page", page=numero, total=total)
                self.drawRightString(_PAGE[0] - _MARGIN, 10 * mm, page)
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(fiche: Fiche, t: Texts, *, effacement_url: str | None = None) -> bytes:
    """The sheet as an A4 PDF with embedded fonts; the metadata hold the document's title
    only (no name, no profile). Same input, same bytes."""
    story: list[Flowable] = [_p(t.get("libelle_fiche_titre"), "titre")]
    story += [_p(ligne, "infos") for ligne in _entete(t, fiche)]
    story.append(_p(t.get("libelle_fiche_profil"), "h2"))
    if fiche.profil:
        story.append(_table(fiche.profil, 40 * mm))
    else:
        story.append(_p(t.get("libelle_fiche_profil_vide"), "texte"))
    story.append(_p(t.get("libelle_fiche_formations"), "h2"))
    if not fiche.formations:
        story.append(_p(t.get("libelle_fiche_formations_aucune"), "texte"))
    story += [_pdf_formation(t, formation) for formation in fiche.formations]
    if fiche.etapes.strip():
        titre = _p(t.get("libelle_fiche_etapes"), "h2")
        story.append(KeepTogether([titre, _p(fiche.etapes, "texte")]))
    for _, titre, lignes in _listes(t, fiche):
        story.append(_p(titre, "h2"))
        story += [_p(ligne, "puce", bulletText="•") for ligne in lignes]
    donnees = [
        _p(t.get("libelle_fiche_donnees"), "h2"),
        _p(t.get("libelle_fiche_effacement"), "texte"),
    ]
    if effacement_url:
        texte = f"{_markup(t.get('libelle_fiche_effacement_page'))} {_link(effacement_url)}"
        donnees.append(Paragraph(texte, _STYLE["texte"]))
    story.append(KeepTogether(donnees))

    _glyphs()  # registers the fonts
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=_PAGE,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=t.get("libelle_fiche_titre_document"),
        author="Cap Num",
        creator="Cap Num",
        subject="",
        invariant=1,
        lang="fr-FR",
        displayDocTitle=1,
        initialFontName="Vera",
    )
    document.build(story, canvasmaker=_numbered_canvas(t))
    return buffer.getvalue()
