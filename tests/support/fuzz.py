"""Hypothesis settings and strategies shared by the property-based tests (tests/*/test_fuzz_*.py).

The budget is a settings profile chosen by the environment variable CAPNUM_FUZZ_PROFILE:

| profile | examples per property | use |
|---|---|---|
| `rapide` | 25 | `make unit` (a quick run while working) |
| `ci` (default) | 200 | unit step of scripts/test.sh, CI |
| `dev` | 2,000 | before a release, on a workstation |
| `nuit` | 20,000 | long runs (`CAPNUM_FUZZ_PROFILE=nuit pytest tests/*/test_fuzz_*.py`) |

No deadline (speed is never asserted); the CI profile keeps no example database and prints
the `@reproduce_failure` blob of a failure so that it can be replayed locally.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROFILES = {"rapide": 25, "ci": 200, "dev": 2_000, "nuit": 20_000}
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=PROFILES["ci"],
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW,
)
settings.register_profile(
    "rapide", max_examples=PROFILES["rapide"], deadline=None, suppress_health_check=_SLOW
)
settings.register_profile(
    "dev", max_examples=PROFILES["dev"], deadline=None, suppress_health_check=_SLOW
)
settings.register_profile(
    "nuit", max_examples=PROFILES["nuit"], deadline=None, suppress_health_check=_SLOW
)
PROFILE = os.environ.get("CAPNUM_FUZZ_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise RuntimeError(f"CAPNUM_FUZZ_PROFILE inconnu : {PROFILE!r} (attendu {', '.join(PROFILES)})")
settings.load_profile(PROFILE)


def examples(fraction: float) -> int:
    """A share of the profile's budget, for properties whose examples are expensive."""
    return max(10, int(PROFILES[PROFILE] * fraction))


# Any code point, lone surrogates included (json.loads("\"\\ud800\"") produces one).
any_char = st.characters(codec=None, exclude_categories=())
any_text = st.text(any_char, max_size=200)
# Texts that look like chat messages: French words, digits, SMS spellings, punctuation, emoji.
_WORDS = (
    "j'ai ans 19 dix-neuf jsui g chui au chômage lycée bac+2 bac + 2 cap bep licence "
    "j'habite à Roubaix Paris 75018 59100 Saint-Denis (93) pu plus de depuis 2 ans "
    "informatique dév développeur ouiiii non jsp c'est quoi la 2e km 😀 🇫🇷 É Œ ß ﬁ"
).split()
chat_text = st.lists(
    st.one_of(st.sampled_from(_WORDS), any_text.map(lambda s: s[:12])), max_size=25
).map(" ".join)
message_text = st.one_of(any_text, chat_text)
# Huge inputs: far past what the web chat accepts (1,000 characters).
huge_text = st.builds(
    lambda s, n: (s or "a") * n, st.text(any_char, max_size=20), st.integers(60, 600)
)
