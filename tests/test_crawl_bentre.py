"""End to end: the Bến Tre replica crawled through the real Scrapy engine into real SQLite."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from urllib.parse import quote

import pytest

from archive.export import EXPORT_FIELDS
from archive.urls import canonicalize_url
from pipelines.text import clean_line, clean_text
from scrapers.sites import get_site
from tests.conftest import crawl, run_cli

SITE = get_site("bentre")
CLOCK = re.compile(r"(Chủ nhật|Thứ \w+), \d{1,2} Tháng \d{1,2}, \d{4} - \d{2}:\d{2}")


def live_url(path: str) -> str:
    return canonicalize_url(SITE.base_url + quote(path), origin=SITE.base_url, aliases=SITE.aliases)


@pytest.fixture(scope="module")
def rows(bentre_archive):
    db, _ = bentre_archive
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield {r["canonical_url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    conn.close()


def test_every_article_archived_once(bentre_site, bentre_archive, rows):
    _, summary = bentre_archive
    assert summary["status"] == "finished"
    assert len(bentre_site.articles) >= 150
    assert summary["new"] == len(bentre_site.articles) == len(rows)
    expected = {live_url(a.path) for a in bentre_site.articles}
    assert set(rows) == expected


def test_canonical_urls_name_the_live_site_not_the_mirror(rows):
    assert all(url.startswith(SITE.base_url + "/") for url in rows)


def test_titles_bylines_and_text_match_the_pages(bentre_site, rows):
    for art in bentre_site.articles:
        row = rows[live_url(art.path)]
        assert row["title"] == clean_line(art.title), art.path
        assert row["text"] == clean_text("\n\n".join(art.paragraphs)), art.path
        assert row["author"] == clean_line(art.author), art.path
        assert row["author_role"] == clean_line(art.role), art.path


def test_publication_date_comes_from_the_listing_never_the_clock(bentre_site, rows):
    for art in bentre_site.articles:
        row = rows[live_url(art.path)]
        assert row["published_at"] == art.published.isoformat(), art.path
        assert row["published_source"] == "listing"
        assert row["published_precision"] == "day"
        assert "Ngày Đăng" in row["published_raw"]


def test_no_page_chrome_in_any_text(rows):
    for row in rows.values():
        text = row["text"]
        assert not CLOCK.search(text), row["canonical_url"]
        assert "Tin khác" not in text
        assert "Taxonomy upgrade extras" not in text
        assert "Kỷ niệm 114 năm Ngày Quốc tế Phụ nữ" not in text  # the scrolling banner
        assert "\u00ad" not in text and "\u200b" not in text and "\u00a0" not in text
        assert "Ð" not in text and "Ð" not in row["title"]
        assert "  " not in text


def test_archive_hygiene_over_the_whole_crawl(rows):
    """Issue 3's bar for every stored field: NFC, no invisible or look-alike characters, no
    doubled spaces, and no date that is the crawl day (a render clock leaking through)."""
    import unicodedata

    for row in rows.values():
        crawl_day = row["first_seen"][:10]
        for field in ("title", "text", "author", "author_role"):
            value = row[field] or ""
            assert unicodedata.is_normalized("NFC", value), (field, row["canonical_url"])
            assert not set(value) & {"\u00ad", "\u200b", "\u00d0", "\ufeff", "\u00a0"}
            assert "  " not in value
        assert row["published_at"] != crawl_day
        assert row["published_confidence"] == 0.9  # a listing date


def test_traps_present_in_the_replica(bentre_site):
    traps = Counter(t for a in bentre_site.articles for t in a.traps)
    for trap in (
        "eth",
        "cross_posted",
        "node_link",
        "curly_quotes_alias",
        "all_caps_title",
        "initials_byline",
        "nfd_text",
        "zero_width",
    ):
        assert traps[trap] >= 1, trap


def test_cross_posted_and_node_links_are_one_article(bentre_site, bentre_archive, rows):
    db, _ = bentre_archive
    conn = sqlite3.connect(db)
    for art in bentre_site.articles:
        if "cross_posted" in art.traps:
            row = rows[live_url(art.path)]
            assert set(art.sections) <= set(json.loads(row["categories"]))
    # Every URL an article was seen under points to one row.
    n_urls = conn.execute("SELECT count(*) FROM article_urls").fetchone()[0]
    assert n_urls >= len(rows)
    conn.close()


def test_fetch_log_gives_each_scheduled_url_one_outcome(bentre_archive):
    db, summary = bentre_archive
    conn = sqlite3.connect(db)
    run_id = summary["run_id"]
    dup = conn.execute(
        "SELECT url, count(*) FROM fetch_log WHERE run_id=? GROUP BY url HAVING count(*) > 1",
        (run_id,),
    ).fetchall()
    assert dup == []
    outcomes = dict(
        conn.execute(
            "SELECT outcome, count(*) FROM fetch_log WHERE run_id=? AND kind != 'attachment' "
        "GROUP BY outcome",
        (run_id,),
        ).fetchall()
    )
    assert outcomes.get("stored") == summary["new"]
    assert outcomes.get("crawled", 0) >= 4  # both sections, several pages each
    assert outcomes.get("failed", 0) == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    run = conn.execute("SELECT status, items_new FROM runs WHERE id=?", (run_id,)).fetchone()
    assert run == ("finished", summary["new"])
    conn.close()


def test_search_with_and_without_diacritics(bentre_archive):
    db, _ = bentre_archive
    folded = json.loads(run_cli("search", "sinh hoat chi bo", "--db", str(db), "--json").stdout)
    exact = json.loads(run_cli("search", "sinh hoạt chi bộ", "--db", str(db), "--json").stdout)
    assert folded and exact
    assert {h["url"] for h in folded} == {h["url"] for h in exact}
    for hit in folded:
        assert {"url", "title", "published_at", "site", "snippet"} <= set(hit)
    top = folded[0]
    assert "sinh hoạt chi bộ" in (top["title"] + top["snippet"]).lower()
    dang = json.loads(run_cli("search", "dang uy", "--db", str(db), "--json").stdout)
    assert dang and any("Đảng ủy" in h["snippet"] or "Đảng ủy" in h["title"] for h in dang)


def test_search_filters_by_date(bentre_archive):
    db, _ = bentre_archive
    hits = json.loads(
        run_cli(
            "search",
            "truong chinh tri",
            "--db",
            str(db),
            "--since",
            "2016",
            "--until",
            "2018",
            "--limit",
            "100",
            "--json",
        ).stdout
    )
    assert hits
    assert all("2016-01-01" <= h["published_at"][:10] <= "2018-12-31" for h in hits)


def test_export_jsonl_fields(bentre_archive, bentre_site):
    db, _ = bentre_archive
    lines = run_cli("export", "--db", str(db), "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(bentre_site.articles)
    for rec in records:
        assert list(rec) == list(EXPORT_FIELDS)
        assert rec["site"] == "bentre" and rec["title"] and rec["text"] and rec["content_hash"]
        assert isinstance(rec["categories"], list)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["published_at"])


def test_export_csv_to_file_with_bom(bentre_archive, tmp_path):
    db, _ = bentre_archive
    out = tmp_path / "out.csv"
    run_cli("export", "--db", str(db), "--format", "csv", "--bom", "--output", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\n", 1)[0].decode()
    assert header.startswith("site,url,")


def test_stats_counts_per_site(bentre_archive, bentre_site):
    db, _ = bentre_archive
    stats = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    (row,) = stats
    assert row["site"] == "bentre"
    assert row["articles"] == len(bentre_site.articles)
    assert row["with_date"] == 1.0
    years = Counter(str(a.published.year) for a in bentre_site.articles)
    assert {str(k): v for k, v in row["per_year"].items()} == dict(years)


def test_recrawl_finds_everything_unchanged(bentre_server, bentre_site, tmp_path):
    """The header clock changes on every request; it must not make articles look changed."""
    db = tmp_path / "twice.db"
    first = crawl(bentre_server.url, db, "--max-pages", "2")
    refreshed = crawl(bentre_server.url, db, "--max-pages", "2", "--refresh")
    assert first["new"] > 0
    assert refreshed["new"] == 0 and refreshed["updated"] == 0
    assert refreshed["unchanged"] == first["new"]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT max(revision) FROM articles").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM revisions").fetchone() == (first["new"],)


def test_incremental_recrawl_of_an_unchanged_site_costs_a_page_per_section(bentre_server,
                                                                           tmp_path):
    db = tmp_path / "inc.db"
    first = crawl(bentre_server.url, db)
    again = crawl(bentre_server.url, db)
    assert first["status"] == again["status"] == "finished"
    assert again["new"] == again["updated"] == again["unchanged"] == 0
    assert again["pages"] == len(SITE.sections) + 1  # robots.txt + first page of each section
    conn = sqlite3.connect(db)
    log = conn.execute("SELECT kind, outcome FROM fetch_log WHERE run_id = ?",
                       (again["run_id"],)).fetchall()
    assert log == [("listing", "crawled")] * len(SITE.sections)
