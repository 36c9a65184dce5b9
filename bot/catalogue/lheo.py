"""Streaming reader of LHEO files (the XML of training offers exchanged by the Carif-Oref
network and France Travail: offre → formation → action → session, versions 2.2 and 2.3).

The file is read with `xml.etree.ElementTree.iterparse`: one `<formation>` element is
held at a time (its actions come before its responsible organisation), then cleared and
dropped from its parent, so that a regional export of hundreds of MB is read in constant
memory. The actions of a formation are built only on demand (the digital-sector filter
needs the formation's own codes alone). Element names are matched without their
namespace (LHEO 2.2 `http://www.lheo.org/2.2`, 2.3 `http://lheo.gouv.fr/2.3`, or none).
Values are kept as the source writes them (stripped text, `-` read as empty): their
meaning is given by `bot.catalogue.lheo_conversion`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.catalogue.import_sources import SourceFileError
from bot.catalogue.normalisation import clean_text

#: Placeholder LHEO producers write in mandatory elements they have no value for.
_EMPTY_VALUES = frozenset({"", "-"})
_VERSION_RE = re.compile(r"(\d+\.\d+)/?$")


def _clean(value: str | None) -> str:
    text = clean_text(value)
    return "" if text in _EMPTY_VALUES else text


def _text(element: ET.Element, path: str) -> str:
    """Cleaned text of the first element at `path` ("" when absent)."""
    return _clean(element.findtext(path))


def _texts(element: ET.Element, path: str) -> tuple[str, ...]:
    """Cleaned, non-empty texts of every element at `path`, in document order."""
    return tuple(text for found in element.iterfind(path) if (text := _clean(found.text)))


@dataclass(frozen=True)
class LieuLheo:
    """Address of a training place (`lieu-de-formation/coordonnees/adresse`)."""

    code_insee: str
    codepostal: str
    ville: str
    departement: str
    latitude: str
    longitude: str


@dataclass(frozen=True)
class SessionLheo:
    """A session: planned period (AAAAMMJJ as written) and recruitment state."""

    numero: str
    debut: str
    fin: str
    etat_recrutement: str


@dataclass(frozen=True)
class FormationLheo:
    """The values of a `<formation>` shared by its actions."""

    numero: str
    intitule: str
    formacodes: tuple[str, ...]
    nsf: tuple[str, ...]
    rome: tuple[str, ...]
    certifiante: str
    niveau_entree: str
    rncp: tuple[str, ...]
    certifinfo: tuple[str, ...]
    rs: tuple[str, ...]
    urls: tuple[str, ...]
    organisme_nom: str
    organisme_raison_sociale: str
    organisme_siret: str
    date_export: str


@dataclass(frozen=True)
class ActionLheo:
    """One `<action>` (a training at one place) and its formation; `ordinal` is its
    position among the file's actions, from 1."""

    ordinal: int
    formation: FormationLheo
    numero: str
    rang: int  # position among its formation's actions, from 1
    rythme: str
    public_vise: tuple[str, ...]
    info_public: str
    niveau_entree_obligatoire: str
    modalites_enseignement: str
    conditions_specifiques: str
    prise_en_charge: str
    lieux: tuple[LieuLheo, ...]
    modalites_entrees_sorties: str
    urls: tuple[str, ...]
    sessions: tuple[SessionLheo, ...]
    duree_indicative: str
    heures_total: str
    heures_centre: str
    heures_entreprise: str
    prix_total: str
    prix_horaire: str
    detail_prise_en_charge: str
    conventionnement: str
    formateurs: tuple[str, ...]
    financeurs: tuple[str, ...]
    date_export: str


def _lieu(adresse: ET.Element) -> LieuLheo:
    return LieuLheo(
        code_insee=_text(adresse, "code-INSEE-commune"),
        codepostal=_text(adresse, "codepostal"),
        ville=_text(adresse, "ville"),
        departement=_text(adresse, "departement"),
        latitude=_text(adresse, "geolocalisation/latitude"),
        longitude=_text(adresse, "geolocalisation/longitude"),
    )


def _date_export(element: ET.Element) -> str:
    """The element's `horodatage-export` attribute, else an `extra` whose `info` names an
    export date (ONISEP writes `<extra info="DATE EXPORT ONISEP">20151203</extra>`)."""
    stamp = _clean(element.get("horodatage-export"))
    if stamp:
        return stamp
    for extra in element.iterfind("extras/extra"):
        if "date export" in (extra.get("info") or "").lower():
            return _clean(extra.text)
    return ""


def _formation(element: ET.Element, date_fichier: str) -> FormationLheo:
    organisme = element.find("organisme-formation-responsable")
    if organisme is None:
        organisme = ET.Element("organisme-formation-responsable")
    return FormationLheo(
        numero=_clean(element.get("numero")),
        intitule=_text(element, "intitule-formation"),
        formacodes=_texts(element, "domaine-formation/code-FORMACODE"),
        nsf=_texts(element, "domaine-formation/code-NSF"),
        rome=_texts(element, "domaine-formation/code-ROME"),
        certifiante=_text(element, "certifiante"),
        niveau_entree=_text(element, "code-niveau-entree"),
        rncp=_texts(element, "certification/code-RNCP"),
        certifinfo=_texts(element, "certification/code-CERTIFINFO"),
        rs=_texts(element, "certification/code-RS"),
        urls=_texts(element, "url-formation/urlweb"),
        organisme_nom=_text(organisme, "nom-organisme"),
        organisme_raison_sociale=_text(organisme, "raison-sociale"),
        organisme_siret=_text(organisme, "SIRET-organisme-formation/SIRET"),
        date_export=_date_export(element) or date_fichier,
    )


def _action(element: ET.Element, formation: FormationLheo, ordinal: int, rang: int) -> ActionLheo:
    return ActionLheo(
        ordinal=ordinal,
        formation=formation,
        numero=_clean(element.get("numero")),
        rang=rang,
        rythme=_text(element, "rythme-formation"),
        public_vise=_texts(element, "code-public-vise"),
        info_public=_text(element, "info-public-vise"),
        niveau_entree_obligatoire=_text(element, "niveau-entree-obligatoire"),
        modalites_enseignement=_text(element, "modalites-enseignement"),
        conditions_specifiques=_text(element, "conditions-specifiques"),
        prise_en_charge=_text(element, "prise-en-charge-frais-possible"),
        lieux=tuple(
            _lieu(adresse) for adresse in element.iterfind("lieu-de-formation/coordonnees/adresse")
        ),
        modalites_entrees_sorties=_text(element, "modalites-entrees-sorties"),
        urls=_texts(element, "url-action/urlweb"),
        sessions=tuple(
            SessionLheo(
                numero=_clean(session.get("numero")),
                debut=_text(session, "periode/debut"),
                fin=_text(session, "periode/fin"),
                etat_recrutement=_text(session, "etat-recrutement"),
            )
            for session in element.iterfind("session")
        ),
        duree_indicative=_text(element, "duree-indicative"),
        heures_total=_text(element, "nombre-heures-total"),
        heures_centre=_text(element, "nombre-heures-centre"),
        heures_entreprise=_text(element, "nombre-heures-entreprise"),
        prix_total=_text(element, "prix-total-TTC"),
        prix_horaire=_text(element, "prix-horaire-TTC"),
        detail_prise_en_charge=_text(element, "detail-conditions-prise-en-charge"),
        conventionnement=_text(element, "conventionnement"),
        formateurs=_texts(element, "organisme-formateur/raison-sociale-formateur"),
        financeurs=_texts(element, "organisme-financeur/code-financeur"),
        date_export=_date_export(element) or formation.date_export,
    )


def _strip_namespaces(element: ET.Element) -> None:
    for child in element.iter():
        if child.tag[0] == "{":
            child.tag = child.tag.partition("}")[2]


@dataclass(frozen=True)
class FormationLue:
    """A formation just read, and its `<action>` elements: `actions()` builds them, and
    must be called before the next formation is read (the elements are then cleared)."""

    formation: FormationLheo
    premier: int  # ordinal of its first action in the file
    elements: list[ET.Element]

    def actions(self) -> list[ActionLheo]:
        """The formation's actions, numbered in the file from `premier`."""
        return [
            _action(element, self.formation, self.premier + rang - 1, rang)
            for rang, element in enumerate(self.elements, start=1)
        ]


class LectureLheo:
    """One pass over an LHEO file: `formations()` yields its formations in document order
    (`actions()` their actions); `version` (from the namespace, e.g. "2.2") and
    `formations_lues` are known once reading has started. Raises `SourceFileError`
    (French message) when the file is not XML or not LHEO."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version: str | None = None
        self.formations_lues = 0

    def actions(self) -> Iterator[ActionLheo]:
        """Every action of the file, in document order."""
        for lue in self.formations():
            yield from lue.actions()

    def formations(self) -> Iterator[FormationLue]:
        """Every formation of the file, one held in memory at a time."""
        stack: list[ET.Element] = []
        formation_tag = "formation"
        date_fichier = ""
        ordinal = 0
        try:
            for event, element in ET.iterparse(self.path, events=("start", "end")):
                if event == "start":
                    if not stack:
                        formation_tag, date_fichier = self._root(element)
                    elif len(stack) == 1 and not date_fichier:
                        date_fichier = _clean(element.get("horodatage-export"))
                    stack.append(element)
                    continue
                stack.pop()
                if element.tag != formation_tag:
                    continue
                self.formations_lues += 1
                if formation_tag[0] == "{":
                    _strip_namespaces(element)
                actions = element.findall("action")
                yield FormationLue(_formation(element, date_fichier), ordinal + 1, actions)
                ordinal += len(actions)
                element.clear()
                if stack:
                    stack[-1].remove(element)
        except ET.ParseError as exc:
            line, column = exc.position
            raise SourceFileError(f"XML invalide (ligne {line}, colonne {column + 1})") from exc
        except FileNotFoundError as exc:
            raise SourceFileError("fichier introuvable") from exc

    def _root(self, element: ET.Element) -> tuple[str, str]:
        """The namespaced name of `<formation>` and the export date of the root."""
        namespace, _, name = (
            element.tag[1:].partition("}") if element.tag[0] == "{" else ("", "", element.tag)
        )
        if name != "lheo":
            raise SourceFileError(f"élément racine <{name}> : fichier LHEO attendu (<lheo>)")
        if match := _VERSION_RE.search(namespace):
            self.version = match.group(1)
        prefix = f"{{{namespace}}}" if namespace else ""
        return f"{prefix}formation", _clean(element.get("horodatage-export"))
