"""Datasette plugin: the reading room of `luutru serve`, pages for people who do not write SQL.

Routes (all GET, all read-only, none needs JavaScript):
  /                          search: one box, facets, result cards, pages
  /article/N                 one article: metadata, text, attachments, revisions
  /article/N/revision/R      revision R with its word-level changes from R-1
  /article/N/capture         the page as captured, from its WARC record, made safe
  /attachment/SHA256         a file the archive keeps (PDF, image, DOCX...)
Datasette's own pages (tables, SQL) stay where they were, one click away in the menu.

Registered by `luutru.web.serve.make_datasette`, like `luutru.web.datasette_plugin`.
"""

from __future__ import annotations

import asyncio
import functools
import html
import re
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from luutru.web.capture_view import CAPTURE_HEADERS, CaptureError, decode, load_capture, sanitize
from luutru.web.diff import fold_edges
from luutru.web.room_article import (
    attachment_row,
    capture_row,
    load_article,
    load_revisions,
    make_resolver,
    revision_diff,
)
from luutru.web.room_search import SearchForm, run_search, site_counts, site_names

TEMPLATE_DIR = Path(__file__).with_name("templates")
T = TypeVar("T")
# Files a browser may show inline; anything else downloads (a served HTML or SVG file could
# run script in the reading room's origin).
_INLINE_MIME = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif",
                          "image/webp", "image/bmp", "text/plain"})
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_PROGRESS_STEPS = 10_000
CACHE_PAGES = 256


def archive_name(datasette: Any) -> str:
    """The Datasette name of the archive database (`luutru.web.serve.build_metadata` lists it)."""
    config = datasette.plugin_config("luutru") or {}
    names = config.get("databases") or []
    if not names:
        raise NotFound("no luutru archive is served")
    return str(names[0])


@contextmanager
def _time_limit(conn: sqlite3.Connection, ms: int) -> Iterator[None]:
    """Bound everything run inside by `ms` (Datasette's sql_time_limit_ms), as Datasette
    bounds its own queries; a check every 10,000 VM steps keeps the GIL out of the way."""
    deadline = time.monotonic() + ms / 1000

    def handler() -> int:
        return 1 if time.monotonic() > deadline else 0

    conn.set_progress_handler(handler, _PROGRESS_STEPS)
    try:
        yield
    finally:
        conn.set_progress_handler(None, _PROGRESS_STEPS)


async def _read(datasette: Any, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run `fn` on one of Datasette's read connections of the archive (threaded, locked
    down by `luutru.web.datasette_plugin.prepare_connection`), under the time limit."""
    db = datasette.get_database(archive_name(datasette))
    ms = int(datasette.setting("sql_time_limit_ms"))

    def bounded(conn: sqlite3.Connection) -> T:
        with _time_limit(conn, ms):
            return fn(conn)

    result: T = await db.execute_fn(bounded)
    return result


def _folder(datasette: Any) -> Path:
    return Path(datasette.get_database(archive_name(datasette)).path).resolve().parent


@functools.cache
def _templates() -> jinja2.Environment:
    """The reading room's templates, rendered synchronously (no per-chunk awaits)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
    )


def render(template: str, context: dict[str, Any]) -> str:
    """One page of the reading room as HTML."""
    return _templates().get_template(template).render(context)


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any],
                status: int = 200) -> Response:
    body = render(template, {"archive_db": archive_name(datasette), **context})
    return Response.html(body, status=status)


async def _missing(datasette: Any, request: Any, message: str) -> Response:
    """A 404 page in the reading room's frame (raising NotFound would print a traceback)."""
    return await _page(datasette, request, "luutru_message.html", {
        "title": "Không tìm thấy / Not found", "message": message}, status=404)


NO_ARTICLE = "Không có bài này / No such article"
NO_REVISION = "Không có phiên bản này / No such revision"
NO_FILE = "Không có tệp này / No such file"


def archive_stamp(datasette: Any) -> tuple[int, ...]:
    """Changes whenever the archive does: size and mtime of the file and of its WAL (a crawl
    writing while the reading room serves commits to the WAL)."""
    path = Path(datasette.get_database(archive_name(datasette)).path)
    stamp: list[int] = []
    for p in (path, Path(f"{path}-wal")):
        try:
            st = p.stat()
            stamp += [st.st_mtime_ns, st.st_size]
        except OSError:
            stamp += [0, 0]
    return tuple(stamp)


class PageCache:
    """The last CACHE_PAGES search pages, keyed by the archive's stamp and the form: paging
    back, a facet removed, a shared link, all cost nothing the second time. Any write to the
    archive changes the stamp, so a cached page is never older than the archive."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, tuple[bytes, int]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> tuple[bytes, int] | None:
        page = self._pages.get(key)
        if page is None:
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return page

    def put(self, key: Hashable, page: tuple[bytes, int]) -> None:
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)


def page_cache(datasette: Any) -> PageCache:
    """One cache per Datasette instance (a test may run several in one process)."""
    cache = getattr(datasette, "_luutru_page_cache", None)
    if cache is None:
        cache = PageCache(CACHE_PAGES)
        datasette._luutru_page_cache = cache
    return cache


async def search_page(datasette: Any, request: Any) -> Response:
    """The home page: the search box, and results when a query is given."""
    form, problems = SearchForm.from_args(request.args)
    cache = page_cache(datasette)
    key = (archive_stamp(datasette), form, tuple(problems))
    cached = cache.get(key)
    if cached is not None:
        return Response.html(cached[0].decode("utf-8"), status=cached[1])

    def work(conn: sqlite3.Connection) -> dict[str, Any]:
        names = site_names(conn)
        if not form.q:
            return {"results": None, "site_options": sorted(names.items()),
                    "sites": [(s, names.get(s, s), n) for s, n in site_counts(conn)]}
        results = run_search(conn, form)
        results.problems[:0] = problems
        return {"results": results, "sites": None, "site_options": sorted(names.items())}

    context = await _read(datasette, work)
    status = 400 if context["results"] is not None and context["results"].error else 200
    response = await _page(datasette, request, "luutru_search.html",
                           {"form": form, "problems": problems, **context}, status)
    cache.put(key, (response.body.encode("utf-8") if isinstance(response.body, str)
                    else response.body, status))
    return response


async def article_page(datasette: Any, request: Any) -> Response:
    """Metadata, clean text, attachments, revisions and the link to the capture."""
    article_id = int(request.url_vars["id"])
    article = await _read(datasette, lambda conn: load_article(conn, article_id))
    if article is None:
        return await _missing(datasette, request, NO_ARTICLE)
    return await _page(datasette, request, "luutru_article.html", {"a": article})


async def revision_page(datasette: Any, request: Any) -> Response:
    """One revision's title and text with the words changed from the revision before."""
    article_id = int(request.url_vars["id"])
    number = int(request.url_vars["revision"])
    view = "full" if request.args.get("view") == "full" else "changes"

    def work(conn: sqlite3.Connection) -> dict[str, Any] | None:
        row = conn.execute("SELECT id, title, site, gone_at FROM articles WHERE id = ?",
                           (article_id,)).fetchone()
        if row is None:
            return None
        revisions = load_revisions(conn, article_id)
        by_number = {r.revision: r for r in revisions}
        if number not in by_number:
            return None
        current = by_number[number]
        earlier = [r for r in revisions if r.revision < number]
        older = earlier[-1] if earlier else None
        chunks = revision_diff(older, current)
        return {"article": dict(zip(("id", "title", "site", "gone_at"), row, strict=True)),
                "revisions": revisions, "current": current, "older": older,
                "chunks": chunks}

    data = await _read(datasette, work)
    if data is None:
        return await _missing(datasette, request, NO_REVISION)
    return await _page(datasette, request, "luutru_revision.html",
                       {**data, "view": view, "fold_edges": fold_edges})


def _banner(row: dict[str, Any], captured_at: str, captured_url: str) -> str:
    e = html.escape
    style = ("all:initial;display:block;font:14px/1.4 system-ui,sans-serif;background:#fff3cd;"
             "color:#222;border-bottom:2px solid #c9a227;padding:8px 12px;")
    link = "color:#0645ad;text-decoration:underline;"
    return (
        f'<div id="luutru-capture-banner" style="{style}">'
        f"<strong>Bản lưu trữ / Archived copy</strong> · chụp lúc / captured "
        f"{e(captured_at)} · {e(captured_url)}<br>"
        "Đã gỡ mọi mã lệnh; liên kết trong kho trỏ về kho, liên kết ngoài có dấu ↗ / Scripts "
        "removed; links to archived pages stay in the archive, others are marked ↗ · "
        f'<a style="{link}" href="/article/{int(row["id"])}">'
        "Về trang bài / Back to the article</a></div>"
    )


async def capture_page(datasette: Any, request: Any) -> Response:
    """The article's page as captured, served from its WARC record with CAPTURE_CSP."""
    article_id = int(request.url_vars["id"])
    folder = _folder(datasette)
    row = await _read(datasette, lambda conn: capture_row(conn, article_id))
    if row is None:
        return await _missing(datasette, request, NO_ARTICLE)
    if not row["warc_file"] or row["warc_offset"] is None:
        return await _missing(datasette, request, "Bài này không có bản chụp WARC / "
                                                  "No WARC capture of this article")
    try:
        capture = await asyncio.to_thread(load_capture, folder, row["warc_file"],
                                          row["warc_offset"], row["warc_record_id"])
    except CaptureError as exc:
        return await _page(datasette, request, "luutru_message.html", {
            "title": "Không đọc được bản chụp / Capture unreadable",
            "message": str(exc), "article_id": article_id}, status=500)

    def work(conn: sqlite3.Connection) -> bytes:
        resolver = make_resolver(conn, row["live_base"], capture.url)
        return sanitize(decode(capture), capture.url, resolver,
                        _banner(row, capture.date, capture.url))

    body = await _read(datasette, work)
    return Response(body, status=200, headers=dict(CAPTURE_HEADERS),
                    content_type="text/html; charset=utf-8")


async def attachment_file(datasette: Any, request: Any) -> Response:
    """A kept file, from the archive's attachments folder only; inline for PDF and images,
    as a download otherwise."""
    sha = request.url_vars["sha256"]
    if not _SHA_RE.match(sha):
        return await _missing(datasette, request, NO_FILE)
    row = await _read(datasette, lambda conn: attachment_row(conn, sha))
    folder = _folder(datasette)
    path = (folder / row["path"]).resolve() if row and row["path"] else None
    if path is None or folder not in path.parents or not path.is_file():
        return await _missing(datasette, request, NO_FILE)
    data = await asyncio.to_thread(path.read_bytes)
    mime = (row or {}).get("mime") or "application/octet-stream"
    inline = mime in _INLINE_MIME
    name = re.sub(r'[^\w.\-]+', "_", (row or {}).get("file_name") or sha, flags=re.ASCII)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "Referrer-Policy": "no-referrer",
    }
    if mime.startswith("image/") or mime == "text/plain":
        headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return Response(data, status=200, headers=headers,
                    content_type=mime if inline else "application/octet-stream")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/$", search_page),
        (r"^/article/(?P<id>[0-9]{1,18})$", article_page),
        (r"^/article/(?P<id>[0-9]{1,18})/revision/(?P<revision>[0-9]{1,9})$", revision_page),
        (r"^/article/(?P<id>[0-9]{1,18})/capture$", capture_page),
        (r"^/attachment/(?P<sha256>[^/]+)$", attachment_file),
    ]


@hookimpl
def menu_links() -> list[dict[str, str]]:
    """Datasette's own pages (tables, SQL) lead back to the reading room."""
    return [{"href": "/", "label": "Phòng đọc / Reading room"}]
