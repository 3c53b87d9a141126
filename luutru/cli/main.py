"""The `luutru` command line: crawl sites into an archive, then search, export and count it."""

from __future__ import annotations

import click

from luutru.cli import crawl as cli_crawl
from luutru.cli import merge as cli_merge
from luutru.cli import preserve as cli_preserve
from luutru.cli import research as cli_research
from luutru.cli import sites as cli_sites


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    cli_crawl.sites,
    cli_crawl.runs,
    cli_crawl.history,
    cli_crawl.schedule,
    cli_research.search,
    cli_research.show,
    cli_research.export,
    cli_research.stats,
    cli_research.serve,
    cli_preserve.reextract,
    cli_preserve.verify,
    cli_sites.crawl_url,
    cli_sites.new_site,
    cli_sites.check_site,
    cli_sites.duplicates,
    cli_merge.merge,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="luutru")


if __name__ == "__main__":
    main()
