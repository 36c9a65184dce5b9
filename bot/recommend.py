"""Recommendation logic: eligibility, interest match, distance, score and reasons.

Plain Python, no Rasa and no database: it takes a profile and catalogue rows (any
object with the attributes of `knowledge/SCHEMA.md`, e.g. `FormationRecord`) and
returns ranked results. Reasons are codes with parameters; the action server renders
them with the French texts of `domain.yml`.

What is shown comes from `liste_a_montrer` (one training once, in the order of the
person's request) and, after a change of criterion, from `apres_plus_pres`,
`apres_plus_loin` and `apres_a_distance`: they say whether the list changes, and why not
when it does not.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from bot.catalogue.sessions import a_venir
from bot.contract import DIPLOMES, RAYON_KM_DEFAUT, diplome_rank
from bot.exploration import DEFAULT_DOMAINS
from bot.geo import distance_km

# Domains a person interested in the key may also like (used for alternatives).
VOISINS: dict[str, tuple[str, ...]] = {
    "developpement": ("test_logiciel", "design", "data"),
    "test_logiciel": ("developpement", "support_informatique"),
    "reseaux_systemes": ("support_informatique", "cybersecurite"),
    "support_informatique": ("reseaux_systemes", "mediation_numerique"),
    "cybersecurite": ("reseaux_systemes", "developpement"),
    "data": ("developpement", "test_logiciel"),
    "design": ("developpement", "communication_digitale"),
    "communication_digitale": ("design", "mediation_numerique"),
    "mediation_numerique": ("support_informatique", "communication_digitale"),
}

MAX_RESULTATS = 5
RAYON_MAX_KM = 2000
#: Distance bands of a training's place (`bande`): under 1 km = the person's town, up to
#: `PROCHE_KM` = nearby, then the département, the région, up to `LOIN_KM` = a plain
#: distance, beyond = far away (always with the real distance).
PROCHE_KM = RAYON_KM_DEFAUT
LOIN_KM = 100
#: Mission locale: young people from 16 to 25 (France Travail: every age).
AGE_MISSION_LOCALE = (16, 25)
#: The action that sets the default interests of the "je sais pas" path.
ACTION_JE_SAIS_PAS = "action_je_sais_pas"

# A public chosen by where people live ("habitants de la CALL", "quartiers prioritaires",
# "Jeunes de Marie-Galante"): the card asks the person to check (cannot be checked here).
_RESIDENCE = (
    re.compile(r"\b(?:habitant|quartier|residant|resident|residence)"),
    re.compile(r"\bissu(?:e|s|es)? (?:de|des|du)\b"),
)
_RESIDENCE_LIEU = re.compile(r"\b(?:[Jj]eunes|[Hh]abitants|[Pp]ersonnes) (?:de|du|d')\s?[A-ZÉÈ]")


class FormationLike(Protocol):
    id: str
    intitule: str
    organisme: str | None
    commune: str | None
    departement: str | None
    region: str | None
    lat: float | None
    lon: float | None
    a_distance: bool
    duree_texte: str | None
    cout: str
    diplome_min: str | None
    diplome_max: str | None
    age_min: int | None
    age_max: int | None
    public_texte: str | None
    public_cible: list[str]
    domaines: list[str]


@dataclass(frozen=True)
class Profil:
    """The profile slots that matter for recommending (None = unknown)."""

    situation: str | None = None
    diplome: str | None = None
    age: float | None = None
    commune: str | None = None
    lat: float | None = None
    lon: float | None = None
    interets: tuple[str, ...] = ()
    distanciel: bool = False
    rayon_km: float = RAYON_KM_DEFAUT
    domaines_exclus: tuple[str, ...] = ()
    # Trainings the counsellor set aside with the person (catalogue row ids).
    formations_exclues: tuple[str, ...] = ()
    departement: str | None = None
    region: str | None = None
    # True when the interests are the defaults of the "je sais pas" path, not the
    # person's choice: no reason may then say "ton intérêt pour".
    interets_par_defaut: bool = False
    # Today, to prefer trainings with a session to come (None: no preference).
    aujourdhui: dt.date | None = None


@dataclass(frozen=True)
class Raison:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Resultat:
    formation: Any
    score: float
    distance_km: float | None
    eligible: bool
    raisons: list[Raison]
    blocages: list[Raison]
    interet_direct: bool
    interet_voisin: bool
    dans_la_zone: bool
    # Restrictions the answers cannot settle (unknown age, situation or diploma, a public
    # chosen by place of residence): shown on the card as "à vérifier".
    a_verifier: list[Raison] = field(default_factory=list)
    # Where the training is for this person (see `bande`); None without a distance.
    bande: str | None = None


@dataclass
class Recommandation:
    """Ranked results; `alternatives` is filled only when `resultats` is empty.

    `a_distance_possibles`: when nothing is in the zone, how many trainings of the
    person's domains open to them can be followed at a distance (the next step offered)."""

    resultats: list[Resultat]
    alternatives: list[Resultat]
    type_alternative: str | None  # "plus_loin", "a_distance", "domaine_voisin", "non_eligible"
    a_distance_possibles: int = 0

    @property
    def liste(self) -> list[Resultat]:
        """What is proposed: the results, else the alternatives."""
        return self.resultats or self.alternatives


@lru_cache(maxsize=65536)  # names and titles repeat on thousands of rows
def _plie(text: str) -> str:
    """Lower-case, accent-free text with single spaces (for comparisons)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(plain.split())


@lru_cache(maxsize=16384)  # the same public texts come back on thousands of rows
def public_selon_residence(public_texte: str | None) -> bool:
    """The public is chosen by where people live (a town, an agglomeration, districts)."""
    if not public_texte:
        return False
    plie = _plie(public_texte)
    return any(p.search(plie) for p in _RESIDENCE) or bool(_RESIDENCE_LIEU.search(public_texte))


def restrictions_a_verifier(profil: Profil, f: FormationLike) -> list[Raison]:
    """Restrictions of the training that the person's answers do not settle: the card
    asks to check them (age, situation or diploma not given; public by residence)."""
    verifier: list[Raison] = []
    if profil.age is None and (f.age_min is not None or f.age_max is not None):
        verifier.append(Raison("verifier_age", {"age_min": f.age_min, "age_max": f.age_max}))
    if f.public_cible and profil.situation is None:
        verifier.append(Raison("verifier_public", {"publics": list(f.public_cible)}))
    if profil.diplome not in DIPLOMES:
        if f.diplome_min in DIPLOMES and f.diplome_min != "aucun":
            verifier.append(Raison("verifier_diplome_min", {"diplome": f.diplome_min}))
        if f.diplome_max in DIPLOMES:
            verifier.append(Raison("verifier_diplome_max", {"diplome": f.diplome_max}))
    if public_selon_residence(f.public_texte):
        verifier.append(Raison("verifier_residence"))
    return verifier


def bande(profil: Profil, f: FormationLike, dist: float | None) -> str | None:
    """Where the training is for this person: "meme_ville", "proche", "departement",
    "region", "distance" (up to `LOIN_KM`) or "loin"; None without a distance."""
    if dist is None:
        return None
    km = round(dist)
    if km < 1:
        return "meme_ville"
    if km <= PROCHE_KM:
        return "proche"
    if profil.departement and f.departement == profil.departement:
        return "departement"
    if profil.region and f.region == profil.region:
        return "region"
    return "distance" if km <= LOIN_KM else "loin"


def eligibilite(profil: Profil, f: FormationLike) -> tuple[list[Raison], list[Raison]]:
    """Reasons that make the training open to this person, and reasons that block it."""
    ok: list[Raison] = []
    bloque: list[Raison] = []
    if profil.age is not None:
        if f.age_min is not None and profil.age < f.age_min:
            bloque.append(Raison("age_min", {"age_min": f.age_min}))
        elif f.age_max is not None and profil.age > f.age_max:
            bloque.append(Raison("age_max", {"age_max": f.age_max}))
        elif f.age_min is not None or f.age_max is not None:
            ok.append(Raison("age_ok", {"age_min": f.age_min, "age_max": f.age_max}))
    if profil.diplome in DIPLOMES:
        rang = diplome_rank(profil.diplome)
        if f.diplome_min in DIPLOMES and rang < diplome_rank(f.diplome_min):
            bloque.append(Raison("diplome_min", {"diplome": f.diplome_min}))
        elif f.diplome_max in DIPLOMES and rang > diplome_rank(f.diplome_max):
            bloque.append(Raison("diplome_max", {"diplome": f.diplome_max}))
        elif f.diplome_min == "aucun":
            ok.append(Raison("sans_diplome"))
        elif f.diplome_min in DIPLOMES:
            ok.append(Raison("niveau_ok", {"diplome": f.diplome_min}))
    elif f.diplome_min == "aucun":
        ok.append(Raison("sans_diplome"))
    if f.public_cible:
        if profil.situation in f.public_cible:
            ok.append(Raison("public", {"situation": profil.situation}))
        elif profil.situation is not None:
            bloque.append(Raison("public_reserve", {"publics": list(f.public_cible)}))
    return ok, bloque


def evaluer(profil: Profil, f: FormationLike) -> Resultat:
    """Score one training for one person, with the reasons behind the score."""
    raisons: list[Raison] = []
    score = 0.0
    domaines = [d for d in f.domaines if d not in profil.domaines_exclus]
    direct = [d for d in profil.interets if d in domaines]
    voisins = [
        d for i in profil.interets for d in VOISINS.get(i, ()) if d in domaines and d not in direct
    ]
    if profil.interets_par_defaut:
        # Suggestions for beginners, not the person's choice: no neighbour domains either.
        voisins = []
    if direct and profil.interets_par_defaut:
        score += 50
        raisons.extend(Raison("piste_debutant", {"domaine": d}) for d in direct[:1])
    elif direct:
        score += 50
        raisons.extend(Raison("interet", {"domaine": d}) for d in direct[:2])
    elif voisins:
        score += 20
        raisons.append(Raison("interet_voisin", {"domaine": voisins[0]}))

    dist: float | None = None
    if None not in (profil.lat, profil.lon, f.lat, f.lon):
        dist = distance_km(profil.lat, profil.lon, f.lat, f.lon)  # type: ignore[arg-type]
    distance_ok = f.a_distance and profil.distanciel
    dans_zone = distance_ok or (dist is not None and dist <= profil.rayon_km)
    place = bande(profil, f, None if dist is None else round(dist, 1))
    if dist is not None and dist <= profil.rayon_km:
        score += 30 * (1 - dist / max(profil.rayon_km, 1))
        # Same rounding as the card's place line (which shows round(distance_km)).
        km = round(round(dist, 1))
        if place in ("meme_ville", "proche", "departement"):
            # Only a near place is a reason; a far one within a wide radius is not.
            raisons.append(Raison("distance", {"km": km, "commune": profil.commune}))
    if f.a_distance:
        score += 20 if profil.distanciel else 5
        raisons.append(Raison("a_distance"))

    if profil.aujourdhui is not None and a_venir(getattr(f, "sessions", ()), profil.aujourdhui):
        score += 15
        raisons.append(Raison("session_a_venir"))
    ok, bloque = eligibilite(profil, f)
    raisons.extend(ok)
    if f.cout in ("gratuit", "remunere", "finance"):
        score += {"gratuit": 10, "remunere": 12, "finance": 6}[f.cout]
        raisons.append(Raison(f.cout))
    return Resultat(
        formation=f,
        score=round(score, 1),
        distance_km=None if dist is None else round(dist, 1),
        eligible=not bloque,
        raisons=raisons,
        blocages=bloque,
        interet_direct=bool(direct),
        interet_voisin=bool(voisins),
        dans_la_zone=dans_zone,
        a_verifier=restrictions_a_verifier(profil, f),
        bande=place,
    )


def _distance_or_inf(r: Resultat) -> float:
    return r.distance_km if r.distance_km is not None else float("inf")


def _tri(resultats: Iterable[Resultat]) -> list[Resultat]:
    return sorted(resultats, key=lambda r: (-r.score, _distance_or_inf(r), r.formation.id))


def recommander(profil: Profil, formations: Sequence[FormationLike]) -> Recommandation:
    """All fitting trainings, best first; honest alternatives when none fits."""
    evalues = [evaluer(profil, f) for f in formations]
    ok = _tri(r for r in evalues if r.eligible and r.interet_direct and r.dans_la_zone)
    if ok:
        return Recommandation(ok, [], None)

    # Nothing in the zone: the nearest ones with their real distance first; distance
    # learning is offered as a next step (counted), and proposed directly only when no
    # place can be compared (town unknown).
    eligibles_interet = [r for r in evalues if r.eligible and r.interet_direct]
    remote = _tri(r for r in eligibles_interet if r.formation.a_distance)
    possibles = 0 if profil.distanciel else len(sans_doublons(remote))
    plus_loin = sorted(
        (r for r in eligibles_interet if r.distance_km is not None),
        key=lambda r: (r.distance_km, r.formation.id),
    )
    if plus_loin:
        return Recommandation([], plus_loin, "plus_loin", possibles)
    if remote and not profil.distanciel:
        return Recommandation([], remote, "a_distance", possibles)
    voisins = _tri(r for r in evalues if r.eligible and r.interet_voisin and r.dans_la_zone)
    if voisins:
        return Recommandation([], voisins, "domaine_voisin", possibles)
    bloques = sorted(
        (r for r in evalues if r.interet_direct and not r.eligible),
        key=lambda r: (_distance_or_inf(r), r.formation.id),
    )
    if bloques:
        return Recommandation([], bloques, "non_eligible", possibles)
    return Recommandation([], [], None, possibles)


# --- what is shown ---------------------------------------------------------------------------


def identite(f: FormationLike) -> tuple[str, str, str]:
    """What makes two catalogue rows the same training for a person: same organisation,
    same title, same place (two sessions of one course in one town are one training)."""
    lieu = f.commune if f.commune else "a distance"
    return (_plie(f.organisme or ""), _plie(f.intitule), _plie(lieu))


def sans_doublons(resultats: Iterable[Resultat]) -> list[Resultat]:
    """Each training once (see `identite`), at the place of the best ranked; the row kept
    is the one with the smallest id, so that the same one stands for the training
    whatever the radius or order (the ids already shown stay comparable)."""
    groupes: dict[tuple[str, str, str], Resultat] = {}
    ordre: list[tuple[str, str, str]] = []
    for r in resultats:
        cle = identite(r.formation)
        if cle not in groupes:
            ordre.append(cle)
            groupes[cle] = r
        elif r.formation.id < groupes[cle].formation.id:
            groupes[cle] = r
    return [groupes[cle] for cle in ordre]


def entrelacer(resultats: Sequence[Resultat], domaines: Sequence[str]) -> list[Resultat]:
    """Takes turns between the domains (each result under its first domain in `domaines`),
    keeping the order within each: the default suggestions show each promised job."""
    groupes: dict[str, list[Resultat]] = {d: [] for d in domaines}
    autres: list[Resultat] = []
    for r in resultats:
        domaine = next((d for d in domaines if d in r.formation.domaines), None)
        (groupes[domaine] if domaine is not None else autres).append(r)
    melange: list[Resultat] = []
    while any(groupes.values()):
        for d in domaines:
            if groupes[d]:
                melange.append(groupes[d].pop(0))
    return melange + autres


def plus_proches_d_abord(resultats: Iterable[Resultat]) -> list[Resultat]:
    """Nearest first (no distance last), the ranking order kept for equal distances."""
    return sorted(resultats, key=_distance_or_inf)


def a_distance_d_abord(resultats: Iterable[Resultat]) -> list[Resultat]:
    """Trainings followed at a distance first, the ranking order kept otherwise."""
    return sorted(resultats, key=lambda r: not r.formation.a_distance)


def selon_ordre(resultats: Iterable[Resultat], ids: Sequence[str]) -> list[Resultat]:
    """In the order of `ids` (the list already shown, so that "voir plus" and "la 2e"
    follow it); results not in it come after, in their order."""
    rang = {formation_id: i for i, formation_id in enumerate(ids)}
    return sorted(resultats, key=lambda r: rang.get(r.formation.id, len(rang)))


def liste_a_montrer(
    profil: Profil, reco: Recommandation, ordre: Sequence[str] | None = None
) -> list[Resultat]:
    """The list proposed to the person: each training once; default suggestions take
    turns between the promised domains; `ordre` (ids already shown) kept when given."""
    liste = sans_doublons(r for r in reco.liste if r.formation.id not in profil.formations_exclues)
    if reco.resultats and profil.interets_par_defaut:
        liste = entrelacer(liste, profil.interets)
    if ordre:
        liste = selon_ordre(liste, ordre)
    return liste


def page(liste: Sequence[Resultat], numero: int) -> list[Resultat]:
    """Page `numero` (from 0) of a list."""
    return list(liste[numero * MAX_RESULTATS : (numero + 1) * MAX_RESULTATS])


def ids(resultats: Iterable[Resultat]) -> list[str]:
    return [r.formation.id for r in resultats]


def plus_proche(liste: Iterable[Resultat]) -> Resultat | None:
    """The result with the smallest distance (None when none has a distance)."""
    places = [r for r in liste if r.distance_km is not None]
    return min(places, key=_distance_or_inf) if places else None


@dataclass
class Reponse:
    """What to say after a change of criterion: `code` names the answer ("montrer": show
    `liste`; otherwise say why nothing changes), `plus_proche` backs "the nearest is at …"."""

    code: str
    liste: list[Resultat] = field(default_factory=list)
    plus_proche: Resultat | None = None
    nouvelles: int = 0


def apres_plus_pres(profil: Profil, apres: Recommandation, deja_montres: Sequence[str]) -> Reponse:
    """ "Plus près" (`apres`: the recommendation with the smaller radius). Never farther
    trainings: the ones inside the new radius, nearest first; or "nothing closer" with
    the nearest distance; or "already the nearest" when the page would not change."""
    if not any(r.distance_km is not None for r in apres.resultats):
        # Nothing on site in the radius (distance learning is not "closer").
        loin = apres.type_alternative == "plus_loin" and apres.alternatives
        return Reponse("rien_plus_pres", plus_proche=apres.alternatives[0] if loin else None)
    liste = plus_proches_d_abord(liste_a_montrer(profil, apres))
    if set(ids(page(liste, 0))) == set(deja_montres):
        return Reponse("deja_plus_proches", liste, plus_proche(liste))
    return Reponse("montrer", liste, plus_proche(liste))


def apres_plus_loin(profil: Profil, apres: Recommandation, deja_proposes: Sequence[str]) -> Reponse:
    """ "Plus loin" (`apres`: the recommendation with the wider radius): the trainings it
    adds come first; when it adds none, say so."""
    liste = liste_a_montrer(profil, apres)
    connus = set(deja_proposes)
    nouvelles = [r for r in liste if r.formation.id not in connus]
    if not nouvelles:
        return Reponse("rien_de_plus_loin", plus_proche=plus_proche(liste))
    anciennes = [r for r in liste if r.formation.id in connus]
    return Reponse("montrer", nouvelles + anciennes, nouvelles=len(nouvelles))


def apres_a_distance(profil: Profil, apres: Recommandation, deja_montres: Sequence[str]) -> Reponse:
    """ "À distance" (`apres`: the recommendation accepting distance learning): the ones
    followed at a distance first; or "none at a distance"; or "already shown"."""
    liste = a_distance_d_abord(liste_a_montrer(profil, apres))
    distance = [r for r in liste if r.formation.a_distance]
    if not distance:
        return Reponse("pas_de_distanciel")
    if set(ids(page(liste, 0))) == set(deja_montres):
        return Reponse("distanciel_deja_montre", liste)
    return Reponse("montrer", liste, nouvelles=len(distance))


def domaines_sans_resultat(profil: Profil, liste: Iterable[Resultat]) -> list[str]:
    """The person's domains that no result belongs to (default suggestions: the promised
    jobs with nothing near)."""
    trouves = {d for r in liste for d in r.formation.domaines}
    return [d for d in profil.interets if d not in trouves and d not in profil.domaines_exclus]


def mission_locale(age: float | None) -> bool | None:
    """Whether the Mission locale is for this person (16 to 25 included); None when it
    depends (age unknown, or under 16: not yet)."""
    debut, fin = AGE_MISSION_LOCALE
    if age is None or age < debut:
        return None
    return age < fin + 1


def interets_par_defaut(interets: Sequence[str] | None, evenements: Iterable[Mapping]) -> bool:
    """Whether the interests are the defaults set by the "je sais pas" path (not chosen):
    they equal `DEFAULT_DOMAINS` and that action ran since the last restart."""
    if not interets or set(interets) != set(DEFAULT_DOMAINS):
        return False
    vu = False
    for e in evenements:
        if e.get("event") in ("restart", "reset_slots"):
            vu = False
        elif e.get("event") == "action" and e.get("name") == ACTION_JE_SAIS_PAS:
            vu = True
    return vu
