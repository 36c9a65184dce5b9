"""Dependency audit verdict (`scripts/audit.sh`): compares a pip-audit JSON report of
requirements.lock with the reviewed accepted risks (security/accepted-risks.yml).

Fails (exit 1) on a vulnerability not in the list, and on a listed risk whose review date
has passed; warns about listed risks that no longer occur. A dependency that pip-audit
could not check (vulnerability service unreachable, package unknown to it) fails with
exit 3: pip-audit itself reports such a run as "No known vulnerabilities found".

    python -m tools.audit var/audit/pip-audit.json security/accepted-risks.yml
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXIT_OK, EXIT_FINDINGS, EXIT_UNAUDITED = 0, 1, 3
RISK_KEYS = ("id", "package", "version", "why", "reviewed", "review_by")


def canonical(name: str) -> str:
    """PEP 503 package name: "Jinja2" and "jinja_2" compare as "jinja2" / "jinja-2"."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Finding:
    """One vulnerability reported for one pinned package."""

    id: str
    package: str
    version: str
    aliases: tuple[str, ...] = ()
    fix_versions: tuple[str, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True)
class AcceptedRisk:
    """A reviewed vulnerability, accepted for one exact version of a package."""

    id: str
    package: str
    version: str
    why: str
    reviewed: dt.date
    review_by: dt.date

    def matches(self, finding: Finding) -> bool:
        return (
            self.id in finding.ids
            and canonical(self.package) == canonical(finding.package)
            and self.version == finding.version
        )


@dataclass
class Verdict:
    """What the audit found, sorted out against the accepted risks."""

    audited: int = 0
    unaudited: list[str] = field(default_factory=list)
    unaccepted: list[Finding] = field(default_factory=list)
    accepted: list[tuple[Finding, AcceptedRisk]] = field(default_factory=list)
    stale: list[AcceptedRisk] = field(default_factory=list)
    expired: list[AcceptedRisk] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.unaccepted or self.expired:
            return EXIT_FINDINGS
        if self.unaudited or not self.audited:
            return EXIT_UNAUDITED
        return EXIT_OK


def parse_report(report: Mapping[str, Any]) -> tuple[list[Finding], list[str], int]:
    """(findings, unaudited "package: reason", number of audited packages) of a pip-audit
    JSON report (`pip-audit -f json`)."""
    findings: list[Finding] = []
    unaudited: list[str] = []
    audited = 0
    for dependency in report.get("dependencies", []):
        name = str(dependency.get("name", "?"))
        if "skip_reason" in dependency or "version" not in dependency:
            unaudited.append(f"{name}: {dependency.get('skip_reason', 'version inconnue')}")
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    id=str(vuln["id"]),
                    package=name,
                    version=str(dependency["version"]),
                    aliases=tuple(str(a) for a in vuln.get("aliases", [])),
                    fix_versions=tuple(str(v) for v in vuln.get("fix_versions", [])),
                )
            )
    return findings, unaudited, audited


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where} : date AAAA-MM-JJ attendue, pas « {value} »") from exc


def parse_accepted(data: Any) -> list[AcceptedRisk]:
    """The accepted risks of security/accepted-risks.yml (`risks:` list); raise ValueError
    naming every incomplete entry (each needs id, package, version, why and both dates)."""
    items = (data or {}).get("risks") if isinstance(data, Mapping) else None
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValueError("'risks' doit être une liste")
    risks, problems = [], []
    for number, item in enumerate(items, start=1):
        where = f"risque {number}"
        if not isinstance(item, Mapping):
            problems.append(f"{where} : objet attendu")
            continue
        missing = [key for key in RISK_KEYS if not str(item.get(key) or "").strip()]
        if missing:
            problems.append(f"{where} ({item.get('id', '?')}) : manque {', '.join(missing)}")
            continue
        try:
            risks.append(
                AcceptedRisk(
                    id=str(item["id"]).strip(),
                    package=str(item["package"]).strip(),
                    version=str(item["version"]).strip(),
                    why=" ".join(str(item["why"]).split()),
                    reviewed=_date(item["reviewed"], where),
                    review_by=_date(item["review_by"], where),
                )
            )
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    return risks


def judge(
    findings: Iterable[Finding],
    unaudited: Iterable[str],
    audited: int,
    accepted: Iterable[AcceptedRisk],
    today: dt.date,
) -> Verdict:
    """Sort findings into accepted and unaccepted; listed risks into stale and expired."""
    accepted = list(accepted)
    verdict = Verdict(audited=audited, unaudited=list(unaudited))
    used: set[int] = set()
    for finding in findings:
        match = next((i for i, risk in enumerate(accepted) if risk.matches(finding)), None)
        if match is None:
            verdict.unaccepted.append(finding)
        else:
            used.add(match)
            verdict.accepted.append((finding, accepted[match]))
    for i, risk in enumerate(accepted):
        if risk.review_by < today:
            verdict.expired.append(risk)
        elif i not in used and verdict.audited and not verdict.unaudited:
            verdict.stale.append(risk)  # only known to be gone after a complete audit
    return verdict


def report_lines(verdict: Verdict) -> list[str]:
    """The verdict in French, most serious first."""
    lines: list[str] = []
    if verdict.unaudited:
        lines.append(
            f"ERREUR : {len(verdict.unaudited)} paquet(s) NON AUDITÉ(S) (base de vulnérabilités "
            "injoignable ou paquet inconnu) : l'audit n'a pas eu lieu pour eux."
        )
        lines += [f"  - {item}" for item in verdict.unaudited[:10]]
        if len(verdict.unaudited) > 10:
            lines.append(f"  … et {len(verdict.unaudited) - 10} autre(s)")
    for f in verdict.unaccepted:
        fix = ", ".join(f.fix_versions) or "aucune"
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        lines.append(
            f"ERREUR : vulnérabilité non acceptée {f.id}{aliases} dans {f.package} {f.version}"
            f" (corrigée en : {fix}) : mettez à jour, ou revoyez-la dans "
            "security/accepted-risks.yml"
        )
    for r in verdict.expired:
        lines.append(
            f"ERREUR : risque accepté {r.id} ({r.package} {r.version}) à revoir depuis le "
            f"{r.review_by.isoformat()}"
        )
    for r in verdict.stale:
        lines.append(
            f"AVERTISSEMENT : {r.id} ({r.package} {r.version}) n'est plus signalé : "
            "retirez-le de security/accepted-risks.yml"
        )
    for f, r in verdict.accepted:
        lines.append(f"accepté : {f.id} dans {f.package} {f.version} ({r.why[:90]})")
    lines.append(
        f"{verdict.audited} paquet(s) audité(s), {len(verdict.unaudited)} non audité(s), "
        f"{len(verdict.unaccepted)} vulnérabilité(s) non acceptée(s), "
        f"{len(verdict.accepted)} acceptée(s), {len(verdict.stale)} risque(s) périmé(s)."
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__)
    parser.add_argument("report", type=Path, help="rapport JSON de pip-audit")
    parser.add_argument("accepted", type=Path, help="security/accepted-risks.yml")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        accepted = parse_accepted(yaml.safe_load(args.accepted.read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"ERREUR : audit illisible : {exc}", file=sys.stderr)
        return EXIT_UNAUDITED
    verdict = judge(*parse_report(report), accepted, args.today)
    for line in report_lines(verdict):
        print(line, file=sys.stderr if line.startswith("ERREUR") else sys.stdout)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
