"""Export articles as JSON Lines, CSV or a SQLite subset, with a fixed, documented column order.

The SQLite subset is itself a luutru archive (same schema, folded full-text index), so
`luutru search`, `show`, `stats` and `serve` work on it: a researcher can hand a colleague
one file holding just the articles of one site or period.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from archive.db import ArchiveError
from archive.search import filter_clauses, register_functions

FORMATS = ("jsonl", "csv", "sqlite")

EXPORT_FIELDS = (
    "site",
    "url",
    "original_url",
    "title",
    "published_at",
    "published_precision",
    "published_source",
    "published_raw",
    "date_mentioned",
    "date_mentioned_text",
    "author",
    "author_role",
    "categories",
    "text",
    "first_seen",
    "last_seen",
    "content_hash",
)
# Export field -> articles column, in EXPORT_FIELDS order.
_COLUMN_OF = {"url": "canonical_url", "original_url": "url"}
# Columns added after the first archives were written: read as NULL from an archive that a
# newer luutru has not opened for writing yet (readers never migrate).
_LATER_COLUMNS = ("date_mentioned", "date_mentioned_text")


def _select(conn: sqlite3.Connection) -> str:
    present = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    cols = []
    for name in EXPORT_FIELDS:
        column = _COLUMN_OF.get(name, name)
        cols.append(f"a.{column}" if column in present or column not in _LATER_COLUMNS
                    else "NULL")
    return f"SELECT a.id, {', '.join(cols)} FROM articles a"
PAGE_SIZE = 500


def iter_records(
    conn: sqlite3.Connection,
    site: str | None = None,
    *,
    since: str | int | None = None,
    until: str | int | None = None,
    author: str | None = None,
    category: str | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """Yield every article matching the filters (as `luutru search` reads them), ordered by
    site then id, as export dicts.

    Reads one page per statement (keyset on site, id), so a big export neither holds one read
    snapshot for minutes (blocking WAL checkpoints) nor trips the reader's per-query time limit.
    Raises `archive.search.QueryError` for a malformed filter.
    """
    for _id, record in iter_rows(conn, site, since=since, until=until, author=author,
                                 category=category, page_size=page_size):
        yield record


def iter_rows(
    conn: sqlite3.Connection,
    site: str | None = None,
    *,
    since: str | int | None = None,
    until: str | int | None = None,
    author: str | None = None,
    category: str | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """`iter_records` with each record's article id: (id, record) pairs."""
    register_functions(conn)
    filters, params = filter_clauses(site=site, since=since, until=until, author=author,
                                     category=category)
    where = " AND ".join(["(a.site, a.id) > (:last_site, :last_id)", *filters])
    sql = f"{_select(conn)} WHERE {where} ORDER BY a.site, a.id LIMIT :page_size"
    params.update(last_site="", last_id=-1, page_size=page_size)
    while True:
        rows = conn.execute(sql, params).fetchall()
        for row in rows:
            values = dict(zip(EXPORT_FIELDS, row[1:], strict=True))
            values["categories"] = json.loads(values["categories"] or "[]")
            yield row[0], values
        if len(rows) < page_size:
            return
        params["last_site"], params["last_id"] = rows[-1][1], rows[-1][0]


def write_jsonl(records: Iterable[Mapping[str, Any]], fh: TextIO) -> int:
    """Write one JSON object per line (UTF-8 text, not \\u-escaped); returns the count."""
    n = 0
    for record in records:
        fh.write(json.dumps({k: record.get(k) for k in EXPORT_FIELDS}, ensure_ascii=False))
        fh.write("\n")
        n += 1
    return n


def write_csv(records: Iterable[Mapping[str, Any]], fh: TextIO, bom: bool = False) -> int:
    """Write CSV with a header row, categories joined by "; "; returns the count of records.

    `bom=True` writes a UTF-8 byte order mark first, which Excel needs to read Vietnamese
    correctly. Open `fh` with `newline=""` (the csv module writes its own line ends).
    """
    if bom:
        fh.write("\ufeff")
    writer = csv.writer(fh)
    writer.writerow(EXPORT_FIELDS)
    n = 0
    for record in records:
        row = []
        for key in EXPORT_FIELDS:
            value = record.get(key)
            if key == "categories" and isinstance(value, list | tuple):
                value = "; ".join(str(v) for v in value)
            row.append("" if value is None else value)
        writer.writerow(row)
        n += 1
    return n


def write_sqlite(
    rows: Iterable[tuple[int, Mapping[str, Any]]], path: str | Path, source: sqlite3.Connection
) -> int:
    """Write the (source id, record) pairs of `iter_rows` into a new luutru archive at `path`
    (refusing to overwrite a file): the articles with their folded full-text index, every URL
    each was seen under, and the `sites` rows they belong to. Returns the count of articles."""
    from archive.store import Archive

    path = Path(path)
    if path.exists():
        raise ArchiveError(f"{path} already exists: export a subset to a new file")
    n = 0
    sites: set[str] = set()
    archive = Archive(path)
    try:
        with archive.transaction():
            for source_id, record in rows:
                article = dict(record)
                article["canonical_url"] = record["url"]
                article["url"] = record.get("original_url") or record["url"]
                article["fetched_at"] = record.get("first_seen")
                _outcome, new_id = archive.store_article(article, None)
                archive.conn.execute(
                    "UPDATE articles SET first_seen = ?, last_seen = ? WHERE id = ?",
                    (record.get("first_seen"), record.get("last_seen"), new_id),
                )
                for url, first_seen in source.execute(
                    "SELECT url, first_seen FROM article_urls WHERE article_id = ?",
                    (source_id,),
                ).fetchall():
                    archive.conn.execute(
                        "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) "
                        "VALUES (?, ?, ?)", (url, new_id, first_seen),
                    )
                sites.add(record["site"])
                n += 1
            cols = "slug, name, province, merged_into, base_url, cms, status"
            for site in sorted(sites):
                row = source.execute(f"SELECT {cols} FROM sites WHERE slug = ?",
                                     (site,)).fetchone()
                values = dict(zip(cols.split(", "), row, strict=True)) if row else {"slug": site}
                archive.upsert_site(values)
    except BaseException:
        archive.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    archive.close()
    return n
