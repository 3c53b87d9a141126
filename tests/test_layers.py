"""The import contract of docs/design.md ("Layers"): each package imports only the ones below it.

    luutru     the application: CLI, crawl runner, scheduling, cluster, reading room
      |
    scrapers   spiders, CMS families, middlewares, add-ons, site files
      |
    pipelines  item pipelines: cleaning, dates, dedupe, the archive writer
      |
    archive    the SQLite file: schema, store, FTS, search, export, WARC, merge

Every import counts, at module level or inside a function, so a lazy import cannot hide a
cycle. Scrapy settings name components by string (ITEM_PIPELINES, ADDONS,
LUUTRU_CROSSCHECK_READER): that is how a lower layer is handed code from above without
importing it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = ("luutru", "scrapers", "pipelines", "archive")  # top to bottom
# What each layer must not need from outside the project: the archive is readable and
# writable without Scrapy or the CLI; the pipelines and spiders know no command line or web UI.
FORBIDDEN_LIBRARIES = {
    "archive": {"scrapy", "twisted", "click", "datasette", "scrapyd", "itemadapter"},
    "pipelines": {"click", "datasette", "scrapyd"},
    "scrapers": {"click", "datasette"},
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every absolute import in a file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in LAYERS:  # `from archive import store`: one import per module
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def package_imports(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(importing layer, imported top-level name) -> where, for every file of the four layers."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for line, module in imports_of(path):
                top = module.split(".")[0]
                if top != layer:
                    edges[(layer, top)].append(f"{path.relative_to(root)}:{line} {module}")
    return edges


def violations(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    """Imports that go up the layers, or out to a library the layer must not need."""
    wrong = []
    for (layer, top), places in edges.items():
        if top in LAYERS and LAYERS.index(top) < LAYERS.index(layer):
            wrong += [f"{place} ({layer} imports {top}, a layer above it)"
                      for place in places]
        if top in FORBIDDEN_LIBRARIES.get(layer, ()):
            wrong += [f"{place} ({layer} must not need {top})" for place in places]
    return sorted(wrong)


def test_no_layer_imports_one_above_it() -> None:
    assert violations(package_imports()) == []


def test_the_layers_form_no_cycle() -> None:
    """Follows from the rule above; asserted on its own so a change of LAYERS cannot hide one."""
    graph = defaultdict(set)
    for layer, top in package_imports():
        if top in LAYERS:
            graph[layer].add(top)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
                   for nxt in graph[start])

    assert [layer for layer in LAYERS if reaches(layer, layer, {layer})] == []


def test_every_layer_is_used_by_the_one_above() -> None:
    """The picture is the real one: each layer does build on the next."""
    edges = package_imports()
    for upper, lower in pairwise(LAYERS):
        assert edges.get((upper, lower)), f"{upper} no longer imports {lower}"


@pytest.mark.parametrize("source, message", [
    ("import luutru.cli.main\n", "archive imports luutru"),
    ("def f():\n    from scrapers.platforms import base\n", "archive imports scrapers"),
    ("from pipelines import text\n", "archive imports pipelines"),
    ("import scrapy\n", "archive must not need scrapy"),
])
def test_the_check_sees_an_import_that_goes_up(tmp_path: Path, source: str, message: str) -> None:
    """The contract fails on a planted import in a copy of the tree's layout, lazy ones too."""
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    (tmp_path / "archive" / "planted.py").write_text(source)
    found = violations(package_imports(tmp_path))
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("archive/planted.py:")
