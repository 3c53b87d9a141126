"""The articles' full-text index: a contentless FTS5 table kept in step by triggers.

`articles_fts` indexes four columns: the original title and text (diacritics kept, for
`--exact` and the exact-spelling boost) and their folded forms (what every search matches).
It stores no content of its own (`content=''`): the original text lives in `articles`
alone, and the folded text only in the index, never twice (issue 12: a content-storing
table made a 100,000-article archive 1.8 GB). Snippets fold the article's text again
(`fold` is one `str.translate`: ~0.05 ms an article) and map matches back through fold's 1:1
offsets.

A contentless table forgets what it indexed, so a row can only be removed by handing FTS5
the very values it indexed ('delete' command). Two things keep that true:

- Every writer connection (`archive.db.open_writer`) gets TEMP triggers on `articles` that
  index a new row, and un-index the OLD values before indexing the new ones on an update
  of title or text (and on a delete). Whatever code path writes articles, the index follows.
  A connection opened around luutru (plain sqlite3) has no triggers: changing title/text
  there leaves the index behind (then `rebuild_articles_index`).
- The folding the index was built with is recorded (`fold_signature`, in `meta`); a luutru
  whose `fold` differs rebuilds the index when it opens the archive for writing, before any
  trigger could un-index a row with the wrong folding.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import sys
import time
from typing import TextIO

from archive.folding import fold

# A luutru_* name of its own: `archive.search.register_functions` defines a memoising
# `luutru_fold` for short values, which must not remember whole article texts.
INDEX_FOLD_FUNCTION = "luutru_index_fold"

ARTICLES_FTS_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, title_fold, text_fold,
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
)
"""
# Attached files' text (PDF, DOCX), kept in `attachments.text`: indexed the same way, stored
# once. Rows are only ever added (pipelines/attachments.py), so no triggers are needed.
ATTACHMENTS_FTS_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS attachments_fts USING fts5(
    text, text_fold,
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
)
"""
# Below this many articles a rebuild is quick and says nothing.
PROGRESS_MIN_ARTICLES = 20_000
_BATCH = 2_000

_INSERT_NEW = (
    f"INSERT INTO articles_fts (rowid, title, text, title_fold, text_fold) VALUES "
    f"(new.id, new.title, new.text, {INDEX_FOLD_FUNCTION}(new.title), "
    f"{INDEX_FOLD_FUNCTION}(new.text));"
)
_DELETE_OLD = (
    f"INSERT INTO articles_fts (articles_fts, rowid, title, text, title_fold, text_fold) "
    f"VALUES ('delete', old.id, old.title, old.text, {INDEX_FOLD_FUNCTION}(old.title), "
    f"{INDEX_FOLD_FUNCTION}(old.text));"
)
# TEMP triggers: they exist only on luutru's own writer connections (which register the
# folding function), so a plain sqlite3 session can still write the file at all.
TRIGGERS_SQL = (
    "CREATE TEMP TRIGGER IF NOT EXISTS luutru_articles_fts_insert AFTER INSERT ON main.articles "
    f"BEGIN {_INSERT_NEW} END",
    "CREATE TEMP TRIGGER IF NOT EXISTS luutru_articles_fts_delete AFTER DELETE ON main.articles "
    f"BEGIN {_DELETE_OLD} END",
    "CREATE TEMP TRIGGER IF NOT EXISTS luutru_articles_fts_update "
    "AFTER UPDATE OF id, title, text ON main.articles "
    "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.text IS NOT new.text "
    f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
)


def _index_fold(value: object) -> str | None:
    return None if value is None else fold(str(value))


# Where a change of the folding rules would show: Latin (with Vietnamese), combining marks,
# Greek, Cyrillic, punctuation, full-width forms.
_SIGNATURE_RANGES = ((0x0000, 0x0530), (0x1E00, 0x1F00), (0x2000, 0x2070), (0xFF00, 0xFFF0))


@functools.cache
def fold_signature() -> str:
    """A digest of what `fold` does to ~3,000 characters (each alone): two builds of luutru
    with the same signature fold the same way, so one can un-index what the other indexed.
    A few ms, once per process."""
    chars = " ".join(chr(i) for a, b in _SIGNATURE_RANGES for i in range(a, b)
                     if not 0xD800 <= i < 0xE000)
    return hashlib.sha256(fold(chars).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def register_index_fold(conn: sqlite3.Connection) -> None:
    """The folding function the triggers and rebuilds call."""
    conn.create_function(INDEX_FOLD_FUNCTION, 1, _index_fold, deterministic=True)


def install_triggers(conn: sqlite3.Connection) -> None:
    """Keep `articles_fts` in step with `articles` on this (writer) connection."""
    register_index_fold(conn)
    for sql in TRIGGERS_SQL:
        conn.execute(sql)


def is_contentless(conn: sqlite3.Connection, table: str = "articles_fts") -> bool | None:
    """True for the current layout, False for the content-storing one of schema 1, None when
    there is no such table yet."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if row is None:
        return None
    return "content=''" in "".join(row[0].split()).lower()


def rebuild_articles_index(conn: sqlite3.Connection, *, out: TextIO | None = None,
                           label: str = "") -> int:
    """Index every article again with the current folding; returns how many. The caller holds
    the transaction. With more than PROGRESS_MIN_ARTICLES articles a line on `out` (stderr by
    default) tells how far it got, about every five seconds: 100,000 articles take ~40 s."""
    register_index_fold(conn)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    (total,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    stream = (out or sys.stderr) if total >= PROGRESS_MIN_ARTICLES else None
    started = last = time.monotonic()
    if stream is not None:
        print(f"luutru: rebuilding the search index{label}: {total:,} articles", file=stream,
              flush=True)
    done, after = 0, -1
    while True:
        row = conn.execute(
            "SELECT max(id), count(*) FROM (SELECT id FROM articles WHERE id > ? ORDER BY id "
            "LIMIT ?)", (after, _BATCH)).fetchone()
        if not row[1]:
            break
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, text, title_fold, text_fold) "
            f"SELECT id, title, text, {INDEX_FOLD_FUNCTION}(title), "
            f"{INDEX_FOLD_FUNCTION}(text) FROM articles WHERE id > ? AND id <= ?",
            (after, row[0]))
        after, done = row[0], done + row[1]
        if stream is not None and time.monotonic() - last >= 5:
            last = time.monotonic()
            print(f"luutru: search index: {done:,} of {total:,} articles "
                  f"({last - started:.0f} s)", file=stream, flush=True)
    if stream is not None:
        print(f"luutru: search index rebuilt: {done:,} articles in "
              f"{time.monotonic() - started:.0f} s", file=stream, flush=True)
    return done


def rebuild_attachments_index(conn: sqlite3.Connection) -> None:
    """Index every attached file's text again (from `attachments.text`)."""
    register_index_fold(conn)
    conn.execute("INSERT INTO attachments_fts (attachments_fts) VALUES ('delete-all')")
    conn.execute(
        "INSERT INTO attachments_fts (rowid, text, text_fold) "
        f"SELECT rowid, text, {INDEX_FOLD_FUNCTION}(text) FROM attachments "
        "WHERE text IS NOT NULL AND text != ''")


def ensure_search_indexes(conn: sqlite3.Connection) -> bool:
    """Create the indexes, or migrate them: a content-storing table (schema 1) or one built
    with another folding is rebuilt from `articles` (`attachments`). Returns True when an old
    table was dropped (its pages are free until a VACUUM). Runs inside the caller's
    transaction, after `articles` and `attachments` exist."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'fold_signature'").fetchone()
    refold = row is None or row[0] != fold_signature()
    dropped = False
    for table, sql in (("articles_fts", ARTICLES_FTS_SQL),
                       ("attachments_fts", ATTACHMENTS_FTS_SQL)):
        layout = is_contentless(conn, table)
        if layout is False:
            conn.execute(f"DROP TABLE {table}")
            dropped = True
        conn.execute(sql)
        if layout is not True or refold:
            (has_rows,) = conn.execute(
                f"SELECT EXISTS (SELECT 1 FROM {table.removesuffix('_fts')})").fetchone()
            if not has_rows:
                continue
            if table == "attachments_fts":
                rebuild_attachments_index(conn)
            else:
                rebuild_articles_index(conn, label=" (the folding rules changed)"
                                       if layout else
                                       " (new layout: the folded text stored once)")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('fold_signature', ?)",
                 (fold_signature(),))
    return dropped


def index_mismatches(conn: sqlite3.Connection) -> list[str]:
    """How the index differs from a fresh index of `articles` (empty when it is right):
    every (term, article, column, position) entry, each row's token counts and the
    totals bm25 averages over. Reads the whole archive: for tests and checks, on a
    connection that may ATTACH and create TEMP tables (not a reader)."""
    register_index_fold(conn)
    conn.execute("ATTACH DATABASE ':memory:' AS luutru_ref")
    try:
        conn.execute(ARTICLES_FTS_SQL.replace("EXISTS articles_fts", "EXISTS luutru_ref."
                                              "articles_fts"))
        conn.execute(
            "INSERT INTO luutru_ref.articles_fts (rowid, title, text, title_fold, text_fold) "
            f"SELECT id, title, text, {INDEX_FOLD_FUNCTION}(title), "
            f"{INDEX_FOLD_FUNCTION}(text) FROM main.articles")
        for schema in ("main", "luutru_ref"):
            conn.execute(f"CREATE VIRTUAL TABLE temp.luutru_vocab_{schema} USING "
                         f"fts5vocab({schema}, articles_fts, instance)")
        problems = []
        for first, second in (("main", "luutru_ref"), ("luutru_ref", "main")):
            for r in conn.execute(
                f"SELECT term, doc, col, offset FROM temp.luutru_vocab_{first} EXCEPT "
                f"SELECT term, doc, col, offset FROM temp.luutru_vocab_{second} LIMIT 20"):
                where = "index only" if first == "main" else "missing from the index"
                problems.append(f"{where}: {r[0]!r} in article {r[1]} ({r[2]}, token {r[3]})")
            for r in conn.execute(f"SELECT id FROM {first}.articles_fts_docsize EXCEPT "
                                  f"SELECT id FROM {second}.articles_fts_docsize LIMIT 20"):
                problems.append(f"token counts of article {r[0]} only in {first}")
        for r in conn.execute("SELECT m.id FROM main.articles_fts_docsize m JOIN "
                              "luutru_ref.articles_fts_docsize r ON r.id = m.id "
                              "WHERE m.sz IS NOT r.sz LIMIT 20"):
            problems.append(f"token counts of article {r[0]} differ")
        totals = [conn.execute(f"SELECT block FROM {s}.articles_fts_data WHERE id = 1"
                               ).fetchone() for s in ("main", "luutru_ref")]
        if totals[0] != totals[1]:
            problems.append("the index's row and token totals differ")
        return problems
    finally:
        for schema in ("main", "luutru_ref"):
            conn.execute(f"DROP TABLE IF EXISTS temp.luutru_vocab_{schema}")
        conn.execute("DETACH DATABASE luutru_ref")
