"""The dependency audit verdict (tools.audit): pip-audit findings against the
reviewed accepted risks, and the committed security/accepted-risks.yml itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT
from tools.audit import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNAUDITED,
    AcceptedRisk,
    judge,
    main,
    parse_accepted,
    parse_report,
)

TODAY = dt.date(2026, 11, 29)
REPORT = {
    "dependencies": [
        {
            "name": "aiohttp",
            "version": "3.9.5",
            "vulns": [
                {
                    "id": "PYSEC-2024-999",
                    "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2024-1"],
                    "fix_versions": ["3.10.11"],
                }
            ],
        },
        {"name": "Jinja2", "version": "3.1.6", "vulns": []},
    ]
}


def risk(**changes: object) -> AcceptedRisk:
    values: dict = {
        "id": "GHSA-aaaa-bbbb-cccc",
        "package": "aiohttp",
        "version": "3.9.5",
        "why": "client only",
        "reviewed": dt.date(2026, 11, 29),
        "review_by": dt.date(2027, 5, 29),
    }
    values.update(changes)
    return AcceptedRisk(**values)


def verdict_for(report: dict, risks: list[AcceptedRisk], today: dt.date = TODAY):
    return judge(*parse_report(report), risks, today)


def test_finding_accepted_by_alias_passes() -> None:
    """A vulnerability accepted under one of its aliases passes the audit."""
    verdict = verdict_for(REPORT, [risk()])
    assert verdict.exit_code == EXIT_OK
    assert [f.id for f, _ in verdict.accepted] == ["PYSEC-2024-999"]
    assert verdict.audited == 2 and not verdict.unaccepted and not verdict.stale


@pytest.mark.parametrize(
    "changes",
    [{"version": "3.9.4"}, {"package": "aiohttp-retry"}, {"id": "GHSA-zzzz-zzzz-zzzz"}],
)
def test_finding_not_exactly_accepted_fails(changes: dict) -> None:
    """An acceptance is for one vulnerability of one exact version: an upgrade that still
    has the flaw, or another id, needs a new review."""
    verdict = verdict_for(REPORT, [risk(**changes)])
    assert verdict.exit_code == EXIT_FINDINGS
    assert [f.package for f in verdict.unaccepted] == ["aiohttp"]
    assert len(verdict.stale) == 1  # the listed one no longer occurs


def test_package_names_compare_canonically() -> None:
    """Package names are compared in canonical form (case, '_' and '-')."""
    report = {
        "dependencies": [{"name": "Sentry_SDK", "version": "1.14.0", "vulns": [{"id": "X-1"}]}]
    }
    assert (
        verdict_for(report, [risk(id="X-1", package="sentry-sdk", version="1.14.0")]).exit_code == 0
    )


def test_expired_review_fails_even_when_accepted() -> None:
    """An accepted risk past its review date fails the audit."""
    verdict = verdict_for(REPORT, [risk(review_by=dt.date(2026, 11, 28))])
    assert verdict.exit_code == EXIT_FINDINGS and verdict.expired


def test_listed_risk_that_no_longer_occurs_is_a_warning() -> None:
    """An accepted risk that no longer occurs is reported as stale, not a failure."""
    clean = {"dependencies": [{"name": "aiohttp", "version": "3.11.0", "vulns": []}]}
    verdict = verdict_for(clean, [risk()])
    assert verdict.exit_code == EXIT_OK
    assert [r.id for r in verdict.stale] == ["GHSA-aaaa-bbbb-cccc"]


def test_unreachable_database_fails_loudly() -> None:
    """What pip-audit writes when its service answers 404 for every package: it prints
    "No known vulnerabilities found" and exits 0; the verdict is exit 3."""
    skipped = {
        "dependencies": [
            {
                "name": n,
                "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}",
            }
            for n in ("absl-py", "aiohttp")
        ]
    }
    verdict = verdict_for(skipped, [risk()])
    assert verdict.exit_code == EXIT_UNAUDITED
    assert verdict.audited == 0 and len(verdict.unaudited) == 2
    assert not verdict.stale  # cannot tell whether a listed risk is gone
    assert verdict_for({"dependencies": []}, []).exit_code == EXIT_UNAUDITED


def test_partly_audited_run_fails_but_findings_come_first() -> None:
    """A partly audited run fails, but unaccepted findings take precedence in the exit code."""
    report = {"dependencies": [*REPORT["dependencies"], {"name": "x", "skip_reason": "?"}]}
    assert verdict_for(report, [risk()]).exit_code == EXIT_UNAUDITED
    assert verdict_for(report, []).exit_code == EXIT_FINDINGS


def test_incomplete_accepted_entries_are_all_named() -> None:
    """Every incomplete or malformed accepted-risk entry is named in one French error."""
    with pytest.raises(ValueError) as error:
        parse_accepted(
            {
                "risks": [
                    {"id": "A", "package": "p", "version": "1", "why": " "},
                    {
                        "id": "B",
                        "package": "p",
                        "version": "1",
                        "why": "w",
                        "reviewed": "hier",
                        "review_by": "2027-01-01",
                    },
                    "oops",
                ]
            }
        )
    message = str(error.value)
    assert "risque 1 (A) : manque why, reviewed, review_by" in message
    assert "« hier »" in message and "risque 3 : objet attendu" in message


def test_committed_accepted_risks_are_complete_and_pinned() -> None:
    """Every accepted risk of the repository is complete, reviewed before its review
    date, and about a version that requirements.lock really pins."""
    data = yaml.safe_load((REPO_ROOT / "security" / "accepted-risks.yml").read_text("utf-8"))
    risks = parse_accepted(data)
    pins = {}
    for line in (REPO_ROOT / "requirements.lock").read_text("utf-8").splitlines():
        name, _, version = line.partition("==")
        pins[name.strip().lower().replace("_", "-")] = version.strip()
    for r in risks:
        assert pins.get(r.package.lower().replace("_", "-")) == r.version, r
        assert r.reviewed <= r.review_by and len(r.why) >= 40, r


def test_main_prints_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit command prints unaccepted findings with their fix and fails on a bad risk file."""
    report = tmp_path / "audit.json"
    report.write_text(json.dumps(REPORT))
    accepted = tmp_path / "accepted.yml"
    accepted.write_text(yaml.safe_dump({"risks": []}))
    assert main([str(report), str(accepted), "--today", "2026-11-29"]) == EXIT_FINDINGS
    err = capsys.readouterr().err
    assert "vulnérabilité non acceptée PYSEC-2024-999" in err and "3.10.11" in err
    accepted.write_text("risks: [")
    assert main([str(report), str(accepted)]) == EXIT_UNAUDITED
