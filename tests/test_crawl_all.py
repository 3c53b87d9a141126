"""`luutru crawl --all`: every active site in turn, each in its own process, one failure
contained."""

from __future__ import annotations

import json
import sqlite3
from contextlib import ExitStack

from replicas.server import ReplicaServer
from replicas.sites import build
from scrapers.sites import all_sites
from tests.conftest import run_cli


def test_crawl_all_sites_one_down_others_archived(tmp_path):
    active = sorted(slug for slug, site in all_sites().items() if site.status == "active")
    down = active[-1]
    db = tmp_path / "all.db"
    with ExitStack() as stack:
        mirrors = []
        for slug in active:
            if slug == down:
                # A closed port on loopback: this school's site is unreachable for the run.
                mirrors.append(f"{slug}=http://127.0.0.1:9")
                continue
            server = stack.enter_context(ReplicaServer(build(slug, 12)))
            mirrors.append(f"{slug}={server.url}")
        proc = run_cli("crawl", "--all", "--db", str(db), "--json",
                       *[arg for m in mirrors for arg in ("--mirror", m)], check=False,
                       timeout=600)
    assert proc.returncode == 1, proc.stderr  # one site failed; the others were archived
    results = {r["site"]: r for r in json.loads(proc.stdout)}
    assert set(results) == set(active)
    assert results[down]["exit_code"] == 3 and results[down]["status"] == "failed"
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site"))
    for slug in active:
        if slug != down:
            assert results[slug]["status"] == "finished", slug
            assert stored.get(slug, 0) >= 10, slug
    runs = dict(conn.execute("SELECT site, status FROM runs"))
    assert runs[down] == "failed"


def test_crawl_needs_a_site_or_all():
    proc = run_cli("crawl", check=False)
    assert proc.returncode == 2 and "--all" in proc.stderr
    proc = run_cli("crawl", "--all", "--mirror", "bentre", check=False)
    assert proc.returncode == 2 and "SLUG=URL" in proc.stderr
