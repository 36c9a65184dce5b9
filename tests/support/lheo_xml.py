"""LHEO files written for the import tests: an offer of formations, each of actions, every
element optional (None leaves it out), defaults making a valid digital training in Lille.
The real example file is `tests/support/lheo/exemple-offre-onisep.xml`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from bot.config import REPO_ROOT

NS_22 = "http://www.lheo.org/2.2"
NS_23 = "http://lheo.gouv.fr/2.3"
EXEMPLE = REPO_ROOT / "tests" / "support" / "lheo" / "exemple-offre-onisep.xml"

Value = str | None


def _el(name: str, value: Value) -> str:
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def _els(name: str, values: Sequence[str]) -> str:
    return "".join(_el(name, value) for value in values)


def _attr(name: str, value: Value) -> str:
    return "" if value is None else f" {name}={quoteattr(value)}"


def session(debut: Value = "20250901", fin: Value = "20260331", etat: Value = None) -> str:
    """A `<session>` with its period (dates as LHEO writes them)."""
    return (
        f"<session><periode>{_el('debut', debut)}{_el('fin', fin)}</periode>"
        "<adresse-inscription><adresse><ligne>Accueil</ligne><codepostal>59000</codepostal>"
        f"<ville>Lille</ville></adresse></adresse-inscription>{_el('etat-recrutement', etat)}"
        "</session>"
    )


def lieu(
    insee: Value = "59350",
    cp: Value = "59000",
    ville: Value = "Lille",
    departement: Value = "59",
    lat: Value = "50.6311",
    lon: Value = "3.0468",
) -> str:
    """A `<lieu-de-formation>` address (INSEE code, postcode, town, coordinates)."""
    geo = ""
    if lat is not None or lon is not None:
        geo = f"<geolocalisation>{_el('latitude', lat)}{_el('longitude', lon)}</geolocalisation>"
    return (
        "<lieu-de-formation><coordonnees><adresse><ligne>12 rue du Code</ligne>"
        f"{_el('codepostal', cp)}{_el('ville', ville)}{_el('departement', departement)}"
        f"{_el('code-INSEE-commune', insee)}<region>32</region><pays>FR</pays>{geo}"
        "</adresse></coordonnees></lieu-de-formation>"
    )


def action(
    numero: Value = "A1",
    *,
    lieux: Sequence[str] | None = None,
    sessions: Sequence[str] | None = None,
    rythme: Value = "Temps plein",
    public: Sequence[str] = ("80056",),
    info_public: Value = None,
    niveau_obligatoire: Value = "1",
    modalites_enseignement: Value = "0",
    conditions: Value = "-",
    prise_en_charge: Value = "0",
    entrees_sorties: Value = "0",
    urls: Sequence[str] = ("https://simplon.co/lille",),
    duree: Value = None,
    heures_total: Value = None,
    heures_centre: Value = None,
    heures_entreprise: Value = None,
    prix_total: Value = None,
    prix_horaire: Value = None,
    detail: Value = None,
    conventionnement: Value = None,
    formateurs: Sequence[str] = (),
    financeurs: Sequence[str] = (),
    horodatage: Value = None,
) -> str:
    """An `<action>` in LHEO element order; `lieux`/`sessions` default to one each."""
    lieux = [lieu()] if lieux is None else lieux
    sessions = [session()] if sessions is None else sessions
    url = f"<url-action>{_els('urlweb', urls)}</url-action>" if urls else ""
    formateur = "".join(
        f"<organisme-formateur><SIRET-formateur><SIRET>12345678900011</SIRET></SIRET-formateur>"
        f"{_el('raison-sociale-formateur', name)}</organisme-formateur>"
        for name in formateurs
    )
    financeur = "".join(
        f"<organisme-financeur>{_el('code-financeur', code)}</organisme-financeur>"
        for code in financeurs
    )
    return (
        f"<action{_attr('numero', numero)}{_attr('horodatage-export', horodatage)}>"
        f"{_el('rythme-formation', rythme)}{_els('code-public-vise', public)}"
        f"{_el('info-public-vise', info_public)}"
        f"{_el('niveau-entree-obligatoire', niveau_obligatoire)}"
        "<modalites-alternance>-</modalites-alternance>"
        f"{_el('modalites-enseignement', modalites_enseignement)}"
        f"{_el('conditions-specifiques', conditions)}"
        f"{_el('prise-en-charge-frais-possible', prise_en_charge)}{''.join(lieux)}"
        f"{_el('modalites-entrees-sorties', entrees_sorties)}{url}{''.join(sessions)}"
        f"{_el('prix-horaire-TTC', prix_horaire)}{_el('prix-total-TTC', prix_total)}"
        f"{_el('duree-indicative', duree)}{_el('nombre-heures-centre', heures_centre)}"
        f"{_el('nombre-heures-entreprise', heures_entreprise)}"
        f"{_el('nombre-heures-total', heures_total)}"
        f"{_el('detail-conditions-prise-en-charge', detail)}"
        f"{_el('conventionnement', conventionnement)}{formateur}{financeur}</action>"
    )


def formation(
    numero: Value = "F1",
    actions: Sequence[str] | None = None,
    *,
    intitule: Value = "Développeur web et web mobile",
    formacodes: Sequence[str] = ("31090",),
    nsf: Sequence[str] = ("326",),
    rome: Sequence[str] = ("M1855",),
    certifiante: Value = "1",
    niveau_entree: Value = "5",
    rncp: Sequence[str] = ("RNCP37674",),
    certifinfo: Sequence[str] = ("106190",),
    urls: Sequence[str] = ("https://simplon.co/dwwm",),
    organisme: Value = "Simplon Hauts-de-France",
    raison_sociale: Value = "SIMPLON.CO",
    date_export: Value = None,
) -> str:
    """A `<formation>` with its domain codes, certifications, actions and organisation."""
    actions = [action()] if actions is None else actions
    domaine = (
        f"<domaine-formation>{_els('code-FORMACODE', formacodes)}{_els('code-NSF', nsf)}"
        f"{_els('code-ROME', rome)}</domaine-formation>"
    )
    certification = "".join(
        f"<certification>{_el('code-RNCP', code)}</certification>" for code in rncp
    ) + "".join(f"<certification>{_el('code-CERTIFINFO', c)}</certification>" for c in certifinfo)
    url = f"<url-formation>{_els('urlweb', urls)}</url-formation>" if urls else ""
    extras = (
        f'<extras info="EXPORT"><extra info="DATE EXPORT TEST">{date_export}</extra></extras>'
        if date_export
        else ""
    )
    return (
        f"<formation{_attr('numero', numero)}>{domaine}{_el('intitule-formation', intitule)}"
        "<objectif-formation>Devenir développeur</objectif-formation>"
        "<resultats-attendus>Titre professionnel</resultats-attendus>"
        "<contenu-formation>HTML, CSS, JavaScript</contenu-formation>"
        f"{_el('certifiante', certifiante)}<contact-formation><coordonnees>"
        "<courriel>contact@example.org</courriel></coordonnees></contact-formation>"
        f"<parcours-de-formation>1</parcours-de-formation>"
        f"{_el('code-niveau-entree', niveau_entree)}{certification}"
        f"<code-niveau-sortie>14</code-niveau-sortie>{url}{''.join(actions)}"
        "<organisme-formation-responsable><numero-activite>31590000000</numero-activite>"
        "<SIRET-organisme-formation><SIRET>79427616300030</SIRET></SIRET-organisme-formation>"
        f"{_el('nom-organisme', organisme)}{_el('raison-sociale', raison_sociale)}"
        "<coordonnees-organisme><coordonnees><courriel>a@example.org</courriel></coordonnees>"
        "</coordonnees-organisme><contact-organisme><coordonnees><courriel>b@example.org"
        "</courriel></coordonnees></contact-organisme></organisme-formation-responsable>"
        f"{extras}</formation>"
    )


def offre(
    formations: Sequence[str] | None = None, ns: str | None = NS_22, horodatage: Value = None
) -> str:
    """A whole LHEO document (namespace `ns`, none when None)."""
    formations = [formation()] if formations is None else formations
    root = "lheo" + (f' xmlns="{ns}"' if ns else "") + _attr("horodatage-export", horodatage)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>'
        f"<offres>{''.join(formations)}</offres></lheo>\n"
    )


def write_offre(path: Path, formations: Sequence[str] | None = None, **options: object) -> Path:
    """Write `offre(formations, **options)` to `path`."""
    path.write_text(offre(formations, **options), encoding="utf-8")  # type: ignore[arg-type]
    return path


def exemple_numerique(path: Path) -> Path:
    """The real example with its first ROME code (D1402, sales) replaced by M1805
    (Développeur informatique, a job sheet of Cap Num): a digital variant."""
    text = EXEMPLE.read_text(encoding="utf-8")
    assert "<code-ROME>D1402</code-ROME>" in text
    path.write_text(text.replace("<code-ROME>D1402</code-ROME>", "<code-ROME>M1805</code-ROME>"))
    return path
