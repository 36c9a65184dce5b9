"""Import graph of `bot/`: import cycles, and arrows between the Rasa server and the
action server (`python -m tools.imports`, `--graph` to list every arrow; exit code 1
when a cycle or a forbidden arrow is found).

Every `import` and `from ... import` of a module counts, at module level or inside a
function (`from __future__` does not). `from bot.pkg import name` points to the
submodule `bot.pkg.name` when there is one, else to the package; importing a submodule
does not count as an arrow to its parent packages, so a package whose `__init__` imports
its own submodules is a cycle only when a submodule imports the package back.

The two sides are the two processes:
- the Rasa server (`python -m bot.server`, Rasa's `rasa run`) loads the channels of
  credentials.yml, the tracker and lock stores of endpoints*.yml, the NLU components of
  config.yml (not the pure text helpers of bot/nlu, `SHARED`), and the server's own
  patches and log filter (`RASA_SIDE`);
- the action server (`python -m bot.actions`, rasa_sdk's server) loads the package
  `bot.actions` and every module in it (`ACTION_SIDE`).
Other modules (contract, profile, recommend, presentation, geo, catalogue, ...) are
shared. Nothing the one side loads, directly or through shared modules, may be a module
of the other side.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

BOT_DIR = Path(__file__).resolve().parent.parent / "bot"
RASA_SIDE: tuple[str, ...] = (
    "bot.server",
    "bot.channels",
    "bot.tracker_store",
    "bot.lock_store",
    "bot.nlu",
    "bot.patches",
    "bot.log_privacy",
    "bot.console",
)
ACTION_SIDE: tuple[str, ...] = ("bot.actions",)
# Modules inside a side's packages that depend on nothing of that side: pure text helpers
# of bot/nlu (the aligned text).
SHARED: tuple[str, ...] = ("bot.nlu.alignement",)
SIDES: dict[str, tuple[str, ...]] = {"Rasa server": RASA_SIDE, "action server": ACTION_SIDE}

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path = BOT_DIR) -> str:
    """`bot/channels/guard.py` -> `bot.channels.guard`; a package's `__init__.py` -> the
    package."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = BOT_DIR) -> dict[str, Path]:
    """Every module under `root`, by dotted name."""
    return {
        module_name(path, root): path
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _known(name: str, known: set[str]) -> str | None:
    """`name` itself or its nearest enclosing module of the graph (None outside it)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imported(tree: ast.AST, module: str, is_package: bool, modules: Iterable[str]) -> set[str]:
    """The modules of `modules` that one module's code imports."""
    known = set(modules)
    package = module if is_package else module.rpartition(".")[0]
    targets: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(_known(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else _known(base, known))
    return {t for t in targets if t is not None and t != module}


def import_graph(root: Path = BOT_DIR) -> Graph:
    """Module -> the modules of `root` it imports."""
    files = source_files(root)
    return {
        name: imported(
            ast.parse(path.read_text(encoding="utf-8"), str(path)),
            name,
            path.name == "__init__.py",
            files,
        )
        for name, path in files.items()
    }


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles: groups of modules that all import each other, directly or not
    (Tarjan's algorithm, iterative), each sorted, the groups sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def shortest_path(
    graph: Mapping[str, Iterable[str]], starts: Iterable[str], goal: str
) -> list[str] | None:
    """A shortest import chain from one of `starts` to `goal` (breadth first)."""
    before: dict[str, str | None] = {start: None for start in starts}
    queue = deque(sorted(before))
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while before[path[-1]] is not None:
                path.append(before[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for child in sorted(graph.get(node, ())):
            if child not in before:
                before[child] = node
                queue.append(child)
    return None


def example_cycle(graph: Mapping[str, Iterable[str]], group: list[str]) -> list[str]:
    """One cycle through the first module of a group: `a -> b -> a`."""
    inside = {m: {t for t in graph[m] if t in group} for m in group}
    first = group[0]
    return [first, *(shortest_path(inside, inside[first], first) or [])]


def side_of(module: str) -> str | None:
    """The name of the side a module belongs to (None for shared modules)."""
    if module in SHARED:
        return None
    for side, prefixes in SIDES.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return side
    return None


def forbidden_arrows(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Import chains from a module of one side to a module of the other, through shared
    modules only: one chain (a shortest one) for each arrow that crosses over."""
    chains = []
    for side in SIDES:
        own = [m for m in graph if side_of(m) == side]
        # What this side loads, following its own and shared modules only.
        reach: Graph = {m: {t for t in graph[m] if side_of(t) in (side, None)} for m in graph}
        for source in sorted(graph):
            for target in sorted(graph[source]):
                other = side_of(target)
                if other is None or other == side or side_of(source) not in (side, None):
                    continue
                path = shortest_path(reach, own, source)
                if path is not None:
                    chains.append([*path, target])
    return chains


def report(graph: Mapping[str, Iterable[str]], show_graph: bool = False) -> tuple[str, int]:
    """The text printed by `python -m tools.imports`, and its exit code."""
    cycles = strongly_connected(graph)
    arrows = forbidden_arrows(graph)
    count = sum(len(set(t)) for t in graph.values())
    lines = [f"{len(graph)} modules under bot/, {count} import arrows between them."]
    for side, prefixes in SIDES.items():
        members = sum(side_of(m) == side for m in graph)
        lines.append(f"{side} side: {members} modules ({', '.join(prefixes)})")
    lines.append(f"shared: {sum(side_of(m) is None for m in graph)} modules")
    if show_graph:
        lines += [f"  {m} -> {', '.join(sorted(graph[m]))}" for m in sorted(graph) if graph[m]]
    lines.append(f"import cycles: {len(cycles)}")
    for group in cycles:
        lines.append(f"  {' <-> '.join(group)}")
        lines.append(f"    e.g. {' -> '.join(example_cycle(graph, group))}")
    lines.append(f"forbidden arrows between the two servers: {len(arrows)}")
    lines += [f"  {' -> '.join(chain)}" for chain in arrows]
    return "\n".join(lines), int(bool(cycles or arrows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.imports", description=__doc__)
    parser.add_argument("--graph", action="store_true", help="list every module's imports")
    args = parser.parse_args(argv)
    text, code = report(import_graph(), args.graph)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
