"""The fault harness (docs/reliability.md): loopback scenario servers, crawls run as real
`luutru crawl` subprocesses, and the invariants every scenario must leave true.

- `FaultServer`: a `ThreadingHTTPServer` on 127.0.0.1 (or 127.0.0.2, the "other host") whose
  paths are scenarios: status sequences, delays, raw bytes (resets, broken chunking, no length,
  bad headers), charsets, redirects. Every request is recorded with its arrival time.
- `run_crawl()`: `luutru crawl bentre --base-url ...` in a subprocess, test settings passed
  with `--set` (DOWNLOAD_TIMEOUT=1, RETRY_TIMES=2), HOME pointed at an empty folder.
- `check_invariants()`: I1 one outcome per scheduled URL, I2 integrity_check, I3 FTS
  integrity-check, I4 stored text NFC without U+00D0, I5 no file outside the archive folder.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import struct
import subprocess
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import LUUTRU, ROOT

TT = "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien"
TTTD = "/thông-tin-trao-đổi/thông-tin-trao-đổi"
TEST_SETTINGS = ("DOWNLOAD_TIMEOUT=1", "RETRY_TIMES=2")

Scenario = Callable[["Handler"], None]


def article_html(title: str, paragraphs: list[str] | None = None, *, nid: int | None = None,
                 canonical: str | None = None, head: str = '<meta charset="utf-8">') -> str:
    """A Drupal 7 article page as the bentre spider expects it."""
    paragraphs = paragraphs or [f"{title}: nội dung sinh hoạt chi bộ của Đảng bộ Trường."]
    links = f'<link rel="canonical" href="{canonical}" />' if canonical else ""
    node = f' id="node-{nid}"' if nid else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="vi"><head>{head}{links}<title>{title} | Trường Chính trị'
        f' tỉnh Bến Tre</title></head><body><h1 class="title" id="page-title">{title}</h1>'
        '<div id="block-system-main" class="block block-system"><div class="content">'
        f'<div{node} class="node node-article clearfix"><div class="content clearfix">'
        '<div class="field field-name-body field-type-text-with-summary"><div class="field-items">'
        f'<div class="field-item even">{body}</div></div></div></div></div></div></div>'
        "</body></html>"
    )


def listing_html(hrefs: list[str]) -> str:
    rows = "".join(
        '<div class="views-row"><div class="views-field views-field-title">'
        f'<span class="field-content"><a href="{h}">Bài {i}</a></span></div>'
        '<div class="views-field views-field-created"><span class="field-content">'
        "17/02/2021</span></div></div>"
        for i, h in enumerate(hrefs)
    )
    return f'<html><body><div class="view-content">{rows}</div></body></html>'


class Handler(BaseHTTPRequestHandler):
    server: FaultServer  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.server.hits.append((path, parts.query, time.monotonic()))
        scenario = self.server.routes.get(path)
        try:
            if scenario is None:
                self.send(404, "<html><head><title>404</title></head><body>404</body></html>")
            else:
                scenario(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- response helpers -------------------------------------------------------------------

    def send(self, status: int, body: str | bytes = b"", *, content_type: str | None =
             "text/html; charset=utf-8", headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", headers={"Location": location})

    def raw(self, data: bytes, *, reset: bool = False) -> None:
        """Write bytes as they are, then close (with an RST when `reset`)."""
        self.wfile.write(data)
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class FaultServer(ThreadingHTTPServer):
    """A loopback site whose paths are scenarios; `count(path)` gives per-path attempts."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), Handler)
        self.routes: dict[str, Scenario] = {}
        self.hits: list[tuple[str, str, float]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, scenario: Scenario) -> None:
        self.routes[path] = scenario

    def page(self, path: str, html: str | bytes, status: int = 200, **kw: Any) -> None:
        self.routes[path] = lambda h: h.send(status, html, **kw)

    def listing(self, hrefs: list[str], robots: str | None = "User-agent: *\nDisallow:\n") -> None:
        """The two bentre sections: the news listing links `hrefs`, the other is empty."""
        self.page(TT, listing_html(hrefs))
        self.page(TTTD, '<html><body><div class="view view-empty"></div></body></html>')
        if robots is not None:
            self.page("/robots.txt", robots, content_type="text/plain")

    def count(self, path: str) -> int:
        return sum(1 for p, _, _ in self.hits if p == path)

    def times(self, path: str) -> list[float]:
        return [t for p, _, t in self.hits if p == path]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up mid-answer are part of the scenarios

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture()
def server():
    with FaultServer() as srv:
        yield srv


@pytest.fixture()
def other_host():
    """A second site on 127.0.0.2: the crawler must never contact it."""
    with FaultServer("127.0.0.2") as srv:
        yield srv


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@dataclass
class Crawl:
    proc: subprocess.CompletedProcess[str]
    db: Path
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> int:
        return self.proc.returncode

    def log(self, run_id: int | None = None) -> dict[str, tuple[str, str | None, int | None]]:
        """url -> (outcome, reason, http_status) for one run (the last one by default)."""
        conn = sqlite3.connect(self.db)
        try:
            if run_id is None:
                run_id = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
            return {u: (o, r, s) for u, o, r, s in conn.execute(
                "SELECT url, outcome, reason, http_status FROM fetch_log WHERE run_id = ?",
                (run_id,))}
        finally:
            conn.close()

    def outcome(self, path: str) -> tuple[str, str | None, int | None]:
        """The outcome of the one scheduled URL whose path (+query) is `path`."""
        found = [v for u, v in self.log().items() if _path_of(u) == path]
        assert len(found) == 1, f"{path}: {len(found)} outcomes in {sorted(self.log())}"
        return found[0]

    def articles(self) -> list[tuple[str, str, str]]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute("SELECT url, title, text FROM articles ORDER BY id").fetchall()
        finally:
            conn.close()


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    path = unquote(parts.path)
    return f"{path}?{parts.query}" if parts.query else path


def run_crawl(base_url: str, db: Path, *extra: str, settings: tuple[str, ...] = TEST_SETTINGS,
              timeout: float = 120, home: Path | None = None) -> Crawl:
    """`luutru crawl bentre` against `base_url` as a subprocess; the exit code is not checked."""
    args = [*LUUTRU, "crawl", "bentre", "--base-url", base_url, "--db", str(db), "--delay", "0",
            "--concurrency", "4", "--json"]
    for setting in settings:
        args += ["--set", setting]
    home = home or db.parent.parent / "home"
    home.mkdir(exist_ok=True)
    proc = subprocess.run(
        [*args, *extra], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home),
             "XDG_STATE_HOME": str(home / ".local/state")},
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stdout, proc.stdout
    summary: dict[str, Any] = {}
    if proc.stdout.strip().startswith("{"):
        summary = json.loads(proc.stdout)
    return Crawl(proc, db, summary)


@pytest.fixture()
def archive_dir(tmp_path: Path) -> Path:
    """The archive's own folder; I5 checks nothing is written beside it."""
    folder = tmp_path / "archive"
    folder.mkdir()
    (tmp_path / "home").mkdir()
    return folder


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def check_invariants(db: Path, *, expected: set[str] | None = None,
                     allow_unfinished: bool = False) -> None:
    """I1-I5 of docs/reliability.md on the archive `db` (in its own folder under tmp_path)."""
    conn = sqlite3.connect(db)
    try:
        # I1: every scheduled URL has exactly one terminal outcome in each run.
        for run_id, url, n in conn.execute(
            "SELECT run_id, url, count(*) FROM fetch_log GROUP BY run_id, url HAVING count(*) > 1"
        ):
            raise AssertionError(f"I1: {url} has {n} outcomes in run {run_id}")
        if not allow_unfinished:
            lost = conn.execute(
                "SELECT url, reason FROM fetch_log WHERE reason LIKE 'not_fetched%' "
                "AND run_id IN (SELECT id FROM runs WHERE status = 'finished')").fetchall()
            assert not lost, f"I1: scheduled but never answered: {lost}"
        if expected is not None:
            run_id = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
            logged = {_path_of(u) for (u,) in conn.execute(
                "SELECT url FROM fetch_log WHERE run_id = ?", (run_id,))}
            missing = expected - logged
            assert not missing, f"I1: no outcome for {sorted(missing)}"
        # I2, I3
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], "I2"
        for fts in ("articles_fts", "attachments_fts"):
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone():
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES('integrity-check')")
        # I4
        for url, title, text in conn.execute("SELECT url, title, text FROM articles"):
            for value in (title, text):
                assert unicodedata.is_normalized("NFC", value), f"I4: not NFC at {url}"
                assert "\u00d0" not in value, f"I4: U+00D0 at {url}"
    finally:
        conn.close()
    # I5: the archive folder holds everything written; its parent only the home folder.
    folder = db.parent
    outside = {p for p in files_under(folder.parent) if folder not in p.parents
               and "home" not in p.relative_to(folder.parent).parts[:1]}
    assert not outside, f"I5: files written outside the archive folder: {outside}"
    home = folder.parent / "home"
    if home.exists():
        assert not files_under(home), f"I5: files written in HOME: {files_under(home)}"
