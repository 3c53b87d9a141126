# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""Drupal 8+ markup for the replicas, after core's stock twig templates, `/node/N` URLs.

Templates modelled (drupal/core git history for Classy and Bartik, HEAD for Olivero/stable9):
- node.html.twig, full and teaser: Bartik `<header><div class="node__meta"><span>Submitted by
  X on DATE</span>`, Classy `<footer class="node__meta"><div class="node__submitted">`, Olivero
  `By <span class="node__author">X</span>, DATE` and its `teaser` component. DATE is the
  `created` base field through field--node--created.html.twig (an inline span); its text is
  plain `#markup` before Drupal 10.1 and time.html.twig (`<time datetime>`, RFC 3339) after.
- field.html.twig with labels (`field__label` "Tác giả", inline or above), page-title block.
- Views: views-view-unformatted (`.views-row`), -list (`.item-list ul li`, no row class),
  -table (`table.views-table`, the labels in `<th>`), -grid (stable9/Classy `.views-row >
  .views-col`, one row holding several articles; Olivero `.views-view-grid__item`), rows of
  fields (views-view-fields: `.views-field-X .field-content`, optional `.views-label`) or of
  teaser nodes; pager.html.twig (full, `?page=N` 0-based, hrefs as bare query strings) and
  views-mini-pager.html.twig.
A sidebar "Tin mới" Views block lists the newest nodes on every page, outside the content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_TITLE,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    esc,
    int_param,
    spaces_to_nbsp,
    split_target,
)

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
LISTING_STYLES = ("unformatted", "list", "table", "grid", "teaser")
THEMES = ("bartik", "classy", "olivero")


def date_vi(when: dt.datetime) -> str:
    """The site's custom medium format `l, d/m/Y - H:i`: `Thứ Tư, 13/11/2019 - 17:23`."""
    return f"{WEEKDAYS_TITLE[when.weekday()]}, {when:%d/%m/%Y - %H:%M}"


def date_en(when: dt.datetime) -> str:
    """`j F Y` left untranslated: `13 November 2019`."""
    return f"{when.day} {MONTHS_EN[when.month - 1]} {when.year}"


def rfc3339(when: dt.datetime, utc: bool = False) -> str:
    """time.html.twig's `datetime`: TimestampFormatter writes RFC 3339 in the site's zone;
    the datetime module's fields write UTC with `Z`."""
    if utc:
        return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.isoformat(timespec="seconds")


@dataclass
class Node:
    nid: int
    draft: Draft
    # "time" (<time datetime> in UTC, `Z`), "time_local" (RFC 3339 with +07:00, Drupal 10.1+
    # TimestampFormatter), "vi", "en" (plain field text, Drupal 8 to 10.0)
    date_style: str
    indent: int = 0  # spaces before each paragraph (Lạng Sơn)
    stray_alt: str = ""  # an image whose alt text leaks into text extractions ("vb")
    byline: str = "body"  # "body": closing paragraphs; "field": `Tác giả` / `Chức vụ` fields


@dataclass
class Drupal8Site(ReplicaSite):
    slug: str
    name: str
    theme: str  # "olivero" | "bartik" | "classy"
    skip_link: str
    sections: dict[str, str]  # name -> listing path
    nodes: dict[int, Node]
    listings: dict[str, list[int]]  # newest first
    articles: list[ReplicaArticle]
    page_size: int = 10
    version: str = "10"
    related: dict[int, list[int]] = field(default_factory=dict)
    listing_style: str = "unformatted"  # one of LISTING_STYLES
    submitted: str = "vi"  # "vi": `Gửi bởi X vào DATE`, "en": `Submitted by X on DATE`
    date_place: str = "submitted"  # "submitted" (node__meta) | "field" (labelled created field)
    author_field: tuple[str, str, str] = ("field_tac_gia", "Tác giả", "inline")  # name, label, display
    account: str = "admin"  # the CMS account that posted every node: never an author
    mini_pager: bool = False
    listing_author: bool = False  # the Views rows show the `Tác giả` field too
    created_span: bool = True  # False: Drupal < 8.5 printed `date` as bare text in the line

    # -- routing ---------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, query = split_target(target)
        path = "/" + path.strip("/")
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Generator": f"Drupal {self.version} (https://www.drupal.org)",
                   "Cache-Control": "must-revalidate, no-cache, private",
                   "Content-Language": "vi"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n", {}
        if path in ("/", "/node"):
            return 200, HTML, self.render_listing("Trang chủ", None, 0, now).encode(), headers
        for name, section_path in self.sections.items():
            if path == section_path:
                body = self.render_listing(name, name, int_param(query, "page"), now)
                return 200, HTML, body.encode(), headers
        if path.startswith("/node/") and path[6:].isdigit() and int(path[6:]) in self.nodes:
            return 200, HTML, self.render_node(self.nodes[int(path[6:])], now).encode(), headers
        body = self.page(title="Không tìm thấy trang", head="Không tìm thấy trang",
                         content="<p>Không tìm thấy trang được yêu cầu.</p>", now=now)
        return 404, HTML, body.encode(), headers

    # -- pages -----------------------------------------------------------------------------

    def title_block(self, title: str, node: bool) -> str:
        inner = (f'<span class="field field--name-title field--type-string field--label-hidden">'
                 f"{title}</span>") if node else title
        h1 = "page-title" if self.theme == "classy" else "title page-title"
        wrap = ('<div class="content">', "</div>") if self.theme == "bartik" else ("", "")
        return (f'<div id="block-{self.theme}-page-title" class="block block-core '
                f'block-page-title-block">{wrap[0]}<h1 class="{h1}">{inner}</h1>{wrap[1]}</div>')

    def sidebar(self) -> str:
        """A "Tin mới" Views block (an HTML list of titles): node links outside the content."""
        newest = sorted(self.nodes, key=lambda n: self.nodes[n].draft.when, reverse=True)[:5]
        items = "".join(
            f'<li><div class="views-field views-field-title"><span class="field-content"><a '
            f'href="/node/{n}" hreflang="vi">{esc(self.nodes[n].draft.title)}</a></span></div>'
            f"</li>" for n in newest)
        return (f'<div class="views-element-container block block-views block-views-blocktin-moi-'
                f'block-1" id="block-views-block-tin-moi-block-1"><h2>Tin mới</h2><div class='
                f'"content"><div class="view view-tin-moi view-id-tin_moi view-display-id-block_1">'
                f'<div class="view-content"><div class="item-list"><ul>{items}</ul></div></div>'
                f"</div></div></div>")

    def page(self, *, title: str, head: str, content: str, now: dt.datetime,
             links: str = "", node: bool = False) -> str:
        clock = f"{WEEKDAYS_TITLE[now.weekday()]}, {now:%d/%m/%Y - %H:%M}"
        menu = "".join(f'<li class="menu__item"><a href="{p}" class="menu__link">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        popup = ('<div class="popup-notice"><button type="button" class="close">x</button>'
                 "</div>") if self.theme == "bartik" else ""
        main = (f'<div id="block-{self.theme}-content" class="block block-system '
                f'block-system-main-block">{content}</div>')
        return f"""<!DOCTYPE html>
<html lang="vi" dir="ltr" prefix="og: https://ogp.me/ns#">
  <head>
    <meta charset="utf-8" />
    <meta name="Generator" content="Drupal {self.version} (https://www.drupal.org)" />
    <meta name="MobileOptimized" content="width" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    {links}
    <link rel="icon" href="/themes/{self.theme}/favicon.ico" type="image/vnd.microsoft.icon" />
    <title>{esc(head)} | {esc(self.name)}</title>
    <link rel="stylesheet" media="all" href="/sites/default/files/css/css_{self.theme}.css" />
  </head>
  <body class="path-node page-node-type-article">
    <a href="#main-content" class="visually-hidden focusable skip-link">{self.skip_link}</a>
    <div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
    <div id="page-wrapper" class="page-wrapper"><div id="page">
      <header id="header" class="site-header" role="banner">
        {popup}
        <div class="site-branding"><a href="/" rel="home" class="site-branding__name">{esc(self.name)}</a></div>
        <div class="header-clock">{clock}</div>
        <nav class="primary-nav"><ul class="menu">{menu}</ul></nav>
      </header>
      <div id="main-wrapper" class="layout-main-wrapper layout-container">
        <main id="main" class="layout-main" role="main"><div class="main-content">
          <a id="main-content" tabindex="-1"></a>
          <div class="region region--content-above">{self.title_block(title, node)}</div>
          <div class="region region--content" id="content">
            <div data-drupal-messages-fallback class="hidden messages-list"></div>
            {main}
          </div>
        </div></main>
        <aside class="layout-sidebar-first" role="complementary"><div class="region region-sidebar-first">{self.sidebar()}</div></aside>
      </div>
      <footer class="site-footer"><div class="region region--footer">
        <p>Bản quyền thuộc về {esc(self.name)}</p>
        <p>Hôm nay: {now.day * 13} / Tất cả: {120345 + now.day}</p>
      </div></footer>
    </div></div>
    </div>
  </body>
</html>
"""

    # -- nodes -----------------------------------------------------------------------------

    def body_html(self, node: Node) -> str:
        d = node.draft
        parts: list[str] = []
        pad = "&nbsp;" * node.indent
        for i, text in enumerate(d.paragraphs):
            if i == d.caption_at:
                stamp = d.when.strftime("%Y-%m")
                parts.append(f'<p style="text-align:center"><img alt="" src="/sites/default/'
                             f'files/{stamp}/anh{node.nid}.jpg" width="600" /></p>')
                parts.append(f'<p style="text-align:center"><em>{esc(text)}</em></p>')
                continue
            parts.append(f'<p style="text-align: justify;">{pad}{spaces_to_nbsp(esc(text))}</p>')
            if i == 0 and node.stray_alt:
                parts.append(f'<p><img alt="{node.stray_alt}" src="/sites/default/files/'
                             f'{node.stray_alt}.jpg" /></p>')
        parts.append(self.shared_photo("/sites/default/files", node.nid))
        if d.author and node.byline == "body":
            parts.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                parts.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        return "\n".join(parts)

    def date_text(self, node: Node) -> str:
        when = node.draft.when
        if node.date_style in ("time", "time_local"):
            stamp = rfc3339(when, utc=node.date_style == "time")
            return (f'<time datetime="{stamp}" title="{date_vi(when)}" class="datetime">'
                    f"{date_vi(when)}</time>")
        return date_en(when) if node.date_style == "en" else date_vi(when)

    def created_html(self, node: Node) -> str:
        """field--node--created.html.twig, inline (the `date` of node.html.twig)."""
        return (f'<span class="field field--name-created field--type-created '
                f'field--label-hidden">{self.date_text(node)}</span>')

    def submitted_html(self, node: Node) -> str:
        date = self.created_html(node) if self.created_span else self.date_text(node)
        uid = (f'<span class="field field--name-uid field--type-entity-reference '
               f'field--label-hidden"><span lang="" about="/user/1" typeof="schema:Person" '
               f'property="schema:name" datatype="">{esc(self.account)}</span></span>')
        if self.theme == "olivero":
            by = "Bởi" if self.submitted == "vi" else "By"
            return (f'<div class="node__meta"><span>{by} <span class="node__author">{uid}</span>'
                    f", {date}</span></div>")
        words = ("Gửi bởi", "vào") if self.submitted == "vi" else ("Submitted by", "on")
        line = f"{words[0]} {uid} {words[1]} {date}"
        if self.theme == "classy":
            return f'<footer class="node__meta"><div class="node__submitted">{line}</div></footer>'
        return f'<div class="node__meta"><span>{line}</span></div>'

    def labelled(self, name: str, ftype: str, label: str, display: str, value: str) -> str:
        """field.html.twig with its label shown (`inline` or `above`)."""
        clearfix = " clearfix" if display == "inline" else ""
        return (f'<div class="field field--name-{name.replace("_", "-")} field--type-{ftype} '
                f'field--label-{display}{clearfix}"><div class="field__label">{label}</div>'
                f'<div class="field__item">{value}</div></div>')

    def fields_html(self, node: Node) -> str:
        d = node.draft
        out = []
        if self.date_place == "field":
            out.append(self.labelled("created", "created", "Ngày đăng", "inline",
                                     self.date_text(node)))
        if node.byline == "field" and d.author:
            name, label, display = self.author_field
            out.append(self.labelled(name, "string", label, display, esc(d.author)))
            if d.role:
                out.append(self.labelled("field_chuc_vu", "string", "Chức vụ", display,
                                         esc(d.role)))
        return "\n    ".join(out)

    def tags_html(self, d: Draft) -> str:
        tags = "".join(f'<div class="field__item"><a href="{self.sections[s]}" hreflang="vi">'
                       f"{esc(s)}</a></div>" for s in d.sections)
        return (f'<div class="field field--name-field-tags field--type-entity-reference '
                f'field--label-above"><div class="field__label">Chuyên mục</div>'
                f'<div class="field__items">{tags}</div></div>')

    def render_node(self, node: Node, now: dt.datetime) -> str:
        d = node.draft
        title = esc(d.title_raw or d.title)
        meta = self.submitted_html(node) if self.date_place == "submitted" else ""
        header = f"<header>{meta}</header>" if self.theme != "classy" else ""
        footer = meta if self.theme == "classy" else ""
        related = "".join(
            f'<div class="views-row"><a href="{self.related_href(f"/node/{n}", node.nid + j, slash=True)}" '
            f'hreflang="vi">{esc(self.nodes[n].draft.title)}</a></div>'
            for j, n in enumerate(self.related.get(node.nid, []))
        )
        content = f"""<article data-history-node-id="{node.nid}" role="article" about="/node/{node.nid}" class="node node--type-article node--promoted node--view-mode-full">
  {header}{footer}
  <div class="node__content clearfix">
    {self.fields_html(node)}
    <div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">{self.body_html(node)}</div>
    {self.tags_html(d)}
  </div>
</article>
<div class="views-element-container block block-views block-views-blocktin-khac-block-1">
  <h2 class="block__title">Tin khác</h2>
  <div class="block__content"><div class="view view-tin-khac"><div class="view-content">{related}</div></div></div>
</div>"""
        links = (f'<link rel="canonical" href="/node/{node.nid}" />\n'
                 f'    <link rel="shortlink" href="/node/{node.nid}" />\n'
                 f'    <meta property="og:title" content="{title}" />')
        return self.page(title=title, head=d.title, content=content, now=now, links=links,
                         node=True)

    # -- listings --------------------------------------------------------------------------

    def row_fields(self, node: Node) -> str:
        """views-view-fields.html.twig: title, created (labelled), teaser, author."""
        d = node.draft
        out = [f'<div class="views-field views-field-title"><span class="field-content"><a '
               f'href="/node/{node.nid}" hreflang="vi">{esc(d.title_raw or d.title)}</a></span>'
               f"</div>",
               f'<div class="views-field views-field-created"><span class="views-label '
               f'views-label-created">Ngày đăng: </span><span class="field-content">'
               f"{d.when:%d/%m/%Y}</span></div>",
               f'<div class="views-field views-field-body"><div class="field-content">'
               f"{esc(d.paragraphs[0][:200])}</div></div>"]
        if self.listing_author and d.author:
            out.append(f'<div class="views-field views-field-field-tac-gia"><span class='
                       f'"views-label views-label-field-tac-gia">Tác giả: </span><div class='
                       f'"field-content">{esc(d.author)}</div></div>')
        return "".join(out)

    def teaser(self, node: Node) -> str:
        """node.html.twig in teaser view mode (Olivero: its teaser component)."""
        d = node.draft
        cls = "node node--type-article node--promoted node--view-mode-teaser"
        link = f'<a href="/node/{node.nid}" rel="bookmark"><span class="field field--name-title field--type-string field--label-hidden">{esc(d.title_raw or d.title)}</span></a>'
        summary = (f'<div class="clearfix text-formatted field field--name-body field--type-text-'
                   f'with-summary field--label-hidden field__item"><p>{esc(d.paragraphs[0][:200])}'
                   f"</p></div>")
        more = (f'<ul class="links inline"><li class="node-readmore"><a href="/node/{node.nid}" '
                f'rel="tag" title="{esc(d.title)}" hreflang="vi">Đọc thêm<span '
                f'class="visually-hidden"> về {esc(d.title)}</span></a></li></ul>')
        meta = self.submitted_html(node) if self.date_place == "submitted" else ""
        if self.theme == "olivero":
            return (f'<article role="article" about="/node/{node.nid}" class="{cls} teaser">'
                    f'<header><div class="teaser__meta">{meta}</div><div class="teaser__top">'
                    f'<div class="teaser__image"></div><h2 class="node__title teaser__title">'
                    f'{link}</h2></div></header><div class="teaser__content">{summary}</div>'
                    f"</article>")
        h2 = ' class="node__title"' if self.theme == "bartik" else ""
        head = f"<h2{h2}>{link}</h2>"
        if self.theme == "classy":
            return (f'<article role="article" about="/node/{node.nid}" class="{cls}">{head}'
                    f'{meta}<div class="node__content">{summary}{more}</div></article>')
        return (f'<article role="article" about="/node/{node.nid}" class="{cls} clearfix">'
                f'<header>{head}{meta}</header><div class="node__content clearfix">{summary}'
                f"{more}</div></article>")

    def rows_html(self, nids: list[int]) -> str:
        nodes = [self.nodes[n] for n in nids]
        style = self.listing_style
        if style == "teaser":
            return "".join(f'<div class="views-row">{self.teaser(n)}</div>' for n in nodes)
        if style == "list":
            items = "".join(f"<li>{self.row_fields(n)}</li>" for n in nodes)
            return f'<div class="item-list"><ul>{items}</ul></div>'
        if style == "table":
            rows = "".join(
                f'<tr><td headers="view-title-table-column" class="views-field views-field-title">'
                f'<a href="/node/{n.nid}" hreflang="vi">{esc(n.draft.title_raw or n.draft.title)}'
                f'</a></td><td headers="view-created-table-column" class="views-field '
                f'views-field-created">{n.draft.when:%d/%m/%Y - %H:%M}</td></tr>' for n in nodes)
            return (f'<table class="views-table views-view-table cols-2"><thead><tr><th id="view-'
                    f'title-table-column" class="views-field views-field-title" scope="col">Tiêu '
                    f'đề</th><th id="view-created-table-column" class="views-field views-field-'
                    f'created" scope="col">Ngày đăng</th></tr></thead><tbody>{rows}</tbody></table>')
        if style == "grid" and self.theme == "olivero":
            items = "".join(f'<div class="views-view-grid__item"><div class="views-view-grid__'
                            f'item-inner">{self.row_fields(n)}</div></div>' for n in nodes)
            return (f'<div class="views-view-grid views-view-grid--horizontal" style="--views-'
                    f'grid--column-count: 3">{items}</div>')
        if style == "grid":
            rows = []
            for r in range(0, len(nodes), 3):
                cols = "".join(f'<div class="views-col col-{c + 1}" style="width: 33.333333333333%;'
                               f'">{self.row_fields(n)}</div>'
                               for c, n in enumerate(nodes[r:r + 3]))
                rows.append(f'<div class="views-row clearfix row-{r // 3 + 1}">{cols}</div>')
            return f'<div class="views-view-grid horizontal cols-3 clearfix">{"".join(rows)}</div>'
        return "".join(f'<div class="views-row">{self.row_fields(n)}</div>' for n in nodes)

    def render_listing(self, name: str, section: str | None, page: int,
                       now: dt.datetime) -> str:
        nids = self.listings[section] if section else sorted(
            self.nodes, key=lambda n: self.nodes[n].draft.when, reverse=True)
        pages = max(1, -(-len(nids) // self.page_size))
        chunk = nids[page * self.page_size:(page + 1) * self.page_size]
        view = "taxonomy_term" if self.listing_style == "teaser" else "tin_tuc"
        pager = self.mini(page, pages) if self.mini_pager else self.pager(page, pages)
        inner = (f'<div class="view-content">{self.rows_html(chunk)}</div>{pager}' if chunk
                 else '<div class="view-empty">Chưa có bài viết.</div>')
        content = (f'<div class="views-element-container"><div class="view view-'
                   f'{view.replace("_", "-")} view-id-{view} view-display-id-page_1 js-view-dom-'
                   f'id-{abs(hash(name)) % 10**8}">{inner}</div></div>')
        return self.page(title=esc(name), head=name, content=content, now=now)

    def pager(self, current: int, total: int) -> str:
        """pager.html.twig (Classy/Bartik, or Olivero's with `pager__link`)."""
        if total <= 1:
            return ""
        link = ' class="pager__link"' if self.theme == "olivero" else ""
        items = []
        if current > 0:
            items.append(f'<li class="pager__item pager__item--first"><a href="?page=0" '
                         f'title="Đến trang đầu"{link}><span class="visually-hidden">Trang '
                         f"đầu</span>« Đầu</a></li>")
            items.append(f'<li class="pager__item pager__item--previous"><a href="?page='
                         f'{current - 1}" title="Đến trang trước" rel="prev"{link}>‹ Trước</a></li>')
        for p in range(total):
            if p == current:
                items.append(f'<li class="pager__item is-active pager__item--active"><a href="'
                             f'?page={p}" title="Trang hiện tại"{link}><span class="visually-'
                             f'hidden">Trang hiện tại</span>{p + 1}</a></li>')
            else:
                items.append(f'<li class="pager__item"><a href="?page={p}" title="Đến trang '
                             f'{p + 1}"{link}><span class="visually-hidden">Trang</span>{p + 1}'
                             f"</a></li>")
        if current < total - 1:
            items.append(f'<li class="pager__item pager__item--next"><a href="?page='
                         f'{current + 1}" title="Đến trang sau" rel="next"{link}>Sau ›</a></li>')
            items.append(f'<li class="pager__item pager__item--last"><a href="?page='
                         f'{total - 1}" title="Đến trang cuối"{link}>Cuối »</a></li>')
        return ('<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
                '<h4 id="pagination-heading" class="visually-hidden">Phân trang</h4>'
                f'<ul class="pager__items js-pager__items">{"".join(items)}</ul></nav>')

    @staticmethod
    def mini(current: int, total: int) -> str:
        """views-mini-pager.html.twig: previous, the current page number, next."""
        if total <= 1:
            return ""
        items = []
        if current > 0:
            items.append(f'<li class="pager__item pager__item--previous"><a href="?page='
                         f'{current - 1}" title="Đến trang trước" rel="prev">‹‹</a></li>')
        items.append(f'<li class="pager__item is-active">Trang {current + 1}</li>')
        if current < total - 1:
            items.append(f'<li class="pager__item pager__item--next"><a href="?page='
                         f'{current + 1}" title="Đến trang sau" rel="next">››</a></li>')
        return ('<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
                '<h4 id="pagination-heading" class="visually-hidden">Phân trang</h4>'
                f'<ul class="js-pager__items pager__items">{"".join(items)}</ul></nav>')
