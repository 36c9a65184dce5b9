"""Small RNCP XML exports (France Compétences' flux v4.1 layout) written by the tests,
never read from ../shared."""

from __future__ import annotations

from pathlib import Path


def fiche_xml(
    numero: str,
    intitule: str,
    *,
    rome: tuple[str, ...] = ("M1805",),
    niveau: str = "NIV5",
    actif: str = "Oui",
    fin: str = "01/09/2028",
    effet: str = "01/09/2023",
    anciennes: tuple[str, ...] = (),
    nouvelles: tuple[str, ...] = (),
    prerequis: str | None = None,
    statistiques: str = "",
    partenaires: tuple[str, ...] = (),
    abrege: str = "Titre professionnel",
) -> str:
    """One <FICHE> element; `statistiques` is the inner XML of STATISTIQUES_PROMOTIONS,
    `partenaires` the ETAT_HABILITATION of each partner."""
    parts = [f"<FICHE><ID_FICHE>1</ID_FICHE><NUMERO_FICHE>{numero}</NUMERO_FICHE>"]
    if nouvelles:
        parts.append(
            "<NOUVELLES_CERTIFICATIONS>"
            + "".join(
                f"<NOUVELLE_CERTIFICATION><ID_FICHE_NOUVELLE_CERTIFICATION>{n}"
                "</ID_FICHE_NOUVELLE_CERTIFICATION></NOUVELLE_CERTIFICATION>"
                for n in nouvelles
            )
            + "</NOUVELLES_CERTIFICATIONS>"
        )
    if anciennes:
        parts.append(
            "<ANCIENNES_CERTIFICATIONS>"
            + "".join(
                f"<ANCIENNE_CERTIFICATION><ID_FICHE_ANCIENNE_CERTIFICATION>{a}"
                "</ID_FICHE_ANCIENNE_CERTIFICATION></ANCIENNE_CERTIFICATION>"
                for a in anciennes
            )
            + "</ANCIENNES_CERTIFICATIONS>"
        )
    parts.append(f"<INTITULE>{intitule}</INTITULE>")
    parts.append(f"<ABREGE><CODE>TP</CODE><LIBELLE>{abrege}</LIBELLE></ABREGE>")
    parts.append("<ETAT_FICHE>Publiée</ETAT_FICHE>")
    parts.append(f"<NOMENCLATURE_EUROPE><NIVEAU>{niveau}</NIVEAU></NOMENCLATURE_EUROPE>")
    parts.append(
        "<CERTIFICATEURS><CERTIFICATEUR><NOM_CERTIFICATEUR>MINISTERE DU TRAVAIL"
        "</NOM_CERTIFICATEUR><ETAT_CERTIFICATEUR>Actif</ETAT_CERTIFICATEUR>"
        "</CERTIFICATEUR></CERTIFICATEURS>"
    )
    if partenaires:
        parts.append(
            "<PARTENAIRES>"
            + "".join(
                f"<PARTENAIRE><NOM_PARTENAIRE>P{i}</NOM_PARTENAIRE>"
                f"<ETAT_HABILITATION>{etat}</ETAT_HABILITATION></PARTENAIRE>"
                for i, etat in enumerate(partenaires)
            )
            + "</PARTENAIRES>"
        )
    parts.append(
        "<CODES_ROME>"
        + "".join(f"<ROME><CODE>{c}</CODE><LIBELLE>Libellé {c}</LIBELLE></ROME>" for c in rome)
        + "</CODES_ROME>"
    )
    if statistiques:
        parts.append(f"<STATISTIQUES_PROMOTIONS>{statistiques}</STATISTIQUES_PROMOTIONS>")
    parts.append(f"<DATE_FIN_ENREGISTREMENT>{fin}</DATE_FIN_ENREGISTREMENT>")
    if effet:
        parts.append(f"<DATE_EFFET>{effet}</DATE_EFFET>")
    parts.append(f"<ACTIF>{actif}</ACTIF>")
    if prerequis is not None:
        parts.append(f"<PREREQUIS_ENTREE_FORMATION>{prerequis}</PREREQUIS_ENTREE_FORMATION>")
    parts.append("</FICHE>")
    return "".join(parts)


def write_export(path: Path, *fiches: str) -> Path:
    """An export file holding these fiches."""
    body = "".join(fiches)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f"<FICHES><VERSION_FLUX>4.1</VERSION_FLUX>{body}</FICHES>\n",
        encoding="utf-8",
    )
    return path


ROME_CSV = (
    "metier_cible,code_fiche,code_rome_parent,libelle_fiche,code_ogr,libelle_appellation,"
    "classification\n"
    "developpeur_web_mobile,M1805,M1805,Développeur informatique,1,Développeur,PRINCIPALE\n"
    "developpeur_web_mobile,M1855,M1805,Développeur web,2,Développeur web,PRINCIPALE\n"
    "testeur,M1815,M1805,Testeur,3,Testeur,PRINCIPALE\n"
    "cybersecurite,M1812,M1803,RSSI,4,RSSI,PRINCIPALE\n"
)


def write_rome(knowledge: Path) -> None:
    """A small rome/metiers_numeriques.csv (developer, tester, security sheets)."""
    (knowledge / "rome").mkdir(parents=True, exist_ok=True)
    (knowledge / "rome" / "metiers_numeriques.csv").write_text(ROME_CSV, encoding="utf-8")
