"""NukeViet 3/4 replicas: one school's news module served in any stock `default` theme layout.

The markup comes from the stock templates (read in the nukeviet/nukeviet repository):
`themes/default/modules/news/viewcat_*.tpl`, `topic.tpl`, `detail.tpl`, `print.tpl` and the
theme layout, for NukeViet 4 and for the NukeViet 3 `default` theme (the 2012 tree of the same
repository). `replicas.nukeviet_listings` renders the listings, `replicas.nukeviet_pages` the
theme layout, the article page and the print view.

`NukeVietSite.layout` picks the category layout (`LAYOUTS`): `page` (viewcat_page_new, the
default), `list`, `grid`, `top`, `two_column`, `main_left`, `main_right`, `main_bottom`;
`layouts` sets one per category, as NukeViet's admin does (`serve_as(..., per_section=)`).
`version` picks the templates' era: "3.x" (NukeViet 3), "4.0" (2015 detail.tpl: `em.time`,
`#hometext > h2`, a 12-hour listing clock), "4.1"-"4.3" (today's detail.tpl without the
schema.org markup), "4.4" and later (HEAD). Layouts that show subcategories
(`SUBCAT_LAYOUTS`) file most of a category's articles under two subcategories, which moves their
URLs: `articles` (the ground truth) follows. `clock` is the header clock's nv_date() pattern.

URLs: `{module_base}/{cat}/{slug}-{id}.html`, where module_base is `/vi/news`, `/vi/<module>`
or empty (the rewrite without language and module, as on Hà Tĩnh); print/savefile views are
`{module_base}/print|savefile/{cat}/{slug}-{id}.html`; tag pages `{lang}/news/tag/<alias>`;
listings page on with `/page-N`; RSS 2.0 at `<lang>/news/rss/`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from replicas import nukeviet_listings as listings_tpl
from replicas import nukeviet_pages as pages_tpl
from replicas import nukeviet_print as print_tpl
from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_LOWER,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    ascii_slug,
    esc,
    spaces_to_nbsp,
    split_target,
)

LAYOUTS = ("page", "list", "grid", "top", "two_column", "main_left", "main_right", "main_bottom")
SUBCAT_LAYOUTS = ("two_column", "main_left", "main_right", "main_bottom")
# Subcategory titles a school's admin gives (one pair per category, by position).
SUBCAT_NAMES = (("Hoạt động đào tạo", "Hoạt động đoàn thể"),
                ("Nghiên cứu thực tế", "Trao đổi kinh nghiệm"),
                ("Văn kiện - Tư liệu", "Gương sáng nhà trường"))
# `<T>` in PHP's date(): the zone abbreviation, `+07` for Asia/Ho_Chi_Minh.
_PHP = {"d": "%d", "m": "%m", "Y": "%Y", "H": "%H", "i": "%M", "s": "%S", "h": "%I", "A": "%p"}


def nv_date(pattern: str, when: dt.datetime) -> str:
    """NukeViet's nv_date(): PHP date() letters with Vietnamese weekday names (`l`)."""
    out: list[str] = []
    for ch in pattern:
        if ch == "l":
            out.append(WEEKDAYS_LOWER[when.weekday()])
        elif ch == "T":
            out.append("+07")
        elif ch in _PHP:
            out.append(when.strftime(_PHP[ch]))
        else:
            out.append(ch)
    return "".join(out)


def publtime(when: dt.datetime, title_case: bool = False) -> str:
    """detail.tpl's `l - d/m/Y H:i`: `Thứ năm - 19/11/2020 22:44`."""
    return nv_date("l - d/m/Y H:i", when)


@dataclass
class Item:
    id: int
    draft: Draft
    module_base: str  # "/vi/news", "/vi/gioi-thieu", "" (rewrite)
    cat: str  # category alias as it appears in URLs (may be Mixed-Case)
    slug: str
    byline: str = "end"  # "top" (right-aligned, space runs), "end", "tin_anh", "field", "none"
    hometext: bool = True  # first paragraph printed as the sapo (hometext)
    byline_pad: int = 0
    related_variant: str = ""  # link this item from related lists as "savefile" or "print"
    subcat: str = ""  # the subcategory alias it is filed under, in subcategory layouts
    source: str = ""  # NukeViet's `Nguồn tin` field (a repost's origin, never the author)

    @property
    def home(self) -> str:
        return self.subcat or self.cat

    @property
    def path(self) -> str:
        return f"{self.module_base}/{self.home}/{self.slug}-{self.id}.html"

    def variant(self, op: str) -> str:
        return f"{self.module_base}/{op}/{self.home}/{self.slug}-{self.id}.html"

    @property
    def edited(self) -> dt.datetime:
        """edittime: detail.tpl's hidden schema `datePublished` prints it (a stock bug)."""
        return self.draft.when + dt.timedelta(days=self.id % 5, hours=self.id % 7)


@dataclass
class Subcat:
    title: str
    alias: str
    path: str  # listing base path
    parent: str  # the section it belongs to


@dataclass
class NukeVietSite(ReplicaSite):
    slug: str
    name: str
    lang_base: str  # "/vi" or ""
    sections: dict[str, str]  # name -> listing base path (no trailing slash)
    items: dict[int, Item]
    listings: dict[str, list[int]]  # newest first
    articles: list[ReplicaArticle]
    version: str = "4.4"
    page_size: int = 8
    feeds: bool = False
    caps_site_name: bool = False
    layout: str = "page"
    # Per-category layouts (NukeViet sets viewcat per category): section -> layout.
    layouts: dict[str, str] = field(default_factory=dict)
    # The header clock: nv_date(date_pattern . ', ' . time_pattern) on NukeViet 4 (stock
    # `l, d/m/Y` + `H:i`); sites that set date_pattern to `l - d/m/Y` print it exactly like
    # an article date. NukeViet 3 prints `H:i T l, d/m/Y` in #digclock.
    clock: str = "l, d/m/Y, H:i"
    st_links: int = 4  # "Các tin khác" / related list length on listings
    numlinks: int = 3  # articles per subcategory panel
    subcats: dict[str, Subcat] = field(default_factory=dict)  # alias (lower) -> Subcat
    own: dict[str, list[int]] = field(default_factory=dict)  # section -> ids filed in it
    filed: dict[str, list[int]] = field(default_factory=dict)  # subcat alias (lower) -> ids
    _paths: dict[str, tuple[int, str]] = field(default_factory=dict)
    _truth: dict[int, ReplicaArticle] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_path = {a.path: a for a in self.articles}
        self._truth = {i: by_path[it.path] for i, it in self.items.items() if it.path in by_path}
        self.serve_as(self.layout, version=self.version)

    @property
    def v3(self) -> bool:
        return self.version.startswith("3")

    # -- variants --------------------------------------------------------------------------

    def serve_as(self, layout: str, *, version: str | None = None, clock: str | None = None,
                 per_section: dict[str, str] | None = None) -> NukeVietSite:
        """Serve this school in another stock layout (and NukeViet generation), optionally one
        layout per category (`per_section`: section name -> layout); returns self."""
        for name in (layout, *(per_section or {}).values()):
            if name not in LAYOUTS:
                raise ValueError(f"unknown NukeViet layout {name!r}; one of {', '.join(LAYOUTS)}")
        self.layout = layout
        self.layouts = dict(per_section or {})
        self.version = version or self.version
        self.clock = clock or self.clock
        for item in self.items.values():
            item.subcat = ""
        self.subcats, self.filed = {}, {}
        self.own = {s: list(ids) for s, ids in self.listings.items()}
        self._file_under_subcats()
        self._paths = {}
        for item in self.items.values():
            self._paths[item.path.lower()] = (item.id, "detail")
            for op in ("print", "savefile"):
                self._paths[item.variant(op).lower()] = (item.id, op)
            truth = self._truth.get(item.id)
            if truth is not None:
                truth.path = item.path
                truth.duplicates = [item.variant("savefile"), item.variant("print")]
        return self

    def _file_under_subcats(self) -> None:
        """Each category keeps its newest articles; the others go to two subcategories
        (alternately), whose listings are only linked from the category page's panels."""
        for n, (section, base) in enumerate(self.sections.items()):
            if self.is_topic(base) or self.layout_of(section) not in SUBCAT_LAYOUTS:
                continue
            ids = self.listings[section]
            keep = 2 if self.layout_of(section) == "two_column" else 3
            names = SUBCAT_NAMES[n % len(SUBCAT_NAMES)]
            homes = [self.items[i].module_base for i in ids
                     if self.items[i].draft.section == section]
            module_base = homes[0] if homes else base.rsplit("/", 1)[0]
            subs = []
            for title in names:
                alias = ascii_slug(title)
                if base.startswith("/vi/") and n % 2:
                    alias = "-".join(w.capitalize() for w in alias.split("-"))  # Thái Nguyên
                sub = Subcat(title, alias, f"{module_base}/{alias}", section)
                self.subcats[alias.lower()] = sub
                self.filed[alias.lower()] = []
                subs.append(sub)
            self.own[section] = ids[:keep]
            for k, i in enumerate(ids[keep:]):
                item = self.items[i]
                if item.draft.section != section:
                    self.own[section].append(i)  # a cross-post stays where it is filed
                    continue
                sub = subs[k % 2]
                item.subcat = sub.alias
                self.filed[sub.alias.lower()].append(i)
            for sub in subs:  # an empty subcategory shows no panel: drop it
                if not self.filed[sub.alias.lower()]:
                    del self.subcats[sub.alias.lower()], self.filed[sub.alias.lower()]

    def section_articles(self, section: str) -> list[ReplicaArticle]:
        """Ground truth of the articles a section lists (its subcategories' included)."""
        return [self._truth[i] for i in self.listings[section] if i in self._truth]

    # -- routing ---------------------------------------------------------------------------

    def layout_of(self, section: str) -> str:
        return self.layouts.get(section, self.layout)

    @staticmethod
    def is_topic(path: str) -> bool:
        return any(f"/{op}/" in path + "/" for op in ("tag", "topic", "groups"))

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, _ = split_target(target)
        path = "/" + path.strip("/")
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Powered-By": "PHP/7.4.33", "Cache-Control": "no-cache"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n", {}
        if self.feeds and path == f"{self.lang_base}/news/rss":
            return 200, "application/rss+xml; charset=utf-8", self.rss().encode(), headers
        if path in ("/", self.lang_base or "/"):
            return 200, HTML, self.render_listing("Trang chủ", None, 1, now).encode(), headers
        found = self._paths.get(path.lower())
        if found is not None:
            item = self.items[found[0]]
            if found[1] == "detail":
                return 200, HTML, pages_tpl.detail_page(self, item, now).encode(), headers
            return 200, HTML, print_tpl.print_page(self, item, found[1]).encode(), headers
        base, page = path, 1
        tail = path.rsplit("/", 1)[-1]
        if tail.startswith("page-") and tail[5:].isdigit():
            base, page = path.rsplit("/", 1)[0], int(tail[5:])
        if page > 1 and base in ("", self.lang_base):  # the home page's own pager
            return 200, HTML, self.render_listing("Trang chủ", None, page, now).encode(), headers
        for name, section_path in self.sections.items():
            if base.lower() == section_path.lower():
                return 200, HTML, self.render_listing(name, name, page, now).encode(), headers
        sub = next((s for s in self.subcats.values() if s.path.lower() == base.lower()), None)
        if sub is not None:
            return 200, HTML, self.render_subcat(sub, page, now).encode(), headers
        if base.lower() == f"{self.lang_base}/news/tag/truong-chinh-tri":
            ids = self.newest()
            html = self.render_topic("Trường chính trị", base, ids, page, now)
            return 200, HTML, html.encode(), headers
        content = '<div class="alert alert-danger">Không tìm thấy nội dung bạn yêu cầu!</div>'
        return 404, HTML, pages_tpl.layout(self, "404", content, now, []).encode(), headers

    # -- pieces ----------------------------------------------------------------------------

    def newest(self) -> list[int]:
        return sorted(self.items, key=lambda i: (self.items[i].draft.when, i), reverse=True)

    def title_html(self, item: Item) -> str:
        # NukeViet stores titles through nv_htmlspecialchars; a double escape shows `&#40;`.
        return esc(item.draft.title_raw or item.draft.title)

    def body_parts(self, item: Item) -> tuple[str, str, str]:
        """(hometext, bodyhtml, author field) as detail.tpl receives them."""
        d = item.draft
        paras = list(d.paragraphs)
        hometext = ""
        start = 0
        if item.hometext and paras:
            hometext = esc(paras[0])
            start = 1
        out: list[str] = []
        right = '<p style="text-align: right;">'
        if item.byline == "top" and d.author:
            pad = "&nbsp;" * item.byline_pad
            out.append(f"{right}{pad}<strong>{esc(d.author)}</strong></p>")
            if d.role:
                out.append(f"{right}{pad}<em>{esc(d.role)}</em></p>")
        for i in range(start, len(paras)):
            text = paras[i]
            if i == d.caption_at:
                out.append(f'<p style="text-align: center;"><img alt="{esc(d.title[:40])}" '
                           f'src="/uploads/news/{d.when:%Y_%m}/anh-{item.id}.jpg" width="600" '
                           f'/></p>')
                out.append(f'<p style="text-align: center;"><em>{esc(text)}</em></p>')
                continue
            out.append(f'<p style="text-align: justify;">{spaces_to_nbsp(esc(text))}</p>')
        out.append(self.shared_photo("/uploads/news", item.id))
        if item.byline == "end" and d.author:
            out.append(f"{right}<strong>{esc(d.author)}</strong></p>")
            if d.role:
                out.append(f"{right}<em>{esc(d.role)}</em></p>")
        if item.byline == "tin_anh" and d.author:
            out.append(f"{right}<strong>Tin và ảnh: {esc(d.author)}</strong></p>")
            if d.role:
                out.append(f"{right}<em>{esc(d.role)}</em></p>")
        author = esc(d.author) if item.byline == "field" and d.author else ""
        return hometext, "\n".join(out), author

    def related_link(self, item: Item) -> str:
        href = item.variant(item.related_variant) if item.related_variant else item.path
        return self.related_href(href, item.id)

    def section_of(self, item: Item) -> str:
        return item.draft.section

    def category_ids(self, item: Item) -> list[int]:
        """The articles of the item's own (sub)category, newest first: detail's related lists."""
        if item.subcat:
            return self.filed[item.subcat.lower()]
        return self.own.get(item.draft.section, self.listings[item.draft.section])

    # -- listings --------------------------------------------------------------------------

    def render_listing(self, name: str, section: str | None, page: int, now: dt.datetime) -> str:
        if section is None:  # the module's main page: every article, viewcat_page
            return listings_tpl.category_page(self, name, self.lang_base or "", self.newest(),
                                              page, now, layout="page", subcats=[])
        base = self.sections[section]
        if self.is_topic(base):
            return self.render_topic(name, base, self.listings[section], page, now)
        subs = [s for s in self.subcats.values() if s.parent == section]
        return listings_tpl.category_page(self, name, base, self.own[section], page, now,
                                          layout=self.layout_of(section), subcats=subs)

    def render_subcat(self, sub: Subcat, page: int, now: dt.datetime) -> str:
        return listings_tpl.category_page(self, sub.title, sub.path, self.filed[sub.alias.lower()],
                                          page, now, layout="page", subcats=[],
                                          crumbs=[(sub.parent, self.sections[sub.parent])])

    def render_topic(self, name: str, base: str, ids: list[int], page: int,
                     now: dt.datetime) -> str:
        return listings_tpl.topic_page(self, name, base, ids, page, now)

    def rss(self) -> str:
        ids = self.newest()[:30]
        entries = "".join(
            f"<item><title>{self.title_html(self.items[i])}</title>"
            f"<link>{self.items[i].path}</link><guid isPermaLink=\"false\">{i}</guid>"
            f"<pubDate>{self.items[i].draft.when:%a, %d %b %Y %H:%M:%S +0700}</pubDate>"
            f"</item>" for i in ids)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                f"<title>Tin Tức - {esc(self.name)}</title><link>{self.lang_base}/news/</link>"
                f"<description>Tin Tức</description><language>vi</language>{entries}"
                f"</channel></rss>\n")
