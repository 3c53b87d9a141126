"""Search's filters (site, dates, author, category, attachments) as SQL clauses, shared by
search and the exports (archive/export.py, archive/wacz.py)."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from datetime import date, timedelta
from typing import Any, TypedDict, Unpack

from archive.folding import fold
from archive.search_query import QueryError, normalize_query

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def _period(value: str | int, name: str) -> tuple[str, str]:
    """(first day, first day after) of a YYYY / YYYY-MM / YYYY-MM-DD period, as ISO strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    m = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise QueryError(f"--{name} must look like YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day is not None:
            start = date(year, int(month), int(day))
            end = start + timedelta(days=1)
        elif month is not None:
            start = date(year, int(month), 1)
            end = date(year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            start = date(year, 1, 1)
            end = date(year + 1, 1, 1)
    except (ValueError, OverflowError):
        raise QueryError(f"--{name}: {value!r} is not a valid date") from None
    return start.isoformat(), end.isoformat()


@functools.lru_cache(maxsize=4096)
def _fold_value(value: object) -> str | None:
    # Filters fold the same few hundred bylines and categories once per matching row:
    # remembering them cuts a third off an author- or category-filtered search.
    return None if value is None else fold(str(value))


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the filters need: `luutru_fold(text)` is `archive.folding.fold`."""
    conn.create_function("luutru_fold", 1, _fold_value, deterministic=True)


AUTHOR_CLAUSE = "instr(luutru_fold({alias}.author), :author) > 0"
# The author filter as a set the author index answers: `a.author` is one of the bylines
# `matching_bylines` found, so search builds the articles' ids from the index without
# reading an article row (the row-by-row clause reads one per match: ~15 ms for 10,000).
AUTHOR_SET_CLAUSE = "{alias}.author IN (SELECT value FROM json_each(:author_set))"
# Past this many distinct bylines the walk below (and folding them: `_fold_value` remembers
# 4,096 values) would cost about what reading the rows costs.
MAX_BYLINES = 3000
# The archive's distinct bylines, one seek of the author index each (a skip-scan: 2-3 µs a
# byline), at most :cap of them.
_BYLINES_SQL = (
    "WITH RECURSIVE byline(author, n) AS ("
    "SELECT (SELECT min(author) FROM articles), 1 UNION ALL "
    "SELECT (SELECT min(author) FROM articles WHERE author > byline.author), n + 1 "
    "FROM byline WHERE byline.author IS NOT NULL AND n <= :cap) "
    "SELECT author FROM byline WHERE author IS NOT NULL"
)


def matching_bylines(conn: sqlite3.Connection, author: str) -> list[str] | None:
    """The distinct bylines whose folded text holds `author` (already folded, as
    `filter_clauses` leaves it in its parameters): AUTHOR_CLAUSE's rows are exactly the
    articles with one of them. None when the archive has no author index (opened read-only
    before a writer added it: every seek would scan the table) or more than MAX_BYLINES
    bylines: the caller then filters row by row."""
    has_index = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = "
                             "'idx_articles_author'").fetchone()
    if has_index is None:
        return None
    bylines = [r[0] for r in conn.execute(_BYLINES_SQL, {"cap": MAX_BYLINES})]
    if len(bylines) > MAX_BYLINES:
        return None
    return [b for b in bylines if author in (_fold_value(b) or "")]


def author_set(conn: sqlite3.Connection, author: str, alias: str = "a"
               ) -> tuple[str, dict[str, Any]] | None:
    """AUTHOR_SET_CLAUSE and its parameter for a folded `author`, or None (see
    `matching_bylines`)."""
    bylines = matching_bylines(conn, author)
    if bylines is None:
        return None
    return AUTHOR_SET_CLAUSE.format(alias=alias), {"author_set": json.dumps(bylines)}


class ArticleFilters(TypedDict, total=False):
    """The filters search, export and the WACZ read alike, beside the site (`filter_clauses`
    says what each matches): one definition their keyword arguments all take."""

    since: str | int | None
    until: str | int | None
    author: str | None
    category: str | None


def filter_clauses(
    *,
    site: str | None = None,
    has_attachment: bool = False,
    alias: str = "a",
    **filters: Unpack[ArticleFilters],
) -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses (on `articles AS alias`) and parameters shared by search and export.

    `since`/`until` keep articles published in or after / up to the end of a YYYY, YYYY-MM
    or YYYY-MM-DD period; `author` matches a folded substring of the byline (`nguyen van`
    finds `ThS. Nguyễn Văn A`); `category` a whole category, folded (`tin tuc` finds `Tin
    tức`); `has_attachment` keeps articles with at least one row in `article_attachments`.
    Uses `luutru_fold`: call `register_functions(conn)` first. A name that is no filter is a
    TypeError, as an unknown keyword argument is.
    """
    unknown = filters.keys() - ArticleFilters.__optional_keys__
    if unknown:
        raise TypeError(f"filter_clauses() got unknown filters: {', '.join(sorted(unknown))}")
    since, until = filters.get("since"), filters.get("until")
    author, category = filters.get("author"), filters.get("category")
    where: list[str] = []
    params: dict[str, Any] = {}
    if site is not None:
        where.append(f"{alias}.site = :site")
        params["site"] = site
    if since is not None:
        params["since"] = _period(since, "since")[0]
        where.append(f"{alias}.published_at >= :since")
    if until is not None:
        params["until"] = _period(until, "until")[1]
        where.append(f"{alias}.published_at < :until")
    if since is not None and until is not None and params["since"] >= params["until"]:
        raise QueryError(f"--since {since} is after --until {until}")
    for name, value in (("author", author), ("category", category)):
        if value is None:
            continue
        if "\x00" in value or not value.strip():
            raise QueryError(f"--{name} needs some text")
        params[name] = " ".join(fold(normalize_query(value)).split())
    if author is not None:
        where.append(AUTHOR_CLAUSE.format(alias=alias))
    if category is not None:
        where.append(
            f"EXISTS (SELECT 1 FROM json_each(coalesce({alias}.categories, '[]')) c "
            "WHERE trim(luutru_fold(c.value)) = :category)"
        )
    if has_attachment:
        where.append(f"{alias}.id IN (SELECT article_id FROM article_attachments)")
    return where, params

