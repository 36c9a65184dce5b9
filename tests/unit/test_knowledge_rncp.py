"""The RNCP build (tools/knowledge/rncp.py) and the catalogue matcher
(tools/knowledge/rncp_matching.py): the matcher reproduces the reviewed file, its rules
on small rows, and the build on small source files written by the test (never
../shared)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.rncp import Rncp
from bot.catalogue.rncp_donnees import Certification, Export, FicheExport, LienRome
from bot.config import REPO_ROOT
from tests.support.rncp_xml import fiche_xml, write_export, write_rome
from tools.knowledge import rncp as kr
from tools.knowledge.rncp_matching import Matcher, comparer, normaliser, proposer

KNOWLEDGE = REPO_ROOT / "knowledge"


def catalogue_rows() -> list[dict[str, Any]]:
    """The committed catalogue rows."""
    return [
        json.loads(line)
        for path in sorted((KNOWLEDGE / "catalogue").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_the_matcher_reproduces_the_reviewed_file() -> None:
    """Run on the committed catalogue and certifications, the deterministic rule proposes
    exactly the numbers of the hand-reviewed correspondences."""
    data = Rncp.load(KNOWLEDGE)
    propositions = proposer(catalogue_rows(), data)
    assert comparer(propositions, data.correspondances) == []
    matched = {p.formation_id: p.rncp for p in propositions if p.rncp}
    assert matched == {
        "gen-idf-2016-022": ("RNCP225",),
        "gen-idf-2016-023": ("RNCP5914",),
        "gen-idf-2016-026": ("RNCP32158",),
        "gen-reg-067": ("RNCP31114",),
    }


@pytest.mark.parametrize(
    "text, norm",
    [
        (
            "Technicien (ne) supérieur (e) en réseaux informatiques",
            "technicien superieur reseau informatique",
        ),
        (
            "Technicien Supérieur Réseau Informatique et Télécom niveau III",
            "technicien superieur reseau informatique telecom",
        ),
        (
            "Titre professionnel Développeur web et web mobile, niveau 5 (Bac+2)",
            "titre professionnel developpeur web web mobile",
        ),
        ("Services informatiques aux organisations", "service informatique organisation"),
        (None, ""),
    ],
)
def test_normalisation(text: str | None, norm: str) -> None:
    """Accents, parentheses, levels, small words and plurals do not count."""
    assert normaliser(text) == norm


def cert(numero: str, intitule: str, **kw: Any) -> Certification:
    """An active certification of the small test data."""
    values: dict[str, Any] = {
        "numero": numero,
        "intitule": intitule,
        "niveau": 5,
        "type": "Titre professionnel",
        "statut": "actif",
        "fin_validite": date(2023, 9, 1),
        "remplacee_par": "",
        "source": "test",
        "date_donnees": "2021",
    }
    values.update(kw)
    return Certification(**values)


def small_rncp() -> Rncp:
    """Two chains of one title, a title of two unrelated fiches, a 2023 successor."""
    certs = {
        "RNCP1": cert(
            "RNCP1",
            "Développeur logiciel",
            fin_validite=None,
            statut="inactif",
            remplacee_par="RNCP2",
        ),
        "RNCP2": cert("RNCP2", "Développeur web et web mobile", remplacee_par="RNCP3"),
        "RNCP3": cert("RNCP3", "Développeur web et web mobile", fin_validite=date(2028, 9, 1)),
        "RNCP4": cert("RNCP4", "Développeur web", type=""),
        "RNCP5": cert("RNCP5", "Développeur web", type=""),
        "RNCP6": cert("RNCP6", "Technicien d'assistance en informatique", niveau=4),
        "RNCP7": cert("RNCP7", "Services informatiques aux organisations", type="BTS"),
    }
    fiche3 = FicheExport(
        numero="RNCP3",
        intitule="Développeur web et web mobile",
        type="Titre professionnel",
        niveau=5,
        actif=True,
        fin_enregistrement=date(2028, 9, 1),
        debut=date(2023, 9, 1),
        anciennes=("RNCP2",),
        nouvelles=(),
        rome=(LienRome("M1805", ""),),
        prerequis=None,
        certificateurs=(),
        organismes_habilites=0,
    )
    return Rncp(certs, {}, {}, {}, Export("test", "2026-08", {"RNCP3": fiche3}))


def row(rid: str, intitule: str, certification: str | None, date_donnees: str = "2019") -> dict:
    """A catalogue row with only what the matcher reads."""
    return {
        "id": rid,
        "formation_id": rid,
        "intitule": intitule,
        "certification": certification,
        "date_donnees": date_donnees,
        "brut": {},
    }


@pytest.mark.parametrize(
    "intitule, certification, date_donnees, expected",
    [
        # Named in the certification field: the fiche registered that year.
        ("Dev", "Titre professionnel Développeur web et web mobile", "2019", ("RNCP2",)),
        ("Dev", "TP Développeur web et web mobile", "2024", ("RNCP3",)),
        ("Dev", "prépare le BTS SIO", "2020", ("RNCP7",)),
        # The training's title counts only when the row says it leads to a diploma.
        ("Technicien assistance informatique", "diplômante", "2016", ("RNCP6",)),
        ("Technicien assistance informatique", "certifiante", "2016", ()),
        ("Technicien assistance informatique", "certifiante mais non diplômante", "2016", ()),
        ("Technicien assistance informatique", None, "2016", ()),
        # A title of two unrelated fiches names none of them.
        ("Développeur web", "diplômante", "2019", ()),
        # Ended before the year of the data: no fiche.
        ("Dev", "Titre professionnel Développeur web et web mobile", "2030", ()),
    ],
)
def test_matching_rules(
    intitule: str, certification: str | None, date_donnees: str, expected: tuple[str, ...]
) -> None:
    """Where the certification is named, whether the row says it prepares it, and the year
    choose the fiche (module docstring of tools/knowledge/rncp_matching.py)."""
    proposal = Matcher(small_rncp()).proposer(
        "f", [row("f", intitule, certification, date_donnees)]
    )
    assert proposal.rncp == expected
    assert proposal.raison


def test_unmatched_reasons_say_why() -> None:
    """A title equal to an official one without a word on certification, and two unrelated
    fiches, are explained."""
    matcher = Matcher(small_rncp())
    same = matcher.proposer("f", [row("f", "Développeur web et web mobile (Java)", None)])
    assert "la source ne dit pas que la formation y prépare" in same.raison
    two = matcher.proposer("f", [row("f", "Développeur web", "diplômante")])
    assert "2 fiches non terminées en 2019 (RNCP4, RNCP5)" in two.raison


def test_differences_with_the_reviewed_file_are_reported() -> None:
    """A training whose proposal differs from, or is missing in, the reviewed file is listed."""
    data = Rncp.load(KNOWLEDGE)
    propositions = proposer(catalogue_rows(), data)
    reviewed = dict(data.correspondances)
    reviewed.pop("gen-reg-067")
    reviewed["gen-idf-2016-022"] = reviewed["gen-idf-2016-022"].__class__(
        "gen-idf-2016-022", (), "rejeté à la revue"
    )
    assert comparer(propositions, reviewed) == [
        "gen-idf-2016-022 : revu (aucune), proposé RNCP225",
        "gen-reg-067 : absente du fichier revu (proposé : ('RNCP31114',))",
    ]


# --------------------------------------------------------------------------- build


def test_2021_texts_and_dates() -> None:
    """C1 control characters of the Windows-1252 punctuation, doubled apostrophes and line
    breaks are fixed; M/D/YY dates are read."""
    assert kr.propre("Expert en informatique et systèmes d\x92information\n (MS) ") == (
        "Expert en informatique et systèmes d’information (MS)"
    )
    assert kr.propre("Administration de systèmes d''information") == (
        "Administration de systèmes d'information"
    )
    assert kr.date_2021("9/1/23") == date(2023, 9, 1) and kr.date_2021("") is None


def test_the_rncp_section_replaces_only_itself() -> None:
    """Rewriting SOURCES.md keeps what comes before and after the RNCP section."""
    text = f"# S\n\n## geo\nA\n\n{kr.SECTION}\nvieux\n\n## lheo\nB\n"
    assert kr.remplacer_section(text, f"{kr.SECTION}\nneuf\n\n") == (
        f"# S\n\n## geo\nA\n\n{kr.SECTION}\nneuf\n\n## lheo\nB\n"
    )
    assert kr.remplacer_section("# S\n", f"{kr.SECTION}\nneuf\n") == f"# S\n\n{kr.SECTION}\nneuf\n"


COLUMNS_2021 = (
    "CodeRNCP;intituleDiplome;date_fin_validite_enregistrement;ActiveInactive;EtatFiche;"
    "NiveauEurope;CodeTypeCertif;TypeCertif;AncienneFiche;NouvelleFiche;TypeEnregistrement"
)
TP = "TP;Titre professionnel"
FICHES_2021 = [
    f"RNCP5927;Développeur logiciel;;INACTIVE;Publiée;niveau5;{TP};RNCP224;RNCP31114;de droit",
    f"RNCP224;Développeur logiciel;;INACTIVE;Publiée;niveau5;{TP};;;de droit",
    f"RNCP31114;Développeur web et web mobile;9/1/23;ACTIVE;Publiée;niveau5;{TP};RNCP5927;;x",
    f"RNCP225;Technicien dassistance en informatique;9/1/23;ACTIVE;Publiée;niveau4;{TP};;;x",
    "RNCP1000;Métiers de la pierre;8/31/16;INACTIVE;Publiée;niveau4;BP;BP;;RNCP32230;x",
    "RNCP2000;Chef d''équipe;8/31/16;INACTIVE;Publiée;niveau4;;;;;sur demande",
    "RNCP2000;Chef d''équipe;8/31/16;INACTIVE;Publiée;niveau4;;;;RNCP2001;sur demande",
]
ROME_2021 = [
    "CodeRNCP;EtatFiche;Rome;libelle;;",
    "RNCP31114;;M1805;Études et développement informatique;;",
    "RNCP225;;I1401;Maintenance informatique et bureautique;;",
    "RNCP1000;;F1604;Montage de structures;;",
    "RNCP2000;;M1803;Direction des systèmes d''information;;",
    "RNCP2000;;K2111;Formation professionnelle;;",
]


def test_build_on_small_sources(tmp_path: Path) -> None:
    """The build keeps the fiches linked to a digital ROME code and those reached by the
    replacement links, takes the 2026 fiche over the 2021 row, keeps only digital ROME
    links, maps the job codes, and proposes the correspondences when no reviewed file
    exists."""
    shared = tmp_path / "shared"
    (shared / "rncp").mkdir(parents=True)
    (shared / kr.FICHES_2021).write_text("\n".join([COLUMNS_2021, *FICHES_2021]) + "\n", "utf-8")
    (shared / kr.ROME_2021).write_text("\n".join(ROME_2021) + "\n", encoding="utf-8")
    write_export(
        shared / kr.EXTRAIT_2026,
        fiche_xml("RNCP37674", "Développeur web et web mobile", anciennes=("RNCP31114",)),
        fiche_xml("RNCP40344", "Auxiliaire vétérinaire", rome=("A1500",)),
    )
    out = tmp_path / "knowledge"
    write_rome(out)
    rows = [row("gen-reg-067", "Dev", "Titre professionnel Développeur web et web mobile")]
    res = kr.build_rncp(shared, out, rows, reviewed=out / "catalogue" / "revu.csv")

    with (out / "rncp" / "certifications.csv").open(encoding="utf-8") as fh:
        certs = {r["rncp"]: r for r in csv.DictReader(fh)}
    assert sorted(certs) == ["RNCP2000", "RNCP224", "RNCP31114", "RNCP37674", "RNCP5927"]
    assert certs["RNCP31114"]["remplacee_par"] == "RNCP37674"
    assert certs["RNCP5927"]["remplacee_par"] == "RNCP31114"
    assert certs["RNCP2000"]["intitule"] == "Chef d'équipe"
    assert certs["RNCP37674"]["source"] == "France Compétences – RNCP, export août 2026"
    assert certs["RNCP31114"]["fin_validite"] == "2023-09-01"
    with (out / "rncp" / "rome.csv").open(encoding="utf-8") as fh:
        links = [(r["rncp"], r["code_rome"]) for r in csv.DictReader(fh)]
    assert links == [("RNCP2000", "M1803"), ("RNCP31114", "M1805"), ("RNCP37674", "M1805")]
    with (out / "rncp" / "codes_rome.csv").open(encoding="utf-8") as fh:
        codes = [tuple(r.values()) for r in csv.DictReader(fh)]
    assert codes == [
        ("M1805", "M1805", "identique"),
        ("M1812", "M1803", "parent"),
        ("M1815", "M1805", "parent_partage"),
        ("M1855", "M1805", "parent_partage"),
    ]
    document = json.loads((out / "rncp" / "fiches_2026-08.json").read_text(encoding="utf-8"))
    assert [f["numero"] for f in document["fiches"]] == ["RNCP37674"]
    assert res.rncp.correspondances["gen-reg-067"].rncp == ("RNCP31114",)
    assert res.differences == []
    assert "RNCP31114" in kr.render_section(res)
