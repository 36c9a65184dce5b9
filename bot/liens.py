"""Links to official public services, built only from URL formats documented in
`docs/liens-officiels.md` (each with the stored public page that gives it): never an
invented link. `tests/unit/test_liens.py` checks every link against those formats."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

FICHE_RNCP = "https://www.francecompetences.fr/recherche/rncp/{numero}/"
BONNE_ALTERNANCE = (
    "https://labonnealternance.apprentissage.beta.gouv.fr/recherche-apprentissage-formation"
)
CALLER = "capnum"
_RNCP = re.compile(r"(?:RNCP)?(\d{1,6})", re.IGNORECASE)
_ROME = re.compile(r"[A-N]\d{4}")
RAYONS_KM = (10, 30, 60, 100)
"""The radii La bonne alternance's search offers (the link takes the next one up)."""


def fiche_rncp(numero: str) -> str | None:
    """The official France Compétences page of an RNCP certification ("RNCP37674" or
    "37674"); None for anything else."""
    found = _RNCP.fullmatch(numero.strip())
    return FICHE_RNCP.format(numero=found.group(1)) if found else None


def formations_en_alternance(
    romes: Sequence[str], lat: float | None, lon: float | None, rayon_km: float
) -> str | None:
    """Current apprenticeship trainings for these jobs (ROME codes) around a place, on
    La bonne alternance (service of the French State); None without a valid job or place."""
    codes = [c for c in dict.fromkeys(romes) if _ROME.fullmatch(c)]
    if not codes or lat is None or lon is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    rayon = next((r for r in RAYONS_KM if r >= rayon_km), RAYONS_KM[-1])
    query = {
        "radius": rayon,
        "romes": ",".join(codes[:3]),
        "scope": "all",
        "lat": f"{lat:.4f}",
        "lon": f"{lon:.4f}",
        "caller": CALLER,
        "return_uri": "/",
    }
    return f"{BONNE_ALTERNANCE}?{urlencode(query, safe=',/')}"
