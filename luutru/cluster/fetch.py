"""Bring one finished Scrapyd job's shard home: manifest first, then every file, fixity checked."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from luutru.cluster.scrapyd_api import (
    FixityError,
    NotFound,
    ScrapydError,
    ScrapydNode,
    ScrapydUnreachable,
)

SHARD_FORMAT = "luutru-shard/1"
MANIFEST = "manifest.json"


class ShardRefused(ScrapydError):
    """The shard's manifest is unusable, or a file failed its fixity check twice."""


@dataclass(frozen=True)
class FetchedShard:
    """A shard copied into the work folder, with what the orchestrator reports about it."""

    path: Path
    files: int
    bytes: int
    articles: int
    run_status: str


def check_manifest(data: Any, site: str, job: str) -> list[dict[str, Any]]:
    """The manifest's file list, or `ShardRefused` with the one reason it cannot be used."""
    if not isinstance(data, dict) or data.get("format") != SHARD_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ShardRefused(f"{site}/{job}: manifest format {found!r}, expected {SHARD_FORMAT!r}")
    if data.get("site") != site or data.get("job") != job:
        raise ShardRefused(f"{site}/{job}: the manifest describes {data.get('site')!r}/"
                           f"{data.get('job')!r}")
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise ShardRefused(f"{site}/{job}: the manifest lists no file")
    for entry in files:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path:
            raise ShardRefused(f"{site}/{job}: a manifest entry has no path")
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).is_absolute() or ".." in parts or path == MANIFEST:
            raise ShardRefused(f"{site}/{job}: unsafe path in the manifest: {path!r}")
        if not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
            raise ShardRefused(f"{site}/{job}: {path}: no size or sha256 in the manifest")
    if not any(e["path"] == "archive.db" for e in files):
        raise ShardRefused(f"{site}/{job}: the manifest lists no archive.db")
    return files


def count_articles(db: Path) -> int:
    """Articles in a fetched shard (what the progress line reports)."""
    conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error as exc:
        raise ShardRefused(f"{db}: not a readable archive ({exc})") from exc
    finally:
        conn.close()


def fetch_shard(node: ScrapydNode, project: str, site: str, job: str,
                dest: Path) -> FetchedShard:
    """Copy `<node>/items/<project>/<site>/<job>/` into `dest`, checking every file's size and
    sha256 while it streams (a mismatch is retried once, then the shard is refused).

    Raises `NotFound` when the job left no manifest (it crashed or was killed: the site can be
    crawled again elsewhere), `ScrapydUnreachable` when the node stops answering (the caller
    retries), `ShardRefused` when the shard cannot be used.
    """
    try:
        manifest = node.read_json(node.items_url(project, site, job, MANIFEST))
    except (NotFound, ScrapydUnreachable):
        raise
    except ScrapydError as exc:  # not JSON, HTTP 5xx: the shard cannot be read
        raise ShardRefused(f"{site}/{job}: {exc}") from exc
    files = check_manifest(manifest, site, job)
    if dest.exists():
        shutil.rmtree(dest)  # a copy interrupted earlier: start again
    total = 0
    for entry in files:
        url = node.items_url(project, site, job, *PurePosixPath(entry["path"]).parts)
        target = dest.joinpath(*PurePosixPath(entry["path"]).parts)
        for attempt in (1, 2):
            try:
                got = node.download(url, target, size=entry["size"], sha256=entry["sha256"])
                break
            except ScrapydUnreachable:
                raise
            except (FixityError, ScrapydError) as exc:  # NotFound and HTTP errors too
                if attempt == 2:
                    raise ShardRefused(f"{site}/{job}: {exc} (twice)") from exc
        total += got.size
    (dest / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return FetchedShard(dest, len(files), total, count_articles(dest / "archive.db"),
                        str(manifest.get("status", "")))
