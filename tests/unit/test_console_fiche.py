"""Tests of the summary sheet's layout (bot/console/fiche.py), HTML and PDF, with the real
French texts of domain.yml."""

from __future__ import annotations

import ast
import dataclasses
import io
import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from bot.config import REPO_ROOT
from bot.console.fiche import (
    Fiche,
    FormationFiche,
    date_donnees_texte,
    date_en_lettres,
    render_html,
    render_pdf,
)
from bot.presentation import Texts

NOTE_PIEGE = "Pense à ta carte d'identité <script>alert('x')</script> & <b>ton CV</b>"
ETAPES = "Appeler Simplon avant le 15 décembre.\nÉtapes suivantes : rendez-vous le 4 janvier."
PROFIL = [
    ("Situation", "je cherche du travail"),
    ("Âge", "19 ans"),
    ("Diplôme", "CAP ou BEP"),
    ("Commune", "Roubaix"),
    ("Intérêts", "développement, réseaux et sécurité"),
]


@pytest.fixture(scope="module")
def t(domain: dict[str, Any]) -> Texts:
    """The French texts of the real domain."""
    return Texts.from_domain(domain)


def _formation(numero: int, dates: str | None = None, **changes: Any) -> FormationFiche:
    formation = FormationFiche(
        intitule=f"Développeur web et web mobile n°{numero}",
        organisme="Simplon.co – Hauts-de-France",
        lieu="Roubaix (59), à 3 km",
        duree="7 mois, dont 2 en entreprise",
        cout="gratuit, en contrat rémunéré ou stage payé",
        dates=dates,
        contact="contact@simplon.co",
        site="https://simplon.co/formations/developpeur-web-roubaix",
        raisons=[
            "ton intérêt pour le développement",
            "elle est ouverte sans diplôme",
            "à 3 km de chez toi, à Roubaix",
        ],
        marque="à contacter" if numero == 1 else None,
        source="liste GEN 2019, data.gouv.fr",
        date_donnees="2019-06",
    )
    return dataclasses.replace(formation, **changes)


def _fiche(**changes: Any) -> Fiche:
    fiche = Fiche(
        date=date(2026, 12, 7),
        structure="Mission locale de Roubaix-Tourcoing",
        conseiller="Camille Martin",
        profil=PROFIL,
        formations=[
            _formation(n, "du 12 janvier au 30 juillet 2027" if n % 2 == 0 else None)
            for n in range(1, 6)
        ],
        etapes=ETAPES,
        notes_personne=[NOTE_PIEGE],
    )
    return dataclasses.replace(fiche, **changes)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- HTML ----------------------------------------------------------------------------------


def test_html_shows_every_training_and_its_facts(t: Texts) -> None:
    """Each chosen training prints its title, facts, reasons, dates (or why there are none)
    and source with the data's date in words."""
    page = render_html(_fiche(), t)
    for numero in range(1, 6):
        assert f"Développeur web et web mobile n°{numero}" in page
    assert "Simplon.co – Hauts-de-France" in page
    assert "du 12 janvier au 30 juillet 2027" in page
    assert "Le catalogue n'indique pas de dates" in page
    assert "<li>ton intérêt pour le développement</li>" in page
    assert "Source : liste GEN 2019, data.gouv.fr (données de juin 2019)" in page
    assert "Statut : à contacter" in page
    assert page.count('<article class="formation">') == 5


def test_html_header_and_profile(t: Texts) -> None:
    """The header gives the date in French, the structure and the counsellor; the profile is
    a definition list."""
    page = render_html(_fiche(), t)
    assert "7 décembre 2026" in page
    assert "Mission locale de Roubaix-Tourcoing" in page and "Camille Martin" in page
    assert "<dt>Commune</dt><dd>Roubaix</dd>" in page
    assert "<h2>Ton profil</h2>" in page


def test_html_escapes_what_people_wrote(t: Texts) -> None:
    """A note holding markup is shown as text, never run or interpreted."""
    page = render_html(_fiche(), t)
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;ton CV&lt;/b&gt;" in page
    assert "<script" not in page and "<b>" not in page


def test_html_keeps_the_line_breaks_of_the_next_steps(t: Texts) -> None:
    """The counsellor's next steps keep their lines."""
    page = render_html(_fiche(), t)
    assert "Appeler Simplon avant le 15 décembre.<br>\nÉtapes suivantes" in page


def test_html_passes_a_strict_content_security_policy(t: Texts) -> None:
    """No script and no style attribute; one stylesheet, French language, HTML5."""
    page = render_html(_fiche(), t)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert "style=" not in page and "<style" not in page and "<script" not in page
    assert re.findall(r"<link [^>]*>", page) == ['<link rel="stylesheet" href="static/fiche.css">']
    other = render_html(_fiche(), t, css_href="/console/static/fiche.css?v=2&x=1")
    assert '<link rel="stylesheet" href="/console/static/fiche.css?v=2&amp;x=1">' in other


def test_html_footer_explains_how_to_erase_the_data(t: Texts) -> None:
    """The footer tells how to erase the data, and links the erasure page when given."""
    page = render_html(_fiche(), t)
    assert "« supprimer mes données »" in page
    assert "<h2>Tes données</h2>" in page
    assert "<a href" not in page.split('<footer class="donnees">')[1]
    url = "https://capnum.example/effacer?jeton=a&b"
    with_link = render_html(_fiche(), t, effacement_url=url)
    assert '<a href="https://capnum.example/effacer?jeton=a&amp;b">' in with_link


def test_only_web_addresses_become_links(t: Texts) -> None:
    """A site is linked only when it is a web address (a bare domain reads as https);
    another scheme stays plain text, and so does an erasure address that is not web."""
    sites = [
        _formation(1, site="javascript:alert(1)"),
        _formation(2, site="www.simplon.co"),
        _formation(3, site=None),
    ]
    page = render_html(_fiche(formations=sites), t)
    assert 'href="javascript' not in page and "javascript:alert(1)" in page
    assert '<a href="https://www.simplon.co">simplon.co</a>' in page
    assert page.count("<dt>Site</dt>") == 2
    with pytest.raises(ValueError):
        render_html(_fiche(), t, effacement_url="javascript:alert(1)")


def test_an_empty_sheet_still_reads_well(t: Texts) -> None:
    """Without profile, trainings, steps or notes, both layouts say so instead of failing."""
    fiche = _fiche(profil=[], formations=[], etapes=" ", notes_personne=[])
    page = render_html(fiche, t)
    assert t.get("libelle_fiche_formations_aucune") in page
    assert "Tes prochaines étapes" not in page
    text = _pdf_text(render_pdf(fiche, t))
    assert "Aucune formation" in text and "Rien n" in text


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jour", "expected"),
    [
        (date(2026, 12, 7), "7 décembre 2026"),
        (date(2027, 3, 1), "1er mars 2027"),
        (date(2027, 8, 15), "15 août 2027"),
    ],
)
def test_dates_are_written_in_french(t: Texts, jour: date, expected: str) -> None:
    """A date reads as in a letter: day, month in words, year."""
    assert date_en_lettres(t, jour) == expected


@pytest.mark.parametrize(
    ("valeur", "expected"),
    [
        ("2019-06", "juin 2019"),
        ("2019", "2019"),
        ("2021-02-03", "3 février 2021"),
        ("2019-13", "2019-13"),
        ("printemps 2019", "printemps 2019"),
    ],
)
def test_data_dates_are_written_in_words(t: Texts, valeur: str, expected: str) -> None:
    """The date of a source's data reads in words; an unknown form is kept as given."""
    assert date_donnees_texte(t, valeur) == expected


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_holds_the_sheet_with_its_accents(t: Texts) -> None:
    """The PDF's text has the profile, each training, the source and data date, the steps
    and the erasure notice, accents intact."""
    pdf = render_pdf(_fiche(), t)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    for _, valeur in PROFIL:
        assert valeur in text
    for numero in range(1, 6):
        assert f"Développeur web et web mobile n°{numero}" in text
    assert "Source : liste GEN 2019, data.gouv.fr (données de juin 2019)" in text
    assert "ton intérêt pour le développement" in text
    assert "Étapes suivantes" in text and "Tes prochaines étapes" in text
    assert "Simplon.co – Hauts-de-France" in text
    assert "7 décembre 2026" in text and "« supprimer mes données »" in text
    assert "<script>alert('x')</script> & <b>ton CV</b>" in text
    assert "Page 1 / 2" in text


def test_pdf_embeds_the_vera_fonts(t: Texts) -> None:
    """Every font of every page is a Vera TrueType font embedded in the file (no standard
    Helvetica, which would print accents with the reader's own font)."""
    reader = PdfReader(io.BytesIO(render_pdf(_fiche(), t)))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert names and all("Vera" in name for name in names), names


def test_pdf_fits_two_pages_for_five_trainings(t: Texts) -> None:
    """Five trainings, with reasons and notes, print on two A4 pages at most."""
    reader = PdfReader(io.BytesIO(render_pdf(_fiche(), t)))
    assert len(reader.pages) <= 2
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]


def test_pdf_metadata_hold_no_personal_data(t: Texts) -> None:
    """The title is the document's; no metadata names the counsellor, the structure or
    any profile value."""
    reader = PdfReader(io.BytesIO(render_pdf(_fiche(), t)))
    assert reader.metadata.title == "Fiche de synthèse – Cap Num"
    values = " ".join(str(value) for value in reader.metadata.values())
    for personal in ["Camille", "Martin", "Roubaix", "Mission locale", "19 ans", "travail"]:
        assert personal not in values


def test_pdf_is_reproducible(t: Texts) -> None:
    """The same sheet gives the same bytes (no date or random id in the file)."""
    assert render_pdf(_fiche(), t) == render_pdf(_fiche(), t)


def test_pdf_prints_the_erasure_address_when_given(t: Texts) -> None:
    """The erasure address is printed whole, as people cannot click on paper."""
    url = "https://capnum.example/effacer?jeton=a&b"
    assert url in _pdf_text(render_pdf(_fiche(), t, effacement_url=url))


# --- labels --------------------------------------------------------------------------------


def test_every_sheet_label_lives_in_the_domain(domain: dict[str, Any]) -> None:
    """Each `libelle_fiche_*` name the module reads is in domain.yml, and each one in the
    domain is read by the module (the month names through their prefix)."""
    source = (REPO_ROOT / "bot" / "console" / "fiche.py").read_text(encoding="utf-8")
    used: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("libelle_fiche_"):
                used.add(node.value)
    assert "libelle_fiche_mois_" in used
    used.discard("libelle_fiche_mois_")
    used |= {f"libelle_fiche_mois_{mois}" for mois in range(1, 13)}
    declared = {name for name in domain["responses"] if name.startswith("libelle_fiche_")}
    assert used == declared
