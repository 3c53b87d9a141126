"""`luutru new-site` and the site files it writes: where they are read from, their template and
their [checks] thresholds (which `check-site` applies)."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

ROOT = Path(__file__).resolve().parents[2]  # the checkout: luutru/cli/site_files.py -> ../../
SITES_DIR_ENV = "LUUTRU_SITES_DIR"
ROWS_FILE = Path("tests") / "site_checks.toml"
_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

# Thresholds of `check-site`, overridable per site in its file's [checks] table.
DEFAULT_CHECKS: dict[str, float] = {
    "min_articles": 1,  # articles the sample must yield
    "title": 0.95,  # share of articles with a title
    "date": 0.9,  # share with a publication date
    "text": 0.95,  # share with a text of at least text_min_chars
    "author": 0.0,  # share with a byline (many sites print none)
    "category": 0.0,  # share with a category
    "text_min_chars": 200,
    "max_leaks": 0,  # articles whose text holds page chrome (clock, banner, Tin khác, skip link)
    "max_failed": 0.1,  # share of fetched pages that failed
}



def sites_dir() -> Path:
    """Where site files are read from: $LUUTRU_SITES_DIR, else the package's scrapers/sites."""
    env = os.environ.get(SITES_DIR_ENV)
    if env:
        return Path(env)
    import scrapers.sites

    return Path(scrapers.sites.__file__).parent


def load_site_file(path: Path) -> tuple[Any, dict[str, Any]]:
    """(SiteDef, the file's raw table) for a site file anywhere on disk."""
    from scrapers.sites import _parse

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        site = _parse(data)
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise click.ClickException(f"cannot read site file {path}: {exc}") from exc
    if site.slug != path.stem:
        raise click.ClickException(f"{path}: slug {site.slug!r} must match the file name")
    return site, data


def find_site(slug: str, site_file: Path | None = None) -> tuple[Any, dict[str, Any]]:
    if site_file is not None:
        return load_site_file(site_file)
    path = sites_dir() / f"{slug}.toml"
    if path.exists():
        return load_site_file(path)
    from scrapers.sites import UnknownSite, get_site

    try:
        return get_site(slug), {}
    except UnknownSite as exc:
        raise click.ClickException(str(exc)) from exc


def checks_for(data: dict[str, Any]) -> dict[str, float]:
    checks = dict(DEFAULT_CHECKS)
    for key, value in (data.get("checks") or {}).items():
        if key not in DEFAULT_CHECKS:
            known = ", ".join(DEFAULT_CHECKS)
            raise click.ClickException(f"[checks] has unknown key {key!r} (known: {known})")
        checks[key] = float(value)
    return checks


SITE_TEMPLATE = '''# {name}: {cms} site, from `luutru new-site`. Fill in the sections, then run
#   luutru check-site {slug} --base-url <mirror or replica URL>
slug = "{slug}"
name = "{name}"
province = "{province}"
merged_into = "{merged_into}"   # the province it joined on 1/7/2025, if any
base_url = "{base_url}"
aliases = []        # other origins of the same site: "http://...", "https://www...."
cms = "{cms}"
status = "active"   # active | frozen | offline

{sections}
[dates]
# prefer = "listing"        # take the listing row's date before the article page's
# article_pages = false     # the article page shows only a render clock: never read it

[selectors]
# Override the {cms} family's defaults here (CSS, or XPath starting with / ( or ./), e.g.
# body = [".article-content"]
# article_date = [".date"]

[checks]
# Thresholds of `luutru check-site` (shares in [0, 1]); the defaults are shown.
{checks}
'''


def render_site_file(slug: str, cms: str, base_url: str, name: str, province: str,
                     merged_into: str, sections: list[tuple[str, str]]) -> str:
    if sections:
        section_text = "".join(
            f'[[sections]]\nname = "{n}"\npath = "{p}"\n\n' for n, p in sections)
    else:
        section_text = ('# One table per listing the spider reads:\n# [[sections]]\n'
                        '# name = "Tin tức - Sự kiện"\n# path = "/tin-tuc-su-kien"\n')
    checks = "\n".join(f"# {k} = {v:g}" for k, v in DEFAULT_CHECKS.items())
    return SITE_TEMPLATE.format(slug=slug, cms=cms, base_url=base_url, name=name or slug,
                                province=province, merged_into=merged_into,
                                sections=section_text, checks=checks)


ROW_TEMPLATE = '''
[[site]]
slug = "{slug}"
# The replica that `tests/test_toolkit.py` serves and checks: a key of replicas.sites.BUILDERS.
replica = "{replica}"
fixtures = "tests/fixtures/{slug}"
sample = 20
'''


@click.command("new-site")
@click.argument("slug")
@click.option("--cms", "family", required=True, metavar="FAMILY",
              help="CMS family: drupal7, drupal8, nukeviet, joomla_k2, portal.")
@click.option("--url", "base_url", required=True, metavar="URL", help="The live base URL.")
@click.option("--name", default="", help="The school's name as the site shows it.")
@click.option("--province", default="", help="Province (before the 2025 merger).")
@click.option("--merged-into", default="", help="Province it merged into in 2025.")
@click.option("--section", "sections", multiple=True, metavar="NAME=PATH",
              help="A listing to crawl. Repeatable.")
@click.option("--from-html", "pages", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Save this page (as bytes) as a fixture. Repeatable.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder to write into. [default: this checkout]")
def new_site(slug: str, family: str, base_url: str, name: str, province: str,
             merged_into: str, sections: tuple[str, ...], pages: tuple[Path, ...],
             root: Path | None) -> None:
    """Start a site definition: the site file, a fixture folder and a test row.

    \b
    Writes (and refuses to overwrite):
      scrapers/sites/SLUG.toml        from a template, with the family's keys explained
      tests/fixtures/SLUG/            the --from-html pages, byte for byte, and index.toml
      tests/site_checks.toml          a row, so the tests check the site once it has a replica

    \b
    Example:
      luutru new-site binh_phuoc --cms nukeviet --url https://truongchinhtri.edu.vn \\
          --from-html article.html listing.html
    """
    from scrapers.platforms import PLATFORMS

    if not _SLUG_RE.fullmatch(slug) or slug.startswith("generic_"):
        raise click.BadParameter(
            f"{slug!r}: use 2-40 lower-case letters, digits or _ starting with a letter "
            "(e.g. quang_tri); generic_* is reserved for crawl-url", param_hint="SLUG")
    if family not in PLATFORMS:
        raise click.BadParameter(
            f"unknown CMS family {family!r}; known: {', '.join(sorted(PLATFORMS))}",
            param_hint="--cms")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{base_url!r} is not an http(s) URL", param_hint="--url")
    parsed_sections = []
    for item in sections:
        label, sep, path = item.partition("=")
        if not sep or not path.startswith("/"):
            raise click.BadParameter(f"{item!r}: expected NAME=/path", param_hint="--section")
        parsed_sections.append((label.strip(), path.strip()))
    root = root or ROOT
    site_path = root / "scrapers" / "sites" / f"{slug}.toml"
    fixtures = root / "tests" / "fixtures" / slug
    rows_path = root / ROWS_FILE
    rows = _read_rows(rows_path)
    existing = [str(p) for p in (site_path, fixtures) if p.exists()]
    if any(r.get("slug") == slug for r in rows):
        existing.append(f"{rows_path} (row {slug})")
    if existing:
        raise click.ClickException(
            f"site {slug!r} already exists: {', '.join(existing)}; nothing was written")
    origin = f"{parts.scheme}://{parts.netloc}"
    site_path.parent.mkdir(parents=True, exist_ok=True)
    site_path.write_text(render_site_file(slug, family, origin, name, province, merged_into,
                                          parsed_sections), encoding="utf-8")
    fixtures.mkdir(parents=True)
    index = ["# Saved pages: `luutru check-site SLUG --fixtures` reads each as the kind given.\n"]
    used: set[str] = set()
    for n, page in enumerate(pages, 1):
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", page.name).strip("-") or f"page-{n}.html"
        while stem in used or stem == "index.toml":
            stem = f"{n}-{stem}"
        used.add(stem)
        (fixtures / stem).write_bytes(page.read_bytes())
        index.append(f'\n[[pages]]\nfile = "{stem}"\nurl = "{origin}/"  # the page\'s live URL\n'
                     'kind = "article"  # article | listing\n')
    (fixtures / "index.toml").write_text("".join(index), encoding="utf-8")
    rows_path.parent.mkdir(parents=True, exist_ok=True)
    with rows_path.open("a", encoding="utf-8") as fh:
        if not rows_path.stat().st_size:
            fh.write("# One row per site file: what tests/test_toolkit.py checks for it.\n")
        fh.write(ROW_TEMPLATE.format(slug=slug, replica=""))
    click.echo(f"wrote {site_path.relative_to(root)}")
    click.echo(f"wrote {fixtures.relative_to(root)}/ ({len(pages)} page(s) + index.toml)")
    click.echo(f"added a row for {slug} to {rows_path.relative_to(root)}")
    click.echo(f"next: fill in the sections, add a replica, then: luutru check-site {slug} "
               "--base-url URL")


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("site", []))


