"""Matrix rows 27-31, 34, 42, 44, 45: robots.txt, layout changes, unreachable sites, and the
archivist's operational faults (SIGINT, SIGKILL, disk full, corrupt archive, overlapping runs).
Each row is a real `luutru crawl` subprocess against its own loopback site."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import LUUTRU, ROOT
from tests.faults.conftest import (
    TT,
    FaultServer,
    article_html,
    check_invariants,
    closed_port,
    run_crawl,
)


def articles_site(server: FaultServer, n: int, *, delay: float = 0.0, size: int = 1,
                  robots: str | None = "User-agent: *\nDisallow:\n") -> list[str]:
    """`n` articles linked from the news listing; each answer may be slowed by `delay`."""
    paths = [f"/bai-{i:03d}" for i in range(n)]
    for i, path in enumerate(paths):
        html = article_html(f"Bài số {i}", [f"Đoạn {j} của bài {i}: nội dung sinh hoạt chi bộ."
                                            for j in range(size)])

        def scenario(h, html=html):
            if delay:
                time.sleep(delay)
            h.send(200, html)
        server.route(path, scenario)
    server.listing(paths, robots=robots)
    return paths


def db_in(archive_dir: Path, name: str = "a.db") -> Path:
    return archive_dir / name


def article_set(db: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute("SELECT canonical_url, content_hash, text FROM articles"))
    finally:
        conn.close()


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


# -- row 42: robots.txt ---------------------------------------------------------------------


def test_row42_disallow_is_honoured(server, archive_dir):
    paths = articles_site(server, 2, robots="User-agent: *\nDisallow: /private/\n")
    server.page("/private/bi-mat", article_html("Bí mật"))
    server.listing([*paths, "/private/bi-mat"], robots="User-agent: *\nDisallow: /private/\n")
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.code == 0
    assert crawl.outcome("/private/bi-mat")[:2] == ("skipped", "robots_txt")
    assert server.count("/private/bi-mat") == 0
    check_invariants(crawl.db)


def test_row42_robots_404_allows_everything(server, archive_dir):
    paths = articles_site(server, 2, robots=None)  # no robots.txt: 404
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.code == 0 and crawl.summary["new"] == 2
    assert all(crawl.outcome(p)[0] == "stored" for p in paths)
    check_invariants(crawl.db)


def test_row42_robots_500_disallows_the_host_for_the_run(server, archive_dir):
    paths = articles_site(server, 2, robots=None)
    server.page("/robots.txt", "<html>Internal error</html>", status=500)
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.outcome(TT)[:2] == ("skipped", "robots_unreachable")
    assert {p for p, _, _ in server.hits} == {"/robots.txt"}, "pages fetched despite robots 500"
    assert "RFC 9309" in crawl.proc.stderr
    assert not any(crawl.outcome(p) for p in paths if _logged(crawl, p))
    check_invariants(crawl.db)


@pytest.mark.slow
def test_row42_robots_timeout_disallows_the_host_for_the_run(server, archive_dir):
    articles_site(server, 1, robots=None)

    def stall(h):
        time.sleep(3)
        h.send(200, "User-agent: *\nDisallow:\n", content_type="text/plain")
    server.route("/robots.txt", stall)
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.outcome(TT)[:2] == ("skipped", "robots_unreachable")
    assert {p for p, _, _ in server.hits} == {"/robots.txt"}
    check_invariants(crawl.db)


@pytest.mark.slow
def test_row42_crawl_delay_is_honoured_on_live_crawls(server, archive_dir):
    articles_site(server, 1, robots="User-agent: *\nCrawl-delay: 2\nDisallow:\n")
    crawl = run_crawl(server.url, db_in(archive_dir), "--delay", "0.1", settings=(
        "LUUTRU_CRAWL_DELAY=always", "DOWNLOAD_DELAY_JITTER=0", "AUTOTHROTTLE_ENABLED=False"))
    assert crawl.code == 0
    times = sorted(t for p, _, t in server.hits if p != "/robots.txt")
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1.9, f"requests {gaps} s apart with Crawl-delay: 2"


def test_row42_robots_over_500_kib_is_truncated(server, archive_dir):
    paths = articles_site(server, 1, robots=None)
    server.page("/late/x", article_html("Sau giới hạn"))
    server.page("/early/x", article_html("Trước giới hạn"))
    robots = ("User-agent: *\nDisallow: /early/\n" + "# đệm\n" * 100_000
              + "Disallow: /late/\n")
    assert len(robots.encode()) > 600 * 1024
    server.page("/robots.txt", robots, content_type="text/plain")
    server.listing([*paths, "/early/x", "/late/x"], robots=None)
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.outcome("/early/x")[:2] == ("skipped", "robots_txt")
    assert crawl.outcome("/late/x")[0] == "stored"  # its rule lies past 500 KiB
    assert "only the first 512000" in crawl.proc.stderr
    check_invariants(crawl.db)


def _logged(crawl, path: str) -> bool:
    return any(path in u for u in crawl.log())


# -- row 44: layout change, parse errors ----------------------------------------------------


def test_row44_callback_exception_is_logged_and_recorded(server, archive_dir):
    paths = articles_site(server, 2)
    # A broken canonical link makes the spider's URL handling raise (ValueError: Invalid IPv6
    # URL): an exception in the callback, as a changed template can cause.
    server.page("/vo", article_html("Vỡ", canonical="http://[vo"))
    server.listing([*paths, "/vo"])
    crawl = run_crawl(server.url, db_in(archive_dir))
    assert crawl.code == 0
    assert crawl.outcome("/vo")[0] == "failed"
    assert crawl.outcome("/vo")[1].startswith("parse_error")
    assert "parse_error at http://127.0.0.1" in crawl.proc.stderr
    assert "Traceback" in crawl.proc.stderr
    assert all(crawl.outcome(p)[0] == "stored" for p in paths)
    check_invariants(crawl.db)


def test_row44_layout_change_stops_the_crawl_with_its_own_exit_code(server, archive_dir):
    paths = [f"/moi-{i}" for i in range(40)]
    redesigned = "<html><body><main class='new'><p>Nội dung mới.</p></main></body></html>"

    def scenario(h):  # a redesigned site: no Drupal node, no body field
        time.sleep(0.05)
        h.send(200, redesigned)
    for path in paths:
        server.route(path, scenario)
    server.listing(paths)
    crawl = run_crawl(server.url, db_in(archive_dir), "--concurrency", "1",
                      settings=("LUUTRU_LAYOUT_ERRORS=4", "DOWNLOAD_TIMEOUT=1"))
    assert crawl.code == 6, crawl.proc.stderr
    assert "layout changed" in crawl.proc.stderr
    assert len(server.hits) < len(paths) // 2, "the crawl went on after the layout check"
    check_invariants(crawl.db, allow_unfinished=True)


# -- row 45: unreachable --------------------------------------------------------------------


def test_row45_unreachable_site_exits_3_fast(archive_dir):
    start = time.monotonic()
    crawl = run_crawl(f"http://127.0.0.1:{closed_port()}", db_in(archive_dir))
    assert crawl.code == 3
    assert time.monotonic() - start < 15
    assert "did not answer any request" in crawl.proc.stderr
    assert crawl.outcome(TT)[:2] == ("failed", "connection_refused")
    assert count(crawl.db, "SELECT count(*) FROM runs WHERE status = 'failed'") == 1
    check_invariants(crawl.db)


# -- row 27: re-crawl ---------------------------------------------------------------------


def test_row27_unchanged_and_changed_pages_on_recrawl(server, archive_dir):
    paths = articles_site(server, 2)
    db = db_in(archive_dir)
    first = run_crawl(server.url, db)
    assert first.summary["new"] == 2
    seen = dict(sqlite3.connect(db).execute("SELECT url, last_seen FROM articles"))
    time.sleep(1.1)
    server.page(paths[1], article_html("Bài số 1", ["Nội dung đã sửa của bài 1."]))
    second = run_crawl(server.url, db, "--refresh")
    assert second.code == 0
    assert (second.summary["updated"], second.summary["unchanged"]) == (1, 1)
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT url, revision FROM articles"))
    assert sorted(rows.values()) == [1, 2]
    assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM revisions WHERE text LIKE '%đã sửa%'"
                        ).fetchone()[0] == 1
    unchanged = next(u for u, r in rows.items() if r == 1)
    (last_seen,) = conn.execute("SELECT last_seen FROM articles WHERE url = ?",
                                (unchanged,)).fetchone()
    assert last_seen > seen[unchanged]
    check_invariants(db)


# -- row 29: SIGINT and JOBDIR --------------------------------------------------------------


def _start(server: FaultServer, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*LUUTRU, "crawl", "bentre", "--base-url", server.url, "--db", str(db), "--delay", "0",
         "--concurrency", "1", "--quiet", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _wait_for_articles(db: Path, n: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    stored = 0
    while time.monotonic() < deadline and stored < n:
        time.sleep(0.1)
        try:
            stored = count(db, "SELECT count(*) FROM articles")
        except sqlite3.Error:
            pass
    return stored


def _crawl_under_way(server: FaultServer, archive_dir: Path, pages: int, delay: float,
                     stored: int) -> tuple[list[str], Path, subprocess.Popen[str]]:
    """A crawl of a site of `pages` slow pages, started in the background and returned once
    the archive shows `stored` articles: the site's paths, the archive and the process."""
    paths = articles_site(server, pages, delay=delay)
    db = db_in(archive_dir)
    proc = _start(server, db)
    assert _wait_for_articles(db, stored) >= stored
    return paths, db, proc


@pytest.mark.slow
def test_row29_sigint_stops_gracefully_and_the_rerun_completes(server, archive_dir):
    # 60 pages of 0.1 s: the archive may show the 5th article a few seconds after the crawler
    # fetched it (the writer commits in groups, items do not wait), and SIGINT must still
    # find pages to leave unfetched.
    paths, db, proc = _crawl_under_way(server, archive_dir, pages=60, delay=0.1, stored=5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "interrupted" in err and "run the same command again" in err
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'") == 1
    stored = count(db, "SELECT count(*) FROM articles")
    assert 5 <= stored < len(paths)
    check_invariants(db, allow_unfinished=True)
    resumed = run_crawl(server.url, db)
    assert resumed.code == 0 and resumed.summary["new"] == len(paths) - stored
    assert count(db, "SELECT count(DISTINCT canonical_url) FROM articles") == len(paths)
    check_invariants(db)


def test_row29_a_scrapy_jobdir_is_refused(server, archive_dir):
    articles_site(server, 1)
    jobdir = archive_dir / "job"
    jobdir.mkdir()
    (jobdir / "requests.queue").write_bytes(b"\x80\x04stale queue from another Scrapy")
    crawl = run_crawl(server.url, db_in(archive_dir), settings=(f"JOBDIR={jobdir}",))
    assert crawl.code == 2
    assert "resumes an interrupted crawl from the archive" in crawl.proc.stderr
    assert server.hits == [] and not db_in(archive_dir).exists()


# -- row 30: disk full ----------------------------------------------------------------------


def test_row30_disk_full_is_a_clear_error_and_the_archive_stays_whole(server, archive_dir):
    paths = articles_site(server, 3, size=1)
    db = db_in(archive_dir)
    assert run_crawl(server.url, db).code == 0
    pages = count(db, "PRAGMA page_count")
    more = [f"/lon-{i}" for i in range(30)]
    for i, path in enumerate(more):
        server.page(path, article_html(f"Bài lớn {i}", [f"Đoạn dài {i} {j} " * 40
                                                         for j in range(20)]))
    server.listing([*paths, *more])
    crawl = run_crawl(server.url, db, "--full", settings=(
        f"LUUTRU_MAX_DB_PAGES={pages + 12}", "DOWNLOAD_TIMEOUT=1"))
    assert crawl.code == 7, crawl.proc.stderr[-2000:]
    errors = [line for line in crawl.proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "disk is full" in errors[0]
    assert "Traceback" not in crawl.proc.stderr.split("Error:")[-1]
    stored = count(db, "SELECT count(*) FROM articles")
    assert 3 <= stored < 33
    check_invariants(db, allow_unfinished=True)
    # Space freed (no quota): the same command completes the archive.
    again = run_crawl(server.url, db, "--full")
    assert again.code == 0
    assert count(db, "SELECT count(*) FROM articles") == 33
    check_invariants(db)


# -- row 31: corrupt archive ----------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_row31_a_damaged_archive_is_refused(server, archive_dir, damage):
    articles_site(server, 3, size=30)
    db = db_in(archive_dir)
    if damage == "garbage":
        db.write_bytes(random.Random(31).randbytes(64 * 1024))
    else:
        assert run_crawl(server.url, db).code == 0
        sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    hits = len(server.hits)
    crawl = run_crawl(server.url, db)
    assert crawl.code == 8, crawl.proc.stderr
    assert crawl.proc.stderr.startswith("Error: archive") and "damaged" in crawl.proc.stderr
    assert len(crawl.proc.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the damaged file was changed"
    assert len(server.hits) == hits, "a damaged archive must not start a crawl"


# -- row 34: overlapping runs ---------------------------------------------------------------


@pytest.mark.slow
def test_row34_an_overlapping_run_exits_locked_and_touches_nothing(server, archive_dir):
    # ~6 s of crawling one request at a time: the second run starts well before it ends.
    paths, db, first = _crawl_under_way(server, archive_dir, pages=30, delay=0.2, stored=1)
    second = run_crawl(server.url, db)
    assert second.code == 4 and "in use by pid" in second.proc.stderr
    assert first.wait(timeout=60) == 0
    assert count(db, "SELECT count(*) FROM runs") == 1
    assert count(db, "SELECT count(*) FROM articles") == len(paths)
    check_invariants(db)


# -- row 28: kill -9 at random moments ------------------------------------------------------


@pytest.mark.slow
def test_row28_ten_random_kills_converge_to_the_clean_archive(server, archive_dir):
    """SIGKILL at a seeded random moment ten times in a row, then one run to the end: the
    archive holds exactly what a clean crawl produces, and every intermediate state passes
    both integrity checks."""
    paths = articles_site(server, 60, delay=0.01)
    clean = db_in(archive_dir, "clean.db")
    assert run_crawl(server.url, clean).code == 0
    expected = article_set(clean)
    assert len(expected) == len(paths)

    rng = random.Random(20251126)
    db = db_in(archive_dir, "killed.db")
    for _ in range(10):
        proc = _start(server, db)
        time.sleep(rng.uniform(0.4, 2.0))
        proc.kill()
        proc.communicate(timeout=10)
        if db.exists():
            check_invariants(db, allow_unfinished=True)
    final = run_crawl(server.url, db)
    assert final.code == 0
    assert article_set(db) == expected
    check_invariants(db)
