"""What every `luutru` command shares: options, the read-only archive, output helpers."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from archive.run_record import LAYOUT_REASONS
from luutru.cli import exitcodes

F = TypeVar("F", bound=Callable[..., Any])


def summary_text(s: dict[str, Any]) -> str:
    """The crawl summary a person reads: what the run fetched, stored and failed."""
    extra = "  (details: luutru runs, fetch_log table)" if s["errors"] or s["skipped"] else ""
    return (
        f"Crawled {s['site']} into {s['db']} (run {s['run_id']}): "
        f"{s['status']} in {s['elapsed_s']:.1f} s\n"
        f"  pages fetched  {s['pages']}\n"
        f"  articles       new {s['new']} · updated {s['updated']} · "
        f"unchanged {s['unchanged']} · duplicates {s['duplicate']} · gone {s['gone']}\n"
        f"  skipped {s['skipped']} · failed {s['errors']}{extra}"
    ) + layout_text(s)


def layout_text(s: dict[str, Any]) -> str:
    """Summary lines for discovery, the listing fallback and silent zeros (empty if none)."""
    lines: list[str] = []
    failed, found = s.get("sections_failed") or [], s.get("sections_discovered") or []
    if failed:
        lines.append("  sections failed  " + "; ".join(
            f"{f['section']} ({f['reason']}, {f['url']})" for f in failed))
    if found:
        lines.append("  sections discovered  " + "; ".join(
            f"{f['section']} ({f['url']})" for f in found))
    if s.get("empty_sections"):
        lines.append("  empty sections  " + "; ".join(
            f"{e['section']} ({e['url']})" for e in s["empty_sections"]))
    if s.get("listing_fallback"):
        lines.append(f"  listing fallback  {s['listing_fallback']} listing pages read by URL "
                     "shape (row selectors found nothing)")
    if s.get("attachments_resumed"):
        lines.append(f"  files resumed  {s['attachments_resumed']} left unfetched by earlier runs")
    lines += [f"  no silent zero: {m}" for m in s.get("silent_zero") or []]
    return "".join("\n" + line for line in lines)


def exit_code(status: str, pages: int, finish_reason: str = "",
              silent_zero: list[str] | None = None) -> int:
    """The documented exit code for a run that ended with `status` (luutru/cli/exitcodes.py).

    `silent_zero` (the run's "no silent zero" findings: a listing with no article link, a
    section with no article, a run that saw nothing where the archive holds articles) turns
    a finished run into LAYOUT_CHANGED: a cron job must not report success while archiving
    nothing.
    """
    if finish_reason in LAYOUT_REASONS:
        return exitcodes.LAYOUT_CHANGED
    if status == "finished":
        return exitcodes.LAYOUT_CHANGED if silent_zero else exitcodes.OK
    if status == "failed" and pages == 0:
        return exitcodes.UNREACHABLE
    return exitcodes.INTERRUPTED


def require_site(slug: str) -> None:
    """A usage error naming the known sites when `slug` has no site file."""
    from scrapers.sites import UnknownSite, get_site

    try:
        get_site(slug)
    except UnknownSite as exc:
        raise click.UsageError(str(exc)) from exc


class BadInput(click.ClickException):
    """A one-line error for bad input (a malformed query), exit code 2 like other usage errors."""

    exit_code = exitcodes.USAGE


def db_option(func: F) -> F:
    """`--db`, shared by every command: the archive file, `$LUUTRU_DB` or ./luutru.db."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="LUUTRU_DB",
        default="luutru.db",
        show_default="luutru.db or $LUUTRU_DB",
        help="SQLite archive file.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def reader(db: Path) -> Any:
    """The archive opened read-only (ArchiveNotFound, whose message says how to make one, when
    there is none)."""
    from archive.db import open_reader

    return open_reader(db)


# A library error's exit code: a number, or a function of the error (disk full or not).
Code = int | Callable[[BaseException], int]
Rule = tuple[type[BaseException], Code] | tuple[type[BaseException], Code, Callable[[Any], str]]


def library_errors() -> tuple[Rule, ...]:
    """The documented exit code (README, "Exit codes") of each error the libraries raise for
    a person to read, most specific first. Imported only when an error is on its way out."""
    from archive.db import ArchiveError, ArchiveNotFound
    from archive.lock import ArchiveLocked
    from archive.merge import TargetDamaged
    from archive.merge_shard import ShardDamaged
    from archive.run_record import ArchiveCorrupt, ArchiveFull
    from archive.search_query import QueryError
    from luutru.schedule import ScheduleError
    from scrapers.sites import UnknownSite

    return (
        (ArchiveLocked, exitcodes.LOCKED),
        (ArchiveCorrupt, exitcodes.CORRUPT),
        (TargetDamaged, exitcodes.CORRUPT),
        (ShardDamaged, exitcodes.DAMAGED_SHARD),
        (ArchiveFull, exitcodes.DISK_FULL),
        (QueryError, exitcodes.USAGE),
        (ScheduleError, exitcodes.USAGE),
        (UnknownSite, exitcodes.USAGE),
        (ArchiveNotFound, exitcodes.INTERRUPTED, _no_archive),
        (ArchiveError, exitcodes.INTERRUPTED),  # any other: "failed"
    )


def _no_archive(exc: Any) -> str:
    return (f"no archive at {exc.path}: run a crawl first (luutru crawl SITE --db {exc.path}), "
            "or pass the right --db")


@contextmanager
def errors_exit(*rules: Rule) -> Iterator[None]:
    """Library errors as one `Error:` line on stderr and their documented exit code, never a
    traceback: the one place the CLI does it. The group runs every command inside it with
    `library_errors()`; a command adds `rules` (class, code or code function[, message
    function]) where it knows more, e.g. which file a failed merge left as it was. The first
    rule that matches wins; anything else goes on up."""
    try:
        yield
    except click.ClickException:
        raise
    except Exception as exc:
        rule = next((r for r in (*rules, *library_errors()) if isinstance(exc, r[0])), None)
        if rule is None:
            raise
        code = rule[1] if isinstance(rule[1], int) else rule[1](exc)
        text = rule[2](exc) if len(rule) == 3 else str(exc)
        click.echo("Error: " + " ".join(text.split()), err=True)
        sys.exit(code)


def set_option(func: F) -> F:
    """`--set NAME=VALUE`, for every command that crawls (luutru/process.py applies them)."""
    return click.option(
        "--set", "-s", "set_options", multiple=True, metavar="NAME=VALUE",
        help="Override a Scrapy setting (DOWNLOAD_TIMEOUT=60, RETRY_TIMES=5...). Repeatable.",
    )(func)


def set_pairs(set_options: tuple[str, ...]) -> dict[str, str]:
    """`--set NAME=VALUE` options (Scrapy settings, as `scrapy crawl -s`), name -> value; a
    usage error for a malformed pair or a setting luutru keeps for itself."""
    from luutru.process import refused_setting

    pairs: dict[str, str] = {}
    for item in set_options:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise click.UsageError(f"--set takes NAME=VALUE with an upper-case NAME, got {item!r}")
        pairs[name] = value
    refused = refused_setting(pairs)
    if refused:
        raise click.UsageError(refused)
    return pairs


@contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """A UTF-8 text stream with no newline translation (CSV writes its own \r\n)."""
    if path != "-":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    fh = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield fh
    finally:
        fh.flush()
        fh.detach()  # leave sys.stdout open for click


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
