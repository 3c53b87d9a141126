"""Where a Scrapyd job (or any `scrapy crawl` given LUUTRU_SHARD_DIR) writes: its own shard.

Many jobs run at once on a Scrapyd node, and several nodes crawl for one archive, so a job never
writes a shared SQLite file: each writes a shard, one folder laid out as `luutru crawl --db
<folder>/archive.db` lays out an archive (archive.db, warc/, attachments/), finished by a
`manifest.json` (scrapers/shard_manifest.py) that `luutru merge` and `crawl --all --scrapyd`
read. The folder is `<root>/<project>/<spider>/<job>/`, where the root is

- the setting LUUTRU_SHARD_DIR when given (`-s`, or `setting=` in Scrapyd's schedule.json);
- else, under Scrapyd, Scrapyd's items_dir, read from the feed Scrapyd asks the job to write
  (setting FEEDS = `file:///<items_dir>/<project>/<spider>/<job>.jl`; older Scrapyd: env
  SCRAPY_FEED_URI): Scrapyd then serves the shard at `/items/<project>/<spider>/<job>/`;
- else, under Scrapyd, nothing: the job fails with one line saying what to configure.

A job runs under Scrapyd when Scrapyd gave it a job id: the spider argument `_job` (Scrapyd
1.5+) or the environment variable SCRAPY_JOB (older). Outside Scrapyd without LUUTRU_SHARD_DIR
nothing changes: the crawl writes LUUTRU_DB as before.

`ShardAddon` (setting ADDONS) applies this before Scrapy freezes the settings: LUUTRU_DB points
into the shard for every component (writer, attachments, WARC), the manifest extension is
enabled, and Scrapyd's item feed is turned off, since the shard's archive already holds every
item (a .jl beside it would be a second, unchecked copy of the archive). The run guards
(scrapers/run_guards.py, the next add-on) then lock the shard's archive, guard the signal
handlers and fail a run that archived nothing where it should have, as for `luutru crawl`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from w3lib.url import file_uri_to_path

logger = logging.getLogger(__name__)

ARCHIVE_NAME = "archive.db"
MANIFEST_NAME = "manifest.json"
SHARD_FORMAT = "luutru-shard/1"
MANIFEST_EXTENSION = "scrapers.shard_manifest.ShardManifest"
# Above `cmdline` (40): `-s LUUTRU_DB=...` cannot point a shard job at a shared archive.
SHARD_PRIORITY = 50


class ShardError(RuntimeError):
    """The job cannot have a shard of its own; the message is the one line the log shows."""


def utc_now() -> str:
    """ISO 8601 UTC to the second, as the manifest writes times."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Shard:
    """One job's shard: `<root>/<project>/<spider>/<job>/` (module doc)."""

    root: Path
    project: str
    spider: str
    job: str
    started: str = field(default_factory=utc_now)

    @property
    def folder(self) -> Path:
        return self.root / self.project / self.spider / self.job

    @property
    def db(self) -> Path:
        return self.folder / ARCHIVE_NAME

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST_NAME


def scrapyd_job(crawler: Crawler, environ: dict[str, str] | os._Environ[str] = os.environ
                ) -> str | None:
    """The job id Scrapyd gave this process, or None outside Scrapyd (module doc)."""
    job = getattr(crawler.spider, "_job", None) if crawler.spider is not None else None
    return str(job) if job else (environ.get("SCRAPY_JOB") or None)


def _feed_uris(settings: Settings, environ: dict[str, str] | os._Environ[str]) -> list[str]:
    uris = [environ["SCRAPY_FEED_URI"]] if environ.get("SCRAPY_FEED_URI") else []
    try:
        uris += [str(uri) for uri in settings.getdict("FEEDS")]
    except (TypeError, ValueError):  # not a dict, nor JSON of one: no feed to read
        pass
    return uris


def items_root(settings: Settings, project: str, spider: str, job: str,
               environ: dict[str, str] | os._Environ[str] = os.environ) -> Path | None:
    """Scrapyd's items_dir, from the local feed file Scrapyd set for this very job
    (`file:///<items_dir>/<project>/<spider>/<job>.jl`); None when there is none."""
    for uri in _feed_uris(settings, environ):
        if urlsplit(uri).scheme != "file":
            continue
        path = Path(file_uri_to_path(uri))
        if (path.stem, path.parent.name, path.parent.parent.name) == (job, spider, project):
            return path.parents[2]
    return None


def _check_name(kind: str, value: str) -> str:
    if not value or value in (".", "..") or "/" in value or "\\" in value or "\0" in value:
        raise ShardError(f"luutru shard: the {kind} {value!r} cannot name a shard folder")
    return value


def resolve_shard(crawler: Crawler, settings: Settings,
                  environ: dict[str, str] | os._Environ[str] = os.environ) -> Shard | None:
    """This job's shard, None when it writes LUUTRU_DB as usual; ShardError when it runs under
    Scrapyd with no place for a shard (module doc)."""
    job = scrapyd_job(crawler, environ)
    root = settings.get("LUUTRU_SHARD_DIR") or None
    if root is None and job is None:
        return None
    spider = crawler.spider.name if crawler.spider is not None else crawler.spidercls.name
    project = environ.get("SCRAPY_PROJECT") or settings.get("BOT_NAME") or "luutru"
    job = job or settings.get("LUUTRU_SHARD_JOB") or (
        f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}")
    if root is None:
        found = items_root(settings, project, spider, job, environ)
        if found is None:
            raise ShardError(
                f"luutru shard: Scrapyd job {job} has nowhere to write its shard: set items_dir "
                "in scrapyd.conf (shards are then served at /items/) or schedule with "
                "setting=LUUTRU_SHARD_DIR=/path; a job never writes a shared archive")
        root = found
    return Shard(Path(root).expanduser().absolute(), _check_name("project", project),
                 _check_name("spider", spider), _check_name("job", job))


def prepare(shard: Shard) -> None:
    """Create the shard's folder; refuse one a finished job already wrote (a shard is written
    once: its manifest says it is complete)."""
    if shard.manifest.exists():
        raise ShardError(f"luutru shard: {shard.folder} is already complete (it has a "
                         f"{MANIFEST_NAME}); a job writes a new shard, never into a finished one")
    shard.folder.mkdir(parents=True, exist_ok=True)


class ShardAddon:
    """Scrapy add-on: points this job's settings at its shard before they freeze (module doc).

    The crawler's spider exists by then (Scrapy creates it before applying add-ons), so the
    job id Scrapyd passes as a spider argument is known.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ShardAddon:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        try:
            shard = resolve_shard(self.crawler, settings)
            if shard is None:
                return
            prepare(shard)
        except (ShardError, OSError) as exc:
            line = str(exc) if isinstance(exc, ShardError) else f"luutru shard: {exc}"
            logger.error("%s", line)
            raise ShardError(line) from None
        # Only a LUUTRU_DB given for this run (`-s`) is worth a word: the default is replaced.
        given = (settings.get("LUUTRU_DB")
                 if (settings.getpriority("LUUTRU_DB") or 0) >= 40 else None)
        settings.set("LUUTRU_DB", str(shard.db), priority=SHARD_PRIORITY)
        feeds = _feed_uris(settings, os.environ)
        settings.set("FEEDS", {}, priority=SHARD_PRIORITY)
        extensions = settings.getdict("EXTENSIONS")
        extensions.setdefault(MANIFEST_EXTENSION, 510)  # kept off if the run says None
        settings.set("EXTENSIONS", extensions,
                     priority=max(settings.getpriority("EXTENSIONS") or 0, SHARD_PRIORITY))
        self.crawler.luutru_shard = shard  # type: ignore[attr-defined]
        logger.info("luutru shard: job %s writes %s%s%s", shard.job, shard.folder,
                    f" (not LUUTRU_DB {given})" if given and Path(given) != shard.db else "",
                    f"; item feed {', '.join(feeds)} off: the shard's archive holds the items"
                    if feeds else "")


def shard_of(crawler: Crawler) -> Shard | None:
    """The shard ShardAddon chose for this crawler (None: not a shard job)."""
    return getattr(crawler, "luutru_shard", None)

