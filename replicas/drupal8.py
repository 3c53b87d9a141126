# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""Drupal 8+ markup for the replicas (Olivero on Drupal 10, Bartik on Drupal 8), `/node/N` URLs.

Templates modelled: html.html.twig (skip link), page.html.twig, node.html.twig (full view with
`node__meta`), field.html.twig, time.html.twig (`<time datetime>` in UTC), Views unformatted
rows and pager.html.twig (`?page=N`, 0-based, hrefs as bare query strings).
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


def date_vi(when: dt.datetime) -> str:
    """The site's custom medium format `l, d/m/Y - H:i`: `Thứ Tư, 13/11/2019 - 17:23`."""
    return f"{WEEKDAYS_TITLE[when.weekday()]}, {when:%d/%m/%Y - %H:%M}"


def date_en(when: dt.datetime) -> str:
    """`j F Y` left untranslated: `13 November 2019`."""
    return f"{when.day} {MONTHS_EN[when.month - 1]} {when.year}"


@dataclass
class Node:
    nid: int
    draft: Draft
    date_style: str  # "time" (<time datetime>), "vi", "en" (plain field text)
    indent: int = 0  # spaces before each paragraph (Lạng Sơn)
    stray_alt: str = ""  # an image whose alt text leaks into text extractions ("vb")


@dataclass
class Drupal8Site(ReplicaSite):
    slug: str
    name: str
    theme: str  # "olivero" | "bartik"
    skip_link: str
    sections: dict[str, str]  # name -> listing path
    nodes: dict[int, Node]
    listings: dict[str, list[int]]  # newest first
    articles: list[ReplicaArticle]
    page_size: int = 10
    version: str = "10"
    related: dict[int, list[int]] = field(default_factory=dict)

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
            return 200, HTML, self.render_listing("Trang chủ", "/", None, 0, now).encode(), headers
        for name, section_path in self.sections.items():
            if path == section_path:
                page = int_param(query, "page")
                body = self.render_listing(name, path, name, page, now)
                return 200, HTML, body.encode(), headers
        if path.startswith("/node/") and path[6:].isdigit() and int(path[6:]) in self.nodes:
            return 200, HTML, self.render_node(self.nodes[int(path[6:])], now).encode(), headers
        body = self.page(title="Không tìm thấy trang", head="Không tìm thấy trang",
                         content="<p>Không tìm thấy trang được yêu cầu.</p>", now=now)
        return 404, HTML, body.encode(), headers

    # -- pages -----------------------------------------------------------------------------

    def page(self, *, title: str, head: str, content: str, now: dt.datetime,
             links: str = "") -> str:
        clock = f"{WEEKDAYS_TITLE[now.weekday()]}, {now:%d/%m/%Y - %H:%M}"
        menu = "".join(f'<li class="menu__item"><a href="{p}" class="menu__link">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        popup = ('<div class="popup-notice"><button type="button" class="close">x</button>'
                 "</div>") if self.theme == "bartik" else ""
        title_block = (f'<div class="block block-core block-page-title-block"><h1 class="title '
                       f'page-title"><span class="field field--name-title field--type-string '
                       f'field--label-hidden">{title}</span></h1></div>')
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
        <div id="main" class="layout-main"><div class="main-content">
          <a id="main-content" tabindex="-1"></a>
          <div class="region region--content-above">{title_block}</div>
          <div class="region region--content" id="content">
            <div data-drupal-messages-fallback class="hidden messages-list"></div>
            {content}
          </div>
        </div></div>
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
        if d.author:
            parts.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                parts.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        return "\n".join(parts)

    def created_html(self, node: Node) -> str:
        when = node.draft.when
        if node.date_style == "time":
            utc = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            inner = f'<time datetime="{utc}" title="{date_vi(when)}" class="datetime">' \
                    f"{date_vi(when)}</time>"
        else:
            inner = date_en(when) if node.date_style == "en" else date_vi(when)
        return (f'<span class="field field--name-created field--type-created '
                f'field--label-hidden">{inner}</span>')

    def render_node(self, node: Node, now: dt.datetime) -> str:
        d = node.draft
        title = esc(d.title_raw or d.title)
        if self.theme == "bartik":
            meta = (f'<div class="node__submitted">Gửi bởi <span class="field field--name-uid">'
                    f'<span>admin</span></span> vào {self.created_html(node)}</div>')
        else:
            meta = (f'<span>Bởi <span class="field field--name-uid"><span>Quản trị viên</span>'
                    f'</span></span> <span class="node__meta-date">{self.created_html(node)}'
                    f"</span>")
        tags = "".join(f'<li class="field__item"><a href="{self.sections[s]}">{esc(s)}</a></li>'
                       for s in d.sections)
        related = "".join(
            f'<div class="views-row"><a href="/node/{n}" hreflang="vi">'
            f"{esc(self.nodes[n].draft.title)}</a></div>" for n in self.related.get(node.nid, [])
        )
        content = f"""<div id="block-content" class="block block-system block-system-main-block">
<div class="block__content">
<article data-history-node-id="{node.nid}" role="article" about="/node/{node.nid}" class="node node--type-article node--promoted node--view-mode-full">
  <header><div class="node__meta">{meta}</div></header>
  <div class="node__content clearfix">
    <div class="text-content clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">{self.body_html(node)}</div>
    <div class="field field--name-field-category field--type-entity-reference field--label-above">
      <div class="field__label">Chuyên mục</div><ul class="field__items">{tags}</ul></div>
  </div>
</article>
</div></div>
<div class="views-element-container block block-views block-views-blocktin-khac-block-1">
  <h2 class="block__title">Tin khác</h2>
  <div class="block__content"><div class="view view-tin-khac"><div class="view-content">{related}</div></div></div>
</div>"""
        links = (f'<link rel="canonical" href="/node/{node.nid}" />\n'
                 f'    <link rel="shortlink" href="/node/{node.nid}" />\n'
                 f'    <meta property="og:title" content="{title}" />')
        return self.page(title=title, head=d.title, content=content, now=now, links=links)

    def render_listing(self, name: str, path: str, section: str | None, page: int,
                       now: dt.datetime) -> str:
        nids = self.listings[section] if section else sorted(
            self.nodes, key=lambda n: self.nodes[n].draft.when, reverse=True)
        pages = max(1, -(-len(nids) // self.page_size))
        chunk = nids[page * self.page_size:(page + 1) * self.page_size]
        rows = []
        for nid in chunk:
            node = self.nodes[nid]
            teaser = esc(node.draft.paragraphs[0][:200])
            rows.append(
                f'<div class="views-row"><div class="views-field views-field-title"><span '
                f'class="field-content"><a href="/node/{nid}" hreflang="vi">'
                f"{esc(node.draft.title_raw or node.draft.title)}</a></span></div>"
                f'<div class="views-field views-field-created"><span class="field-content">'
                f"{node.draft.when:%d/%m/%Y}</span></div>"
                f'<div class="views-field views-field-body"><div class="field-content">{teaser}'
                f"</div></div></div>"
            )
        content = (f'<div class="views-element-container"><div class="view view-tin-tuc '
                   f'view-display-id-page_1"><div class="view-content">{"".join(rows)}</div>'
                   f"{self.pager(page, pages)}</div></div>")
        if not chunk:
            content = '<div class="view-empty">Chưa có bài viết.</div>'
        return self.page(title=esc(name), head=name, content=content, now=now)

    @staticmethod
    def pager(current: int, total: int) -> str:
        if total <= 1:
            return ""
        items = []
        if current > 0:
            items.append('<li class="pager__item pager__item--first"><a href="?page=0" '
                         'title="Đi đến trang đầu tiên">« Đầu</a></li>')
            items.append(f'<li class="pager__item pager__item--previous"><a href="?page='
                         f'{current - 1}" rel="prev">‹‹</a></li>')
        for p in range(total):
            active = " is-active" if p == current else ""
            items.append(f'<li class="pager__item{active}"><a href="?page={p}" '
                         f'title="Đi đến trang {p + 1}">{p + 1}</a></li>')
        if current < total - 1:
            items.append(f'<li class="pager__item pager__item--next"><a href="?page='
                         f'{current + 1}" rel="next">››</a></li>')
        return ('<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
                '<h4 id="pagination-heading" class="visually-hidden">Phân trang</h4>'
                f'<ul class="pager__items js-pager__items">{"".join(items)}</ul></nav>')
