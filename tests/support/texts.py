"""Checks on the texts people read."""

from __future__ import annotations

import re

# What a person must never read: hashes and ids, repository paths, internal notes,
# Python's None, float distances, "(s)" plurals.
INTERNAL = [
    re.compile(r"\b(?=[a-f]*\d)[0-9a-f]{7,}\b"),  # commit hashes, search ids
    re.compile(r"[\w.-]+/[\w.@-]+\.(?:jsonl?|csv|py|ya?ml|md)\b"),  # file paths
    re.compile(r"\b\w[\w.-]*(?:/[\w.@-]+){2,}"),  # a/b/c paths (an address removed first)
    re.compile(r"d[ée]p[ôo]t", re.IGNORECASE),
    re.compile(r"find_string|github\.com|\bchemin non identifi", re.IGNORECASE),
    re.compile(r"\bNone\b"),
    re.compile(r"\d+\.\d+ km"),
    re.compile(r"\(s\)"),
    re.compile(r"\{\w*\}"),  # a placeholder left unfilled
]
_ADRESSE_WEB = re.compile(r"https?://\S+")


def internal_strings(text: str) -> list[str]:
    """The internal-looking pieces of a text people read (web addresses of sites are
    fine and removed first)."""
    plain = _ADRESSE_WEB.sub("", text)
    return [m.group(0) for pattern in INTERNAL for m in pattern.finditer(plain)]
