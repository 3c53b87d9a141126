"""Export (JSONL, CSV) field order and encoding, and per-site stats numbers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from archive.db import open_reader
from archive.export import EXPORT_FIELDS, iter_records, write_csv, write_jsonl
from archive.stats import site_stats
from archive.store import Archive
from tests.records import article_record


def rec(site: str, n: int, **over: Any) -> dict[str, Any]:
    """A record whose title and text carry the characters CSV and JSON must keep."""
    return article_record(site, n, **{"title": f"Bài {n}: “Đảng” và Đoàn",
                                      "text": f"Đoạn một, có dấu phẩy.\n\nĐoạn hai của bài {n}.",
                                      **over})


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as a:
        a.upsert_site({"slug": "hanoi", "name": "Trường Chính trị Hà Nội"})
        a.upsert_site({"slug": "hue", "name": "Trường Chính trị Thừa Thiên Huế"})
        a.upsert_site({"slug": "empty", "name": "Chưa thu thập"})
        run = a.start_run("hanoi", "https://hanoi.vn")
        a.store_article(rec("hanoi", 1, published_at="2021-03-15", published_precision="day",
                            published_source="listing", published_raw="15/03/2021",
                            author="ThS. Nguyễn Văn A", author_role="Giảng viên"), run)
        a.store_article(rec("hanoi", 2, published_at="2022-07-01T08:30:00+07:00",
                            published_precision="minute", published_source="article_meta",
                            published_raw="01/07/2022 08:30"), run)
        a.store_article(rec("hanoi", 3, published_at="2022-12-31", published_source="listing",
                            author="Trần B"), run)
        a.store_article(rec("hanoi", 4, categories=[]), run)
        a.finish_run(run, "finished", {"pages": 4, "items_new": 4})
        run2 = a.start_run("hanoi", "https://hanoi.vn")
        a.finish_run(run2, "interrupted", {"pages": 1})
        hue_run = a.start_run("hue", "https://hue.vn")
        # No printed date; the body mentions the school's founding: never the publication date.
        a.store_article(rec("hue", 1, date_mentioned="1947-03-07",
                            date_mentioned_text="Trường được thành lập ngày 07/3/1947."),
                        hue_run)
    return path


def test_iter_records_order_and_values(db_path: Path) -> None:
    conn = open_reader(db_path)
    records = list(iter_records(conn))
    assert [(r["site"], r["url"]) for r in records] == [
        ("hanoi", "https://hanoi.vn/bai/1"), ("hanoi", "https://hanoi.vn/bai/2"),
        ("hanoi", "https://hanoi.vn/bai/3"), ("hanoi", "https://hanoi.vn/bai/4"),
        ("hue", "https://hue.vn/bai/1")]
    first = records[0]
    assert tuple(first) == EXPORT_FIELDS
    assert first["original_url"] == "https://hanoi.vn/node/1"
    assert first["categories"] == ["Tin tức", "Nghiên cứu"]
    assert first["author"] == "ThS. Nguyễn Văn A" and first["author_role"] == "Giảng viên"
    assert first["published_raw"] == "15/03/2021"
    assert records[3]["categories"] == []
    assert [r["url"] for r in iter_records(conn, site="hue")] == ["https://hue.vn/bai/1"]
    hue = records[4]
    assert hue["published_at"] is None and hue["published_source"] is None
    assert hue["date_mentioned"] == "1947-03-07"
    assert hue["date_mentioned_text"] == "Trường được thành lập ngày 07/3/1947."
    assert first["date_mentioned"] is None
    # the mentioned date stays out of the date filters
    assert [r["site"] for r in iter_records(conn, since="1940", until="1950")] == []
    assert list(iter_records(conn, site="nowhere")) == []
    conn.close()


def test_iter_records_pages_through_everything(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as a, a.transaction():
        for site in ("b", "a"):
            for n in range(23):
                a.store_article(rec(site, n), None)
    conn = open_reader(path)
    urls = [r["url"] for r in iter_records(conn, page_size=5)]  # pages cross sites
    assert len(urls) == len(set(urls)) == 46
    assert [u.split("/")[2] for u in urls] == ["a.vn"] * 23 + ["b.vn"] * 23
    assert len(list(iter_records(conn, site="b", page_size=5))) == 23
    conn.close()


def test_jsonl(db_path: Path) -> None:
    conn = open_reader(db_path)
    buf = io.StringIO()
    assert write_jsonl(iter_records(conn), buf) == 5
    lines = buf.getvalue().splitlines()
    assert len(lines) == 5
    obj = json.loads(lines[0])
    assert list(obj) == list(EXPORT_FIELDS)
    assert obj["categories"] == ["Tin tức", "Nghiên cứu"]
    assert "Đảng" in lines[0]  # UTF-8, not \u-escaped
    assert obj["text"] == "Đoạn một, có dấu phẩy.\n\nĐoạn hai của bài 1."
    conn.close()


@pytest.mark.parametrize("bom", [False, True])
def test_csv(db_path: Path, tmp_path: Path, bom: bool) -> None:
    conn = open_reader(db_path)
    out = tmp_path / "out.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        assert write_csv(iter_records(conn), fh, bom=bom) == 5
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is bom
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == EXPORT_FIELDS
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["categories"] == "Tin tức; Nghiên cứu"
    assert first["title"] == "Bài 1: “Đảng” và Đoàn"
    assert first["text"] == "Đoạn một, có dấu phẩy.\n\nĐoạn hai của bài 1."
    assert dict(zip(rows[0], rows[2], strict=True))["author"] == ""  # None -> empty
    assert len(rows) == 6
    conn.close()


def test_site_stats(db_path: Path) -> None:
    conn = open_reader(db_path)
    stats = {s["site"]: s for s in site_stats(conn)}
    assert list(stats) == ["empty", "hanoi", "hue"]
    h = stats["hanoi"]
    assert h["name"] == "Trường Chính trị Hà Nội"
    assert h["articles"] == 4
    assert h["with_date"] == 0.75
    assert h["with_author"] == 0.5
    assert h["first_published"] == "2021-03-15"
    assert h["last_published"] == "2022-12-31"
    assert h["per_year"] == {2021: 1, 2022: 2}
    assert h["date_sources"] == {"listing": 2, "article_meta": 1}
    assert h["last_run"]["status"] == "interrupted"
    assert h["last_run"]["finished_at"] is not None
    u = stats["hue"]
    assert (u["articles"], u["with_date"], u["with_author"]) == (1, 0.0, 0.0)
    assert u["last_run"]["status"] == "running" and u["last_run"]["finished_at"] is None
    assert u["per_year"] == {} and u["date_sources"] == {}
    e = stats["empty"]
    assert (e["articles"], e["with_date"], e["last_run"], e["per_year"]) == (0, 0.0, None, {})
    conn.close()


def _old_archive(path: Path) -> None:
    """An archive as written before `date_mentioned`: a body mention stored as the date."""
    import sqlite3

    with Archive(path) as a:
        a.upsert_site({"slug": "hue", "name": "Huế"})
        a.store_article(rec("hue", 1, text="Ngày 7/3/1947, Trường Đảng tỉnh được thành lập. "
                            "Những lớp học đầu tiên.\n\nĐoạn hai."), None)
        a.store_article(rec("hue", 2, published_at="2021-03-15", published_source="listing",
                            published_raw="15/03/2021"), None)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET published_at = '1947-03-07', published_precision = 'day', "
                 "published_source = 'body_mention', published_raw = '7/3/1947', "
                 "published_confidence = 0.4 WHERE canonical_url LIKE '%/1'")
    conn.execute("ALTER TABLE articles DROP COLUMN date_mentioned")
    conn.execute("ALTER TABLE articles DROP COLUMN date_mentioned_text")
    conn.commit()
    conn.close()


def test_old_archive_exports_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_archive(path)
    # a reader never migrates: the new columns read as empty
    conn = open_reader(path)
    before = list(iter_records(conn))
    conn.close()
    assert [r["date_mentioned"] for r in before] == [None, None]
    assert before[0]["published_source"] == "body_mention"
    # the next writer moves body mentions out of the publication date, once
    Archive(path).close()
    conn = open_reader(path)
    after = {r["url"]: r for r in iter_records(conn)}
    conn.close()
    memoir = after["https://hue.vn/bai/1"]
    assert (memoir["published_at"], memoir["published_source"]) == (None, None)
    assert memoir["date_mentioned"] == "1947-03-07"
    assert memoir["date_mentioned_text"] == "Ngày 7/3/1947, Trường Đảng tỉnh được thành lập."
    dated = after["https://hue.vn/bai/2"]
    assert (dated["published_at"], dated["date_mentioned"]) == ("2021-03-15", None)


def test_update_without_mention_fields_keeps_them(tmp_path: Path) -> None:
    """A writer that does not compute the mention (WARC re-extraction) leaves it in place."""
    path = tmp_path / "a.db"
    with Archive(path) as a:
        a.store_article(rec("hue", 1, date_mentioned="1947-03-07", date_mentioned_text="x"), None)
        outcome, _ = a.store_article(rec("hue", 1, content_hash="changed"), None)
        assert outcome == "updated"
        row = a.conn.execute("SELECT date_mentioned, date_mentioned_text FROM articles").fetchone()
        assert tuple(row) == ("1947-03-07", "x")
        a.store_article(rec("hue", 1, content_hash="again", date_mentioned=None,
                            date_mentioned_text=None), None)
        row = a.conn.execute("SELECT date_mentioned FROM articles").fetchone()
        assert tuple(row) == (None,)
