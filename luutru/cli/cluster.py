"""`luutru crawl --all --scrapyd URL,...`: the CLI side of luutru/cluster/dispatch.py."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from luutru.cli import exitcodes
from luutru.cli.common import emit_json, errors_exit, require_site, set_pairs


def parse_nodes(value: str) -> list[str]:
    """`URL[,URL...]` as given to --scrapyd: http(s) URLs, no duplicates, order kept."""
    urls: list[str] = []
    for part in value.split(","):
        url = part.strip().rstrip("/")
        if not url:
            continue
        if "://" not in url:
            url = "http://" + url
        if not url.startswith(("http://", "https://")):
            raise click.UsageError(f"--scrapyd takes http(s) URLs, got {part.strip()!r}")
        if url not in urls:
            urls.append(url)
    if not urls:
        raise click.UsageError("--scrapyd needs at least one node URL (http://host:6800)")
    return urls


def work_dir(db: Path) -> Path:
    """Where fetched shards wait for the merge: `<archive folder>/<archive name>-shards/`."""
    return db.resolve().parent / f"{db.stem}-shards"


def build_tasks(slugs: list[str], mirrors: dict[str, str], base_url: str | None,
                max_pages: int | None, settings: dict[str, str]) -> list[Any]:
    """One task per site with the spider arguments and settings a local crawl would get: a
    mirrored site is crawled fast (delay 0, 4 in flight), as `crawl --all --mirror` does."""
    from urllib.parse import urlsplit

    from luutru.cluster.dispatch import SiteTask, job_settings
    from scrapers.sites import get_site

    tasks = []
    for slug in slugs:
        args: dict[str, str] = {}
        extra: dict[str, str] = {}
        url = mirrors.get(slug) or base_url
        if url:
            args["base_url"] = url
        if slug in mirrors:
            extra = job_settings(0, 4)
        if max_pages is not None:
            args["max_pages"] = str(max_pages)
        host = urlsplit(url or get_site(slug).base_url).netloc.lower()
        tasks.append(SiteTask(slug, args=args, settings={**extra, **settings}, host=host))
    return tasks


def crawl_scrapyd_cli(db: Path, nodes: str, site: str | None, only: str | None,
                      mirrors: tuple[str, ...], *, base_url: str | None, delay: float | None,
                      concurrency: int | None, max_pages: int | None, discover: bool,
                      set_options: tuple[str, ...], as_json: bool, quiet: bool,
                      node_timeout: float, local_only: dict[str, Any]) -> None:
    """Check what `crawl --scrapyd` was given, then run it: `--all` (or one SITE) as jobs.

    Each job crawls into an empty shard, i.e. reads the whole site; the options that steer
    an incremental crawl of the local archive (--refresh, --full, --recheck) and the local
    log files (the node keeps each job's log) do not apply.
    """
    from luutru.cli.crawl import mirror_pairs, only_sites
    from luutru.cluster.dispatch import job_settings
    from scrapers.sites import all_sites

    given = [name for name, value in local_only.items() if value]
    if given:
        raise click.UsageError(f"{', '.join(given)} cannot be used with --scrapyd: each job "
                               "crawls the whole site into a fresh shard and logs on its node")
    if site and mirrors:
        raise click.UsageError("--mirror goes with --all; for one SITE use --base-url")
    if base_url and not site:
        raise click.UsageError("--base-url crawls one SITE; with --all use --mirror SLUG=URL")
    mirror_map = mirror_pairs(mirrors)
    overrides = set_pairs(set_options)  # JOBDIR and LUUTRU_DB refused there
    for name in overrides:
        if name == "LUUTRU_SHARD_DIR":
            raise click.UsageError(f"--set {name} is not supported with --scrapyd: each job "
                                   "writes its shard under the node's items_dir, where the "
                                   "crawl fetches it")
    if site:
        require_site(site)
        slugs = [site]
    else:
        wanted = only_sites(only)
        slugs = [slug for slug, s in all_sites().items()
                 if s.status == "active" and (not wanted or slug in wanted)]
    settings = job_settings(delay, concurrency, overrides)
    extra_args = {"discover": "always"} if discover else {}
    crawl_scrapyd(db, nodes, slugs, mirror_map, base_url=base_url, max_pages=max_pages,
                  settings=settings, extra_args=extra_args, as_json=as_json, quiet=quiet,
                  node_timeout=node_timeout)


def crawl_scrapyd(db: Path, nodes: str, slugs: list[str], mirrors: dict[str, str], *,
                  base_url: str | None, max_pages: int | None, settings: dict[str, str],
                  extra_args: dict[str, str], as_json: bool, quiet: bool,
                  node_timeout: float = 60) -> None:
    """Crawl `slugs` on the nodes, merge what came back into `db`, exit with the outcome."""
    from archive.run_record import check_archive
    from luutru.cluster.dispatch import Cluster, NoNode, list_sites_text

    urls = parse_nodes(nodes)
    check_archive(db)  # before hours of crawling, not at the merge: damaged, exit 8

    def say(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    tasks = build_tasks(slugs, mirrors, base_url, max_pages, settings)
    for task in tasks:
        task.args.update(extra_args)
    cluster = Cluster(urls, work_dir(db), dead_after_s=node_timeout, say=say)
    def no_node(_exc: BaseException) -> int:  # not deployed (usage), or every node down
        no_project = any(n.state == "no-project" for n in cluster.nodes)
        return exitcodes.USAGE if no_project else exitcodes.UNREACHABLE

    try:
        with errors_exit((NoNode, no_node)):
            result = cluster.run(tasks)
    except KeyboardInterrupt:
        cancel_all(cluster, say)
        click.echo("Error: interrupted; the jobs still queued or running were cancelled",
                   err=True)
        sys.exit(exitcodes.INTERRUPTED)
    merge, code, why = merge_shards(result.shards(), db, say)
    if code == exitcodes.OK and why == "":
        for task in result.sites:
            if task.shard is not None:
                shutil.rmtree(task.shard, ignore_errors=True)
        _remove_empty(work_dir(db))
    if code == exitcodes.OK:
        if any(t.state == "refused" for t in result.sites):
            code = exitcodes.CORRUPT
        elif any(t.state != "fetched" or t.run_status != "finished" for t in result.sites):
            code = exitcodes.INTERRUPTED
    dead = [n for n in result.nodes if n.state != "alive"]
    report: dict[str, Any] = {
        "db": str(db), "exit_code": code, "elapsed_s": result.elapsed_s,
        "fetch_s": result.fetch_s, "fetch_bytes": result.fetch_bytes,
        "nodes": [n.as_dict() for n in result.nodes],
        "sites": [t.as_dict() for t in result.sites], "merge": merge, "error": why,
    }
    if as_json:
        emit_json(report)
    merged = sum(1 for t in result.sites if t.state == "fetched")
    if not quiet or code != exitcodes.OK:
        lines = [f"{merged}/{len(result.sites)} sites crawled on {len(urls)} nodes and merged "
                 f"into {db} in {result.elapsed_s:.0f} s"]
        lines += [f"  node {n.url}: {n.state}: {n.note}" for n in dead]
        bad = list_sites_text(result.sites)
        if bad:
            lines.append(bad)
        if why:
            lines.append(f"Error: {why}")
        click.echo("\n".join(lines), err=True)
    sys.exit(code)


def merge_shards(shards: list[Path], db: Path, say: Any) -> tuple[dict[str, Any] | None, int,
                                                                   str]:
    """Fold the fetched shards into `db` (hard links: the work copies can go afterwards):
    (what the merge reports, exit code, error text)."""
    if not shards:
        return None, exitcodes.OK, ""
    from archive.db import ArchiveError
    from archive.lock import ArchiveLocked
    from archive.merge import merge_archives

    try:
        merged = merge_archives(shards, db, link=True, progress=say)
    except ArchiveLocked as exc:
        return None, exitcodes.LOCKED, (f"{exc}; the fetched shards are kept in "
                                        f"{work_dir(db)}: luutru merge them when it is free")
    except ArchiveError as exc:  # ShardDamaged (a shard refused), or the target refused
        return None, exitcodes.CORRUPT, (f"merge refused: {exc}; nothing was merged, the "
                                         f"fetched shards are kept in {work_dir(db)}")
    say(merged.summary())
    return merged.as_dict(), exitcodes.OK, ""


def cancel_all(cluster: Any, say: Any) -> None:
    """Ctrl-C: cancel every job this run queued that is not done, on every live node."""
    from luutru.cluster.scrapyd_api import ScrapydError

    for task in cluster.tasks:
        if task.done or not task.job or task.state == "finished":
            continue
        node = next((n for n in cluster.nodes if n.url == task.node), None)
        if node is None or not node.alive:
            continue
        try:
            node.api.cancel(cluster.project, task.job)
            say(f"{task.site}: job {task.job} cancelled on {node.url}")
        except ScrapydError as exc:
            say(f"{task.site}: could not cancel job {task.job}: {exc}")


def _remove_empty(folder: Path) -> None:
    if not folder.is_dir():
        return
    for sub in sorted(folder.glob("**/"), key=lambda p: len(p.parts), reverse=True):
        try:
            sub.rmdir()
        except OSError:
            pass
