"""One place builds Scrapy for every command (luutru/process.py): no other module of luutru/
constructs a crawler or assembles project settings, and what the builder applies reaches every
command that crawls."""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

BUILDER = "luutru/process.py"
# What only the builder may name: Scrapy's crawler classes, the Settings it assembles, and the
# project's settings module it starts from.
CRAWLER_NAMES = {"Crawler", "CrawlerProcess", "CrawlerRunner", "AsyncCrawlerProcess",
                 "AsyncCrawlerRunner", "Settings"}
BUILDER_MODULES = {"scrapy.crawler", "scrapers.settings"}


def bypasses(root: Path = ROOT) -> list[str]:
    """`path:line what` for each module of luutru/ but the builder that constructs a crawler or
    a Settings, or imports scrapy.crawler or the project settings module."""
    found = []
    for path in sorted((root / "luutru").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == BUILDER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in CRAWLER_NAMES:
                    found.append(f"{rel}:{node.lineno} calls {name}")
            elif isinstance(node, ast.ImportFrom) and node.module in BUILDER_MODULES:
                found.append(f"{rel}:{node.lineno} imports from {node.module}")
            elif isinstance(node, ast.ImportFrom) and node.module == "scrapers" and any(
                    alias.name == "settings" for alias in node.names):
                found.append(f"{rel}:{node.lineno} imports scrapers.settings")
            elif isinstance(node, ast.Import):
                found += [f"{rel}:{node.lineno} imports {alias.name}" for alias in node.names
                          if alias.name in BUILDER_MODULES]
    return found


def test_only_the_builder_constructs_crawlers_or_settings() -> None:
    assert bypasses() == []


@pytest.mark.parametrize("source", [
    "from scrapy.crawler import CrawlerProcess\n",
    "def run(s):\n    import scrapy.crawler\n    return scrapy.crawler.CrawlerRunner(s)\n",
    "def settings():\n    from scrapy import settings\n    return settings.Settings()\n",
    "import scrapers.settings as defaults\n",
])
def test_the_check_sees_a_command_that_builds_its_own(tmp_path: Path, source: str) -> None:
    (tmp_path / "luutru").mkdir()
    (tmp_path / "luutru" / "process.py").write_text("from scrapy.crawler import Crawler\n")
    (tmp_path / "luutru" / "rogue.py").write_text(source)
    found = bypasses(tmp_path)
    assert found and all(f.startswith("luutru/rogue.py:") for f in found), found


class _Recorder(BaseHTTPRequestHandler):
    """A site that has nothing: every page is an empty 404; each request's User-Agent is kept."""

    agents: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        self.agents.append((self.path, self.headers.get("User-Agent", "")))
        body = b"<html><body><p>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</p></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.agents = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.agents
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("command", ["crawl", "crawl-url", "check-site"])
def test_every_crawling_command_applies_set_through_the_builder(
        command: str, recorder: tuple[str, list[tuple[str, str]]], tmp_path: Path) -> None:
    """`--set NAME=VALUE` reaches Scrapy the same way whichever command crawls: each request
    the site receives carries the User-Agent given on the command line."""
    url, agents = recorder
    agent = f"luutru-probe/{command}"
    db = ["--db", str(tmp_path / "a.db")] if command != "check-site" else [
        "--keep-db", str(tmp_path / "a.db")]
    args = {"crawl": ["crawl", "bentre", "--base-url", url, "--max-pages", "1"],
            "crawl-url": ["crawl-url", url + "/", "--max-pages", "1"],
            "check-site": ["check-site", "bentre", "--base-url", url, "--max-pages", "1"]}
    proc = run_cli(*args[command], *db, "--delay", "0", "--set", f"USER_AGENT={agent}",
                   "--set", "RETRY_TIMES=0", check=False, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert agents, f"{command} sent no request: {proc.stderr}"
    assert {ua for _, ua in agents} == {agent}, agents


@pytest.mark.parametrize("command", [["crawl", "bentre"], ["crawl-url", "http://127.0.0.1:9/"],
                                     ["check-site", "bentre", "--base-url", "http://127.0.0.1:9"]])
def test_every_crawling_command_refuses_the_settings_luutru_keeps(command: list[str]) -> None:
    """JOBDIR would resume from a Scrapy job directory, not the archive: refused everywhere."""
    proc = run_cli(*command, "--set", "JOBDIR=/tmp/job", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "--set JOBDIR is not supported" in proc.stderr and "Traceback" not in proc.stderr
