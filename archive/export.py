"""Export articles as JSON Lines, CSV or a SQLite subset, with a fixed, documented column order.

A row says what the archive knows of the article beyond its text: whether the site still has
it (`status`, `gone_at`), how often it changed (`revision`, `revisions`, `revision_seen`; with
`revisions=True` one row per version), how far its date can be trusted
(`published_confidence`), its attached files, and the WARC record its text was read from. New
columns are appended after the original ones, so scripts that read columns by position keep
working.

The SQLite subset is itself a luutru archive (same schema, folded full-text index, every
version), so `luutru search`, `show`, `stats` and `serve` work on it: a researcher can hand a
colleague one file holding just the articles of one site or period.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, Unpack

from archive.db import ArchiveError
from archive.search_filters import ArticleFilters, filter_clauses, register_functions

if TYPE_CHECKING:  # imported where a subset is written: sqlite_utils pulls numpy in
    from archive.store import Archive

FORMATS = ("jsonl", "csv", "sqlite", "wacz")
# --include-gone (the default: gone articles are kept and marked), --exclude-gone, --only-gone.
GONE_CHOICES = ("include", "exclude", "only")

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
    # What the archive knows beyond the text (issue 13), appended to keep positions stable.
    "published_confidence",
    "status",  # "live" or "gone"
    "gone_at",
    "revision",
    "revisions",
    "revision_seen",
    "attachment_count",
    "attachments",
    "warc_file",
    "warc_record_id",
)
# One attached file: a JSON object in `attachments`, a row of the `--attachments` CSV.
ATTACHMENT_FIELDS = ("url", "file_name", "mime", "size", "sha256", "path", "label")
ATTACHMENT_CSV_FIELDS = ("site", "article_url", *ATTACHMENT_FIELDS)
# Export field -> articles column, for the fields read straight from the row.
_COLUMN_OF = {"url": "canonical_url", "original_url": "url"}
_DERIVED = ("status", "revisions", "revision_seen", "attachment_count", "attachments")
_ROW_FIELDS = tuple(f for f in EXPORT_FIELDS if f not in _DERIVED)
PAGE_SIZE = 500


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def _select(present: set[str]) -> str:
    """Columns added after the first archives were written read as NULL from an archive that
    a newer luutru has not opened for writing yet (readers never migrate)."""
    cols = []
    for name in _ROW_FIELDS:
        column = _COLUMN_OF.get(name, name)
        cols.append(f"a.{column}" if column in present else "NULL")
    return f"SELECT a.id, {', '.join(cols)} FROM articles a"


def gone_clause(gone: str, present: set[str]) -> list[str]:
    """WHERE clauses (on `articles AS a`) for --include-gone / --exclude-gone / --only-gone."""
    if gone not in GONE_CHOICES:
        raise ValueError(f"gone must be one of {GONE_CHOICES}, not {gone!r}")
    if gone == "include":
        return []
    if "gone_at" not in present:  # an archive from before re-checks: nothing is gone
        return [] if gone == "exclude" else ["0"]
    return ["a.gone_at IS NULL" if gone == "exclude" else "a.gone_at IS NOT NULL"]


class ExportOptions(ArticleFilters, total=False):
    """`iter_rows`' keyword arguments, for the callers that pass them on."""

    gone: str
    revisions: bool
    page_size: int


def iter_records(conn: sqlite3.Connection, site: str | None = None,
                 **options: Unpack[ExportOptions]) -> Iterator[dict[str, Any]]:
    """Yield every article matching the filters (as `luutru search` reads them), ordered by
    site then id, as export dicts; with `revisions=True` one dict per version, oldest first.

    `gone`: "include" (default; `status` says "gone"), "exclude" or "only". Reads one page per
    statement (keyset on site, id), so a big export neither holds one read snapshot for
    minutes (blocking WAL checkpoints) nor trips the reader's per-query time limit.
    Raises `archive.search.QueryError` for a malformed filter.
    """
    for _id, record in iter_rows(conn, site, **options):
        yield record


def iter_rows(
    conn: sqlite3.Connection,
    site: str | None = None,
    *,
    gone: str = "include",
    revisions: bool = False,
    page_size: int = PAGE_SIZE,
    **filters: Unpack[ArticleFilters],
) -> Iterator[tuple[int, dict[str, Any]]]:
    """`iter_records` with each record's article id: (id, record) pairs."""
    register_functions(conn)
    present = table_columns(conn, "articles")
    clauses, params = filter_clauses(site=site, **filters)
    clauses += gone_clause(gone, present)
    where = " AND ".join(["(a.site, a.id) > (:last_site, :last_id)", *clauses])
    sql = f"{_select(present)} WHERE {where} ORDER BY a.site, a.id LIMIT :page_size"
    params.update(last_site="", last_id=-1, page_size=page_size)
    extras = _Extras(conn)
    while True:
        rows = conn.execute(sql, params).fetchall()
        ids = [row[0] for row in rows]
        versions = extras.versions(ids, with_text=revisions)
        attachments = extras.attachments(ids)
        for row in rows:
            values = dict(zip(_ROW_FIELDS, row[1:], strict=True))
            base = _finish(values, versions.get(row[0], []), attachments.get(row[0], []))
            if revisions:
                for record in _versions_of(base, versions.get(row[0], [])):
                    yield row[0], record
            else:
                yield row[0], base
        if len(rows) < page_size:
            return
        params["last_site"], params["last_id"] = rows[-1][1], rows[-1][0]


class _Extras:
    """Per page of articles: their versions and attached files, one statement each.

    Tables and columns an older archive lacks read as empty (readers never migrate)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self.has_revisions = "revisions" in tables
        self.has_attachments = {"article_attachments", "attachments"} <= tables
        self.run_warc = "runs" in tables and "warc_file" in table_columns(conn, "runs")
        self.rev_warc = (self.has_revisions
                         and "warc_record_id" in table_columns(conn, "revisions"))

    def versions(self, ids: list[int], *, with_text: bool) -> dict[int, list[dict[str, Any]]]:
        if not ids or not self.has_revisions:
            return {}
        cols = ["r.article_id", "r.revision", "r.fetched_at",
                "r.warc_record_id" if self.rev_warc else "NULL",
                "u.warc_file" if self.run_warc else "NULL"]
        names = ["article_id", "revision", "fetched_at", "warc_record_id", "run_warc_file"]
        if with_text:
            cols += ["r.title", "r.text", "r.content_hash"]
            names += ["title", "text", "content_hash"]
        join = "LEFT JOIN runs u ON u.id = r.run_id" if self.run_warc else ""
        sql = (f"SELECT {', '.join(cols)} FROM revisions r {join} WHERE r.article_id IN "
               f"({', '.join('?' * len(ids))}) ORDER BY r.article_id, r.revision")
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self.conn.execute(sql, ids):
            out.setdefault(row[0], []).append(dict(zip(names, row, strict=True)))
        return out

    def attachments(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        if not ids or not self.has_attachments:
            return {}
        sql = ("SELECT l.article_id, l.url, t.file_name, t.mime, t.size, l.sha256, t.path, "
               "l.label FROM article_attachments l LEFT JOIN attachments t "
               f"ON t.sha256 = l.sha256 WHERE l.article_id IN ({', '.join('?' * len(ids))}) "
               "ORDER BY l.article_id, l.rowid")
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self.conn.execute(sql, ids):
            out.setdefault(row[0], []).append(dict(zip(ATTACHMENT_FIELDS, row[1:], strict=True)))
        return out


def _finish(values: dict[str, Any], versions: list[dict[str, Any]],
            attachments: list[dict[str, Any]]) -> dict[str, Any]:
    """The export dict of one article's current version, in EXPORT_FIELDS order."""
    values["categories"] = json.loads(values["categories"] or "[]")
    current = values["revision"] or (versions[-1]["revision"] if versions else 1)
    values["revision"] = current
    values["revisions"] = max(len(versions), current)
    values["status"] = "gone" if values["gone_at"] else "live"
    seen = next((v["fetched_at"] for v in versions if v["revision"] == current), None)
    values["revision_seen"] = seen or (values["first_seen"] if current == 1 else None)
    values["attachments"] = attachments
    values["attachment_count"] = len(attachments)
    return {k: values[k] for k in EXPORT_FIELDS}


def _versions_of(base: dict[str, Any], versions: list[dict[str, Any]]
                 ) -> Iterator[dict[str, Any]]:
    """One record per version: the version's title, text, hash, number, first fetch and
    capture; every other field is the article's current value."""
    if not versions:  # an archive from before revisions were kept
        yield base
        return
    for version in versions:
        record = dict(base)
        record.update(title=version["title"], text=version["text"],
                      content_hash=version["content_hash"], revision=version["revision"],
                      revision_seen=version["fetched_at"])
        if version["revision"] != base["revision"]:
            # The run that fetched this version wrote its capture; the record id is known
            # once the store links captures to versions.
            record["warc_file"] = version["run_warc_file"]
            record["warc_record_id"] = version["warc_record_id"]
        yield record


def write_jsonl(records: Iterable[Mapping[str, Any]], fh: TextIO) -> int:
    """Write one JSON object per line (UTF-8 text, not \\u-escaped); returns the count.

    `attachments` is a list of objects with ATTACHMENT_FIELDS."""
    n = 0
    for record in records:
        fh.write(json.dumps({k: record.get(k) for k in EXPORT_FIELDS}, ensure_ascii=False))
        fh.write("\n")
        n += 1
    return n


def _csv_cell(key: str, value: Any) -> Any:
    if value is None:
        return ""
    if key == "categories" and isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if key == "attachments" and isinstance(value, list | tuple):
        # One URL a line inside the cell (Excel shows them wrapped); the details of each file
        # are in the `--attachments` CSV.
        return "\n".join(str(a.get("url") if isinstance(a, Mapping) else a) for a in value)
    return value


def write_csv(records: Iterable[Mapping[str, Any]], fh: TextIO, bom: bool = False) -> int:
    """Write CSV with a header row, categories joined by "; ", attachment URLs one a line in
    their cell; returns the count of records.

    `bom=True` writes a UTF-8 byte order mark first, which Excel needs to read Vietnamese
    correctly. Rows end in CRLF (the csv module's default, what Excel writes itself); line
    breaks inside a quoted cell stay LF. Open `fh` with `newline=""`.
    """
    if bom:
        fh.write("\ufeff")
    writer = csv.writer(fh)
    writer.writerow(EXPORT_FIELDS)
    n = 0
    for record in records:
        writer.writerow([_csv_cell(key, record.get(key)) for key in EXPORT_FIELDS])
        n += 1
    return n


class AttachmentsCsv:
    """The `--attachments FILE` table: one row per (article, attached file), with the article's
    site and canonical URL to join on, filled while the main export streams by (`tee`)."""

    def __init__(self, fh: TextIO, bom: bool = False) -> None:
        if bom:
            fh.write("\ufeff")
        self._writer = csv.writer(fh)
        self._writer.writerow(ATTACHMENT_CSV_FIELDS)
        self._seen: set[str] = set()
        self.rows = 0

    def tee(self, records: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for record in records:
            if record["url"] not in self._seen:  # once per article, not per version
                self._seen.add(record["url"])
                for item in record.get("attachments") or ():
                    self._writer.writerow(
                        [record["site"], record["url"],
                         *("" if item.get(k) is None else item[k] for k in ATTACHMENT_FIELDS)])
                    self.rows += 1
            yield record


def write_sqlite(
    rows: Iterable[tuple[int, Mapping[str, Any]]], path: str | Path, source: sqlite3.Connection
) -> int:
    """Write the (source id, record) pairs of `iter_rows` into a new luutru archive at `path`
    (refusing to overwrite a file): the articles with their folded full-text index, every
    version, whether and when each was found gone, every URL each was seen under, and the
    `sites` rows they belong to. Returns the count of articles.

    WARC captures and attached files stay in the full archive (their paths would not resolve
    beside the subset)."""
    from archive.store import Archive

    path = Path(path)
    if path.exists():
        raise ArchiveError(f"{path} already exists: export a subset to a new file")
    n = 0
    sites: set[str] = set()
    has_revisions = source.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revisions'").fetchone()
    archive = Archive(path)
    try:
        with archive.transaction():
            for source_id, record in rows:
                _copy_article(archive, source, source_id, record, bool(has_revisions))
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


def _copy_article(archive: Archive, source: sqlite3.Connection, source_id: int,
                  record: Mapping[str, Any], has_revisions: bool) -> int:
    article = dict(record)
    article["canonical_url"] = record["url"]
    article["url"] = record.get("original_url") or record["url"]
    article["fetched_at"] = record.get("first_seen")
    _outcome, new_id = archive.store_article(article, None)
    archive.conn.execute(
        "UPDATE articles SET first_seen = ?, last_seen = ?, gone_at = ?, revision = ? "
        "WHERE id = ?",
        (record.get("first_seen"), record.get("last_seen"), record.get("gone_at"),
         record.get("revision") or 1, new_id),
    )
    for url, first_seen in source.execute(
        "SELECT url, first_seen FROM article_urls WHERE article_id = ?", (source_id,)
    ).fetchall():
        archive.conn.execute(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
            (url, new_id, first_seen),
        )
    versions = source.execute(
        "SELECT revision, title, text, content_hash, fetched_at, warc_record_id FROM revisions "
        "WHERE article_id = ? ORDER BY revision", (source_id,)
    ).fetchall() if has_revisions else []
    if versions:  # the store made revision 1 from the current text: keep the real history
        archive.conn.execute("DELETE FROM revisions WHERE article_id = ?", (new_id,))
        archive.conn.executemany(
            "INSERT INTO revisions (article_id, revision, title, text, content_hash, "
            "fetched_at, warc_record_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new_id, *v) for v in versions],
        )
    return new_id
