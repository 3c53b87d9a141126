"""The archive's tables, indexes and FTS layout (docs/design.md, "Archive"), made idempotently."""

from __future__ import annotations

import sqlite3
import sys

import sqlite_utils

from archive.db import ArchiveError
from archive.fts import ensure_search_indexes

# 2: `articles_fts` and `attachments_fts` are contentless, the articles' kept by triggers
# (archive/fts.py); 1 stored their content.
SCHEMA_VERSION = 2

# Free pages worth a VACUUM after a migration.
COMPACT_MIN_BYTES = 32_000_000

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
    # The archivist's record of a run (issue: scheduled, incremental, resumable crawls).
    "requests": int,
    "bytes": int,
    "items_gone": int,
    "errors_json": str,  # {"http_404": 3, "timeout": 1, ...}
    "pid": int,
    "log_file": str,
    "warc_file": str,
}
RUN_COUNTERS = ("pages", "items_new", "items_updated", "items_unchanged", "items_duplicate",
                "errors", "requests", "bytes", "items_gone")
RUN_DETAILS = ("errors_json", "pid", "log_file", "warc_file")
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
    # How far the date can be trusted: 1.0 printed label, 0.9 listing, 0.5 body mention...
    "published_confidence": float,
    "gone_at": str,  # a known URL answered 404/410: marked, never deleted
    "revision": int,  # 1 for the first version, +1 for every change of cleaned content
    "etag": str,  # validators for conditional re-fetches
    "last_modified": str,
    # Where the captured bytes of the article page are (WARC/1.1, gzip per record).
    "warc_file": str,
    "warc_offset": int,
    "warc_record_id": str,
    "warc_digest": str,
    "fingerprint": str,  # near-duplicate fingerprint (hex), see archive/neardup.py
    # A date the body mentions (ISO day) and its sentence: never the publication date.
    "date_mentioned": str,
    "date_mentioned_text": str,
}
REVISION_COLUMNS: dict[str, type] = {
    "id": int,
    "article_id": int,
    "revision": int,
    "title": str,
    "text": str,
    "content_hash": str,
    "fetched_at": str,
    "run_id": int,
    "warc_record_id": str,
}
ATTACHMENT_COLUMNS: dict[str, type] = {
    "sha256": str,
    "mime": str,  # sniffed from the bytes, never the extension
    "size": int,
    "path": str,  # relative to the archive's folder: attachments/ab/abcdef....ext
    "file_name": str,  # safe name derived from the URL, for people
    "first_seen": str,
    "text": str,  # extracted text (PDF, DOCX), also in attachments_fts
}
ARTICLE_ATTACHMENT_COLUMNS: dict[str, type] = {
    "article_id": int,
    "url": str,
    "sha256": str,
    "label": str,
}
ARTICLE_URL_COLUMNS: dict[str, type] = {"url": str, "article_id": int, "first_seen": str}
# Files an article links to that are not kept yet (pipelines/attachment_files.py): written with
# the article, deleted once the file is kept or fails for good; the next crawl fetches the rest.
ATTACHMENT_WANTED_COLUMNS: dict[str, type] = {
    "article_id": int,
    "url": str,
    "label": str,
    "first_seen": str,
}
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
# Where a run merged in by `luutru merge` came from (archive/merge.py): one row per merged run,
# keyed by its origin and its id there, so merging the same shard again finds its runs. Runs
# crawled into this archive itself have no row. Older archives gain the table on opening.
RUN_ORIGIN_COLUMNS: dict[str, type] = {
    "run_id": int,  # runs.id here
    "origin": str,  # "<host>/<project>/<site>/<job>" from the shard's manifest, else its path
    "origin_run_id": int,  # the run's id in the archive it was crawled into
    "shard": str,  # the shard path as given to `luutru merge`
    "project": str,
    "site": str,
    "job": str,
    "host": str,
    "merged_at": str,
}
# One row per field compared when a family spider's article was also read by the generic
# extraction (scrapers/crosscheck.py, pipelines/crosscheck.py): title, body, author, date.
ARTICLE_CHECK_COLUMNS: dict[str, type] = {
    "article_id": int,
    "run_id": int,
    "field": str,  # title | body | author | date
    "family_value": str,  # the family spider's own value ("" when it read none)
    "generic_value": str,
    "agree": int,  # 1 agree (both empty too), 0 differ, NULL: only the family read a value
    "chosen": str,  # family | generic: whose value the archive kept
    "score": float,  # body: word-set Jaccard similarity; title: difflib ratio
    "note": str,  # e.g. family_short (family body < 50 % of the generic one), filled
}


_INDEXES: list[tuple[str, list[str], bool]] = [
    ("revisions", ["article_id"], False),
    ("article_attachments", ["sha256"], False),
    ("attachment_wanted", ["url"], False),
    # Site and date filters are answered from this index alone (search builds its set of
    # filtered ids from it without reading article rows).
    ("articles", ["site", "published_at"], False),
    ("articles", ["content_hash"], False),
    ("articles", ["node_id"], False),
    ("articles", ["published_at"], False),
    # Search's author filter: the distinct bylines and their articles' ids, read from this
    # index alone (archive/search_filters.py); without it, a read per matching article.
    ("articles", ["author"], False),
    ("article_urls", ["article_id"], False),
    ("runs", ["site"], False),
    ("fetch_log", ["run_id"], False),
    ("fetch_log", ["url"], False),
    ("article_checks", ["run_id"], False),
]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create whatever is missing, so every writer can open any archive (new or old) safely.

    Refuses archives written by a newer schema than this code knows, rather than writing rows
    an older layout would misread. Migrates older ones in the same transaction (schema 1 -> 2:
    the search index is rebuilt contentless, ~40 s per 100,000 articles, with progress lines
    on stderr), then gives the old index's pages back to the disk.
    """
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        dropped = _create(db)
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
        if dropped:
            _compact(conn)


def _compact(conn: sqlite3.Connection) -> None:
    """VACUUM after a migration freed many pages (the old index: ~1 GB on 100,000 articles).
    Needs room for a copy of the archive; without it the archive works as it is and reuses the
    pages as it grows, so a failure is reported, not raised."""
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    if free * page < COMPACT_MIN_BYTES:
        return
    print(f"luutru: compacting the archive ({free * page / 1e6:,.0f} MB free after the "
          "migration)", file=sys.stderr, flush=True)
    try:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:
        print(f"luutru: could not compact the archive ({exc}); it works as it is",
              file=sys.stderr, flush=True)


def _move_body_mentions(db: sqlite_utils.Database) -> None:
    """Archives from before `date_mentioned` stored body mentions as the publication date:
    move them to their own columns, once, as the column is added."""
    from archive.excerpts import mention_sentence

    rows = db.execute(
        "SELECT id, text, published_at, published_raw FROM articles "
        "WHERE published_source = 'body_mention'"
    ).fetchall()
    for article_id, text, published_at, raw in rows:
        day = (published_at or "")[:10] or None
        db.execute(
            "UPDATE articles SET date_mentioned = ?, date_mentioned_text = ?, "
            "published_at = NULL, published_precision = NULL, published_source = NULL, "
            "published_confidence = NULL, published_raw = NULL WHERE id = ?",
            [day, mention_sentence(text or "", raw or "") or raw, article_id],
        )


def _create(db: sqlite_utils.Database) -> bool:
    """Make or migrate every table; True when an old search index was dropped."""
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
    db.table("revisions").create(
        REVISION_COLUMNS, pk="id", not_null={"article_id", "revision"},
        foreign_keys=[("article_id", "articles", "id")], if_not_exists=True,
    )
    db.table("attachments").create(ATTACHMENT_COLUMNS, pk="sha256", if_not_exists=True)
    db.table("article_attachments").create(
        ARTICLE_ATTACHMENT_COLUMNS, pk=("article_id", "url"),
        foreign_keys=[("article_id", "articles", "id")], if_not_exists=True,
    )
    db.table("attachment_wanted").create(
        ATTACHMENT_WANTED_COLUMNS, pk=("article_id", "url"),
        foreign_keys=[("article_id", "articles", "id")], if_not_exists=True,
    )
    db.table("article_checks").create(
        ARTICLE_CHECK_COLUMNS, pk=("article_id", "run_id", "field"),
        not_null={"article_id", "field"}, if_not_exists=True,
    )
    db.table("run_origins").create(
        RUN_ORIGIN_COLUMNS, pk="run_id", not_null={"origin", "origin_run_id"},
        foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    db.table("run_origins").create_index(
        ["origin", "origin_run_id"], index_name="idx_run_origins_origin", unique=True,
        if_not_exists=True,
    )
    # Archives made by an earlier build of this schema version gain the newer columns.
    for name, columns in (("runs", RUN_COLUMNS), ("articles", ARTICLE_COLUMNS),
                          ("revisions", REVISION_COLUMNS)):
        table = db.table(name)
        existing = set(table.columns_dict)
        for column, kind in columns.items():
            if column not in existing:
                table.add_column(column, kind)
        if name == "articles" and "date_mentioned" not in existing and existing:
            _move_body_mentions(db)
    db.table("articles").create_index(
        ["canonical_url"], index_name="idx_articles_canonical_url", unique=True,
        if_not_exists=True,
    )
    for table_name, indexed, unique in _INDEXES:
        db.table(table_name).create_index(
            indexed,
            index_name=f"idx_{table_name}_{'_'.join(indexed)}",
            unique=unique,
            if_not_exists=True,
        )
    dropped = ensure_search_indexes(db.conn)
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
        [str(SCHEMA_VERSION)],
    )
    return dropped
