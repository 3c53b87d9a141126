"""Export articles as JSON Lines or CSV with a fixed, documented column order."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

EXPORT_FIELDS = (
    "site",
    "url",
    "original_url",
    "title",
    "published_at",
    "published_precision",
    "published_source",
    "published_raw",
    "author",
    "author_role",
    "categories",
    "text",
    "first_seen",
    "last_seen",
    "content_hash",
)
_SELECT = (
    "SELECT id, site, canonical_url, url, title, published_at, published_precision, "
    "published_source, published_raw, author, author_role, categories, text, first_seen, "
    "last_seen, content_hash FROM articles"
)
PAGE_SIZE = 500


def iter_records(
    conn: sqlite3.Connection, site: str | None = None, *, page_size: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Yield every article (of one site, or all) ordered by site then id, as export dicts.

    Reads one page per statement (keyset on site, id), so a big export neither holds one read
    snapshot for minutes (blocking WAL checkpoints) nor trips the reader's per-query time limit.
    """
    last_site, last_id = "", -1
    while True:
        if site is None:
            rows = conn.execute(
                f"{_SELECT} WHERE (site, id) > (?, ?) ORDER BY site, id LIMIT ?",
                (last_site, last_id, page_size),
            ).fetchall()
        else:
            rows = conn.execute(
                f"{_SELECT} WHERE site = ? AND id > ? ORDER BY id LIMIT ?",
                (site, last_id, page_size),
            ).fetchall()
        for row in rows:
            values = dict(zip(EXPORT_FIELDS, row[1:], strict=True))
            values["categories"] = json.loads(values["categories"] or "[]")
            yield values
        if len(rows) < page_size:
            return
        last_site, last_id = rows[-1][1], rows[-1][0]


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
