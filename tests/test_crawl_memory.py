"""Memory that grows with a site's size (docs/benchmarks.md, Memory): held article links are
kept as URLs, listing pages run a bounded lookahead ahead of the article requests, and the
benchmark's sampler counts every process of the crawl."""

import gc
import sys
import tracemalloc
from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse

from scrapers.platforms.base import ARTICLE_PRIORITY, LISTING_LOOKAHEAD
from scrapers.spiders import spider_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from memory import run_tree_peak

BASE = "http://127.0.0.1:9"


def _spider():
    return spider_for("bentre")(base_url=BASE)


def test_held_related_links_cost_a_url_each_not_a_request():
    """Thousands of "Tin khác" links wait for the end of the listings: each must cost about
    its URL (was ~1.3 kB as a Request), and come back as the request it was."""
    spider = _spider()
    urls = [f"{BASE}/tin-tuc/bai-viet-so-{i}-hoi-nghi-tong-ket-cong-tac?utm_source=tinkhac"
            for i in range(1500)]
    spider.defer(spider.article_fetch(f"{BASE}/warm-up", {}))  # caches filled outside
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for url in urls:  # made and held as the spider does, the URL string included
            spider.defer(spider.article_fetch(url, {}, claimed=True))
        gc.collect()
        per_link = (tracemalloc.get_traced_memory()[0] - before) / len(urls)
    finally:
        tracemalloc.stop()
    assert per_link < 900, per_link  # held whole as a Request: ~1,360 B (URL memo included)
    assert all(held is None for held in spider._deferred.values())
    # A held link that is not a plain article link (a re-check with validators) stays whole.
    recheck = scrapy.Request(f"{BASE}/a", callback=spider.parse_article,
                             errback=spider.on_error, headers={"If-None-Match": '"x"'},
                             meta={"kind": "article", "refresh": True, "recheck": "due",
                                   "handle_httpstatus_list": [304]},
                             cb_kwargs={"listing": {}})
    spider.defer(recheck)
    assert spider._deferred[recheck.url] is recheck
    # First held wins, as before.
    spider.defer(spider.article_fetch(urls[0], {"section": "x"}))
    assert spider._deferred[urls[0]] is None


def _listing_page(page: int, rows: int = 10) -> HtmlResponse:
    """A Views listing page of the `Tin tức` section, as the spider's own request fetched it."""
    items = "".join(
        f'<div class="views-row"><div class="views-field views-field-title">'
        f'<span class="field-content"><a href="/tin-tuc/bai-{page}-{k}">Bài {page}.{k}</a>'
        f"</span></div></div>" for k in range(rows))
    html = (f'<html><body><div id="block-system-main"><div class="view-content">{items}</div>'
            f'<ul class="pager"><li class="pager-next"><a href="/tin-tuc?page={page}">sau'
            f"</a></li></ul></div></body></html>")
    return HtmlResponse(f"{BASE}/tin-tuc?page={page - 1}", body=html.encode(), encoding="utf-8",
                        request=_LISTINGS[page])


_LISTINGS: dict[int, scrapy.Request] = {}


def test_listing_pages_run_a_bounded_lookahead_ahead_of_articles():
    """The next listing page goes before the rows of the LISTING_LOOKAHEAD pages it follows
    (the downloader never waits on the listing -> pager chain while rows are queued), and
    behind older rows: a scheduler that pops the highest priority first (Scrapy's) holds at
    most LISTING_LOOKAHEAD + 1 pages of rows per section, however long the section."""
    spider = _spider()
    spider.may_follow_listing("Tin tức")
    _LISTINGS[1] = spider.listing_request(f"{BASE}/tin-tuc?page=0", "Tin tức", first=True)
    queue = [_LISTINGS[1]]
    order: list[str] = []
    most_rows = 0
    while queue:  # one download slot: pop the highest priority, parse the page
        most_rows = max(most_rows, sum(r.meta["kind"] == "article" for r in queue))
        request = max(queue, key=lambda r: r.priority)  # first pushed wins a tie
        queue.remove(request)
        order.append(request.meta["kind"])
        page = request.meta.get("page")
        if request.meta["kind"] == "listing" and page <= 30:
            found = [r for r in spider.listing_body(_listing_page(page), "Tin tức", "Tin tức")
                     if isinstance(r, scrapy.Request)]
            for new in found:
                if new.meta["kind"] == "listing":
                    _LISTINGS[new.meta["page"]] = new
            queue.extend(found)
    assert order.count("listing") == 31 and order.count("article") == 300
    assert most_rows <= (LISTING_LOOKAHEAD + 1) * 10 + 10  # +10: the page just parsed
    # Listing pages are read ahead of the rows: the first LISTING_LOOKAHEAD + 1 pages come
    # first, then each next page while LISTING_LOOKAHEAD pages of rows are still queued.
    assert order[:LISTING_LOOKAHEAD + 1] == ["listing"] * (LISTING_LOOKAHEAD + 1)
    assert all(order[i] == "listing" for i in range(LISTING_LOOKAHEAD + 1 + 10, 310, 11))
    # Links found outside the listings (held until they end) keep ARTICLE_PRIORITY.
    request = spider.article_fetch(f"{BASE}/tin-tuc/a", {"section": "Tin tức"}, claimed=True)
    assert request.priority == ARTICLE_PRIORITY
    assert request.meta == {"kind": "article", "refresh": False,
                            "handle_httpstatus_list": [304], "claimed": True}


def test_tree_peak_counts_child_processes():
    """A parent that starts a child holding 60 MB: the tree's peak sees it, the parent's own
    peak does not."""
    child = "b = bytearray(60 * 2**20); import time; time.sleep(1.5)"
    parent = ("import subprocess, sys; "
              f"subprocess.run([sys.executable, '-c', {child!r}], check=True); print('ok')")
    out, _, peak = run_tree_peak([sys.executable, "-c", parent], interval=0.02)
    assert out.strip() == "ok"
    assert peak.max_processes == 2
    assert peak.peak_mib >= 60 > peak.root_peak_mib
    assert peak.peak_mib >= peak.root_peak_mib + 60


def test_tree_peak_reports_a_failed_command():
    try:
        run_tree_peak([sys.executable, "-c", "import sys; sys.exit(3)"])
    except SystemExit as exc:
        assert "failed (3)" in str(exc)
    else:
        raise AssertionError("a failed command must not pass for a measurement")
