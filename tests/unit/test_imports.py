"""The import graph of `bot/` (tools/imports.py): no import cycle, no arrow between the
Rasa server and the action server, channel adapters built on the neutral layer only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.imports import (
    ACTION_SIDE,
    RASA_SIDE,
    example_cycle,
    forbidden_arrows,
    import_graph,
    main,
    side_of,
    strongly_connected,
)

REPO = Path(__file__).resolve().parents[2]
CHANNEL_ADAPTERS = ("bot.channels.webchat", "bot.channels.telegram")
NEUTRAL_CHANNEL_LAYER = ("bot.channels.guard", "bot.channels.messaging")
CLASS_PATH = re.compile(r"\bbot(?:\.[a-z_]\w*)+\.[A-Z]\w*")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_cycle_in_bot(graph: dict[str, set[str]]) -> None:
    """No module of bot/ imports itself back through others (function-level imports too)."""
    cycles = [" -> ".join(example_cycle(graph, group)) for group in strongly_connected(graph)]
    assert cycles == []


def test_no_arrow_between_the_rasa_server_and_the_action_server(
    graph: dict[str, set[str]],
) -> None:
    """No import path links the Rasa server side and the action server side."""
    assert forbidden_arrows(graph) == []


def test_the_sides_cover_what_each_server_loads(graph: dict[str, set[str]]) -> None:
    """Every `bot.` class named in the Rasa server's configuration is on its side; the
    action server loads the package `bot.actions`."""
    named = {
        name
        for file in ("config.yml", "credentials.yml", "endpoints.yml", "endpoints-scale.yml")
        for name in CLASS_PATH.findall((REPO / file).read_text(encoding="utf-8"))
    }
    modules = {name.rpartition(".")[0] for name in named}
    assert len(modules) >= 6
    assert all(m in graph and side_of(m) == "Rasa server" for m in modules), modules
    assert side_of("bot.server") == "Rasa server"
    assert [m for m in graph if side_of(m) == "action server"] == [
        m for m in graph if _in(m, ACTION_SIDE)
    ]
    assert not set(RASA_SIDE) & set(ACTION_SIDE)


def test_channel_adapters_only_build_on_the_neutral_layer(graph: dict[str, set[str]]) -> None:
    """Arrows go webchat -> guard, telegram -> messaging -> guard: never from one adapter
    to another, nor from the neutral layer to an adapter."""
    wrong = [
        (source, target)
        for source in graph
        for target in graph[source]
        if _in(target, CHANNEL_ADAPTERS)
        and (_in(source, NEUTRAL_CHANNEL_LAYER) or _in(source, CHANNEL_ADAPTERS))
        and target.split(".")[:3] != source.split(".")[:3]
    ]
    assert wrong == []


def test_the_checker_passes_on_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m tools.imports` exits 0 and says so: no cycle, no forbidden arrow."""
    code = main([])
    out = capsys.readouterr().out
    assert "import cycles: 0" in out and "forbidden arrows between the two servers: 0" in out
    assert code == 0


# --- the checker itself, on a small tree ------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "bot" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "bot"


def test_every_kind_of_import_is_an_arrow(tmp_path: Path) -> None:
    """Absolute, relative, package and function-level imports all count as arrows."""
    bot = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from __future__ import annotations\nimport bot.b\n"
            "def f():\n    from bot.pkg import c\n",
            "b.py": "from .pkg.c import X\nfrom . import d\nimport json\n",
            "d.py": "from bot.pkg import NAME\n",
            "pkg/__init__.py": "from bot.pkg.c import X\nNAME = 1\n",
            "pkg/c.py": "from ..d import x\nfrom .. import b as _b\n",
        },
    )
    assert import_graph(bot) == {
        "bot": set(),
        "bot.a": {"bot.b", "bot.pkg.c"},
        "bot.b": {"bot.pkg.c", "bot.d"},
        "bot.d": {"bot.pkg"},
        "bot.pkg": {"bot.pkg.c"},
        "bot.pkg.c": {"bot.d", "bot.b"},
    }


def test_cycles_are_the_strongly_connected_groups(tmp_path: Path) -> None:
    """Cycles are the strongly connected groups; a package importing its submodule is not one."""
    bot = _tree(
        tmp_path,
        {
            "__init__.py": "",
            # A package importing its own submodule is not a cycle by itself...
            "pkg/__init__.py": "from bot.pkg.sub import X\n",
            "pkg/sub.py": "import bot.other\n",
            "other.py": "",
            # ... but one whose submodule imports the package back is.
            "loop/__init__.py": "from bot.loop.sub import X\n",
            "loop/sub.py": "import bot.third\n",
            "third.py": "def later():\n    from bot.loop import NAME\n",
        },
    )
    graph = import_graph(bot)
    assert strongly_connected(graph) == [["bot.loop", "bot.loop.sub", "bot.third"]]
    assert example_cycle(graph, ["bot.loop", "bot.loop.sub", "bot.third"]) == [
        "bot.loop",
        "bot.loop.sub",
        "bot.third",
        "bot.loop",
    ]


def test_an_arrow_between_the_servers_is_found_through_shared_modules() -> None:
    """An import path between the two servers is found even through shared modules."""
    graph = {
        "bot.channels.x": {"bot.shared"},
        "bot.shared": {"bot.contract", "bot.actions.y"},
        "bot.contract": set(),
        "bot.actions.y": {"bot.contract"},
        "bot.actions.z": {"bot.server"},
        "bot.server": set(),
    }
    assert forbidden_arrows(graph) == [
        ["bot.channels.x", "bot.shared", "bot.actions.y"],
        ["bot.actions.z", "bot.server"],
    ]
