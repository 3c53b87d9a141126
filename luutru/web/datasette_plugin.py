"""Datasette plugin for `luutru serve`: the archive's folded search, read-only lock-down, and a
facet by year.

Registered by `luutru.web.serve.make_datasette` (not through an entry point, so a plain `datasette`
run elsewhere in the environment is not affected); it acts only on the databases listed in
the `luutru` plugin configuration.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from archive.db import _authorizer
from archive.search import (
    ParsedQuery,
    QueryError,
    highlight_terms,
    make_snippet,
    match_expression,
    parse_query,
    register_functions,
)

# What a query with nothing searchable matches: a token no folded text holds.
NO_MATCH = '"luutruzzznomatch"'


def _parse(query: Any) -> ParsedQuery | None:
    try:
        return parse_query(str(query or ""))
    except QueryError:
        return None


def fts_expression(query: Any) -> str:
    """`escape_fts` for the archive: the luutru query language, folded. Without a column
    filter, so it fits every FTS table of the archive (`articles_fts`, `attachments_fts`):
    a folded token only matches an unfolded column where the text had no diacritics anyway,
    and the folded columns then hold it too."""
    parsed = _parse(query)
    if parsed is None:
        return NO_MATCH
    return match_expression(parsed).replace("{title_fold text_fold} : ", "")


def articles_match(query: Any) -> str:
    """`luutru_match(:q)`: the MATCH string over `articles_fts`'s folded columns."""
    parsed = _parse(query)
    return NO_MATCH if parsed is None else match_expression(parsed)


def snippet(text: Any, query: Any) -> str:
    """`luutru_snippet(text, :q)`: ~30 words of the original text around the first match."""
    parsed = _parse(query)
    if parsed is None or text is None:
        return ""
    return make_snippet(str(text), highlight_terms(parsed))


def _archive_databases(datasette: Any) -> set[str]:
    config = datasette.plugin_config("luutru") or {}
    return set(config.get("databases") or [])


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Runs after Datasette's own hook, so the folded `escape_fts` replaces the stock one."""
    if database not in _archive_databases(datasette):
        return
    register_functions(conn)
    conn.create_function("escape_fts", 1, fts_expression, deterministic=True)
    conn.create_function("luutru_match", 1, articles_match, deterministic=True)
    conn.create_function("luutru_snippet", 2, snippet, deterministic=True)
    # Same lock-down as `archive.db.open_reader`: mode=ro alone still allows ATTACH (which
    # creates files) and state-changing PRAGMAs.
    if hasattr(conn, "setlimit") and hasattr(sqlite3, "SQLITE_LIMIT_ATTACHED"):
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_authorizer)


class YearFacet(Facet):
    """`{"year": "published_at"}`: counts per year of an ISO date column; selecting a year
    filters with `column__startswith=YYYY`."""

    type = "year"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (
                f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
                f"where {col} glob '[0-9][0-9][0-9][0-9]*' "
                f"group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = str(args.get(key)) == str(row["value"])
                path = (path_with_removed_args(self.request, {key: str(row["value"])})
                        if selected else
                        path_with_added_args(self.request, {key: row["value"]}))
                values.append({
                    "value": row["value"], "label": row["value"], "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, path),
                    "selected": selected,
                })
            results.append({
                "name": column, "type": self.type, "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                "truncated": len(rows.rows) > size,
            })
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [YearFacet]
