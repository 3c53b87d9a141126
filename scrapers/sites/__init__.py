"""Site definitions: one small TOML file per school, loaded into `SiteDef` records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


class UnknownSite(KeyError):
    """Raised for a slug with no site file; the message lists the known slugs."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Section:
    """A listing the site file declares: a hint for the crawl, checked at crawl time.

    `source` says where it was seen (`sites.md §1.7`); a section without one is a guess
    (`guessed = true`). Either way the crawl replaces a section that answers 404 or lists no
    article by what it discovers on the site (scrapers/discovery.py), and says so.
    """

    name: str
    path: str
    source: str = ""

    @property
    def guessed(self) -> bool:
        return not self.source


@dataclass(frozen=True)
class SiteDef:
    """What a spider needs to know about one school's website, and what the archive shows."""

    slug: str
    name: str
    province: str
    base_url: str
    cms: str
    sections: tuple[Section, ...]
    merged_into: str = ""
    aliases: tuple[str, ...] = ()
    status: str = "active"
    dates: dict[str, Any] = field(default_factory=dict)
    selectors: dict[str, Any] = field(default_factory=dict)
    # Where each other fact was seen (`"sites.md §0 #8"`) or `"guessed"`, by key (`base_url`,
    # `cms`, `dates.prefer`, `selectors.feeds`...): the site file's [seen] table.
    seen: dict[str, str] = field(default_factory=dict)
    file: str = ""  # the site file it was read from
    hints: dict[str, Any] = field(default_factory=dict)  # the `generic` family's [hints]

    def guessed_facts(self) -> list[str]:
        """Keys of facts the site file marks as guessed (sections included, as `sections.N`)."""
        facts = [k for k, v in self.seen.items() if is_guess(v)]
        facts += [f"sections.{i}" for i, s in enumerate(self.sections) if s.guessed]
        return facts

    def as_row(self) -> dict[str, Any]:
        """The `sites` table row for this school."""
        return {
            "slug": self.slug,
            "name": self.name,
            "province": self.province,
            "merged_into": self.merged_into,
            "base_url": self.base_url,
            "cms": self.cms,
            "status": self.status,
        }


def is_guess(value: str) -> bool:
    """A provenance value that marks a guess: `guessed`, or `guessed: why`."""
    return value.strip().lower().startswith("guess")


def _section(data: dict[str, Any], where: str) -> Section:
    """A [[sections]] entry: `source = "sites.md §…"` (seen) or `guessed = true`, not both."""
    source = str(data.get("source", "")).strip()
    guessed = data.get("guessed", not source)
    if source and guessed is True:
        raise ValueError(f"{where}: section {data.get('name')!r} is both seen "
                         f"(source = {source!r}) and guessed")
    if not source and guessed is False:
        raise ValueError(f"{where}: section {data.get('name')!r} says guessed = false but "
                         "names no source (source = \"sites.md §…\")")
    return Section(name=data["name"], path=data["path"], source=source)


def _parse(data: dict[str, Any], where: str = "site file") -> SiteDef:
    sections = tuple(_section(s, where) for s in data.get("sections", []))
    seen = data.get("seen", {})
    if not isinstance(seen, dict) or not all(isinstance(v, str) for v in seen.values()):
        raise ValueError(f'{where}: [seen] maps a fact to "sites.md §…" or "guessed"')
    return SiteDef(
        slug=data["slug"],
        name=data["name"],
        province=data["province"],
        base_url=data["base_url"].rstrip("/"),
        cms=data["cms"],
        sections=sections,
        merged_into=data.get("merged_into", ""),
        aliases=tuple(a.rstrip("/") for a in data.get("aliases", [])),
        status=data.get("status", "active"),
        dates=dict(data.get("dates", {})),
        selectors=dict(data.get("selectors", {})),
        seen=dict(seen),
        file=where,
        hints=dict(data.get("hints", {})),
    )


def load_site_file(path: str | Path) -> SiteDef:
    """A site definition read from any TOML file (`luutru crawl --site-file PATH`): a copy of
    a bundled file with other paths or selectors, or a school not bundled yet."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{file}: {exc}") from exc
    try:
        return _parse(data, str(file))
    except KeyError as exc:
        raise ValueError(f"{file}: missing key {exc}") from exc


@cache
def all_sites() -> dict[str, SiteDef]:
    """Every site file shipped in this package, by slug."""
    sites: dict[str, SiteDef] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            site = _parse(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name)
            if site.slug != entry.name.removesuffix(".toml"):
                raise ValueError(f"{entry.name}: slug {site.slug!r} must match the file name")
            sites[site.slug] = site
    return sites


def get_site(slug: str) -> SiteDef:
    """The site for `slug`, or `UnknownSite` naming the slugs that exist."""
    sites = all_sites()
    if slug not in sites:
        known = ", ".join(sorted(sites)) or "none"
        raise UnknownSite(f"unknown site {slug!r}; known sites: {known}")
    return sites[slug]
