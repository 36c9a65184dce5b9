"""The counsellors' console in headless Chromium with two browser contexts: a counsellor on
a desktop window and a young person on a 360 px phone. Sign in, start a session, join
by the QR link, consent, chat, see the profile live, widen the radius, push, mark a
training, write the next steps, download the summary, sign out; axe on every console
page; keyboard-only use. Screenshots go to results/browser/ (copied to docs/)."""

from __future__ import annotations

import io
import re
import secrets
import time
from typing import Any

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.browser import RESULTS, run_axe
from tests.support.console import PASSWORD, create_admin
from tests.support.server import SERVER
from tools.navigateur import CHAT_PATH, DESKTOP, PHONE, PROFILE_SENTENCE, send, tap

pytestmark = [pytest.mark.server, pytest.mark.browser]
expect.set_options(timeout=30_000)
CONSOLE = f"{SERVER}/webhooks/console/"


@pytest.fixture(scope="module")
def login() -> str:
    """An admin account of a new structure (made by `capnum conseil creer-admin`)."""
    return create_admin(f"Mission locale de Roubaix {secrets.token_hex(3)}")


def sign_in(page: Any, login: str) -> None:
    page.goto(CONSOLE)
    form = page.locator("#vue-connexion")
    form.get_by_label("Identifiant").fill(login)
    form.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()


def no_serious_violation(page: Any, state: str) -> None:
    violations = run_axe(page, state)
    assert violations == [], violations


def test_a_counsellor_runs_a_session_with_a_young_person_on_a_phone(
    new_context, login: str
) -> None:  # type: ignore[no-untyped-def]
    """The whole session, from sign-in to the downloaded summary and sign-out."""
    # axe is injected into the page: this context bypasses the CSP (the keyboard test and the
    # phone run under it).
    desk = new_context(DESKTOP, accept_downloads=True, bypass_csp=True).new_page()
    errors: list[str] = []
    desk.on("pageerror", lambda error: errors.append(str(error)))
    desk.goto(CONSOLE)
    expect(desk.get_by_role("heading", name="Connexion")).to_be_visible()
    no_serious_violation(desk, "console-connexion")
    sign_in(desk, login)
    no_serious_violation(desk, "console-liste")

    desk.get_by_role("button", name="Nouvelle séance avec son téléphone").click()
    code = desk.locator("#code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    expect(desk.locator("#qr")).to_have_attribute("src", re.compile("qr.svg"))
    no_serious_violation(desk, "console-seance-code")
    desk.screenshot(path=str(RESULTS / "console-code.png"))

    phone = new_context(PHONE).new_page()
    phone.goto(f"{SERVER}{CHAT_PATH}?code={code.inner_text().replace('-', '')}")
    expect(phone.locator("#journal")).to_contain_text("aimerait suivre cette conversation")
    assert "code=" not in phone.url
    tap(phone, "Oui, je suis d'accord")
    expect(phone.locator("#journal")).to_contain_text("Ton conseiller voit maintenant")
    expect(desk.locator("#seance-etat")).to_contain_text("Partage en cours")

    send(phone, PROFILE_SENTENCE)
    started = time.monotonic()
    expect(desk.locator("#p-commune")).to_have_value("Roubaix")
    print(
        f"profile visible in the console {time.monotonic() - started:.1f} s after the chat's answer"
    )
    expect(desk.locator("#liste-reco li").first).to_be_visible()
    expect(desk.locator("#messages")).to_contain_text("Roubaix")

    desk.get_by_label("Rayon (km)").fill("120")
    desk.get_by_role("button", name="Appliquer et recalculer").click()
    expect(desk.locator("#changements")).not_to_be_empty()
    desk.get_by_role("button", name="Envoyer cette sélection à la personne").click()
    expect(phone.locator("#journal")).to_contain_text(
        "Ton conseiller a ajusté la recherche", timeout=10_000
    )
    phone.screenshot(path=str(RESULTS / "console-telephone.png"))

    first = desk.locator("#liste-reco li").first
    title = first.locator("h3").inner_text().split(". ", 1)[1]
    first.get_by_role("button", name=re.compile("^À contacter")).click()
    expect(desk.locator("#liste-reco li").first).to_contain_text("à contacter")
    desk.get_by_label("Prochaines étapes (imprimées sur la fiche)").fill(
        "Appeler l'organisme lundi"
    )
    desk.get_by_role("button", name="Enregistrer les étapes").click()
    expect(desk.locator("#annonce")).to_contain_text("Étapes enregistrées")
    no_serious_violation(desk, "console-seance-direct")
    desk.screenshot(path=str(RESULTS / "console-seance.png"), full_page=True)

    with desk.expect_download() as download:
        desk.get_by_role("link", name="Télécharger le PDF").click()
    data = download.value.path().read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert title.split()[0] in text and "Appeler l'organisme lundi" in text and "Roubaix" in text
    first_page = pdfium.PdfDocument(data)[0].render(scale=1.5).to_pil()
    first_page.save(RESULTS / "console-fiche-pdf.png")

    with desk.context.expect_page() as sheet_page:
        desk.get_by_role("link", name="Voir et imprimer la fiche").click()
    sheet = sheet_page.value
    expect(sheet.locator("body")).to_contain_text("Appeler l'organisme lundi")
    no_serious_violation(sheet, "console-fiche")
    sheet.screenshot(path=str(RESULTS / "console-fiche.png"), full_page=True)
    sheet.close()

    desk.get_by_role("button", name="Se déconnecter").click()
    expect(desk.get_by_role("heading", name="Connexion")).to_be_visible()
    assert errors == []


def test_the_console_works_with_the_keyboard_only(new_context, login: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in and start a session with Tab, typing and Enter only."""
    page = new_context(DESKTOP).new_page()
    page.goto(CONSOLE)
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.keyboard.press("Tab")  # skip link
    for _ in range(6):
        if page.evaluate("document.activeElement.id") == "identifiant":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "nouvelle-sans":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Séance du"))).to_be_visible()
    page.get_by_label("Commune (ou code postal)").focus()
    page.keyboard.type("59100")
    page.keyboard.press("Enter")
    expect(page.locator("#p-commune")).to_have_value("Roubaix")
