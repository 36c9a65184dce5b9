"""What a patch of Rasa is (shared by the patch modules and the installer)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any


class PatchError(RuntimeError):
    """The installed Rasa is not the one the patches were written for (French message)."""


@dataclass(frozen=True)
class Patch:
    """One attribute of Rasa replaced: where, by what, and whether the switch turns it off."""

    owner: type | ModuleType
    attribute: str
    replacement: Any
    switchable: bool = True

    @property
    def target(self) -> str:
        owner = getattr(self.owner, "__qualname__", None) or self.owner.__name__
        module = getattr(self.owner, "__module__", None)
        return f"{module}.{owner}.{self.attribute}" if module else f"{owner}.{self.attribute}"
