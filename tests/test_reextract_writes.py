"""Re-extraction writes only what changed (luutru/reextract.py): a result equal to the row is
counted without a write, and the archive still ends exactly as storing every result would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.store import Archive
from archive.warc import WarcWriter, link_article_capture, warc_path_for
from luutru.reextract import reextract
from tests.test_fetch_log import ARTICLE

BASE = "http://127.0.0.1:8000"
LIVE = "https://truongchinhtribentre.edu.vn"
PAGES = [("bai-mot", 1, "Bài một"), ("bai-hai", 2, "Bài hai"), ("bai-ba", 3, "Bài ba")]


def _archive(tmp_path: Path) -> tuple[Path, list[int]]:
    """Three captured articles, stored once by an older parser, then re-extracted once (so every
    row holds what today's parser gives)."""
    db = tmp_path / "w.db"
    with WarcWriter(warc_path_for(db, "bentre")) as writer:
        refs = [writer.write_exchange(
            url=f"{BASE}/content/{slug}", status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=ARTICLE.format(slug=slug, nid=nid, title=title).encode())
            for slug, nid, title in PAGES]
    ids = []
    with Archive(db) as archive:
        run_id = archive.start_run("bentre", BASE)
        for (slug, nid, title), ref in zip(PAGES, refs, strict=True):
            _, article_id = archive.store_article(
                {"site": "bentre", "canonical_url": f"{LIVE}/content/{slug}",
                 "url": f"{BASE}/content/{slug}", "node_id": nid, "title": title,
                 "text": f"Văn bản cũ {nid}", "content_hash": f"old-{nid}",
                 "categories": [], "fetched_at": f"2024-04-2{nid}T09:00:00+00:00"}, run_id)
            link_article_capture(archive, article_id, ref.as_dict())
            ids.append(article_id)
        archive.finish_run(run_id, "finished", {})
    assert reextract(db) == {"total": 3, "updated": 3}
    return db, ids


def _count_writes(db: Path) -> sqlite3.Connection:
    """A trigger in the archive that counts every write to the articles and article_urls rows."""
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE write_probe (tbl TEXT); "
        "CREATE TRIGGER probe_a AFTER UPDATE ON articles "
        "BEGIN INSERT INTO write_probe VALUES ('articles'); END; "
        "CREATE TRIGGER probe_u AFTER INSERT ON article_urls "
        "BEGIN INSERT INTO write_probe VALUES ('article_urls'); END;")
    return conn


def test_an_unchanged_archive_is_not_written(tmp_path):
    db, ids = _archive(tmp_path)
    conn = _count_writes(db)
    seen: list[tuple[int, str]] = []
    assert reextract(db, on_article=lambda *pair: seen.append(pair)) == {
        "total": 3, "unchanged": 3}
    assert seen == [(i, "unchanged") for i in ids]
    assert conn.execute("SELECT count(*) FROM write_probe").fetchone() == (0,)
    # A row the parser now reads differently is written, and only that one.
    conn.execute("UPDATE articles SET text = 'cũ', content_hash = 'cũ' WHERE id = ?", (ids[1],))
    conn.execute("DELETE FROM write_probe")
    conn.commit()
    assert reextract(db) == {"total": 3, "unchanged": 2, "updated": 1}
    writes = conn.execute("SELECT tbl, count(*) FROM write_probe GROUP BY tbl").fetchall()
    assert writes == [("articles", 1)]
    conn.close()


def test_an_unchanged_page_of_a_gone_article_is_stored(tmp_path):
    """Storing clears `gone_at` (the page is there): a row that has it is no shortcut."""
    db, ids = _archive(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE articles SET gone_at = '2025-01-01T00:00:00+00:00' WHERE id = ?",
                 (ids[2],))
    conn.commit()
    assert reextract(db) == {"total": 3, "unchanged": 3}
    gone = conn.execute("SELECT count(*) FROM articles WHERE gone_at IS NOT NULL").fetchone()
    assert gone == (0,)
    conn.close()


def test_a_row_an_earlier_result_wrote_is_stored_again(tmp_path):
    """Article 1's capture is article 2's page: its result lands on row 2 (as a sighting at row
    1's time). Row 2's own result then equals the values it had before that write, yet storing
    it is what puts row 2's time back: the writer knows it touched row 2 and stores it."""
    db, ids = _archive(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE articles SET (warc_file, warc_offset, warc_record_id, warc_digest) = "
        "(SELECT warc_file, warc_offset, warc_record_id, warc_digest FROM articles WHERE id = ?),"
        " last_seen = '2020-01-01T00:00:00+00:00' WHERE id = ?", (ids[1], ids[0]))
    conn.commit()
    before = conn.execute("SELECT * FROM articles ORDER BY id").fetchall()
    seen: list[tuple[int, str]] = []
    assert reextract(db, on_article=lambda *pair: seen.append(pair)) == {
        "total": 3, "unchanged": 3}
    assert seen == [(i, "unchanged") for i in ids]
    assert conn.execute("SELECT * FROM articles ORDER BY id").fetchall() == before
    conn.close()
