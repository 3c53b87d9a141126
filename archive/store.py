"""The archive writer: sites, runs, articles (with their FTS rows) and the fetch log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from archive.db import ArchiveError, open_writer
from archive.fts import rebuild_articles_index
from archive.schema import (
    FETCH_OUTCOMES,
    RUN_COUNTERS,
    RUN_DETAILS,
    RUN_STATUSES,
    SITE_COLUMNS,
)

Outcome = Literal["new", "updated", "unchanged", "duplicate"]

# Columns of `articles` filled from a record, in table order.
CONTENT_COLUMNS = (
    "site",
    "canonical_url",
    "url",
    "node_id",
    "title",
    "text",
    "author",
    "author_role",
    "author_prefix",
    "categories",
    "published_at",
    "published_precision",
    "published_raw",
    "published_source",
    "published_confidence",
    "date_mentioned",
    "date_mentioned_text",
    "content_hash",
)
REQUIRED_KEYS = ("site", "canonical_url", "title", "text", "content_hash")
def _moving_date(old_date: str | None, old_raw: str | None, values: Mapping[str, Any]) -> bool:
    """True when two fetches of one unchanged page printed different dates on the page itself.

    A listing row's date may legitimately be re-read from another listing; a date on the
    article page that changes between fetches of the same text is a render clock (a cached
    or lagging one that the crawl-day rule did not catch)."""
    new_date, new_raw = values.get("published_at"), values.get("published_raw")
    if old_date is None or new_date is None or values.get("published_source") == "listing":
        return False
    return new_date != old_date and (new_raw or "") != (old_raw or "")


_DATE_COLUMNS = ("published_at", "published_precision", "published_raw", "published_source",
                 "published_confidence")


def utc_now() -> str:
    """UTC ISO timestamp, the form of every *_seen / *_at column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(value: Any) -> Any:
    """Dates may arrive as datetime/ParsedDate objects; store their ISO string."""
    if value is None or isinstance(value, str):
        return value
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def _article_values(record: Mapping[str, Any]) -> dict[str, Any]:
    missing = [k for k in REQUIRED_KEYS if record.get(k) is None]
    if missing:
        raise ArchiveError(f"article record lacks {', '.join(missing)}: {record.get('url')!r}")
    values = {col: record.get(col) for col in CONTENT_COLUMNS}
    values["url"] = record.get("url") or record["canonical_url"]
    categories = record.get("categories")
    values["categories"] = json.dumps(list(categories or []), ensure_ascii=False)
    values["published_at"] = _iso(values["published_at"])
    if values["node_id"] is not None:
        try:
            values["node_id"] = int(values["node_id"])
        except (TypeError, ValueError):
            raise ArchiveError(f"node_id must be an integer, got {values['node_id']!r}") from None
    return values


class Archive:
    """The single writer of one archive file.

    Each public method commits on its own unless called inside `transaction()`, which a
    pipeline uses to batch many items into one commit (per-row commits cost ~30 %).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_writer(self.path)
        self.conn: sqlite3.Connection = self.db.conn
        self._depth = 0

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Archive]:
        """Group writes into one commit; nested blocks become savepoints, so an inner failure
        caught by the caller undoes only the inner block."""
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._rollback()
                raise
            else:
                self._depth = 0
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._rollback()
                    raise
            return
        name = f"luutru_sp_{self._depth}"
        self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth = max(0, self._depth - 1)
            try:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
            except sqlite3.ProgrammingError:  # closed meanwhile (block abandoned)
                pass
            raise
        else:
            self._depth -= 1
            self.conn.execute(f"RELEASE {name}")

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.ProgrammingError:  # closed meanwhile: nothing left to undo
            pass

    @property
    def in_transaction(self) -> bool:
        """True inside `transaction()`: callers can tell whether their write is committed yet."""
        return self._depth > 0

    # -- sites and runs -----------------------------------------------------------------

    def upsert_site(self, site: Mapping[str, Any]) -> None:
        """Record or refresh a site's registry entry; keys other than the `sites` columns are
        ignored, so a whole site config can be passed."""
        slug = site.get("slug")
        if not slug:
            raise ArchiveError("site needs a slug")
        values = {k: site[k] for k in SITE_COLUMNS if k in site}
        cols = list(values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "slug")
        sql = (
            f"INSERT INTO sites ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            + (f"ON CONFLICT(slug) DO UPDATE SET {updates}" if updates else
               "ON CONFLICT(slug) DO NOTHING")
        )
        with self.transaction():
            self.conn.execute(sql, [values[c] for c in cols])

    def start_run(self, site: str, base_url: str) -> int:
        """Open a run row, so every article and fetch-log row can say which crawl saw it."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO runs (site, started_at, status, base_url) VALUES (?, ?, 'running', ?)",
                (site, utc_now(), base_url),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run_id: int, status: str, counters: Mapping[str, Any]) -> None:
        """Close a run with its final status and counters; the full counters dict is kept as
        `stats_json` for audits, the known ones also as columns."""
        if status not in RUN_STATUSES:
            raise ArchiveError(f"unknown run status {status!r}; expected one of {RUN_STATUSES}")
        known: dict[str, Any] = {
            k: int(counters[k]) for k in RUN_COUNTERS if counters.get(k) is not None
        }
        known.update({k: counters[k] for k in RUN_DETAILS if counters.get(k) is not None})
        sets = ", ".join(f"{k} = ?" for k in known)
        sql = "UPDATE runs SET status = ?, finished_at = ?, stats_json = ?" + (
            f", {sets}" if sets else ""
        ) + " WHERE id = ?"
        stats = json.dumps(dict(counters), ensure_ascii=False, default=str, sort_keys=True)
        with self.transaction():
            cur = self.conn.execute(sql, [status, utc_now(), stats, *known.values(), run_id])
            if cur.rowcount != 1:
                raise ArchiveError(f"no run with id {run_id}")

    # -- articles -----------------------------------------------------------------------

    def store_article(self, record: Mapping[str, Any], run_id: int | None) -> tuple[Outcome, int]:
        """Store one article idempotently and say what happened, so re-crawls never duplicate.

        Same canonical URL: unchanged (hash equal) or updated (content replaced, first_seen
        kept). New canonical URL but same site and same content hash or node id: duplicate
        (only the URL is remembered). Otherwise new. The FTS row changes in the same
        transaction.
        """
        values = _article_values(record)
        seen = _iso(record.get("fetched_at")) or utc_now()
        with self.transaction():
            row = self.conn.execute(
                "SELECT id, content_hash, published_at, published_confidence, published_raw, "
                "published_source FROM articles WHERE canonical_url = ?",
                (values["canonical_url"],),
            ).fetchone()
            if row is not None:
                article_id, old_hash, old_date, old_confidence, old_raw, old_source = row
                if old_hash == values["content_hash"]:
                    self.conn.execute(
                        "UPDATE articles SET last_seen = ?, last_run = ?, gone_at = NULL "
                        "WHERE id = ?",
                        (seen, run_id, article_id),
                    )
                    if old_source != "listing" and _moving_date(old_date, old_raw, values):
                        self._refuse_clock(article_id)
                    outcome: Outcome = "unchanged"
                else:
                    # A re-fetch reached without its listing row brings no date, or a weaker
                    # one (a body mention): keep the date the archive has.
                    new_confidence = values.get("published_confidence") or 0.0
                    weaker = old_date is not None and (old_confidence or 1.0) > new_confidence
                    keep = _DATE_COLUMNS if values["published_at"] is None or weaker else ()
                    if "date_mentioned" not in record:  # a writer that does not compute it
                        keep = (*keep, "date_mentioned", "date_mentioned_text")
                    cols = [c for c in CONTENT_COLUMNS if c != "canonical_url" and c not in keep]
                    self.conn.execute(
                        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in cols)}, "
                        "last_seen = ?, last_run = ?, revision = coalesce(revision, 1) + 1, "
                        "gone_at = NULL WHERE id = ?",
                        [*(values[c] for c in cols), seen, run_id, article_id],
                    )
                    # articles_fts follows through the writer's triggers (archive/fts.py).
                    self._add_revision(article_id, values, seen, run_id)
                    outcome = "updated"
            else:
                existing = self._find_duplicate(values)
                if existing is not None:
                    article_id, outcome = existing, "duplicate"
                else:
                    cols = list(CONTENT_COLUMNS)
                    cur = self.conn.execute(
                        f"INSERT INTO articles ({', '.join(cols)}, first_seen, last_seen, "
                        f"first_run, last_run, revision) "
                        f"VALUES ({', '.join('?' * (len(cols) + 5))})",
                        [*(values[c] for c in cols), seen, seen, run_id, run_id, 1],
                    )
                    assert cur.lastrowid is not None
                    article_id = cur.lastrowid
                    self._add_revision(article_id, values, seen, run_id)
                    outcome = "new"
            for url in dict.fromkeys((values["url"], values["canonical_url"])):
                self.conn.execute(
                    "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) "
                    "VALUES (?, ?, ?)",
                    (url, article_id, seen),
                )
        return outcome, article_id

    def _refuse_clock(self, article_id: int) -> None:
        """The page's date moved while its text did not: it was a clock, not a publication
        date. The archive forgets it rather than keep either value (`published_source`
        says why)."""
        self.conn.execute(
            "UPDATE articles SET published_at = NULL, published_precision = NULL, "
            "published_confidence = NULL, published_source = 'refused_clock' WHERE id = ?",
            (article_id,),
        )

    def _add_revision(
        self, article_id: int, values: Mapping[str, Any], seen: str, run_id: int | None
    ) -> None:
        """Every version of the cleaned content is kept: an archive never overwrites history."""
        (revision,) = self.conn.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM revisions WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        self.conn.execute(
            "INSERT INTO revisions (article_id, revision, title, text, content_hash, fetched_at, "
            "run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, revision, values["title"], values["text"], values["content_hash"], seen,
             run_id),
        )

    def set_article_fields(self, article_id: int, fields: Mapping[str, Any]) -> None:
        """Record facts about the capture (WARC location, HTTP validators) beside the content."""
        allowed = {"etag", "last_modified", "warc_file", "warc_offset", "warc_record_id",
                   "warc_digest", "published_confidence", "fingerprint"}
        values = {k: v for k, v in fields.items() if k in allowed}
        if not values:
            return
        with self.transaction():
            self.conn.execute(
                f"UPDATE articles SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                [*values.values(), article_id],
            )
            if values.get("warc_record_id"):
                # The version this capture produced keeps its record too (export --revisions).
                self.conn.execute(
                    "UPDATE revisions SET warc_record_id = ? WHERE article_id = ? AND "
                    "revision = (SELECT revision FROM articles WHERE id = ?) "
                    "AND warc_record_id IS NULL",
                    (values["warc_record_id"], article_id, article_id),
                )

    def article_id_for(self, url: str) -> int | None:
        """The article a URL (canonical or any alias) belongs to."""
        row = self.conn.execute(
            "SELECT id FROM articles WHERE canonical_url = ? UNION ALL "
            "SELECT article_id FROM article_urls WHERE url = ? LIMIT 1",
            (url, url),
        ).fetchone()
        return None if row is None else int(row[0])

    def touch(self, article_id: int, run_id: int | None, seen: str | None = None) -> None:
        """The article answered and did not change (e.g. 304 Not Modified)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE articles SET last_seen = ?, last_run = ?, gone_at = NULL WHERE id = ?",
                (seen or utc_now(), run_id, article_id),
            )

    def mark_gone(self, article_id: int, when: str | None = None) -> bool:
        """A known article now answers 404/410: mark it gone with the date, never delete it.

        Returns True when it was not already marked."""
        with self.transaction():
            cur = self.conn.execute(
                "UPDATE articles SET gone_at = ? WHERE id = ? AND gone_at IS NULL",
                (when or utc_now(), article_id),
            )
        return cur.rowcount == 1

    def interrupt_stale_runs(self, site: str) -> list[int]:
        """Runs left 'running' by a killed crawler are closed as interrupted (the caller holds
        the archive lock, so no live crawl owns them)."""
        with self.transaction():
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM runs WHERE site = ? AND status = 'running'", (site,))]
            self.conn.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?) "
                "WHERE site = ? AND status = 'running'",
                (utc_now(), site),
            )
        return ids

    def _find_duplicate(self, values: Mapping[str, Any]) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND site = ? ORDER BY id LIMIT 1",
            (values["content_hash"], values["site"]),
        ).fetchone()
        if row is None and values["node_id"] is not None:
            row = self.conn.execute(
                "SELECT id FROM articles WHERE node_id = ? AND site = ? ORDER BY id LIMIT 1",
                (values["node_id"], values["site"]),
            ).fetchone()
        return None if row is None else int(row[0])

    def rebuild_fts(self) -> int:
        """Refill the whole FTS index from `articles` with the current `fold`; FTS5's own
        'rebuild' cannot (the table is contentless). Opening an archive already does it when
        the folding rules changed (archive/fts.py)."""
        with self.transaction():
            return rebuild_articles_index(self.conn)

    # -- fetch log ----------------------------------------------------------------------

    def log_fetch(
        self,
        run_id: int | None,
        url: str,
        kind: str,
        outcome: str,
        reason: str | None = None,
        http_status: int | None = None,
        article_id: int | None = None,
    ) -> int:
        """Record the one terminal outcome of a scheduled URL, so no drop goes unnoticed."""
        if outcome not in FETCH_OUTCOMES:
            raise ArchiveError(f"unknown fetch outcome {outcome!r}; expected one of "
                               f"{FETCH_OUTCOMES}")
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO fetch_log (run_id, url, kind, outcome, reason, http_status, "
                "article_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, url, kind, outcome, reason, http_status, article_id, utc_now()),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def record_checks(self, article_id: int, run_id: int | None,
                      checks: Iterable[Mapping[str, Any]]) -> int:
        """Store one run's cross-check of an article, field by field (a re-check in the same
        run replaces it): the family spider's and the generic extraction's readings."""
        rows = [
            (article_id, run_id, c["field"], c.get("family_value") or "",
             c.get("generic_value") or "",
             None if c.get("agree") is None else int(bool(c["agree"])),
             c.get("chosen") or "family", c.get("score"), c.get("note"))
            for c in checks
        ]
        if not rows:
            return 0
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO article_checks (article_id, run_id, field, "
                "family_value, generic_value, agree, chosen, score, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; an unfinished transaction is rolled back, never half-kept."""
        self._rollback()
        self._depth = 0
        try:
            self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
