"""The reading room of `luutru serve` in-process: the search page runs the CLI's engine, facets
filter, pages page; article pages, revisions with word diffs, gone badges, attachments; the
page cache follows writes to the archive. (Captures: tests/test_reading_room_capture.py.)"""

from __future__ import annotations

import asyncio
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from archive.db import open_reader
from archive.search import match_expression, parse_query, search
from luutru.web.diff import summarize, word_diff
from luutru.web.serve import database_name, make_datasette

CARD_RE = re.compile(r'<article class="lr-card">\s*<h2><a href="/article/(\d+)">')


class Client:
    """GET through Datasette's in-process ASGI client."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.ds = make_datasette(db)
        self.name = database_name(db)

    def get(self, path: str) -> Any:
        return asyncio.run(self.ds.client.get(path))

    def card_ids(self, path: str) -> list[int]:
        page = self.get(path)
        assert page.status_code == 200, page.text[-2000:]
        return [int(i) for i in CARD_RE.findall(page.text)]


@pytest.fixture(scope="module")
def room(bentre_archive) -> Client:
    return Client(bentre_archive[0])


@pytest.fixture(scope="module")
def changed_room(changed_archive) -> Client:
    return Client(changed_archive[0])


def cli_ids(db: Path, query: str, **kwargs: Any) -> list[int]:
    conn = open_reader(db)
    try:
        return [h.id for h in search(conn, query, limit=20, **kwargs)]
    finally:
        conn.close()


def test_home_page_is_a_search_page(room: Client) -> None:
    page = room.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<form class="lr-search" action="/" method="get"' in html
    assert html.count('name="q"') == 1
    assert "Tìm kiếm / Search" in html and "Trường Chính trị tỉnh Bến Tre" in html
    # the SQL tables one click away, and still served by Datasette
    assert f'href="/{room.name}"' in html
    tables = room.get(f"/{room.name}")
    assert tables.status_code == 200 and "articles" in tables.text
    assert '<a href="/">Phòng đọc / Reading room</a>' in tables.text  # and back again
    assert "<script" not in html


def test_search_runs_the_cli_engine(room: Client) -> None:
    html = room.get("/?q=dang+uy").text
    ids = [int(i) for i in CARD_RE.findall(html)]
    assert ids and ids == cli_ids(room.db, "dang uy")  # same hits, same order as `luutru search`
    assert "<mark>Đảng ủy</mark>" in html
    assert "Trường Chính trị tỉnh Bến Tre" in html  # school name on the cards
    assert re.search(r'title="Ngày như trang in / Date as printed">[^<]*\d', html)
    # diacritics typed or not: the same results
    assert room.card_ids("/?" + urlencode({"q": "Đảng ủy"})) == ids
    # date order and exact diacritics reach the engine too
    assert room.card_ids("/?q=dang+uy&sort=date") == cli_ids(room.db, "dang uy", sort="date")
    assert room.card_ids("/?q=%C4%91%E1%BA%A3ng&exact=1") == cli_ids(room.db, "đảng",
                                                                      exact=True)


def test_facets_filter_with_the_cli_filters(room: Client) -> None:
    html = room.get("/?q=dang+uy").text
    total = int(re.search(r"<strong>([\d,]+)</strong> bài khớp", html)[1].replace(",", ""))
    assert total > 20
    years = re.findall(r'<a href="(\?q=dang\+uy&amp;year=(\d{4}))"\s*>\d{4}</a>\s*'
                       r'<span class="lr-count">(\d+)</span>', html)
    assert len(years) >= 3
    link, year, count = years[0]
    filtered = room.get("/" + unescape(link)).text
    assert f"<strong>{count}</strong> bài khớp" in filtered
    ids = [int(i) for i in CARD_RE.findall(filtered)]
    assert ids == cli_ids(room.db, "dang uy", since=year, until=year)
    assert "✕ " + year in filtered  # the chosen value shows, to be removed
    for name in ("site", "category", "author"):
        m = re.search(rf'<a href="(\?q=dang\+uy&amp;{name}=[^"]+)"', html)
        assert m, name
        sub = room.get("/" + unescape(m[1]))
        assert sub.status_code == 200 and CARD_RE.search(sub.text), name


def test_pages_of_results(room: Client) -> None:
    first = room.get("/?q=dang+uy").text
    assert 'rel="next" href="?q=dang+uy&amp;page=2"' in first
    second = [int(i) for i in CARD_RE.findall(room.get("/?q=dang+uy&page=2").text)]
    conn = open_reader(room.db)
    try:
        expected = [h.id for h in search(conn, "dang uy", limit=20, offset=20)]
    finally:
        conn.close()
    assert second and second == expected
    assert not set(second) & set(CARD_RE.findall(first))


@pytest.mark.parametrize("query", ['?q="', "?q=-", "?q=OR", "?q=%00", "?q=dang&page=abc",
                                   "?q=dang&page=999999", "?q=dang&year=20x&sort=bogus",
                                   "?q=" + "a" * 2000])
def test_bad_input_is_a_message_not_a_crash(room: Client, query: str) -> None:
    page = room.get("/" + query)
    assert page.status_code in (200, 400)
    assert 'name="q"' in page.text


def test_article_page(room: Client) -> None:
    conn = open_reader(room.db)
    try:
        row = conn.execute(
            "SELECT id, title, published_raw, canonical_url, warc_record_id FROM articles "
            "WHERE warc_file IS NOT NULL AND author IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    finally:
        conn.close()
    html = room.get(f"/article/{row[0]}").text
    assert f"<h1>{row[1]}</h1>" in html
    assert row[2] in html and row[3] in html and row[4].strip("<>") in html
    assert f'href="/article/{row[0]}/capture"' in html
    assert f'href="/article/{row[0]}/revision/1"' in html
    assert f'href="/{room.name}/articles/{row[0]}"' in html  # its SQL row
    assert "<script" not in html
    assert room.get("/article/999999").status_code == 404
    assert room.get("/article/999999/revision/1").status_code == 404
    assert room.get(f"/article/{row[0]}/revision/9").status_code == 404


def test_attachments_are_listed_and_served(room: Client) -> None:
    conn = open_reader(room.db)
    try:
        row = conn.execute(
            "SELECT aa.article_id, at.sha256, at.mime, at.path FROM article_attachments aa "
            "JOIN attachments at ON at.sha256 = aa.sha256 ORDER BY aa.article_id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert row, "the Bến Tre replica links files from its articles"
    article_id, sha, mime, path = row
    assert f'href="/attachment/{sha}"' in room.get(f"/article/{article_id}").text
    served = room.get(f"/attachment/{sha}")
    assert served.status_code == 200
    assert served.content == (room.db.parent / path).read_bytes()
    assert served.headers["x-content-type-options"] == "nosniff"
    inline = mime in ("application/pdf", "image/jpeg", "image/png", "image/gif")
    assert served.headers["content-type"] == (mime if inline else "application/octet-stream")
    assert served.headers["content-disposition"].startswith("inline" if inline else "attachment")
    assert room.get("/attachment/" + "0" * 64).status_code == 404
    assert room.get("/attachment/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_gone_article_has_its_badge(changed_room: Client, changed_archive) -> None:
    deleted = changed_archive[2].deleted
    conn = open_reader(changed_room.db)
    try:
        article_id, gone_at = conn.execute(
            "SELECT id, gone_at FROM articles WHERE gone_at IS NOT NULL").fetchone()
    finally:
        conn.close()
    words = " ".join(deleted.title.split()[:6])
    html = changed_room.get("/?" + urlencode({"q": f'"{words}"'})).text
    card = html[html.index(f'href="/article/{article_id}"'):]
    card = card[: card.find("</article>")]
    assert f"Removed from the site on {gone_at[:10]}" in card
    assert "Đã bị gỡ khỏi trang" in card
    assert f"Removed from the site on {gone_at[:10]}" in changed_room.get(
        f"/article/{article_id}").text


def test_revisions_show_word_level_changes(changed_room: Client, changed_archive) -> None:
    from replicas.snapshots import EDIT_NOTE

    conn = open_reader(changed_room.db)
    try:
        (article_id,) = conn.execute("SELECT id FROM articles WHERE revision = 2").fetchone()
    finally:
        conn.close()
    article = changed_room.get(f"/article/{article_id}").text
    added = len(EDIT_NOTE.split())
    assert f"+{added} −0 từ / words" in article
    diff = changed_room.get(f"/article/{article_id}/revision/2").text
    inserted = re.findall(r"<ins>(.*?)</ins>", diff, re.S)
    assert " ".join(" ".join(inserted).split()) == EDIT_NOTE
    assert "<del>" not in diff
    # the unchanged body is folded away around the change, whole on request
    assert "từ không đổi / unchanged words" in diff
    full = changed_room.get(f"/article/{article_id}/revision/2?view=full").text
    assert "từ không đổi" not in full and "<ins>" in full
    first = changed_room.get(f"/article/{article_id}/revision/1").text
    assert "Phiên bản đầu tiên" in first and "<ins>" not in first


def test_word_diff() -> None:
    chunks = word_diff("Ngày 5/1 Đảng ủy họp.\n\nKết luận.", "Ngày 6/1 Đảng ủy họp.\n\nKết luận.")
    assert [(c.op, c.text.strip()) for c in chunks if c.op != "same"] == [
        ("delete", "5/1"), ("insert", "6/1")]
    assert "".join(c.text for c in chunks if c.op != "delete").endswith("\n\nKết luận.")
    assert summarize(chunks).inserted == 1 and summarize(chunks).deleted == 1
    assert not summarize(word_diff("a b", "a b")).changed


def test_page_cache_follows_writes(bentre_archive, tmp_path: Path) -> None:
    """A search page served from the cache is never older than the archive: a write (here an
    article marked gone, through the store) changes what the same URL shows."""
    from archive.store import Archive

    db = tmp_path / "copy.db"
    for suffix in ("", "-wal"):
        if Path(f"{bentre_archive[0]}{suffix}").exists():
            shutil.copy(f"{bentre_archive[0]}{suffix}", f"{db}{suffix}")
    client = Client(db)
    first = client.get("/?q=dang+uy").text
    (article_id,) = [int(i) for i in CARD_RE.findall(first)][:1]
    assert client.get("/?q=dang+uy").text == first  # cached
    with Archive(db) as archive:
        archive.mark_gone(article_id, "2026-01-02T03:04:05+00:00")
    after = client.get("/?q=dang+uy").text
    assert "Removed from the site on 2026-01-02" in after


def test_facets_count_within_their_budget(room: Client) -> None:
    """Facets read the newest matches until their sample or their time is used up, and say
    whether they saw every match."""
    from luutru.web.room_search import SearchForm, facet_rows

    conn = open_reader(room.db)
    try:
        form = SearchForm(q="dang")
        everything, complete = facet_rows(conn, form, None)
        assert complete and len(everything) > 100
        (matches,) = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
            (match_expression(parse_query("dang")),)).fetchone()
        assert len(everything) == matches
        cut, complete = facet_rows(conn, form, len(everything) + 1, budget_s=0.0)
        assert not complete and len(cut) == 100  # one batch read, then out of time
        capped, complete = facet_rows(conn, form, 50)
        assert not complete and capped == everything[:50]
    finally:
        conn.close()
