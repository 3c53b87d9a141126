"""The reading room's article pages: one article with its provenance, its revisions and their
word-level differences, and the URL map the "as captured" view rewrites links with."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from archive.search import get_article
from archive.urls import canonicalize_url
from luutru.web.capture_view import Resolver
from luutru.web.diff import Chunk, DiffSummary, summarize, word_diff

# Diff summaries on the article page: at most this many revisions are compared (each
# comparison reads two texts); the revision pages compare any of them.
SUMMARY_REVISIONS = 50
_IN_BATCH = 400  # bound parameters per IN (...) lookup


@dataclass
class Revision:
    """One stored version of an article's cleaned content."""

    revision: int
    fetched_at: str | None
    run_id: int | None
    content_hash: str | None
    title: str | None
    text: str
    summary: DiffSummary | None = None  # against the revision before, None for the first


def load_article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """`get_article` (the CLI's `show`) plus the school, the attachments' file names and
    every revision, each summarised against the one before."""
    article = get_article(conn, article_id)
    if article is None:
        return None
    site = conn.execute("SELECT name, base_url FROM sites WHERE slug = ?",
                        (article["site"],)).fetchone()
    article["site_name"] = site[0] if site and site[0] else article["site"]
    names = dict(conn.execute(
        "SELECT at.sha256, at.file_name FROM article_attachments aa "
        "JOIN attachments at ON at.sha256 = aa.sha256 WHERE aa.article_id = ?",
        (article["id"],)).fetchall())
    for att in article["attachments"]:
        att["file_name"] = names.get(att["sha256"]) or att["url"].rsplit("/", 1)[-1]
    revisions = load_revisions(conn, article["id"])
    for older, newer in itertools.pairwise(revisions):
        if newer.revision - revisions[0].revision < SUMMARY_REVISIONS:
            newer.summary = summarize(revision_diff(older, newer))
    article["revisions"] = revisions
    article["has_capture"] = bool(article.get("warc_file")) and article.get(
        "warc_offset") is not None
    return article


def load_revisions(conn: sqlite3.Connection, article_id: int) -> list[Revision]:
    """Every version, oldest first."""
    return [
        Revision(revision=r[0], fetched_at=r[1], run_id=r[2], content_hash=r[3], title=r[4],
                 text=r[5] or "")
        for r in conn.execute(
            "SELECT revision, fetched_at, run_id, content_hash, title, text FROM revisions "
            "WHERE article_id = ? ORDER BY revision", (article_id,))
    ]


def revision_diff(older: Revision | None, newer: Revision) -> list[Chunk]:
    """Word-level changes of title and text from `older` (None: all new) to `newer`; the
    title comes first, separated by a blank line."""
    before = "" if older is None else f"{older.title or ''}\n\n{older.text}"
    return word_diff(before, f"{newer.title or ''}\n\n{newer.text}")


def capture_row(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """Where the article's page was captured, and the site's live address."""
    row = conn.execute(
        "SELECT a.id, a.site, a.title, a.canonical_url, a.url, a.warc_file, a.warc_offset, "
        "a.warc_record_id, s.base_url FROM articles a LEFT JOIN sites s ON s.slug = a.site "
        "WHERE a.id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    keys = ("id", "site", "title", "canonical_url", "url", "warc_file", "warc_offset",
            "warc_record_id", "live_base")
    return dict(zip(keys, row, strict=True))


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def make_resolver(conn: sqlite3.Connection, live_base: str | None, captured_url: str
                  ) -> Resolver:
    """Map absolute URLs of a captured page to reading-room paths: an archived article (under
    any URL it was seen under, or its canonical spelling on the live site) to its capture
    (or its page when it has none), a file the archive keeps to its attachment route."""
    captured_origin = _origin(captured_url)
    aliases = [captured_origin] if captured_origin else []

    def canonical(url: str) -> str:
        try:
            return canonicalize_url(url, origin=live_base or captured_origin, aliases=aliases)
        except ValueError:
            return url

    def resolve(urls: list[str]) -> dict[str, str]:
        spellings: dict[str, list[str]] = {}
        for url in urls:
            for s in dict.fromkeys((url, canonical(url))):
                spellings.setdefault(s, []).append(url)
        keys = list(spellings)
        found: dict[str, str] = {}
        for i in range(0, len(keys), _IN_BATCH):
            batch = keys[i : i + _IN_BATCH]
            marks = ", ".join("?" * len(batch))
            rows = conn.execute(
                "SELECT u.url, a.id, a.warc_file IS NOT NULL FROM article_urls u "
                f"JOIN articles a ON a.id = u.article_id WHERE u.url IN ({marks}) "
                "UNION ALL SELECT a.canonical_url, a.id, a.warc_file IS NOT NULL "
                f"FROM articles a WHERE a.canonical_url IN ({marks})", batch + batch)
            for spelling, article_id, captured in rows:
                path = f"/article/{article_id}" + ("/capture" if captured else "")
                for url in spellings[spelling]:
                    found.setdefault(url, path)
            rows = conn.execute(
                "SELECT aa.url, aa.sha256 FROM article_attachments aa JOIN attachments at "
                f"ON at.sha256 = aa.sha256 WHERE aa.url IN ({marks})", batch)
            for spelling, sha in rows:
                for url in spellings[spelling]:
                    found.setdefault(url, f"/attachment/{sha}")
        return found

    return resolve


def attachment_row(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    """The stored file for a sha256 (path relative to the archive's folder)."""
    row = conn.execute("SELECT sha256, mime, size, path, file_name FROM attachments "
                       "WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return None
    return dict(zip(("sha256", "mime", "size", "path", "file_name"), row, strict=True))
