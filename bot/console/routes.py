"""The counsellors' console, served by the Rasa server under `/webhooks/console/`.

One page (`/`) and its JSON API (`/api/...`). Every API route goes through `_api`: same
origin only, bounded body, signed-in browser (cookie `capnum_console`, HttpOnly,
SameSite=Strict) and CSRF token (`X-CSRF-Token`) for every change, rate limits per
address, and errors as `{"error": code, "message": French text}` (domain responses
`libelle_console_erreur_*`); an unexpected failure answers 500 and the server goes on.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import GuardedInput, RateLimiter
from bot.channels.webchat import origin_of, own_origins
from bot.config import DEFAULTS, setting
from bot.console import etat, pilotage, vues
from bot.console.comptes import Compte, ConsoleError
from bot.console.fiche import render_html, render_pdf
from bot.console.orientations import STATUTS, enregistrer
from bot.console.pages import security_headers
from bot.console.seances import Seance
from bot.console.service import ConsoleService, service
from bot.presentation import Texts

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
COOKIE = "capnum_console"
COOKIE_PATH = "/webhooks/console"
MAX_BODY_BYTES = 32 * 1024
WAIT_SECONDS = 20.0
_STATIC_FILES = {
    "console.js": "text/javascript",
    "console.css": "text/css",
    "fiche.css": "text/css",
    "pilotage.js": "text/javascript",
    "pilotage.css": "text/css",
}
_OPERATIONS = frozenset(
    {"criteres", "envoyer", "marques", "notes", "etapes", "statut", "code", "lien_fiche"}
) | frozenset(pilotage.OPERATIONS)

Handler = Callable[[Request, Compte | None, dict[str, Any]], Awaitable[Any]]


def public_url() -> str:
    return setting("CAPNUM_PUBLIC_URL").rstrip("/")


def texts_of(request: Request) -> Texts:
    return Texts(request.app.ctx.agent.domain.responses)


def _agent(request: Request) -> Any:
    return getattr(request.app.ctx, "agent", None)


class ConsoleInput(GuardedInput, InputChannel):
    """The console's page and API (it receives no chat message)."""

    @classmethod
    def name(cls) -> str:
        return "console"

    def __init__(
        self,
        rate_per_address: float = float(DEFAULTS["CAPNUM_CONSOLE_RATE_ADDRESS"]),
        logins_per_minute: float = float(DEFAULTS["CAPNUM_CONSOLE_RATE_LOGIN"]),
    ) -> None:
        self.per_address = RateLimiter(
            rate_per_address, burst=max(20, int(rate_per_address)), name="console_address"
        )
        self.logins = RateLimiter(
            logins_per_minute, burst=int(logins_per_minute), name="console_login"
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ConsoleInput:
        credentials = credentials or {}
        defaults = cls()
        return cls(
            float(credentials.get("rate_per_address") or defaults.per_address.rate * 60),
            float(credentials.get("logins_per_minute") or defaults.logins.rate * 60),
        )

    # --- the guard of every API route ------------------------------------------------------
    def _error(self, request: Request, status: int, code: str) -> HTTPResponse:
        try:
            message = texts_of(request).get(f"libelle_console_erreur_{code}")
        except KeyError:
            message = texts_of(request).get("libelle_console_erreur_interne")
        return response.json(
            {"error": code, "message": message}, status=status, headers=security_headers(False)
        )

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if not origin:
            return request.method == "GET"
        own = own_origins(request.scheme, request.host, os.environ.get("CAPNUM_PUBLIC_URL"))
        return origin.lower() in own or origin == origin_of(public_url())

    async def _api(
        self, request: Request, handler: Handler, *, signed_in: bool = True
    ) -> HTTPResponse:
        try:
            address = request.remote_addr or request.ip or "?"
            if not self.per_address.allow(address):
                return self._error(request, 429, "trop_de_requetes")
            if not self._same_origin(request):
                return self._error(request, 403, "origine_refusee")
            if len(request.body or b"") > MAX_BODY_BYTES:
                return self._error(request, 413, "requete_trop_longue")
            body: Any = {}
            if request.method == "POST":
                try:
                    body = json.loads(request.body or b"{}")
                except (ValueError, UnicodeDecodeError, RecursionError):
                    return self._error(request, 400, "requete_invalide")
                if not isinstance(body, dict):
                    return self._error(request, 400, "requete_invalide")
            compte = None
            if signed_in:
                found = service().comptes.connexion(request.cookies.get(COOKIE))
                if found is None:
                    return self._error(request, 401, "non_connecte")
                compte, csrf = found
                if request.method == "POST" and not hmac.compare_digest(
                    str(request.headers.get("x-csrf-token") or ""), csrf
                ):
                    return self._error(request, 403, "csrf_invalide")
            result = await handler(request, compte, body)
        except ConsoleError as error:
            return self._error(request, error.status, error.code)
        except Exception as exc:  # never a stack trace to the client, never a dead server
            logger.error("console request failed: %s", type(exc).__name__)
            return self._error(request, 500, "interne")
        if isinstance(result, HTTPResponse):
            result.headers.update(security_headers(False))
            return result
        return response.json(result, headers=security_headers(False))

    # --- routes ----------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("console", inspect.getmodule(self).__name__)

        @console.route("/", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return await response.file(STATIC_DIR / "console.html", headers=security_headers(True))

        @console.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            if name not in _STATIC_FILES:
                return response.json({"error": "introuvable"}, status=404)
            return await response.file(
                STATIC_DIR / name, mime_type=_STATIC_FILES[name], headers=security_headers(False)
            )

        @console.route("/api/<path:path>", methods=["GET", "POST"])
        async def api(request: Request, path: str) -> HTTPResponse:
            route = self._route(request.method, path.strip("/").split("/"))
            if route is None:
                return self._error(request, 404, "introuvable")
            handler, signed_in = route
            return await self._api(request, handler, signed_in=signed_in)

        @console.route("/seances/<seance_id>/<document>", methods=["GET"])
        async def document(request: Request, seance_id: str, document: str) -> HTTPResponse:
            if document not in ("fiche", "fiche.pdf"):
                return self._error(request, 404, "introuvable")

            async def handler(request: Request, compte: Compte | None, _: dict) -> Any:
                assert compte is not None
                seance = service().seances.lire(compte, seance_id)
                action = "impression" if document == "fiche" else "export_pdf"
                service().journal.ecrire(compte, action, seance.id)
                return await self.document(request, seance, compte.structure, document)

            return await self._api(request, handler)

        @console.route("/pilotage/<name>", methods=["GET"])
        async def pilotage_document(request: Request, name: str) -> HTTPResponse:
            """Statistics, map of unmet demand and audit log (pages and exports)."""
            if name not in pilotage.DOCUMENTS:
                return self._error(request, 404, "introuvable")

            async def handler(request: Request, compte: Compte | None, _: dict) -> Any:
                assert compte is not None
                return await pilotage.document(request, service(), texts_of(request), compte, name)

            return await self._api(request, handler)

        @console.route("/fiche/<token>", methods=["GET"])
        async def shared_summary(request: Request, token: str) -> HTTPResponse:
            """The young person's link to their summary sheet (no account; expires)."""

            async def handler(request: Request, _: Compte | None, __: dict) -> Any:
                svc = service()
                seance = svc.seances.seance_par_lien(token)
                if seance is None:
                    raise ConsoleError("lien_expire", 404)
                structure = svc.seances.structure_de(seance.id)
                return await self.document(request, seance, structure, "fiche")

            return await self._api(request, handler, signed_in=False)

        return console

    def _route(self, method: str, parts: list[str]) -> tuple[Handler, bool] | None:
        """The handler of `/api/<parts>` and whether it needs a signed-in browser."""
        routes: dict[tuple[str, ...], tuple[Handler, bool]] = {
            ("POST", "connexion"): (self.connexion, False),
            ("POST", "deconnexion"): (self.deconnexion, True),
            ("GET", "moi"): (self.moi, True),
            ("GET", "referentiel"): (self.referentiel, True),
            ("GET", "seances"): (self.liste, True),
            ("POST", "seances"): (self.creer, True),
            ("GET", "comptes"): (self.comptes, True),
            ("POST", "comptes"): (self.creer_compte, True),
        }
        if len(parts) == 1:
            return routes.get((method, parts[0]))
        if parts[0] == "seances" and len(parts) in (2, 3):
            seance_id = parts[1]
            operation = parts[2] if len(parts) == 3 else ""
            if method == "GET" and operation in ("", "attendre", "qr.svg"):
                return self._seance_handler(seance_id, operation), True
            if method == "POST" and operation in _OPERATIONS:
                return self._seance_handler(seance_id, operation), True
        if parts[0] == "comptes" and len(parts) == 3 and parts[2] == "activer" and method == "POST":
            compte_id = parts[1]

            async def activer(_: Request, compte: Compte | None, body: dict) -> Any:
                assert compte is not None
                if not compte.admin:
                    raise ConsoleError("reserve_admin", 403)
                if not compte_id.isdigit() or not isinstance(body.get("actif"), bool):
                    raise ConsoleError("requete_invalide")
                if int(compte_id) == compte.id:
                    raise ConsoleError("requete_invalide")
                service().comptes.activer(compte.structure_id, int(compte_id), body["actif"])
                return {"comptes": service().comptes.comptes(compte.structure_id)}

            return activer, True
        return None

    # --- accounts --------------------------------------------------------------------------
    async def connexion(self, request: Request, _: Compte | None, body: dict) -> Any:
        if not self.logins.allow(request.remote_addr or request.ip or "?"):
            raise ConsoleError("trop_de_requetes", 429)
        compte, token, csrf = service().comptes.connecter(
            body.get("identifiant"), body.get("mot_de_passe")
        )
        answer = response.json({"compte": vues.compte_json(compte), "csrf": csrf})
        answer.cookies[COOKIE] = token
        cookie = answer.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = COOKIE_PATH
        cookie["max-age"] = 10 * 3600
        if request.scheme == "https" or public_url().startswith("https://"):
            cookie["secure"] = True
        return answer

    async def deconnexion(self, request: Request, _: Compte | None, __: dict) -> Any:
        service().comptes.deconnecter(request.cookies.get(COOKIE))
        answer = response.json({"deconnecte": True})
        answer.cookies[COOKIE] = ""
        answer.cookies[COOKIE]["path"] = COOKIE_PATH
        answer.cookies[COOKIE]["max-age"] = 0
        return answer

    async def moi(self, request: Request, compte: Compte | None, _: dict) -> Any:
        assert compte is not None
        found = service().comptes.connexion(request.cookies.get(COOKIE))
        return {"compte": vues.compte_json(compte), "csrf": found[1] if found else ""}

    async def referentiel(self, request: Request, _: Compte | None, __: dict) -> Any:
        return etat.referentiel(texts_of(request))

    async def comptes(self, _: Request, compte: Compte | None, __: dict) -> Any:
        assert compte is not None
        if not compte.admin:
            raise ConsoleError("reserve_admin", 403)
        return {"comptes": service().comptes.comptes(compte.structure_id)}

    async def creer_compte(self, _: Request, compte: Compte | None, body: dict) -> Any:
        assert compte is not None
        if not compte.admin:
            raise ConsoleError("reserve_admin", 403)
        values = [body.get(k) for k in ("identifiant", "nom", "role", "mot_de_passe")]
        if not all(isinstance(v, str) for v in values) or values[2] == "territoire":
            raise ConsoleError("requete_invalide")
        service().comptes.creer_compte(compte.structure_id, *values)
        return {"comptes": service().comptes.comptes(compte.structure_id)}

    # --- sessions --------------------------------------------------------------------------
    async def liste(self, request: Request, compte: Compte | None, __: dict) -> Any:
        assert compte is not None
        statut = request.args.get("orientation") or None
        if statut is not None and statut not in STATUTS:
            raise ConsoleError("requete_invalide")
        seances = service().seances.liste(compte, statut)
        return {"seances": [vues.resume(s, public_url()) for s in seances]}

    async def creer(self, request: Request, compte: Compte | None, body: dict) -> Any:
        assert compte is not None
        svc = service()
        mode = str(body.get("mode") or "chat")
        if mode not in ("chat", "sans_telephone"):
            raise ConsoleError("mode_invalide")
        cle = enregistrer(lambda: svc.statistiques.nouvelle_seance(compte.structure_id))
        return await self.etat(request, svc.seances.creer(compte, mode, stats_cle=cle))

    async def etat(self, request: Request, seance: Seance, **extra: Any) -> dict[str, Any]:
        state = await vues.etat_seance(
            service(),
            texts_of(request),
            _agent(request),
            seance,
            public_url(),
            avec_non_eligibles=request.args.get("non_eligibles") == "1",
        )
        return {**state, **extra}

    def _seance_handler(self, seance_id: str, operation: str) -> Handler:
        async def handler(request: Request, compte: Compte | None, body: dict) -> Any:
            assert compte is not None
            svc = service()
            # 404 unless the account's. Short queries, on the event loop: in a thread they
            # cost the chat more (GIL hand-offs; docs/benchmarks.md, console section).
            seance = svc.seances.lire(compte, seance_id)
            if operation in ("", *_OPERATIONS):
                action = "ouverture" if operation == "" else f"modification_{operation}"
                svc.journal.ecrire(compte, action, seance.id)
            if operation == "":
                return await self.etat(request, seance)
            if operation == "attendre":
                return await self.attendre(request, svc, compte, seance)
            if operation == "qr.svg":
                svg = vues.qr_svg(seance, public_url())
                return response.text(svg, content_type="image/svg+xml")
            extra = await self.operation(request, svc, compte, seance, operation, body)
            svc.direct.changer(seance.id)
            if isinstance(extra, HTTPResponse):
                return extra
            return await self.etat(request, svc.seances.lire(compte, seance_id), **extra)

        return handler

    async def attendre(
        self, request: Request, svc: ConsoleService, compte: Compte, seance: Seance
    ) -> Any:
        try:
            version = int(request.args.get("version", "-1"))
        except ValueError:
            raise ConsoleError("requete_invalide") from None
        nouvelle = await svc.direct.attendre(seance.id, version, WAIT_SECONDS)
        if nouvelle == version:
            return {"version": version, "inchange": True}
        return await self.etat(request, svc.seances.lire(compte, seance.id))

    async def operation(
        self,
        request: Request,
        svc: ConsoleService,
        compte: Compte,
        seance: Seance,
        operation: str,
        body: dict,
    ) -> dict[str, Any] | HTTPResponse:
        """Runs one change of a session; returns what the answer adds to the state."""
        t = texts_of(request)
        if operation in pilotage.OPERATIONS:
            await pilotage.operation(svc, _agent(request), compte, seance, operation, body)
            return {}
        if operation == "criteres":
            if not isinstance(body.get("criteres"), dict):
                raise ConsoleError("requete_invalide")
            nouveaux = etat.valider_criteres(body["criteres"], svc.geo)
            avant = await self.etat(request, seance)
            criteres = {**seance.criteres, **nouveaux}
            criteres = {k: v for k, v in criteres.items() if v is not None}
            if "commune" not in criteres:
                criteres.pop("code_insee", None)
            seance = svc.seances.modifier(compte, seance.id, criteres=criteres)
            apres = await self.etat(request, seance)
            return {
                "changements": etat.changements(
                    avant["recommandations"]["formations"], apres["recommandations"]["formations"]
                )
            }
        if operation == "envoyer":
            await self.pousser(request, svc, t, seance)
            return {"envoye": True}
        if operation == "marques":
            svc.seances.marquer(compte, seance.id, body.get("formation_id"), body.get("marque"))
        elif operation == "notes":
            svc.seances.ajouter_note(
                compte, seance.id, body.get("texte"), str(body.get("visibilite"))
            )
        elif operation == "etapes":
            texte = body.get("texte")
            if not isinstance(texte, str):
                raise ConsoleError("requete_invalide")
            svc.seances.modifier(compte, seance.id, etapes=texte.strip())
        elif operation == "statut":
            svc.seances.modifier(compte, seance.id, statut=body.get("statut"))
        elif operation == "code":
            svc.seances.nouveau_code(compte, seance.id)
        elif operation == "lien_fiche":
            token = svc.seances.lien_fiche(compte, seance.id)
            lien = f"{public_url()}/webhooks/console/fiche/{token}"
            if seance.partage_actif:
                await self._deliver(
                    request, svc, t, seance, [{"text": t.get("libelle_partage_fiche", lien=lien)}]
                )
            return {"lien_fiche": lien}
        return {}

    async def pousser(
        self, request: Request, svc: ConsoleService, t: Texts, seance: Seance
    ) -> None:
        """The counsellor's selection, written into the conversation (slots and messages)
        and sent to the young person's chat."""
        if not seance.partage_actif:
            raise ConsoleError("partage_inactif", 409)
        agent = _agent(request)
        async with agent.lock_store.lock(seance.sender_id):
            messages, events = await vues.selection_poussee(svc, t, agent, seance)
            tracker = await agent.tracker_store.get_or_create_tracker(seance.sender_id)
            known = {slot.name for slot in agent.domain.slots}
            for event in events:
                if getattr(event, "key", None) is None or event.key in known:
                    tracker.update(event)
            await agent.tracker_store.save(tracker)
        await self._deliver(request, svc, t, seance, messages)

    async def _deliver(
        self,
        request: Request,
        svc: ConsoleService,
        t: Texts,
        seance: Seance,
        messages: list[dict[str, Any]],
    ) -> None:
        canal, _, detail = (seance.canal or "").partition(":")
        pousseur = svc.pousseurs.get(canal)
        if pousseur is None or seance.sender_id is None:
            raise ConsoleError("canal_indisponible", 409)
        await pousseur(seance.sender_id, detail, messages, t)

    async def document(
        self, request: Request, seance: Seance, structure: str, document: str
    ) -> HTTPResponse:
        t = texts_of(request)
        svc = service()
        state = await self.etat(request, seance)
        sheet = vues.fiche(t, seance, structure, state, svc.clock())
        if document == "fiche.pdf":
            return response.raw(
                render_pdf(sheet, t),
                content_type="application/pdf",
                headers={"Content-Disposition": 'attachment; filename="fiche-de-synthese.pdf"'},
            )
        html = render_html(sheet, t, css_href="/webhooks/console/static/fiche.css")
        return response.html(html, headers=security_headers(True))
