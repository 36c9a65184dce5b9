"""Build of ``knowledge/rncp/`` from France Compétences' RNCP data in ``../shared/data``
(run by ``python -m tools knowledge build``, alone by ``python -m tools knowledge rncp``).

- ``certifications.csv``: the certifications of the digital sector: every fiche of the
  2021 export linked to a digital ROME code (a job sheet's code or its parent, as in
  ``rome/metiers_numeriques.csv``), every fiche reached from those by the replaced/replaced-by
  links, and the digital fiches of the August 2026 extract (whose data wins);
- ``rome.csv``: their links to the digital ROME codes;
- ``codes_rome.csv``: each job sheet code → the RNCP's code(s) (itself, its parent);
- ``fiches_2026-08.json``: the complete digital fiches of the 2026 extract, written by
  the same code as ``capnum catalogue rncp-import``;
- the RNCP section of ``SOURCES.md``, with the catalogue's matching
  (``tools/knowledge/rncp_matching.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.catalogue.rncp import Rncp
from bot.catalogue.rncp_donnees import (
    CERTIFICATION_COLUMNS,
    CODES_ROME_COLUMNS,
    CORRESPONDANCE_COLUMNS,
    ROME_COLUMNS,
    Certification,
    Export,
    LienRome,
    choisir_remplacante,
    fusionner,
    lire_correspondances,
)
from bot.catalogue.rncp_import import (
    codes_rome_numeriques,
    contenu_export,
    ecrire_export,
    lire,
    sha256_of,
)
from tools.knowledge.rncp_matching import Proposition, comparer, proposer

FICHES_2021 = "rncp/rncp_fiches_2021.csv"
ROME_2021 = "rncp/rncp_rome_2021.csv"
EXTRAIT_2026 = "rncp/rncp_fiches_extrait_2026.xml"
SOURCE_2021 = "France Compétences – RNCP, export 2021"
DATE_2021 = "2021"
DATE_2026 = "2026-08"
SECTION = "## rncp/ (France Compétences, RNCP)"
REVIEWED_REL = Path("catalogue") / "rncp_correspondances.csv"
DEFAULT_REVIEWED = Path(__file__).resolve().parents[2] / "knowledge" / REVIEWED_REL
# Evident defects of the 2021 export, corrected (listed in SOURCES.md).
TITRES_CORRIGES: dict[str, tuple[str, str]] = {
    "RNCP225": (
        "Technicien d'assistance en informatique",
        "apostrophe perdue dans l'export (« Technicien dassistance en informatique »)",
    ),
}


def propre(text: str) -> str:
    """A text of the 2021 CSV files as written: Windows-1252 punctuation stored as C1
    control characters restored (\\x92 → ’), doubled apostrophes ('') made single,
    spaces and line breaks squeezed."""
    text = "".join(
        ch.encode("latin-1").decode("cp1252", errors="replace") if 0x80 <= ord(ch) <= 0x9F else ch
        for ch in text
    )
    return re.sub(r"\s+", " ", text.replace("''", "'").replace("\xa0", " ")).strip()


def date_2021(value: str) -> date | None:
    """The 2021 export's dates: M/D/YY (years 20YY)."""
    if not value:
        return None
    month, day, year = (int(part) for part in value.split("/"))
    return date(2000 + year, month, day)


@dataclass
class Fiche2021:
    """One certification of the 2021 export (its rows merged: one row per replacement link)."""

    numero: str
    intitule: str
    niveau: int
    type: str
    actif: bool
    fin: date | None
    anciennes: set[str] = field(default_factory=set)
    nouvelles: set[str] = field(default_factory=set)


def lire_fiches_2021(path: Path) -> dict[str, Fiche2021]:
    """The 2021 export's certifications, by number."""
    fiches: dict[str, Fiche2021] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            numero = row["CodeRNCP"].strip()
            fiche = fiches.get(numero)
            if fiche is None:
                titre = TITRES_CORRIGES.get(numero, (propre(row["intituleDiplome"]), ""))[0]
                fiche = fiches[numero] = Fiche2021(
                    numero=numero,
                    intitule=titre,
                    niveau=int(row["NiveauEurope"].removeprefix("niveau")),
                    type=propre(row["TypeCertif"]),
                    actif=row["ActiveInactive"] == "ACTIVE",
                    fin=date_2021(row["date_fin_validite_enregistrement"]),
                )
            fiche.anciennes.update(n for n in [row["AncienneFiche"].strip()] if n)
            fiche.nouvelles.update(n for n in [row["NouvelleFiche"].strip()] if n)
    return fiches


def lire_rome_2021(path: Path) -> dict[str, list[LienRome]]:
    """The 2021 export's ROME links, by certification number."""
    links: dict[str, list[LienRome]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            link = LienRome(row["Rome"].strip(), propre(row["libelle"]))
            if link not in links.setdefault(row["CodeRNCP"].strip(), []):
                links[row["CodeRNCP"].strip()].append(link)
    return links


def successeurs(fiches: Mapping[str, Fiche2021]) -> dict[str, set[str]]:
    """Each fiche's replacements: its NouvelleFiche, and the fiches naming it AncienneFiche."""
    result: dict[str, set[str]] = {n: set(f.nouvelles) for n, f in fiches.items()}
    for numero, fiche in fiches.items():
        for ancienne in fiche.anciennes:
            result.setdefault(ancienne, set()).add(numero)
    return result


def perimetre(depart: Iterable[str], voisins: Mapping[str, set[str]], connus: set[str]) -> set[str]:
    """The known fiches reached from `depart` through the replacement links, both ways."""
    seen = set(depart) & connus
    todo = list(seen)
    while todo:
        for other in voisins.get(todo.pop(), ()):
            if other in connus and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


@dataclass
class Resultat:
    """What the RNCP build wrote and found."""

    rncp: Rncp
    fichiers: dict[str, int]
    sha256: dict[str, str]
    codes_numeriques: frozenset[str]
    propositions: list[Proposition]
    differences: list[str]
    seeds: int
    par_chaine: int


def build_rncp(
    shared: Path, out: Path, rows: Sequence[dict[str, Any]], reviewed: Path | None = None
) -> Resultat:
    """Write knowledge/rncp/* (``out`` holds the freshly built rome/) and match the
    catalogue rows against the reviewed correspondences (default: ``out``'s, else the
    repository's; the matcher's proposals are written there when it does not exist)."""
    codes = codes_rome_numeriques(out)
    fiches = lire_fiches_2021(shared / FICHES_2021)
    rome = lire_rome_2021(shared / ROME_2021)
    lecture = lire(shared / EXTRAIT_2026, codes)
    if lecture.erreurs:
        raise ValueError("; ".join(lecture.erreurs))
    document = contenu_export(lecture, shared / EXTRAIT_2026, DATE_2026)
    export = Export(document["source"], DATE_2026, {f.numero: f for f in lecture.fiches})

    voisins: dict[str, set[str]] = {}
    pairs = [(old, new) for old, news in successeurs(fiches).items() for new in news]
    pairs += [(old, f.numero) for f in lecture.fiches for old in f.anciennes]
    pairs += [(f.numero, new) for f in lecture.fiches for new in f.nouvelles]
    for old, new in pairs:
        voisins.setdefault(old, set()).add(new)
        voisins.setdefault(new, set()).add(old)
    seeds = {n for n, links in rome.items() if n in fiches and {x.code for x in links} & codes}
    keep = perimetre(seeds | set(export.fiches), voisins, set(fiches) | set(export.fiches))

    remplacantes = successeurs(fiches)
    base = {
        n: Certification(
            numero=n,
            intitule=f.intitule,
            niveau=f.niveau,
            type=f.type,
            statut="actif" if f.actif else "inactif",
            fin_validite=f.fin,
            remplacee_par="",
            source=SOURCE_2021,
            date_donnees=DATE_2021,
        )
        for n, f in fiches.items()
        if n in keep
    }
    base = {
        n: replace(cert, remplacee_par=choisir_remplacante(nouvelles, base))
        if (nouvelles := remplacantes.get(n, set()) - {n})
        else cert
        for n, cert in base.items()
    }
    liens_2021 = {n: tuple(rome.get(n, ())) for n in base}
    certs, liens = fusionner(base, liens_2021, export)
    liens = {n: tuple(x for x in links if x.code in codes) for n, links in liens.items()}
    correspondance_rome = codes_rome(out, liens)

    dossier = out / "rncp"
    ordre = sorted(certs.values(), key=lambda c: int(c.numero[4:]))
    fichiers = {
        "rncp/certifications.csv": ecrire_csv(
            dossier / "certifications.csv",
            CERTIFICATION_COLUMNS,
            (ligne_certification(c) for c in ordre),
        ),
        "rncp/rome.csv": ecrire_csv(
            dossier / "rome.csv",
            ROME_COLUMNS,
            (
                {
                    "rncp": c.numero,
                    "code_rome": x.code,
                    "libelle_rome": x.libelle,
                    "source": c.source,
                }
                for c in ordre
                for x in sorted(liens.get(c.numero, ()), key=lambda x: x.code)
            ),
        ),
        "rncp/codes_rome.csv": ecrire_csv(
            dossier / "codes_rome.csv",
            CODES_ROME_COLUMNS,
            (
                {"code_rome": code, "code_rome_rncp": target, "lien": lien}
                for code, targets in sorted(correspondance_rome.items())
                for target, lien in sorted(targets.items())
            ),
        ),
    }
    target = ecrire_export(document, dossier)
    fichiers[f"rncp/{target.name}"] = len(lecture.fiches)

    propositions = proposer(rows, Rncp(certs, liens, correspondance_rome, {}, export))
    reviewed_path = reviewed or out / REVIEWED_REL
    if reviewed is None and not reviewed_path.exists() and DEFAULT_REVIEWED.exists():
        reviewed_path = DEFAULT_REVIEWED
    if not reviewed_path.exists():
        ecrire_csv(reviewed_path, CORRESPONDANCE_COLUMNS, (p.ligne() for p in propositions))
    decisions = lire_correspondances(reviewed_path)
    return Resultat(
        rncp=Rncp(certs, liens, correspondance_rome, decisions, export),
        fichiers=fichiers,
        sha256={name: sha256_of(shared / name) for name in (FICHES_2021, ROME_2021, EXTRAIT_2026)},
        codes_numeriques=codes,
        propositions=propositions,
        differences=comparer(propositions, decisions),
        seeds=len(seeds),
        par_chaine=len(keep - seeds - set(export.fiches)),
    )


def codes_rome(out: Path, liens: Mapping[str, tuple[LienRome, ...]]) -> dict[str, dict[str, str]]:
    """Each job sheet code (ROME 4.0) → the RNCP's codes: itself when certifications are
    linked to it ("identique"), and its ROME v3 parent: "parent" when no other job sheet
    uses that code, else "parent_partage" (the parent code covers several jobs)."""
    used = {x.code for links in liens.values() for x in links}
    with (out / "rome" / "metiers_numeriques.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sheets: dict[str, set[str]] = {}
    for row in rows:
        for code in (row["code_fiche"], row["code_rome_parent"]):
            sheets.setdefault(code, set()).add(row["metier_cible"])
    result: dict[str, dict[str, str]] = {}
    for row in rows:
        code, parent = row["code_fiche"], row["code_rome_parent"]
        targets = result.setdefault(code, {})
        if code in used:
            targets[code] = "identique"
        if parent != code:
            targets[parent] = (
                "parent" if sheets[parent] == {row["metier_cible"]} else "parent_partage"
            )
    return result


def ligne_certification(cert: Certification) -> dict[str, Any]:
    """A row of certifications.csv."""
    return {
        "rncp": cert.numero,
        "intitule": cert.intitule,
        "niveau": cert.niveau if cert.niveau is not None else "",
        "type": cert.type,
        "statut": cert.statut,
        "fin_validite": cert.fin_validite.isoformat() if cert.fin_validite else "",
        "remplacee_par": cert.remplacee_par,
        "source": cert.source,
        "date_donnees": cert.date_donnees,
    }


def ecrire_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write UTF-8 CSV with ``\\n`` line ends; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# --------------------------------------------------------------------------- SOURCES.md


def _cellule(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def render_section(res: Resultat) -> str:
    """The RNCP section of knowledge/SOURCES.md (last section of the file)."""
    rncp = res.rncp
    corr = sorted(rncp.correspondances.values(), key=lambda c: c.formation_id)
    lignes = {p.formation_id: p.lignes for p in res.propositions}
    matched = [c for c in corr if c.rncp]
    rows_total = sum(len(lignes.get(c.formation_id, ())) for c in corr)
    rows_matched = sum(len(lignes.get(c.formation_id, ())) for c in matched)
    with_stats = [
        c
        for c in matched
        if any(rncp.statistiques(a.numero) for n in c.rncp if (a := rncp.actuelle(n)))
    ]
    export = rncp.export
    fiches_2026 = sorted(export.fiches) if export else []
    sha = res.sha256
    codes = ", ".join(sorted(res.codes_numeriques))
    corrections = "".join(
        f"  - {numero} : {raison} ; intitulé rétabli « {titre} ».\n"
        for numero, (titre, raison) in TITRES_CORRIGES.items()
    )
    match_table = "".join(
        f"| {c.formation_id} | {', '.join(lignes.get(c.formation_id, ()))} | "
        f"{', '.join(c.rncp)} | {_cellule(c.raison)} |\n"
        for c in matched
    )
    unmatched_table = "".join(
        f"| {c.formation_id} | {', '.join(lignes.get(c.formation_id, ()))} | "
        f"{_cellule(c.raison)} |\n"
        for c in corr
        if not c.rncp
    )
    differences = "".join(f"  - {d}\n" for d in res.differences) or "  aucune.\n"
    return f"""{SECTION}
- Origine :
  - « {SOURCE_2021} » : `{FICHES_2021}` et `{ROME_2021}`, répertoire national des
    certifications professionnelles exporté début 2021 ; GitHub
    `mission-apprentissage/tables-correspondances`,
    `server/src/jobs/rncpImporter/assets/rncp_info.v1.4.csv` au commit `70ed5996` (2021-02-01)
    et `rncp_rome.v1.4.csv` au commit `610b1aa5` (2021-01-06), convertis en UTF-8.
  - « {export.source if export else ""} » : `{EXTRAIT_2026}`, 12 fiches complètes au format
    XML v4.1 de France Compétences (jeu data.gouv.fr « Répertoire national des certifications
    professionnelles et répertoire spécifique ») ; GitHub `ALDEBERTArnaud/mcp-rncp`,
    `fixtures/export_fiches_RNCP_fixture.xml` au commit `69081be1` (2026-08-19).
- Licence : **Licence Ouverte / Open Licence 2.0** (France Compétences). Attribution :
  « France Compétences – RNCP, export 2021 » ou « … export août 2026 » (colonne `source` de
  chaque ligne) ; chaque fiche renvoie à sa page officielle
  `https://www.francecompetences.fr/recherche/rncp/NUMÉRO/`.
- Périmètre (`rncp/certifications.csv`, {res.fichiers["rncp/certifications.csv"]} lignes) :
  les {res.seeds} fiches de l'export 2021 liées à un code ROME du numérique (codes des fiches
  métier de `rome/metiers_numeriques.csv` et leurs codes parents ROME v3, ceux qu'utilise le
  RNCP : {codes}), les {res.par_chaine} fiches atteintes depuis elles par les liens
  AncienneFiche/NouvelleFiche (dans les deux sens), et les {len(fiches_2026)} fiches du
  numérique de l'extrait 2026 ({", ".join(fiches_2026)}), dont les données remplacent celles
  de 2021 pour le même numéro. Les codes parents larges (E1103 Communication, M1403 Études
  et prospectives socio-économiques, G1202 Animation d'activités culturelles ou ludiques)
  font entrer des certifications qui ne relèvent pas du numérique : elles ne servent qu'aux
  fiches métier dont c'est le code parent (community manager, data analyst, médiateur
  numérique), par un lien `parent`.
  - `statut` : actif/inactif à la date des données (`date_donnees`) ; le bot compare aussi
    `fin_validite` au jour courant (une fiche active en 2021 dont la date de fin est passée
    n'est plus en vigueur).
  - `remplacee_par` : la fiche qui la remplace (NouvelleFiche, ou fiche qui la nomme
    AncienneFiche ; les liens de 2026 priment) ; parmi plusieurs, une fiche active d'abord,
    puis le numéro le plus élevé. Un numéro absent des données peut y figurer : le bot
    s'arrête à la dernière fiche connue de la chaîne.
  - Textes de 2021 : ponctuation Windows-1252 stockée en caractères de contrôle rétablie
    (\\x92 → ’), apostrophes doublées ('') simplifiées, espaces et retours à la ligne
    resserrés. Correction :
{corrections}- `rncp/rome.csv` ({res.fichiers["rncp/rome.csv"]} lignes) : liens certification → code
  ROME, limités aux codes du numérique ci-dessus, avec le libellé ROME de la source.
- `rncp/codes_rome.csv` ({res.fichiers["rncp/codes_rome.csv"]} lignes) : chaque code ROME 4.0 des
  fiches métier → les codes du RNCP : lui-même quand des certifications y sont liées
  (`identique`), et son code parent ROME v3 : `parent` quand aucune autre fiche métier
  n'utilise ce code, sinon `parent_partage` (M1805, M1802, M1801 couvrent plusieurs
  métiers du ROME 4.0 : développement, test, données, cybersécurité…). Les certifications
  d'une fiche métier sont celles de ces codes, en vigueur d'abord, puis par lien
  (`identique`, `parent`, `parent_partage`), puis par niveau ; un lien `parent_partage`
  est un indice faible (ex. « Développeur web et web mobile » pour la fiche cybersécurité,
  par M1805).
- `rncp/fiches_{DATE_2026}.json` ({len(fiches_2026)} fiches) : les fiches du numérique de
  l'extrait 2026, écrites par le code de `capnum catalogue rncp-import` (le bot lit le
  fichier `fiches_<date>.json` le plus récent ; un export complet s'importe en une
  commande, voir `docs/rncp.md`, et le fichier écrit porte sa provenance : `source`,
  `fichier`, `sha256`, `version_flux`). Champs, tels que l'export les donne :
  - `niveau` (NOMENCLATURE_EUROPE : NIV3…NIV8), `actif` (ACTIF), `fin_enregistrement`
    (DATE_FIN_ENREGISTREMENT), `debut` (DATE_EFFET, sinon DATE_DECISION), `anciennes` et
    `nouvelles` (liens de remplacement), `rome` (CODES_ROME) ;
  - `prerequis` : PREREQUIS_ENTREE_FORMATION sans HTML (balises ôtées, entités décodées,
    puces « * » en « - », suites d'espaces de l'export en retours à la ligne) ;
  - `certificateurs` : noms des CERTIFICATEURS dont l'état n'est pas « Inactif » ;
    `organismes_habilites` : nombre de PARTENAIRES dont ETAT_HABILITATION est « Actif »
    (organismes habilités à préparer ou à organiser la certification) ;
  - `statistiques` : une entrée par STATISTIQUES_PROMOTION : `annee` (ANNEE : année
    d'obtention de la certification, la « promotion »), `nombre_certifies`
    (NOMBRE_CERTIFIES), `nombre_certifies_vae` (NOMBRE_CERTIFIES_VAE : certifiés à la suite
    d'une VAE), et `taux` : chaque TAUX_INSERTION_<GLOBAL|METIER>_<durée>, en % des
    répondants à l'enquête de suivi (personnes en poursuite d'études ou en alternance
    neutralisées, selon France Compétences) : `portee` `emploi` = taux d'insertion global
    dans l'emploi (GLOBAL), `metier_vise` = taux d'insertion dans le métier visé (METIER),
    `delai_mois` = délai après la certification (6MOIS → 6, 2ANS → 24). Un taux absent de
    l'export est absent ici. ANNEES_PROMOTIONS_NIVEAU n'est pas repris.

### catalogue/rncp_correspondances.csv (revu à la main)
- Une ligne par formation du catalogue (`formation_id`, ses lignes, les numéros RNCP
  qu'elle prépare, la `raison`). Proposé par la règle déterministe de
  `tools/knowledge/rncp_matching.py` (intitulé officiel trouvé dans le champ certification,
  ou intitulé de la formation identique à un titre officiel quand la ligne la dit
  diplômante ; fiche en vigueur l'année des données), puis relu ligne à ligne : ce fichier
  fait foi, la construction signale les écarts sans l'écraser.
- Formations reliées à une certification : {len(matched)} sur {len(corr)}
  ({100 * len(matched) / max(len(corr), 1):.0f} %) ; lignes : {rows_matched} sur {rows_total}
  ({100 * rows_matched / max(rows_total, 1):.0f} %). Avec des statistiques de promotion
  (fiche actuelle, export août 2026) : {len(with_stats)} formation(s)
  ({", ".join(c.formation_id for c in with_stats) or "aucune"}).
- Écarts entre la règle et le fichier revu :
{differences}
| formation | lignes | RNCP | raison |
|---|---|---|---|
{match_table}
Formations sans certification reliée :

| formation | lignes | raison |
|---|---|---|
{unmatched_table}
- sha256 : fiches 2021 `{sha[FICHES_2021]}` ; ROME 2021 `{sha[ROME_2021]}` ;
  extrait 2026 `{sha[EXTRAIT_2026]}`.
"""


def remplacer_section(sources: str, section: str) -> str:
    """SOURCES.md with its RNCP section (up to the next "## " heading) replaced, or added
    at the end."""
    start = sources.find(SECTION)
    if start < 0:
        return sources.rstrip("\n") + "\n\n" + section
    end = sources.find("\n## ", start + len(SECTION))
    return sources[:start] + section + (sources[end + 1 :] if end >= 0 else "")


# --------------------------------------------------------------------------- CLI


def run_rncp(args: argparse.Namespace) -> int:
    """``python -m tools knowledge rncp``: rebuild knowledge/rncp/ and its section of
    SOURCES.md from the committed catalogue."""
    shared = Path(args.shared).resolve()
    out = Path(args.out)
    if not (shared / FICHES_2021).is_file():
        print(f"Données sources introuvables : {shared}")
        return 1
    rows = [
        json.loads(line)
        for path in sorted((out / "catalogue").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    res = build_rncp(shared, out, rows)
    sources = out / "SOURCES.md"
    sources.write_text(remplacer_section(sources.read_text("utf-8"), render_section(res)), "utf-8")
    report(res)
    return 0


def report(res: Resultat) -> None:
    """Print the files written and the matching's differences."""
    for name, count in res.fichiers.items():
        print(f"{name} : {count} lignes")
    for difference in res.differences:
        print(f"écart avec le fichier revu : {difference}")
