"""`luutru export --format wacz`: the crawl's WARC files as one WACZ, the web archives' hand-off.

A WACZ (Web Archive Collection Zipped, https://specs.webrecorder.net/wacz/1.1.1/) is a zip of
the WARC files, a CDXJ index of every record (`indexes/index.cdx.gz` + `index.idx`), a page
list and a `datapackage.json` with every file's sha256: ReplayWeb.page opens it as is, and pywb
imports it (`wb-manager add --unpack-wacz`). The `wacz` package (py-wacz, Webrecorder's own)
builds the index and the package, so the format stays theirs, not ours.

The page list is the archive's articles (the filters of `luutru export` apply), each at the
capture its text was read from (`articles.warc_file` / `warc_offset`): title, URL as fetched
and the capture's time, so a replay opens that version rather than a later 404. The WARC files
are those of every run of the articles' sites, so earlier versions, listings, attachments and
the 404s of removed articles replay too. Nothing is dropped silently: articles without a
capture, WARC files gone from the disk and pages the index could not match are counted in
`WaczResult`, which the CLI prints.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from warcio.archiveiterator import ArchiveIterator

from archive.db import ArchiveError
from archive.export import gone_clause, table_columns
from archive.search_filters import ArticleFilters, filter_clauses, register_functions

PAGE_SIZE = 1000
_UNMATCHED = "Invalid passed page. We were unable to find a match for "


@dataclass
class WaczResult:
    """What went into the package, and what could not."""

    path: str
    pages: int = 0
    warcs: list[str] = field(default_factory=list)  # relative to the db folder
    missing_warcs: list[str] = field(default_factory=list)  # named by runs, absent on disk
    no_capture: int = 0  # articles without a WARC record (crawled with capture off)
    unreadable: int = 0  # articles whose recorded offset holds no response record
    unmatched_pages: list[str] = field(default_factory=list)  # pages the index did not hold

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def build_wacz(
    conn: sqlite3.Connection,
    db_path: str | Path,
    output: str | Path,
    *,
    site: str | None = None,
    gone: str = "include",
    title: str | None = None,
    **filters: Unpack[ArticleFilters],
) -> WaczResult:
    """Write the WACZ of the matching articles' sites to `output` (a new file; written to a
    temporary name and renamed, so a failed run leaves nothing). Raises `ArchiveError` when
    there is nothing to package and `archive.search.QueryError` for a malformed filter."""
    from wacz.main import main as wacz_main

    output = Path(output)
    if output.exists():
        raise ArchiveError(f"{output} already exists: write the WACZ to a new file")
    folder = Path(db_path).resolve().parent
    result = WaczResult(path=str(output))
    pages: list[dict[str, str]] = []
    sites: set[str] = set()
    page_warcs: list[str] = []
    for article in _articles(conn, site=site, gone=gone, **filters):
        sites.add(article["site"])
        if not article["warc_file"] or article["warc_offset"] is None:
            result.no_capture += 1
            continue
        head = _capture_head(folder / article["warc_file"], int(article["warc_offset"]))
        if head is None:
            result.unreadable += 1
            continue
        url, date = head
        pages.append({"id": f"{article['site']}-{article['id']}", "url": url, "ts": date,
                      "title": article["title"]})
        page_warcs.append(article["warc_file"])
    if not pages:
        raise ArchiveError(f"no captured article matches these filters ({result.no_capture} "
                           "without a WARC capture): nothing to replay")
    if site is not None:
        sites.add(site)
    names = list(dict.fromkeys([*_run_warcs(conn, sorted(sites)), *page_warcs]))
    result.warcs = [n for n in names if (folder / n).is_file()]
    result.missing_warcs = [n for n in names if not (folder / n).is_file()]
    if not result.warcs:
        raise ArchiveError("no WARC files to package: the archive has no capture for these "
                           "articles (crawl with WARC capture on)")
    result.pages = len(pages)
    label = title or f"luutru: {', '.join(sorted(sites)) or 'archive'}"
    fd, tmp_name = tempfile.mkstemp(prefix=".luutru-", suffix=".wacz", dir=output.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with tempfile.TemporaryDirectory(prefix="luutru-wacz-") as work:
            pages_file = Path(work) / "pages.jsonl"
            with open(pages_file, "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                     "title": "Articles"}) + "\n")
                for page in pages:
                    fh.write(json.dumps(page, ensure_ascii=False) + "\n")
            said = io.StringIO()  # py-wacz reports on stdout: keep ours clean for scripts
            with contextlib.redirect_stdout(said):
                code = wacz_main(["create", "-o", str(tmp), "--pages", str(pages_file),
                                  "--hash-type", "sha256", "--title", label,
                                  "--desc", "Exported by luutru from its crawl WARC files",
                                  *(str(folder / n) for n in result.warcs)])
        if code != 0:
            raise ArchiveError(f"wacz create failed: {said.getvalue().strip()[-500:]}")
        result.unmatched_pages = [line[len(_UNMATCHED):].strip() for line in
                                  said.getvalue().splitlines() if line.startswith(_UNMATCHED)]
        mask = os.umask(0)  # mkstemp made it 0600: give it the mode any new file gets
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _articles(conn: sqlite3.Connection, *, site: str | None, gone: str,
              **filters: Unpack[ArticleFilters]) -> Iterator[dict[str, Any]]:
    """The filtered articles' capture references, by site then id, one page per statement."""
    register_functions(conn)
    present = table_columns(conn, "articles")
    if not {"warc_file", "warc_offset"} <= present:
        return
    where, params = filter_clauses(site=site, **filters)
    where += gone_clause(gone, present)
    clause = " AND ".join(["(a.site, a.id) > (:last_site, :last_id)", *where])
    sql = (f"SELECT a.id, a.site, a.title, a.warc_file, a.warc_offset FROM articles a "
           f"WHERE {clause} ORDER BY a.site, a.id LIMIT {PAGE_SIZE}")
    params.update(last_site="", last_id=-1)
    names = ("id", "site", "title", "warc_file", "warc_offset")
    while True:
        rows = conn.execute(sql, params).fetchall()
        for row in rows:
            yield dict(zip(names, row, strict=True))
        if len(rows) < PAGE_SIZE:
            return
        params["last_site"], params["last_id"] = rows[-1][1], rows[-1][0]


def _run_warcs(conn: sqlite3.Connection, sites: list[str]) -> list[str]:
    """The WARC files of every run of these sites, oldest run first."""
    if not sites or "warc_file" not in table_columns(conn, "runs"):
        return []
    marks = ", ".join("?" * len(sites))
    return [r[0] for r in conn.execute(
        f"SELECT warc_file FROM runs WHERE warc_file IS NOT NULL AND site IN ({marks}) "
        "ORDER BY id", sites)]


def _capture_head(path: Path, offset: int) -> tuple[str, str] | None:
    """(WARC-Target-URI, WARC-Date) of the response record at `offset`, or None."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    return None
                url = record.rec_headers.get_header("WARC-Target-URI")
                date = record.rec_headers.get_header("WARC-Date")
                return (url, date) if url and date else None
    except Exception:  # missing file, broken gzip member: counted by the caller
        return None
    return None
