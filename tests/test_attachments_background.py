"""Attachments fetched in the background (issue 12): an article's item never waits for its files,
the crawl still ends only once every file is kept, each file is fetched once, and a file kept by
an earlier run is linked to a new article without a download. Real CLI, real writer process."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import crawl, run_cli
from tests.test_attachments import (  # noqa: F401 (fixture)
    attachment_site,
    check_attachments,
)

FILES = "/sites/default/files/"
SLOW = FILES + "nghi-quyet.pdf"


@pytest.fixture
def stopped_crawl(attachment_site, tmp_path) -> tuple[str, type, Path]:  # noqa: F811
    """A crawl of the attachment site stopped after its first item while the slow PDF is
    still downloading: (site URL, request handler, archive)."""
    url, handler = attachment_site
    handler.slow = {SLOW: 3.0}
    db = tmp_path / "site.db"
    proc = run_cli("crawl", "bentre", "--base-url", url, "--db", str(db), "--delay", "0",
                   "--json", "--set", "CLOSESPIDER_ITEMCOUNT=1", check=False)
    assert json.loads(proc.stdout)["status"] == "interrupted"
    return url, handler, db


def test_files_come_after_their_article_and_are_kept_once(attachment_site, tmp_path):  # noqa: F811
    url, handler = attachment_site
    handler.slow = {SLOW: 1.5}  # the article's item must not wait for this file
    db = tmp_path / "site.db"
    log = tmp_path / "crawl.log"
    summary = crawl(url, db, "--log-file", str(log), "--set", "LOG_LEVEL=DEBUG")
    assert summary["status"] == "finished"
    text = log.read_text(encoding="utf-8")
    scraped = text.index(f"Scraped from <200 {url}/content/bai-mot>")
    fetched = text.index(f"Crawled (200) <GET {url}{SLOW}>")
    assert scraped < fetched, "the article's item waited for its attachment"
    # The crawl ended only once the slow file was kept, with every outcome logged.
    conn = check_attachments(db, url)
    assert conn.execute("SELECT count(*) FROM article_attachments").fetchone()[0] == 5
    gets = Counter(p for p in handler.seen if p.startswith(FILES))
    assert gets[SLOW] == 1 and max(gets.values()) == 1, gets  # bai-hai's PDF: no second GET
    (status,) = conn.execute("SELECT status FROM runs").fetchone()
    assert status == "finished"

    # A new article linking files kept by the first run: linked, not downloaded again.
    handler.third = True
    before = len(handler.seen)
    again = crawl(url, db)
    assert again["status"] == "finished" and again["new"] == 1
    seen = handler.seen[before:]
    assert "/content/bai-ba" in seen
    assert SLOW not in seen and FILES + "anh.png" not in seen
    conn = sqlite3.connect(db)
    linked = {u.removeprefix(url) for (u,) in conn.execute(
        "SELECT l.url FROM article_attachments l JOIN articles a ON a.id = l.article_id "
        "WHERE a.canonical_url LIKE '%/content/bai-ba'")}
    assert linked == {SLOW, FILES + "anh.png"}
    run2 = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM fetch_log WHERE run_id = ? AND kind = 'attachment'",
                        (run2,)).fetchone()[0] == 0  # a link is not a fetch


def test_a_crawl_stopped_early_logs_the_files_it_did_not_fetch(stopped_crawl) -> None:
    url, _, db = stopped_crawl
    conn = sqlite3.connect(db)
    (article_id,) = conn.execute(
        "SELECT id FROM articles WHERE canonical_url LIKE '%/content/bai-mot'").fetchone()
    rows = Counter(u.removeprefix(url) for (u,) in conn.execute(
        "SELECT url FROM fetch_log WHERE kind = 'attachment'"))
    linked = {f for f in rows if f.startswith(FILES)}
    assert len(linked) == 6 and set(rows.values()) == {1}, rows  # one row each, none missing
    (outcome, reason) = conn.execute(
        "SELECT outcome, reason FROM fetch_log WHERE url = ?", (url + SLOW,)).fetchone()
    assert outcome in ("skipped", "failed") and (outcome == "failed" or reason.startswith(
        "not_fetched")), (outcome, reason)
    assert conn.execute("SELECT count(*) FROM article_attachments WHERE article_id = ? "
                        "AND url = ?", (article_id, url + SLOW)).fetchone()[0] == 0
