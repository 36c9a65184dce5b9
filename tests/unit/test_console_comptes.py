"""Counsellors' accounts: passwords, sign-in, lockout, signed-in browsers."""

from __future__ import annotations

import pytest

from bot.console.comptes import (
    IDLE_SECONDS,
    LOCK_SECONDS,
    MAX_FAILURES,
    MAX_SIGNED_IN_SECONDS,
    ConsoleError,
    check_password,
    hash_password,
    password_problem,
)
from tests.support.console import PASSWORD, Clock, structure_with_accounts


def test_a_password_hash_is_salted_and_checks_only_the_same_password() -> None:
    """Two hashes of one password differ (salt) and only that password matches."""
    one, two = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert one != two and one.startswith("scrypt$")
    assert check_password("correct horse battery", one)
    assert not check_password("correct horse batterz", one)
    assert not check_password("x", "not-a-hash")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("court", "mot_de_passe_trop_court"),
        ("aaaaaaaaaaaaaaaa", "mot_de_passe_trop_simple"),
        ("camille.martin-2026", "mot_de_passe_trop_simple"),
        ("x" * 201 + "abcde", "mot_de_passe_trop_long"),
        ("Tr3s-bon-mot-de-passe", None),
    ],
)
def test_new_passwords_follow_the_policy(password: str, problem: str | None) -> None:
    """Short, repetitive, login-containing and huge passwords are refused."""
    assert password_problem(password, "camille.martin") == problem


def test_no_account_exists_before_one_is_created(svc) -> None:  # type: ignore[no-untyped-def]
    """A fresh database has no account: even a common login/password pair is refused."""
    with pytest.raises(ConsoleError) as refused:
        svc.comptes.connecter("admin", "admin")
    assert refused.value.code == "identifiants_invalides"


def test_an_account_signs_in_and_its_browser_is_recognised(svc) -> None:  # type: ignore[no-untyped-def]
    """The right password gives a cookie token and a CSRF token; the token finds the account."""
    admin, _, _ = structure_with_accounts(svc)
    compte, token, csrf = svc.comptes.connecter(admin.identifiant.upper(), PASSWORD)
    assert (
        compte.id == admin.id and compte.admin and compte.structure == "Mission locale de Roubaix"
    )
    found = svc.comptes.connexion(token)
    assert found is not None and found[0].id == admin.id and found[1] == csrf
    svc.comptes.deconnecter(token)
    assert svc.comptes.connexion(token) is None


def test_duplicate_logins_and_bad_fields_are_refused(svc) -> None:  # type: ignore[no-untyped-def]
    """A login already taken, a bad login, a bad role: each refused with its code."""
    admin, _, _ = structure_with_accounts(svc)
    cases = [
        ((admin.identifiant, "Autre", "conseiller", PASSWORD), "identifiant_pris"),
        (("a b", "Autre", "conseiller", PASSWORD), "identifiant_invalide"),
        (("nouveau", "Autre", "chef", PASSWORD), "role_invalide"),
        (("nouveau", "Autre", "conseiller", "court"), "mot_de_passe_trop_court"),
    ]
    for args, code in cases:
        with pytest.raises(ConsoleError) as refused:
            svc.comptes.creer_compte(admin.structure_id, *args)
        assert refused.value.code == code


def test_five_wrong_passwords_lock_the_account_for_15_minutes(svc, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """After MAX_FAILURES wrong passwords even the right one is refused, until the lock ends."""
    _, one, _ = structure_with_accounts(svc)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(ConsoleError) as refused:
            svc.comptes.connecter(one.identifiant, "mauvais mot de passe")
        assert refused.value.code == "identifiants_invalides"
    with pytest.raises(ConsoleError) as locked:
        svc.comptes.connecter(one.identifiant, "mauvais mot de passe")
    assert locked.value.code == "compte_verrouille" and locked.value.status == 423
    with pytest.raises(ConsoleError) as still:
        svc.comptes.connecter(one.identifiant, PASSWORD)
    assert still.value.code == "compte_verrouille"
    clock.advance(LOCK_SECONDS + 1)
    assert svc.comptes.connecter(one.identifiant, PASSWORD)[0].id == one.id


def test_a_browser_is_signed_out_when_idle_or_too_old(svc, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """An hour without use, or 10 hours in all, and the cookie no longer works."""
    _, one, _ = structure_with_accounts(svc)
    _, idle, _ = svc.comptes.connecter(one.identifiant, PASSWORD)
    clock.advance(IDLE_SECONDS + 1)
    assert svc.comptes.connexion(idle) is None
    _, busy, _ = svc.comptes.connecter(one.identifiant, PASSWORD)
    for _ in range(int(MAX_SIGNED_IN_SECONDS / (IDLE_SECONDS / 2)) + 1):
        clock.advance(IDLE_SECONDS / 2)
        found = svc.comptes.connexion(busy)
    assert found is None


def test_disabling_an_account_signs_it_out(svc) -> None:  # type: ignore[no-untyped-def]
    """A disabled account's browsers stop working and it cannot sign in again."""
    admin, one, _ = structure_with_accounts(svc)
    _, token, _ = svc.comptes.connecter(one.identifiant, PASSWORD)
    svc.comptes.activer(admin.structure_id, one.id, False)
    assert svc.comptes.connexion(token) is None
    with pytest.raises(ConsoleError):
        svc.comptes.connecter(one.identifiant, PASSWORD)


def test_an_admin_cannot_touch_another_structures_accounts(svc) -> None:  # type: ignore[no-untyped-def]
    """Enabling or disabling an account of another structure is `compte_inconnu`."""
    admin, _, _ = structure_with_accounts(svc)
    _, other, _ = structure_with_accounts(svc, "France Travail Lille")
    with pytest.raises(ConsoleError) as refused:
        svc.comptes.activer(admin.structure_id, other.id, False)
    assert refused.value.code == "compte_inconnu"


def test_a_new_password_closes_open_browsers(svc) -> None:  # type: ignore[no-untyped-def]
    """`capnum conseil mot-de-passe` signs every browser of the account out."""
    _, one, _ = structure_with_accounts(svc)
    _, token, _ = svc.comptes.connecter(one.identifiant, PASSWORD)
    svc.comptes.changer_mot_de_passe(one.identifiant, "Un-autre-mot-de-passe-9")
    assert svc.comptes.connexion(token) is None
    assert svc.comptes.connecter(one.identifiant, "Un-autre-mot-de-passe-9")[0].id == one.id
