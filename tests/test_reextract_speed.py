"""The shortcuts that make re-extraction (and crawls) cheaper give exactly what the long way gives.

Each test states the fact a shortcut rests on, checked on generated Vietnamese text or on real
WARC records: the cleaning fast path (text already clean NFC Unicode skips the repairs), fold by
`str.translate`, the boilerplate patterns as one regex, the four-digit prefilter of dates, and
the WARC reader that parses luutru's own record shape without warcio.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive.folding import _fold_char, fold
from archive.warc import WarcWriter, read_response, warc_path_for
from archive.warc_read import Reader
from pipelines.dates import _FAST_PATHS, YEAR_DIGITS_RE
from pipelines.text import (
    _ANY_SPACE_RE,
    _BOILERPLATE_RE,
    _NEWLINE_RE,
    _PRE_REPAIR_RE,
    BOILERPLATE_PATTERNS,
    _fix_legacy,
    _fix_legacy_lines,
    _is_clean_unicode,
    _normalise_chars,
    clean_line,
    clean_text,
)
from scrapers.css_prefilter import css, needed_classes, squeezed_text
from scrapers.extract import is_xpath
from tests.test_properties import VI_ALPHABET, clean_lines, noisy

_LINE_PIECES = st.one_of(
    clean_lines,
    noisy,
    st.sampled_from(["Tin khác:", "Lượt xem: 1.234", "In ra", "{node.title}", "Hôm nay: 12",
                     "Thứ năm, 23 Tháng 3, 2023 - 01:50", "Skip to main content", "ſkip"]),
)
_DATE_PIECES = st.lists(st.one_of(
    st.text(alphabet="0123456789/.-: ", max_size=12),
    st.sampled_from([" tháng ", " năm ", "ngày ", " Nov ", "July ", ", ", "Thứ hai, ", "lúc "]),
    st.text(alphabet=VI_ALPHABET, max_size=5),
), max_size=8).map("".join)


@given(st.one_of(clean_lines, st.lists(clean_lines, max_size=4).map("\r\n".join), noisy))
@example("Nguyễn Văn A\u2028Trần B")
def test_clean_unicode_needs_no_repair(s: str) -> None:
    """The fast path's premise: on text `_is_clean_unicode` accepts, every repair clean_line
    and clean_text would run (controls, legacy, entities, invisibles, NFC, eth) changes nothing
    but the newline spelling."""
    if not _is_clean_unicode(s):
        return
    assert _normalise_chars(_fix_legacy(_PRE_REPAIR_RE.sub("", s))) == s
    assert _normalise_chars(_fix_legacy_lines(_PRE_REPAIR_RE.sub("", s))) == (
        s if s.isascii() else "\n".join(_NEWLINE_RE.split(s)))


@given(st.one_of(clean_lines, noisy))
@example("¯\x80®0µ")  # a C1 control once hid TCVN3 words from the first pass only
@example("®\u200bA")  # and so did an invisible
def test_clean_line_equals_the_full_repair_and_is_idempotent(s: str) -> None:
    full = _ANY_SPACE_RE.sub(" ", _normalise_chars(_fix_legacy(_PRE_REPAIR_RE.sub("", s)))).strip()
    assert clean_line(s) == full
    assert clean_line(full) == full
    assert clean_text(clean_text(s)) == clean_text(s)


def test_split_join_is_the_whitespace_regex_for_every_code_point() -> None:
    """`" ".join(s.split())` replaced `\\s+` -> " " plus strip(): same notion of whitespace."""
    chars = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp < 0xE000)
    spaced = [ch for ch in chars if ch.isspace()]
    assert spaced == re.findall(r"\s", chars)
    sample = "a" + "b".join(spaced) + " c \u00a0"
    assert " ".join(sample.split()) == _ANY_SPACE_RE.sub(" ", sample).strip()


@given(noisy)
@example("ĐẠI HỘI Ðảng ǅ ﬁ İ ß")
def test_fold_by_translate_equals_fold_by_character(s: str) -> None:
    nfc = unicodedata.normalize("NFC", s)
    assert fold(s) == "".join(_fold_char(ch) for ch in nfc)
    ascii_only = s.encode("ascii", "ignore").decode()
    assert fold(ascii_only) == ascii_only.lower()


@given(_LINE_PIECES)
def test_boilerplate_regex_equals_any_pattern(line: str) -> None:
    cleaned = clean_line(line)
    expected = any(p.fullmatch(cleaned) for p in BOILERPLATE_PATTERNS)
    assert (_BOILERPLATE_RE.fullmatch(cleaned) is not None) == expected


@given(_DATE_PIECES)
@example("ngày 23 tháng 2 năm 2016")
@example("Wed, 11/30/2022 - 10:15")
def test_no_date_pattern_matches_without_four_digits(s: str) -> None:
    if YEAR_DIGITS_RE.search(s) is None:
        assert all(pattern.search(s) is None for pattern, _ in _FAST_PATHS)


def _record_offsets(path: Path) -> list[int]:
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        offsets = []
        for record in it:
            offsets.append(it.get_record_offset())
            record.raw_stream.read()
        return offsets


def _member(url: str, headers: bytes) -> bytes:
    """A hand-written response record in its own gzip member."""
    import gzip

    block = b"HTTP/1.1 200 OK\r\n" + headers + b"\r\n<p>x</p>"
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            b"WARC-Target-URI: " + url.encode() + b"\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            b"Content-Type: application/http; msgtype=response\r\n"
            b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n")
    return gzip.compress(head + block + b"\r\n\r\n")


def _outcome(read, path: Path, offset: int) -> object:
    try:
        return read(path, offset)
    except ValueError as exc:
        return ("ValueError", str(exc))


def test_reader_reads_every_record_as_warcio_does(tmp_path: Path) -> None:
    """Plain pages, a gzip-coded body, a non-ASCII header (warcio's path), an error page, and
    the request records and offsets that are no record at all: the same result or error."""
    import gzip

    page = "<html><body><p>Bài một: nội dung</p></body></html>".encode()
    path = warc_path_for(tmp_path / "a.db", "bentre")
    with WarcWriter(path) as writer:
        refs = [
            writer.write_exchange(url="http://127.0.0.1:8000/bai-mot", status=200,
                                  response_headers=[("Content-Type", "text/html")], body=page),
            writer.write_exchange(url="http://127.0.0.1:8000/nen", status=200,
                                  response_headers=[("Content-Type", "text/html"),
                                                    ("Content-Encoding", "gzip")],
                                  body=gzip.compress(page)),
            writer.write_exchange(url="http://127.0.0.1:8000/tep", status=200,
                                  response_headers=[("Content-Disposition",
                                                     "attachment; filename=bài.pdf")],
                                  body=b"%PDF-1.4"),
            writer.write_exchange(url="http://127.0.0.1:8000/khong-co", status=404,
                                  response_headers=[("Content-Type", "text/html")], body=b""),
        ]
    warc = Path(path)
    with open(warc, "ab") as fh:  # shapes only warcio's parser reads: left to it
        fh.write(_member("http://127.0.0.1:8000/gap", b"X-Note: d\xc3\xa0i\r\n"))
        fh.write(_member("http://127.0.0.1:8000/gap", b"X-Folded: a\r\n  b\r\n"))
        fh.write(_member("<http://127.0.0.1:8000/gap>", b""))
        fh.write(_member("http://127.0.0.1:8000/ok", b"Content-Type:text/html  \r\n"))
    offsets = _record_offsets(warc)
    assert len(offsets) >= 12 and {r.warc_offset for r in refs} < set(offsets)
    reader = Reader()
    try:
        for offset in [*offsets, 3, offsets[-1] + 1, warc.stat().st_size]:
            assert _outcome(reader.read, warc, offset) == _outcome(read_response, warc, offset)
        assert reader.read(warc, refs[1].warc_offset).body == page
    finally:
        reader.close()
    with pytest.raises(OSError):
        read_response(tmp_path / "missing.warc.gz", 0)
    with pytest.raises(OSError):
        Reader().read(tmp_path / "missing.warc.gz", 0)


def _is_css(query: str) -> bool:
    """Family tables also hold patterns and names: keep what parsel takes for CSS."""
    from parsel import Selector

    try:
        Selector(text="<p></p>").css(query)
    except Exception:
        return False
    return True


def _family_queries() -> list[str]:
    """Every CSS query the CMS families' selectors hold, plus shapes the shortcut must refuse."""
    import importlib

    queries: set[str] = set()
    for family in ("drupal7", "drupal8", "joomla_k2", "nukeviet", "portal"):
        module = importlib.import_module(f"scrapers.platforms.{family}")
        for value in getattr(module, "SELECTORS", {}).values():
            values = [value] if isinstance(value, str) else value
            for query in values if isinstance(values, list | tuple) else ():
                if isinstance(query, str) and not is_xpath(query) and _is_css(query):
                    queries.add(query)
    return [
        *sorted(queries),
        "div:not(.khong-co) p", ".khong-co, p", ":is(.khong-co) a", "div:has(.khong-co)",
        r".field-item\ khong-co", ".khong-co::text", "p.khong-co::attr(class)", "[class~=x]",
    ]


def _replica_pages() -> list[bytes]:
    """Home pages and a few linked pages of replicas of every family (rendered, not served)."""
    from replicas import custom_sites, sites
    from replicas.bentre import build_site
    from replicas.server import ReplicaServer

    routers = [ReplicaServer(build_site(n_articles=6)).route]
    routers += [build(n_articles=6).route for build in (
        sites.build_vinh_long, sites.build_quang_tri, sites.build_lam_dong,
        sites.build_hai_phong, custom_sites.build_an_giang, custom_sites.build_thanh_hoa)]
    pages = []
    for route in routers:
        home = route("/")[2]
        pages.append(home)
        for link in re.findall(rb'href="(/[^"#]*)"', home)[:12]:
            status, _, body, _ = route(link.decode())
            if status == 200 and b"<html" in body[:600].lower():
                pages.append(body)
    return pages


def test_css_prefilter_answers_as_parsel_does() -> None:
    """Every family query on replica pages of every family, from the page and from inner
    elements: the shortcut's answer (and each match's squeezed text) is parsel's, and it does
    skip absent classes."""
    from parsel import Selector
    from scrapy.http import HtmlResponse

    queries, skipped = _family_queries(), 0
    pages = _replica_pages()
    assert len(pages) > 30
    for page in pages:
        doc = Selector(body=page, type="html")
        for scope in [doc, *doc.css("div, article, td")[:4]]:
            for query in queries:
                fast = css(scope, query)
                assert [x.get() for x in fast] == scope.css(query).getall(), query
                assert [squeezed_text(x) for x in fast] == [
                    " ".join(x.xpath("string()").get("").split()) for x in fast]
                skipped += not fast and needed_classes(query) is not None
    assert skipped > 100
    response = HtmlResponse("http://127.0.0.1/", body=pages[0])  # spiders pass responses too
    for query in queries:
        assert [x.get() for x in css(response, query)] == response.css(query).getall(), query
