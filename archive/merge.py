"""`luutru merge SHARD... --into ARCHIVE`: fold archives (Scrapyd job shards) into one.

Every shard is checked in full first (archive/merge_shard.py: manifest fixity, quick_check,
schema version, every file its rows name, attached files against their sha256); a damaged one
is refused with a one-line reason before the target is opened. Then, under the target's lock
and in ONE transaction (a failure midway rolls it back and removes the files it brought):

1. WARC files are copied (or hard-linked) into the target's `warc/` (archive/merge_files.py);
2. sites are added (missing columns filled), runs added once each, keyed in `run_origins` by
   their origin (the shard's Scrapyd job, or its path) and their id there, so merging the
   same shard again finds them; a run that changed since (a shard merged while crawling)
   is updated and its fetch log replaced;
3. articles are folded by content and time (archive/merge_articles.py): the same articles,
   revisions, gone marks and attachments whatever the order of the shards;
4. fetch-log rows of the new runs, attached files (by sha256, copied under their path) and
   their links, and cross-check rows follow, with ids mapped to the target's.

The articles' search index follows through the writer's triggers (archive/fts.py); attached
files' text is indexed as it is added. Row ids (articles, runs, revisions) are the target's
own: they depend on what it held before, not on the order of the shards in one call.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archive.db import ArchiveError
from archive.folding import fold
from archive.lock import ArchiveLock
from archive.merge_articles import ArticleCounts, Source, merge_articles
from archive.merge_files import FilePlacer
from archive.merge_shard import Shard, ShardDamaged, open_shard
from archive.schema import RUN_COLUMNS, SITE_COLUMNS
from archive.store import Archive, utc_now

PROGRESS_EVERY_S = 3.0


class TargetDamaged(ArchiveError):
    """The target archive fails SQLite's quick_check: nothing is merged into it (exit 8)."""
_RUN_VALUES = [c for c in RUN_COLUMNS if c != "id"]


@dataclass(kw_only=True)
class MergeResult(ArticleCounts):
    """What a merge did, for the summary line and `--json`: the article counts, and the rest."""

    into: str
    shards: int = 0
    attachments: int = 0  # attached files new to the target
    attachment_links: int = 0
    runs: int = 0  # runs new to the target
    runs_updated: int = 0
    fetch_log: int = 0  # fetch-log rows added
    fetch_log_orphans: int = 0  # shard fetch-log rows of no run there: not merged, counted
    files_copied: int = 0
    files_linked: int = 0
    bytes: int = 0
    rows_read: int = 0  # shard rows read (articles, revisions, runs, fetch log, attachments)
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    shard_origins: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = {"into": self.into, "shards": self.shards, **asdict(self)}  # these first
        data["rows_per_cpu_s"] = round(self.rows_read / self.cpu_s) if self.cpu_s else None
        return data

    def summary(self) -> str:
        """The one line a person reads."""
        return (f"Merged {self.shards} shard(s) into {self.into}: articles {self.articles_added} "
                f"added · {self.articles_updated} updated · {self.articles_unchanged} unchanged "
                f"· {self.articles_duplicate} duplicate; {self.revisions} revisions, {self.gone} "
                f"gone, {self.runs} runs, {self.fetch_log} fetch-log rows, {self.attachments} "
                f"files attached; {self.files_copied} copied / {self.files_linked} linked "
                f"({self.bytes / 1e6:.1f} MB) in {self.elapsed_s:.1f} s"
                + (f"; {self.fetch_log_orphans} fetch-log rows of no run left out"
                   if self.fetch_log_orphans else ""))


class _Ticker:
    """Calls `progress` at most every PROGRESS_EVERY_S seconds (and always for `force`)."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.last = time.monotonic()

    def __call__(self, message: str | Callable[[], str], force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.progress(message() if callable(message) else message)


def merge_archives(shards: Sequence[Path], into: Path, *, link: bool = False,
                   progress: Callable[[str], None] | None = None) -> MergeResult:
    """Fold `shards` into the archive `into` (created if missing); see the module docstring.

    Raises ShardDamaged (nothing written) for a shard that fails a check, ArchiveLocked when
    another process writes the target, ArchiveError for other refusals."""
    started, cpu = time.monotonic(), time.process_time()
    into = Path(into)
    tick = _Ticker(progress)
    result = MergeResult(into=str(into))
    given = list(dict.fromkeys(Path(s) for s in shards))
    target_real = into.resolve()
    scratch = into.parent if into.parent.is_dir() else None
    with tempfile.TemporaryDirectory(prefix=".luutru-merge-", dir=scratch) as tmp:
        opened: list[Shard] = []
        try:
            for n, path in enumerate(given):
                opened.append(open_shard(path, Path(tmp), n, tick))
                if opened[-1].db.resolve() == target_real:
                    raise ArchiveError(f"{path} is the target itself")
            opened.sort(key=lambda s: (s.origin, str(s.given)))
            with ArchiveLock(into, "luutru merge"):
                _merge_into(into, opened, link, result, tick)
        finally:
            for shard in opened:
                shard.close()
    result.shards = len(opened)
    result.shard_origins = [s.origin for s in opened]
    result.elapsed_s = round(time.monotonic() - started, 3)
    result.cpu_s = round(time.process_time() - cpu, 3)
    return result


def _merge_into(into: Path, shards: list[Shard], link: bool, result: MergeResult,
                tick: _Ticker) -> None:
    existed = into.exists()
    archive = Archive(into)
    placer = FilePlacer(into.resolve().parent, link)
    failed = True
    try:
        check = archive.conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise TargetDamaged(f"the target {into} fails SQLite's quick_check ({check}): "
                                "restore it from a backup or move it aside")
        with archive.transaction():
            _merge(archive.conn, shards, placer, result, tick)
        failed = False
    finally:
        if failed:
            placer.discard()
        archive.close()
        if failed and not existed:  # a target this merge created goes with it
            for suffix in ("", "-wal", "-shm"):
                Path(f"{into}{suffix}").unlink(missing_ok=True)
    placer.record_sums()
    result.files_copied, result.files_linked = placer.copied, placer.linked
    result.bytes = placer.bytes


def _merge(w: sqlite3.Connection, shards: list[Shard], placer: FilePlacer,
           result: MergeResult, tick: _Ticker) -> None:
    target = Source(0, "", w)
    for run_id, origin, origin_run in w.execute(
            "SELECT run_id, origin, origin_run_id FROM run_origins"):
        target.run_keys[run_id] = f"{origin}#{origin_run}"
    sources = [Source(i, s.origin, s.conn) for i, s in enumerate(shards, 1)]
    for src, shard in zip(sources, shards, strict=True):
        for rel, file in sorted(shard.warcs.items()):
            src.warc_map[rel] = placer.place_warc(shard.given, file)
            tick(lambda: f"copying WARC files: {placer.copied + placer.linked} files, "
                         f"{placer.bytes / 1e6:,.0f} MB")
        result.rows_read += sum(src.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                for t in ("articles", "revisions", "runs", "fetch_log",
                                          "attachments", "article_attachments"))
    _merge_sites(w, sources)
    fresh = _merge_runs(w, sources, shards, result)
    mapping = merge_articles(w, target, sources, result, lambda n, total: tick(
        lambda: f"articles: {n:,} of {total:,}"))
    for src, source_run, run_id in fresh:
        rows = [(run_id, url, kind, outcome, reason, status,
                 None if aid is None else mapping.get((src.idx, aid)), at)
                for url, kind, outcome, reason, status, aid, at in src.conn.execute(
                    "SELECT url, kind, outcome, reason, http_status, article_id, at "
                    "FROM fetch_log WHERE run_id = ? ORDER BY id", (source_run,))]
        w.executemany("INSERT INTO fetch_log (run_id, url, kind, outcome, reason, http_status, "
                      "article_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        result.fetch_log += len(rows)
        tick(lambda: f"fetch log: {result.fetch_log:,} rows")
    for src in sources:
        (orphans,) = src.conn.execute(
            "SELECT count(*) FROM fetch_log WHERE run_id IS NULL OR run_id NOT IN "
            "(SELECT id FROM runs)").fetchone()
        result.fetch_log_orphans += orphans
    _merge_attachments(w, sources, shards, placer, mapping, result)
    _merge_wanted(w, sources, mapping)
    _merge_links(w, sources, mapping)
    for src in sources:
        for row in src.conn.execute(
                "SELECT article_id, run_id, field, family_value, generic_value, agree, chosen, "
                "score, note FROM article_checks").fetchall():
            article_id = mapping.get((src.idx, row[0]))
            if article_id is not None:
                w.execute("INSERT OR IGNORE INTO article_checks (article_id, run_id, field, "
                          "family_value, generic_value, agree, chosen, score, note) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (article_id, src.run(row[1]), *row[2:]))


def _merge_wanted(w: sqlite3.Connection, sources: list[Source],
                  mapping: dict[tuple[int, int], int]) -> None:
    """Files a shard's crawl never fetched (`attachment_wanted`) stay wanted in the target, so
    its next crawl fetches them, unless another shard kept the file for that article."""
    for src in sources:
        if src.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'attachment_wanted'"
                            ).fetchone() is None:
            continue  # an older shard: nothing was recorded
        for article_id, url, label, first_seen in src.conn.execute(
                "SELECT article_id, url, label, first_seen FROM attachment_wanted").fetchall():
            target_id = mapping.get((src.idx, article_id))
            if target_id is not None:
                w.execute("INSERT INTO attachment_wanted (article_id, url, label, first_seen) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET first_seen = "
                          "min(first_seen, excluded.first_seen)",
                          (target_id, url, label, first_seen))
    w.execute("DELETE FROM attachment_wanted WHERE EXISTS (SELECT 1 FROM article_attachments "
              "aa WHERE aa.article_id = attachment_wanted.article_id "
              "AND aa.url = attachment_wanted.url)")


def _merge_links(w: sqlite3.Connection, sources: list[Source],
                 mapping: dict[tuple[int, int], int]) -> None:
    """Near-duplicate links a shard found (`luutru duplicates`, archive/neardup.py), between
    the merged articles; pairs across shards need `luutru duplicates` on the target."""
    for src in sources:
        if src.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_links'"
                            ).fetchone() is None:
            continue
        from archive.neardup import LINKS_SQL  # numpy and datasketch: only when needed

        w.execute(LINKS_SQL)
        w.execute("CREATE INDEX IF NOT EXISTS idx_article_links_b ON article_links (b)")
        for a, b, kind, score, linked_at in src.conn.execute(
                "SELECT a, b, kind, score, linked_at FROM article_links").fetchall():
            a, b = mapping.get((src.idx, a)), mapping.get((src.idx, b))
            if a is not None and b is not None and a != b:
                w.execute("INSERT OR IGNORE INTO article_links (a, b, kind, score, linked_at) "
                          "VALUES (?, ?, ?, ?, ?)", (min(a, b), max(a, b), kind, score,
                                                     linked_at))


def _merge_sites(w: sqlite3.Connection, sources: list[Source]) -> None:
    """Sites new to the target are added; a known site's empty columns are filled."""
    cols = list(SITE_COLUMNS)
    found: dict[str, list[dict[str, Any]]] = {}
    for src in sources:
        for values in src.conn.execute(f"SELECT {', '.join(cols)} FROM sites"):
            row = dict(zip(cols, values, strict=True))
            found.setdefault(row["slug"], []).append(row)
    for slug, rows in sorted(found.items()):
        rows.sort(key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
        have = w.execute(f"SELECT {', '.join(cols)} FROM sites WHERE slug = ?",
                         (slug,)).fetchone()
        if have is None:
            w.execute(f"INSERT INTO sites ({', '.join(cols)}) VALUES "
                      f"({', '.join('?' * len(cols))})", [rows[0][c] for c in cols])
            continue
        fill = {c: next((r[c] for r in rows if r[c] is not None), None)
                for c, v in zip(cols, have, strict=True) if v is None}
        fill = {c: v for c, v in fill.items() if v is not None}
        if fill:
            w.execute(f"UPDATE sites SET {', '.join(f'{c} = ?' for c in fill)} WHERE slug = ?",
                      [*fill.values(), slug])


def _merge_runs(w: sqlite3.Connection, sources: list[Source], shards: list[Shard],
                result: MergeResult) -> list[tuple[Source, int, int]]:
    """Add each shard's runs once (by origin), oldest first; the runs whose fetch log must be
    copied: (source, run id there, run id here)."""
    entries = []
    for src, shard in zip(sources, shards, strict=True):
        carried = {r[0]: r[1:] for r in src.conn.execute(
            "SELECT run_id, origin, origin_run_id, shard, project, site, job, host "
            "FROM run_origins")}
        for values in src.conn.execute(f"SELECT id, {', '.join(_RUN_VALUES)} FROM runs"):
            run = dict(zip(["id", *_RUN_VALUES], values, strict=True))
            if run["id"] in carried:  # a merged archive merged again: the first origin stays
                origin, origin_run, shard_name, *info = carried[run["id"]]
            else:
                origin, origin_run, shard_name = shard.origin, run["id"], str(shard.given)
                info = [shard.origin_info[k] for k in ("project", "site", "job", "host")]
            entries.append((run["started_at"] or "", origin, origin_run, src, run, shard_name,
                            info))
    entries.sort(key=lambda e: e[:3])
    fresh: list[tuple[Source, int, int]] = []
    done: dict[tuple[str, int], int] = {}
    for _, origin, origin_run, src, run, shard_name, info in entries:
        key = (origin, origin_run)
        src.run_keys[run["id"]] = f"{origin}#{origin_run}"
        values = {c: run[c] for c in _RUN_VALUES}
        values["warc_file"] = src.warc(values["warc_file"])
        if key in done:
            src.run_map[run["id"]] = done[key]
            continue
        row = w.execute("SELECT run_id FROM run_origins WHERE origin = ? AND origin_run_id = ?",
                        key).fetchone()
        if row is None:
            cur = w.execute(f"INSERT INTO runs ({', '.join(_RUN_VALUES)}) VALUES "
                            f"({', '.join('?' * len(_RUN_VALUES))})", list(values.values()))
            run_id = int(cur.lastrowid or 0)
            w.execute("INSERT INTO run_origins (run_id, origin, origin_run_id, shard, project, "
                      "site, job, host, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (run_id, origin, origin_run, shard_name, *info, utc_now()))
            result.runs += 1
            fresh.append((src, run["id"], run_id))
        else:
            run_id = row[0]
            have = w.execute(f"SELECT {', '.join(_RUN_VALUES)} FROM runs WHERE id = ?",
                             (run_id,)).fetchone()
            if have is not None and list(have) != list(values.values()):
                w.execute(f"UPDATE runs SET {', '.join(f'{c} = ?' for c in values)} "
                          "WHERE id = ?", [*values.values(), run_id])
                w.execute("DELETE FROM fetch_log WHERE run_id = ?", (run_id,))
                result.runs_updated += 1
                fresh.append((src, run["id"], run_id))
        done[key] = run_id
        src.run_map[run["id"]] = run_id
    return fresh


def _merge_attachments(w: sqlite3.Connection, sources: list[Source], shards: list[Shard],
                       placer: FilePlacer, mapping: dict[tuple[int, int], int],
                       result: MergeResult) -> None:
    """Attached files by sha256 (earliest sighting names them), then their links: one per
    (article, URL), the newest file winning, as a re-download replaces the link."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for src, shard in zip(sources, shards, strict=True):
        for sha, mime, size, rel, name, first_seen in src.conn.execute(
                "SELECT sha256, mime, size, path, file_name, first_seen FROM attachments"):
            found.setdefault(sha, []).append((first_seen or "", rel, name or "", src.key, mime,
                                              size, src, shard))
    seen_at: dict[str, str] = {}
    for sha, rows in sorted(found.items()):
        rows.sort(key=lambda r: r[:4])
        first_seen, rel, name, _, mime, size, src, shard = rows[0]
        texts = (src_.conn.execute("SELECT text FROM attachments WHERE sha256 = ?",
                                   (sha,)).fetchone()[0] for *_, src_, _ in rows)
        have = w.execute("SELECT path, first_seen, text IS NULL OR text = '' FROM attachments "
                         "WHERE sha256 = ?", (sha,)).fetchone()
        if have is None:
            placer.place_attachment(shard.given, shard.attachments[sha], rel)
            text = next((t for t in texts if t), None)
            w.execute("INSERT INTO attachments (sha256, mime, size, path, file_name, "
                      "first_seen, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (sha, mime, size, rel, name or None, first_seen or None, text))
            result.attachments += 1
            seen_at[sha] = first_seen
        else:
            placer.place_attachment(shard.given, shard.attachments[sha], have[0])
            text = next((t for t in texts if t), None) if have[2] else None
            earliest = min(first_seen, have[1] or first_seen)
            seen_at[sha] = earliest
            if earliest != (have[1] or "") or text:
                w.execute("UPDATE attachments SET first_seen = ?, text = coalesce(text, ?) "
                          "WHERE sha256 = ?", (earliest or None, text, sha))
        if text:
            w.execute("INSERT INTO attachments_fts (rowid, text, text_fold) "
                      "SELECT rowid, ?, ? FROM attachments WHERE sha256 = ?",
                      (text, fold(text), sha))
    links: dict[tuple[int, str], set[tuple[str, str, str]]] = {}
    for src in sources:
        for article_id, url, sha, label in src.conn.execute(
                "SELECT article_id, url, sha256, label FROM article_attachments"):
            target_id = mapping.get((src.idx, article_id))
            if target_id is not None:
                links.setdefault((target_id, url), set()).add(
                    (seen_at.get(sha, ""), sha, label or ""))
    for (article_id, url), cands in sorted(links.items()):
        have = w.execute("SELECT aa.sha256, aa.label, a.first_seen FROM article_attachments aa "
                         "LEFT JOIN attachments a ON a.sha256 = aa.sha256 "
                         "WHERE aa.article_id = ? AND aa.url = ?", (article_id, url)).fetchone()
        if have is not None:
            cands.add((have[2] or "", have[0], have[1] or ""))
        _, sha, label = max(cands)
        if have is None or (have[0], have[1] or "") != (sha, label):
            w.execute("INSERT OR REPLACE INTO article_attachments (article_id, url, sha256, "
                      "label) VALUES (?, ?, ?, ?)", (article_id, url, sha, label or None))
            result.attachment_links += 1


__all__ = ["MergeResult", "ShardDamaged", "TargetDamaged", "merge_archives"]
