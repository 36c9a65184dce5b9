"""The repository's layout contract: Rasa's default paths, one domain file, product apart
from tooling."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT

pytestmark = pytest.mark.data

RASA_DEFAULTS = [
    "domain.yml",
    "config.yml",
    "endpoints.yml",
    "credentials.yml",
    "data/nlu.yml",
    "data/stories.yml",
    "data/rules.yml",
]


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in the same mapping."""


def _unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ValueError(f"clé en double : {key!r} (ligne {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@pytest.mark.parametrize("path", RASA_DEFAULTS)
def test_project_files_sit_at_rasas_default_paths(path: str) -> None:
    """`rasa train`, `rasa data validate`, `rasa test` and `rasa shell` find each file
    without a path flag."""
    assert (REPO_ROOT / path).is_file()


def test_the_domain_is_one_file() -> None:
    """No second, hidden domain: no domain/ directory and no domain file under data/."""
    assert not (REPO_ROOT / "domain").exists()
    for path in (REPO_ROOT / "data").rglob("*.yml"):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert not {"responses", "slots", "intents", "actions"} & set(content), path


@pytest.mark.parametrize(
    "path",
    [
        "domain.yml",
        *sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "data").rglob("*.yml")),
    ],
)
def test_no_key_is_given_twice(path: str) -> None:
    """A response, slot or example list written twice would silently keep the last one."""
    yaml.load((REPO_ROOT / path).read_text(encoding="utf-8"), Loader=UniqueKeyLoader)


def test_duplicate_keys_are_caught() -> None:
    """The loader of the check above does refuse a key given twice, with its line."""
    with pytest.raises(ValueError, match="ligne 3"):
        yaml.load("responses:\n  utter_a: []\n  utter_a: []\n", Loader=UniqueKeyLoader)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_product_code_never_imports_the_developers_tools() -> None:
    """bot/ is what runs in production: nothing in it imports tools/ or tests/."""
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in {"tools", "tests"}
        )
        for path in (REPO_ROOT / "bot").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def _code_strings() -> tuple[set[str], set[str]]:
    """String constants of bot/, and the prefixes code completes (f-strings, `"x_" + y`,
    constants ending with "_")."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for path in (REPO_ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
                if node.value.endswith("_"):
                    prefixes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    prefixes.add(first.value)
    return names, {p for p in prefixes if len(p) >= 4 and p.endswith("_")}


def test_every_response_is_used() -> None:
    """Each response is sent by a story, a rule or a form, or read by the code (the
    fragments Rasa's validator calls "not used in any story or rule")."""
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    in_stories = {
        name
        for path in (REPO_ROOT / "data").rglob("*.yml")
        for name in re.findall(r"action: (\w+)", path.read_text(encoding="utf-8"))
    }
    asked = {f"utter_ask_{slot}" for slot in domain["slots"]}
    names, prefixes = _code_strings()
    unused = [
        name
        for name in domain["responses"]
        if name not in in_stories | asked | names
        and not any(name.startswith(prefix) for prefix in prefixes)
    ]
    assert unused == []


def _test_files() -> list[Path]:
    return sorted((REPO_ROOT / "tests").rglob("test_*.py"))


def test_every_test_says_what_it_proves() -> None:
    """Each test function has a docstring."""
    missing = [
        f"{path.relative_to(REPO_ROOT)}::{node.name}"
        for path in _test_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
        and not ast.get_docstring(node)
    ]
    assert missing == []


def test_tests_never_import_another_tests_module() -> None:
    """Shared test code lives in tests/support/ or a conftest, not in a test module."""
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            name
            for name in _imported_modules(path)
            if name.startswith("tests.") and not name.startswith("tests.support")
        )
        for path in (REPO_ROOT / "tests").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
