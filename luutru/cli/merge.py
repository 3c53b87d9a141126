"""`luutru merge`: fold archives crawled elsewhere (Scrapyd job shards) into one archive."""

from __future__ import annotations

from pathlib import Path

import click

from luutru.cli import exitcodes
from luutru.cli.common import emit_json, errors_exit, json_option


@click.command()
@click.argument("shards", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--into", "into", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to merge into (created if missing); its warc/ and "
                   "attachments/ folders are beside it.")
@click.option("--link", is_flag=True,
              help="Hard-link WARC and attached files instead of copying them (copies "
                   "anyway across filesystems). The shard's files must then never be edited.")
@json_option
def merge(shards: tuple[Path, ...], into: Path, link: bool, as_json: bool) -> None:
    """Fold SHARD archives into one, e.g. the shards Scrapyd jobs wrote.

    A SHARD is a folder holding archive.db (with warc/ and attachments/ beside it) and
    optionally manifest.json, or the path of any archive file. The result is the archive
    one crawl would have made: articles deduplicated by canonical URL and content hash,
    every distinct revision kept in order of fetch time (the latest is current), an
    article gone only if its latest observation was a 404/410, attached files kept once by
    sha256, and every shard's runs and fetch log kept with their origin (table
    run_origins: the manifest's host/project/site/job, else the shard's path).

    Safe to repeat and in any order: merging the same shards again changes nothing, and
    any order of shards gives the same articles, revisions, gone marks and files.

    Every shard is checked before anything is written: SQLite's quick_check, a schema
    this luutru knows (older ones are migrated in a temporary copy; the shard is only
    read), every file of its manifest present with the same sha256, every file its rows
    name present, attached files matching their sha256. Files are hashed again as they
    are copied into the target's warc/ and attachments/, and the rows point there.

    Exit codes: 0 merged; 8 a shard is damaged (one line says which and why; nothing
    was written), or the target is; 4 another luutru writes the target; 7 disk full;
    1 another failure.
    The target is written in one transaction: a failure leaves it as it was. Long
    merges print a progress line on stderr every few seconds.

    \b
    Example:
      luutru merge shards/bentre-job1 shards/camau-job7 --into luutru.db
      luutru merge old-laptop.db --into luutru.db --link --json
    """
    from archive.merge import merge_archives
    from archive.merge_shard import ShardDamaged
    from archive.run_record import is_disk_full

    def progress(message: str) -> None:
        click.echo(f"luutru merge: {message}", err=True)

    def failed(exc: OSError) -> str:  # rolled back, the files it brought taken back
        what = "disk full" if is_disk_full(exc) else exc
        return f"{what} while merging into {into}; it is as it was"

    def refused(exc: ShardDamaged) -> str:
        return f"{exc}; nothing was written to {into}"

    # TargetDamaged 8, ArchiveLocked 4, any other ArchiveError 1: common.library_errors.
    with errors_exit(
        (ShardDamaged, exitcodes.DAMAGED_SHARD, refused),
        (OSError, lambda exc: exitcodes.DISK_FULL if is_disk_full(exc) else exitcodes.INTERRUPTED,
         failed),
    ):
        result = merge_archives(list(shards), into, link=link, progress=progress)
    if as_json:
        emit_json(result.as_dict())
    else:
        click.echo(result.summary())
