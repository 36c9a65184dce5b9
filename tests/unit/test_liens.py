"""Every link Cap Num builds to a public service follows a format documented, with its
source, in docs/liens-officiels.md; bad input gives no link rather than a wrong one."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import liens
from bot.config import REPO_ROOT


def _formats() -> list[re.Pattern[str]]:
    """The documented formats as patterns: `{name}` matches one URL-safe value."""
    text = (REPO_ROOT / "docs" / "liens-officiels.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```format\n(.+?)\n```", text)
    assert len(blocks) == 2
    patterns = []
    for block in blocks:
        parts = re.split(r"(\{\w+\})", block.strip())
        regex = "".join(
            r"[A-Za-z0-9.,%-]+" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts
        )
        patterns.append(re.compile(regex))
    return patterns


def _documented(url: str) -> bool:
    return any(p.fullmatch(url) for p in _formats())


@pytest.mark.parametrize("numero", ["RNCP37674", "rncp35959", "37488", " RNCP1000 "])
def test_an_rncp_fiche_link_follows_the_documented_format(numero: str) -> None:
    """The official fiche of a certification, by its number, with or without prefix."""
    url = liens.fiche_rncp(numero)
    assert url is not None and _documented(url)
    assert url.endswith(f"/rncp/{re.sub(r'[^0-9]', '', numero)}/")


@pytest.mark.parametrize("numero", ["", "RNCP", "RS1234", "RNCP12x", "../../etc", "1234567"])
def test_no_link_for_what_is_not_an_rncp_number(numero: str) -> None:
    """Anything but an RNCP number (or a path trick) gives no link."""
    assert liens.fiche_rncp(numero) is None


def test_an_apprenticeship_search_follows_the_documented_format() -> None:
    """Jobs, place and radius go into the documented parameters; the radius is the
    service's next one up; at most three jobs; no more precision than the commune."""
    url = liens.formations_en_alternance(
        ["M1805", "M1805", "M1810", "M1801", "M1806"], 50.6292, 3.057256, 45
    )
    assert url is not None and _documented(url)
    query = parse_qs(urlsplit(url).query)
    assert query["romes"] == ["M1805,M1810,M1801"]
    assert query["radius"] == ["60"] and query["lat"] == ["50.6292"] and query["lon"] == ["3.0573"]
    assert query["caller"] == ["capnum"] and query["scope"] == ["all"]
    far = liens.formations_en_alternance(["M1805"], 43.3, 5.4, 500)
    assert far is not None and parse_qs(urlsplit(far).query)["radius"] == ["100"]


@pytest.mark.parametrize(
    ("romes", "lat", "lon"),
    [([], 50.6, 3.0), (["M1805"], None, 3.0), (["1805", "M18"], 50.6, 3.0), (["M1805"], 95.0, 3.0)],
)
def test_no_apprenticeship_link_without_a_job_or_a_place(
    romes: list[str], lat: float | None, lon: float | None
) -> None:
    """No job code, no place or an impossible place: no link."""
    assert liens.formations_en_alternance(romes, lat, lon, 30) is None
