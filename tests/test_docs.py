"""The docs follow the code: every command shown, every option named, every path real.

sqlite-utils' `tests/test_docs.py` habit, over the click group `luutru.cli.main.cli` (walked,
subgroups too) and the checkout:

- every command has an example in README.md: a line starting `luutru COMMAND` inside a fenced
  code block (one test per command, so a failure names it);
- every `--option` of every command (and of the group) is named in README.md or docs/*.md, as a
  whole word (an option several commands share, like `--db`, is named once for all);
- every `luutru|scrapers|pipelines|archive|replicas|tests|benchmarks/...` path, every module
  file named without its folder (`listing.py`) and every dotted Python name
  (`archive.folding.fold`) in README.md and docs/*.md exists or imports;
- docs/design.md's pictures and lists name real modules and classes, and its CLI table says
  which module holds each command.

A failure says what to write where. The last tests plant a mistake in each check's input.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import importlib
import importlib.util
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from luutru.cli.main import cli
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The top-level names whose paths the docs may name: the four layers and the other folders.
PACKAGES = ("luutru", "scrapers", "pipelines", "archive", "replicas", "tests", "benchmarks")
# Paths a walk-through creates as it goes, so they are not in the checkout: path -> why.
EXAMPLE_PATHS = {
    "scrapers/sites/ben_tre_moi.toml": "docs/adding-a-site.md: what `luutru new-site` writes",
    "tests/fixtures/ben_tre_moi/": "docs/adding-a-site.md: what `luutru new-site` writes",
}
# `luutru.db`, `archive.db`: a file name, not a module (the default archive, a shard's file).
FILE_SUFFIXES = {"db", "md", "toml", "json", "jsonl", "csv", "html", "wacz", "log", "txt"}

_PATH = re.compile(rf"(?<![\w./<>-])(?:{'|'.join(PACKAGES)})/[\w./-]*")
_DOTTED = re.compile(rf"(?<![\w./<>-])(?:{'|'.join(PACKAGES[:-2])})(?:\.\w+)+")
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]+")  # tests/fixtures/SLUG/: a name the reader fills in


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[str, click.Command]]:
    """('crawl', command), ('sub cmd', command)... for every visible command, subgroups too."""
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield " ".join(path), command
            yield from walk(command, path)
        else:
            yield " ".join(path), command


COMMANDS = dict(walk(cli))


def long_options(command: click.Command) -> list[str]:
    """Every `--name` a user can type for a command (not --help, not hidden options)."""
    names = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
    return [name for name in names if name != "--help"]


def fenced_lines(markdown: str) -> list[str]:
    """The lines inside ``` / ~~~ fences, stripped, without a leading `$ ` prompt."""
    lines, fence = [], None
    for line in markdown.splitlines():
        mark = line.lstrip()[:3]
        if fence is None and mark in ("```", "~~~"):
            fence = mark
        elif fence is not None and mark == fence:
            fence = None
        elif fence is not None:
            lines.append(line.strip().removeprefix("$ "))
    return lines


def has_example(command: str, markdown: str) -> bool:
    """A fenced line starts `luutru COMMAND` (then a space or the end of the line)."""
    start = re.compile(rf"luutru {re.escape(command)}(?:\s|$)")
    return any(start.match(line) for line in fenced_lines(markdown))


def undocumented(options: list[str], text: str) -> list[str]:
    """The options never named in text as a whole word (`--site` is not in `--site-file`)."""
    return [o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]


def missing_paths(text: str, root: Path) -> list[tuple[int, str]]:
    """(line, path) of each `<package>/...` path named in text that root does not hold."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _PATH.finditer(line):
            path = match.group().rstrip(".-")
            if path in EXAMPLE_PATHS:
                continue
            parts = path.split("/")
            for i, part in enumerate(parts):
                if _PLACEHOLDER.fullmatch(part.split(".")[0]):  # check what comes before it
                    parts = [*parts[:i], ""]
                    break
            path = "/".join(parts)
            if "." in parts[-1] and parts[-1].rsplit(".", 1)[1] not in ("py", *FILE_SUFFIXES):
                path = path.rsplit(".", 1)[0] + ".py"  # scrapers/extract.text_blocks
            if not (root / path).exists():
                found.append((number, path))
    return found


def unknown_files(text: str, root: Path) -> list[tuple[int, str]]:
    """(line, name) of each `module.py` named without its folder (`listing.py`, `search*.py`)
    that no folder of the checkout's packages holds."""
    names = {path.name for package in PACKAGES for path in (root / package).rglob("*.py")}
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for name in re.findall(r"`([\w*]+\.py)`", line):
            if not any(Path(known).match(name) for known in names):
                found.append((number, name))
    return found


def resolves(dotted: str) -> bool:
    """`archive.search.rank_window`: a module of the checkout, then attributes that exist."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        module_name = ".".join(parts[:i])
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        obj: object = importlib.import_module(module_name)
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def unresolved_names(text: str) -> list[tuple[int, str]]:
    """(line, name) of each dotted Python name (`archive.folding.fold`) that does not import."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _DOTTED.finditer(line):
            name = match.group()
            if name.rsplit(".", 1)[1] in FILE_SUFFIXES:
                continue
            if not resolves(name):
                found.append((number, name))
    return found


def code_block(markdown: str, heading: str) -> list[str]:
    """The lines of the first fenced code block under a `## heading`."""
    section = markdown.split(f"\n## {heading}\n", 1)[1]
    return section.split("```", 2)[1].splitlines()[1:]


def layers_picture(design: str) -> list[str]:
    """docs/design.md's picture of the layers and of one article's path through them."""
    return code_block(design, "Layers")


def picture_missing(picture: list[str], root: Path) -> list[str]:
    """`pkg/name` for each name of the picture's package column (`crawl.py`, `cli/`,
    `search*.py`) that its package does not hold; the column ends where "THE PATH" starts."""
    column = picture[0].index("THE PATH")
    found, package = [], None
    for line in picture:
        left = line[:column]
        heading = re.match(rf" ({'|'.join(PACKAGES[:4])})/ ", left)
        if heading:
            package = heading.group(1)
            continue
        for name in re.findall(r"(?<![\w/.*-])([\w*]+\.py|\w+/)(?![\w/])", left):
            if package is None or not list(root.glob(f"{package}/{name}")):
                found.append(f"{package}/{name}")
    return found


# Library classes the pictures name: not ours to find in the packages.
LIBRARY_CLASSES = {"CrawlerProcess": "scrapy.crawler", "BeautifulSoup": "bs4"}
_CLASS_NAME = re.compile(r"\b(?:[A-Z][a-z]+[A-Z]\w*(?:\.\w+)?|[A-Z][a-z]+\.[a-z_]+)\b")


@functools.cache
def project_classes(root: Path = ROOT) -> dict[str, set[str]]:
    """Class name -> the names it defines or inherits from the project's classes, over every
    module of the four layers."""
    own: dict[str, set[str]] = defaultdict(set)
    bases: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES[:4]:
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    own[node.name] |= {
                        getattr(item, "name", None) or getattr(target, "id", "")
                        for item in node.body
                        for target in getattr(item, "targets", [getattr(item, "target", None)])
                    }
                    bases[node.name] |= {b.id for b in node.bases if isinstance(b, ast.Name)}

    def members(name: str, seen: frozenset[str]) -> set[str]:
        inherited = [members(b, seen | {b}) for b in bases[name] - seen if b in own]
        return own[name].union(*inherited)

    return {name: members(name, frozenset({name})) for name in own}


def unknown_classes(text: str, classes: dict[str, set[str]]) -> list[str]:
    """`ListingSpider.parse_listing`, `WarcWriter`: the names no class of the project defines."""
    found = []
    for name in dict.fromkeys(_CLASS_NAME.findall(text)):
        cls, _, attr = name.partition(".")
        if cls in LIBRARY_CLASSES:
            continue
        if cls not in classes or (attr and attr not in classes[cls]):
            found.append(name)
    return found


def where_list_missing(design: str, root: Path) -> list[str]:
    """`pkg/name` for each `name.py`, `name/` of the "What lives where" list under a
    `` - `pkg/`: `` item that pkg does not hold (`search*.py` is a pattern)."""
    found, package = [], None
    section = design.split("What lives where", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        item = re.match(rf"- `({'|'.join(PACKAGES[:4])})/`:(.*)", line)
        if item:
            package, line = item.groups()
        for name in re.findall(r"`([\w*]+\.py|\w+/)`", line):
            if package is None or not list(root.glob(f"{package}/{name}")):
                found.append(f"{package}/{name}")
    return found


def _docs_text() -> str:
    return "\n".join(doc.read_text(encoding="utf-8") for doc in DOCS)


def test_the_walk_finds_the_commands() -> None:
    """The parametrized tests below cover something: the walk is not silently empty."""
    assert {"crawl", "search", "export", "merge", "check-site"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_an_example_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert has_example(command, readme), (
        f"`luutru {command}` has no example in README.md: add a line starting "
        f"`luutru {command}` to a fenced code block (```sh) of its section"
    )


@pytest.mark.parametrize("command", ["", *sorted(COMMANDS)], ids=lambda c: c or "luutru")
def test_every_option_is_documented(command: str) -> None:
    """`""` is the group itself (`luutru --version`)."""
    missing = undocumented(long_options(COMMANDS.get(command, cli)), _docs_text())
    assert missing == [], (
        f"options of `{' '.join(['luutru', command]).strip()}` named nowhere in README.md or "
        f"docs/*.md: {', '.join(missing)}; say what each does in the command's README section"
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_path_named_in_the_docs_exists(doc: Path) -> None:
    missing = missing_paths(doc.read_text(encoding="utf-8"), ROOT)
    assert missing == [], (
        f"{doc.relative_to(ROOT)} names paths the checkout does not hold (moved or renamed? "
        "write the new path): " + "; ".join(f"line {n}: {path}" for n, path in missing)
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_module_named_without_its_folder_exists(doc: Path) -> None:
    missing = unknown_files(doc.read_text(encoding="utf-8"), ROOT)
    assert missing == [], (
        f"{doc.relative_to(ROOT)} names module files no package holds (renamed? split?): "
        + "; ".join(f"line {n}: {name}" for n, name in missing)
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_python_name_in_the_docs_imports(doc: Path) -> None:
    missing = unresolved_names(doc.read_text(encoding="utf-8"))
    assert missing == [], (
        f"{doc.relative_to(ROOT)} names modules or functions that do not import (moved or "
        "renamed? write the new name): " + "; ".join(f"line {n}: {name}" for n, name in missing)
    )


def test_the_layers_picture_shows_real_modules() -> None:
    """Its package column names files without their folder: checked against that folder."""
    picture = layers_picture((ROOT / "docs" / "design.md").read_text(encoding="utf-8"))
    assert sum(line.startswith(" archive/") for line in picture) == 1, "no archive/ row?"
    missing = picture_missing(picture, ROOT)
    assert missing == [], (
        "docs/design.md's Layers picture names modules the packages do not hold (moved? draw "
        "them where they are now): " + ", ".join(missing)
    )


def test_what_lives_where_names_real_modules() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    missing = where_list_missing(design, ROOT)
    assert missing == [], (
        "docs/design.md's \"What lives where\" names modules the packages do not hold (moved? "
        "list them where they are now): " + ", ".join(missing)
    )


def unplaced_modules(design: str, root: Path) -> list[str]:
    """`pkg/name` of each module or folder of the four layers that "What lives where" omits."""
    section = design.split("What lives where", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`([\w*]+\.py|\w+/)`", section)
    absent = []
    for package in PACKAGES[:4]:
        for path in sorted((root / package).iterdir()):
            if path.name.startswith(("_", ".")) or not (path.is_dir() or path.suffix == ".py"):
                continue
            name = path.name + "/" * path.is_dir()
            if not any(fnmatch.fnmatch(name, pattern) for pattern in named):
                absent.append(f"{package}/{name}")
    return absent


def test_every_module_has_a_place_in_what_lives_where() -> None:
    """The list is the map a newcomer reads: a new module of the four layers goes on it."""
    absent = unplaced_modules((ROOT / "docs" / "design.md").read_text(encoding="utf-8"), ROOT)
    assert absent == [], (
        "modules missing from docs/design.md's \"What lives where\" (add each to its package's "
        "item, with what it is for): " + ", ".join(absent)
    )


def test_the_pictures_name_real_classes() -> None:
    """Both pictures of docs/design.md (Layers, the path in detail) name classes and methods
    (`ListingSpider.parse_listing`, `Archive.store_article`) that the packages define."""
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    pictures = "\n".join(layers_picture(design) + code_block(design, "The path in detail"))
    missing = unknown_classes(pictures, project_classes())
    assert missing == [], (
        "docs/design.md's pictures name classes or methods no module defines (renamed? moved "
        "to another class?): " + ", ".join(missing)
    )


def command_table(design: str) -> dict[str, str]:
    """docs/design.md's CLI table: command -> the module path of its row."""
    rows = {}
    for line in design.split("\n## CLI\n", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = line.split("|")
        if len(cells) == 4 and cells[1].strip().startswith("`luutru/"):
            module = cells[1].strip().strip("`")
            commands = re.findall(r"`([a-z][a-z-]*)`", cells[2].split("(")[0])
            rows.update(dict.fromkeys(commands, module))
    return rows


def test_the_cli_table_says_where_each_command_lives() -> None:
    table = command_table((ROOT / "docs" / "design.md").read_text(encoding="utf-8"))
    where = {name: command.callback.__module__.replace(".", "/") + ".py"
             for name, command in COMMANDS.items() if command.callback is not None}
    wrong = {name: (table.get(name), path) for name, path in where.items()
             if table.get(name) != path}
    assert wrong == {}, (
        "docs/design.md's CLI table (command: written there, actual module): "
        + "; ".join(f"{name}: {shown}, {path}" for name, (shown, path) in sorted(wrong.items()))
    )


# The checks themselves: each one fails on a planted mistake.


def test_an_example_must_be_a_command_line_in_a_fence() -> None:
    prose = "Run `luutru merge A --into B` to merge.\n"
    indented = "    luutru merge A --into B\n"
    fenced = "```sh\n$ luutru merge A --into B\n```\n"
    assert not has_example("merge", prose) and not has_example("merge", indented)
    assert has_example("merge", fenced)
    assert not has_example("crawl", "```\nluutru crawl-url http://x/\n```\n")
    assert has_example("crawl-url", "~~~\n  luutru crawl-url http://x/\n~~~\n")


def test_an_option_must_be_named_whole() -> None:
    assert undocumented(["--site", "--db"], "`--site-file` and `--db=FILE`") == ["--site"]


def test_a_moved_module_or_a_renamed_function_is_seen() -> None:
    text = ("`archive/cli_crawl.py` and `luutru/cli/crawl.py`, `scrapers/sites/SLUG.toml`,\n"
            "`tests/fixtures/<slug>/`, `luutru/nowhere/` and `archive.folding.fold`;\n"
            "`pipelines.text.fold`, `archive.folding.nofold`, luutru.db, `archive.db`.\n")
    assert missing_paths(text, ROOT) == [(1, "archive/cli_crawl.py"), (2, "luutru/nowhere/")]
    assert unknown_files("`listing.py`, `search*.py`,\n`cli_sites.py`", ROOT) == [
        (2, "cli_sites.py")]
    assert unresolved_names(text) == [(3, "pipelines.text.fold"), (3, "archive.folding.nofold")]


def test_the_picture_check_reads_the_package_column_only() -> None:
    picture = [" LAYERS                  THE PATH",
               " archive/    the file    luutru/crawl.py → warc/ x.py",
               "   store.py  search*.py  gone.py",
               "   nothere.py  cli/",
               " luutru/     the app     store.py"]
    assert picture_missing(picture, ROOT) == ["archive/nothere.py", "archive/cli/"]


def test_the_class_check_sees_a_renamed_class_or_method() -> None:
    classes = project_classes()
    text = ("ListingSpider.parse_listing → Archive.store_article → WarcWriter; CrawlerProcess\n"
            "ListSpider.parse_listing, Archive.store_it, WriterPipe")
    assert unknown_classes(text, classes) == [
        "ListSpider.parse_listing", "Archive.store_it", "WriterPipe"]
    assert "read_article" in classes["ListingSpider"]  # inherited from ArticleReader


def test_the_cli_table_check_reads_module_and_commands() -> None:
    design = ("\n## CLI\n\n| module | commands |\n|---|---|\n"
              "| `luutru/cli/crawl.py` | `crawl` (and `luutru/cli/cluster.py`: `crawl --all`) |\n"
              "| `luutru/cli/runs.py` | `runs`, `history` |\n\n## Search\n| `x.py` | `y` |\n")
    assert command_table(design) == {"crawl": "luutru/cli/crawl.py",
                                     "runs": "luutru/cli/runs.py",
                                     "history": "luutru/cli/runs.py"}


def test_the_where_list_check_reads_each_package_item() -> None:
    design = ("What lives where:\n\n- `archive/`: `store.py`, `search*.py`, `cli/` (the\n"
              "  old home), `crawl.py`\n- `luutru/`: `crawl.py`, `cli/`\n\n## Next\n`gone.py`")
    assert where_list_missing(design, ROOT) == ["archive/cli/", "archive/crawl.py"]


def test_the_map_check_sees_a_module_left_off(tmp_path: Path) -> None:
    for package in PACKAGES[:4]:
        (tmp_path / package).mkdir()
    for name in ("archive/store.py", "archive/search_rank.py", "archive/new.py",
                 "archive/__init__.py", "luutru/web/x.py", "luutru/templates/x.html"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    design = "What lives where:\n- `archive/`: `store.py`, `search*.py`\n- `luutru/`: `web/`\n"
    assert unplaced_modules(design, tmp_path) == ["luutru/templates/", "archive/new.py"]
