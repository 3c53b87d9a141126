"""The `luutru` command line: crawl sites into an archive, then search, export and count it."""

from __future__ import annotations

from typing import Any

import click

from luutru.cli import check_site as cli_check_site
from luutru.cli import crawl as cli_crawl
from luutru.cli import merge as cli_merge
from luutru.cli import preserve as cli_preserve
from luutru.cli import research as cli_research
from luutru.cli import runs as cli_runs
from luutru.cli import site_files as cli_site_files
from luutru.cli import sites as cli_sites
from luutru.cli.common import errors_exit


class Luutru(click.Group):
    """The group that runs every command inside `errors_exit`: a library error (no archive, a
    damaged or locked one, a malformed query...) is one `Error:` line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        with errors_exit():
            return super().invoke(ctx)


@click.group(cls=Luutru,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="luutru")
def cli() -> None:
    """Archive the websites of Vietnam's provincial political schools, and search the archive.

    \b
    Example:
      luutru crawl bentre --db bentre.db
      luutru search "sinh hoat chi bo" --db bentre.db
      luutru export --format csv --output bentre.csv --db bentre.db
    """


for _command in (
    cli_crawl.crawl,
    cli_sites.sites,
    cli_runs.runs,
    cli_runs.history,
    cli_runs.schedule,
    cli_research.search,
    cli_research.show,
    cli_research.export,
    cli_research.stats,
    cli_research.serve,
    cli_preserve.reextract,
    cli_preserve.verify,
    cli_sites.crawl_url,
    cli_site_files.new_site,
    cli_check_site.check_site,
    cli_sites.duplicates,
    cli_merge.merge,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="luutru")


if __name__ == "__main__":
    main()
