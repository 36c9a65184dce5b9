"""Import of the RNCP XML export (`capnum catalogue rncp-import`), on small exports
written by the tests: digital fiches kept, fields and statistics as the export gives
them, errors with the fiche's position, nothing written on error, the newest file read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.catalogue.rncp import Rncp
from bot.catalogue.rncp_import import codes_rome_numeriques, lire, texte_propre
from bot.cli import main
from tests.support.rncp_xml import fiche_xml, write_export, write_rome

STATS = (
    "<STATISTIQUES_PROMOTION><ANNEE>2021</ANNEE><NOMBRE_CERTIFIES>3899</NOMBRE_CERTIFIES>"
    "<NOMBRE_CERTIFIES_VAE>0</NOMBRE_CERTIFIES_VAE>"
    "<TAUX_INSERTION_GLOBAL_6MOIS>60</TAUX_INSERTION_GLOBAL_6MOIS>"
    "<TAUX_INSERTION_METIER_2ANS>83</TAUX_INSERTION_METIER_2ANS></STATISTIQUES_PROMOTION>"
    "<STATISTIQUES_PROMOTION><ANNEE>2022</ANNEE><NOMBRE_CERTIFIES>12</NOMBRE_CERTIFIES>"
    "<TAUX_INSERTION_METIER_6MOIS>50</TAUX_INSERTION_METIER_6MOIS></STATISTIQUES_PROMOTION>"
)


@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A knowledge folder with the digital ROME codes and empty RNCP tables, used by the
    command line."""
    folder = tmp_path / "knowledge"
    write_rome(folder)
    (folder / "rncp").mkdir()
    (folder / "catalogue").mkdir()
    (folder / "rncp" / "certifications.csv").write_text(
        "rncp,intitule,niveau,type,statut,fin_validite,remplacee_par,source,date_donnees\n"
        "RNCP31114,Développeur web et web mobile,5,Titre professionnel,actif,2023-09-01,,"
        "export 2021,2021\n",
        encoding="utf-8",
    )
    (folder / "rncp" / "rome.csv").write_text("rncp,code_rome,libelle_rome,source\n", "utf-8")
    (folder / "rncp" / "codes_rome.csv").write_text("code_rome,code_rome_rncp,lien\n", "utf-8")
    (folder / "catalogue" / "rncp_correspondances.csv").write_text(
        "formation_id,lignes,rncp,raison\n", encoding="utf-8"
    )
    monkeypatch.setenv("CAPNUM_KNOWLEDGE_DIR", str(folder))
    return folder


def export(tmp_path: Path, name: str = "export_fiches_RNCP_V4_1_2027-08-16.xml") -> Path:
    """A digital fiche with statistics, a non-digital one, a digital one without stats."""
    return write_export(
        tmp_path / name,
        fiche_xml(
            "RNCP37674",
            "Développeur web et web mobile",
            anciennes=("RNCP31114",),
            statistiques=STATS,
            partenaires=("Actif", "Actif", "Supprimé"),
            prerequis="&lt;p&gt;Niveau bac&lt;/p&gt;&lt;li&gt;tests&lt;/li&gt;",
        ),
        fiche_xml("RNCP40344", "Auxiliaire spécialisé vétérinaire", rome=("A1500",)),
        fiche_xml("RNCP37488", "Cybersécurité", rome=("M1803", "M1802"), niveau="NIV4"),
    )


def test_only_digital_fiches_are_kept_with_their_fields(tmp_path: Path, knowledge: Path) -> None:
    """The veterinary fiche (ROME A1500) is left out; the others keep level, status,
    dates, former fiche, partners with an active authorisation, cleaned requirements."""
    lecture = lire(export(tmp_path), codes_rome_numeriques(knowledge))
    assert lecture.erreurs == [] and lecture.fiches_lues == 3 and lecture.version_flux == "4.1"
    assert [f.numero for f in lecture.fiches] == ["RNCP37488", "RNCP37674"]
    web = lecture.fiches[1]
    assert (web.niveau, web.actif, web.type) == (5, True, "Titre professionnel")
    assert web.fin_enregistrement == date(2028, 9, 1) and web.debut == date(2023, 9, 1)
    assert web.anciennes == ("RNCP31114",) and web.organismes_habilites == 2
    assert web.prerequis == "Niveau bac\ntests"
    assert [x.code for x in web.rome] == ["M1805"]


def test_statistics_keep_each_rate_with_its_delay(tmp_path: Path, knowledge: Path) -> None:
    """Each cohort keeps its year, counts and every TAUX_INSERTION_* with what it measures
    and after how many months; the latest cohort comes first."""
    web = lire(export(tmp_path), codes_rome_numeriques(knowledge)).fiches[1]
    assert list(web.statistiques) == [
        {
            "annee": 2022,
            "nombre_certifies": 12,
            "nombre_certifies_vae": None,
            "taux": [{"portee": "metier_vise", "delai_mois": 6, "pourcentage": 50}],
        },
        {
            "annee": 2021,
            "nombre_certifies": 3899,
            "nombre_certifies_vae": 0,
            "taux": [
                {"portee": "emploi", "delai_mois": 6, "pourcentage": 60},
                {"portee": "metier_vise", "delai_mois": 24, "pourcentage": 83},
            ],
        },
    ]


def test_import_writes_the_dated_file_the_bot_reads(
    tmp_path: Path, knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One command writes fiches_<date of the file name>.json; the run-time module then
    takes its data over the older tables and follows the new replacement link."""
    assert main(["catalogue", "rncp-import", str(export(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "3 fiche(s) lue(s)" in out and "2 du numérique" in out
    written = knowledge / "rncp" / "fiches_2027-08-16.json"
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["source"] == "France Compétences – RNCP, export du 16/08/2027"
    assert document["fiches_lues"] == 3 and len(document["sha256"]) == 64
    data = Rncp.load(knowledge)
    current = data.actuelle("RNCP31114")
    assert current is not None and current.numero == "RNCP37674"
    assert current.date_donnees == "2027-08-16"
    assert data.statistiques("RNCP37674")[0].annee == 2022
    assert [c.numero for c in data.certifications_du_metier(["M1805"], date(2027, 9, 1))] == [
        "RNCP37674"
    ]


def test_dry_run_writes_nothing(
    tmp_path: Path, knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run reads and counts, and leaves knowledge/rncp/ as it was."""
    before = sorted(p.name for p in (knowledge / "rncp").iterdir())
    assert main(["catalogue", "rncp-import", str(export(tmp_path)), "--dry-run"]) == 0
    assert "rien n'a été écrit" in capsys.readouterr().out
    assert sorted(p.name for p in (knowledge / "rncp").iterdir()) == before


def test_a_bad_fiche_is_named_by_its_position_and_nothing_is_written(
    tmp_path: Path, knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A digital fiche with an unreadable date or level is reported with its position in
    the file; the import writes nothing."""
    path = write_export(
        tmp_path / "export.xml",
        fiche_xml("RNCP1", "Bon titre"),
        fiche_xml("RNCP2", "Vétérinaire", rome=("A1500",), fin="2028-09-01"),
        fiche_xml("RNCP3", "Date fausse", fin="2028-09-01"),
        fiche_xml("RNCP4", "Niveau faux", niveau="NIV9"),
    )
    assert main(["catalogue", "rncp-import", str(path), "--date", "2027-01-02"]) == 1
    err = capsys.readouterr().err
    assert "fiche n° 3 (RNCP3) : date de fin « 2028-09-01 » illisible" in err
    assert "fiche n° 4 (RNCP4) : niveau « NIV9 » inconnu" in err
    assert "fiche n° 2" not in err
    assert "Rien n'a été écrit" in err
    assert not list((knowledge / "rncp").glob("fiches_*.json"))


def test_broken_xml_and_missing_date_are_refused(
    tmp_path: Path, knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Malformed XML gives its line; a file name without a date asks for --date."""
    broken = tmp_path / "export_2027-01-02.xml"
    broken.write_text("<FICHES>\n<FICHE><NUMERO_FICHE>RNCP1</FICHE>\n", encoding="utf-8")
    assert main(["catalogue", "rncp-import", str(broken)]) == 1
    assert "XML illisible ligne 2" in capsys.readouterr().err
    undated = write_export(tmp_path / "export.xml", fiche_xml("RNCP1", "Titre"))
    assert main(["catalogue", "rncp-import", str(undated)]) == 1
    assert "--date AAAA-MM-JJ" in capsys.readouterr().err
    other_root = tmp_path / "autre_2027-01-02.xml"
    other_root.write_text("<OFFRES></OFFRES>", encoding="utf-8")
    assert main(["catalogue", "rncp-import", str(other_root)]) == 1
    assert "<FICHES>" in capsys.readouterr().err


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Niveau bac<br/>ou équivalent", "Niveau bac\nou équivalent"),
        (
            "sélection :    * un dossier    * un entretien",
            "sélection :\n- un dossier\n- un entretien",
        ),
        ("<b>Bac</b> &amp; 1 an", "Bac & 1 an"),
        ("   ", None),
    ],
)
def test_free_text_is_cleaned_of_html(raw: str, clean: str | None) -> None:
    """Tags dropped (line breaks kept), entities decoded, bullets and runs of spaces as lines
    (the text as the XML parser returns it)."""
    assert texte_propre(raw) == clean
