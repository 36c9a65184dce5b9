"""Property-based tests (Hypothesis) of what reads people's text: the normaliser, the
spelling corrector, the profile parsers (age first) and the web chat's input helpers.
Budget: tests/support/fuzz.py (CAPNUM_FUZZ_PROFILE)."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.channels.guard import (
    DEFAULT_MAX_LENGTH,
    EMPTY_MESSAGE_INTENT,
    TOO_LONG_INTENT,
    prepare_text,
)
from bot.channels.webchat import origin_allowed, own_origins, parse_origins
from bot.orthographe import KEY_WORDS, Correcteur, corrected, distance
from bot.profil.age import AGE_MAX, AGE_MIN, parse_age
from bot.profil.distance import parse_rayon_km
from bot.profil.faits import parse_message
from bot.selection import parse_rang
from bot.texte import mots_normalises, normalize
from tests.support.fuzz import any_char, any_text, examples, huge_text, message_text

NORMAL_FORM = re.compile(r"(?:[a-z0-9+]+(?: [a-z0-9+]+)*)?")
SLOTS = st.sampled_from([None, "age", "diplome", "situation", "distanciel", "ville", "x"])


# --------------------------------------------------------------------------- normaliser


@given(st.one_of(message_text, huge_text), st.booleans())
@example("\ud800 j'ai 19 ans \x00\u202e", True)  # lone surrogate, NUL, right-to-left mark
@example("e\u0301\u0301\u0301" * 50, False)  # stacked combining accents
def test_normalize_gives_plain_lowercase_words(text: str, corriger: bool) -> None:
    """Any text gives words of [a-z0-9+] separated by single spaces: no control character,
    accent, emoji or stray space reaches the NLU features."""
    out = normalize(text, corriger=corriger)
    assert isinstance(out, str)
    assert NORMAL_FORM.fullmatch(out), out


@given(message_text)
@example("jsui o chomage dpui 2 ans, jai19ans")
def test_normalize_is_idempotent(text: str) -> None:
    """Normalising a normalised text changes nothing (training and prediction agree)."""
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(st.characters(codec="ascii"), max_size=20), st.booleans())
@example("programation", False)
def test_key_word_correction_gives_the_word_or_a_key_word(word: str, short: bool) -> None:
    """The profile parsers' corrector only ever corrects into a key word of the lexicon."""
    out = corrected(word, short)
    assert out == word or out in KEY_WORDS


@given(st.one_of(message_text, huge_text), st.booleans())
def test_normalised_words_point_inside_the_text(text: str, corriger: bool) -> None:
    """Each normalised word points at characters of the message, in order (entities
    are built from these offsets)."""
    previous = 0
    for mot in mots_normalises(text, corriger):
        assert 0 <= mot.debut < mot.fin <= len(text)
        assert mot.debut >= previous
        previous = mot.debut
        assert NORMAL_FORM.fullmatch(mot.forme) and mot.forme


VOCABULARY = Counter({"formation": 5, "informatique": 3, "developpeur": 2, "chomage": 2})


@given(st.text(st.characters(codec="ascii"), max_size=30), st.text(any_char, max_size=30))
def test_correcteur_never_raises_and_stays_close(word: str, other: str) -> None:
    """A correction is the word itself or a vocabulary word at most 2 edits away."""
    correcteur = Correcteur(VOCABULARY)
    for mot in (word, other, word.lower()):
        fixed = correcteur.corriger(mot)
        assert fixed == mot or (fixed in VOCABULARY and distance(mot, fixed, 2) <= 2)


@given(st.text(max_size=15), st.text(max_size=15), st.integers(0, 3))
def test_distance_is_symmetric_and_bounded(a: str, b: str, limit: int) -> None:
    """The edit distance is symmetric, capped at limit + 1, and zero only for equal words."""
    d = distance(a, b, limit)
    assert d == distance(b, a, limit)
    assert 0 <= d <= limit + 1
    assert (d == 0) == (a == b) or limit == 0 and d == 1 and a != b


def _textbook_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the whole table computed."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@given(st.text("abcd", max_size=10), st.text("abcd", max_size=10), st.integers(0, 4))
@example("ab", "ba", 1)
@example("ca", "abc", 2)
def test_banded_distance_equals_the_whole_table(a: str, b: str, limit: int) -> None:
    """Computing only the cells near the diagonal gives the textbook distance (capped)."""
    assert distance(a, b, limit) == min(_textbook_distance(a, b), limit + 1)


# --------------------------------------------------------------------------- profile


@given(st.one_of(message_text, huge_text), st.booleans())
@example("j'ai 999999999999999999999 ans", True)
@example("j'en ai " + "9" * 400, True)
def test_parse_age_is_none_or_a_small_int(text: str, expecting: bool) -> None:
    """An age is None or a whole number of at most 3 digits (an implausible one is kept
    so that the assistant can say so): never an exception, never a huge number."""
    age = parse_age(text, expecting_age=expecting)
    assert age is None or (type(age) is int and 0 <= age <= 999)


@given(
    st.integers(AGE_MIN, AGE_MAX),
    st.sampled_from(["j'ai {} ans", "jai{}ans", "J'AI {} ANS !", "moi c'est {} piges", "{} ans"]),
    st.sampled_from(["", "salut ", "bonjour, ", "😀 "]),
)
def test_stated_plausible_ages_are_read(age: int, template: str, prefix: str) -> None:
    """Any plausible age stated in a usual phrasing is read, whatever the greeting before it."""
    assert parse_age(prefix + template.format(age)) == age


@given(st.integers(AGE_MIN, AGE_MAX), st.sampled_from(["{}", " {} ", "j'ai {}", "{} ans"]))
def test_bare_age_is_read_when_asked(age: int, template: str) -> None:
    """A bare plausible number is read as the age when the age was asked."""
    assert parse_age(template.format(age), expecting_age=True) == age


@settings(max_examples=examples(0.5))  # every parser on each example
@given(st.one_of(message_text, huge_text), SLOTS)
def test_parse_message_never_raises(text: str, slot: str | None) -> None:
    """parse_message never raises and returns well-typed facts, whatever the text and slot."""
    facts = parse_message(text, requested_slot=slot)
    assert facts.age is None or 0 <= facts.age <= 999
    assert all(isinstance(interest, str) for interest in facts.interets)
    assert facts.distanciel in (None, True, False)


@given(st.one_of(message_text, huge_text))
def test_rank_and_radius_are_small_numbers(text: str) -> None:
    """A parsed rank and radius are None or small numbers, whatever the text."""
    rank, radius = parse_rang(text), parse_rayon_km(text)
    assert rank is None or rank == -1 or 0 <= rank <= 99
    assert radius is None or 0 <= radius <= 9999


# --------------------------------------------------------------------------- web chat


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)


@given(st.one_of(message_text, huge_text, JSON_VALUES), st.integers(1, 2000))
def test_prepare_text_sends_a_short_stripped_text_or_an_intent(value: object, limit: int) -> None:
    """Whatever the JSON "message" holds, the assistant gets a non-empty stripped text of
    at most `max_length` characters, or one of the two intents that explain the problem."""
    out = prepare_text(value, limit)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogate: spaCy's tokenizer needs valid UTF-8
    if out not in (EMPTY_MESSAGE_INTENT, TOO_LONG_INTENT):
        assert isinstance(value, str)
        assert out == out.strip() and out and len(out) <= limit
        assert len(out) <= len(value.strip())
        # No control character reaches the assistant (a NUL byte killed conversations).
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out)


@given(any_text)
def test_prepare_text_default_limit(text: str) -> None:
    """A text longer than the limit, once cleaned of control characters, is "too long"."""
    base = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+", " ", text).strip()
    assume(base)
    too_long = base * (DEFAULT_MAX_LENGTH // len(base) + 1)
    assert prepare_text(too_long) == TOO_LONG_INTENT


ORIGIN_PARTS = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)


@given(st.one_of(st.none(), ORIGIN_PARTS, st.lists(st.one_of(ORIGIN_PARTS, st.integers()))))
def test_parse_origins_gives_clean_origins(value: object) -> None:
    """Credentials may hold anything: a list, a string, numbers. Each origin is a
    non-empty string without surrounding spaces or trailing slash."""
    origins = parse_origins(value)  # type: ignore[arg-type]
    assert isinstance(origins, frozenset)
    for origin in origins:
        assert isinstance(origin, str) and origin
        assert origin == origin.strip() and not origin.endswith("/")


@given(st.one_of(st.none(), ORIGIN_PARTS), ORIGIN_PARTS, st.frozensets(ORIGIN_PARTS, max_size=3))
def test_origin_allowed_is_a_plain_decision(
    origin: str | None, host: str, allowed: frozenset[str]
) -> None:
    """Any origin and Host header give a yes or no: yes without an origin or for a
    configured one; otherwise only for the loopback address asked for, same scheme."""
    own = own_origins("http", host, None)
    decision = origin_allowed(origin, own, allowed)
    assert decision in (True, False)
    if not origin or origin in allowed:
        assert decision
    if origin and "://" in origin and origin not in allowed:
        assert decision == (origin.lower() in own)
        assert own <= {f"http://{host.lower()}"}


@given(ORIGIN_PARTS.filter(lambda h: h and "://" not in h))
def test_foreign_origin_is_refused(host: str) -> None:
    """A foreign page is refused whatever the Host header says."""
    own = own_origins("http", host, None)
    assert not origin_allowed("https://evil.example", own, frozenset({"https://ok.example"}))
