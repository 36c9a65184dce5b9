"""Import of France Compétences' RNCP XML export (flux v4.x, the daily
``export_fiches_RNCP_V4_1_<date>.xml``): ``capnum catalogue rncp-import FICHIER.xml``.

The file (several hundred MB) is read as a stream: each ``<FICHE>`` is parsed then
dropped. Only the digital fiches are kept (a ROME code of
``knowledge/rome/metiers_numeriques.csv``, sheet code or its parent); they are written to
``knowledge/rncp/fiches_<date>.json``, which ``bot.catalogue.rncp`` reads (the newest
file wins): a yearly refresh is this one command. Messages in French, each error with the
fiche's position in the file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.catalogue.rncp_donnees import FicheExport, LienRome, numero_rncp
from bot.config import get_settings

NOTHING_WRITTEN = "Rien n'a été écrit : les fiches précédentes sont intactes."
_TAUX_RE = re.compile(r"^TAUX_INSERTION_(GLOBAL|METIER)_(\d+)(MOIS|ANS)$")
_PORTEES = {"GLOBAL": "emploi", "METIER": "metier_vise"}
_DATE_NOM_RE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_MOIS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


class FicheInvalide(ValueError):
    """A fiche the import cannot read (message in French, with its position)."""


@dataclass(frozen=True)
class Lecture:
    """What one pass over an export gave."""

    version_flux: str
    fiches_lues: int
    fiches: list[FicheExport]
    erreurs: list[str]


def codes_rome_numeriques(knowledge_dir: Path) -> frozenset[str]:
    """ROME codes of the digital sector: every job sheet code of
    ``rome/metiers_numeriques.csv`` and its parent code (ROME v3, the codes the RNCP
    uses)."""
    with (knowledge_dir / "rome" / "metiers_numeriques.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return frozenset(r["code_fiche"] for r in rows) | frozenset(r["code_rome_parent"] for r in rows)


def texte_propre(value: str | None) -> str | None:
    """Text of a free-text field without HTML: tags dropped (line breaks kept), entities
    decoded, bullets "* " as "- ", a run of several spaces (a line break of the source)
    as a new line."""
    if not value:
        return None
    text = re.sub(r"(?i)<\s*(br|/p|/li|/div)\s*/?\s*>", "\n", value)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    text = re.sub(r"\s*\*\s+", "\n- ", text)
    lines = (re.sub(r"\s+", " ", part).strip() for part in re.split(r"\n|\s{2,}", text))
    return "\n".join(line for line in lines if line) or None


def _text(elem: ET.Element, path: str) -> str:
    found = elem.find(path)
    return (found.text or "").strip() if found is not None else ""


def _date_fr(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise FicheInvalide(f"{what} « {value} » illisible (attendu JJ/MM/AAAA)") from None


def _entier(value: str, what: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise FicheInvalide(f"{what} « {value} » n'est pas un nombre entier")
    return int(value)


def _statistique(elem: ET.Element) -> dict[str, Any]:
    """One STATISTIQUES_PROMOTION: the cohort year, the number certified (and after a
    VAE), and each TAUX_INSERTION_<GLOBAL|METIER>_<n><MOIS|ANS> as it is given."""
    annee = _entier(_text(elem, "ANNEE"), "année de promotion")
    if annee is None:
        raise FicheInvalide("statistique de promotion sans année")
    taux = []
    for child in elem:
        if match := _TAUX_RE.match(child.tag):
            pourcentage = _entier((child.text or "").strip(), child.tag)
            if pourcentage is None:
                continue
            if pourcentage > 100:
                raise FicheInvalide(f"{child.tag} de {annee} : {pourcentage} % (plus de 100)")
            delai = int(match[2]) * (12 if match[3] == "ANS" else 1)
            taux.append(
                {"portee": _PORTEES[match[1]], "delai_mois": delai, "pourcentage": pourcentage}
            )
    return {
        "annee": annee,
        "nombre_certifies": _entier(_text(elem, "NOMBRE_CERTIFIES"), "nombre de certifiés"),
        "nombre_certifies_vae": _entier(
            _text(elem, "NOMBRE_CERTIFIES_VAE"), "nombre de certifiés par VAE"
        ),
        "taux": sorted(taux, key=lambda t: (t["delai_mois"], t["portee"])),
    }


def rome_de(elem: ET.Element) -> tuple[LienRome, ...]:
    """The ROME codes of a fiche."""
    return tuple(
        LienRome(_text(rome, "CODE"), _text(rome, "LIBELLE"))
        for rome in elem.iterfind("CODES_ROME/ROME")
        if _text(rome, "CODE")
    )


def fiche_depuis_xml(elem: ET.Element) -> FicheExport:
    """A ``<FICHE>`` element as a :class:`FicheExport` (raises :class:`FicheInvalide`)."""
    numero = numero_rncp(_text(elem, "NUMERO_FICHE"))
    if numero is None:
        raise FicheInvalide(f"numéro de fiche « {_text(elem, 'NUMERO_FICHE')} » invalide")
    intitule = re.sub(r"\s+", " ", _text(elem, "INTITULE"))
    if not intitule:
        raise FicheInvalide("fiche sans intitulé")
    niveau_code = _text(elem, "NOMENCLATURE_EUROPE/NIVEAU")
    if match := re.fullmatch(r"NIV([3-8])", niveau_code):
        niveau: int | None = int(match[1])
    elif niveau_code in ("", "AUCUN"):
        niveau = None
    else:
        raise FicheInvalide(f"niveau « {niveau_code} » inconnu (attendu NIV3 à NIV8)")
    actif = _text(elem, "ACTIF")
    if actif not in ("Oui", "Non"):
        raise FicheInvalide(f"champ ACTIF « {actif} » inconnu (attendu Oui ou Non)")
    debut = _date_fr(_text(elem, "DATE_EFFET"), "date d'effet") or _date_fr(
        _text(elem, "DATE_DECISION"), "date de décision"
    )
    partenaires = list(elem.iterfind("PARTENAIRES/PARTENAIRE"))
    return FicheExport(
        numero=numero,
        intitule=intitule,
        type=_text(elem, "ABREGE/LIBELLE"),
        niveau=niveau,
        actif=actif == "Oui",
        fin_enregistrement=_date_fr(_text(elem, "DATE_FIN_ENREGISTREMENT"), "date de fin"),
        debut=debut,
        anciennes=_numeros(elem, "ANCIENNES_CERTIFICATIONS/*/ID_FICHE_ANCIENNE_CERTIFICATION"),
        nouvelles=_numeros(elem, "NOUVELLES_CERTIFICATIONS/*/ID_FICHE_NOUVELLE_CERTIFICATION"),
        rome=rome_de(elem),
        prerequis=texte_propre(_text(elem, "PREREQUIS_ENTREE_FORMATION")),
        certificateurs=tuple(
            dict.fromkeys(
                _text(c, "NOM_CERTIFICATEUR")
                for c in elem.iterfind("CERTIFICATEURS/CERTIFICATEUR")
                if _text(c, "NOM_CERTIFICATEUR") and _text(c, "ETAT_CERTIFICATEUR") != "Inactif"
            )
        ),
        organismes_habilites=sum(
            1 for p in partenaires if _text(p, "ETAT_HABILITATION") == "Actif"
        ),
        statistiques=tuple(
            sorted(
                (_statistique(s) for s in elem.iterfind("STATISTIQUES_PROMOTIONS/*")),
                key=lambda s: s["annee"],
                reverse=True,
            )
        ),
    )


def _numeros(elem: ET.Element, path: str) -> tuple[str, ...]:
    found = (numero_rncp(e.text or "") for e in elem.iterfind(path))
    return tuple(sorted({n for n in found if n}, key=lambda n: int(n[4:])))


def fiches_xml(path: Path) -> Iterator[tuple[int, ET.Element, str]]:
    """Each ``<FICHE>`` of an export with its position (from 1) and the flux version,
    read as a stream; the element is cleared once the caller is done with it."""
    events = ET.iterparse(path, events=("start", "end"))
    _event, root = next(events)
    if root.tag != "FICHES":
        raise FicheInvalide(f"élément racine <{root.tag}> : un export RNCP commence par <FICHES>")
    version = ""
    ordinal = 0
    for event, elem in events:
        if event != "end":
            continue
        if elem.tag == "VERSION_FLUX":
            version = (elem.text or "").strip()
        elif elem.tag == "FICHE":
            ordinal += 1
            yield ordinal, elem, version
            root.clear()


def lire(path: Path, codes_numeriques: frozenset[str]) -> Lecture:
    """The digital fiches of an export, and the errors of those that cannot be read."""
    fiches: list[FicheExport] = []
    erreurs: list[str] = []
    version = ""
    lues = 0
    try:
        for ordinal, elem, flux in fiches_xml(path):
            lues, version = ordinal, flux
            if not {link.code for link in rome_de(elem)} & codes_numeriques:
                continue
            try:
                fiches.append(fiche_depuis_xml(elem))
            except FicheInvalide as exc:
                numero = _text(elem, "NUMERO_FICHE") or "sans numéro"
                erreurs.append(f"fiche n° {ordinal} ({numero}) : {exc}")
    except ET.ParseError as exc:
        line, column = exc.position
        erreurs.append(f"XML illisible ligne {line}, colonne {column} (après la fiche n° {lues})")
    except FicheInvalide as exc:
        erreurs.append(str(exc))
    return Lecture(version, lues, sorted(fiches, key=lambda f: int(f.numero[4:])), erreurs)


def libelle_source(date_donnees: str) -> str:
    """ "France Compétences – RNCP, export août 2026" (month precision) or "… export du
    16/08/2026"."""
    parts = [int(p) for p in date_donnees.split("-")]
    if len(parts) == 2:
        return f"France Compétences – RNCP, export {_MOIS[parts[1] - 1]} {parts[0]}"
    return f"France Compétences – RNCP, export du {parts[2]:02d}/{parts[1]:02d}/{parts[0]}"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read by blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def contenu_export(lecture: Lecture, source: Path, date_donnees: str) -> dict[str, Any]:
    """The JSON document of ``fiches_<date>.json``."""
    return {
        "source": libelle_source(date_donnees),
        "date_donnees": date_donnees,
        "fichier": source.name,
        "sha256": sha256_of(source),
        "version_flux": lecture.version_flux,
        "fiches_lues": lecture.fiches_lues,
        "fiches": [fiche.to_json() for fiche in lecture.fiches],
    }


def ecrire_export(document: dict[str, Any], dossier: Path) -> Path:
    """Write ``fiches_<date>.json`` (through a temporary file, then renamed)."""
    dossier.mkdir(parents=True, exist_ok=True)
    target = dossier / f"fiches_{document['date_donnees']}.json"
    tmp = target.with_suffix(".json.tmp")
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


# --------------------------------------------------------------------------- command


def register(sub: Any) -> None:
    """Add ``catalogue rncp-import`` to the ``catalogue`` subcommands."""
    parser = sub.add_parser(
        "rncp-import",
        help="importer l'export XML du RNCP (fiches du numérique)",
        description=(
            "Lit l'export XML complet du RNCP de France Compétences (flux v4), garde les "
            "fiches du numérique (codes ROME de knowledge/rome/metiers_numeriques.csv) et "
            "écrit knowledge/rncp/fiches_<date>.json, que le bot lit (le plus récent)."
        ),
    )
    parser.add_argument("fichier", type=Path, metavar="FICHIER.xml", help="export XML du RNCP")
    parser.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        help="date de l'export (défaut : la date écrite dans le nom du fichier)",
    )
    parser.add_argument("--dry-run", action="store_true", help="lire et compter, sans écrire")
    parser.set_defaults(func=cmd_rncp_import)


def cmd_rncp_import(args: argparse.Namespace) -> int:
    """``catalogue rncp-import``: read the export, then write the digital fiches."""
    path: Path = args.fichier
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 1
    date_donnees = args.date or next(iter(_DATE_NOM_RE.findall(path.name)), None)
    try:
        date.fromisoformat(date_donnees or "")
    except ValueError:
        print(
            f"Date de l'export introuvable ou invalide ({date_donnees or path.name}) : "
            "donnez --date AAAA-MM-JJ.",
            file=sys.stderr,
        )
        return 1
    knowledge = get_settings().knowledge_dir
    lecture = lire(path, codes_rome_numeriques(knowledge))
    if lecture.erreurs:
        print(f"Fiches illisibles ({len(lecture.erreurs)}) :", file=sys.stderr)
        for erreur in lecture.erreurs:
            print(f"  {erreur}", file=sys.stderr)
        print(NOTHING_WRITTEN, file=sys.stderr)
        return 1
    actives = sum(1 for f in lecture.fiches if f.actif)
    with_stats = sum(1 for f in lecture.fiches if f.statistiques)
    print(
        f"{lecture.fiches_lues} fiche(s) lue(s) (flux {lecture.version_flux or 'inconnu'}), "
        f"{len(lecture.fiches)} du numérique gardée(s) : {actives} active(s), "
        f"{with_stats} avec des statistiques de promotion."
    )
    if args.dry_run:
        print("Vérification seule (--dry-run) : rien n'a été écrit.")
        return 0
    target = ecrire_export(contenu_export(lecture, path, date_donnees), knowledge / "rncp")
    print(f"Écrit : {target}")
    return 0
