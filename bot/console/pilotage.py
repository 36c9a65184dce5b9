"""Pages and exports for structures and territories: statistics, the map of unmet
demand and the audit log; the referral operations of a session.

Who reads what (every route goes through the console's guard, `ConsoleInput._api`):
- statistics and audit log: the admins of the structure, for their structure only;
- the map: the admins of a structure and the `territoire` accounts, for the région set
  on their structure only (`capnum conseil creer-admin --region`);
- a counsellor reads none of them, an anonymous browser nothing at all.
Each export is written in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console import pages, pages_carte
from bot.console.comptes import Compte, ConsoleError
from bot.console.etat import slots_de_la_seance
from bot.console.journal import en_csv
from bot.console.seances import Seance
from bot.console.service import ConsoleService
from bot.console.vues import slots_et_evenements
from bot.contract import DOMAINES
from bot.presentation import Texts
from bot.profil.recherche import profil_depuis_slots
from bot.statistiques.requetes import MAX_JOURS, Periode, carte_region, statistiques_structure

DOCUMENTS = (
    "statistiques",
    "statistiques.csv",
    "carte",
    "carte.csv",
    "carte.svg",
    "journal",
    "journal.csv",
)
OPERATIONS = ("orientations", "orientation_statut", "sans_solution")
PERIODE_PAR_DEFAUT = 84  # days: the last twelve weeks


def periode(request: Request, today: dt.date) -> Periode:
    """The period asked (`debut`, `fin`: ISO dates), by default the last twelve weeks."""
    try:
        fin = dt.date.fromisoformat(request.args.get("fin") or today.isoformat())
        debut_text = request.args.get("debut")
        debut = (
            dt.date.fromisoformat(debut_text)
            if debut_text
            else fin - dt.timedelta(days=PERIODE_PAR_DEFAUT - 1)
        )
    except ValueError:
        raise ConsoleError("periode_invalide") from None
    if debut > fin or (fin - debut).days >= MAX_JOURS:
        raise ConsoleError("periode_invalide")
    return Periode.de_dates(debut, fin)


def region_lisible(compte: Compte, demandee: str | None) -> str:
    """The région this account may read the map of (403 for any other)."""
    if not (compte.admin or compte.territoire):
        raise ConsoleError("reserve_pilotage", 403)
    if compte.region is None:
        raise ConsoleError("region_non_renseignee", 409)
    if demandee not in (None, "", compte.region):
        raise ConsoleError("region_refusee", 403)
    return compte.region


async def document(
    request: Request, svc: ConsoleService, t: Texts, compte: Compte, name: str
) -> HTTPResponse:
    """One page or export of `DOCUMENTS` for the signed-in account."""
    today = dt.datetime.fromtimestamp(svc.clock()).date()
    base, _, ext = name.partition(".")
    if base in ("statistiques", "journal") and not compte.admin:
        raise ConsoleError("reserve_admin", 403)
    if base == "carte":
        region = region_lisible(compte, request.args.get("region"))
        domaine = request.args.get("domaine") or None
        if domaine is not None and domaine not in DOMAINES:
            raise ConsoleError("requete_invalide")
        p = periode(request, today)
        data = carte_region(svc.engine, svc.geo, region, p, domaine)
        if ext:
            svc.journal.ecrire(compte, f"export_carte_{ext}")
        if ext == "csv":
            return _csv(pages_carte.carte_csv(t, data), "carte-demande-non-satisfaite.csv")
        if ext == "svg":
            return response.raw(
                pages_carte.carte_image(t, data).encode(),
                content_type="image/svg+xml",
                headers={"Content-Disposition": 'attachment; filename="carte.svg"'},
            )
        return _html(pages_carte.page_carte(t, compte, data))
    p = periode(request, today)
    if base == "statistiques":
        data = statistiques_structure(svc.engine, compte.structure_id, p)
        noms = {f: svc.catalogue.get(f) for f in pages.formations_citees(data)}
        if ext == "csv":
            svc.journal.ecrire(compte, "export_statistiques")
            return _csv(pages.statistiques_csv(t, data, noms), "statistiques.csv")
        return _html(pages.page_statistiques(t, compte, data, noms))
    debut = dt.datetime.combine(p.date(p.debut), dt.time()).timestamp()
    fin = dt.datetime.combine(p.date(p.fin) + dt.timedelta(days=1), dt.time()).timestamp()
    entrees = svc.journal.lire(compte, debut, fin)
    if ext == "csv":
        svc.journal.ecrire(compte, "export_journal")
        return _csv(en_csv(entrees, pages.heure_iso), "journal.csv")
    return _html(pages.page_journal(t, compte, p, entrees))


def _html(page: str) -> HTTPResponse:
    return response.html(page, headers=pages.security_headers(True))


def _csv(text: str, filename: str) -> HTTPResponse:
    return response.raw(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def operation(
    svc: ConsoleService, agent: Any, compte: Compte, seance: Seance, operation: str, body: dict
) -> None:
    """A referral added or updated, or "aucune solution trouvée" set or withdrawn."""
    if operation == "orientations":
        svc.orientations.ajouter(compte, seance, body, svc.catalogue)
    elif operation == "orientation_statut":
        svc.orientations.changer_statut(compte, seance, body)
    else:
        slots, _ = await slots_et_evenements(agent, seance, svc)
        profil = profil_depuis_slots(slots_de_la_seance(slots, seance.criteres), svc.geo)
        svc.orientations.sans_solution(compte, seance, body, profil)
