"""Helping a person who does not know what they like (the "je sais pas" path)."""

from __future__ import annotations

# Beginner-friendly domains that recruit, shown when the person still has no idea.
DEFAULT_DOMAINS: tuple[str, ...] = ("developpement", "support_informatique", "mediation_numerique")

# Each step asks contrasted, concrete activities; the last one falls back to defaults.
_STEPS = ("utter_explorer_interets_1", "utter_explorer_interets_2", "utter_interets_par_defaut")


def next_exploration_step(step: int) -> tuple[str, int]:
    """Response to send at this step and the step that follows (0 = done, defaults set)."""
    step = max(0, min(step, len(_STEPS) - 1))
    following = step + 1 if step + 1 < len(_STEPS) else 0
    return _STEPS[step], following
