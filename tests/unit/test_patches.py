"""The patches of Rasa's internals: exact versions and attributes checked before anything
is replaced, a switch for plain Rasa, everything put back, and each one in the README."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
import rasa.core.run
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.ted_policy import TEDPolicy

from bot import patches
from bot.config import REPO_ROOT
from bot.patches.patch import Patch
from tests.support.helpers import patched_rasa


def test_installed_versions_are_the_ones_the_patches_were_written_for() -> None:
    """The lock file installs exactly the versions `bot.patches` expects."""
    assert patches.version_problems() == []


def test_another_rasa_version_is_refused_in_french_and_nothing_is_replaced() -> None:
    """An upgrade of Rasa stops the start with a message that names the difference."""
    before = vars(RemoteAction)["run"]
    other = {**patches.EXPECTED_VERSIONS, "rasa": "3.6.22"}
    with pytest.raises(patches.PatchError) as refused:
        patches.install({}, versions=other.__getitem__)
    assert "rasa 3.6.22 (attendu : 3.6.21)" in str(refused.value)
    assert "CAPNUM_PATCHES=non" in str(refused.value)
    assert vars(RemoteAction)["run"] is before


def test_a_missing_attribute_is_refused(monkeypatch) -> None:
    """A patch whose target moved is refused by name, before any other is applied."""
    gone = Patch(RemoteAction, "no_such_method", lambda: None)
    monkeypatch.setattr(patches, "all_patches", lambda environ: [gone])
    with pytest.raises(patches.PatchError, match="RemoteAction.no_such_method introuvable"):
        patches.install({})


def test_every_patch_replaces_an_attribute_defined_where_it_points() -> None:
    """Each target exists on that very class or module (not inherited)."""
    assert patches.attribute_problems(patches.all_patches({})) == []


def test_the_switch_keeps_only_the_launcher() -> None:
    """CAPNUM_PATCHES=non: Rasa's behaviour is its own; the security additions stay."""
    rasa_run = vars(RemoteAction)["run"]
    with patched_rasa({patches.SWITCH: "non"}) as applied:
        assert [p.target for p in applied] == ["rasa.core.run.configure_app"]
        assert vars(RemoteAction)["run"] is rasa_run
        assert rasa.core.run.configure_app.__module__ == "bot.patches.launcher"


def test_install_twice_then_uninstall_restores_rasa() -> None:
    """Installing again keeps the first originals, so one uninstall restores Rasa."""
    ted = vars(TEDPolicy)["predict_action_probabilities"]
    with patched_rasa() as applied:
        patches.install({})
        assert len(applied) == 13
        assert vars(TEDPolicy)["predict_action_probabilities"] is not ted
    assert vars(TEDPolicy)["predict_action_probabilities"] is ted


def test_the_readme_lists_every_patch() -> None:
    """The README's patch list names each replaced attribute."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Correctifs de Rasa", 1)[1].split("\n## ", 1)[0]
    for patch in patches.all_patches({}):
        assert f"`{patch.target}`" in section, patch.target


class _FakeAgent:
    def __init__(self, fails: bool = False) -> None:
        self.read: list[str] = []
        self.fails = fails

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict:
        self.read.append(text)
        if self.fails:
            raise RuntimeError("model broken")
        return {"text": text}


@pytest.mark.anyio
async def test_the_model_reads_one_message_before_the_first_person() -> None:
    """At start, the loaded model parses one message (TensorFlow builds its functions then,
    not at the first person's message); a failure there does not stop the start."""
    from bot.patches import launcher

    for agent in (_FakeAgent(), _FakeAgent(fails=True)):
        app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))
        try:
            await launcher.freeze_loaded_objects(app, None)
        finally:
            gc.unfreeze()
        assert agent.read == [launcher.WARM_UP_TEXT]


@pytest.mark.anyio
async def test_the_loaded_model_is_frozen_for_the_garbage_collector() -> None:
    """Once the server has started (model loaded), what is alive is frozen: full
    collections no longer walk the model's objects."""
    from bot.patches import launcher

    app = launcher.configure_app(input_channels=[])
    # Sanic keeps server listeners as signals ("server.init.after": after_server_start).
    after_start = [
        (future.handler.keywords or {}).get("listener")
        for future in app._future_signals
        if future.event == "server.init.after"
    ]
    assert launcher.freeze_loaded_objects in after_start
    loaded = {"model": ["weights"]}
    assert any(o is loaded for o in gc.get_objects())
    try:
        await launcher.freeze_loaded_objects(app, None)
        assert gc.get_freeze_count() > 0
        assert not any(o is loaded for o in gc.get_objects())  # no longer walked
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
