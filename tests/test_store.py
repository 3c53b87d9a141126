"""Archive writer: schema, upsert outcomes, FTS kept in step, transactions, connection guards."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from archive.db import ArchiveError, ArchiveNotFound, open_reader, open_writer, shared_deadline
from archive.fts import index_mismatches
from archive.schema import SCHEMA_VERSION
from archive.store import Archive
from tests.records import article_record


def record(n: int | str, **over: Any) -> dict[str, Any]:
    """A Hà Nội article with every byline and date field filled."""
    fields: dict[str, Any] = dict(
        canonical_url=f"https://truongchinhtri.hanoi.vn/tin/{n}",
        url=f"https://truongchinhtri.hanoi.vn/tin/{n}?utm_source=x",
        node_id=None,
        title=f"Bài viết số {n}",
        text=f"Nội dung bài {n} về công tác Đảng.",
        author="ThS. Nguyễn Văn A",
        author_role="Khoa Lý luận",
        author_prefix="ThS.",
        published_at="2023-05-01",
        published_precision="day",
        published_raw="01/05/2023",
        published_source="article_meta",
        content_hash=f"hash-{n}",
    )
    return article_record("hanoi", n, **{**fields, **over})


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    a = Archive(tmp_path / "sub" / "archive.db")
    a.upsert_site({"slug": "hanoi", "name": "Trường Chính trị Hà Nội", "selectors": {}})
    yield a
    a.close()


def assert_integrity(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n_articles
    # The index is contentless: compare it entry by entry with a fresh index of `articles`.
    assert index_mismatches(conn) == []


def test_writer_creates_parent_dir_wal_schema_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "x.db"
    db = open_writer(path)
    try:
        assert path.exists()
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
        assert db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        names = set(db.table_names())
        assert {"meta", "sites", "runs", "articles", "article_urls", "fetch_log",
                "articles_fts"} <= names
        version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION
        fts_sql = db.execute("SELECT sql FROM sqlite_master WHERE name='articles_fts'"
                             ).fetchone()[0]
        assert "remove_diacritics 0" in fts_sql
        assert [c.name for c in db["articles"].columns][:3] == ["id", "site", "canonical_url"]
    finally:
        db.close()
    # idempotent: a second open changes nothing and raises nothing
    open_writer(path).close()


def test_writer_refuses_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = open_writer(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION + 1])
    db.close()
    with pytest.raises(ArchiveError, match="newer"):
        open_writer(path)


def test_reader_missing_file_is_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(ArchiveNotFound, match="no archive at"):
        open_reader(missing)
    assert not missing.exists()
    assert issubclass(ArchiveNotFound, ArchiveError)


def test_reader_rejects_non_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ArchiveError):
        open_reader(bogus)


def test_upsert_site_updates_only_given_columns(archive: Archive) -> None:
    archive.upsert_site({"slug": "hanoi", "cms": "drupal"})
    row = archive.conn.execute("SELECT name, cms FROM sites WHERE slug='hanoi'").fetchone()
    assert row == ("Trường Chính trị Hà Nội", "drupal")
    with pytest.raises(ArchiveError):
        archive.upsert_site({"name": "no slug"})


def test_runs_start_and_finish(archive: Archive) -> None:
    run = archive.start_run("hanoi", "https://truongchinhtri.hanoi.vn")
    row = archive.conn.execute("SELECT status, finished_at FROM runs WHERE id=?", (run,)
                               ).fetchone()
    assert row == ("running", None)
    archive.finish_run(run, "finished", {"pages": 7, "items_new": 3, "errors": 1, "x": "y"})
    status, finished, pages, new, errors, stats = archive.conn.execute(
        "SELECT status, finished_at, pages, items_new, errors, stats_json FROM runs WHERE id=?",
        (run,),
    ).fetchone()
    assert (status, pages, new, errors) == ("finished", 7, 3, 1)
    assert finished is not None
    assert json.loads(stats)["x"] == "y"
    with pytest.raises(ArchiveError):
        archive.finish_run(run, "done", {})
    with pytest.raises(ArchiveError):
        archive.finish_run(9999, "failed", {})


def test_store_outcomes_new_unchanged_updated(archive: Archive) -> None:
    run1 = archive.start_run("hanoi", "https://x")
    outcome, aid = archive.store_article(record(1), run1)
    assert outcome == "new"
    run2 = archive.start_run("hanoi", "https://x")
    again = record(1, url="https://truongchinhtri.hanoi.vn/node/1",
                   fetched_at="2024-02-01T00:00:00+00:00")
    assert archive.store_article(again, run2) == ("unchanged", aid)
    row = archive.conn.execute(
        "SELECT first_seen, last_seen, first_run, last_run FROM articles WHERE id=?", (aid,)
    ).fetchone()
    assert row == ("2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00", run1, run2)
    urls = {u for (u,) in archive.conn.execute(
        "SELECT url FROM article_urls WHERE article_id=?", (aid,))}
    assert urls == {record(1)["url"], record(1)["canonical_url"],
                    "https://truongchinhtri.hanoi.vn/node/1"}

    changed = record(1, title="Tiêu đề mới", text="Văn bản đã sửa về Đoàn.",
                     content_hash="hash-1b", fetched_at="2024-03-01T00:00:00+00:00")
    assert archive.store_article(changed, run2) == ("updated", aid)
    title, first_seen, last_seen, h = archive.conn.execute(
        "SELECT title, first_seen, last_seen, content_hash FROM articles WHERE id=?", (aid,)
    ).fetchone()
    assert (title, first_seen, last_seen, h) == (
        "Tiêu đề mới", "2024-01-01T00:00:00+00:00", "2024-03-01T00:00:00+00:00", "hash-1b")
    fts = archive.conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
        ('{title_fold text_fold} : "tieu de moi" AND "van ban da sua ve doan"',)).fetchall()
    assert fts == [(aid,)]
    assert_integrity(archive.conn)


def test_duplicate_by_content_hash(archive: Archive) -> None:
    run = archive.start_run("hanoi", "https://x")
    _, aid = archive.store_article(record(1), run)
    cross = record(2, content_hash="hash-1")  # another URL, same content
    assert archive.store_article(cross, run) == ("duplicate", aid)
    assert archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    owner = archive.conn.execute(
        "SELECT article_id FROM article_urls WHERE url=?", (cross["canonical_url"],)
    ).fetchone()
    assert owner == (aid,)
    # the same content on another site is that site's own article
    other = record(3, site="hue", content_hash="hash-1")
    assert archive.store_article(other, run)[0] == "new"
    assert_integrity(archive.conn)


def test_duplicate_by_node_id(archive: Archive) -> None:
    run = archive.start_run("hanoi", "https://x")
    _, aid = archive.store_article(record(1, node_id=42), run)
    alias = record("node-42", canonical_url="https://truongchinhtri.hanoi.vn/node/42",
                   url="https://truongchinhtri.hanoi.vn/node/42", node_id="42",
                   content_hash="other-hash")
    assert archive.store_article(alias, run) == ("duplicate", aid)
    assert archive.store_article(record(5, node_id=43), run)[0] == "new"
    assert archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


def test_missing_required_key_is_refused(archive: Archive) -> None:
    bad = record(1)
    del bad["content_hash"]
    with pytest.raises(ArchiveError, match="content_hash"):
        archive.store_article(bad, None)
    with pytest.raises(ArchiveError, match="node_id"):
        archive.store_article(record(1, node_id="abc"), None)
    assert archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_fts_stays_in_sync_over_many_updates(archive: Archive) -> None:
    run = archive.start_run("hanoi", "https://x")
    with archive.transaction():
        for i in range(30):
            archive.store_article(record(i), run)
    for round_ in range(3):
        for i in range(0, 30, 3):
            archive.store_article(
                record(i, text=f"Lần sửa {round_} của bài {i}: Đảng bộ, Đoàn thanh niên.",
                       content_hash=f"h{i}-{round_}"), run)
    assert_integrity(archive.conn)
    assert archive.rebuild_fts() == 30
    assert_integrity(archive.conn)
    hits = archive.conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
        "'{title_fold text_fold} : \"lan sua 2\"'").fetchone()[0]
    assert hits == 10


def test_transaction_batches_and_rolls_back(archive: Archive, tmp_path: Path) -> None:
    run = archive.start_run("hanoi", "https://x")
    reader = open_reader(archive.path)
    with archive.transaction():
        archive.store_article(record(1), run)
        archive.log_fetch(run, record(1)["url"], "article", "stored", article_id=1)
        with archive.transaction():  # re-entrant: no separate commit
            archive.store_article(record(2), run)
        assert archive.in_transaction
        # nothing is visible to a reader before the outer block ends
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2

    with pytest.raises(RuntimeError), archive.transaction():
        archive.store_article(record(3), run)
        raise RuntimeError("boom")
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2

    # an inner failure caught by the caller undoes only the inner block
    with archive.transaction():
        archive.store_article(record(4), run)
        try:
            with archive.transaction():
                archive.store_article(record(5), run)
                raise ValueError("inner")
        except ValueError:
            pass
    urls = {u for (u,) in reader.execute("SELECT canonical_url FROM articles")}
    assert record(4)["canonical_url"] in urls and record(5)["canonical_url"] not in urls
    assert_integrity(archive.conn)
    reader.close()


def test_log_fetch(archive: Archive) -> None:
    run = archive.start_run("hanoi", "https://x")
    fid = archive.log_fetch(run, "https://x/missing", "article", "failed", reason="http_404",
                            http_status=404)
    row = archive.conn.execute(
        "SELECT run_id, kind, outcome, reason, http_status, at FROM fetch_log WHERE id=?",
        (fid,)).fetchone()
    assert row[:5] == (run, "article", "failed", "http_404", 404) and row[5]
    with pytest.raises(ArchiveError, match="unknown fetch outcome"):
        archive.log_fetch(run, "https://x/y", "article", "lost")


def test_close_rolls_back_open_transaction(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    a = Archive(path)
    block = a.transaction()
    block.__enter__()  # a crawl stopped mid-batch: the block never exits
    a.store_article(record(1), None)
    a.close()
    with Archive(path) as b:
        assert b.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


# -- read-only connection -----------------------------------------------------------------


def test_reader_refuses_writes_attach_and_pragma_writes(archive: Archive,
                                                         tmp_path: Path) -> None:
    archive.store_article(record(1), None)
    reader = open_reader(archive.path)
    with pytest.raises(sqlite3.DatabaseError):
        reader.execute("INSERT INTO sites (slug) VALUES ('evil')")
    with pytest.raises(sqlite3.DatabaseError):
        reader.execute("DELETE FROM articles")
    with pytest.raises(sqlite3.DatabaseError):
        reader.execute("CREATE TEMP TABLE t(x)")
    target = tmp_path / "attached.db"
    with pytest.raises(sqlite3.DatabaseError):
        reader.execute(f"ATTACH DATABASE '{target}' AS x")
    assert not target.exists()
    for pragma in ("PRAGMA writable_schema = ON", "PRAGMA query_only = OFF",
                   "PRAGMA journal_mode = DELETE", "PRAGMA wal_checkpoint", "PRAGMA optimize"):
        with pytest.raises(sqlite3.DatabaseError):
            reader.execute(pragma)
    with pytest.raises(sqlite3.DatabaseError):
        reader.execute("SELECT load_extension('x')")
    # reads, read-only pragmas and FTS queries still work
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert reader.execute("PRAGMA table_info(articles)").fetchall()
    assert reader.execute("PRAGMA user_version").fetchone() == (0,)
    assert reader.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'dang'").fetchall() == [(1,)]
    reader.close()
    with Archive(archive.path) as again:
        assert again.conn.execute("SELECT count(*) FROM sites WHERE slug='evil'"
                                  ).fetchone()[0] == 0


def test_reader_interrupts_long_queries(archive: Archive) -> None:
    reader = open_reader(archive.path, time_limit=0.2)
    endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT count(*) FROM c")
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        reader.execute(endless).fetchone()
    # the deadline is per statement: the connection stays usable
    assert reader.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        reader.cursor().execute(endless).fetchone()
    reader.close()


def test_shared_deadline_counts_once_for_several_statements(archive: Archive) -> None:
    """Inside `shared_deadline` the limit runs from its start: a statement that would have
    its own fresh 0.3 s is stopped because the time was spent before it (a search is judged
    by the wait for all its statements). Outside, each statement has its own limit again."""
    archive.store_article(record(1), None)
    reader = open_reader(archive.path, time_limit=0.3)
    short = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000) "
             "SELECT count(*) FROM c")
    with shared_deadline(reader):
        assert reader.execute(short).fetchone() == (50000,)
        time.sleep(0.35)
        with shared_deadline(reader):  # nested: still the outer deadline
            with pytest.raises(sqlite3.OperationalError, match="interrupted"):
                reader.execute(short).fetchone()
    time.sleep(0.35)
    assert reader.execute(short).fetchone() == (50000,)
    reader.close()


def test_reader_works_while_writer_holds_transaction(archive: Archive) -> None:
    archive.store_article(record(1), None)
    reader = open_reader(archive.path)
    with archive.transaction():
        archive.store_article(record(2), None)
        # the writer holds the write lock; the reader sees the last committed snapshot at once
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert reader.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'dang'"
        ).fetchone()[0] == 1
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    reader.close()


def test_second_writer_waits_for_first(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    first = Archive(path)
    second = Archive(path)
    second.conn.execute("PRAGMA busy_timeout = 100")
    with first.transaction():
        first.store_article(record(1), None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.store_article(record(2), None)
    assert second.store_article(record(2), None)[0] == "new"
    first.close()
    second.close()


def test_update_without_a_date_keeps_the_archived_date(tmp_path):
    """A re-check reached outside the listings has no listing date; the old one must stay."""
    from archive.store import Archive

    with Archive(tmp_path / "d.db") as archive:
        base = {"site": "bentre", "canonical_url": "https://x/a", "url": "https://x/a",
                "title": "T", "text": "một", "content_hash": "h1", "published_at": "2021-02-17",
                "published_precision": "day", "published_raw": "Ngày Đăng : 17/02/2021",
                "published_source": "listing"}
        archive.store_article(base, None)
        outcome, _ = archive.store_article(
            {**base, "text": "hai", "content_hash": "h2", "published_at": None,
             "published_precision": None, "published_raw": None, "published_source": None},
            None,
        )
        row = archive.conn.execute(
            "SELECT text, published_at, published_raw, revision FROM articles").fetchone()
    assert outcome == "updated"
    assert row == ("hai", "2021-02-17", "Ngày Đăng : 17/02/2021", 2)
