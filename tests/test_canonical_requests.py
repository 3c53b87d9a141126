"""Canonical before scheduled: one GET per article, however its links are spelled.

The Bến Tre Drupal 7 replica with `link_variants` spells its "Tin khác" links the ways shared
links come back into real blocks: `?utm_source=tinkhac`, `&fbclid=`, `/node/N`, the live host
(www., https), raw Unicode with a trailing slash, lower-case %-hex. The replica server's own
request log counts the GETs per node; the fetch log must say why each spelling was not fetched.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from w3lib.url import safe_url_string

from replicas import drupal7
from replicas.bentre import build_site
from replicas.server import ReplicaServer
from tests.conftest import crawl, crawl_then_kill

N_ARTICLES = 40
_HREF = re.compile(r'<a href="([^"]+)"')


def node_of(site, target: str) -> int | None:
    """The node a request target (`/path?query`) served, as the replica routes it."""
    path = target.split("?")[0]
    match = re.fullmatch(r"/node/(\d+)/?", path)
    nid = int(match.group(1)) if match else site.lookup(unquote(path).strip("/"))
    return nid if nid in site.nodes else None


def article_gets(site, requests: list[tuple[str, str]]) -> Counter[int]:
    return Counter(
        nid for method, target in requests
        if method == "GET" and (nid := node_of(site, target)) is not None
    )


def variant_links(site, base: str) -> dict[str, int]:
    """Every "Tin khác" link as the spider sees it -> node: absolute, %-encoded, and a link to
    the live host (www., https) moved onto the crawled host, as the spider moves it."""
    origin = urlsplit(base)
    links: dict[str, int] = {}
    for nid in site.related:
        for href in _HREF.findall(drupal7.tin_khac_html(site, nid)):
            parts = urlsplit(urljoin(base + "/", href.replace("&amp;", "&")))
            parts = parts._replace(scheme=origin.scheme, netloc=origin.netloc)
            url = safe_url_string(parts.geturl())
            parts = urlsplit(url)
            links[url] = node_of(site, parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


@pytest.fixture(scope="module")
def variant_crawl(tmp_path_factory):
    site = build_site(n_articles=N_ARTICLES, link_variants=True)
    db = tmp_path_factory.mktemp("canonical") / "variants.db"
    with ReplicaServer(site) as server:
        summary = crawl(server.url, db)
        requests = list(server.requests)
        base = server.url
    return site, db, summary, requests, base


def test_replica_links_carry_every_spelling(variant_crawl):
    site = variant_crawl[0]
    hrefs = [h for nid in site.related for h in _HREF.findall(drupal7.tin_khac_html(site, nid))]
    assert any("utm_source=tinkhac" in h and "fbclid=" not in h for h in hrefs)
    assert any("&amp;fbclid=" in h for h in hrefs)
    assert any(re.fullmatch(r"/node/\d+", h) for h in hrefs)
    assert any(h.startswith("https://www.") for h in hrefs)
    assert any(h.endswith("/") and not h.isascii() for h in hrefs)
    assert any(re.search(r"%[0-9a-f]?[a-f]", h) and not re.search(r"%[0-9A-F]?[A-F]", h)
               for h in hrefs)
    # The default replica is unchanged: plain aliases and a few /node/N links only.
    plain = build_site(n_articles=N_ARTICLES)
    default = [h for nid in plain.related for h in _HREF.findall(drupal7.tin_khac_html(plain, nid))]
    assert not any("?" in h or h.startswith("http") or h.endswith("/") for h in default)


def test_one_get_per_article(variant_crawl):
    site, _, summary, requests, _ = variant_crawl
    assert summary["status"] == "finished"
    gets = article_gets(site, requests)
    twice = {nid: n for nid, n in gets.items() if n > 1}
    assert not twice, f"articles fetched more than once: {twice}"
    assert {a.nid for a in site.articles} <= set(gets)


def test_every_article_archived_once(variant_crawl):
    site, db, summary, _, _ = variant_crawl
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT canonical_url, node_id FROM articles").fetchall()
    assert len(rows) == len(site.articles) == summary["new"]
    assert len({r[0] for r in rows}) == len(rows)
    assert {r[1] for r in rows} == {a.nid for a in site.articles}
    assert summary["duplicate"] == 0  # nothing was fetched only to be collapsed afterwards


def test_every_other_spelling_is_recorded_skipped_same_article(variant_crawl):
    site, db, _, _, base = variant_crawl
    conn = sqlite3.connect(db)
    log = {url: (outcome, reason, kind) for url, outcome, reason, kind in conn.execute(
        "SELECT url, outcome, reason, kind FROM fetch_log")}
    (rows,) = conn.execute("SELECT count(*) FROM fetch_log").fetchone()
    assert rows == len(log)  # one row per URL
    fetched = {nid: url for url, nid in (
        (r[0], node_of(site, r[0].split(urlsplit(base).netloc, 1)[1]))
        for r in conn.execute("SELECT url FROM fetch_log WHERE outcome = 'stored'")
    )}
    variants = {url: nid for url, nid in variant_links(site, base).items()
                if url != fetched.get(nid)}
    assert len(variants) > 2 * N_ARTICLES
    for url, nid in variants.items():
        outcome, reason, kind = log.get(url, (None, None, None))
        assert (outcome, kind) == ("skipped", "article"), (url, outcome, reason)
        assert reason.startswith("same_article:"), (url, reason)
        # The reason names the article the link stands for.
        named = reason.split(":", 1)[1]
        assert node_of(site, "/" + named.split("/", 3)[3]) == nid, (url, reason)


def test_killed_and_resumed_crawl_fetches_no_stored_article_again(tmp_path):
    site = build_site(n_articles=N_ARTICLES, link_variants=True)
    db = tmp_path / "kill.db"
    with ReplicaServer(site) as server:
        stored = crawl_then_kill(server.url, db, 15)
        assert 15 <= stored < N_ARTICLES, "the crawl should be killed half-way"
        with sqlite3.connect(db) as conn:
            before = {r[0] for r in conn.execute("SELECT node_id FROM articles")}
        start = len(server.requests)
        resumed = crawl(server.url, db)
        again = article_gets(site, server.requests[start:])
    assert resumed["status"] == "finished"
    refetched = {nid: n for nid, n in again.items() if nid in before}
    assert not refetched, f"stored articles fetched again after the resume: {refetched}"
    assert all(n == 1 for n in again.values()), again
    conn = sqlite3.connect(db)
    nodes = [r[0] for r in conn.execute("SELECT node_id FROM articles")]
    assert sorted(nodes) == sorted({a.nid for a in site.articles})
