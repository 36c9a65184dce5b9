"""Normalisation rules of catalogue sources (pure functions): a source's free texts become
the codes of knowledge/SCHEMA.md (domains, ROME codes, duration, cost, diplomas, public,
ages) and its place names become communes. Shared by the catalogue import
(`bot.catalogue.importer`) and the knowledge build (`capnum knowledge build`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from bot.contract import DOMAINES
from bot.geo import Commune, Geo, normalize_name

DAYS_PER_MONTH = 21.7  # working days in a month, to convert "13 jours"
WEEKS_PER_MONTH = 4.33

# Patterns run on normalize_name() text (lowercase, no accents, punctuation → spaces).
DOMAIN_PATTERNS: dict[str, tuple[str, ...]] = {
    "developpement": (
        r"developp",
        r"integrat",
        r"web",
        r"\bcode\b",
        r"full ?stack",
        r"\bjava",
        r"\bapplications?\b",
        r"programmation",
    ),
    "test_logiciel": (r"\btest(eur|euse|s)?\b",),
    "reseaux_systemes": (r"\breseaux?\b", r"\bsystemes?\b", r"architecte"),
    "support_informatique": (
        r"maintenance",
        r"help ?desk",
        r"technicien (d )?assistance",
        r"\bsupport\b",
    ),
    "cybersecurite": (r"cyber ?securite", r"\bsecurity\b"),
    # "Data Security Helper" is a security job, not a data one.
    "data": (r"\bdata\b(?! security)", r"datartisan"),
    "design": (
        r"design",
        r"graphi",
        r"animation 3d",
        r"\bux\b",
        r"arts numeriques",
        r"creation numerique",
    ),
    "communication_digitale": (
        r"community manag",
        r"contenus et (de )?communautes",
        r"journalis\w* digital",
        r"communication",
    ),
    "mediation_numerique": (
        r"mediat",
        r"referent numerique",
        r"demonstrateur",
        r"coach numerique",
        r"education citoyenne numerique",
        r"fabnum",
        r"forgeur",
        r"\bmakers?\b",
    ),
}

# Domain → ROME "metier_cible" groups of knowledge/rome/metiers_numeriques.csv.
DOMAIN_METIERS: dict[str, tuple[str, ...]] = {
    "developpement": ("developpeur_web_mobile",),
    "test_logiciel": ("testeur",),
    "reseaux_systemes": ("technicien_reseaux", "admin_systemes_reseaux"),
    "support_informatique": ("technicien_support_helpdesk",),
    "cybersecurite": ("cybersecurite",),
    "data": ("data_analyst",),
    "design": ("ux_ui_designer",),
    "communication_digitale": ("community_manager",),
    "mediation_numerique": ("mediateur_numerique",),
}


def clean_text(value: Any) -> str:
    """Source value as a one-line string ("" for None); newlines and runs of spaces collapse."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def domains_from_text(*texts: str) -> list[str]:
    """Interest domains (contract order) whose keywords appear in the métiers/title texts."""
    haystack = " | ".join(normalize_name(t) for t in texts if t)
    return [
        domain
        for domain in DOMAINES
        if any(re.search(p, haystack) for p in DOMAIN_PATTERNS[domain])
    ]


def rome_codes(domains: Iterable[str], rome_rows: Sequence[dict[str, str]]) -> list[str]:
    """ROME codes (sorted, unique) of the métier groups of ``domains``, from the ROME file."""
    wanted = {m for d in domains for m in DOMAIN_METIERS.get(d, ())}
    return sorted({r["code_fiche"] for r in rome_rows if r["metier_cible"] in wanted})


def parse_duree(text: str | None) -> float | None:
    """Duration in months: "4 mois" → 4, "3 mois et demi" → 3.5, "1 an" → 12, "13 jours" → 0.6.

    The first "N mois" wins ("6 mois ... puis 3 mois de stage" → 6).
    """
    t = re.sub(r"\bun an", "1 an", normalize_name(text or ""))
    if not t or t == "inconnu":
        return None
    if m := re.search(r"(\d+) mois et demi", t):
        return int(m.group(1)) + 0.5
    if m := re.search(r"(\d+) mois", t):
        return float(m.group(1))
    if m := re.search(r"(\d+) ans?\b", t):
        return float(int(m.group(1)) * 12)
    if m := re.search(r"(\d+) semaines?", t):
        return round(int(m.group(1)) / WEEKS_PER_MONTH, 1)
    if m := re.search(r"(\d+) jours?", t):
        return round(int(m.group(1)) / DAYS_PER_MONTH, 1)
    return None


def parse_cout(text: str | None) -> str:
    """Cost code from the source wording (both sources).

    Learners paid under a contract (alternance, CDDI, "rémunérés") → ``remunere``; "Gratuit…"
    → ``gratuit``; funded ("financée à 80 %", "conventionné par la région") → ``finance``;
    paid or depending on the family quotient → ``payant``; empty or unknown → ``inconnu``.
    """
    t = normalize_name(text or "")
    if not t or t == "inconnu":
        return "inconnu"
    if re.search(r"remunere|alternance|\bcddi\b", t):
        return "remunere"
    if t.startswith("gratuit"):
        return "gratuit"
    if re.search(r"financ|conventionn", t):
        return "finance"
    if re.search(r"payant|quotien", t):
        return "payant"
    if "gratuit" in t:
        return "gratuit"
    return "inconnu"


_NO_DIPLOMA_RE = re.compile(
    r"aucun diplome|sans diplome|sans niveau prerequis|aucun prerequis|sans condition de diplome"
)


def prerequis_diplomas(text: str | None) -> tuple[str | None, str | None]:
    """(diplome_min, diplome_max) from a free ``prerequis`` text; (None, None) if unclear."""
    t = normalize_name(text or "")
    if re.search(r"\bnon bacheliers?\b", t):
        return None, "cap_bep"
    if _NO_DIPLOMA_RE.search(t):  # also "avec ou sans diplôme"
        return "aucun", None
    return None, None


_RANGE_RE = re.compile(r"(\d{2}) ?(?:-|a|à) ?(\d{2})(?: ?/ ?(\d{2}))? ?ans")
_UNDER_RE = re.compile(r"(?:moins de|- ?de|-) ?(\d{2}) ?ans")
#: An alternative for older people ("+ de 26 ans"), on `lower_ascii` text.
OLDER_RE = re.compile(r"(?:plus de|\+ ?de|\+) ?\d{2} ?ans")


def lower_ascii(text: str | None) -> str:
    """Lowercase without accents, punctuation kept (to read "- de 25 ans", "+ de 26 ans")."""
    t = unicodedata.normalize("NFKD", (text or "").lower())
    return " ".join("".join(ch for ch in t if not unicodedata.combining(ch)).split())


def ages_from_text(text: str | None) -> tuple[int | None, int | None]:
    """(age_min, age_max) stated in a public text.

    "de 18 à 25 ans" / "16-25 ans" → (18, 25) / (16, 25) (bounds inclusive; "25/26" → 26);
    "moins de 25 ans" / "- de 25 ans" / "- 25 ans" → (None, 24) ("under 25" excludes 25);
    an alternative for older people ("… et demandeur d'emploi de + de 26 ans") removes the
    upper bound since older people can join too.
    """
    t = lower_ascii(text)
    low: int | None = None
    high: int | None = None
    if m := _RANGE_RE.search(t):
        low, high = int(m.group(1)), int(m.group(3) or m.group(2))
    elif m := _UNDER_RE.search(t):
        high = int(m.group(1)) - 1
    if OLDER_RE.search(t):
        high = None
    return low, high


_NON_RESTRICTIVE_START = ("en priorite", "surtout", "tous profils", "tout public")


def sourced_public(text: str | None) -> tuple[list[str], int | None, int | None]:
    """(public_cible, age_min, age_max) from a free public text, only when clearly restrictive.

    Texts stating a priority or an open audience ("En priorité…", "Surtout…", "Tous profils",
    any mention of "reconversion") restrict nothing. Otherwise "décrocheurs", "NEET",
    "sortis du système scolaire" → decrocheur; "demandeurs d'emploi", "sans emploi", "NEET"
    → demandeur_emploi; ages as in :func:`ages_from_text`.
    """
    t = normalize_name(text or "")
    if not t or t.startswith(_NON_RESTRICTIVE_START):
        return [], None, None
    low, high = ages_from_text(text)
    if "reconversion" in t:
        return [], low, high
    cible = []
    if re.search(r"decroch|\bneet\b|sortis? du systeme scolaire", t):
        cible.append("decrocheur")
    if re.search(r"demandeu\w* d emploi|sans emploi|\bneet\b", t):
        cible.append("demandeur_emploi")
    return cible, low, high


def split_metiers(text: str | None) -> list[str]:
    """IDF ``metier`` field ("Développeur Web, Intégrateur web") as a list; "pas de métier" → []."""
    t = clean_text(text)
    if not t or normalize_name(t) in {"pas de metier", "inconnu"}:
        return []
    return [part.strip() for part in t.split(",") if part.strip()]


def web_site(value: Any) -> str | None:
    """http(s) address or None."""
    t = clean_text(value)
    return t if re.match(r"https?://", t) else None


def resolve_commune_name(
    geo: Geo, name: str, departement: str | None, code_postal: str | None = None
) -> Commune | None:
    """Commune from a source's name ("Grand-Bourg (Marie-Galante)" → Grand-Bourg).

    Exact normalised name first (in the record's département when given); failing that
    (renamed or merged commune: "Clichy-la-Garenne" → Clichy, "Mortain" → Mortain-Bocage),
    the commune of the record's postcode whose name extends or prefixes the source name.
    """
    bare = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    found = geo.by_name(bare) if bare else []
    if departement:
        found = [c for c in found if c.departement == departement] or found
    if found:
        return found[0]
    key = normalize_name(bare)
    for commune in geo.by_postcode(code_postal or ""):
        other = normalize_name(commune.nom)
        if key and (other.startswith(key + " ") or key.startswith(other + " ")):
            return commune
    return None


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.lower()).split())
