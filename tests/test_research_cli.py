"""The researcher's commands through the real CLI on a crawled replica: search (json, csv,
table), show, export (jsonl, csv, sqlite), stats --html, and reading while a crawl writes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def db(bentre_archive) -> Path:
    return bentre_archive[0]


def test_search_json_finds_dang_uy_without_diacritics(db: Path) -> None:
    hits = json.loads(run_cli("search", "dang uy", "--db", str(db), "--json").stdout)
    assert hits and "Đảng ủy" in hits[0]["title"] and "[Đảng ủy]" in hits[0]["snippet"]
    assert list(hits[0]) == ["id", "url", "title", "published_at", "site", "author", "snippet",
                             "score"]


def test_search_options(db: Path) -> None:
    base = ["--db", str(db), "--json", "--limit", "1000"]
    everything = json.loads(run_cli("search", "dang uy", *base).stdout)
    dated = json.loads(run_cli("search", "dang uy", *base, "--sort", "date").stdout)
    dates = [h["published_at"] for h in dated if h["published_at"]]
    assert dates == sorted(dates, reverse=True)
    assert {h["id"] for h in dated} == {h["id"] for h in everything}
    window = json.loads(run_cli("search", "dang uy", *base, "--since", "2018",
                                "--until", "2020-06").stdout)
    assert all("2018-01-01" <= h["published_at"][:10] <= "2020-06-30" for h in window)
    author = next(h["author"] for h in everything if h["author"])
    from archive.folding import fold

    by_author = json.loads(run_cli("search", "dang uy", *base, "--author",
                                   fold(author)).stdout)
    assert by_author and all(h["author"] == author for h in by_author)
    exact = json.loads(run_cli("search", "Đảng", *base, "--exact").stdout)
    assert exact
    page = json.loads(run_cli("search", "dang uy", "--db", str(db), "--json", "--limit", "2",
                              "--offset", "1").stdout)
    assert [h["id"] for h in page] == [h["id"] for h in everything[1:3]]


def test_search_csv_and_table(db: Path) -> None:
    out = run_cli("search", "dang uy", "--db", str(db), "--csv", "--limit", "3").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["rank", "id", "url", "title", "published_at", "site", "author",
                       "snippet", "score"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    table = run_cli("search", "dang uy", "--db", str(db), "--limit", "2").stdout
    assert table.startswith("1. ") and "[Đảng ủy]" in table  # brackets when not a terminal


@pytest.mark.parametrize("query", ["", "   ", "\t", '"', "-", "OR"])
def test_search_bad_queries_one_line(db: Path, query: str) -> None:
    proc = run_cli("search", query, "--db", str(db), check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_show(db: Path) -> None:
    hit = json.loads(run_cli("search", "dang uy", "--db", str(db), "--json",
                             "--limit", "1").stdout)[0]
    article = json.loads(run_cli("show", str(hit["id"]), "--db", str(db), "--json").stdout)
    assert article["canonical_url"] == hit["url"]
    for key in ("urls", "published_raw", "published_source", "first_seen", "last_seen",
                "first_run", "last_run", "warc_file", "content_hash", "text"):
        assert key in article
    assert hit["url"] in article["urls"] and article["first_run"] >= 1
    text = run_cli("show", hit["url"], "--db", str(db)).stdout
    assert text.splitlines()[0] == article["title"]
    assert "published:" in text and "first seen:" in text and article["text"][:40] in text
    missing = run_cli("show", "https://nowhere.example/x", "--db", str(db), check=False)
    assert missing.returncode == 1 and "no article" in missing.stderr


def test_export_formats_and_filters(db: Path, tmp_path: Path) -> None:
    from archive.export import EXPORT_FIELDS

    lines = run_cli("export", "--db", str(db), "--since", "2019", "--until", "2020").stdout
    records = [json.loads(x) for x in lines.splitlines()]
    assert records and all(list(r) == list(EXPORT_FIELDS) for r in records)
    assert all("2019" <= r["published_at"][:4] <= "2020" for r in records)
    out = tmp_path / "a.csv"
    run_cli("export", "--db", str(db), "--format", "csv", "--bom", "-o", str(out),
            "--category", "tin tuc - su kien")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_FIELDS and len(rows) > 1
    subset = tmp_path / "subset.db"
    run_cli("export", "--db", str(db), "--format", "sqlite", "-o", str(subset),
            "--since", "2019", "--until", "2020")
    with sqlite3.connect(subset) as c:
        assert c.execute("SELECT count(*) FROM articles").fetchone()[0] == len(records)
    hits = json.loads(run_cli("search", "dang uy", "--db", str(subset), "--json").stdout)
    assert hits and all("2019" <= h["published_at"][:4] <= "2020" for h in hits)
    again = run_cli("export", "--db", str(db), "--format", "sqlite", "-o", str(subset),
                    check=False)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = run_cli("export", "--db", str(db), "--since", "yesterday", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_stats_and_html_report(db: Path, tmp_path: Path) -> None:
    rows = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    bentre = next(r for r in rows if r["site"] == "bentre")
    assert bentre["articles"] > 0 and bentre["per_month"] and bentre["date_sources"]
    report = tmp_path / "report.html"
    text = run_cli("stats", "--db", str(db), "--html", str(report)).stdout
    assert "bentre" in text
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "bentre" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "<script" not in page
    first_month = min(bentre["per_month"])
    assert f"{first_month}: {bentre['per_month'][first_month]}" in page


WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE articles SET title = 'Giữa chừng' WHERE id = (SELECT min(id) FROM articles)")
conn.execute("INSERT INTO runs (site, started_at, status) VALUES ('bentre', 'x', 'running')")
print("locked", flush=True)
time.sleep(60)
"""


def test_search_while_a_crawl_writes(db: Path, tmp_path: Path) -> None:
    """A writer holds an open write transaction (WAL): readers see the last commit, at once."""
    copy = tmp_path / "live.db"
    src = sqlite3.connect(db)
    src.execute(f"VACUUM INTO '{copy}'")
    src.close()
    with sqlite3.connect(copy) as c:
        assert c.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(copy)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        hits = json.loads(run_cli("search", "dang uy", "--db", str(copy), "--json").stdout)
        assert hits and time.monotonic() - t0 < 8
        first = json.loads(run_cli("show", "1", "--db", str(copy), "--json").stdout)
        assert first is None or first["title"] != "Giữa chừng"
        run_cli("stats", "--db", str(copy), "--json")
        run_cli("export", "--db", str(copy), "--format", "csv", "-o", str(tmp_path / "x.csv"))
    finally:
        writer.kill()
        writer.wait()
