"""Stock-layout variants of the Drupal 8+ and Joomla K2 replicas, for the family spiders' tests.

Each variant is a small school site (Lạng Sơn's facts for Drupal 8, Lâm Đồng's for K2) served
at the section paths of that school's site file, so `luutru crawl lang_son|lam_dong --base-url`
reads it; only the markup differs between variants, along the options the stock templates
offer (theme, Views style, date rendering, where the author is printed):

    from replicas.drupal8_k2_variants import D8_VARIANTS, K2_VARIANTS, build_variant
    site = build_variant("d8_classy_list")   # site.articles is the ground truth
"""

from __future__ import annotations

from typing import Any

from replicas.drupal8 import Drupal8Site, Node
from replicas.joomla_k2 import K2Item, K2Site, k2_alias

# name -> (site options, node date styles cycled by node, byline place)
D8_VARIANTS: dict[str, dict[str, Any]] = {
    # Bartik on Drupal 8: Views unformatted rows, `Submitted by admin on 13 November 2019`,
    # the author as a `Tác giả` field (label inline), shown in the rows too.
    "d8_bartik_unformatted": dict(theme="bartik", listing_style="unformatted", submitted="en",
                                  dates=("en", "vi"), byline="field", listing_author=True),
    # Bartik on Drupal < 8.5, a Views table; `Gửi bởi admin vào Thứ Tư, 13/11/2019 - 17:23`
    # with the date as bare text in the line; byline in the body.
    "d8_bartik_table": dict(theme="bartik", listing_style="table", submitted="vi",
                            dates=("vi", "en"), byline="body", created_span=False),
    # Classy, an HTML list, Drupal 10.1+ `<time datetime="...+07:00">`, the mini pager, the
    # author field labelled above under another machine name.
    "d8_classy_list": dict(theme="classy", listing_style="list", submitted="vi",
                           dates=("time_local",), byline="field", mini_pager=True,
                           author_field=("field_author", "Tác giả", "above")),
    # Classy/stable grid: one `.views-row` holds three articles in `.views-col` cells.
    "d8_classy_grid": dict(theme="classy", listing_style="grid", submitted="en",
                           dates=("en", "time_local", "vi"), byline="field",
                           author_field=("field_but_danh", "Tác giả:", "inline")),
    # Olivero's grid (`.views-view-grid__item`), `Bởi admin, <time>`.
    "d8_olivero_grid": dict(theme="olivero", listing_style="grid", submitted="vi",
                            dates=("time_local",), byline="field"),
    # Olivero teaser nodes (a taxonomy term page); no submitted line, the created date as a
    # labelled field; byline in the body.
    "d8_olivero_teaser": dict(theme="olivero", listing_style="teaser", date_place="field",
                              dates=("vi", "en"), byline="body"),
    # Bartik teaser nodes with `Gửi bởi`, plain dates.
    "d8_bartik_teaser": dict(theme="bartik", listing_style="teaser", submitted="vi",
                             dates=("vi", "en"), byline="field"),
}

K2_VARIANTS: dict[str, dict[str, Any]] = {
    # A category with every item group (2 leading, 4 primary, 2 secondary, 2 links per page),
    # every item.php option on, the author in a `Tác giả` extra field.
    "k2_category_groups": dict(layout="category", groups=(2, 4, 2, 2), full_item=True,
                               byline="extra", split=(True, False)),
    # tag.php listings, the byline closing the body, English dates (en-GB language pack).
    "k2_tag": dict(layout="tag", byline="end", date_lang="en", split=(False,)),
    # latest.php: one block per category, every item, no pagination; author extra field.
    "k2_latest": dict(layout="latest", byline="extra", full_item=True, split=(True,)),
    # user.php (items of one account) with pagination; byline at the top of the body.
    "k2_user": dict(layout="user", byline="top", split=(True, False)),
}


def build_variant(name: str, n_articles: int = 20, seed: int = 7) -> Drupal8Site | K2Site:
    """The variant `name` of D8_VARIANTS or K2_VARIANTS with `n_articles` articles."""
    if name in D8_VARIANTS:
        return _drupal8(name, dict(D8_VARIANTS[name]), n_articles, seed)
    if name in K2_VARIANTS:
        return _k2(name, dict(K2_VARIANTS[name]), n_articles, seed)
    raise KeyError(f"no variant {name!r}; variants: {', '.join([*D8_VARIANTS, *K2_VARIANTS])}")


def _drupal8(name: str, opts: dict[str, Any], n: int, seed: int) -> Drupal8Site:
    from replicas.schools import generate
    from replicas.sites import LANG_SON, assign_ids, listings_of, manifest

    dates, byline = opts.pop("dates"), opts.pop("byline")
    drafts = generate(LANG_SON, n, seed + len(name), [])
    by_id = dict(zip(assign_ids(drafts, 1040, 17, set()), drafts, strict=True))
    nodes = {i: Node(i, d, dates[k % len(dates)], byline=byline)
             for k, (i, d) in enumerate(by_id.items())}
    listings = listings_of(LANG_SON.sections, by_id)
    related = {i: [j for j in listings[d.section] if j != i][:4] for i, d in by_id.items()}
    articles = [manifest(d, f"/node/{i}", "day" if nodes[i].date_style == "en" else "minute")
                for i, d in by_id.items()]
    return Drupal8Site(
        slug="lang_son", name="Trường Chính trị Hoàng Văn Thụ tỉnh Lạng Sơn",
        skip_link="Skip to main content", sections=_paths("lang_son", LANG_SON.sections),
        nodes=nodes, listings=listings, articles=articles, related=related,
        version="8" if opts.get("theme") != "olivero" else "10", page_size=6, **opts)


def _k2(name: str, opts: dict[str, Any], n: int, seed: int) -> K2Site:
    from replicas.schools import generate
    from replicas.sites import LAM_DONG, assign_ids, listings_of, manifest

    byline, split = opts.pop("byline"), opts.pop("split")
    drafts = generate(LAM_DONG, n, seed + len(name), [])
    by_id = dict(zip(assign_ids(drafts, 2790, 23, set()), drafts, strict=True))
    items = {i: K2Item(i, d, k2_alias(d.title), byline=byline, split=split[k % len(split)])
             for k, (i, d) in enumerate(by_id.items())}
    articles = [manifest(d, items[i].path) for i, d in by_id.items()]
    return K2Site(
        slug="lam_dong", name="Trường Chính trị tỉnh Lâm Đồng",
        sections=_paths("lam_dong", LAM_DONG.sections), items=items,
        listings=listings_of(LAM_DONG.sections, by_id), articles=articles, page_size=5,
        account="Quản trị viên", **opts)


def _paths(slug: str, names: list[str]) -> dict[str, str]:
    """Section name -> path as the site file declares them (the sections a crawl starts from);
    a section the file does not declare is served at its ASCII slug (for discovery to find)."""
    from replicas.schools import ascii_slug
    from scrapers.sites import all_sites

    declared = {s.name: s.path for s in all_sites()[slug].sections}
    return {n: declared.get(n) or "/" + ascii_slug(n) for n in names}
