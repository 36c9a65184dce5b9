"""The web chat in headless Chromium against the real assistant: a full conversation to
the recommendation cards, buttons, reload, restart, erase, network loss, keyboard use,
phone and zoomed layouts, the partner widget on another origin, and axe-core checks."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import run_axe
from tests.support.server import SERVER, TOKEN
from tools.navigateur import (
    CHAT_PATH,
    DESKTOP,
    IDLE_JS,
    PHONE,
    PROFILE_SENTENCE,
    send,
    tap,
)

pytestmark = [pytest.mark.server, pytest.mark.browser]
expect.set_options(timeout=30_000)


class Chat:
    """The chat page of one browser context."""

    def __init__(self, context: Any, url: str | None = None) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url or f"{SERVER}{CHAT_PATH}")
        self.log = self.page.locator("#journal")
        self.field = self.page.get_by_label("Ton message")

    def wait_idle(self) -> None:
        """No message waiting to be sent, no answer being shown."""
        self.page.wait_for_function(IDLE_JS)

    def send(self, text: str) -> None:
        send(self.page, text)

    def tap(self, title: str) -> None:
        tap(self.page, title)

    def bot_text(self) -> str:
        return " ".join(self.log.locator("li.bot").all_inner_texts())

    def sender(self) -> str:
        return json.loads(self.page.evaluate("localStorage.getItem('capnum.expediteur')"))

    def no_horizontal_scroll(self) -> bool:
        return self.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )


def tracker(sender: str) -> dict[str, Any]:
    url = f"{SERVER}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def reach_cards(chat: Chat) -> None:
    """Greeting, one sentence with four facts, the diploma by button: the cards."""
    expect(chat.log).to_contain_text("Cap Num")
    chat.send(PROFILE_SENTENCE)
    expect(chat.log).to_contain_text("diplôme")
    chat.tap("Aucun diplôme")
    expect(chat.page.locator(".carte").first).to_be_visible()


def test_full_conversation_on_a_phone(new_context) -> None:
    """Greeting → profile → explained cards → details, on a 360-px-wide phone."""
    chat = Chat(new_context(PHONE, has_touch=True, is_mobile=True))
    reach_cards(chat)
    cards = chat.page.locator(".carte")
    count = cards.count()
    assert 1 <= count <= 5
    payload = tracker(chat.sender())["slots"]["resultats"]
    assert len(payload) >= count
    first = cards.first
    expect(first.locator("h3")).to_have_text(re.compile(r"^1\. \S"))
    for label in ("Lieu", "Durée", "Coût"):
        expect(first.locator(".essentiel dt", has_text=label)).to_have_count(1)
    expect(first.locator("dd").first).to_contain_text("Roubaix")  # town and distance
    # Reasons, every fact in full and the data's date behind "Pourquoi elle te va".
    reasons = first.locator(".raisons-titre + ul li").first
    expect(reasons).to_be_hidden()
    toggle = first.get_by_role("button", name=re.compile("^Pourquoi elle te va"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(reasons).to_be_visible()
    for label in ("Durée", "Coût", "Public"):
        expect(first.locator(".complet dt", has_text=label)).to_be_visible()
    expect(first.locator(".donnees")).to_contain_text(re.compile(r"Données (19|20)\d\d"))
    expect(first.locator(".donnees")).to_be_visible()
    # The plain-text cards meant for text-only channels are not shown twice.
    assert "📍" not in chat.bot_text() and "✅" not in chat.bot_text()
    sites = chat.page.locator(".carte a")
    for i in range(sites.count()):
        assert sites.nth(i).get_attribute("target") == "_blank"
        assert sites.nth(i).get_attribute("rel") == "noopener noreferrer"
        assert sites.nth(i).get_attribute("href").startswith(("https://", "http://"))
    title = re.sub(r"^2\. ", "", cards.nth(1).locator("h3").inner_text())
    cards.nth(1).get_by_role("button", name=re.compile("Voir le détail")).click()
    chat.wait_idle()
    expect(chat.log.locator("li.utilisateur").last).to_contain_text(title)
    expect(chat.log.locator("li.bot").last).to_be_visible()
    assert title in chat.bot_text().split("Détails : ")[-1] or title in chat.bot_text()
    assert chat.no_horizontal_scroll()
    assert not chat.errors


def test_buttons_stay_readable_and_history_survives_reload(new_context) -> None:
    """A tapped choice stays visible (marked) but inactive; reload shows the same
    conversation and it goes on with the same sender."""
    context = new_context(DESKTOP)
    chat = Chat(context)
    expect(chat.log).to_contain_text("situation")
    chat.tap("Je cherche du travail")
    chosen = chat.log.locator("button.choisi")
    expect(chosen).to_have_text(re.compile("Je cherche du travail"))
    expect(chosen).to_be_disabled()
    expect(chat.log).to_contain_text("âge")
    chat.send("22 ans")
    before = chat.log.locator("> li").all_inner_texts()
    sender = chat.sender()
    chat.page.reload()
    chat.wait_idle()
    expect(chat.log.locator("> li")).to_have_count(len(before))
    assert chat.log.locator("> li").all_inner_texts() == before
    assert chat.sender() == sender
    chat.tap("Bac (général, techno ou pro)")
    assert tracker(sender)["slots"]["diplome"] == "bac"
    assert tracker(sender)["slots"]["situation"] == "demandeur_emploi"


def test_restart_button_asks_first(new_context) -> None:
    """ "Recommencer" asks first: cancelling keeps everything, confirming restarts."""
    chat = Chat(new_context(PHONE))
    chat.send("j'ai 19 ans et j'habite à Lille")
    page = chat.page
    restart = page.locator("header").get_by_role("button", name="Recommencer", exact=True)
    dialog = page.get_by_role("dialog", name="Tout recommencer ?")
    restart.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Tes réponses seront oubliées.")
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    expect(restart).to_be_focused()
    restart.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(restart).to_be_focused()
    expect(chat.log).to_contain_text("Lille")
    assert tracker(chat.sender())["slots"]["commune"] == "Lille"
    restart.press("Enter")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Recommencer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    chat.wait_idle()
    expect(chat.log).to_contain_text("reparti de zéro")
    expect(chat.log.locator("li.utilisateur")).to_have_count(0)
    expect(chat.field).to_be_focused()
    slots = tracker(chat.sender())["slots"]
    assert slots["age"] is None and slots["commune"] is None


def test_restart_choice_asks_first_too(new_context) -> None:
    """A "Recommencer" choice asks too: cancelled, nothing is sent; confirmed, it restarts."""
    context = new_context(PHONE)
    posted: list[str] = []

    def fake_server(route: Any) -> None:
        posted.append(json.loads(route.request.post_data)["message"])
        route.fulfill(
            json=[
                {
                    "text": "On continue ?",
                    "buttons": [
                        {"title": "Voir plus", "payload": "/plus_de_resultats"},
                        {"title": "Recommencer", "payload": "/recommencer"},
                    ],
                }
            ]
        )

    context.route("**/webhooks/webchat/webhook", fake_server)
    chat = Chat(context)
    chat.wait_idle()
    choice = chat.log.get_by_role("button", name="Recommencer", exact=True)
    choice.click()
    dialog = chat.page.get_by_role("dialog", name="Tout recommencer ?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    expect(choice).to_be_enabled()
    expect(choice).to_be_focused()
    assert posted == ["/saluer"]
    choice.click()
    dialog.get_by_role("button", name="Recommencer").click()
    chat.wait_idle()
    assert posted == ["/saluer", "/recommencer"]


def test_erase_button_with_confirmation(new_context) -> None:
    """Cancel keeps everything; confirm erases the conversation on the server and here."""
    chat = Chat(new_context(PHONE))
    chat.send("salut j'ai 19 ans et j'habite à Lille")
    old_sender = chat.sender()
    assert tracker(old_sender)["slots"]["commune"] == "Lille"
    erase = chat.page.get_by_role("button", name="Effacer mes données")
    erase.click()
    dialog = chat.page.get_by_role("dialog", name="Effacer tes données ?")
    expect(dialog).to_be_visible()
    expect(chat.page.get_by_role("button", name="Annuler")).to_be_focused()
    chat.page.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    expect(chat.log).to_contain_text("Lille")
    erase.click()
    chat.page.get_by_role("button", name="Oui, tout effacer").click()
    expect(dialog).to_be_hidden()
    expect(chat.log).to_contain_text("effacé")
    expect(chat.log.locator("li.utilisateur")).to_have_count(0)
    assert chat.sender() != old_sender
    assert chat.page.evaluate("localStorage.getItem('capnum.historique')") == "[]"
    erased = tracker(old_sender)
    assert erased["slots"]["commune"] is None
    assert "Lille" not in json.dumps(erased["events"], ensure_ascii=False)
    chat.page.reload()
    chat.wait_idle()
    assert "Lille" not in chat.log.inner_text()


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, "[]"), (503, '{"error": "unavailable"}'), (200, '{"efface": false}')],
)
def test_erase_button_says_erased_only_when_the_server_confirmed(new_context, status, body):
    """An answer that does not confirm the erasure (the old page took `[]` for a
    success) leaves the conversation here and shows a French error with a retry."""
    chat = Chat(new_context(PHONE))
    chat.send("salut j'ai 19 ans et j'habite à Lille")
    sender = chat.sender()
    chat.page.route(
        "**/webhooks/webchat/effacer",
        lambda route: route.fulfill(status=status, body=body, content_type="application/json"),
    )
    chat.page.get_by_role("button", name="Effacer mes données").click()
    chat.page.get_by_role("button", name="Oui, tout effacer").click()
    dialog = chat.page.get_by_role("dialog", name="Effacer tes données ?")
    expect(dialog).to_contain_text("n'a pas pu être fait")
    expect(dialog).to_be_visible()
    assert chat.sender() == sender
    expect(chat.log).to_contain_text("Lille")
    assert "Lille" in chat.page.evaluate("localStorage.getItem('capnum.historique')")
    chat.page.unroute("**/webhooks/webchat/effacer")
    chat.page.get_by_role("button", name="Oui, tout effacer").click()
    expect(dialog).to_be_hidden()
    assert chat.sender() != sender
    assert "Lille" not in json.dumps(tracker(sender)["events"], ensure_ascii=False)


def test_typed_erasure_clears_the_device_too(new_context) -> None:
    """ "supprimer mes données" then "oui", typed: erased on the server and on this
    device (the conversation stayed on the page, even after a reload)."""
    chat = Chat(new_context(PHONE))
    chat.send("salut j'ai 19 ans et j'habite à Lille")
    sender = chat.sender()
    chat.send("supprimer mes données")
    expect(chat.log).to_contain_text("vraiment")
    chat.send("oui")
    expect(chat.log).to_contain_text("effacé")
    expect(chat.log.locator("li.utilisateur")).to_have_count(0)
    assert chat.sender() != sender
    chat.page.reload()
    chat.wait_idle()
    assert "Lille" not in chat.log.inner_text()
    assert "Lille" not in (chat.page.evaluate("localStorage.getItem('capnum.historique')") or "")
    assert "Lille" not in json.dumps(tracker(sender)["events"], ensure_ascii=False)


def test_typing_indicator_only_while_an_answer_is_pending(new_context) -> None:
    """The typing dots are hidden when idle and shown while an answer is awaited."""
    context = new_context(PHONE)
    held: list[Any] = []
    # The first request (the greeting) is held, the others go through.
    context.route(
        "**/webhooks/webchat/webhook",
        lambda route: route.continue_() if held else held.append(route),
    )
    chat = Chat(context)
    dots = chat.page.locator("#saisie-en-cours")
    expect(dots).to_be_visible()  # the greeting is on its way
    expect(chat.page.get_by_role("status")).to_have_text("Cap Num écrit…")
    held[0].continue_()
    chat.wait_idle()
    expect(chat.log).to_contain_text("situation")
    expect(dots).to_be_hidden()
    assert dots.evaluate("e => getComputedStyle(e).display") == "none"
    expect(chat.page.get_by_role("status")).to_have_text("")


def test_network_loss_keeps_the_message_and_sends_it_later(new_context) -> None:
    """Offline: a clear message, the text kept (also across a reload); back online: sent
    once, answered."""
    context = new_context(PHONE)
    chat = Chat(context)
    expect(chat.log).to_contain_text("situation")
    chat.wait_idle()
    context.set_offline(True)
    chat.field.fill("j'ai 23 ans")
    chat.field.press("Enter")
    status = chat.page.get_by_role("status")
    expect(status).to_contain_text("connexion")
    pending = chat.log.locator("li.en-attente")
    expect(pending).to_contain_text("j'ai 23 ans")
    expect(pending).to_contain_text("Pas encore envoyé")
    context.set_offline(False)
    chat.wait_idle()
    expect(chat.log.locator("li.en-attente")).to_have_count(0)
    expect(status).to_have_text("")
    events = tracker(chat.sender())["events"]
    assert [e.get("text") for e in events if e["event"] == "user"].count("j'ai 23 ans") == 1
    assert tracker(chat.sender())["slots"]["age"] == 23


def test_retried_message_is_answered_once(new_context) -> None:
    """Two posts of the same message id (a retry) make one turn and the same answer."""
    chat = Chat(new_context(DESKTOP))
    chat.wait_idle()
    answers = chat.page.evaluate(
        """async () => {
            const body = JSON.stringify({sender: JSON.parse(localStorage.getItem(
                'capnum.expediteur')), message: "j'ai 31 ans", message_id: 'retry-0001'});
            const post = () => fetch('webhook', {method: 'POST', body,
                headers: {'Content-Type': 'application/json'}}).then(r => r.json());
            return [await post(), await post()];
        }"""
    )
    assert answers[0] == answers[1] and answers[0]
    users = [e for e in tracker(chat.sender())["events"] if e["event"] == "user"]
    assert [e["text"] for e in users].count("j'ai 31 ans") == 1


FIRST_CARD_IN_VIEW_JS = """() => {
    const lists = document.querySelectorAll('#journal .cartes');
    const card = lists[lists.length - 1]?.querySelector('.carte');
    if (!card) { return false; }
    const box = card.getBoundingClientRect();
    const zone = document.getElementById('fil').getBoundingClientRect();
    const title = card.querySelector('h3').getBoundingClientRect();
    return box.top >= zone.top - 1 && title.bottom <= zone.bottom
        && box.top >= 0 && title.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_results_land_on_the_first_card(new_context, motion) -> None:
    """After the results the view lands on the first card, the focus stays in the field."""
    chat = Chat(new_context(PHONE, reduced_motion=motion))
    expect(chat.log).to_contain_text("situation")
    chat.send(PROFILE_SENTENCE)
    chat.field.fill("aucun diplôme")
    chat.field.press("Enter")
    chat.wait_idle()
    page = chat.page
    if motion == "reduce":  # no smooth scrolling to wait for
        assert page.evaluate(FIRST_CARD_IN_VIEW_JS)
    page.wait_for_function(FIRST_CARD_IN_VIEW_JS, timeout=5_000)
    first = page.locator(".carte").first
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]
    expect(first).to_be_in_viewport()
    # The rest of the answer (the next question) is below, out of view.
    expect(chat.log.locator("li.bot").last).not_to_be_in_viewport()
    expect(chat.field).to_be_focused()
    # A later message scrolls to the bottom again.
    chat.send("c'est payant ?")
    expect(chat.log.locator("li.bot").last).to_be_in_viewport()


PARIS_SENTENCE = (
    "j'ai 22 ans, je cherche du travail, j'ai le bac, j'habite à Paris et j'aime l'informatique"
)
FIVE_CARDS_BUDGET_PX = 1_200


def test_five_compact_cards_fit_the_height_budget(new_context) -> None:
    """Five cards at 360 px take less than 1,200 px; opening one shows its details."""
    chat = Chat(new_context(PHONE, has_touch=True, is_mobile=True))
    expect(chat.log).to_contain_text("situation")
    chat.send(PARIS_SENTENCE)
    cards = chat.page.locator(".carte")
    expect(cards).to_have_count(5)
    heights = cards.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().height)")
    assert sum(heights) < FIVE_CARDS_BUDGET_PX, heights
    for i in range(5):  # one line of key facts, never wider than the card
        facts = cards.nth(i).locator(".faits")
        assert facts.evaluate("e => e.getClientRects().length && e.offsetHeight < 30"), i
    assert chat.no_horizontal_scroll()
    cards.nth(4).get_by_role("button", name=re.compile("^Pourquoi elle te va")).click()
    expect(cards.nth(4).locator(".raisons-titre + ul li").first).to_be_visible()
    expect(cards.nth(4).locator(".complet dt", has_text="Coût")).to_be_visible()


def test_practical_answer_is_one_bubble_with_its_source(new_context) -> None:
    """ "c'est payant ?": the answer and its "Source" line are one bubble, reload too."""
    chat = Chat(new_context(PHONE))
    expect(chat.log).to_contain_text("situation")
    chat.wait_idle()
    before = chat.log.locator("li.bot").count()
    chat.send("c'est payant ?")
    answer = chat.log.locator("li.bot", has_text="Ce que dit mon catalogue")
    expect(answer).to_have_count(1)
    expect(answer.locator(".bulle")).to_have_count(1)
    source = answer.locator(".bulle .source")
    expect(source).to_have_count(1)
    expect(source).to_contain_text("Source : catalogue Cap Num")
    expect(chat.log.locator("li.bot", has_text="Source :")).to_have_count(1)
    # The answer, then the pending question again: two items, not three.
    assert chat.log.locator("li.bot").count() == before + 2
    chat.page.reload()
    chat.wait_idle()
    expect(chat.log.locator("li.bot .bulle .source")).to_contain_text("Source : catalogue")


def test_keyboard_only_and_visible_focus(new_context) -> None:
    """Tab reaches the controls in order, Enter sends and keeps the focus in the text
    field, a choice taken with the keyboard leaves the focus in the text field."""
    chat = Chat(new_context(DESKTOP))
    expect(chat.log).to_contain_text("situation")
    chat.wait_idle()
    page = chat.page
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Recommencer", exact=True).first).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Effacer mes données")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile("^Confidentialité"))).to_be_focused()
    page.keyboard.press("Tab")  # the privacy page link of the first message's notice
    expect(chat.log.get_by_role("link", name=re.compile("confidentialite"))).to_be_focused()
    page.keyboard.press("Tab")
    first_choice = chat.log.get_by_role("button").first
    expect(first_choice).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the second choice: "Je cherche du travail"
    chat.wait_idle()
    expect(chat.field).to_be_focused()
    expect(chat.log.locator("button.choisi")).to_contain_text("Je cherche du travail")
    page.keyboard.type("20 ans")
    page.keyboard.press("Enter")
    chat.wait_idle()
    expect(chat.field).to_be_focused()
    assert tracker(chat.sender())["slots"]["age"] == 20


def test_text_is_never_html(new_context) -> None:
    """Markup typed by the person is shown as text, never run."""
    chat = Chat(new_context(DESKTOP))
    chat.wait_idle()
    attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    chat.send(attack)
    expect(chat.log.locator("li.utilisateur").last).to_have_text(attack)
    assert chat.log.locator("img, script").count() == 0
    assert chat.page.evaluate("window.pwned") is None


def test_bot_markdown_is_a_safe_subset(new_context) -> None:
    """Bot texts: **bold**, http(s) links (new window, no opener) and "- " lists are
    drawn; other links and any markup stay text."""
    context = new_context(DESKTOP)
    bot = (
        "**Important** : voir [le site](https://example.org/a?b=1) ou https://example.org/c.\n"
        "- premier point\n- second point\n"
        "[piège](javascript:alert(1)) <img src=x onerror=alert(1)> <b>pas gras</b>"
    )

    def fake_server(route: Any) -> None:
        route.fulfill(json=[{"text": bot}])

    context.route("**/webhooks/webchat/webhook", fake_server)
    chat = Chat(context)
    chat.wait_idle()
    bubble = chat.log.locator("li.bot .bulle").first
    expect(bubble.locator("strong")).to_have_text("Important")
    links = bubble.locator("a")
    expect(links).to_have_count(2)
    assert links.nth(0).get_attribute("href") == "https://example.org/a?b=1"
    assert links.nth(1).get_attribute("href") == "https://example.org/c"
    for i in range(2):
        assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
        assert links.nth(i).get_attribute("target") == "_blank"
    expect(bubble.locator("ul li")).to_have_count(2)
    expect(bubble).to_contain_text("[piège](javascript:alert(1))")
    expect(bubble).to_contain_text("<b>pas gras</b>")
    assert bubble.locator("img, b").count() == 0


def test_screen_reader_semantics(new_context) -> None:
    """A polite live log, a status region for typing and network, labelled controls."""
    chat = Chat(new_context(PHONE))
    expect(chat.log).to_contain_text("situation")
    region = chat.page.get_by_role("log", name="Conversation avec Cap Num")
    assert region.get_attribute("aria-live") == "polite"
    expect(region.locator("#journal li.bot").first).to_be_visible()
    assert chat.page.get_by_role("status").count() == 1
    expect(chat.page.get_by_role("textbox", name="Ton message")).to_be_visible()
    expect(chat.page.get_by_role("button", name="Envoyer")).to_be_visible()
    group = chat.log.get_by_role("group").last
    assert group.get_attribute("aria-label")


@pytest.mark.parametrize(
    "viewport", [{"width": 320, "height": 640}, {"width": 640, "height": 400}], ids=str
)
def test_reflow_at_high_zoom(new_context, viewport) -> None:
    """320 CSS px (400 % zoom of 1280) and 640×400 (200 %): no horizontal scrolling and
    the text field stays usable."""
    chat = Chat(new_context(viewport))
    reach_cards(chat)
    assert chat.no_horizontal_scroll()
    expect(chat.field).to_be_in_viewport()


def test_reduced_motion_stops_the_animation(new_context) -> None:
    """With reduced motion requested, the typing indicator does not animate."""
    chat = Chat(new_context(PHONE, reduced_motion="reduce"))
    chat.wait_idle()
    name = chat.page.evaluate(
        "getComputedStyle(document.querySelector('#saisie-en-cours .point')).animationName"
    )
    assert name == "none"


@pytest.mark.parametrize(
    ("colour", "applied"), [("%236a1b5d", "#6a1b5d"), ("%23ffff00", "#1d3c78")]
)
def test_partner_colour_only_with_enough_contrast(new_context, colour, applied) -> None:
    """A partner colour is used only if white text on it stays readable (4.5:1)."""
    chat = Chat(new_context(PHONE), f"{SERVER}{CHAT_PATH}?integre=1&couleur={colour}")
    chat.wait_idle()
    accent = chat.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    assert accent == applied


def test_widget_on_a_partner_site(new_context, partner_url) -> None:
    """One script tag on another origin: a launcher opens the chat in a panel; the
    conversation works; Escape closes it and gives the focus back to the launcher."""
    page = new_context(PHONE).new_page()
    page.goto(partner_url)
    launcher = page.get_by_role("button", name="Discuter avec Cap Num – Partenaire")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("iframe[title^='Cap Num – Partenaire']")
    expect(frame.locator("#journal")).to_contain_text("situation")
    frame.get_by_role("button", name="Je cherche du travail").click()
    expect(frame.locator("#journal")).to_contain_text("âge")
    frame.get_by_label("Ton message").press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_chat_page_hosted_by_a_partner_calls_the_configured_server(
    new_context, partner_url
) -> None:
    """A partner may host the page itself: `data-server` points its script at Cap Num and
    the webhook answers this allowed origin (CORS)."""
    chat = Chat(new_context(PHONE), f"{partner_url}/chat")
    expect(chat.log).to_contain_text("situation")
    chat.send("j'ai 24 ans")
    assert tracker(chat.sender())["slots"]["age"] == 24
    assert not chat.errors


def test_demo_page_of_the_run_command(new_context) -> None:
    """The demo page served with the assistant embeds the widget with its own colour."""
    page = new_context(DESKTOP).new_page()
    page.goto(f"{SERVER}{CHAT_PATH}demo")
    launcher = page.get_by_role("button", name="Discuter avec Cap Num – Mission locale")
    launcher.click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("#journal")).to_contain_text("situation")
    accent = frame.locator("html").evaluate(
        "e => getComputedStyle(e).getPropertyValue('--accent').trim()"
    )
    assert accent == "#6a1b5d"
    page.get_by_role("button", name="Fermer Cap Num – Mission locale").click()
    expect(launcher).to_be_focused()


def test_a_site_not_allowed_can_neither_frame_nor_call(new_context, foreign_url) -> None:
    """From an origin missing from CAPNUM_WEB_ORIGINS, the chat frame stays empty and the
    webhook refuses the request."""
    page = new_context(DESKTOP).new_page()
    page.goto(foreign_url)
    page.get_by_role("button", name=re.compile("Discuter avec")).click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("#journal")).to_have_count(0, timeout=5_000)
    status = page.evaluate(
        f"""() => fetch('{SERVER}{CHAT_PATH}webhook', {{method: 'POST',
            headers: {{'Content-Type': 'application/json'}},
            body: JSON.stringify({{sender: 'abcdefabcdefabcdef', message: 'salut'}})}})
            .then(r => r.status, () => 'blocked')"""
    )
    assert status in (403, "blocked")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["telephone", "ordinateur"])
def test_accessibility_of_the_main_states(new_context, viewport) -> None:
    """axe-core finds no serious or critical violation: start with choices, the cards
    (one opened), the erase dialog, the restart dialog."""
    name = "telephone" if viewport == PHONE else "ordinateur"
    chat = Chat(new_context(viewport, bypass_csp=True))
    expect(chat.log).to_contain_text("situation")
    chat.wait_idle()
    problems = {"accueil": run_axe(chat.page, f"{name}-accueil")}
    chat.send(PROFILE_SENTENCE)
    chat.tap("Aucun diplôme")
    expect(chat.page.locator(".carte").first).to_be_visible()
    chat.page.locator(".carte").first.get_by_role("button", name=re.compile("^Pourquoi")).click()
    problems["cartes"] = run_axe(chat.page, f"{name}-cartes")
    chat.page.get_by_role("button", name="Effacer mes données").click()
    problems["dialogue"] = run_axe(chat.page, f"{name}-dialogue")
    chat.page.keyboard.press("Escape")
    chat.page.locator("header").get_by_role("button", name="Recommencer").click()
    problems["recommencer"] = run_axe(chat.page, f"{name}-dialogue-recommencer")
    assert not any(problems.values()), problems


def test_accessibility_of_the_widget(new_context, partner_url) -> None:
    """The opened widget on a partner page has no axe accessibility violation."""
    context = new_context(DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.goto(partner_url)
    page.get_by_role("button", name=re.compile("Discuter avec")).click()
    expect(page.frame_locator("iframe").locator("#journal")).to_contain_text("situation")
    assert not run_axe(page, "widget-ouvert")


def test_privacy_page_is_linked_and_accessible(new_context) -> None:
    """The chat links the privacy page; it reads on a phone and passes axe."""
    context = new_context(PHONE, bypass_csp=True)
    chat = Chat(context)
    chat.wait_idle()
    link = chat.page.get_by_role("link", name=re.compile("^Confidentialité"))
    with context.expect_page() as opened:
        link.click()
    page = opened.value
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tes données et Cap Num")
    expect(page.get_by_role("heading", name="Si tu as moins de 15 ans")).to_be_visible()
    assert not run_axe(page, "telephone-confidentialite")
