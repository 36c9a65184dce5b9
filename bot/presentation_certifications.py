"""What a card and the details say about a training beyond the historical lists: the
certification it prepares (official title, level in plain words, status, the current one
when it was replaced), the cohort's outcomes with their year and source, the next
session, and links to current offers (only in documented formats, `bot/liens.py`).
Every word comes from the domain (`libelle_rncp_*`, `libelle_session_*`, `libelle_lien_*`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot import liens
from bot.catalogue import rncp
from bot.catalogue.rncp_donnees import Certification
from bot.catalogue.sessions import a_venir, etat_sessions
from bot.recommend import Profil


class Texts(Protocol):
    """The domain's texts (`bot.presentation.Texts`, not imported: it imports this)."""

    def get(self, name: str, **variables: Any) -> str: ...


MOIS = "libelle_fiche_mois_"


@dataclass(frozen=True)
class Actuel:
    """The display strings (empty when unknown) and the links of one training."""

    certification: str
    insertion: str
    sessions: str
    liens: list[dict[str, str]]
    niveau: str = ""  # the person's diploma against the certification's level
    prerequis: str = ""

    def textes(self) -> dict[str, str]:
        """The known ones of `certification`, `insertion` and `sessions`."""
        valeurs = {
            "certification": self.certification,
            "niveau": self.niveau,
            "prerequis": self.prerequis,
            "insertion": self.insertion,
            "sessions": self.sessions,
        }
        return {k: v for k, v in valeurs.items() if v}

    def lignes(self) -> str:
        """The card's extra lines, each starting with a line break ("" when none)."""
        textes = [self.certification, self.niveau, self.prerequis, self.insertion, self.sessions]
        textes += [lien["texte"] for lien in self.liens]
        return "".join(f"\n{texte}" for texte in textes if texte)


def mois_annee(t: Texts, jour: dt.date) -> str:
    return t.get("libelle_mois_annee", mois=t.get(f"{MOIS}{jour.month}"), annee=jour.year)


def certification_de(f: Any) -> Certification | None:
    """The certification the training prepares: its own RNCP numbers (current feeds),
    else the reviewed correspondence of the historical lists."""
    for numero in getattr(f, "rncp", ()) or ():
        found = rncp.certification(numero)
        if found is not None:
            return found
    found_list = rncp.certifications_de_formation(getattr(f, "formation_id", "") or "")
    return found_list[0] if found_list else None


def niveau_texte(t: Texts, niveau: int | None) -> str | None:
    if niveau is None or niveau not in rncp.NIVEAUX:
        return None
    equivalent = t.get(f"libelle_niveau_equivalent_{rncp.niveau_equivalent(niveau)}")
    return t.get("libelle_rncp_niveau", niveau=niveau, equivalent=equivalent)


def statut_texte(t: Texts, c: Certification, jour: dt.date) -> str:
    """In force (until when), or ended (on which date), with the current one if any."""
    if c.en_vigueur(jour):
        if c.fin_validite is None:
            return t.get("libelle_rncp_en_vigueur")
        return t.get("libelle_rncp_en_vigueur_jusqu", date=mois_annee(t, c.fin_validite))
    fin = mois_annee(t, c.fin_validite) if c.fin_validite else None
    actuelle = rncp.actuelle(c.numero)
    if actuelle is not None and actuelle.numero != c.numero:
        return t.get("libelle_rncp_remplacee", intitule=actuelle.intitule, numero=actuelle.numero)
    if fin:
        return t.get("libelle_rncp_terminee", date=fin)
    return t.get("libelle_rncp_plus_en_vigueur")


def ligne_certification(t: Texts, c: Certification, jour: dt.date) -> str:
    parties = [t.get("libelle_rncp_titre", intitule=c.intitule, numero=c.numero)]
    niveau = niveau_texte(t, c.niveau)
    if niveau:
        parties.append(niveau)
    parties.append(statut_texte(t, c, jour))
    return t.get("libelle_ligne_certification", texte=", ".join(parties))


def ligne_insertion(t: Texts, c: Certification) -> str:
    """The latest cohort's outcomes of the certification in force (its own, or the one
    that replaced it), with the year and the source; "" when none is known."""
    actuelle = rncp.actuelle(c.numero) or c
    for numero in dict.fromkeys([c.numero, actuelle.numero]):
        stats = rncp.statistiques(numero)
        if not stats:
            continue
        cohorte = stats[0]
        taux = [
            t.get(
                f"libelle_insertion_{taux.portee}",
                delai=_delai(t, taux.delai_mois),
                pourcentage=taux.pourcentage,
            )
            for taux in sorted(cohorte.taux, key=lambda x: (x.delai_mois, x.portee))
        ]
        if taux:
            return t.get(
                "libelle_ligne_insertion",
                taux=", ".join(taux),
                annee=cohorte.annee,
                numero=numero,
            )
    return ""


def _delai(t: Texts, mois: int) -> str:
    if mois == 12:
        return t.get("libelle_delai_un_an")
    if mois % 12 == 0:
        return t.get("libelle_delai_ans", ans=mois // 12)
    return t.get("libelle_delai_mois", mois=mois)


def ligne_sessions(t: Texts, f: Any, jour: dt.date) -> str:
    """ "Prochaine session : mars 2027", or the last known date said to be past; "" for
    a row without dates (its card keeps the historical wording)."""
    etat = etat_sessions(getattr(f, "sessions", ()) or (), jour)
    if etat is None:
        return ""
    if etat.prochaine is not None:
        return t.get("libelle_session_prochaine", date=mois_annee(t, etat.prochaine))
    assert etat.derniere is not None
    return t.get("libelle_session_passee", date=mois_annee(t, etat.derniere))


def liens_actuels(
    t: Texts, f: Any, c: Certification | None, profil: Profil
) -> list[dict[str, str]]:
    """Where to find current sessions: the official fiche of the certification in force,
    and current apprenticeship trainings for the same jobs near the person."""
    out = []
    if c is not None:
        actuelle = rncp.actuelle(c.numero) or c
        url = liens.fiche_rncp(actuelle.numero)
        if url:
            out.append({"titre": t.get("libelle_lien_fiche_rncp"), "url": url})
    url = liens.formations_en_alternance(
        list(getattr(f, "rome", ()) or ()), profil.lat, profil.lon, profil.rayon_km
    )
    if url:
        out.append({"titre": t.get("libelle_lien_alternance"), "url": url})
    return [{**lien, "texte": t.get("libelle_ligne_lien", **lien)} for lien in out]


MAX_CERTIFICATIONS_METIER = 4
# Job sheets list only the certifications linked to their own ROME code or its parent: the
# broader links of the RNCP's old codes bring in titles of other jobs (docs/rncp.md).
LIENS_METIER = ("identique", "parent")


def certifications_metier(t: Texts, codes: Iterable[str], jour: dt.date) -> str | None:
    """The certifications in force today that lead to a job (an ended one would send the
    person towards a title that no longer exists); None when none is known."""
    certifications = [
        c for c in rncp.certifications_du_metier(codes, jour, LIENS_METIER) if c.en_vigueur(jour)
    ]
    if not certifications:
        return None
    parties = []
    for c in certifications[:MAX_CERTIFICATIONS_METIER]:
        details = ", ".join(x for x in (c.numero, niveau_texte(t, c.niveau)) if x)
        parties.append(t.get("libelle_certification_metier", intitule=c.intitule, details=details))
    return "; ".join(parties)


def historique(f: Any, jour: dt.date) -> bool:
    """The training's data may be out of date: no session to come, and data older than
    last year (the lists of the label are from 2016–2021)."""
    if a_venir(getattr(f, "sessions", ()) or (), jour):
        return False
    annees = [int(a) for a in re.findall(r"\d{4}", str(getattr(f, "date_donnees", "") or ""))]
    return not annees or max(annees) < jour.year - 1


MAX_PREREQUIS = 300


def ligne_niveau(t: Texts, c: Certification, diplome: str | None) -> str:
    """The person's diploma against the certification's level, said kindly."""
    if diplome not in rncp.NIVEAU_DES_DIPLOMES or c.niveau is None:
        return ""
    ecart = rncp.comparer_niveau(diplome, c.niveau)
    return t.get(f"libelle_ecart_{ecart}", niveau=c.niveau)


def ligne_prerequis(t: Texts, c: Certification) -> str:
    """The official entry requirements, when the fiche gives them (shortened)."""
    texte = " ".join((rncp.prerequis(c.numero) or "").split())
    if not texte:
        return ""
    if len(texte) > MAX_PREREQUIS:
        texte = texte[: MAX_PREREQUIS - 1].rsplit(" ", 1)[0] + "…"
    return t.get("libelle_ligne_prerequis", texte=texte)


def actuel(t: Texts, f: Any, profil: Profil, jour: dt.date) -> Actuel:
    """Everything current about one training, as display strings."""
    c = certification_de(f)
    return Actuel(
        certification=ligne_certification(t, c, jour) if c else "",
        insertion=ligne_insertion(t, c) if c else "",
        sessions=ligne_sessions(t, f, jour),
        liens=liens_actuels(t, f, c, profil),
        niveau=ligne_niveau(t, c, profil.diplome) if c else "",
        prerequis=ligne_prerequis(t, c) if c else "",
    )
