"""`python -m tools webchat captures`: screenshots of the web chat (phone and desktop) and of the
partner widget, taken in headless Chromium against a running assistant."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.navigateur import (
    CHAT_PATH,
    CHROMIUM,
    DESKTOP,
    IDLE_JS,
    PHONE,
    PROFILE_SENTENCE,
    launch,
    send,
    tap,
)


def take(server: str, out: Path, executable: str = CHROMIUM) -> list[Path]:
    """Plays a short conversation on a phone and on a desktop; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        for name, viewport in (("mobile", PHONE), ("ordinateur", DESKTOP)):
            # Reduced motion: the view lands on the first card at once (no smooth scroll
            # still running when the screenshot is taken).
            context = browser.new_context(
                viewport=viewport, locale="fr-FR", reduced_motion="reduce"
            )
            page = context.new_page()
            page.goto(f"{server}{CHAT_PATH}")
            page.wait_for_function(IDLE_JS)
            page.locator("#journal li.bot").first.wait_for()
            written.append(out / f"webchat-accueil-{name}.png")
            page.screenshot(path=written[-1])
            send(page, PROFILE_SENTENCE)
            tap(page, "Aucun diplôme")
            written.append(out / f"webchat-recommandations-{name}.png")
            page.screenshot(path=written[-1])
            if viewport == PHONE:  # a card opened: its reasons and every detail
                first = page.locator(".carte").first
                first.get_by_role("button", name="Pourquoi elle te va").click()
                first.scroll_into_view_if_needed()
                written.append(out / "webchat-carte-ouverte-mobile.png")
                page.screenshot(path=written[-1])
            context.close()
        context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{server}{CHAT_PATH}demo")
        page.get_by_role("button", name="Discuter avec Cap Num – Mission locale").click()
        page.frame_locator("iframe").locator("#journal li.bot").first.wait_for()
        page.frames[-1].wait_for_function(IDLE_JS)
        written.append(out / "webchat-widget-ordinateur.png")
        page.screenshot(path=written[-1])
        browser.close()
    return written


def register(sub: argparse._SubParsersAction) -> None:
    """`python -m tools webchat captures`."""
    webchat = sub.add_parser("webchat", help="chat web")
    webchat_sub = webchat.add_subparsers(dest="webchat_command", required=True)
    captures = webchat_sub.add_parser(
        "captures", help="captures d'écran (téléphone, ordinateur, widget) dans docs/"
    )
    captures.add_argument("--url", default="http://127.0.0.1:5005", help="serveur Rasa lancé")
    captures.add_argument("--sortie", type=Path, default=Path("docs"), help="dossier")
    captures.add_argument("--chromium", default=CHROMIUM, help="exécutable de Chromium")
    captures.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        written = take(args.url.rstrip("/"), args.sortie, args.chromium)
    except Exception as exc:  # any browser or connection failure: say what to check
        print(f"ERREUR : captures impossibles ({type(exc).__name__}: {exc}).")
        print("Le serveur tourne-t-il (make run) ? Chromium est-il installé ?")
        print("(scripts/setup-browser.sh installe Chromium et axe-core.)")
        return 1
    for path in written:
        print(f"écrit : {path}")
    return 0
