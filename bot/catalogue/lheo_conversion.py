"""Conversion of one LHEO action (`bot.catalogue.lheo`) to a catalogue row
(knowledge/SCHEMA.md), once the digital-sector filter (`bot.catalogue.lheo_filtre`) kept
it: every mapped element, with the code tables of the LHEO 2.3 definition
(`dict-niveaux`, `dict-modalites-enseignement`, `dict-boolean`, `dict-financeurs`…). The
mapping is documented in docs/catalogue-import.md (section LHEO). Messages are in French:
they are shown to the maintainers of the feed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from bot.catalogue.import_conversion import Conversion, resolve_place
from bot.catalogue.lheo import ActionLheo, LieuLheo
from bot.catalogue.lheo_filtre import Referentiel, Tri
from bot.catalogue.normalisation import parse_duree, prerequis_diplomas, sourced_public
from bot.catalogue.rows import place_fields, schema_row
from bot.catalogue.sessions import RNCP_RE
from bot.catalogue.validation import DUREE_MOIS_MAX, ROME_RE, in_france
from bot.geo import Geo, normalize_name

#: `dict-niveaux` (entry level) → lowest diploma of bot/contract.py, only where the level
#: names a diploma: 0 (not stated) gives nothing; 1-3 and 11-12 (no specific level,
#: illiteracy, pre-qualification, levels 1-2) need no diploma.
NIVEAU_DIPLOME: dict[str, str | None] = {
    "0": None,
    "1": "aucun",
    "2": "aucun",
    "3": "aucun",
    "4": "cap_bep",
    "5": "bac",
    "6": "bac_plus_2",
    "7": "bac_plus_3",
    "8": "bac_plus_3",
    "11": "aucun",
    "12": "aucun",
    "13": "cap_bep",
    "14": "bac",
    "15": "bac_plus_2",
    "16": "bac_plus_3",
    "17": "bac_plus_3",
    "18": "bac_plus_3",
}
BOOLEENS = ("0", "1")
#: `dict-modalites-enseignement`: 0 in a centre, 1 mixed, 2 entirely at a distance.
MODALITES_ENSEIGNEMENT = ("0", "1", "2")
A_DISTANCE = "2"
#: `dict-modalites-es`: 0 fixed dates, 1 permanent entries.
MODALITES_ES = ("0", "1")
ENTREES_PERMANENTES = "1"
#: `dict-financeurs` that are neither the learner (10), a company (5) nor "other" (0).
FINANCEURS_PRIVES = frozenset({"0", "5", "10"})
HEURES_PAR_MOIS = 35 * 52 / 12  # a full-time month (151.67 h)
JOURS_PAR_MOIS = 365.25 / 12
#: Municipal arrondissements (not in knowledge/geo) → their commune.
ARRONDISSEMENTS = ((75101, 75120, "75056"), (69381, 69389, "69123"), (13201, 13216, "13055"))
_INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_UNKNOWN_DATES = frozenset({"00000000", "99999999"})
_URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_BARE_URL_RE = re.compile(r"^[\w-]+(\.[\w-]+)+(/\S*)?$")


# --------------------------------------------------------------------------- values


def date_lheo(value: str, fin: bool) -> str | None:
    """ISO date of an LHEO date (AAAAMMJJ; AAAAMM00 a month, AAAA0000 a year: their first
    day for a start, their last day for an end; 00000000/99999999 unknown → None).
    Raises ValueError when the value is not such a date."""
    if not value or value in _UNKNOWN_DATES:
        return None
    match = _DATE_RE.match(value)
    if match is None:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    if month == 0 and day == 0:
        month, day = (12, 31) if fin else (1, 1)
    elif day == 0 and 1 <= month <= 12:
        day = calendar.monthrange(year, month)[1] if fin else 1
    return dt.date(year, month, day).isoformat()


def _sessions(action: ActionLheo, conv: Conversion) -> list[dict[str, str | None]]:
    """The action's sessions with a known date, sorted by start then end, without twins."""
    found: list[tuple[str | None, str | None]] = []
    for number, session in enumerate(action.sessions, start=1):
        dates: list[str | None] = []
        for value, fin, label in ((session.debut, False, "début"), (session.fin, True, "fin")):
            try:
                dates.append(date_lheo(value, fin))
            except ValueError:
                conv.fail(
                    "sessions",
                    f"session n°{number} : date de {label} invalide « {value} » (AAAAMMJJ attendu)",
                )
                dates.append(None)
        debut, fin = dates
        if debut and fin and debut > fin:
            conv.fail("sessions", f"session n°{number} : début {debut} après la fin {fin}")
        elif debut or fin:
            found.append((debut, fin))
    ordered = sorted(set(found), key=lambda pair: (pair[0] or "9999", pair[1] or "9999"))
    return [{"debut": debut, "fin": fin} for debut, fin in ordered]


def _code(
    value: str, allowed: tuple[str, ...] | Mapping[str, Any], element: str, conv: Conversion
) -> str:
    """`value` when it is a code of the table (or empty), else "" and an error."""
    if value and value not in allowed:
        conv.errors.append(f"<{element}> : code inconnu « {value} » (attendu {', '.join(allowed)})")
        return ""
    return value


def _nombre(value: str, element: str, conv: Conversion) -> float | None:
    """A number as LHEO writes it ("2500", "2 500,50"); None when empty or unreadable."""
    if not value:
        return None
    try:
        number = float(value.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        conv.errors.append(f"<{element}> illisible « {value} » (nombre attendu)")
        return None
    return number


def _cout(action: ActionLheo, conv: Conversion) -> str:
    """Cost code: a total price of 0 → gratuit; conventionné, a public funder or a possible
    prise en charge → finance; a price or the learner as only funder → payant."""
    prix = _nombre(action.prix_total, "prix-total-TTC", conv)
    _nombre(action.prix_horaire, "prix-horaire-TTC", conv)
    conventionne = _code(action.conventionnement, BOOLEENS, "conventionnement", conv) == "1"
    prise_en_charge = _code(
        action.prise_en_charge, BOOLEENS, "prise-en-charge-frais-possible", conv
    )
    if prix == 0:
        return "gratuit"
    if conventionne or set(action.financeurs) - FINANCEURS_PRIVES or prise_en_charge == "1":
        return "finance"
    if (prix is not None and prix > 0) or set(action.financeurs) == {"10"}:
        return "payant"
    return "inconnu"


def _duree(
    action: ActionLheo, sessions: list[dict[str, str | None]], conv: Conversion
) -> tuple[str | None, float | None]:
    """(duree_texte, duree_mois): the indicative duration and the total hours as written;
    months from the indicative duration, else from the first fixed-date session, else
    from full-time hours (151.67 h a month); None outside (0, 48]."""
    heures = _nombre(action.heures_total, "nombre-heures-total", conv)
    if heures is None:
        parts = [
            _nombre(v, e, conv)
            for v, e in (
                (action.heures_centre, "nombre-heures-centre"),
                (action.heures_entreprise, "nombre-heures-entreprise"),
            )
        ]
        heures = (
            sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
        )
    texte_heures = f"{heures:g} h" if heures else ""
    texte = ", ".join(part for part in (action.duree_indicative, texte_heures) if part) or None
    mois = parse_duree(action.duree_indicative)
    bornees = [s for s in sessions if s["debut"] and s["fin"]]
    if mois is None and bornees and action.modalites_entrees_sorties != ENTREES_PERMANENTES:
        jours = (
            dt.date.fromisoformat(bornees[0]["fin"]) - dt.date.fromisoformat(bornees[0]["debut"])
        ).days + 1
        mois = round(jours / JOURS_PAR_MOIS, 1)
    rythme = normalize_name(action.rythme)
    if mois is None and heures and "temps plein" in rythme and "partiel" not in rythme:
        mois = round(heures / HEURES_PAR_MOIS, 1)
    if mois is not None and not 0 < mois <= DUREE_MOIS_MAX:
        mois = None
    return texte, mois


def _diplomes(action: ActionLheo, conv: Conversion) -> tuple[str | None, str | None]:
    """A required entry level (`niveau-entree-obligatoire` 1) of `dict-niveaux`; else the
    free prerequisites text read as for the CSV imports."""
    niveau = _code(action.formation.niveau_entree, NIVEAU_DIPLOME, "code-niveau-entree", conv)
    obligatoire = _code(
        action.niveau_entree_obligatoire, BOOLEENS, "niveau-entree-obligatoire", conv
    )
    if obligatoire == "1" and NIVEAU_DIPLOME.get(niveau):
        return NIVEAU_DIPLOME[niveau], None
    return prerequis_diplomas(action.conditions_specifiques)


def _commune_insee(code: str) -> str:
    if code.isdigit():
        for low, high, commune in ARRONDISSEMENTS:
            if low <= int(code) <= high:
                return commune
    return code


def _coordonnees(lieu: LieuLheo, conv: Conversion) -> tuple[float, float] | None:
    """The place's own coordinates when given and inside France (0, 0 reads as absent)."""
    if not lieu.latitude and not lieu.longitude:
        return None
    try:
        lat = float(lieu.latitude.replace(",", "."))
        lon = float(lieu.longitude.replace(",", "."))
    except ValueError:
        lat = lon = math.nan
    if not (math.isfinite(lat) and math.isfinite(lon)):
        conv.fail(
            "lat lon",
            f"géolocalisation illisible (latitude « {lieu.latitude} », "
            f"longitude « {lieu.longitude} »)",
        )
        return None
    if lat == 0 and lon == 0:
        return None
    if not in_france(lat, lon):
        hint = " : latitude et longitude inversées ?" if in_france(lon, lat) else ""
        conv.fail("lat lon", f"coordonnées hors de France (latitude {lat}, longitude {lon}){hint}")
        return None
    return lat, lon


def _lieu(action: ActionLheo, a_distance: bool, geo: Geo, conv: Conversion) -> dict[str, Any]:
    """Place fields of the first training place: INSEE code first (a municipal
    arrondissement gives its commune; the postcode is kept when the commune carries it,
    else the commune's first one), else postcode and town, else town and département."""
    if not action.lieux:
        if not a_distance:
            conv.fail(
                "commune a_distance",
                "lieu de formation absent et formation non entièrement à distance",
            )
        return place_fields(None, None)
    lieu = action.lieux[0]
    if lieu.code_insee:
        code = lieu.code_insee.upper()
        commune = geo.by_insee(_commune_insee(code)) if _INSEE_RE.match(code) else None
        if commune is None:
            reason = "inconnu" if _INSEE_RE.match(code) else "invalide"
            conv.fail("commune a_distance", f"code INSEE {reason} '{lieu.code_insee}'")
            return place_fields(None, None)
        place = place_fields(
            commune, lieu.codepostal if lieu.codepostal in commune.codes_postaux else None
        )
    else:
        found, reason = resolve_place(geo, lieu.codepostal, lieu.ville, a_distance)
        if reason and lieu.ville:
            named = geo.resolve(
                f"{lieu.ville} ({lieu.departement})" if lieu.departement else lieu.ville
            )
            if len(named) == 1:
                found, reason = place_fields(named[0], None), None
        if found is None:
            conv.fail("commune a_distance", reason or "lieu de formation introuvable")
            return place_fields(None, None)
        place = found
    coordonnees = _coordonnees(lieu, conv)
    if coordonnees and place["commune"]:
        place["lat"], place["lon"] = coordonnees
    return place


def _site(urls: tuple[str, ...]) -> str | None:
    """The first web address; a bare domain ("lycee.fr/x") gets `https://`."""
    for url in urls:
        if _URL_RE.match(url):
            return url
        if _BARE_URL_RE.match(url):
            return f"https://{url}"
    return None


def _codes(
    values: tuple[str, ...], pattern: re.Pattern[str], prefix: str, label: str, conv: Conversion
) -> list[str]:
    """Upper-cased codes (`prefix` added to bare numbers), each checked against `pattern`."""
    codes: list[str] = []
    for value in values:
        code = value.upper().replace(" ", "")
        if prefix and code.isdigit():
            code = prefix + code
        if pattern.match(code):
            codes.append(code)
        else:
            conv.errors.append(f"code {label} invalide « {value} »")
    return list(dict.fromkeys(codes))


def _annee(action: ActionLheo, sessions: list[dict[str, str | None]], annee_fichier: int) -> str:
    """Year of the export date, else the span of the sessions' years, else `annee_fichier`."""
    if match := re.match(r"^(\d{4})", action.date_export):
        return match.group(1)
    years = sorted({int(d[:4]) for s in sessions for d in (s["debut"], s["fin"]) if d})
    if years:
        return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
    return str(annee_fichier)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """The dict without empty values (recursively for nested dicts)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _compact(value)
        if value not in ("", None, [], {}, ()):
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _brut(action: ActionLheo) -> dict[str, Any]:
    """The raw values the conversion reads, as the file writes them."""
    f = action.formation
    lieu = action.lieux[0] if action.lieux else None
    return _compact(
        {
            "formation": f.numero,
            "action": action.numero,
            "formacode": f.formacodes,
            "nsf": f.nsf,
            "rome": f.rome,
            "rncp": f.rncp,
            "certifinfo": f.certifinfo,
            "rs": f.rs,
            "certifiante": f.certifiante,
            "code_niveau_entree": f.niveau_entree,
            "niveau_entree_obligatoire": action.niveau_entree_obligatoire,
            "code_public_vise": action.public_vise,
            "conditions_specifiques": action.conditions_specifiques,
            "rythme": action.rythme,
            "modalites_enseignement": action.modalites_enseignement,
            "modalites_entrees_sorties": action.modalites_entrees_sorties,
            "nombre_heures_total": action.heures_total,
            "nombre_heures_centre": action.heures_centre,
            "nombre_heures_entreprise": action.heures_entreprise,
            "prise_en_charge_frais_possible": action.prise_en_charge,
            "conventionnement": action.conventionnement,
            "prix_total_ttc": action.prix_total,
            "prix_horaire_ttc": action.prix_horaire,
            "code_financeur": action.financeurs,
            "organisme_responsable": f.organisme_nom,
            "raison_sociale": f.organisme_raison_sociale,
            "siret": f.organisme_siret,
            "organisme_formateur": action.formateurs,
            "lieu": vars(lieu) if lieu else {},
            "autres_lieux": [other.code_insee or other.ville for other in action.lieux[1:]],
            "url": action.urls + f.urls,
            "sessions": [
                [s.debut, s.fin, *([s.etat_recrutement] if s.etat_recrutement else [])]
                for s in action.sessions
            ],
            "date_export": action.date_export,
        }
    )


def convertir(
    action: ActionLheo, tri: Tri, ref: Referentiel, source: dict[str, Any], annee_fichier: int
) -> Conversion:
    """The schema row of a kept action (its id still empty) and every French error."""
    conv = Conversion({})
    formation = action.formation
    if not formation.intitule:
        conv.fail("intitule", "intitulé manquant (<intitule-formation>)")
    modalite = _code(
        action.modalites_enseignement, MODALITES_ENSEIGNEMENT, "modalites-enseignement", conv
    )
    _code(action.modalites_entrees_sorties, MODALITES_ES, "modalites-entrees-sorties", conv)
    certifiante = _code(formation.certifiante, BOOLEENS, "certifiante", conv)
    a_distance = modalite == A_DISTANCE
    place = _lieu(action, a_distance, ref.geo, conv)
    sessions = _sessions(action, conv)
    duree_texte, duree_mois = _duree(action, sessions, conv)
    public_cible, age_min, age_max = sourced_public(action.info_public)
    row = schema_row(
        row_id="",
        intitule=formation.intitule,
        organisme=formation.organisme_nom
        or formation.organisme_raison_sociale
        or next(iter(action.formateurs), None),
        metiers=list(tri.metiers),
        domaines=list(tri.domaines),
        rome_rows=(),
        place=place,
        a_distance=a_distance,
        duree_texte=duree_texte,
        cout_texte=action.detail_prise_en_charge or None,
        diplomes=_diplomes(action, conv),
        ages=(age_min, age_max),
        public_texte=action.info_public or None,
        public_cible=public_cible,
        certification="certifiante" if certifiante == "1" else None,
        label_gen_annee=None,
        site=_site(action.urls + formation.urls),
        source={**source, "reference": _site(formation.urls) or source["reference"]},
        date_donnees=_annee(action, sessions, annee_fichier),
        brut=_brut(action),
    )
    row["rome"] = _codes(formation.rome, ROME_RE, "", "ROME", conv)
    row["duree_mois"] = duree_mois
    row["cout"] = _cout(action, conv)
    row["sessions"] = sessions
    row["rncp"] = _codes(formation.rncp, RNCP_RE, "RNCP", "RNCP", conv)
    conv.row = row
    return conv
