"""Preservation: check the archive's files against what it recorded (rebuilding articles from
the captured WARC records without the network is `luutru.reextract`).

- `verify(db_path)` recomputes the sha256 of every attachment file, every WARC record's block and
  payload digests (and so the gzip integrity of every member), each WARC file's whole-file sha256
  against `warc/SHA256SUMS`, and that every article's `warc_*` columns point at a record with the
  same id and payload digest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archive.db import open_reader
from archive.warc import WARC_DIR, check_file, file_sha256, read_sums


@dataclass
class Problem:
    kind: str  # attachment_missing, attachment_changed, warc_missing, warc_digest, warc_broken,
    # warc_changed, article_link
    path: str
    detail: str


@dataclass
class Report:
    warc_files: int = 0
    warc_records: int = 0
    attachments: int = 0
    articles_linked: int = 0
    unrecorded_warcs: list[str] = field(default_factory=list)  # no SHA256SUMS line (crash)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _folder(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent


def verify(db_path: str | Path) -> Report:
    """Recompute every hash the archive relies on and report each difference (see module doc)."""
    folder = _folder(db_path)
    report = Report()
    conn = open_reader(db_path, time_limit=None)
    try:
        attachments = conn.execute(
            "SELECT sha256, path, size FROM attachments ORDER BY path").fetchall()
        warc_names = {
            name for (name,) in conn.execute(
                "SELECT warc_file FROM runs WHERE warc_file IS NOT NULL "
                "UNION SELECT DISTINCT warc_file FROM articles WHERE warc_file IS NOT NULL")
        }
        links = conn.execute(
            "SELECT id, warc_file, warc_offset, warc_record_id, warc_digest FROM articles "
            "WHERE warc_record_id IS NOT NULL").fetchall()
    finally:
        conn.close()

    for sha, rel, size in attachments:
        report.attachments += 1
        path = folder / rel
        if not path.is_file():
            report.problems.append(Problem("attachment_missing", rel, "file not found"))
            continue
        actual = file_sha256(path)
        if actual != sha:
            report.problems.append(Problem(
                "attachment_changed", rel,
                f"sha256 {actual} != recorded {sha} (size {path.stat().st_size}, recorded {size})"))

    warc_dir = folder / WARC_DIR
    if warc_dir.is_dir():
        warc_names |= {f"{WARC_DIR}/{p.name}" for p in warc_dir.glob("*.warc.gz")}
    sums = read_sums(warc_dir)
    records: dict[str, dict[int, tuple[str, str]]] = {}
    for rel in sorted(warc_names):
        path = folder / rel
        report.warc_files += 1
        if not path.is_file():
            report.problems.append(Problem("warc_missing", rel, "file not found"))
            continue
        index: dict[int, tuple[str, str]] = {}
        records[rel] = index
        try:
            for check in check_file(path):
                report.warc_records += 1
                index[check.offset] = (check.record_id, check.digest)
                for detail in check.problems:
                    report.problems.append(Problem(
                        "warc_digest", rel, f"{check.rec_type} record {check.record_id} at "
                        f"offset {check.offset}: {detail}"))
        except ValueError as exc:
            report.problems.append(Problem("warc_broken", rel, str(exc)))
        recorded = sums.get(path.name)
        if recorded is None:
            report.unrecorded_warcs.append(rel)
        elif file_sha256(path) != recorded:
            report.problems.append(Problem(
                "warc_changed", rel, f"sha256 differs from {WARC_DIR}/SHA256SUMS"))

    for article_id, rel, offset, record_id, digest in links:
        report.articles_linked += 1
        recorded_at = records.get(rel)
        if recorded_at is None:
            continue  # the file's own problem is reported above
        found = recorded_at.get(int(offset)) if offset is not None else None
        if found is None:
            report.problems.append(Problem(
                "article_link", rel, f"article #{article_id}: no record at offset {offset}"))
        elif found != (record_id, digest):
            report.problems.append(Problem(
                "article_link", rel,
                f"article #{article_id}: record at offset {offset} is {found[0]} {found[1]}, "
                f"recorded {record_id} {digest}"))
    return report
