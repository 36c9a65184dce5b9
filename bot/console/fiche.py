"""The summary sheet ("fiche de synthèse") of a guidance session: HTML (printable) and PDF.

The sheet's data (`Fiche`) is built by `bot.console.store`; this module only lays it out.
Every French label comes from the domain (`libelle_fiche_*` responses, read through
`bot.presentation.Texts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FormationFiche:
    """One chosen training as the sheet shows it (display strings, already in French)."""

    intitule: str
    organisme: str
    lieu: str  # "Roubaix (59), à 3 km" or "à distance"
    duree: str
    cout: str
    dates: str | None  # known session dates, None when the catalogue has none
    contact: str | None
    site: str | None
    raisons: list[str]
    marque: str | None  # "à contacter", "écartée" or None
    source: str  # where the row comes from ("liste GEN 2019, data.gouv.fr")
    date_donnees: str | None  # date of the data ("2019-06")


@dataclass(frozen=True)
class Fiche:
    """Everything the sheet prints."""

    date: date
    structure: str
    conseiller: str
    profil: list[tuple[str, str]]  # (label, value), in display order
    formations: list[FormationFiche]
    etapes: str  # next steps written by the counsellor (may hold line breaks)
    notes_personne: list[str] = field(default_factory=list)  # notes "pour la personne"
