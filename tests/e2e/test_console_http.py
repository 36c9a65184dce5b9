"""The counsellors' console over HTTP against the real Rasa server: access control (each
refusal documented, nothing leaked), the code-and-consent flow from the web chat, live
updates, criteria, the selection pushed to the chat, the summary sheet, erasure.

Accounts are made with the real command (`capnum conseil creer-admin`) in the server's
console database (CAPNUM_CONSOLE_URL, by default the tracker store's).
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import update

from bot.config import setting
from bot.console.models import ConnexionRow
from bot.db import engine_for
from tests.support.console import PASSWORD, create_admin
from tests.support.console_http import CONSOLE, Browser, chat
from tests.support.fake_telegram import FakeTelegram
from tests.support.server import SERVER
from tests.support.telegram_user import TG_API, TG_SECRET, TG_TOKEN, User

pytestmark = pytest.mark.server
FIRST_MESSAGE = (
    "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
    "et j'aimerais bien faire du développement web"
)


@pytest.fixture(scope="module", autouse=True)
def needs_server() -> None:
    """Skipped unless `make test` started the servers."""
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


@pytest.fixture(scope="module")
def structure() -> dict[str, str]:
    """A structure with an admin (made by the command) and a counsellor (made by the admin
    in the console), and another structure with its own admin."""
    name = f"Mission locale de Roubaix {secrets.token_hex(3)}"
    admin = create_admin(name)
    browser = Browser()
    assert browser.login(admin).status_code == 200
    counsellor = f"camille-{secrets.token_hex(4)}"
    made = browser.post(
        "/api/comptes",
        {
            "identifiant": counsellor,
            "nom": "Camille Martin",
            "role": "conseiller",
            "mot_de_passe": PASSWORD,
        },
    )
    assert made.status_code == 200 and counsellor in {
        c["identifiant"] for c in made.json()["comptes"]
    }
    other = create_admin(f"France Travail Lille {secrets.token_hex(3)}")
    return {"admin": admin, "counsellor": counsellor, "other_admin": other}


@pytest.fixture
def counsellor(structure: dict[str, str]) -> Browser:
    """The counsellor, signed in."""
    browser = Browser()
    assert browser.login(structure["counsellor"]).status_code == 200
    return browser


def shared(counsellor: Browser) -> tuple[str, str]:
    """(session id, conversation id) of a session the young person joined and accepted."""
    state = counsellor.post("/api/seances", {"mode": "chat"}).json()
    sender = secrets.token_hex(16)
    question = chat(sender, state["seance"]["code"]["code"])
    assert (
        question[0]["partage"] == "attente" and "Mission locale de Roubaix" in question[0]["text"]
    )
    accepted = chat(sender, "/partage_accepter")
    assert accepted[0]["partage"] == "actif"
    return state["seance"]["id"], sender


def test_the_console_page_is_served_with_a_strict_policy() -> None:
    """The console page is French, with a strict CSP, no framing, no caching."""
    answer = requests.get(f"{SERVER}{CONSOLE}/", timeout=30)
    assert answer.status_code == 200 and '<html lang="fr">' in answer.text
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/seances"),
        ("GET", "/api/moi"),
        ("POST", "/api/seances"),
        ("GET", "/api/comptes"),
        ("GET", "/seances/0123456789abcdef0123456789abcdef/fiche.pdf"),
    ],
)
def test_anonymous_requests_are_refused(method: str, path: str) -> None:
    """Without signing in: 401 `non_connecte` with a French message, nothing else."""
    browser = Browser()
    answer = browser.get(path) if method == "GET" else browser.post(path, {})
    assert answer.status_code == 401
    assert answer.json()["error"] == "non_connecte" and "Connectez-vous" in answer.json()["message"]
    assert set(answer.json()) == {"error", "message"}


def test_wrong_and_unknown_logins_get_the_same_answer(structure: dict[str, str]) -> None:
    """A wrong password and an unknown login are the same 401, without a cookie."""
    wrong = Browser().login(structure["counsellor"], "pas le bon mot de passe")
    unknown = Browser().login("personne-inconnue", "pas le bon mot de passe")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "capnum_console" not in wrong.cookies


def test_an_account_locks_after_five_wrong_passwords() -> None:
    """The sixth try, even right, is refused with 423 `compte_verrouille`."""
    login = create_admin(f"Association {secrets.token_hex(3)}")
    for _ in range(4):
        assert Browser().login(login, "faux-mot-de-passe-1").status_code == 401
    assert Browser().login(login, "faux-mot-de-passe-1").status_code == 423
    right = Browser().login(login)
    assert right.status_code == 423 and right.json()["error"] == "compte_verrouille"


def test_changes_need_the_csrf_token_and_the_same_origin(counsellor: Browser) -> None:
    """A missing or forged CSRF token (403 `csrf_invalide`), a foreign origin (403
    `origine_refusee`): nothing is created."""
    before = len(counsellor.get("/api/seances").json()["seances"])
    assert counsellor.post("/api/seances", {}, csrf="").json()["error"] == "csrf_invalide"
    assert counsellor.post("/api/seances", {}, csrf="forged" * 8).status_code == 403
    counsellor.http.headers["Origin"] = "https://evil.example"
    assert counsellor.post("/api/seances", {}).json()["error"] == "origine_refusee"
    counsellor.http.headers["Origin"] = SERVER or ""
    assert len(counsellor.get("/api/seances").json()["seances"]) == before


def test_an_expired_or_signed_out_cookie_is_refused(
    structure: dict[str, str], counsellor: Browser
) -> None:
    """A browser idle for over an hour, or signed out, gets 401 again."""
    assert counsellor.get("/api/moi").status_code == 200
    engine = engine_for(setting("CAPNUM_CONSOLE_URL"))
    with engine.begin() as conn:
        conn.execute(update(ConnexionRow).values(vu_le=ConnexionRow.vu_le - 2 * 3600))
    engine.dispose()
    assert counsellor.get("/api/moi").status_code == 401
    assert counsellor.login(structure["counsellor"]).status_code == 200
    assert counsellor.post("/api/deconnexion").status_code == 200
    assert counsellor.get("/api/seances").status_code == 401


def test_another_structure_sees_nothing(structure: dict[str, str], counsellor: Browser) -> None:
    """Another structure's admin gets 404 `seance_inconnue` on every route of our session."""
    seance_id = counsellor.post("/api/seances", {"mode": "chat"}).json()["seance"]["id"]
    intruder = Browser()
    assert intruder.login(structure["other_admin"]).status_code == 200
    for path in ("", "/attendre?version=-1", "/qr.svg"):
        answer = intruder.get(f"/api/seances/{seance_id}{path}")
        assert answer.status_code == 404 and answer.json()["error"] == "seance_inconnue"
    for operation, body in [
        ("marques", {"formation_id": "x", "marque": "ecartee"}),
        ("envoyer", {}),
        ("notes", {"texte": "x", "visibilite": "structure"}),
    ]:
        assert intruder.post(f"/api/seances/{seance_id}/{operation}", body).status_code == 404
    assert intruder.get(f"/seances/{seance_id}/fiche").status_code == 404
    assert seance_id not in json.dumps(intruder.get("/api/seances").json())
    assert counsellor.get("/api/comptes").json()["error"] == "reserve_admin"


def test_wrong_codes_and_refused_consent_show_nothing(counsellor: Browser) -> None:
    """A wrong code is explained in the chat; a "non" keeps the console empty."""
    sender = secrets.token_hex(16)
    assert "Ce code ne marche pas" in chat(sender, "ACD-347")[0]["text"]
    state = counsellor.post("/api/seances", {"mode": "chat"}).json()
    chat(sender, state["seance"]["code"]["code"])
    assert chat(sender, "non")[0]["partage"] == "fin"
    chat(sender, FIRST_MESSAGE)
    seen = counsellor.get(f"/api/seances/{state['seance']['id']}").json()
    assert seen["seance"]["partage"] == "refuse" and seen["messages"] == []
    assert seen["profil"]["commune"] is None


def test_live_profile_then_criteria_push_and_summary(counsellor: Browser) -> None:
    """The young person's message reaches a waiting console at once; a wider radius is
    recomputed with its changes, pushed to the chat, and printed in the PDF."""
    seance_id, sender = shared(counsellor)
    version = counsellor.get(f"/api/seances/{seance_id}").json()["version"]
    result: dict[str, Any] = {}

    def wait() -> None:
        answer = counsellor.get(f"/api/seances/{seance_id}/attendre?version={version}")
        result["state"], result["at"] = answer.json(), time.monotonic()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)
    chat(sender, FIRST_MESSAGE)
    answered = time.monotonic()
    waiter.join(30)
    state = result["state"]
    assert not state.get("inchange") and state["profil"]["commune"] == "Roubaix"
    assert state["profil"]["age"] == 19 and state["recommandations"]["formations"]
    print(f"live update: {1000 * (result['at'] - answered):.0f} ms after the chat's answer")
    assert result["at"] - answered < 2.0
    assert any(m["texte"] == FIRST_MESSAGE for m in state["messages"] if m["de"] == "personne")

    wider = counsellor.post(
        f"/api/seances/{seance_id}/criteres", {"criteres": {"rayon_km": 150}}
    ).json()
    assert wider["recommandations"]["nombre"] >= state["recommandations"]["nombre"]
    assert set(wider["changements"]) == {"ajoutees", "retirees"}
    pushed = counsellor.post(f"/api/seances/{seance_id}/envoyer")
    assert pushed.status_code == 200
    news = requests.post(
        f"{SERVER}/webhooks/webchat/nouvelles", json={"sender": sender}, timeout=30
    ).json()
    assert "Ton conseiller a ajusté la recherche" in news[0]["text"] and "150 km" in news[0]["text"]
    assert news[-1]["custom"]["type"] == "recommandations"
    first = wider["recommandations"]["formations"][0]
    marked = counsellor.post(
        f"/api/seances/{seance_id}/marques", {"formation_id": first["id"], "marque": "a_contacter"}
    )
    assert marked.json()["recommandations"]["formations"][0]["marque"] == "a_contacter"
    counsellor.post(
        f"/api/seances/{seance_id}/etapes", {"texte": "Appeler l'organisme lundi à 10 h"}
    )
    pdf = counsellor.get(f"/seances/{seance_id}/fiche.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (
        first["intitule"].split()[0] in text
        and "Roubaix" in text
        and "Appeler l'organisme lundi à 10 h" in text
    )
    html = counsellor.get(f"/seances/{seance_id}/fiche")
    assert html.status_code == 200 and first["intitule"] in html.text
    link = counsellor.post(f"/api/seances/{seance_id}/lien_fiche").json()["lien_fiche"]
    assert sender not in link and requests.get(link, timeout=30).status_code == 200
    sent = requests.post(
        f"{SERVER}/webhooks/webchat/nouvelles", json={"sender": sender}, timeout=30
    ).json()
    assert link in sent[0]["text"]


def test_stopping_then_erasing_clears_the_console(counsellor: Browser) -> None:
    """ "arrêter le partage" hides the conversation and blocks pushes; "Effacer mes
    données" erases what the session held about the person."""
    seance_id, sender = shared(counsellor)
    chat(sender, FIRST_MESSAGE)
    counsellor.post(
        f"/api/seances/{seance_id}/notes", {"texte": "Très motivé", "visibilite": "personne"}
    )
    assert chat(sender, "arrêter le partage")[0]["partage"] == "fin"
    stopped = counsellor.get(f"/api/seances/{seance_id}").json()
    assert stopped["messages"] == [] and stopped["profil"]["commune"] is None
    refused = counsellor.post(f"/api/seances/{seance_id}/envoyer")
    assert refused.status_code == 409 and refused.json()["error"] == "partage_inactif"
    erased = requests.post(
        f"{SERVER}/webhooks/webchat/effacer", json={"sender": sender}, timeout=30
    )
    assert erased.json()["efface"] is True
    after = counsellor.get(f"/api/seances/{seance_id}").json()
    assert after["seance"]["donnees_effacees"] and after["notes"] == []


def test_a_session_without_a_phone_gives_the_same_recommendations(counsellor: Browser) -> None:
    """The profile typed in the console gives recommendations and a summary, no chat needed."""
    seance_id = counsellor.post("/api/seances", {"mode": "sans_telephone"}).json()["seance"]["id"]
    profile = {
        "situation": "decrocheur",
        "age": 19,
        "diplome": "aucun",
        "commune": "Roubaix",
        "interets": ["developpement"],
    }
    state = counsellor.post(f"/api/seances/{seance_id}/criteres", {"criteres": profile}).json()
    assert state["manquants"] == [] and state["recommandations"]["formations"]
    assert counsellor.get(f"/seances/{seance_id}/fiche.pdf").status_code == 200
    bad = counsellor.post(f"/api/seances/{seance_id}/criteres", {"criteres": {"age": 7}})
    assert bad.status_code == 400 and bad.json()["error"] == "critere_invalide"


@pytest.mark.parametrize(
    "body", [b"{", b"[]", b'{"criteres": "x"}', b"\xff\xfe", b"{" * 5000, b"a" * 40000]
)
def test_malformed_requests_get_a_french_refusal(counsellor: Browser, body: bytes) -> None:
    """Broken JSON, wrong shapes, huge bodies: a 4xx with a French message; the server lives."""
    seance_id = counsellor.post("/api/seances", {"mode": "sans_telephone"}).json()["seance"]["id"]
    answer = counsellor.http.post(
        f"{SERVER}{CONSOLE}/api/seances/{seance_id}/criteres",
        data=body,
        headers={"X-CSRF-Token": counsellor.csrf},
        timeout=30,
    )
    assert 400 <= answer.status_code < 500 and answer.json()["message"]
    assert counsellor.get("/api/moi").status_code == 200


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """The fake Bot API the server's Telegram channel talks to (scripts/test.sh)."""
    api = urlparse(TG_API)
    if not (TG_TOKEN and TG_SECRET) or api.hostname != "127.0.0.1" or not api.port:
        pytest.skip("the Rasa server does not talk to a local fake Bot API (scripts/test.sh)")
    server = FakeTelegram(api.port, token=TG_TOKEN).start()
    yield server
    server.stop()


def test_the_code_and_consent_flow_over_telegram(counsellor: Browser, fake: FakeTelegram) -> None:
    """On Telegram: the code, the consent button, the profile in the console, and the
    counsellor's selection sent to the chat by the Bot API."""
    state = counsellor.post("/api/seances", {"mode": "chat"}).json()
    seance_id = state["seance"]["id"]
    user = User(fake)
    question = user.say(state["seance"]["code"]["code"].lower())
    assert "aimerait suivre cette conversation" in question[0]["text"]
    assert "voit maintenant" in user.tap("Oui, je suis d'accord")[0]["text"]
    user.say(FIRST_MESSAGE)
    seen = counsellor.get(f"/api/seances/{seance_id}").json()
    assert seen["seance"]["canal"] == "telegram" and seen["profil"]["commune"] == "Roubaix"
    counsellor.post(f"/api/seances/{seance_id}/criteres", {"criteres": {"rayon_km": 80}})
    before = len(fake.sent(user.chat_id))
    assert counsellor.post(f"/api/seances/{seance_id}/envoyer").status_code == 200
    pushed = fake.sent(user.chat_id)[before:]
    assert "Ton conseiller a ajusté la recherche" in pushed[0]["text"] and len(pushed) > 1
    assert "ne voit plus" in user.say("stop partage")[0]["text"]
