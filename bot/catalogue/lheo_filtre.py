"""Digital-sector filter of the LHEO import: which actions of a regional feed are
trainings to digital jobs, with their interest domains and job titles (rule documented
in docs/catalogue-import.md and knowledge/lheo/filtre_numerique.yml). The dropping
reasons are in French: they are printed in the import summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.catalogue.lheo import FormationLheo
from bot.catalogue.normalisation import domains_from_text
from bot.config import REPO_ROOT
from bot.contract import DOMAINES
from bot.geo import Geo
from bot.metiers import Fiche, Fiches

KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
ECARTEE_HORS_NUMERIQUE = "hors numérique (aucun code ROME, Formacode ou NSF du numérique)"
ECARTEE_NSF_SANS_DOMAINE = "NSF informatique sans domaine reconnu dans l'intitulé"


@dataclass(frozen=True)
class Referentiel:
    """What the conversion reads besides the file: communes, the job sheets by ROME code,
    and the Formacode and NSF lists of knowledge/lheo/filtre_numerique.yml."""

    geo: Geo
    fiches: dict[str, Fiche]
    formacodes: dict[str, str]
    nsf_informatique: frozenset[str]

    @classmethod
    def charger(cls, geo: Geo | None = None, knowledge_dir: Path = KNOWLEDGE_DIR) -> Referentiel:
        """The repository's reference files (never the catalogue folder of the settings)."""
        fiches = Fiches.load(knowledge_dir)
        path = knowledge_dir / "lheo" / "filtre_numerique.yml"
        filtre = yaml.safe_load(path.read_text("utf-8"))
        formacodes = {str(item["code"]): item["domaine"] for item in filtre["formacode"]}
        unknown = sorted(set(formacodes.values()) - set(DOMAINES))
        if unknown:
            raise ValueError(f"{path.name} : domaine(s) inconnu(s) {', '.join(unknown)}")
        return cls(
            geo=geo or Geo.default(),
            fiches={code.code: fiche for fiche in fiches.fiches for code in fiche.rome},
            formacodes=formacodes,
            nsf_informatique=frozenset(str(item["code"]) for item in filtre["nsf_informatique"]),
        )


@dataclass(frozen=True)
class Tri:
    """Outcome of the digital-sector filter: the domains and job titles of a kept action,
    or the reason it is dropped."""

    domaines: tuple[str, ...] = ()
    metiers: tuple[str, ...] = ()
    raison: str | None = None


def trier(formation: FormationLheo, ref: Referentiel) -> Tri:
    """Keep the actions of a formation whose ROME code is a job sheet's or whose Formacode
    is listed (their domains); failing both, of one whose NSF code is listed when its
    title names a domain."""
    codes = [code.upper() for code in formation.rome]
    fiches = [ref.fiches[code] for code in codes if code in ref.fiches]
    wanted = {fiche.domaine for fiche in fiches}
    wanted.update(ref.formacodes[code] for code in formation.formacodes if code in ref.formacodes)
    if wanted:
        metiers = [c.libelle for f in fiches for c in f.rome if c.code in codes]
        return Tri(tuple(d for d in DOMAINES if d in wanted), tuple(dict.fromkeys(metiers)))
    if ref.nsf_informatique.intersection(formation.nsf):
        domaines = domains_from_text(formation.intitule)
        return Tri(tuple(domaines)) if domaines else Tri(raison=ECARTEE_NSF_SANS_DOMAINE)
    return Tri(raison=ECARTEE_HORS_NUMERIQUE)
