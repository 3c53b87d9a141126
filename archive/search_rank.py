"""Search's ranking: which articles a relevance or date-ordered page holds, and their scores.

bm25 over every match costs too much for words in most articles, so relevance ranks within a
window of the most recently archived articles holding every word (`rank_window`); filters
the articles' indexes answer (site, dates, attachments, the author's bylines) become one set
of ids; date order reads the published_at index. Every MATCH here is over all columns
(ANY_COLUMN, archive/search_query.py): the rows of the folded columns, counted 2-3x faster.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.search_query import (
    ANY_COLUMN,
    ParsedQuery,
    Term,
    _phrase,
    exact_expression,
    match_expression,
    phrase_expression,
    window_expression,
)

# Relevance ranks within the most recently archived articles holding every word of the query:
# RANK_WINDOW of them for a one-word query, fewer for longer ones (see `rank_window`).
RANK_WINDOW = 10_000
# How many of the newest articles tell whether a word is in most of them (`ranking_expression`).
SAMPLE_ARTICLES = 1000
# bm25 weights for (title, text, title_fold, text_fold): matches are only ever sought in the
# folded columns, the title counting five times a body match.
BM25_WEIGHTS = (0.0, 0.0, 5.0, 1.0)
# Filters keeping at most this many articles have FTS5 asked about each of them (`statement`).
PROBE_MAX = 200


def rank_window(parsed: ParsedQuery) -> int:
    """How many of the most recently archived articles holding every word relevance ranks
    within: RANK_WINDOW divided by the query's word count, because bm25 and the phrase check
    read every word's positions in every article of the window, and a phrase's article count
    over the whole index comes on top (26 ms for five common words on 100,000 articles).
    That keeps a five-word phrase near the cost of a one-word query."""
    words = sum(len(t.tokens) for t in parsed.positive_terms)
    return max(1, RANK_WINDOW // max(1, words))


def ranking_expression(conn: sqlite3.Connection, parsed: ParsedQuery) -> str | None:
    """A cheaper MATCH string for bm25 to score with, or None when it would be
    `match_expression` itself.

    bm25 weighs a term by log((N - n + 0.5) / (n + 0.5)), floored at 1e-6: a term in half the
    articles or more weighs nothing, yet counting its n reads its whole doclist (11 ms for
    `va`, which is in every article). Such terms, judged from the newest SAMPLE_ARTICLES
    (0.1 ms a term), are left out of the scoring; so are excluded terms, which bm25 would
    count too. Rows must still match the whole query: the caller filters on it.
    """
    if len(parsed.groups) < 2 and not parsed.excluded:
        return None
    # The index's own table of row sizes has one small row per article: walking its newest
    # 1,000 ids reads a few pages, where the articles table reads one page per article.
    row = conn.execute("SELECT id FROM articles_fts_docsize ORDER BY id DESC LIMIT 1 OFFSET ?",
                       (SAMPLE_ARTICLES - 1,)).fetchone()
    lower = row[0] - 1 if row else 0
    sample: int = conn.execute("SELECT count(*) FROM articles_fts_docsize WHERE id > ?",
                               (lower,)).fetchone()[0]

    def common(t: Term) -> bool:
        n: int
        (n,) = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid > ?",
            (_phrase(t.tokens, t.prefix, ANY_COLUMN), lower),
        ).fetchone()
        return 2 * n >= sample

    kept = [g for g in parsed.groups if len(g) > 1 or not common(g[0])] or parsed.groups
    if len(kept) == len(parsed.groups) and not parsed.excluded:
        return None
    return match_expression(ParsedQuery(groups=kept), ANY_COLUMN)


def ranked_page(
    conn: sqlite3.Connection, parsed: ParsedQuery, indexed: list[str], computed: list[str],
    params: dict[str, Any], *, sort: str, exact: bool,
) -> list[tuple[int, float]]:
    """(rowid, score) of the page's articles, best first: the ranking half of `search`.

    bm25 costs 1-3 µs per matching row and word: a word in most of 100,000 articles costs
    100 ms. Relevance therefore ranks within the most recently archived articles that hold
    every word of the query (`rank_window`: 10,000 for one word, 2,000 for five; found by
    `_window_floor`); filters apply inside it, and every match is ranked when the window holds
    too few hits. Date order and deep pages see every match.
    """
    limit, offset = params["limit"], params["offset"]
    floor = None
    window_size = rank_window(parsed)
    if sort == "relevance" and offset + limit <= window_size:
        floor = _window_floor(conn, parsed, indexed, params, window_size)
        params["floor"] = floor
    rank_expr = ranking_expression(conn, parsed) if sort == "relevance" else None
    if rank_expr is not None:
        params["rank_match"] = rank_expr
    exact_expr = exact_expression(parsed, force=exact)
    if exact:
        assert exact_expr is not None
        params["exact_only"] = exact_expr
    boosts = []
    for name, expr, weight in (
        ("phrase", phrase_expression(parsed), 2),
        ("exact", None if exact else exact_expr, 1),
    ):
        if expr is not None:
            params[name] = expr
            boosts.append((name, weight))
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    # bm25 is <= 0, lower is better; squash it into [0, 1) so the boosts form tiers above it.
    rank = f"max(0.0, -bm25(articles_fts, {weights}))"
    # FTS5 stays the outer loop (CROSS JOIN keeps the order of the loops). Filters the
    # articles' indexes answer become a set of article ids built once, tested before any row
    # lookup (105 ms -> 18 ms for one site and month on 100,000 articles); the articles table
    # is joined only for date order and for filters computed per row (categories; the folded
    # author without its index), which then run on matches alone. Only the page's rows are
    # read in full.
    source = ("articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid"
              if sort == "date" or computed else "articles_fts")
    order = ("score DESC, articles_fts.rowid DESC" if sort == "relevance" else
             "a.published_at IS NULL, a.published_at DESC, score DESC, articles_fts.rowid DESC")

    def statement(windowed: bool) -> str:
        window = " AND rowid > :floor" if windowed else ""
        if not windowed and indexed and _few_candidates(conn, indexed, params):
            # Every match ranked, but the filters keep a few articles (one site and month):
            # the boosts' and filters' sets are then built by asking FTS5 about each of them
            # (~25 µs an article), not by reading a phrase's positions over the whole index
            # (8 ms for `giao duc`). No bm25 in there: it would count its words' articles
            # again for each one.
            window = (" AND rowid IN (SELECT a.id FROM articles a WHERE "
                      + " AND ".join(indexed) + ")")

        def within(name: str) -> str:
            # Rows matching :name. The unary + keeps SQLite from handing `rowid IN (...)`
            # to FTS5 as a constraint: FTS5 would run the outer MATCH once per listed rowid
            # (seconds, not milliseconds).
            return (f"+articles_fts.rowid IN (SELECT rowid FROM articles_fts "
                    f"WHERE articles_fts MATCH :{name}{window})")

        where = ["articles_fts MATCH :match" if rank_expr is None else
                 f"articles_fts MATCH :rank_match AND {within('match')}"]
        if windowed:
            where.append("articles_fts.rowid > :floor")
        if exact:
            where.append(within("exact_only"))
        if indexed:
            where.append("+articles_fts.rowid IN (SELECT a.id FROM articles a WHERE "
                         + " AND ".join(indexed) + (" AND a.id > :floor" if windowed else "")
                         + ")")
        where.extend(computed)
        score = " + ".join([*(f"{w} * ({within(n)})" for n, w in boosts),
                            f"1.0 - 1.0 / (1.0 + {rank})"])
        return (f"SELECT articles_fts.rowid, {score} AS score FROM {source} "
                f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit OFFSET :offset")

    if sort == "date":
        ranked = _newest_first(conn, params, indexed + computed, exact)
    else:
        ranked = conn.execute(statement(floor is not None), params).fetchall()
    # Too few hits inside the window (a filter or a phrase leaves little of it), or undated
    # articles to list after the dated ones: rank every match.
    if len(ranked) < limit and (sort == "date" or floor is not None):
        ranked = conn.execute(statement(False), params).fetchall()
    return ranked


def _few_candidates(conn: sqlite3.Connection, indexed: list[str], params: dict[str, Any]
                    ) -> bool:
    """True when the `indexed` filters keep at most PROBE_MAX articles (an index-only count
    that stops past it)."""
    (n,) = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM articles a WHERE " + " AND ".join(indexed)
        + " LIMIT :cap)", {**params, "cap": PROBE_MAX + 1}).fetchone()
    return bool(n <= PROBE_MAX)


def _window_floor(
    conn: sqlite3.Connection, parsed: ParsedQuery, indexed: list[str], params: dict[str, Any],
    size: int,
) -> int | None:
    """The rowid below the window: the newest `size` articles holding every word, walked from
    the words' doclists in rowid order without reading positions (1-4 ms). None when fewer
    articles match, or when the `indexed` filters keep too few articles inside the window
    (one site and month) for it to fill the page: then every match is ranked at once."""
    row = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :words "
        "ORDER BY rowid DESC LIMIT 1 OFFSET :window",
        {"words": window_expression(parsed), "window": size},
    ).fetchone()
    if row is None:
        return None
    if indexed:
        # An index-only count (< 1 ms): the filters' ids come from their indexes.
        (kept,) = conn.execute(
            "SELECT count(*) FROM articles a WHERE " + " AND ".join(indexed) + " AND a.id > :floor",
            {**params, "floor": row[0]}).fetchone()
        if kept < params["offset"] + params["limit"]:
            return None
    return int(row[0])


def attachment_matches(
    conn: sqlite3.Connection, parsed: ParsedQuery, filters: list[str], params: dict[str, Any],
    room: int, seen: set[int],
) -> list[tuple[int, float]]:
    """Articles whose attached files (PDF, DOCX text) match, after those that match
    themselves: score 0, newest-archived first."""
    sql = (
        "SELECT DISTINCT aa.article_id FROM attachments_fts f "
        "JOIN attachments t ON t.rowid = f.rowid "
        "JOIN article_attachments aa ON aa.sha256 = t.sha256 "
        "JOIN articles a ON a.id = aa.article_id "
        "WHERE attachments_fts MATCH :attachment_match"
        + "".join(f" AND {f}" for f in filters)
        + " ORDER BY aa.article_id DESC LIMIT :room"
    )
    found = conn.execute(sql, {
        **params,
        "attachment_match": match_expression(parsed, "{text_fold}"),
        "room": room + len(seen),
    }).fetchall()
    return [(r[0], 0.0) for r in found if r[0] not in seen][:room]


def _newest_first(
    conn: sqlite3.Connection, params: dict[str, Any], filters: list[str], exact: bool
) -> list[tuple[int, float]]:
    """Date order read from the published_at index, newest first, stopping at the page's end
    (~10 ms on 100,000 articles instead of sorting every match); dated articles only: the
    caller falls back to the full sort when the page is not filled, so undated ones come last.
    Ties on the date go newest-archived first. Scores are 0: bm25 would count each word's
    articles again per row (~7 ms each)."""
    only = " AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :exact_only)"
    sql = (
        "SELECT a.id FROM articles a INDEXED BY idx_articles_published_at "
        "WHERE a.published_at IS NOT NULL "
        "AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match)"
        + (only if exact else "")
        + "".join(f" AND {f}" for f in filters)
        + " ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
    )
    return [(row[0], 0.0) for row in conn.execute(sql, params)]

