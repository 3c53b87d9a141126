"""Spiders reading saved pages outside a crawl (luutru/process.py `offline_spider`): `luutru
reextract` over the captures of every kind of site, and `check-site --fixtures`.

mypy found both holes: re-extraction trimmed the selector queries of a listing family's
spider on every spider, and the generic family has none (AttributeError on 14 of the 24
bundled sites); a site crawl-url made has no site file at all (UnknownSite)."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest

from archive.store import Archive
from archive.warc import WarcWriter, link_article_capture, warc_path_for
from tests.conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "an_giang"  # a generic-family site file, WebSphere


def _captured(db: Path, site: str, base_url: str) -> None:
    """An archive holding one article of `site` whose row an older parser wrote, with the
    saved page as its WARC capture."""
    page = next(p for p in tomllib.loads((FIXTURES / "index.toml").read_text())["pages"]
                if p["kind"] == "article")
    url = page["url"]
    with WarcWriter(warc_path_for(db, site)) as writer:
        ref = writer.write_exchange(
            url=url, status=200, body=(FIXTURES / page["file"]).read_bytes(),
            response_headers=[("Content-Type", "text/html; charset=utf-8")])
    with Archive(db) as archive:
        run_id = archive.start_run(site, base_url)
        _, article_id = archive.store_article(
            {"site": site, "canonical_url": url, "url": url, "title": "Tiêu đề cũ",
             "text": "Văn bản do bộ phân tích cũ rút ra", "content_hash": "old",
             "categories": [], "fetched_at": "2024-04-21T09:00:00+00:00"}, run_id)
        link_article_capture(archive, article_id, ref.as_dict())
        archive.finish_run(run_id, "finished", {})


@pytest.mark.parametrize("site", ["an_giang", "generic_truongchinhtri_angiang_gov_vn"],
                         ids=["generic family", "crawl-url site"])
def test_reextract_reads_the_captures_of_generic_sites(tmp_path: Path, site: str) -> None:
    db = tmp_path / "g.db"
    _captured(db, site, "https://truongchinhtri.angiang.gov.vn")
    proc = run_cli("reextract", "--db", str(db), "--json", check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    counts = json.loads(proc.stdout)
    assert counts["total"] == 1 and counts["failed"] == counts["unreadable"] == 0, counts
    assert counts["updated"] + counts["new"] == 1, counts
    titles = [r[0] for r in sqlite3.connect(db).execute("SELECT title FROM articles")]
    assert any(t != "Tiêu đề cũ" for t in titles), titles  # today's parser read the page


def test_check_site_fixtures_with_an_unknown_family_is_one_line(tmp_path: Path) -> None:
    """It used to end in a ValueError traceback (the crawl modes said it in one line)."""
    site_file = tmp_path / "bentre.toml"
    text = (ROOT / "scrapers" / "sites" / "bentre.toml").read_text(encoding="utf-8")
    site_file.write_text(text.replace('cms = "drupal7"', 'cms = "wordpress"'), encoding="utf-8")
    proc = run_cli("check-site", "bentre", "--fixtures", "--site-file", str(site_file),
                   check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("Error: site 'bentre': unknown cms 'wordpress' (known: drupal7"), line
