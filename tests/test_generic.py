"""The generic fallback (`luutru crawl-url`) on every replica, field by field against the
tailored spider. `benchmarks/generic_vs_tailored.py` runs this measurement and writes the
numbers to docs/benchmarks.md; a plain test run only checks them."""

from __future__ import annotations

import difflib
import json
import os
import re
import sqlite3
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from luutru.crawl_url import generic_site, generic_slug
from replicas.server import ReplicaServer
from replicas.sites import BUILDERS, build
from scrapers.platforms.generic import GenericSpider, find_date
from scrapers.sites import all_sites
from tests.conftest import ROOT, run_cli
from tests.test_generic_offpath import NEW_REPLICAS, crawl_generic, truth_shares

N_ARTICLES = 20
BENCH = ROOT / "docs" / "benchmarks.md"
HEADING = "## Generic fallback vs tailored spiders"
CLOCK = re.compile(r"(Chủ nhật|Thứ \w+), \d{1,2} Tháng \d{1,2}, \d{4} - \d{2}:\d{2}")


def _rows(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {unquote(urlsplit(r["canonical_url"]).path): dict(r)
                for r in conn.execute("SELECT * FROM articles")}
    finally:
        conn.close()


def _crawl_both(slug: str, root: Path) -> dict:
    if slug in NEW_REPLICAS:  # no site file, no tailored spider: the ground truth only
        c = crawl_generic(slug, root, N_ARTICLES)
        return {"summary": c["summary"], "tailored": {}, "db": root / f"{slug}.db",
                "generic": {unquote(urlsplit(r["canonical_url"]).path): r for r in c["rows"]},
                "truth": truth_shares(c["rows"], c["truth"])}
    site = build(slug, N_ARTICLES)
    with ReplicaServer(site) as server:
        tailored, generic = root / f"{slug}-tailored.db", root / f"{slug}-generic.db"
        common = ("--delay", "0", "--concurrency", "4", "--json")
        run_cli("crawl", slug, "--base-url", server.url, "--db", str(tailored), *common)
        summary = json.loads(run_cli("crawl-url", server.url + "/", "--db", str(generic),
                                     *common).stdout)
    generic_rows = _rows(generic)
    return {"summary": summary, "tailored": _rows(tailored), "generic": generic_rows,
            "db": generic, "truth": truth_shares(list(generic_rows.values()), site.articles)}


def agreement(tailored: dict[str, dict], generic: dict[str, dict]) -> dict:
    """Per field, the share of the tailored spider's articles the generic one agrees on."""
    both = [(t, generic[p]) for p, t in tailored.items() if p in generic]
    n = len(both)

    def share(pred) -> float:
        return round(sum(1 for t, g in both if pred(t, g)) / n, 3) if n else 0.0

    sims = [difflib.SequenceMatcher(None, t["text"].split(), g["text"].split(),
                                    autojunk=False).ratio() for t, g in both]
    return {
        "articles": len(tailored),
        "found": round(n / len(tailored), 3) if tailored else 0.0,
        "extra": len([p for p in generic if p not in tailored]),
        "title": share(lambda t, g: t["title"] == g["title"]),
        "date": share(lambda t, g: t["published_at"] == g["published_at"]),
        "day": share(lambda t, g: (t["published_at"] or "")[:10] == (g["published_at"] or "")[:10]),
        "author": share(lambda t, g: (t["author"] or "") == (g["author"] or "")),
        "text": round(statistics.mean(sims), 3) if sims else 0.0,
        "text_90": round(sum(s >= 0.9 for s in sims) / n, 3) if n else 0.0,
    }


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("generic")
    # Tailored families only: a `generic`-family site already runs these rules (with its hints;
    # tests/test_all_schools.py measures those against their replicas).
    slugs = sorted(s for s in set(BUILDERS) & set(all_sites()) if all_sites()[s].cms != "generic")
    slugs += list(NEW_REPLICAS)  # no site file: the generic crawl against the ground truth
    with ThreadPoolExecutor(max_workers=len(slugs)) as pool:
        crawls = dict(zip(slugs, pool.map(lambda s: _crawl_both(s, root), slugs), strict=True))
    return crawls


def _write_benchmarks(results: dict[str, dict]) -> None:
    lines = [
        HEADING, "",
        f"`luutru crawl-url` (no site file: sitemap/feeds/links, trafilatura text, luutru's "
        f"date rules) against the tailored spider of each site, on its replica "
        f"({N_ARTICLES} articles each; `python benchmarks/generic_vs_tailored.py` rewrites "
        "this table). Shares "
        "are of the tailored spider's articles: *found* archived by the generic crawl under "
        "the same URL; *title*, *date* (same value and precision), *day* (same calendar day), "
        "*author* equal after the same pipelines; *text* the mean word-sequence similarity "
        "(difflib ratio), *text ≥ 0.9* the share of texts at least that similar; *extra* pages "
        "the generic crawl stored that the tailored one does not (e.g. an About page). The last "
        "two columns judge the generic crawl against the replica's ground truth instead: "
        "*date ✓* the share of articles whose published day is the one the site printed, "
        "*author ✓* whose author (name as shown) is right, an unsigned article right only "
        "when left without an author (never the posting account). `nukeviet_norewrite` "
        "(NukeViet 4 without URL rewrite, Bắc Giang's facts) and `portal_web` (a provincial "
        "portal like Thanh Hóa's) have no site file and no tailored spider.", "",
        "| site | cms | found | title | date | day | author | text | text ≥ 0.9 | extra "
        "| date ✓ | author ✓ |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for slug, r in sorted(results.items()):
        t = r["truth"]
        if r["articles"] == 0:
            lines.append(
                f"| {slug} | generic only | {t['found']:.0%} | {t['title']:.0%} | – | – | – "
                f"| – | – | {t['extra']} | {t['date']:.0%} | {t['author']:.0%} |")
            continue
        lines.append(
            f"| {slug} | {all_sites()[slug].cms} | {r['found']:.0%} | {r['title']:.0%} | "
            f"{r['date']:.0%} | {r['day']:.0%} | {r['author']:.0%} | {r['text']:.3f} | "
            f"{r['text_90']:.0%} | {r['extra']} | {t['date']:.0%} | {t['author']:.0%} |")
    section = "\n".join(lines) + "\n"
    text = BENCH.read_text(encoding="utf-8") if BENCH.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    BENCH.write_text(text, encoding="utf-8")


def test_generic_agrees_with_the_tailored_spiders(measured):
    results = {slug: {**agreement(c["tailored"], c["generic"]), "truth": c["truth"]}
               for slug, c in measured.items()}
    if os.environ.get("LUUTRU_WRITE_BENCHMARKS"):
        _write_benchmarks(results)
    bentre = results["bentre"]
    assert bentre["found"] == 1.0 and bentre["title"] == 1.0
    assert bentre["day"] >= 0.95 and bentre["author"] >= 0.95 and bentre["text"] >= 0.98
    for slug, r in results.items():
        assert r["truth"]["found"] >= 0.9 and r["truth"]["title"] >= 0.95, (slug, r)
        if slug in NEW_REPLICAS:
            continue
        assert r["found"] >= 0.9, (slug, r)
        assert r["title"] >= 0.95, (slug, r)
        assert r["day"] >= 0.9, (slug, r)
        assert r["text"] >= 0.75, (slug, r)


def test_generic_crawl_is_stored_as_a_generic_site(measured):
    for slug, crawl in measured.items():
        assert crawl["summary"]["status"] == "finished", slug
        conn = sqlite3.connect(crawl["db"])
        (site_slug, cms, status), = conn.execute("SELECT slug, cms, status FROM sites")
        assert site_slug.startswith("generic_127_0_0_1_") and cms == "generic"
        assert status == "active"
        assert {r[0] for r in conn.execute("SELECT DISTINCT site FROM articles")} == {site_slug}
        conn.close()
        for row in crawl["generic"].values():
            assert not CLOCK.search(row["text"]), (slug, row["url"])
            assert "Tin khác" not in row["text"].split("\n")
            assert "Nhảy đến nội dung" not in row["text"]
            assert "Skip to main content" not in row["text"]
            if row["published_source"]:
                assert row["published_source"] in ("article_meta", "listing")


def test_bentre_dates_come_from_listing_rows_never_the_clock(measured):
    rows = measured["bentre"]["generic"].values()
    sources = {r["published_source"] for r in rows if r["published_at"]}
    assert "listing" in sources
    assert all("Tháng" not in (r["published_raw"] or "") for r in rows)


# -- units ---------------------------------------------------------------------------------------


def test_generic_slug_and_site():
    assert generic_slug("https://www.truongchinhtri.camau.gov.vn/vi/") == \
        "generic_truongchinhtri_camau_gov_vn"
    assert generic_slug("http://127.0.0.1:8080/") == "generic_127_0_0_1_8080"
    site = generic_site("https://truongchinhtri.camau.gov.vn/vi/news/")
    assert (site.cms, site.status, site.base_url) == (
        "generic", "active", "https://truongchinhtri.camau.gov.vn")
    with pytest.raises(ValueError):
        generic_site("ftp://x.vn")


@pytest.mark.parametrize(
    ("text", "labelled", "expected"),
    [
        ("Ngày đăng: 18/08/2023 17:20", True, "Ngày đăng: 18/08/2023 17:20"),
        ("Cập nhật: 25/04/2022 22:06 | Lượt xem: 12", True, "Cập nhật: 25/04/2022 22:06"),
        ("Chủ nhật - 04/10/2020 10:53", True, "Chủ nhật - 04/10/2020 10:53"),
        ("Thứ năm, 23 Tháng 3, 2023 - 01:50", False, None),  # the render clock
        ("Thứ Tư, 13/11/2019 - 17:23", True, None),  # unlabelled: only when asked
        ("Thứ Tư, 13/11/2019 - 17:23", False, "Thứ Tư, 13/11/2019 - 17:23"),
    ],
)
def test_find_date(text, labelled, expected):
    assert find_date(text, labelled_only=labelled) == expected


def test_url_shapes():
    assert GenericSpider.is_article_url("http://x.vn/vi/news/tin-hoat-dong/khai-giang-63.html")
    assert GenericSpider.is_article_url("http://x.vn/node/41")
    assert GenericSpider.is_article_url("http://x.vn/content/khai-giảng")
    assert not GenericSpider.is_article_url("http://x.vn/tin-tuc-nha-truong/page-2")
    assert GenericSpider.is_pager_url("http://x.vn/tin-tuc?page=3")
    assert GenericSpider.is_pager_url("http://x.vn/vi/news/tin-hoat-dong/page-2")


def test_sitemap_with_an_external_entity_yields_nothing():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc>&x;</loc></url></urlset>")
    root = GenericSpider._xml_root(xxe)
    locs = [el.text for el in root.iter() if str(el.tag).endswith("loc")] if root is not None \
        else []
    assert not any(loc and "root:" in loc for loc in locs)
