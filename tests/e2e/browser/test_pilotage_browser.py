"""The statistics page and the map of unmet demand in headless Chromium, on a desktop
window and a 360 px phone, from real conversations (five sessions joined from the web
chat, five searches in Laon): keyboard use, axe with no serious or critical violation,
no horizontal scroll on the phone, a regional planner who lands on the map. Screenshots
go to results/browser/ (copied to docs/)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import RESULTS, run_axe
from tests.support.console import PASSWORD, territory_accounts
from tests.support.console_http import Browser, chat, shared_sessions
from tests.support.server import SERVER
from tools.navigateur import DESKTOP, PHONE

pytestmark = [pytest.mark.server, pytest.mark.browser]
expect.set_options(timeout=30_000)
CONSOLE = f"{SERVER}/webhooks/console/"
ROUBAIX = "salut j'ai 19 ans j'ai arrêté le lycée, j'habite à Roubaix et j'aime coder"
LAON = "j'ai 22 ans je cherche du travail pas de diplome j'habite a Laon j'aime le developpement"


@pytest.fixture(scope="module")
def accounts() -> dict[str, str]:
    """A Mission locale of Hauts-de-France whose counsellor ran five sessions, a regional
    planner, and five young people of Laon who found nothing near."""
    accounts = territory_accounts()
    browser = Browser()
    assert browser.login(accounts["counsellor"]).status_code == 200
    shared_sessions(browser, 5, ROUBAIX)
    for _ in range(5):
        chat(secrets.token_hex(16), LAON)
    return accounts


def sign_in(page: Any, login: str) -> None:
    page.goto(CONSOLE)
    form = page.locator("#vue-connexion")
    form.get_by_label("Identifiant").fill(login)
    form.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def no_serious_violation(page: Any, state: str) -> None:
    violations = run_axe(page, state)
    assert violations == [], violations


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_an_admin_reads_the_statistics_and_the_map(new_context, accounts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """From the console's menu to the statistics (chart, sentence, table) and the map
    (a département's figures shown on hover), on a desktop window."""
    page = new_context(DESKTOP, bypass_csp=True).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, accounts["admin"])
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()
    page.get_by_role("link", name="Statistiques").click()
    expect(page.get_by_role("heading", name=re.compile("^Statistiques"))).to_be_visible()
    weeks = page.locator("section.graphique").first
    expect(weeks.locator("svg title").first).to_contain_text("par semaine")
    expect(page.locator(".phrase").first).to_contain_text("5 séances ouvertes")
    expect(page.locator("section.graphique", has_text="Domaines demandés")).to_contain_text(
        "Développement"
    )
    no_serious_violation(page, "pilotage-statistiques")
    page.screenshot(path=str(RESULTS / "statistiques-ordinateur.png"), full_page=True)

    page.get_by_role("link", name="Carte de la demande").click()
    expect(page.get_by_role("heading", name=re.compile("Hauts-de-France"))).to_be_visible()
    page.locator('.carte [data-code="02"]').hover()
    expect(page.locator("#detail-departement")).to_contain_text("Aisne (02)")
    expect(page.locator("table")).to_contain_text("Aisne (02)")
    no_serious_violation(page, "pilotage-carte")
    page.screenshot(path=str(RESULTS / "carte-ordinateur.png"), full_page=True)
    assert errors == []


def test_the_map_and_statistics_work_with_the_keyboard(  # type: ignore[no-untyped-def]
    new_context, accounts: dict[str, str]
) -> None:
    """Tab reaches the period form, the map's départements (their figures then show) and
    a chart's data table, which opens with Enter; no mouse."""
    page = new_context(DESKTOP).new_page()
    sign_in(page, accounts["admin"])
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()
    page.goto(f"{CONSOLE}pilotage/carte")
    focused = ""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('data-code') || ''")
        if focused:
            break
    assert focused == "02"
    expect(page.locator("#detail-departement")).to_contain_text("Aisne (02)")
    page.keyboard.press("Tab")
    expect(page.locator("#detail-departement")).to_contain_text("Nord (59)")

    page.goto(f"{CONSOLE}pilotage/statistiques")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    page.keyboard.press("Enter")
    expect(page.locator("details[open] table").first).to_be_visible()
    page.get_by_label("Du", exact=True).focus()
    page.keyboard.type("01012026")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"debut=2026-01-01"))


def test_on_a_phone_nothing_scrolls_sideways(new_context, accounts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """360 px wide: statistics and map readable without horizontal scroll; axe clean."""
    page = new_context(PHONE, bypass_csp=True).new_page()
    sign_in(page, accounts["admin"])
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()
    for name, shot in (("statistiques", "statistiques-mobile"), ("carte", "carte-mobile")):
        page.goto(f"{CONSOLE}pilotage/{name}")
        expect(page.locator("h1")).to_be_visible()
        no_horizontal_scroll(page)
        no_serious_violation(page, f"pilotage-{name}-mobile")
        page.screenshot(path=str(RESULTS / f"{shot}.png"), full_page=True)


def test_a_regional_planner_lands_on_the_map(new_context, accounts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """A `territoire` account goes straight to its région's map, without the sessions,
    and signs out from there."""
    page = new_context(DESKTOP).new_page()
    sign_in(page, accounts["planner"])
    expect(page.get_by_role("heading", name=re.compile("Demande non satisfaite"))).to_be_visible()
    expect(page.get_by_role("link", name="Statistiques")).to_have_count(0)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
