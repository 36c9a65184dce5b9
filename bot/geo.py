"""Runtime geography: communes, postcodes, départements and distances.

Reads only ``knowledge/geo/*.csv`` (written by ``capnum knowledge build``), lazily and once
per process through :meth:`Geo.default`. Nothing is loaded at import time.
"""

from __future__ import annotations

import csv
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.orthographe import cle_phonetique, distance, mot_francais

GEO_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "geo"

EARTH_RADIUS_KM = 6371.0
MAX_NGRAM = 5
MIN_POPULATION_WITHOUT_CUE = 20000

_ARTICLES = ("le", "la", "les", "l")
# Contracted articles before a name: "au Havre" = "à Le Havre", "aux Abymes".
_CONTRACTED = {"au": "le", "o": "le", "aux": "les"}
_TOKEN_ALIASES = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

# Words announcing a place: "j'habite à X", "je suis sur X", "vers X", "près de X"...
CUE_WORDS: frozenset[str] = frozenset(
    {
        "a",
        "au",
        "aux",
        "sur",
        "vers",
        "de",
        "du",
        "des",
        "d",
        "habite",
        "habites",
        "habitons",
        "vis",
        "vit",
        "demenage",
        "demenager",
        "reside",
        "viens",
        "vient",
        "dans",
        "pres",
        "cote",
        "proche",
        "region",
        "ville",
        "commune",
        "secteur",
        "coin",
        "alentours",
        # SMS spellings: "o" = au, "ds" = dans, "jhabite", "jhab", "jvis".
        "o",
        "ds",
        "jhabite",
        "jhab",
        "hab",
        "jvis",
    }
)

# Common nicknames and abbreviations of towns, accepted right after a cue word
# ("jhab a tlse", "jsui sur paname"): normalised nickname -> official name (with the
# département when the name is shared: "st naz" is Saint-Nazaire in Loire-Atlantique).
NICKNAMES: dict[str, str] = {
    "tlse": "Toulouse",
    "paname": "Paris",
    "bdx": "Bordeaux",
    "mtp": "Montpellier",
    "montpel": "Montpellier",
    "perpi": "Perpignan",
    "sainte": "Saint-Étienne",
    "stras": "Strasbourg",
    "clermont fd": "Clermont-Ferrand",
    "saint naz": "Saint-Nazaire (44)",
    "auber": "Aubervilliers",
    "rbx": "Roubaix",
    "fdf": "Fort-de-France",
    # Short names of towns that merged or carry a longer official name; they win over a
    # small commune of the same name ("Charleville" (51) has 300 inhabitants).
    "charleville": "Charleville-Mézières",
    "cherbourg": "Cherbourg-en-Cotentin",
    "brive": "Brive-la-Gaillarde",
    "garges": "Garges-lès-Gonesse",
    "chalons": "Châlons-en-Champagne",
    "evry": "Évry-Courcouronnes",
}
# A misspelled town ("marseil", "monpelier") is recognised after a cue word only, among
# the towns of at least this population, when nothing else names a place.
MIN_POPULATION_APPROX = 20000

# Frequent French words (or chat words) that are also commune names: never a place on their
# own, even after a cue word ("je suis à l'école", "j'ai le bac", "il a plus de 20 ans").
STOP_WORDS: frozenset[str] = frozenset(
    """
    a ai as au aux aucun aucune avec bac bep brevet cap code pas ans an annee annees mois jour
    jours plus moins aide aides formation formations travail emploi ecole ecoles college lycee
    fac web data bio couture hotellerie hopital creche boulot quartier campagne montagne mere
    pere fille oui non ok merci bonjour salut rien tout tous toute avant apres bien mal nuit sans
    chez ici la le les l y en eu ou est et sept huit neuf dix vie val mer port bourg ville
    cour cours font fait faire mont bois bonne bon rue champ champs grand grande petit petite
    puits pont fontaine plaine salon auge job jobs vers fin fond fort beau belle haut bas
    centre nord sud ouest coin loin pres cote saint place presentiel distance distanciel ligne
    niveau licence master info informatique design reseau reseaux test tests prix gratuit
    jeune jeunes maison moi toi lui elle nous vous eux me te se mon ma mes ton ta tes son sa
    ses notre votre leur un une des du de d pour par sur sous dans vis vit suis es sommes
    oui mais donc car ni si quand comme chose temps semaine semaines demain hier encore
    deja alors aussi tres trop peu beaucoup sais veux voudrais peux faut entre
    """.split()
)

# Names that are also ordinary words or phrases: accepted only right after a cue word
# ("je vis à Tours" but not "plusieurs tours", "le bon sens", "avec plaisir").
STOP_WORDS_WITHOUT_CUE: frozenset[str] = frozenset(
    {
        "sens",
        "plaisir",
        "tours",
        "croix",
        "orange",
        "vienne",
        "olivet",
        "nice",
        "le port",
        "la garde",
        "le moule",
        "la madeleine",
        "saint martin",
        "les abymes",
    }
)

# A 5-digit postcode, not part of a number ("12,50000", "75000.5") nor an amount.
_POSTCODE_RE = re.compile(
    r"(?<!\d)(?<!\d[,.])(\d{5})(?!\d)(?![,.]\d)(?!\s*(?:€|euros?|eur\b|k\b|h\b))"
)
# A département given instead of a town: "dans le 93", "le 62", "j'habite dans le 59",
# "je viens du 93", "dans le nord", "en Seine-Saint-Denis" (after a cue; 2A/2B, 971-976).
# Not a date ("le 15 mars"), an age, an amount nor a distance ("le 30 km").
# DECISION (issue 17): the profile needs a commune to measure distances, so a département
# alone stands for its préfecture (Bobigny for the 93). It sets the right département and
# région at once, and the préfecture is where trainings gather; the town is shown in the
# profile summary ("mon profil") and corrected by naming one ("j'habite à Montreuil"). The
# knowledge build already places communes without coordinates at their préfecture.
# Asking again instead would drop what the person said (the form only re-asks the town).
DEPARTEMENT_CODE = r"(?:2[ab]|0[1-9]|1\d|[2-8]\d|9[0-5]|97[1-6])"
_DEP_CUES = r"(?:dans le|ds le|dans l|sur le|vers le|du|le|departement|dept|dep|dpt)"
_DEP_NUMBER_RE = re.compile(
    rf"(?<![a-z0-9]){_DEP_CUES} (?P<dep>{DEPARTEMENT_CODE})(?![a-z0-9])"
    r"(?! (?:ans?|km|kms|kilometres?|euros?|eur|h|heures?|mois|jours?|fois|pour ?cent|janvier"
    r"|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|au|a|sur)"
    r"(?![a-z]))"
)
_DEP_BARE_RE = re.compile(rf"(?:(?:dans )?le )?(?P<dep>{DEPARTEMENT_CODE})")
_DEP_NAME_CUES = frozenset({"dans", "ds", "en", "du", "de", "des", "departement"})
_DEP_SUFFIX_RE = re.compile(r"^(?P<name>.*?)[\s,]*\(?\s*(?P<dep>\d{2,3}|2[abAB])\s*\)?\s*$")


def normalize_name(text: str) -> str:
    """Lowercase, strip accents, ``œ``→``oe``, punctuation → spaces, ``st``→``saint``."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_TOKEN_ALIASES.get(tok, tok) for tok in tokens)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of `normalize_name(text)` with their (start, end) in `text`."""
    tokens: list[tuple[str, int, int]] = []
    chars: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if unicodedata.combining(ch):
            continue
        folded = normalize_name(ch).replace(" ", "") if ch.isalnum() else ""
        if folded:
            if not chars:
                start = i
            chars.append(folded)
            continue
        if chars:
            tokens.append(("".join(chars), start, i))
            chars = []
    if chars:
        tokens.append(("".join(chars), start, len(text)))
    return [(_TOKEN_ALIASES.get(t, t), a, b) for t, a, b in tokens]


def strip_article(key: str) -> str:
    """Drop a leading article from a normalised name ("le havre" → "havre")."""
    head, _, rest = key.partition(" ")
    return rest if head in _ARTICLES and rest else key


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, Earth radius 6371 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Commune:
    """A current French commune (INSEE COG)."""

    code_insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    departement: str
    region: str
    population: int
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        """Display name with the département code, e.g. ``Saint-Denis (93)``."""
        return f"{self.nom} ({self.departement})"


def _by_population(communes: Iterable[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (-c.population, c.code_insee))


class Geo:
    """In-memory index of communes by postcode and by normalised name."""

    _default: Geo | None = None
    _lock = threading.Lock()

    def __init__(
        self,
        communes: Iterable[Commune],
        departements: Mapping[str, tuple[str, str]] | None = None,
        chefs_lieux: Mapping[str, str] | None = None,
    ) -> None:
        """Index ``communes``; ``departements`` maps code → (name, région name),
        ``chefs_lieux`` code → INSEE code of its chef-lieu (the préfecture)."""
        self.communes: list[Commune] = _by_population(communes)
        self._by_cp: dict[str, list[Commune]] = {}
        self._by_key: dict[str, list[Commune]] = {}
        self._by_bare_key: dict[str, list[Commune]] = {}
        self._by_insee: dict[str, Commune] = {c.code_insee: c for c in self.communes}
        for commune in self.communes:  # already biggest first: lists stay sorted
            for cp in commune.codes_postaux:
                self._by_cp.setdefault(cp, []).append(commune)
            key = normalize_name(commune.nom)
            self._by_key.setdefault(key, []).append(commune)
            self._by_bare_key.setdefault(strip_article(key), []).append(commune)
        self._departements: dict[str, tuple[str, str]] = dict(departements or {})
        self._chefs_lieux: dict[str, str] = dict(chefs_lieux or {})
        self._dep_names: dict[str, str] | None = None
        self._approx: dict[str, tuple[str, list[Commune]]] | None = None
        for commune in self.communes:
            self._departements.setdefault(commune.departement, ("", commune.region))

    # -- loading -------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Geo:
        """The process-wide instance loaded from ``knowledge/geo`` (loaded on first call)."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    cls._default = cls.from_dir(GEO_DIR)
        return cls._default

    @classmethod
    def from_dir(cls, directory: Path) -> Geo:
        """Load ``communes.csv``, ``departements.csv`` and ``regions.csv`` from ``directory``."""
        with open(directory / "regions.csv", encoding="utf-8", newline="") as fh:
            regions = {row["code"]: row["nom"] for row in csv.DictReader(fh)}
        with open(directory / "departements.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        deps = {row["code"]: (row["nom"], regions.get(row["region_code"], "")) for row in rows}
        chefs = {row["code"]: row["chef_lieu"] for row in rows if row.get("chef_lieu")}
        communes = []
        with open(directory / "communes.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                communes.append(
                    Commune(
                        code_insee=row["code_insee"],
                        nom=row["nom"],
                        codes_postaux=tuple(row["codes_postaux"].split()),
                        departement=row["departement"],
                        region=regions.get(row["region_code"], ""),
                        population=int(row["population"] or 0),
                        lat=float(row["lat"]) if row["lat"] else None,
                        lon=float(row["lon"]) if row["lon"] else None,
                    )
                )
        return cls(communes, deps, chefs)

    # -- lookups -------------------------------------------------------------------------
    def by_insee(self, code: str) -> Commune | None:
        """The commune with this INSEE code, if any."""
        return self._by_insee.get(code)

    def by_postcode(self, cp: str) -> list[Commune]:
        """All communes carrying postcode ``cp``, biggest first."""
        return list(self._by_cp.get(cp.strip(), []))

    def by_name(self, name: str) -> list[Commune]:
        """Communes whose normalised name matches ``name`` (leading article optional)."""
        key = normalize_name(name)
        if not key:
            return []
        found = self._by_key.get(key)
        if found is None:
            found = self._by_bare_key.get(strip_article(key), [])
        return list(found)

    def resolve(self, text: str) -> list[Commune]:
        """Postcode or name, optionally followed by a département: ``Saint-Denis (93)``."""
        text = text.strip()
        match = re.search(r"(?<!\d)\d{5}(?!\d)", text)
        if match:
            return self.by_postcode(match.group(0))
        dep_match = _DEP_SUFFIX_RE.match(text)
        if dep_match and dep_match.group("name"):
            dep = dep_match.group("dep").upper()
            candidates = self.by_name(dep_match.group("name"))
            return [c for c in candidates if c.departement == dep]
        return self.by_name(text)

    def find_in_text(self, text: str, reponse: bool = False) -> list[Commune] | None:
        """Find a place mentioned in a free sentence; None when nothing is found.

        Order: a known 5-digit postcode, then names (or nicknames: "tlse") right after a
        cue word ("à", "sur", "habite"...), then (without cue) exact names of communes of
        ≥ 20,000 inhabitants, then a misspelled big town after a cue ("à marseil").
        Several communes returned = ambiguous name (e.g. Saint-Denis). With `reponse`
        (the text answers "where do you live?"), its first word counts as after a cue.
        """
        found = self.locate(text, reponse)
        return found[0] if found else None

    def without_place_names(
        self,
        text: str,
        reponse: bool = False,
        found: tuple[list[Commune], tuple[int, int] | None] | None | bool = False,
    ) -> str:
        """`text` with the name of the place it names blanked out (same length) when
        that name has several words, so that they are not read as other facts:
        "Lège-Cap-Ferret" holds no CAP. `found`: the result of `locate(text, reponse)`
        when the caller already has it."""
        if found is False:
            found = self.locate(text, reponse)
        if not found or found[1] is None:
            return text
        start, end = found[1]
        if not re.search(r"[\s'’-]", text[start:end]):
            return text
        return text[:start] + " " * (end - start) + text[end:]

    def locate(
        self, text: str, reponse: bool = False
    ) -> tuple[list[Commune], tuple[int, int] | None] | None:
        """As `find_in_text`, with where the place is written in `text` (None when the
        words cannot be lined up with the text)."""
        for match in _POSTCODE_RE.finditer(text):
            found = self.by_postcode(match.group(1))
            if found:
                # "le hohwald, 67140": the name picks its commune among the postcode's.
                among = set(found)
                return self._named_in(text, among.__contains__) or found, match.span(1)
        placed = _tokens(text)
        tokens = normalize_name(text).split()
        if [t for t, _, _ in placed] != tokens:
            placed = []

        def span(i: int, size: int) -> tuple[int, int] | None:
            return (placed[i][1], placed[i + size - 1][2]) if placed else None

        without_cue: tuple[list[Commune], tuple[int, int] | None] | None = None
        # "dans le Pas-de-Calais" is not Calais, "en Seine-Saint-Denis" not Saint-Denis.
        inside_departement = {
            k
            for first, last, _ in self._departement_names_in(tokens)
            for k in range(first, last + 1)
        }
        i = 0
        while i < len(tokens):
            after_cue = tokens[i - 1] in CUE_WORDS if i > 0 else reponse
            hit = self._match_at(tokens, i, after_cue)
            if hit is not None and i in inside_departement:
                hit = None
            if hit is not None:
                size, communes = hit
                communes = self._narrow_by_departement(communes, tokens[i + size : i + size + 1])
                if i > 0 and tokens[i - 1] in _CONTRACTED:
                    communes = self._with_article(communes, tokens[i : i + size], tokens[i - 1])
                if after_cue:
                    return communes, span(i, size)
                if without_cue is None:
                    without_cue = communes, span(i, size)
                i += size
                continue
            i += 1
        if without_cue is not None:
            return without_cue
        if departement := self._departement_in(text, reponse):
            return departement
        for i in range(len(tokens)):
            after_cue = tokens[i - 1] in CUE_WORDS if i > 0 else reponse
            if after_cue and (hit := self._approximate_at(tokens, i)):
                size, communes = hit
                return communes, span(i, size)
        return None

    def _match_at(
        self, tokens: list[str], start: int, after_cue: bool
    ) -> tuple[int, list[Commune]] | None:
        """Longest n-gram starting at ``start`` naming a commune, with its size."""
        for size in range(min(MAX_NGRAM, len(tokens) - start), 0, -1):
            gram = " ".join(tokens[start : start + size])
            bare = strip_article(gram)
            if gram in STOP_WORDS or bare in STOP_WORDS or gram.isdigit():
                continue
            if after_cue:
                if gram in NICKNAMES:
                    found = self.resolve(NICKNAMES[gram])
                else:
                    found = self._by_key.get(gram) or self._by_bare_key.get(bare)
                if found:
                    return size, list(found)
            elif gram not in STOP_WORDS_WITHOUT_CUE:
                # A name of three words or more ("saint cyr sur loire") is specific
                # enough without a cue, whatever the size of the town.
                found = [
                    c
                    for c in self._by_key.get(gram, [])
                    if c.population >= MIN_POPULATION_WITHOUT_CUE or size >= 3
                ]
                if found:
                    return size, found
        return None

    def _approximate_at(self, tokens: list[str], start: int) -> tuple[int, list[Commune]] | None:
        """A misspelled big town starting at `start` ("marseil", "monpelier", "toulouze"):
        the one town that sounds the same or, for long names, is one or two edits away;
        never a French word ("à fond", but "sarcelle" for Sarcelles) nor a name close to
        several towns."""
        for size in range(min(3, len(tokens) - start), 0, -1):
            words = tokens[start : start + size]
            gram = strip_article(" ".join(words))
            named = words[1:] if size > 1 and words[0] in _ARTICLES else words
            if (
                any(w in STOP_WORDS or not w.isalpha() for w in named)
                or any(len(w) == 1 and w not in "adl" for w in words)  # "strasbour g"
                or len(gram) < 4
            ):
                continue
            key = cle_phonetique(gram.replace(" ", ""))
            limit = 0 if len(key) < 6 else 1 if len(key) < 9 else 2
            french = size == 1 and mot_francais(gram)
            found: dict[str, tuple[int, list[Commune]]] = {}
            raw_limit = 1 if len(gram) >= 6 else 0
            for name, (other, communes) in self._approx_keys().items():
                if french and name not in (gram + "s", gram + "x"):
                    continue  # a French word is a town only as its plural ("sarcelle")
                d = 0 if other == key else distance(key, other, limit)
                if d > limit and raw_limit:  # a typo that changes the sound ("creteuil")
                    d = distance(gram, name, raw_limit)
                if d <= max(limit, raw_limit):
                    found[name] = (d, communes)
            if found:
                best = min(d for d, _ in found.values())
                names = [n for n, (d, _) in found.items() if d == best]
                if len(names) == 1:
                    return size, list(found[names[0]][1])
        return None

    def _approx_keys(self) -> dict[str, tuple[str, list[Commune]]]:
        """Names of big towns (bare, normalised), with their phonetic key and communes."""
        if self._approx is None:
            self._approx = {}
            for key, communes in self._by_bare_key.items():
                # All the communes of that name: a misspelled shared name stays ambiguous.
                big = any(c.population >= MIN_POPULATION_APPROX for c in communes)
                if big and len(key) >= 4:
                    self._approx[key] = (cle_phonetique(key.replace(" ", "")), communes)
        return self._approx

    def _with_article(self, communes: list[Commune], words: list[str], cue: str) -> list[Commune]:
        """ "au Lamentin" is Le Lamentin (972), not Lamentin (971): "au" = "à le"."""
        article = _CONTRACTED[cue]
        if words[0] in _ARTICLES:
            return communes
        named = self._by_key.get(f"{article} {' '.join(words)}")
        return list(named) if named else communes

    @staticmethod
    def _narrow_by_departement(communes: list[Commune], following: list[str]) -> list[Commune]:
        """Keep the communes of the département written right after the name, if any."""
        if len(communes) > 1 and following:
            narrowed = [c for c in communes if c.departement.lower() == following[0]]
            if narrowed:
                return narrowed
        return communes

    # -- départements --------------------------------------------------------------------
    def prefecture(self, code: str) -> Commune | None:
        """The chef-lieu of a département ("93" → Bobigny); the most populated commune of
        the département when its chef-lieu is unknown; None for an unknown code."""
        code = code.strip().upper()
        chef = self._by_insee.get(self._chefs_lieux.get(code, ""))
        if chef is not None:
            return chef
        return next((c for c in self.communes if c.departement == code), None)

    def _departement_names(self) -> dict[str, str]:
        """Normalised département names ("seine saint denis", bare "nord") → code."""
        if self._dep_names is None:
            self._dep_names = {}
            for code, (name, _) in self._departements.items():
                if name:
                    key = normalize_name(name)
                    self._dep_names.setdefault(key, code)
                    self._dep_names.setdefault(strip_article(key), code)
        return self._dep_names

    def departement_in(
        self, text: str, reponse: bool = False
    ) -> tuple[str, tuple[int, int]] | None:
        """A département named instead of a town, and where: "dans le 93", "le 62",
        "je viens du 59", "dans le Nord", "en Seine-Saint-Denis"; with `reponse` (the text
        answers "where do you live?"), also a bare "93". None when there is none."""
        folded = normalize_name(text)
        placed = _tokens(text)
        if [t for t, _, _ in placed] != folded.split():
            placed = []
        words = folded.split()

        def span(first: int, last: int) -> tuple[int, int]:
            return (placed[first][1], placed[last][2]) if placed else (0, len(text))

        found: tuple[str, int, int] | None = None
        if reponse and (bare := _DEP_BARE_RE.fullmatch(folded)):
            found = bare["dep"], len(words) - 1, len(words) - 1
        elif match := _DEP_NUMBER_RE.search(folded):
            index = folded[: match.start("dep")].count(" ")
            found = match["dep"], index, index
        elif named := self._departement_names_in(words):
            first, last, code = named[0]
            found = code, first, last
        if found is None or self.prefecture(found[0]) is None:
            return None
        return found[0].upper(), span(found[1], found[2])

    def _departement_names_in(self, words: list[str]) -> list[tuple[int, int, str]]:
        """(first word, last word, code) of each département named after a cue ("dans
        le Nord", "en Gironde", "du Pas-de-Calais"), not when the name is a commune's."""
        names = self._departement_names()
        found = []
        i = 1
        while i < len(words):
            cue = words[i - 1]
            if cue in _ARTICLES and i >= 2:
                cue = words[i - 2]
            size = 0
            if cue in _DEP_NAME_CUES:
                for n in range(min(4, len(words) - i), 0, -1):
                    gram = " ".join(words[i : i + n])
                    if gram in names and (gram == "nord" or gram not in STOP_WORDS):
                        if gram not in self._by_key and gram not in self._by_bare_key:
                            size = n
                            found.append((i, i + n - 1, names[gram]))
                        break
            i += size or 1
        return found

    def _departement_in(
        self, text: str, reponse: bool
    ) -> tuple[list[Commune], tuple[int, int] | None] | None:
        """A département alone stands for its préfecture (see `departement_in`)."""
        found = self.departement_in(text, reponse)
        if found is None:
            return None
        # "doudelainville dans le 80": a commune of the département named beside it.
        rest = text
        if found[1] is not None:  # not the words of the département: "Pas-de-Calais"
            rest = text[: found[1][0]] + " " + text[found[1][1] :]
        named = self._named_in(rest, lambda c: c.departement == found[0])
        if named:
            return named, found[1]
        prefecture = self.prefecture(found[0])
        return ([prefecture], found[1]) if prefecture else None

    def _named_in(self, text: str, keep: Callable[[Commune], bool]) -> list[Commune]:
        """Communes named exactly in `text` (any size, no cue needed) that `keep` accepts:
        the longest name first."""
        tokens = normalize_name(text).split()
        for size in range(min(MAX_NGRAM, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                gram = " ".join(tokens[start : start + size])
                if len(gram) < 3 or gram in STOP_WORDS or gram.isdigit():
                    continue
                found = self._by_key.get(gram) or self._by_bare_key.get(strip_article(gram))
                kept = [c for c in found or [] if keep(c)]
                if kept:
                    return kept
        return []

    def departement_name(self, code: str) -> str | None:
        """Name of a département ("59" → "Nord"); None when unknown."""
        entry = self._departements.get(code.strip().upper())
        return (entry[0] or None) if entry else None

    def region_of_departement(self, code: str) -> str | None:
        """Région name of a département ("59" → "Hauts-de-France"); None when unknown."""
        entry = self._departements.get(code.strip().upper())
        return (entry[1] or None) if entry else None
