"""Accent-insensitive full-text search over the archive, with a small safe query language.

`search` is the entry point; its parts live beside it: the query language and its FTS5
expressions (archive/search_query.py), filters as SQL clauses (archive/search_filters.py),
ranking (archive/search_rank.py) and snippets (archive/search_snippets.py). Every name other
modules import from here is re-exported below.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any, Unpack

from archive.db import shared_deadline
from archive.search_filters import (
    AUTHOR_CLAUSE,
    ArticleFilters,
    author_set,
    filter_clauses,
    register_functions,
)
from archive.search_query import (
    _TOKEN_RE,
    ANY_COLUMN,
    FOLDED_COLUMNS,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    ORIGINAL_COLUMNS,
    ParsedQuery,
    QueryError,
    Term,
    exact_expression,
    match_expression,
    normalize_query,
    parse_query,
    phrase_expression,
    window_expression,
)
from archive.search_rank import (
    BM25_WEIGHTS,
    RANK_WINDOW,
    SAMPLE_ARTICLES,
    attachment_matches,
    rank_window,
    ranked_page,
    ranking_expression,
)
from archive.search_snippets import (
    SNIPPET_WORDS,
    _match_spans,
    highlight_terms,
    make_snippet,
)

__all__ = [
    "ARTICLE_SHOW_COLUMNS",
    "AUTHOR_CLAUSE",
    "BM25_WEIGHTS",
    "FOLDED_COLUMNS",
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "ORIGINAL_COLUMNS",
    "RANK_WINDOW",
    "SAMPLE_ARTICLES",
    "SNIPPET_WORDS",
    "SORTS",
    "_TOKEN_RE",
    "ArticleFilters",
    "Hit",
    "ParsedQuery",
    "QueryError",
    "Term",
    "_match_spans",
    "exact_expression",
    "filter_clauses",
    "get_article",
    "highlight_terms",
    "make_snippet",
    "match_expression",
    "normalize_query",
    "parse_query",
    "phrase_expression",
    "rank_window",
    "ranking_expression",
    "register_functions",
    "search",
    "window_expression",
]

MAX_LIMIT = 1000
SORTS = ("relevance", "date")


@dataclass
class Hit:
    """One search result."""

    id: int
    url: str
    title: str
    published_at: str | None
    site: str
    author: str | None
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


# -- search -------------------------------------------------------------------------------


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    site: str | None = None,
    has_attachment: bool = False,
    exact: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    **filters: Unpack[ArticleFilters],
) -> list[Hit]:
    """Ranked hits for `query`: phrase matches of multi-word input first, then matches with
    the query's own diacritics, then bm25 (title above text); `dang` finds `Đảng`.

    `exact=True` keeps only rows matching the diacritics as typed (tone placement aside:
    `hòa` = `hoà`). `sort="date"` lists the newest first (undated last), relevance breaking
    ties. `since`/`until` (YYYY, YYYY-MM or YYYY-MM-DD, until inclusive of the whole period)
    filter on published_at, so undated articles drop out when either is given; see
    `filter_clauses` for the others (`author`, `category`).
    """
    parsed = parse_query(query)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError("offset must be 0 or more")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    register_functions(conn)
    # Filters the articles' indexes answer (site, published_at, attachments; the author from
    # its bylines), and filters computed row by row (categories; the author without an author
    # index): `ranked_page` applies them differently.
    author, category = filters.pop("author", None), filters.pop("category", None)
    indexed, params = filter_clauses(site=site, has_attachment=has_attachment, **filters)
    computed, more = filter_clauses(author=author, category=category)
    params.update(more)
    params.update({"match": match_expression(parsed, ANY_COLUMN), "limit": limit,
                   "offset": offset})
    try:
        # One time limit for the whole search (several statements), not one per statement.
        with shared_deadline(conn):
            if author is not None and (by_index := author_set(conn, params["author"])):
                computed.remove(AUTHOR_CLAUSE.format(alias="a"))
                indexed.append(by_index[0])
                params.update(by_index[1])
            clauses = indexed + computed
            ranked = ranked_page(conn, parsed, indexed, computed, params, sort=sort, exact=exact)
            if len(ranked) < limit and not exact and sort == "relevance":
                ranked += attachment_matches(conn, parsed, clauses, params,
                                              limit - len(ranked), {r[0] for r in ranked})
            ids = [r[0] for r in ranked]
            marks = ", ".join("?" * len(ids))
            rows = {r[0]: r for r in conn.execute(
                "SELECT a.id, a.canonical_url, a.title, a.published_at, a.site, a.author, "
                f"a.text FROM articles a WHERE a.id IN ({marks})", ids)} if ids else {}
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "interrupted" in message:
            raise QueryError(
                "search took too long and was stopped: add words or a filter"
            ) from None
        raise QueryError(f"search failed: {message}") from exc
    terms = highlight_terms(parsed)
    hits = []
    for rowid, row_score in ranked:
        r = rows.get(rowid)
        if r is None:  # FTS row without article: never written by the store, skip it
            continue
        hits.append(Hit(id=r[0], url=r[1], title=r[2], published_at=r[3], site=r[4],
                        author=r[5], snippet=make_snippet(r[6], terms),
                        score=round(float(row_score), 6)))
    return hits



ARTICLE_SHOW_COLUMNS = (
    "id", "site", "canonical_url", "url", "node_id", "title", "text", "author", "author_role",
    "author_prefix", "categories", "published_at", "published_precision", "published_raw",
    "published_source", "published_confidence", "content_hash", "revision", "first_seen",
    "last_seen", "first_run", "last_run", "gone_at", "warc_file", "warc_offset",
    "warc_record_id", "warc_digest",
)


def get_article(conn: sqlite3.Connection, url_or_id: str | int) -> dict[str, Any] | None:
    """One article by id, canonical URL or any URL it was seen under (aliases, /node/N), with
    its provenance: every URL (`urls`), the runs that saw it first and last, the WARC record
    when one was written, and its attachments (`attachments`)."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    names = [c for c in ARTICLE_SHOW_COLUMNS if c in present]
    cols = ", ".join(names)
    row = None
    key = str(url_or_id).strip()
    if key.isdigit() and len(key) <= 18:
        row = conn.execute(f"SELECT {cols} FROM articles WHERE id = ?", (int(key),)).fetchone()
    if row is None:
        row = conn.execute(f"SELECT {cols} FROM articles WHERE canonical_url = ?",
                           (key,)).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {cols} FROM articles WHERE id = "
            "(SELECT article_id FROM article_urls WHERE url = ?)", (key,)
        ).fetchone()
    if row is None:
        return None
    article: dict[str, Any] = dict.fromkeys(ARTICLE_SHOW_COLUMNS)  # columns it predates: None
    article.update(zip(names, row, strict=True))
    article["categories"] = json.loads(article["categories"] or "[]")
    article["urls"] = [
        u for (u,) in conn.execute(
            "SELECT url FROM article_urls WHERE article_id = ? ORDER BY first_seen, url",
            (article["id"],),
        )
    ]
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'article_attachments'").fetchone()
    article["attachments"] = [] if not has_table else [
        {"url": u, "label": label, "sha256": sha, "mime": mime, "size": size, "path": path}
        for u, label, sha, mime, size, path in conn.execute(
            "SELECT aa.url, aa.label, aa.sha256, at.mime, at.size, at.path "
            "FROM article_attachments aa LEFT JOIN attachments at ON at.sha256 = aa.sha256 "
            "WHERE aa.article_id = ? ORDER BY aa.url", (article["id"],),
        )
    ]
    return article
