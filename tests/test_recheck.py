"""Rolling revalidation: plain scheduled runs (no flags) find an edit and a deletion of old
articles within the documented number of runs, each within its budget; re-check URLs are the
canonical path on whatever host is crawled now; a signal handler's error fails the run.

Time passes through the real CLI under `faketime` (Debian's libfaketime), never by patching
the clock: each scheduled run is `faketime '<day>' luutru crawl ...`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from replicas.bentre import FORUM, NEWS, build_site
from replicas.server import ReplicaServer
from replicas.snapshots import EDIT_NOTE, delete_article, edit_article
from tests.conftest import LUUTRU, ROOT

N_ARTICLES = 40


def luutru_at(when: dt.datetime, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`luutru ARGS` with the system clock set to `when` (and running on from there)."""
    faketime = shutil.which("faketime")
    assert faketime, "faketime is needed (apt-get install faketime; `make test` installs it)"
    proc = subprocess.run(
        [faketime, when.strftime("%Y-%m-%d %H:%M:%S"), *LUUTRU, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC"},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"luutru {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def crawl_at(when: dt.datetime, url: str, db: Path, *extra: str) -> dict:
    proc = luutru_at(when, "crawl", "bentre", "--base-url", url, "--db", str(db), "--delay",
                     "0", "--concurrency", "4", "--json", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def changed_site(site, edited_nid: int, deleted_nid: int):
    """The same site later: one article's body edited, another deleted (404, off every
    listing, which shift up)."""
    later = copy.deepcopy(site)
    edit_article(later, edited_nid)
    delete_article(later, deleted_nid)
    return later


@pytest.fixture(scope="module")
def site():
    return build_site(N_ARTICLES)


@pytest.fixture(scope="module")
def first_crawl(site, tmp_path_factory):
    """One first crawl, a month and a half after the newest article (none is "recent")."""
    newest = max(a.published for a in site.articles)
    start = dt.datetime.combine(newest + dt.timedelta(days=45), dt.time(2, 0))
    db = tmp_path_factory.mktemp("recheck") / "first.db"
    with ReplicaServer(site) as server:
        summary = crawl_at(start, server.url, db)
    assert summary["new"] == N_ARTICLES
    return db, start


def copy_of(first_crawl: tuple[Path, dt.datetime], db: Path) -> tuple[Path, dt.datetime]:
    """A test's own copy of the first crawl's archive at `db`, and the first crawl's time."""
    shutil.copy(first_crawl[0], db)
    return db, first_crawl[1]


def two_years_old(site, start: dt.datetime, section: str, skip: int = 0):
    """An article of `section` about two years old at `start`."""
    target = start.date() - dt.timedelta(days=730)
    found = sorted((a for a in site.articles if a.sections[0] == section),
                   key=lambda a: abs((a.published - target).days))
    return found[skip]


def article_row(db: Path, title: str) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, revision, gone_at, text FROM articles WHERE title = ?",
                            (title,)).fetchone()


def test_weekly_runs_find_an_old_edit_and_deletion_within_the_documented_runs(
        site, first_crawl, tmp_path):
    db, start = copy_of(first_crawl, tmp_path / "weekly.db")
    edited = two_years_old(site, start, FORUM)
    deleted = two_years_old(site, start, NEWS)
    later = changed_site(site, edited.nid, deleted.nid)
    week = dt.timedelta(days=7)
    paths = {"/" + a.path.strip("/") for a in site.articles}
    # The documented number: a change is found within ceil(30 days / interval) + 1 runs, as
    # `luutru schedule` says when it makes the weekly job.
    note = luutru_at(start, "schedule", "bentre", "--db", str(db), "--every", "weekly").stderr
    allowed = int(re.search(r"found within (\d+) runs", note).group(1))
    assert allowed == math.ceil(30 / 7) + 1
    runs = []
    with ReplicaServer(site) as server:
        for n in (1, 2):  # two quiet weeks: the re-check order is no longer the crawl order
            runs.append(crawl_at(start + n * week, server.url, db))
            if n == 1:  # a manual re-run minutes later re-checks none and keeps the share
                rerun = crawl_at(start + week + dt.timedelta(minutes=3), server.url, db)
        server.site = later  # three weeks after the first crawl, the site changes
        found_edit = found_gone = None
        for n in range(3, 3 + allowed):
            before = len(server.requests)
            summary = crawl_at(start + n * week, server.url, db)
            summary["article_requests"] = sum(
                1 for _, target in server.requests[before:]
                if "/" + unquote(target.split("?")[0]).strip("/") in paths)
            runs.append(summary)
            row = article_row(db, edited.title)
            found_edit = found_edit or (row[1] == 2 and n - 2)
            found_gone = found_gone or (article_row(db, deleted.title)[2] is not None and n - 2)
            if found_edit and found_gone:
                break
    assert rerun["recheck"]["budget"] == rerun["recheck"]["rechecked"] == 0
    assert rerun["unchanged"] == 0 and rerun["status"] == "finished"
    assert found_edit and found_gone, (
        f"not found within {allowed} weekly runs: {[r['recheck'] for r in runs]}")
    for summary in runs:
        recheck = summary["recheck"]
        assert summary["status"] == "finished"
        # The budget is the site's share of a 30-day cycle: 7/30 of it for a weekly run.
        assert abs(recheck["budget"] - N_ARTICLES * 7 / 30) <= 1, recheck
        # First any article missing from a listing page read (the deleted one, when its
        # section's first pages are read), then the least recently checked: within budget.
        assert set(recheck["by_reason"]) <= {"missing", "oldest"}
        assert recheck["budget"] - 1 <= recheck["rechecked"] <= recheck["budget"]
        assert recheck["rechecked"] == sum(recheck["by_reason"].values())
    for summary in runs[2:]:
        # No article page is asked for but the re-checks (listings show no new article).
        assert summary["article_requests"] == summary["recheck"]["rechecked"]
    assert sum(r["recheck"]["changed"] for r in runs) == 1
    assert sum(r["recheck"]["gone"] for r in runs) == sum(r["gone"] for r in runs) == 1
    assert article_row(db, edited.title)[3].endswith(EDIT_NOTE)
    # `runs` shows the re-checks of every run, and when the oldest check was.
    listed = json.loads(luutru_at(start, "runs", "--db", str(db), "--json").stdout)
    recorded = {r["id"]: r["recheck"] for r in listed}
    assert all(recorded[r["run_id"]] == r["recheck"] for r in runs)
    oldest = listed[0]["recheck"]["oldest_check"]
    assert oldest and oldest >= start.isoformat()
    text = luutru_at(start, "runs", "--db", str(db), "--limit", "1").stdout
    assert "re-checked" in text and "oldest check" in text


def test_an_article_missing_from_a_listing_read_in_full_is_rechecked_first(
        site, first_crawl, tmp_path):
    db, start = copy_of(first_crawl, tmp_path / "missing.db")
    deleted = two_years_old(site, start, FORUM)
    later = changed_site(site, two_years_old(site, start, NEWS).nid, deleted.nid)
    with ReplicaServer(later) as server:
        summary = crawl_at(start + dt.timedelta(days=3), server.url, db, "--full",
                           "--recheck", "1")
    recheck = summary["recheck"]
    assert recheck["by_reason"] == {"missing": 1}
    assert recheck["gone"] == summary["gone"] == 1
    assert article_row(db, deleted.title)[2] is not None


def test_one_archive_rechecked_from_three_other_base_urls(site, first_crawl, tmp_path):
    """Two mirrors on other ports (one on another loopback address) and a moved domain
    (`localhost` for `127.0.0.1`): every archived article is re-checked on the host crawled,
    at its canonical path, and no run fails."""
    db, start = copy_of(first_crawl, tmp_path / "moved.db")
    paths = {"/" + a.path.strip("/") for a in site.articles}
    with ReplicaServer(site) as mirror, ReplicaServer(site, host="127.0.0.2") as other:
        moved = ReplicaServer(site).start()
        try:
            bases = [mirror.url, other.url, f"http://localhost:{moved.port}"]
            for n, (base, server) in enumerate(zip(bases, (mirror, other, moved),
                                                   strict=True), start=1):
                before = len(server.requests)
                summary = crawl_at(start + dt.timedelta(days=n), base, db, "--recheck", "100")
                asked = {"/" + unquote(t.split("?")[0]).strip("/")
                         for _, t in server.requests[before:]}
                assert summary["status"] == "finished" and summary["errors"] == 0, summary
                assert not summary["signal_errors"]
                assert summary["recheck"]["rechecked"] == summary["unchanged"]
                assert summary["unchanged"] == N_ARTICLES, (base, summary)
                assert paths <= asked, (base, sorted(paths - asked)[:3])
        finally:
            moved.stop()
    with sqlite3.connect(db) as conn:
        hosts = {r[0].split("/")[2] for r in conn.execute("SELECT canonical_url FROM articles")}
        failed = conn.execute("SELECT count(*) FROM fetch_log WHERE outcome = 'failed'")
        assert failed.fetchone() == (0,)
    assert hosts == {"truongchinhtribentre.edu.vn"}


class FailingIdleHandler:
    """A Scrapy extension whose `spider_idle` handler raises, as the re-check sweep did when
    it sliced a mirror's URL (`Port could not be cast to integer value`)."""

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        ext = cls()
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        return ext

    def idle(self, spider):
        raise ValueError("Port could not be cast to integer value as '34917ang-tu-tuong'")


def test_an_error_in_a_signal_handler_fails_the_run_loudly(site, first_crawl, tmp_path):
    db, start = copy_of(first_crawl, tmp_path / "boom.db")
    extension = json.dumps({f"{__name__}.FailingIdleHandler": 500})
    with ReplicaServer(site) as server:
        proc = luutru_at(start + dt.timedelta(days=1), "crawl", "bentre",
                         "--base-url", server.url, "--db", str(db), "--delay", "0", "--quiet",
                         "--set", f"EXTENSIONS={extension}", check=False)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "signal handler" in proc.stderr and "Port could not be cast" in proc.stderr
    runs = json.loads(luutru_at(first_crawl[1], "runs", "--db", str(db), "--json").stdout)
    assert runs[0]["status"] == "failed"
    assert runs[0]["signal_errors"][0]["signal"] == "spider_idle"
    assert "FailingIdleHandler.idle" in runs[0]["signal_errors"][0]["handler"]


def test_recheck_urls_are_the_canonical_path_on_the_crawled_host():
    from scrapers.platforms.recheck import on_crawled_host

    live = "https://truongchinhtribentre.edu.vn"
    path = "/content/t%C6%B0-t%C6%B0%E1%BB%9Fng-h%E1%BB%93-ch%C3%AD-minh?page=1"
    assert on_crawled_host(live + path, live, "http://127.0.0.1:34917") == (
        "http://127.0.0.1:34917" + path)
    # A live site under a folder, crawled from a mirror under another one.
    assert on_crawled_host("https://s.gov.vn/tct/tin-tuc/a", "https://s.gov.vn/tct",
                           "http://localhost:8001/copy/") == "http://localhost:8001/copy/tin-tuc/a"
