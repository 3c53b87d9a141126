"""`luutru` commands for keepers of the archive: check fixity, re-extract from stored WARCs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from luutru.cli import exitcodes
from luutru.cli.common import db_option, emit_json, json_option, require_site

# verify found a missing or changed file; reextract could not read some captured pages.
PROBLEMS = exitcodes.PROBLEMS


def _need_archive(db: Path) -> None:
    """Refuse a missing archive before anything (a lock file) is made beside it."""
    from archive.db import ArchiveNotFound

    if not db.is_file():
        raise ArchiveNotFound(db)


@click.command()
@db_option
@click.option("--site", metavar="SLUG", help="Only this site's articles.")
@json_option
def reextract(db: Path, site: str | None, as_json: bool) -> None:
    """Rebuild articles from their captured pages in the WARC files, without the network.

    Each article's stored page is parsed again by the site's current spider and cleaned by the
    current pipelines; changed results replace the row (a revision), so an improved parser can
    be applied to old captures. Articles crawled before WARC capture are left as they are.
    Exit 0 when every captured page was read back, 5 when some could not be, 4 when a
    crawl holds the archive.

    \b
    Example:
      luutru reextract --db bentre.db
      luutru reextract --db bentre.db --site bentre --json
    """
    from archive.lock import ArchiveLock
    from luutru.reextract import reextract as run_reextract

    _need_archive(db)
    if site:
        require_site(site)
    with ArchiveLock(db, "luutru reextract"):  # ArchiveLocked: exit 4 (common.library_errors)
        counts = run_reextract(db, site)
    summary = {k: counts.get(k, 0) for k in
               ("total", "unchanged", "updated", "new", "duplicate", "failed", "unreadable")}
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"Re-extracted {summary['total']} captured articles from {db}: "
            f"unchanged {summary['unchanged']} · updated {summary['updated']} · "
            f"new {summary['new']} · duplicates {summary['duplicate']} · "
            f"no article {summary['failed']} · unreadable {summary['unreadable']}"
        )
        if summary["total"] == 0:
            click.echo("  (no article has a WARC capture yet: crawl again to capture pages)")
    sys.exit(PROBLEMS if summary["unreadable"] else exitcodes.OK)


@click.command()
@db_option
@json_option
def verify(db: Path, as_json: bool) -> None:
    """Recompute the hashes of WARC files and attachments and report any change.

    Checks every attachment's sha256, every WARC record's digests (and gzip integrity), each
    WARC file against warc/SHA256SUMS, and that articles point at the records they recorded.
    Exit 0 when everything matches, 5 when a problem is found.

    \b
    Example:
      luutru verify --db bentre.db
      luutru verify --db bentre.db --json
    """
    from luutru.preserve import verify as run_verify

    _need_archive(db)
    report = run_verify(db)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(
            f"Verified {db}: {report.warc_files} WARC files ({report.warc_records} records), "
            f"{report.attachments} attachments, {report.articles_linked} article links: "
            + ("all match" if report.ok else f"{len(report.problems)} problem(s)")
        )
        for problem in report.problems:
            click.echo(f"  {problem.kind:<20} {problem.path}: {problem.detail}")
        for rel in report.unrecorded_warcs:
            click.echo(f"  note: {rel} has no line in SHA256SUMS (crawl stopped before it closed)")
    sys.exit(exitcodes.OK if report.ok else PROBLEMS)
