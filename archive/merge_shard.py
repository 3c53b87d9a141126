"""The shards of `luutru merge`: found, checked in full and opened from a migrated copy.

Every check runs before the target is touched (archive/merge.py): a shard whose manifest lists a
file that is missing or whose bytes differ, whose `archive.db` fails SQLite's quick_check or
was written by a newer luutru, whose rows point at a WARC or attached file that is not there,
or whose attached file's bytes no longer hash to its `sha256`, is refused with a one-line
reason (`ShardDamaged`, exit 8). The shard itself is only read: its database is copied with
SQLite's backup API (a consistent snapshot, WAL included) into a temporary folder, and that
copy is checked and migrated to the current schema (`open_writer`), so an older shard is read
through the very migration code every archive goes through.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from archive.db import ArchiveError, open_writer
from archive.schema import SCHEMA_VERSION
from archive.warc import SUMS_FILE, WARC_DIR, file_sha256, read_sums

MANIFEST_NAME = "manifest.json"
SHARD_DB_NAME = "archive.db"
MANIFEST_FORMAT = "luutru-shard/1"
ORIGIN_FIELDS = ("project", "site", "job", "host")


class ShardDamaged(ArchiveError):
    """A shard failed a check; nothing has been written to the target."""

    def __init__(self, shard: Path | str, reason: str) -> None:
        self.shard = str(shard)
        self.reason = reason
        super().__init__(f"shard {shard} refused: {reason}")


@dataclass
class ShardFile:
    """A file of the shard to bring into the target: where it is and what its bytes hash to."""

    rel: str  # relative to the shard's folder, POSIX form: warc/x.warc.gz, attachments/ab/...
    path: Path
    sha256: str
    size: int


@dataclass
class Shard:
    """A checked shard, readable through `conn` (the migrated copy of its database)."""

    given: Path
    db: Path
    folder: Path
    manifest: dict[str, Any] | None
    origin: str
    origin_info: dict[str, str | None]
    conn: sqlite3.Connection
    schema_version: int
    warcs: dict[str, ShardFile] = field(default_factory=dict)
    attachments: dict[str, ShardFile] = field(default_factory=dict)  # sha256 -> file

    def close(self) -> None:
        self.conn.close()


def _rel(value: str, shard: Path, what: str) -> str:
    """A path stored in a shard, refused when it could reach outside the shard's folder."""
    rel = PurePosixPath(str(value).replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ShardDamaged(shard, f"{what} path {value!r} points outside the shard")
    return rel.as_posix()


def locate(given: Path) -> tuple[Path, Path | None]:
    """The shard's archive file and its manifest (None when it has none)."""
    if given.is_dir():
        db = given / SHARD_DB_NAME
        if not db.is_file():
            raise ShardDamaged(given, f"no {SHARD_DB_NAME} in the folder")
    elif given.is_file():
        db = given
    else:
        raise ShardDamaged(given, "no such file or folder")
    manifest = db.parent / MANIFEST_NAME
    return db, manifest if manifest.is_file() and db.name == SHARD_DB_NAME else None


def _read_manifest(given: Path, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ShardDamaged(given, f"{MANIFEST_NAME} unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ShardDamaged(given, f"{MANIFEST_NAME} format {got!r} is not {MANIFEST_FORMAT!r}")
    if not isinstance(manifest.get("files", []), list):
        raise ShardDamaged(given, f"{MANIFEST_NAME} 'files' is not a list")
    return manifest


def _check_manifest_files(given: Path, folder: Path, manifest: dict[str, Any]
                          ) -> dict[str, ShardFile]:
    """Every listed file present, of its size, hashing to its sha256."""
    files: dict[str, ShardFile] = {}
    for entry in manifest.get("files") or []:
        if not isinstance(entry, dict) or not entry.get("path") or not entry.get("sha256"):
            raise ShardDamaged(given, f"{MANIFEST_NAME} has a file entry without path/sha256")
        rel = _rel(entry["path"], given, "manifest file")
        path = folder / rel
        if not path.is_file():
            raise ShardDamaged(given, f"{rel} listed in {MANIFEST_NAME} is missing")
        size = path.stat().st_size
        if entry.get("size") is not None and int(entry["size"]) != size:
            raise ShardDamaged(given, f"{rel} is {size} bytes, {MANIFEST_NAME} says "
                                      f"{entry['size']}")
        digest = file_sha256(path)
        if digest != str(entry["sha256"]).lower():
            raise ShardDamaged(given, f"{rel}: sha256 {digest[:12]}… differs from "
                                      f"{MANIFEST_NAME} ({str(entry['sha256'])[:12]}…)")
        files[rel] = ShardFile(rel, path, digest, size)
    return files


def _snapshot(given: Path, db: Path, copy: Path) -> tuple[sqlite3.Connection, int]:
    """Copy the shard's database (read-only, WAL included), check it, migrate the copy."""
    try:
        src = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(copy)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        conn = sqlite3.connect(copy)
        try:
            check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if check != ["ok"]:
                raise ShardDamaged(given, f"{db.name} fails SQLite's quick_check ({check[0]})")
            version = conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ShardDamaged(given, f"{db.name} is not a readable luutru archive ({exc})") from None
    if version is None:
        raise ShardDamaged(given, f"{db.name} is not a luutru archive (no schema version)")
    if not str(version[0]).isdigit() or int(version[0]) > SCHEMA_VERSION:
        raise ShardDamaged(given, f"{db.name} has schema version {version[0]}, this luutru knows "
                                  f"up to {SCHEMA_VERSION}: upgrade luutru")
    try:
        return open_writer(copy).conn, int(version[0])
    except ArchiveError as exc:
        raise ShardDamaged(given, f"{db.name} could not be migrated ({exc})") from None


def _check_warcs(shard: Shard, listed: dict[str, ShardFile],
                 say: Callable[[str], None]) -> None:
    """The WARC files the rows name, and any other in the shard's warc/ folder, hashed; each
    checked against the manifest and the folder's SHA256SUMS when they list it."""
    names = {r[0] for r in shard.conn.execute(
        "SELECT warc_file FROM runs WHERE warc_file IS NOT NULL UNION "
        "SELECT DISTINCT warc_file FROM articles WHERE warc_file IS NOT NULL")}
    folder = shard.folder / WARC_DIR
    if folder.is_dir():
        names |= {f"{WARC_DIR}/{p.name}" for p in folder.glob("*.warc.gz") if p.is_file()}
    sums = read_sums(folder)
    for name in sorted(names):
        rel = _rel(name, shard.given, "WARC")
        path = shard.folder / rel
        if not path.is_file():
            raise ShardDamaged(shard.given, f"WARC file {rel} named by its rows is missing")
        known = listed.get(rel)
        digest = known.sha256 if known else file_sha256(path)
        summed = sums.get(path.name)
        if summed is not None and path.parent == folder and summed != digest:
            raise ShardDamaged(shard.given, f"{rel}: sha256 differs from {WARC_DIR}/{SUMS_FILE}")
        shard.warcs[rel] = ShardFile(rel, path, digest, path.stat().st_size)
        say(f"checking {shard.given}: {len(shard.warcs)} of {len(names)} WARC files")


def _check_attachments(shard: Shard, listed: dict[str, ShardFile],
                       say: Callable[[str], None]) -> None:
    """Every attached file present and hashing to the sha256 its row is keyed by."""
    for sha, rel_value in shard.conn.execute("SELECT sha256, path FROM attachments"):
        rel = _rel(rel_value or "", shard.given, "attachment")
        path = shard.folder / rel
        if not path.is_file():
            raise ShardDamaged(shard.given, f"attached file {rel} is missing")
        known = listed.get(rel)
        digest = known.sha256 if known else file_sha256(path)
        if digest != sha:
            raise ShardDamaged(shard.given, f"attached file {rel}: sha256 {digest[:12]}… "
                                            f"differs from its row ({sha[:12]}…)")
        shard.attachments[sha] = ShardFile(rel, path, digest, path.stat().st_size)
        say(f"checking {shard.given}: {len(shard.attachments)} attached files")


def origin_of(db: Path, manifest: dict[str, Any] | None) -> tuple[str, dict[str, str | None]]:
    """Where a shard's runs came from: the Scrapyd job in its manifest, else its path."""
    if manifest is None:
        return f"file:{db.resolve()}", dict.fromkeys(ORIGIN_FIELDS)
    info = {k: (None if manifest.get(k) is None else str(manifest[k])) for k in ORIGIN_FIELDS}
    return "/".join(info[k] or "-" for k in ("host", "project", "site", "job")), info


def open_shard(given: Path, workdir: Path, n: int,
               say: Callable[[str], None] | None = None) -> Shard:
    """Check one shard in full and open its migrated copy (in `workdir`), or raise
    ShardDamaged. Reads every file it will bring over once (the hashes)."""
    db, manifest_path = locate(given)
    manifest = _read_manifest(given, manifest_path) if manifest_path else None
    folder = db.parent
    listed = _check_manifest_files(given, folder, manifest) if manifest else {}
    conn, version = _snapshot(given, db, workdir / f"shard-{n}.db")
    origin, info = origin_of(db, manifest)
    shard = Shard(given, db, folder, manifest, origin, info, conn, version)
    quiet: Callable[[str], None] = say or (lambda _: None)
    try:
        _check_warcs(shard, listed, quiet)
        _check_attachments(shard, listed, quiet)
    except BaseException:
        shard.close()
        raise
    return shard
