"""Structures and territories over HTTP against the real servers, from real conversations:
five guidance sessions joined from the web chat, referrals and "aucune solution", five
young people in Laon (nothing within their radius) chatting on their own; then the
structure admin's statistics and audit log and the regional planner's map, with who may
read what (every page and export, for every kind of account and for nobody).

Accounts are made with the real commands (`capnum conseil creer-admin --region`,
`creer-compte --role territoire`) in the server's console database.
"""

from __future__ import annotations

import csv
import io
import secrets
from typing import Any

import pytest
import requests

from tests.support.console import create_account, create_admin, territory_accounts
from tests.support.console_http import CONSOLE, Browser, chat, shared_sessions
from tests.support.server import SERVER

pytestmark = pytest.mark.server
DOCUMENTS = (
    "statistiques",
    "statistiques.csv",
    "carte",
    "carte.csv",
    "carte.svg",
    "journal",
    "journal.csv",
)
ROUBAIX = (
    "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
    "et j'aimerais bien faire du développement web"
)
LAON = (
    "bonjour j'ai 22 ans je cherche du travail, j'ai pas de diplome, j'habite a Laon "
    "et je voudrais faire du developpement"
)


@pytest.fixture(scope="module", autouse=True)
def needs_server() -> None:
    """Skipped unless `make test` started the servers."""
    if not SERVER:
        pytest.skip("CAPNUM_SERVER_URL not set: servers not started")


def signed_in(login: str) -> Browser:
    browser = Browser()
    assert browser.login(login).status_code == 200
    return browser


def rows(answer: requests.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))


def unmet_in_aisne(planner: Browser) -> int:
    """Searches without training in reach in the Aisne (02) today, "<5" read as 0."""
    (aisne,) = [
        r for r in rows(planner.get("/pilotage/carte.csv")) if r["departement_code"] == "02"
    ]
    value = aisne["recherches_sans_formation_dans_le_rayon"]
    return 0 if value == "<5" else int(value)


@pytest.fixture(scope="module")
def territory() -> dict[str, Any]:
    """A Mission locale of Hauts-de-France with its admin and counsellor, a regional
    planner of Hauts-de-France, a planner and an admin of Île-de-France."""
    accounts = territory_accounts()
    idf = f"Région Île-de-France {accounts['suffix']}"
    accounts["admin_idf"] = create_admin(idf, region="11")
    accounts["planner_idf"] = create_account(idf, "territoire")
    return accounts


@pytest.fixture(scope="module")
def conversations(territory: dict[str, Any]) -> dict[str, Any]:
    """The real conversations: five sessions joined from the web chat (one referral
    followed to an interview, one "aucune solution", one person who then erases their
    data) and five young people of Laon on their own."""
    planner = signed_in(territory["planner"])
    before = unmet_in_aisne(planner)
    counsellor = signed_in(territory["counsellor"])
    seances = shared_sessions(counsellor, 5, ROUBAIX)
    for seance, _ in seances:
        assert seance["recommandations"]["formations"], seance["profil"]
    first, _ = seances[0]
    formation = first["recommandations"]["formations"][0]["id"]
    path = f"/api/seances/{first['seance']['id']}"
    added = counsellor.post(f"{path}/orientations", {"formation_id": formation, "motif": "motivé"})
    assert added.status_code == 200, added.text
    (orientation,) = added.json()["orientations"]
    moved = counsellor.post(
        f"{path}/orientation_statut", {"orientation_id": orientation["id"], "statut": "entretien"}
    )
    assert moved.json()["orientations"][0]["statut"] == "entretien"
    second, _ = seances[1]
    none = counsellor.post(
        f"/api/seances/{second['seance']['id']}/sans_solution",
        {"motif": "trop_loin", "commentaire": "pas de permis"},
    )
    assert none.json()["sans_solution"]["motif"] == "trop_loin"
    listed = counsellor.get("/api/seances", params={"orientation": "entretien"}).json()
    assert [s["id"] for s in listed["seances"]] == [first["seance"]["id"]]
    assert counsellor.get(f"/seances/{first['seance']['id']}/fiche").status_code == 200
    _, erased = seances[4]
    answer = requests.post(
        f"{SERVER}/webhooks/webchat/effacer", json={"sender": erased}, timeout=30
    )
    assert answer.json()["efface"] is True
    for _ in range(5):
        answers = chat(secrets.token_hex(16), LAON)
        assert answers, "the chat answered"
    return {"before": before, "formation": formation, "first": first["seance"]["id"]}


def test_the_admin_sees_the_statistics_of_these_conversations(
    territory: dict[str, Any], conversations: dict[str, Any]
) -> None:
    """Five sessions (one person erased their data since: the anonymous record stays),
    five shared conversations, all reaching recommendations; the single referral and the
    single "aucune solution" are small counts and are not shown; the page says so."""
    admin = signed_in(territory["admin"])
    figures = {
        (r["indicateur"], r["code"]): r["valeur"]
        for r in rows(admin.get("/pilotage/statistiques.csv"))
    }
    assert figures[("seances", "")] == "5" and figures[("conversations", "")] == "5"
    assert figures[("domaines", "developpement")] == "5"
    assert figures[("tranches_age", "18_25")] == "5"
    assert figures[("sans_solution", "trop_loin")] == "<5"
    assert figures[("orientations", "entretien")] == "<5"
    assert figures[("part_recommandations", "")] == "1.0"
    assert ("plus_choisies", conversations["formation"]) not in figures  # 1 < 5
    page = admin.get("/pilotage/statistiques")
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert (
        "Content-Security-Policy" in page.headers
        and "unsafe" not in page.headers["Content-Security-Policy"]
    )
    assert "moins de 5" in page.text and "<svg" in page.text and "<table>" in page.text


def test_the_planner_sees_unmet_demand_in_the_aisne(
    territory: dict[str, Any], conversations: dict[str, Any]
) -> None:
    """The five searches of Laon found nothing within 30 km: the Aisne's count grew by
    five on the map of Hauts-de-France, in the CSV, the page and the image."""
    planner = signed_in(territory["planner"])
    assert unmet_in_aisne(planner) >= conversations["before"] + 5
    page = planner.get("/pilotage/carte", params={"domaine": "developpement"})
    assert page.status_code == 200 and 'data-code="02"' in page.text and "Aisne (02)" in page.text
    image = planner.get("/pilotage/carte.svg")
    assert image.headers["Content-Type"].startswith("image/svg+xml")
    assert image.text.startswith("<svg") and 'tabindex="0"' in image.text


def test_the_audit_log_says_who_did_what(
    territory: dict[str, Any], conversations: dict[str, Any]
) -> None:
    """The admin reads who opened and changed the sessions, and the exports."""
    admin = signed_in(territory["admin"])
    log = rows(admin.get("/pilotage/journal.csv"))
    done = {(r["identifiant"], r["action"], r["seance"]) for r in log}
    first = conversations["first"]
    assert (territory["counsellor"], "ouverture", first) in done
    assert (territory["counsellor"], "modification_orientations", first) in done
    assert (territory["counsellor"], "modification_orientation_statut", first) in done
    assert (territory["counsellor"], "impression", first) in done
    assert any(r["action"] == "modification_sans_solution" for r in log)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_nobody_signed_in_reads_nothing(name: str) -> None:
    """No cookie: 401 with a French message for every page and export."""
    answer = requests.get(f"{SERVER}{CONSOLE}/pilotage/{name}", timeout=30)
    assert answer.status_code == 401 and answer.json()["error"] == "non_connecte"
    assert "Se connecter" not in answer.text and "<svg" not in answer.text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_counsellor_reads_none_of_them(territory: dict[str, Any], name: str) -> None:
    """A counsellor: 403 with a French message for every page and export."""
    answer = signed_in(territory["counsellor"]).get(f"/pilotage/{name}")
    assert answer.status_code == 403 and answer.json()["message"]


@pytest.mark.parametrize("name", ["carte", "carte.csv", "carte.svg"])
def test_another_region_is_refused(territory: dict[str, Any], name: str) -> None:
    """A planner or an admin of Île-de-France asking for Hauts-de-France: 403; their own
    région is served and holds no département of Hauts-de-France."""
    for who in ("planner_idf", "admin_idf"):
        browser = signed_in(territory[who])
        refused = browser.get(f"/pilotage/{name}", params={"region": "32"})
        assert refused.status_code == 403 and refused.json()["error"] == "region_refusee"
        own = browser.get(f"/pilotage/{name}")
        assert own.status_code == 200 and "Aisne" not in own.text


@pytest.mark.parametrize("name", ["statistiques", "statistiques.csv", "journal", "journal.csv"])
def test_a_planner_reads_no_structure_page_nor_session(
    territory: dict[str, Any], name: str
) -> None:
    """A regional planner reads neither a structure's statistics or log nor any session."""
    planner = signed_in(territory["planner"])
    assert planner.get(f"/pilotage/{name}").json()["error"] == "reserve_admin"
    assert planner.get("/api/seances").json()["error"] == "reserve_conseil"
    assert planner.post("/api/seances", {"mode": "chat"}).status_code == 403


def test_another_structure_sees_none_of_it(
    territory: dict[str, Any], conversations: dict[str, Any]
) -> None:
    """The Île-de-France admin's statistics and log hold nothing of the Mission locale."""
    other = signed_in(territory["admin_idf"])
    figures = {r["indicateur"]: r["valeur"] for r in rows(other.get("/pilotage/statistiques.csv"))}
    assert figures["seances"] == "0"
    log = rows(other.get("/pilotage/journal.csv"))
    assert territory["counsellor"] not in {r["identifiant"] for r in log}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("who", ["admin", "counsellor"])
def test_the_audit_log_cannot_be_changed(territory: dict[str, Any], method: str, who: str) -> None:
    """No way to write, change or delete the log over HTTP, for its admin or a counsellor
    (who cannot read it either)."""
    browser = signed_in(territory[who])
    for path in ("/pilotage/journal", "/pilotage/journal.csv", "/api/journal"):
        answer = browser.http.request(
            method,
            f"{SERVER}{CONSOLE}{path}",
            headers={"X-CSRF-Token": browser.csrf},
            data="{}",
            timeout=30,
        )
        assert answer.status_code in (404, 405), (path, answer.status_code)
    if who == "counsellor":
        assert browser.get("/pilotage/journal.csv").status_code == 403
