"""Shared fixtures: replicas on loopback, and crawls run through the real CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The console script installed by `pip install -e .`: the entry point users run.
_SCRIPT = Path(sys.executable).parent / "luutru"
LUUTRU = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "luutru"]


def crawl_days() -> set[str]:
    """Today's date on this machine and in the sites' zone (UTC+7): a header clock shows the
    latter, and from 17:00 UTC on the two differ, so a date taken from the clock can be either."""
    vn = dt.timezone(dt.timedelta(hours=7))
    return {dt.date.today().isoformat(), dt.datetime.now(vn).date().isoformat()}


def run_cli(
    *args: str, check: bool = True, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """Run `luutru ARGS` as a real subprocess, the way a user or cron runs it."""
    proc = subprocess.run(
        [*LUUTRU, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"luutru {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def crawl(site_url: str, db: Path, *extra: str, site: str = "bentre") -> dict:
    """`luutru crawl SITE --base-url SITE_URL` into db, fast settings, the JSON summary."""
    proc = run_cli(
        "crawl",
        site,
        "--base-url",
        site_url,
        "--db",
        str(db),
        "--delay",
        "0",
        "--concurrency",
        "4",
        "--json",
        *extra,
    )
    return json.loads(proc.stdout)


def crawl_replicas(
    sites: dict[str, tuple[Any, str]], root: Path, workers: int = 4,
    recrawl: tuple[str, ...] | None = None,
) -> dict[str, tuple[Any, dict, dict[str, dict]]]:
    """Serve each replica (name -> (replica, site slug)) on loopback and crawl them a few at a
    time through the real CLI into ROOT/NAME.db: name -> (replica, JSON summary, article rows
    by canonical URL). With `recrawl` (extra CLI arguments), every archive is crawled a second
    time with them while the servers are still up; that summary is summary["recrawl"]."""
    from concurrent.futures import ThreadPoolExecutor

    from replicas.server import ReplicaServer

    servers = {name: ReplicaServer(site).start() for name, (site, _) in sites.items()}
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            def crawl_all(*extra: str) -> dict[str, dict]:
                futures = {name: pool.submit(crawl, servers[name].url, root / f"{name}.db",
                                             *extra, site=slug)
                           for name, (_, slug) in sites.items()}
                return {name: f.result() for name, f in futures.items()}

            summaries = crawl_all()
            if recrawl is not None:
                for name, again in crawl_all(*recrawl).items():
                    summaries[name]["recrawl"] = again
    finally:
        for server in servers.values():
            server.stop()
    out = {}
    for name, (site, _) in sites.items():
        conn = sqlite3.connect(root / f"{name}.db")
        conn.row_factory = sqlite3.Row
        rows = {r["canonical_url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
        conn.close()
        out[name] = (site, summaries[name], rows)
    return out


def archived_count(db: Path) -> int:
    """Articles in an archive another process is writing (0 while it cannot be read yet)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def crawl_then_kill(url: str, db: Path, stored_at_least: int, delay: str = "0.05",
                    site: str = "bentre") -> int:
    """Start `luutru crawl SITE` on one connection, SIGKILL it once the archive holds
    `stored_at_least` articles (or after 60 s); the number of articles it held by then."""
    proc = subprocess.Popen(
        [*LUUTRU, "crawl", site, "--base-url", url, "--db", str(db),
         "--delay", delay, "--concurrency", "1", "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < stored_at_least:
        time.sleep(0.1)
        stored = archived_count(db)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return stored


@pytest.fixture(scope="session")
def bentre_site():
    from replicas.bentre import build_site

    return build_site()


@pytest.fixture(scope="session")
def bentre_server(bentre_site):
    from replicas.server import ReplicaServer

    with ReplicaServer(bentre_site) as server:
        yield server


@pytest.fixture(scope="session")
def bentre_archive(bentre_server, tmp_path_factory):
    """One full crawl of the replica, shared by the read-only tests."""
    db = tmp_path_factory.mktemp("bentre") / "bentre.db"
    summary = crawl(bentre_server.url, db)
    return db, summary


@pytest.fixture(scope="session")
def changed_archive(tmp_path_factory):
    """A 30-article replica crawled, then changed (6 new, one essay edited, one deleted) and
    re-crawled with --refresh: an archive with a gone article and one with 2 revisions, two
    runs and two WARC files. Shared by the export and WACZ tests: (db, site, changes)."""
    from replicas.bentre import build_site
    from replicas.server import ReplicaServer
    from replicas.snapshots import evolve

    site = build_site(n_articles=30)
    later, changes = evolve(site)
    db = tmp_path_factory.mktemp("changed") / "changed.db"
    with ReplicaServer(site) as server:
        crawl(server.url, db)
        server.site = later
        second = crawl(server.url, db, "--refresh")
    assert (second["updated"], second["gone"]) == (1, 1), second
    return db, site, changes
