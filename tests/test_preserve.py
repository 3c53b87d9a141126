"""Fixity (`luutru verify`) and re-extraction from stored WARCs (`luutru reextract`)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from archive.store import Archive
from archive.warc import WarcWriter, link_article_capture, warc_path_for
from luutru.preserve import verify
from luutru.reextract import reextract
from pipelines.attachments import store_attachment
from tests.conftest import crawl, run_cli
from tests.test_attachments import DOCX, PDF, attachment_site, needs_wiring  # noqa: F401
from tests.test_fetch_log import ARTICLE

BASE = "http://127.0.0.1:8000"


def _archive_with_capture(tmp_path: Path) -> tuple[Path, int]:
    """An archive whose one article was built by an older parser from a captured page."""
    db = tmp_path / "p.db"
    page = ARTICLE.format(slug="bai-mot", nid=1, title="Bài một").encode()
    with WarcWriter(warc_path_for(db, "bentre")) as writer:
        ref = writer.write_exchange(
            url=f"{BASE}/content/bai-mot", status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page)
    with Archive(db) as archive:
        run_id = archive.start_run("bentre", BASE)
        _, article_id = archive.store_article(
            {"site": "bentre", "canonical_url": "https://truongchinhtribentre.edu.vn/content/"
             "bai-mot", "url": f"{BASE}/content/bai-mot", "node_id": 1, "title": "Bài một",
             "text": "Văn bản do bộ phân tích cũ rút ra", "content_hash": "old",
             "published_raw": "Ngày Đăng : 17/02/2021", "categories": [],
             "fetched_at": "2024-04-21T09:00:00+00:00"}, run_id)
        link_article_capture(archive, article_id, ref.as_dict())
        store_attachment(archive, tmp_path, article_id=article_id, url=f"{BASE}/a.pdf",
                         data=PDF)
        archive.finish_run(run_id, "finished", {})
    return db, article_id


def test_reextract_applies_the_current_parser_to_old_captures(tmp_path):
    db, article_id = _archive_with_capture(tmp_path)
    assert reextract(db) == {"total": 1, "updated": 1}
    conn = sqlite3.connect(db)
    text, published, last_seen = conn.execute(
        "SELECT text, published_at, last_seen FROM articles WHERE id=?", (article_id,)).fetchone()
    assert text == "Bài một: nội dung sinh hoạt chi bộ của Đảng bộ Trường."
    assert published == "2021-02-17"
    assert last_seen == "2024-04-21T09:00:00+00:00"  # not a new sighting of the page
    assert reextract(db) == {"total": 1, "unchanged": 1}
    assert reextract(db, site="other") == {}


def test_reextract_reports_unreadable_captures(tmp_path):
    db, article_id = _archive_with_capture(tmp_path)
    with Archive(db) as archive:
        archive.conn.execute("UPDATE articles SET warc_offset = 3 WHERE id=?", (article_id,))
    assert reextract(db) == {"total": 1, "unreadable": 1}
    proc = run_cli("reextract", "--db", str(db), "--json", check=False)
    assert proc.returncode == 5 and json.loads(proc.stdout)["unreadable"] == 1


def test_verify_finds_changed_attachments_and_warcs(tmp_path):
    db, _ = _archive_with_capture(tmp_path)
    report = verify(db)
    assert report.ok, report.problems
    assert (report.warc_files, report.attachments, report.articles_linked) == (1, 1, 1)
    assert report.warc_records == 3 and report.unrecorded_warcs == []
    # An attachment edited on disk, another one missing.
    (path,) = tmp_path.glob("attachments/*/*.pdf")
    path.write_bytes(PDF + b"\n% edited")
    with Archive(db) as archive:
        archive.conn.execute(
            "INSERT INTO attachments (sha256, mime, size, path) VALUES ('ab', 'x', 1, "
            "'attachments/ab/ab.bin')")
    # A WARC file with a byte changed.
    (warc,) = tmp_path.glob("warc/*.warc.gz")
    data = bytearray(warc.read_bytes())
    data[-40] ^= 0x01
    warc.write_bytes(bytes(data))
    kinds = {p.kind for p in verify(db).problems}
    assert {"attachment_changed", "attachment_missing", "warc_changed"} <= kinds
    assert kinds & {"warc_broken", "warc_digest"}
    proc = run_cli("verify", "--db", str(db), check=False)
    assert proc.returncode == 5 and "attachment_changed" in proc.stdout
    data = json.loads(run_cli("verify", "--db", str(db), "--json", check=False).stdout)
    assert data["ok"] is False and data["problems"]


def test_cli_errors_are_one_line(tmp_path):
    proc = run_cli("verify", "--db", str(tmp_path / "none.db"), check=False)
    assert proc.returncode != 0 and "no archive at" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    for command in ("verify", "reextract"):
        assert "Example:" in run_cli(command, "--help").stdout


@needs_wiring
def test_crawl_then_reextract_gives_the_same_articles(bentre_server, tmp_path):
    db = tmp_path / "bentre.db"
    summary = crawl(bentre_server.url, db)
    conn = sqlite3.connect(db)
    (n,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    before = conn.execute("SELECT id, content_hash, text FROM articles ORDER BY id").fetchall()
    assert n == summary["new"] and n > 100
    assert conn.execute(
        "SELECT count(*) FROM articles WHERE warc_record_id IS NULL").fetchone() == (0,)
    counts = json.loads(run_cli("reextract", "--db", str(db), "--json").stdout)
    assert counts["total"] == n and counts["unchanged"] == n, counts
    # An article left by an older parser is rebuilt from its capture.
    conn.execute("UPDATE articles SET text='cũ', content_hash='old' WHERE id=?", (before[0][0],))
    conn.commit()
    counts = json.loads(run_cli("reextract", "--db", str(db), "--json").stdout)
    assert counts["updated"] == 1 and counts["unchanged"] == n - 1
    after = conn.execute("SELECT id, content_hash, text FROM articles ORDER BY id").fetchall()
    assert after == before
    conn.close()
    assert run_cli("verify", "--db", str(db)).returncode == 0
    _pool_stores_what_one_process_stores(db, [row[0] for row in before], tmp_path)


def _pool_stores_what_one_process_stores(db: Path, ids: list[int], tmp_path: Path) -> None:
    """The same archive re-extracted by one process and by a pool of two workers (one writer)
    ends byte-for-byte the same, with outcomes reported in article order."""
    stale = ids[1:5] + ids[-3:]
    folders = {}
    for workers in (1, 2):
        folder = tmp_path / f"workers-{workers}"
        folder.mkdir()
        shutil.copy(db, folder / db.name)
        shutil.copytree(db.parent / "warc", folder / "warc")
        conn = sqlite3.connect(folder / db.name)
        conn.executemany("UPDATE articles SET text='cũ', content_hash='old' WHERE id=?",
                         [(i,) for i in stale])
        conn.commit()
        conn.close()
        seen: list[tuple[int, str]] = []
        counts = reextract(folder / db.name, workers=workers,
                           on_article=lambda *pair, out=seen: out.append(pair))
        assert counts == {"total": len(ids), "updated": len(stale),
                          "unchanged": len(ids) - len(stale)}, (workers, counts)
        assert [art for art, _ in seen] == ids
        assert {art for art, outcome in seen if outcome == "updated"} == set(stale)
        folders[workers] = folder / db.name
    tables = {}
    for workers, path in folders.items():
        conn = sqlite3.connect(path)
        tables[workers] = (
            conn.execute("SELECT * FROM articles ORDER BY id").fetchall(),
            conn.execute("SELECT article_id, revision, title, text, content_hash, fetched_at "
                         "FROM revisions ORDER BY article_id, revision").fetchall(),
        )
        conn.close()
    assert tables[1] == tables[2]


@needs_wiring
def test_verify_after_a_crawl_with_attachments(attachment_site, tmp_path):  # noqa: F811
    url, _ = attachment_site
    db = tmp_path / "site.db"
    crawl(url, db)
    report = json.loads(run_cli("verify", "--db", str(db), "--json").stdout)
    assert report["ok"] and report["attachments"] == 4 and report["articles_linked"] == 2
    (docx,) = tmp_path.glob("attachments/*/*.docx")
    assert docx.read_bytes() == DOCX
    docx.write_bytes(DOCX[:-1])
    proc = run_cli("verify", "--db", str(db), check=False)
    assert proc.returncode == 5 and docx.name in proc.stdout

