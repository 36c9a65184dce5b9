"""Turn recommendation results into card texts, the messages around them and the
`recommandations` payload.

The French wording comes from `domain.yml` responses (fragments named `raison_*`,
`blocage_*`, `alerte_*`, `libelle_*`), looked up through `Texts`, so no user-facing
sentence is written in Python. Functions that build a turn's messages return them as
dicts (`{"response": name, **variables}`) for `dispatcher.utter_message(**message)`.

What a person reads never shows the catalogue's internal provenance (search ids,
repository paths, commit hashes: `source.reference`, documented in
`knowledge/SOURCES.md`): a card names the publisher of its source and the year, in plain
words (`source_publique`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlparse

from bot.contract import PROFILE_SLOTS
from bot.presentation_certifications import Actuel, actuel, historique
from bot.recommend import (
    MAX_RESULTATS,
    Profil,
    Raison,
    Recommandation,
    Reponse,
    Resultat,
    domaines_sans_resultat,
    mission_locale,
)

Message = dict[str, Any]


class Texts:
    """Response texts of the domain, formatted with variables."""

    def __init__(self, responses: Mapping[str, list[dict[str, Any]]]):
        self._responses = responses

    @classmethod
    def from_domain(cls, domain: Mapping[str, Any]) -> Texts:
        return cls(domain.get("responses", {}))

    def get(self, name: str, **variables: Any) -> str:
        variants = self._responses.get(name)
        if not variants:
            raise KeyError(f"response {name!r} is missing from the domain")
        return str(variants[0].get("text", "")).format(**variables)


# --- small pieces -------------------------------------------------------------------------


def nombre_formations(t: Texts, nombre: int) -> str:
    """ "1 formation", "3 formations"."""
    if nombre == 1:
        return t.get("libelle_formations_une")
    return t.get("libelle_formations", nombre=nombre)


def km(distance: float) -> int:
    """A distance as whole kilometres (what people read: "à 12 km", never "12.0 km")."""
    return int(round(distance))


def distance_texte(t: Texts, distance: float) -> str:
    """ "à 12 km", or "dans ta ville" under 1 km (never "à 0 km")."""
    if km(distance) < 1:
        return t.get("libelle_distance_meme_ville")
    return t.get("libelle_distance_km", km=km(distance))


def _ages(t: Texts, age_min: int | None, age_max: int | None) -> str:
    if age_min is not None and age_max is not None:
        return t.get("libelle_ages_entre", age_min=age_min, age_max=age_max)
    if age_min is not None:
        return t.get("libelle_ages_min", age_min=age_min)
    return t.get("libelle_ages_max", age_max=age_max)


def raison_texte(t: Texts, raison: Raison, prefix: str = "raison_") -> str:
    """One reason (or blocking reason, or restriction to check) in plain French."""
    p = dict(raison.params)
    if "domaine" in p:
        p["domaine"] = t.get(f"libelle_domaine_{p['domaine']}")
    if "diplome" in p:
        p["diplome"] = t.get(f"libelle_diplome_{p['diplome']}")
    if raison.code in ("age_ok", "verifier_age"):
        p = {"ages": _ages(t, p.get("age_min"), p.get("age_max"))}
    if "publics" in p:
        p["publics"] = ", ".join(t.get(f"libelle_situation_{s}") for s in p["publics"])
    if raison.code == "distance":
        if not p.get("commune"):
            if p.get("km", 1) < 1:
                return t.get(f"{prefix}meme_ville_chez_toi")
            return t.get(f"{prefix}distance_chez_toi", km=p.get("km"))
        if p.get("km", 1) < 1:
            return t.get(f"{prefix}meme_ville", commune=p.get("commune"))
    return t.get(f"{prefix}{raison.code}", **p)


def aide(t: Texts, age: float | None) -> str:
    """Who can help this person: the Mission locale only for 16-25 year olds, France
    Travail for everyone (both when the age is not known)."""
    pour_la_mission_locale = mission_locale(age)
    if pour_la_mission_locale is None:
        return t.get("libelle_aide_age_inconnu")
    if pour_la_mission_locale:
        return t.get("libelle_aide_mission_locale")
    return t.get("libelle_aide_france_travail")


# --- sources --------------------------------------------------------------------------------

# Publisher of a source named by a web address: (start of the address without the scheme
# and "www.", key of its `libelle_editeur_*` label). Other addresses show their site name.
EDITEURS: tuple[tuple[str, str], ...] = (
    ("hautsdefrance.fr", "region_hauts_de_france"),
    ("lagazettefrance.fr", "gazette_nord_pas_de_calais"),
    ("archive.fse.gouv.fr", "fse"),
    ("staging.libe.io", "liberation"),
    ("pressreader.com/france/le-courrier-des-yvelines", "courrier_des_yvelines"),
    ("pressreader.com/france/01net", "01net"),
    ("medium.com/@anna_stepanoff", "wild_code_school"),
    ("maddyness.com", "maddyness"),
    ("acteursdeleconomie.latribune.fr", "acteurs_de_l_economie"),
    ("letudiant.fr", "letudiant"),
    ("volvestre.fr", "volvestre"),
    ("lorient-agglo.bzh", "lorient_agglomeration"),
    ("franceguyane.fr", "france_antilles"),
    ("grandeecolenumerique.fr", "grande_ecole_du_numerique"),
    ("free-online-knowledge.com", "presse_reprise"),
)
# Sources named in words: (start of the name, key of the label).
SOURCES_NOMMEES: tuple[tuple[str, str], ...] = (("Mon Taff Numérique", "mon_taff_numerique"),)
_ADRESSE = re.compile(r"https?://\S+")
_ANNEE = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")


def editeur(t: Texts, nom: str | None) -> str:
    """Who published a source, in plain words: a known publisher, a site name, "pages
    published by learners", or a generic label; never a path or an internal note."""
    nom = nom or ""
    for debut, cle in SOURCES_NOMMEES:
        if nom.startswith(debut):
            return t.get(f"libelle_editeur_{cle}")
    adresse = _ADRESSE.search(nom)
    if adresse:
        parsed = urlparse(adresse.group(0).rstrip(",;)"))
        site = (parsed.hostname or "").removeprefix("www.")
        chemin = site + parsed.path
        for debut, cle in EDITEURS:
            if chemin.startswith(debut):
                return t.get(f"libelle_editeur_{cle}")
        if site:
            return site
    if "github" in nom.lower():
        cle = "apprenants" if "apprenant" in nom.lower() else "document_en_ligne"
        return t.get(f"libelle_editeur_{cle}")
    return t.get("libelle_editeur_autre")


def annee_source(reference: str | None, date_donnees: str | None) -> str | None:
    """Year of the source: the last year written in its first reference (the publication
    or update date), else the data year when it is a single year."""
    premiere = (reference or "").split(" ; ")[0]
    annees = _ANNEE.findall(premiere)
    if annees:
        return annees[-1]
    if date_donnees and re.fullmatch(r"\d{4}", date_donnees):
        return date_donnees
    return None


def source_publique(t: Texts, f: Any) -> str:
    """The source of a training as people read it: publisher and year."""
    nom = editeur(t, f.source_nom)
    annee = annee_source(f.source_reference, f.date_donnees)
    if annee:
        return t.get("libelle_source_annee", editeur=nom, annee=annee)
    return nom


# --- cards ------------------------------------------------------------------------------------

_INCONNUS = {"", "inconnu", "inconnue", "non precise", "non precisee", "?"}
_AGE_DANS_TEXTE = re.compile(r"\d+\s*ans\b")


def _ville(t: Texts, f: Any) -> str:
    """ "Lille (59)", or the town alone when its département is not known."""
    if f.departement:
        return t.get("libelle_lieu", commune=f.commune, departement=f.departement)
    return str(f.commune)


def _lieu(t: Texts, r: Resultat) -> str:
    """The place and how far it is, by band: "dans ta ville", "à 12 km", "à 45 km, dans
    ton département", "à 784 km, loin de chez toi"."""
    f = r.formation
    if f.commune is None:
        return t.get("libelle_a_distance")
    ville = _ville(t, f)
    if r.bande is None or r.distance_km is None:
        return ville
    return t.get(f"libelle_lieu_{r.bande}", ville=ville, km=km(r.distance_km))


def _duree(t: Texts, f: Any) -> str | None:
    texte = (f.duree_texte or "").strip()
    plie = texte.lower().replace("é", "e")
    return None if plie in _INCONNUS else texte


def _qui(t: Texts, f: Any) -> str:
    """Who it is for: the source's words, and the age band only when they do not already
    give it ("16-25 ans", not "16-25 ans – de 16 à 25 ans")."""
    texte = (f.public_texte or "").strip()
    ages = (
        _ages(t, f.age_min, f.age_max) if f.age_min is not None or f.age_max is not None else None
    )
    if texte and ages and not _AGE_DANS_TEXTE.search(texte):
        return t.get("libelle_public_et_ages", public=texte, ages=ages)
    return texte or ages or t.get("libelle_public_inconnu")


def _public(t: Texts, r: Resultat) -> str:
    """Who it is for, then what the person must check and what closes it to them."""
    lignes = [_qui(t, r.formation)]
    if r.a_verifier:
        alertes = "; ".join(raison_texte(t, x, prefix="alerte_") for x in r.a_verifier)
        lignes.append(t.get("libelle_ligne_a_verifier", alertes=alertes))
    if r.blocages:
        blocages = "; ".join(raison_texte(t, x, prefix="blocage_") for x in r.blocages)
        lignes.append(t.get("libelle_ligne_bloquee", blocages=blocages))
    return "\n".join(lignes)


def _raisons(t: Texts, r: Resultat) -> list[str]:
    """Why it is proposed: only what is true of this person's answers (blocking reasons
    and restrictions to check are on the `public` line)."""
    return [raison_texte(t, x) for x in r.raisons]


def _actuel(t: Texts, r: Resultat, profil: Profil | None) -> Actuel:
    """Certification, outcomes, next session and links of the result ("" without a
    profile: the caller shows the historical card only)."""
    if profil is None:
        return Actuel("", "", "", [])
    return actuel(t, r.formation, profil, profil.aujourdhui or date.today())


def carte(t: Texts, r: Resultat, rang: int, profil: Profil | None = None) -> dict[str, Any]:
    """Variables of `utter_formation_carte` for one result."""
    f = r.formation
    return {
        "actuel": _actuel(t, r, profil).lignes(),
        "rang": rang,
        "intitule": f.intitule,
        "organisme": f.organisme or t.get("libelle_organisme_inconnu"),
        "lieu": _lieu(t, r),
        "duree": _duree(t, f) or t.get("libelle_duree_inconnue"),
        "cout": t.get(f"libelle_cout_{f.cout}"),
        "public": _public(t, r),
        "raisons": ", ".join(_raisons(t, r)),
        "date_donnees": f.date_donnees,
        "source": source_publique(t, f),
    }


def detail(t: Texts, r: Resultat, profil: Profil | None = None) -> dict[str, Any]:
    """Variables of `utter_detail_formation` (`aide` is added by the action)."""
    f = r.formation
    niveau = (
        t.get(f"libelle_diplome_{f.diplome_min}") if f.diplome_min else t.get("libelle_non_precise")
    )
    label = (
        t.get("libelle_label_annee", annee=f.label_gen_annee)
        if f.label_gen_annee
        else t.get("libelle_non_precise")
    )
    return {
        **carte(t, r, 0, profil),
        "duree": _duree(t, f) or t.get("libelle_non_precisee"),
        "metiers": ", ".join(f.metiers) or t.get("libelle_non_precises"),
        "rome": ", ".join(f.rome) or t.get("libelle_non_precises"),
        "niveau": niveau,
        "certification": f.certification or t.get("libelle_non_precisee"),
        "label": label,
        "site": f.site or t.get("libelle_non_precise"),
    }


CARD_TEXT_KEYS = ("organisme", "lieu", "duree", "cout", "public", "source")


def details_payload(rang: int) -> str:
    """The button payload that asks for the details of the result shown at `rang`."""
    return "/demander_details" + json.dumps({"rang": str(rang)})


def payload_formation(
    t: Texts, r: Resultat, rang: int = 1, profil: Profil | None = None
) -> dict[str, Any]:
    """One item of the `recommandations` payload: raw values, plus `textes` (the French
    display strings of the text card) and `liens` (official pages for current sessions)
    for channels that draw their own cards."""
    f = r.formation
    affichage = carte(t, r, rang)
    extra = _actuel(t, r, profil)
    return {
        "id": f.id,
        "rang": rang,
        "intitule": f.intitule,
        "organisme": f.organisme,
        "commune": f.commune,
        "departement": f.departement,
        "distance_km": r.distance_km,
        "a_distance": f.a_distance,
        "duree": f.duree_texte,
        "cout": f.cout,
        "public": f.public_texte,
        "domaines": list(f.domaines),
        "rome": list(f.rome),
        "certification": f.certification,
        "eligible": r.eligible,
        "score": r.score,
        "raisons": _raisons(t, r),
        # Why the training is not open to this person (empty when it is).
        "blocages": [raison_texte(t, x, prefix="blocage_") for x in r.blocages],
        "source": affichage["source"],
        "site": f.site,
        "date_donnees": f.date_donnees,
        # Certification, outcomes and next session only when known.
        "textes": {**{k: affichage[k] for k in CARD_TEXT_KEYS}, **extra.textes()},
        "liens": [{"titre": lien["titre"], "url": lien["url"]} for lien in extra.liens],
        "details_payload": details_payload(rang),
    }


def payload(
    t: Texts,
    slots: Mapping[str, Any],
    resultats: list[Resultat],
    alternative: str | None,
    premier_rang: int = 1,
    profil: Profil | None = None,
) -> dict[str, Any]:
    """The machine-readable `recommandations` message."""
    return {
        "type": "recommandations",
        "profil": {name: slots.get(name) for name in PROFILE_SLOTS},
        "alternative": alternative,
        "formations": [
            payload_formation(t, r, rang, profil)
            for rang, r in enumerate(resultats, start=premier_rang)
        ],
    }


# --- the messages around the cards ---------------------------------------------------------


def _commune(t: Texts, profil: Profil) -> str:
    return profil.commune or t.get("libelle_chez_toi")


def annonce_alternative(t: Texts, profil: Profil, reco: Recommandation) -> Message:
    """Why these trainings although nothing fits exactly: for the nearest ones, nothing
    near said plainly and how far the nearest really is."""
    kind = reco.type_alternative or "plus_loin"
    message: Message = {
        "response": f"utter_alternative_{kind}",
        "rayon_km": km(profil.rayon_km),
        "commune": _commune(t, profil),
    }
    if kind == "plus_loin" and reco.alternatives:
        premiere = reco.alternatives[0]
        bande = premiere.bande if premiere.bande in ("departement", "region", "loin") else "km"
        message["plus_proche"] = t.get(
            f"libelle_plus_proche_{bande}", km=km(premiere.distance_km or 0)
        )
    return message


def annonce(
    t: Texts, profil: Profil, reco: Recommandation, liste: Sequence[Resultat], numero: int
) -> list[Message]:
    """The messages before the cards of page `numero` (from 0) of `liste`."""
    total = len(liste)
    if numero > 0:
        debut = numero * MAX_RESULTATS + 1
        fin = min(total, debut + MAX_RESULTATS - 1)
        if fin == debut:
            return [{"response": "utter_page_resultats_derniere", "rang": debut, "nombre": total}]
        return [{"response": "utter_page_resultats", "debut": debut, "fin": fin, "nombre": total}]
    if not reco.resultats:
        return [annonce_alternative(t, profil, reco)]
    if profil.interets_par_defaut:
        messages: list[Message] = [
            {"response": "utter_intro_pistes", "formations": nombre_formations(t, total)}
        ]
        manquants = domaines_sans_resultat(profil, liste)
        if manquants:
            domaines = ", ".join(t.get(f"libelle_domaine_{d}") for d in manquants)
            messages.append({"response": "utter_pistes_manquantes", "domaines": domaines})
        return messages
    if total == 1:
        return [{"response": "utter_intro_resultat_unique"}]
    if total <= MAX_RESULTATS:
        return [{"response": "utter_intro_resultats_toutes", "nombre": total}]
    return [{"response": "utter_intro_resultats", "nombre": total, "affichees": MAX_RESULTATS}]


def que_faire(t: Texts, profil: Profil, reco: Recommandation) -> Message:
    """Concrete next steps when nothing is near: distance learning when some exists,
    who can help (by age), the "1 jeune 1 solution" site for young people."""
    etapes = []
    if reco.a_distance_possibles and not profil.distanciel:
        if reco.a_distance_possibles == 1:
            etapes.append(t.get("libelle_etape_a_distance_une"))
        else:
            etapes.append(t.get("libelle_etape_a_distance", nombre=reco.a_distance_possibles))
    etapes.append(t.get("libelle_etape_aide", aide=aide(t, profil.age)))
    if profil.age is None or profil.age <= 30:
        etapes.append(t.get("libelle_etape_1jeune1solution"))
    return {"response": "utter_que_faire", "etapes": "\n".join(etapes)}


def suite(
    t: Texts,
    profil: Profil,
    reco: Recommandation,
    numero: int,
    affiches: Sequence[Resultat] | None = None,
) -> list[Message]:
    """The messages after the cards: next steps when nothing fits (first page), the
    warning about historical data (first page, unless every training shown has current
    data) and the follow-up buttons."""
    messages: list[Message] = []
    if numero == 0:
        if not reco.resultats:
            messages.append(que_faire(t, profil, reco))
        jour = profil.aujourdhui or date.today()
        if affiches is None or any(historique(r.formation, jour) for r in affiches):
            messages.append(
                {"response": "utter_avertissement_donnees", "aide": aide(t, profil.age)}
            )
    messages.append({"response": "utter_apres_resultats"})
    return messages


# Answer to a change of criterion (`bot.recommend.Reponse.code`) -> its response.
REPONSES_CRITERE = {
    ("plus_pres", "montrer"): "utter_plus_pres",
    ("plus_pres", "deja_plus_proches"): "utter_deja_plus_proches",
    ("plus_pres", "rien_plus_pres"): "utter_rien_plus_pres",
    ("plus_loin", "montrer"): "utter_plus_loin",
    ("plus_loin", "rien_de_plus_loin"): "utter_rien_de_plus_loin",
    ("a_distance", "montrer"): "utter_distanciel_accepte",
    ("a_distance", "distanciel_deja_montre"): "utter_distanciel_deja_montre",
    ("a_distance", "pas_de_distanciel"): "utter_pas_de_distanciel",
}
# The same answers when the nearest training's distance is unknown (no town or no
# coordinates): never a sentence with a hole in it.
SANS_DISTANCE = {
    "rien_plus_pres": "utter_rien_plus_pres_sans_distance",
    "deja_plus_proches": "utter_deja_plus_proches_sans_distance",
}


def reponse_critere(t: Texts, critere: str, reponse: Reponse, profil: Profil) -> Message:
    """What is said after "plus près", "plus loin" or "à distance": the change, or
    plainly why nothing changes (nothing closer, nothing more, no distance learning)."""
    message: Message = {
        "response": REPONSES_CRITERE[(critere, reponse.code)],
        "rayon_km": km(profil.rayon_km),
        "commune": _commune(t, profil),
        "formations": nombre_formations(t, reponse.nouvelles),
    }
    proche = reponse.plus_proche
    if proche is not None and proche.distance_km is not None and proche.formation.commune:
        message["distance"] = distance_texte(t, proche.distance_km)
        message["ville"] = _ville(t, proche.formation)
    if reponse.code in SANS_DISTANCE and "distance" not in message:
        message["response"] = SANS_DISTANCE[reponse.code]
    return message
