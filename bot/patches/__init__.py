"""Every change Cap Num makes to Rasa's internals, in one place (the README lists them).

`install()` first checks that the installed Rasa, rasa-sdk and spaCy are the exact versions
the patches were written and measured for, and that every attribute to replace is where it
was (defined on that class or module); otherwise it refuses, with a French message that says
what differs. `CAPNUM_PATCHES=non` turns off the patches of Rasa's behaviour (hot path,
action time-out, loop recovery, kept-open connection to the action server): the
conversation is then Rasa's own. The launcher's additions (refused model endpoints, French
errors, guarded channels only) always stay: they are the server's security boundary, not a
change of how Rasa answers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

from bot.patches.patch import Patch, PatchError

logger = logging.getLogger(__name__)

SWITCH = "CAPNUM_PATCHES"
OFF_VALUES = {"non", "off", "0", "false", "no"}
EXPECTED_VERSIONS = {"rasa": "3.6.21", "rasa-sdk": "3.6.2", "spacy": "3.8.11"}


_originals: dict[tuple[int, str], tuple[Patch, Any]] = {}


def patches_off(environ: Mapping[str, str]) -> bool:
    """True when CAPNUM_PATCHES asks for plain Rasa behaviour."""
    return environ.get(SWITCH, "").strip().lower() in OFF_VALUES


def version_problems(versions: Callable[[str], str] = metadata.version) -> list[str]:
    """Each package whose installed version is not the expected one."""
    problems = []
    for package, expected in EXPECTED_VERSIONS.items():
        try:
            installed = versions(package)
        except metadata.PackageNotFoundError:
            installed = "absent"
        if installed != expected:
            problems.append(f"{package} {installed} (attendu : {expected})")
    return problems


def attribute_problems(patches: list[Patch]) -> list[str]:
    """Each attribute that is no longer defined where the patch replaces it."""
    return [
        f"{patch.target} introuvable"
        for patch in patches
        if patch.attribute not in vars(patch.owner)
    ]


def all_patches(environ: Mapping[str, str]) -> list[Patch]:
    """The patches, in order (their modules are imported after the version check)."""
    from bot.patches import action_session, action_timeout, hot_path, launcher

    return [
        *launcher.patches(),
        *action_timeout.patches(environ),
        *action_session.patches(),
        *hot_path.patches(),
    ]


def install(
    environ: Mapping[str, str] = os.environ,
    versions: Callable[[str], str] = metadata.version,
) -> list[Patch]:
    """Checks, then applies the patches to this process; returns those applied.
    Raises PatchError (nothing applied) when the versions or attributes differ (with the
    switch off, only the launcher's attributes are checked)."""
    off = patches_off(environ)
    problems = version_problems(versions)
    if problems and not off:
        raise PatchError(_refusal("versions", problems))
    patches = all_patches(environ)
    if off:
        logger.warning("Correctifs de Rasa désactivés (%s) : comportement de Rasa seul.", SWITCH)
        patches = [patch for patch in patches if not patch.switchable]
    problems = attribute_problems(patches)
    if problems:
        raise PatchError(_refusal("attributs", problems))
    for patch in patches:
        key = (id(patch.owner), patch.attribute)
        if key not in _originals:
            _originals[key] = (patch, vars(patch.owner)[patch.attribute])
        setattr(patch.owner, patch.attribute, patch.replacement)
    return patches


def uninstall() -> list[Patch]:
    """Puts back every original attribute (tests); returns the patches undone."""
    undone = []
    for patch, original in _originals.values():
        setattr(patch.owner, patch.attribute, original)
        undone.append(patch)
    _originals.clear()
    return undone


def _refusal(kind: str, problems: list[str]) -> str:
    return (
        "ERREUR : les correctifs de Rasa de Cap Num (bot/patches) ont été écrits pour "
        + ", ".join(f"{p} {v}" for p, v in EXPECTED_VERSIONS.items())
        + f". Différence ({kind}) : "
        + " ; ".join(problems)
        + ". Vérifiez chaque correctif (README, « Correctifs de Rasa ») puis mettez à jour "
        "bot/patches, ou démarrez sans eux avec CAPNUM_PATCHES=non."
    )
