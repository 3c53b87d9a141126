"""The archive's tables, indexes and FTS layout (docs/design.md, "Archive"), made idempotently."""

from __future__ import annotations

import sqlite_utils

from archive.db import ArchiveError

SCHEMA_VERSION = 1

RUN_STATUSES = ("running", "finished", "interrupted", "failed")
FETCH_OUTCOMES = ("stored", "unchanged", "duplicate", "crawled", "skipped", "failed")

SITE_COLUMNS: dict[str, type] = {
    "slug": str,
    "name": str,
    "province": str,
    "merged_into": str,
    "base_url": str,
    "cms": str,
    "status": str,
}
RUN_COLUMNS: dict[str, type] = {
    "id": int,
    "site": str,
    "started_at": str,
    "finished_at": str,
    "status": str,
    "base_url": str,
    "pages": int,
    "items_new": int,
    "items_updated": int,
    "items_unchanged": int,
    "items_duplicate": int,
    "errors": int,
    "stats_json": str,
}
RUN_COUNTERS = ("pages", "items_new", "items_updated", "items_unchanged", "items_duplicate",
                "errors")
ARTICLE_COLUMNS: dict[str, type] = {
    "id": int,
    "site": str,
    "canonical_url": str,
    "url": str,
    "node_id": int,
    "title": str,
    "text": str,
    "author": str,
    "author_role": str,
    "author_prefix": str,
    "categories": str,  # JSON list
    "published_at": str,
    "published_precision": str,
    "published_raw": str,
    "published_source": str,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    "first_run": int,
    "last_run": int,
}
ARTICLE_URL_COLUMNS: dict[str, type] = {"url": str, "article_id": int, "first_seen": str}
FETCH_LOG_COLUMNS: dict[str, type] = {
    "id": int,
    "run_id": int,
    "url": str,
    "kind": str,
    "outcome": str,
    "reason": str,
    "http_status": int,
    "article_id": int,
    "at": str,
}

# Regular (content-storing) FTS5 table: rows are deleted by rowid alone, so the index can never
# drift from `articles` through a folding change between versions. Kept in step by store.py.
FTS_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, title_fold, text_fold,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""

_INDEXES: list[tuple[str, list[str], bool]] = [
    ("articles", ["site"], False),
    ("articles", ["content_hash"], False),
    ("articles", ["node_id"], False),
    ("articles", ["published_at"], False),
    ("article_urls", ["article_id"], False),
    ("runs", ["site"], False),
    ("fetch_log", ["run_id"], False),
    ("fetch_log", ["url"], False),
]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create whatever is missing, so every writer can open any archive (new or old) safely.

    Refuses archives written by a newer schema than this code knows, rather than writing rows
    an older layout would misread.
    """
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        _create(db)
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")


def _create(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None and int(row[0]) > SCHEMA_VERSION:
        raise ArchiveError(
            f"archive schema version {row[0]} is newer than this luutru ({SCHEMA_VERSION}): "
            "upgrade luutru"
        )
    db.table("sites").create(
        SITE_COLUMNS, pk="slug", not_null={"slug"}, if_not_exists=True
    )
    db.table("runs").create(
        RUN_COLUMNS,
        pk="id",
        not_null={"site", "started_at", "status"},
        defaults={c: 0 for c in RUN_COUNTERS},
        if_not_exists=True,
    )
    db.table("articles").create(
        ARTICLE_COLUMNS,
        pk="id",
        not_null={"site", "canonical_url", "title", "text", "content_hash"},
        if_not_exists=True,
    )
    db.table("article_urls").create(
        ARTICLE_URL_COLUMNS,
        pk="url",
        not_null={"article_id"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db.table("fetch_log").create(
        FETCH_LOG_COLUMNS, pk="id", not_null={"url", "outcome"}, if_not_exists=True
    )
    db.table("articles").create_index(
        ["canonical_url"], index_name="idx_articles_canonical_url", unique=True,
        if_not_exists=True,
    )
    for table, columns, unique in _INDEXES:
        db.table(table).create_index(
            columns,
            index_name=f"idx_{table}_{'_'.join(columns)}",
            unique=unique,
            if_not_exists=True,
        )
    db.execute(FTS_SQL)
    db.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
        [str(SCHEMA_VERSION)],
    )
