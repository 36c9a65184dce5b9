"""Guidance sessions: codes, consent, access between accounts, erasure, retention."""

from __future__ import annotations

import re

import pytest

from bot.console.comptes import ConsoleError
from bot.console.seances import (
    CODE_ALPHABET,
    CODE_SECONDS,
    FICHE_LINK_SECONDS,
    code_affiche,
    code_dans,
    nouveau_code,
)
from tests.support.console import Clock, structure_with_accounts

SENDER = "c0ffee12ab34cd56ef78ab90cd12ef34"


def test_codes_avoid_ambiguous_characters_and_mix_letters_and_digits() -> None:
    """No 0/O, 1/I/L, 2/Z, 5/S, 8/B; at least one letter and one digit; 6 characters."""
    assert not set("0O1IL2Z5S8BGQ6") & set(CODE_ALPHABET)
    for _ in range(300):
        code = nouveau_code()
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert re.search(r"\d", code) and re.search(r"[A-Z]", code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("K7M-3PX", "K7M3PX"),
        ("k7m 3px", "K7M3PX"),
        ("code : K7M3PX", "K7M3PX"),
        ("K7M3PX.", "K7M3PX"),
        ("achete", None),  # a word made of the alphabet's letters only
        ("bonjour", None),
        ("jai 19 ans", None),
        ("K7M3PXX", None),
        (None, None),
    ],
)
def test_a_typed_code_is_recognised_and_words_are_not(text: object, code: str | None) -> None:
    """Codes typed with dashes, spaces, lower case or "code :" are found; words are not."""
    assert code_dans(text) == code


def test_a_code_links_once_then_consent_opens_the_sharing(svc) -> None:  # type: ignore[no-untyped-def]
    """Code -> waiting for consent; yes -> shared; the code cannot be used again."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    assert seance.partage == "sans" and seance.code and code_affiche(seance.code)[3] == "-"
    assert svc.seances.rejoindre(seance.code, SENDER, "webchat") == seance.id
    assert svc.seances.en_attente(SENDER) == seance.id and svc.seances.partage_de(SENDER) is None
    with pytest.raises(ConsoleError) as used:
        svc.seances.rejoindre(seance.code, "another0sender1abcdef2345678", "webchat")
    assert used.value.code == "code_refuse"
    assert svc.seances.repondre_accord(SENDER, True) == seance.id
    shared = svc.seances.lire(one, seance.id)
    assert shared.partage_actif and shared.accord_le is not None
    assert svc.seances.senders_actifs() == {SENDER: seance.id}


def test_expired_and_unknown_codes_get_the_same_refusal(svc, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """After 30 minutes a code is refused exactly like a code that never existed."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    clock.advance(CODE_SECONDS + 1)
    for code in (seance.code, "ACD347"):
        with pytest.raises(ConsoleError) as refused:
            svc.seances.rejoindre(code, SENDER, "webchat")
        assert (refused.value.code, refused.value.status) == ("code_refuse", 404)


def test_a_refusal_records_no_sharing_and_a_new_code_can_be_made(svc) -> None:  # type: ignore[no-untyped-def]
    """ "Non" leaves nothing visible; the counsellor can ask again with a new code."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    svc.seances.rejoindre(seance.code, SENDER, "webchat")
    svc.seances.repondre_accord(SENDER, False)
    refused = svc.seances.lire(one, seance.id)
    assert refused.partage == "refuse" and not refused.partage_actif and refused.code is None
    assert svc.seances.nouveau_code(one, seance.id)


def test_stopping_the_sharing_hides_the_conversation(svc) -> None:  # type: ignore[no-untyped-def]
    """ "arrêter le partage" ends it; stopping twice says there is nothing to stop."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    svc.seances.rejoindre(seance.code, SENDER, "webchat")
    svc.seances.repondre_accord(SENDER, True)
    assert svc.seances.arreter_partage(SENDER) == [seance.id]
    assert not svc.seances.lire(one, seance.id).partage_actif
    assert svc.seances.arreter_partage(SENDER) == []
    assert svc.seances.senders_actifs() == {}


def test_sessions_are_private_to_their_counsellor_and_structure(svc) -> None:  # type: ignore[no-untyped-def]
    """A colleague or another structure's admin gets `seance_inconnue`; the admin sees it."""
    admin, one, two = structure_with_accounts(svc)
    other_admin, _, _ = structure_with_accounts(svc, "Association Lille Numérique")
    seance = svc.seances.creer(one)
    assert svc.seances.lire(admin, seance.id).id == seance.id
    for intruder in (two, other_admin):
        with pytest.raises(ConsoleError) as refused:
            svc.seances.lire(intruder, seance.id)
        assert (refused.value.code, refused.value.status) == ("seance_inconnue", 404)
        with pytest.raises(ConsoleError):
            svc.seances.marquer(intruder, seance.id, "f-1", "a_contacter")
    assert [s.id for s in svc.seances.liste(one)] == [seance.id]
    assert svc.seances.liste(two) == [] and svc.seances.liste(other_admin) == []
    assert [s.id for s in svc.seances.liste(admin)] == [seance.id]


def test_erasure_clears_what_the_session_holds_about_the_person(svc) -> None:  # type: ignore[no-untyped-def]
    """ "supprimer mes données" (even after the sharing stopped) clears criteria, marks,
    notes, steps, links and pushed messages; the session stays listed as erased."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    svc.seances.rejoindre(seance.code, SENDER, "webchat")
    svc.seances.repondre_accord(SENDER, True)
    svc.seances.modifier(one, seance.id, criteres={"age": 19.0}, etapes="Appeler Simplon")
    svc.seances.marquer(one, seance.id, "f-1", "a_contacter")
    svc.seances.ajouter_note(one, seance.id, "Très motivé pour le dev", "structure")
    token = svc.seances.lien_fiche(one, seance.id)
    svc.seances.deposer(SENDER, [{"text": "Nouvelle sélection"}])
    svc.seances.arreter_partage(SENDER)
    assert svc.seances.effacer_conversation(SENDER) == [seance.id]
    erased = svc.seances.lire(one, seance.id)
    assert erased.donnees_effacees and erased.partage == "efface" and erased.sender_id is None
    assert (erased.criteres, erased.marques, erased.etapes, erased.notes) == ({}, {}, "", [])
    assert svc.seances.seance_par_lien(token) is None
    assert svc.seances.retirer(SENDER) == []


def test_pushed_messages_are_given_once_in_order(svc) -> None:  # type: ignore[no-untyped-def]
    """The web chat gets the counsellor's messages once, oldest first."""
    svc.seances.deposer(SENDER, [{"text": "un"}, {"text": "deux"}])
    svc.seances.deposer(SENDER, [{"text": "trois"}])
    assert [m["text"] for m in svc.seances.retirer(SENDER)] == ["un", "deux", "trois"]
    assert svc.seances.retirer(SENDER) == []


def test_summary_links_expire(svc, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """A link to the summary works for 7 days, then not; a made-up token never."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    token = svc.seances.lien_fiche(one, seance.id)
    assert len(token) >= 40 and svc.seances.seance_par_lien(token).id == seance.id
    assert svc.seances.seance_par_lien("x" * 43) is None
    clock.advance(FICHE_LINK_SECONDS + 1)
    assert svc.seances.seance_par_lien(token) is None


def test_retention_deletes_sessions_untouched_for_too_long(svc, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """The purge removes sessions older than the period and keeps recent ones."""
    _, one, _ = structure_with_accounts(svc)
    old = svc.seances.creer(one)
    svc.seances.ajouter_note(one, old.id, "note", "structure")
    clock.advance(31 * 86400)
    recent = svc.seances.creer(one)
    assert svc.seances.purger(30 * 86400) == 1
    assert [s.id for s in svc.seances.liste(one)] == [recent.id]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"statut": "archivee"}, "requete_invalide"),
        ({"etapes": "x" * 4001}, "texte_trop_long"),
        ({"sender_id": "x"}, "requete_invalide"),
    ],
)
def test_bad_session_changes_are_refused(svc, values: dict, code: str) -> None:  # type: ignore[no-untyped-def]
    """Unknown statuses, huge texts and fields that are not editable are refused."""
    _, one, _ = structure_with_accounts(svc)
    seance = svc.seances.creer(one)
    with pytest.raises(ConsoleError) as refused:
        svc.seances.modifier(one, seance.id, **values)
    assert refused.value.code == code
