"""Site definitions: one small TOML file per school, loaded into `SiteDef` records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


class UnknownSite(KeyError):
    """Raised for a slug with no site file; the message lists the known slugs."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Section:
    name: str
    path: str


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


def _parse(data: dict[str, Any]) -> SiteDef:
    sections = tuple(Section(name=s["name"], path=s["path"]) for s in data.get("sections", []))
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
    )


@cache
def all_sites() -> dict[str, SiteDef]:
    """Every site file shipped in this package, by slug."""
    sites: dict[str, SiteDef] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            site = _parse(tomllib.loads(entry.read_text(encoding="utf-8")))
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
