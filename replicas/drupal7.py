"""Drupal 7 HTML as core, Views 3 and a Bartik-derived theme render it (Vietnamese UI).

Modelled on html.tpl.php, page.tpl.php (Bartik), block.tpl.php, node.tpl.php, theme_field(),
views-view.tpl.php, views-view-unformatted.tpl.php, views-view-fields.tpl.php,
views-view-list.tpl.php, theme_item_list() and theme_pager() (includes/pager.inc).
The Views list / grid / table styles, Views node-teaser rows and core's taxonomy term page of
teasers, with the bylines editors type, are variants: replicas/drupal7_variants.py (content)
and replicas/drupal7_listings.py (listings).
All functions return `str`; the server encodes UTF-8.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from urllib.parse import quote

from replicas.bentre import (
    FORUM,
    NEWS,
    SECTION_TIDS,
    VN_TZ,
    NodeData,
    Site,
    banner_for,
)

WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")

_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})


def check_plain(s: str) -> str:
    return s.translate(_ESC)


def url(path: str) -> str:
    """Drupal url() of an internal path: drupal_encode_path (rawurlencode, '/' kept)."""
    return quote(path, safe="/")


def format_clock(now: dt.datetime) -> str:
    """The header clock: `Chủ nhật, 21 Tháng 4, 2024 - 16:02` (Asia/Ho_Chi_Minh)."""
    now = now.astimezone(VN_TZ)
    return (f"{WEEKDAYS[now.weekday()]}, {now.day} Tháng {now.month}, {now.year} - "
            f"{now.hour:02d}:{now.minute:02d}")


ROBOTS_TXT = """#
# robots.txt
#
# This file is to prevent the crawling and indexing of certain parts
# of your site by web crawlers and spiders run by sites like Yahoo!
# and Google. By telling these "robots" where not to go on your site,
# you save bandwidth and server resources.
#
# This file will be ignored unless it is at the root of your host:
# Used:    http://example.com/robots.txt
# Ignored: http://example.com/site/robots.txt
#
# For more information about the robots.txt standard, see:
# http://www.robotstxt.org/robotstxt.html

User-agent: *
Crawl-delay: 10
# CSS, JS, Images
Allow: /misc/*.css$
Allow: /misc/*.css?
Allow: /misc/*.js$
Allow: /misc/*.js?
Allow: /misc/*.gif
Allow: /misc/*.jpg
Allow: /misc/*.jpeg
Allow: /misc/*.png
Allow: /modules/*.css$
Allow: /modules/*.css?
Allow: /modules/*.js$
Allow: /modules/*.js?
Allow: /modules/*.gif
Allow: /modules/*.jpg
Allow: /modules/*.jpeg
Allow: /modules/*.png
Allow: /profiles/*.css$
Allow: /profiles/*.css?
Allow: /profiles/*.js$
Allow: /profiles/*.js?
Allow: /profiles/*.gif
Allow: /profiles/*.jpg
Allow: /profiles/*.jpeg
Allow: /profiles/*.png
Allow: /themes/*.css$
Allow: /themes/*.css?
Allow: /themes/*.js$
Allow: /themes/*.js?
Allow: /themes/*.gif
Allow: /themes/*.jpg
Allow: /themes/*.jpeg
Allow: /themes/*.png
# Directories
Disallow: /includes/
Disallow: /misc/
Disallow: /modules/
Disallow: /profiles/
Disallow: /scripts/
Disallow: /themes/
# Files
Disallow: /CHANGELOG.txt
Disallow: /cron.php
Disallow: /INSTALL.mysql.txt
Disallow: /INSTALL.pgsql.txt
Disallow: /INSTALL.sqlite.txt
Disallow: /install.php
Disallow: /INSTALL.txt
Disallow: /LICENSE.txt
Disallow: /MAINTAINERS.txt
Disallow: /update.php
Disallow: /UPGRADE.txt
Disallow: /xmlrpc.php
# Paths (clean URLs)
Disallow: /admin/
Disallow: /comment/reply/
Disallow: /filter/tips/
Disallow: /node/add/
Disallow: /search/
Disallow: /user/register/
Disallow: /user/password/
Disallow: /user/login/
Disallow: /user/logout/
# Paths (no clean URLs)
Disallow: /?q=admin/
Disallow: /?q=comment/reply/
Disallow: /?q=filter/tips/
Disallow: /?q=node/add/
Disallow: /?q=search/
Disallow: /?q=user/password/
Disallow: /?q=user/register/
Disallow: /?q=user/login/
Disallow: /?q=user/logout/
"""

# ---------------------------------------------------------------------------------------------
# html.tpl.php

_HTML_OPEN = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML+RDFa 1.0//EN"
  "http://www.w3.org/MarkUp/DTD/xhtml-rdfa-1.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" version="XHTML+RDFa 1.0" dir="ltr"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/terms/"
  xmlns:foaf="http://xmlns.com/foaf/0.1/"
  xmlns:og="http://ogp.me/ns#"
  xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
  xmlns:sioc="http://rdfs.org/sioc/ns#"
  xmlns:sioct="http://rdfs.org/sioc/types#"
  xmlns:skos="http://www.w3.org/2004/02/skos/core#"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema#">

<head profile="http://www.w3.org/1999/xhtml/vocab">
  <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<link rel="shortcut icon" href="/misc/favicon.ico" type="image/vnd.microsoft.icon" />
<meta name="generator" content="Drupal 7 (http://drupal.org)" />
"""

_CSS_JS = """  <style type="text/css" media="all">
@import url("/modules/system/system.base.css?r8k2qa");
@import url("/modules/system/system.menus.css?r8k2qa");
@import url("/modules/system/system.messages.css?r8k2qa");
@import url("/modules/system/system.theme.css?r8k2qa");
</style>
<style type="text/css" media="all">
@import url("/modules/field/theme/field.css?r8k2qa");
@import url("/modules/node/node.css?r8k2qa");
@import url("/sites/all/modules/views/css/views.css?r8k2qa");
</style>
<style type="text/css" media="all">
@import url("/sites/all/themes/tructbt/css/layout.css?r8k2qa");
@import url("/sites/all/themes/tructbt/css/style.css?r8k2qa");
</style>
  <script type="text/javascript" src="/misc/jquery.js?v=1.4.4"></script>
<script type="text/javascript" src="/misc/jquery.once.js?v=1.2"></script>
<script type="text/javascript" src="/misc/drupal.js?r8k2qa"></script>
<script type="text/javascript" src="/sites/default/files/languages/vi_Xq3aJ8pS0kYw.js?r8k2qa"></script>
<script type="text/javascript">
<!--//--><![CDATA[//><!--
jQuery.extend(Drupal.settings, {"basePath":"\\/","pathPrefix":"","ajaxPageState":{"theme":"tructbt","theme_token":"%s"}});
//--><!]]>
</script>
"""  # noqa: E501

_FOOTER = """<div id="footer-wrapper"><div class="section">
      <div id="footer" class="clearfix">
        <div class="region region-footer">
    <div id="block-block-3" class="block block-block">
  <div class="content">
    <p style="text-align: center;"><strong>TRƯỜNG CHÍNH TRỊ TỈNH BẾN TRE</strong></p>
<p style="text-align: center;">Địa chỉ : Phường 6, thành phố Bến Tre, tỉnh Bến Tre</p>
<p style="text-align: center;">Điện thoại : (0275) 3 800 000 - Email : truongchinhtri@bentre.gov.vn</p>
<p style="text-align: center;">Ghi rõ nguồn “Trường Chính trị tỉnh Bến Tre” khi phát hành lại thông tin từ website này.</p>
  </div>
</div>
  </div>
      </div>
  </div></div>
"""  # noqa: E501


def _main_menu(active: str) -> str:
    items = [("/", "Trang chủ", "menu-218"), ("/gioi-thieu", "Giới thiệu", "menu-402"),
             ("/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien", NEWS, "menu-517"),
             ("/thông-tin-trao-đổi/thông-tin-trao-đổi", FORUM, "menu-598")]
    out = []
    for i, (path, label, cls) in enumerate(items):
        classes = [cls]
        if i == 0:
            classes.append("first")
        if i == len(items) - 1:
            classes.append("last")
        a_cls = ""
        if path == active:
            classes.append("active")
            a_cls = ' class="active"'
        out.append(f'<li class="{" ".join(classes)}"><a href="{url(path)}"{a_cls}>'
                   f"{check_plain(label)}</a></li>")
    return ('<div id="main-menu" class="navigation">\n'
            '        <h2 class="element-invisible">Trình đơn chính</h2>'
            '<ul id="main-menu-links" class="links clearfix">' + "".join(out) + "</ul>      </div>")


def _block(block_id: str, module: str, subject: str, content: str) -> str:
    h2 = f"\n    <h2>{subject}</h2>\n" if subject else "\n"
    return (f'<div id="block-{block_id}" class="block block-{module}">{h2}'
            f'  <div class="content">\n    {content}  </div>\n</div>\n')


def _sidebar(now: dt.datetime) -> str:
    links = [("http://www.bentre.dcs.vn", "Tỉnh ủy Bến Tre"),
             ("https://www.bentre.gov.vn", "Cổng Thông tin điện tử tỉnh Bến Tre"),
             ("https://baodongkhoi.vn", "Báo Đồng Khởi"),
             ("http://www.hcma.vn", "Học viện Chính trị quốc gia Hồ Chí Minh"),
             ("http://www.tapchicongsan.org.vn", "Tạp chí Cộng sản")]
    lis = "".join(
        f'<li class="{"first" if i == 0 else "last" if i == len(links) - 1 else ""}">'
        f'<a href="{href}" target="_blank">{check_plain(t)}</a></li>\n'
        for i, (href, t) in enumerate(links))
    link_block = _block("block-4", "block", "Liên kết",
                        f'<div class="item-list"><ul>{lis}</ul></div>')
    # Counters move with the clock, as on a live site (§4.16).
    minutes = int(now.timestamp() // 60)
    total = 1_200_000 + (minutes - 28_000_000) // 3
    today = 150 + (now.hour * 60 + now.minute) // 4
    online = 3 + minutes % 17
    stats = (f'<ul class="thong-ke"><li>Đang truy cập: {online}</li>'
             f"<li>Hôm nay: {today}</li><li>Hôm qua: {412 + minutes % 97}</li>"
             f"<li>Tất cả: {total:,}</li></ul>".replace(",", "."))
    stat_block = _block("visitors-0", "visitors", "Thống kê truy cập", stats + "\n")
    return ('<div id="sidebar-first" class="column sidebar"><div class="section">\n'
            '        <div class="region region-sidebar-first">\n    '
            + link_block + stat_block
            + "  </div>\n      </div></div> <!-- /.section, /#sidebar-first -->\n")


def html_page(*, title: str, head_title: str, body_classes: str, content: str,
              now: dt.datetime, active: str = "", head_links: str = "",
              breadcrumb: bool = True) -> str:
    token = hashlib.md5(str(now.timestamp()).encode()).hexdigest()[:22]
    banner = banner_for(now.astimezone(VN_TZ).year)
    header_region = (
        '<div class="region region-header">\n    '
        + _block("block-5", "block", "",
                 '<marquee behavior="scroll" direction="left" scrollamount="4" '
                 f'onmouseover="this.stop();" onmouseout="this.start();"><p><strong>'
                 f"{check_plain(banner)}</strong></p></marquee>\n")
        + _block("block-6", "block", "",
                 f'<div class="ngay-gio">{format_clock(now)}</div>\n')
        + "  </div>\n")
    crumb = ('<div id="breadcrumb"><h2 class="element-invisible">Bạn đang ở đây</h2>'
             '<div class="breadcrumb"><a href="/">Trang chủ</a></div></div>\n'
             if breadcrumb else "")
    h1 = f'<h1 class="title" id="page-title">\n          {title}        </h1>\n' if title else ""
    return "".join((
        _HTML_OPEN, head_links,
        f"  <title>{head_title}</title>\n", _CSS_JS % token, "</head>\n",
        f'<body class="{body_classes}" >\n',
        '  <div id="skip-link">\n    <a href="#main-content" class="element-invisible '
        'element-focusable">Nhảy đến nội dung chính</a>\n  </div>\n',
        '    <div id="page-wrapper"><div id="page">\n\n',
        '  <div id="header" class="without-secondary-menu"><div class="section clearfix">\n',
        '      <a href="/" title="Trang chủ" rel="home" id="logo">\n'
        '        <img src="/sites/default/files/logo-tct.png" alt="Trang chủ" />\n      </a>\n',
        '      <div id="name-and-slogan">\n          <div id="site-name">\n'
        '            <strong>\n              <a href="/" title="Trang chủ" rel="home">'
        '<span>Trường Chính trị tỉnh Bến Tre</span></a>\n            </strong>\n'
        "          </div>\n      </div> <!-- /#name-and-slogan -->\n",
        "      ", header_region, "      ", _main_menu(active), "\n",
        "  </div></div> <!-- /.section, /#header -->\n\n",
        '  <div id="main-wrapper" class="clearfix"><div id="main" class="clearfix">\n',
        "    ", crumb, "    ", _sidebar(now),
        '    <div id="content" class="column"><div class="section">\n',
        '      <a id="main-content"></a>\n        ', h1,
        '        <div class="tabs">\n                  </div>\n',
        '          <div class="region region-content">\n    ', content,
        "  </div>\n\n    </div></div> <!-- /.section, /#content -->\n\n",
        "  </div></div> <!-- /#main, /#main-wrapper -->\n\n  ", _FOOTER,
        "</div></div> <!-- /#page, /#page-wrapper -->\n  </body>\n</html>\n",
    ))


# ---------------------------------------------------------------------------------------------
# Nodes


def _spaces_to_nbsp(text: str) -> str:
    """CKEditor keeps runs of spaces as alternating '&nbsp; '."""
    stripped = text.lstrip(" ")
    n = len(text) - len(stripped)
    return "&nbsp; " * (n // 2) + "&nbsp;" * (n % 2) + check_plain(stripped)


def body_html(node: NodeData) -> str:
    p_open = '<p style="text-align: justify;">' if node.justify else "<p>"
    out = []
    for kind, text in node.blocks:
        if kind == "p":
            out.append(f"{p_open}{check_plain(text)}</p>")
        elif kind == "summary":
            out.append(f"{p_open}<em>{check_plain(text)}</em></p>")
        elif kind == "nbsp":
            out.append("<p>&nbsp;</p>")
        elif kind == "img":
            out.append(f'<p style="text-align: center;"><img alt="" src="{text}" '
                       'style="width: 600px; height: 400px;" /></p>')
        elif kind == "caption":
            out.append(f'<p style="text-align: center;"><em>{check_plain(text)}</em></p>')
        elif kind == "by_name":
            stripped = text.lstrip(" ")
            pad = _spaces_to_nbsp(text[: len(text) - len(stripped)])
            out.append(f'<p style="text-align: right;">{pad}<strong>{check_plain(stripped)}'
                       "</strong></p>")
        elif kind == "by_role":
            out.append(f'<p style="text-align: right;">{_spaces_to_nbsp(text)}</p>')
        elif kind == "html":  # markup as typed in CKEditor (editor byline variants)
            out.append(text)
    html = "\n".join(out)
    return unicodedata.normalize("NFD", html) if node.nfd else html


def _text_field(name: str, value: str) -> str:
    return (f'<div class="field field-name-{name} field-type-text field-label-hidden">'
            '<div class="field-items"><div class="field-item even">'
            f"{check_plain(value)}</div></div></div>")


def _term_link(site: Site, section: str) -> str:
    return (f'<a href="{url(site.sections[section])}" typeof="skos:Concept" '
            f'property="rdfs:label skos:prefLabel" datatype="">{check_plain(section)}</a>')


def node_html(site: Site, node: NodeData) -> str:
    alias = url(node.path)
    title = check_plain(node.title)
    fields = []
    if node.kind == "article" and node.byline_position == "fields" and node.row_author:
        fields.append(_text_field("field-tac-gia", node.row_author.strip()))
        if node.row_role.strip():
            fields.append(_text_field("field-chuc-vu", node.row_role.strip()))
    if node.byline_field_html:  # a long-text "Tác giả" field (theme_field), label as set
        label = site.variant.field_label
        label_html = ('<div class="field-label">Tác giả:&nbsp;</div>'
                      if label != "hidden" else "")
        inline = " clearfix" if label == "inline" else ""
        fields.append(
            '<div class="field field-name-field-tac-gia field-type-text-long '
            f'field-label-{label}{inline}">{label_html}<div class="field-items">'
            f'<div class="field-item even">{node.byline_field_html}</div></div></div>')
    body_type = "text-with-summary"
    fields.append(
        f'<div class="field field-name-body field-type-{body_type} field-label-hidden">'
        '<div class="field-items"><div class="field-item even" property="content:encoded">'
        + body_html(node) + "\n</div></div></div>")
    if node.kind == "article":
        fields.append(
            '<div class="field field-name-taxonomy-vocabulary-1 '
            'field-type-taxonomy-term-reference field-label-above">'
            '<div class="field-label">Taxonomy upgrade extras:&nbsp;</div>'
            '<div class="field-items"></div></div>')
        items = "".join(
            f'<div class="field-item {"even" if i % 2 == 0 else "odd"}" '
            f'rel="dc:subject">{_term_link(site, s)}</div>' for i, s in enumerate(node.sections))
        fields.append(
            '<div class="field field-name-field-chuyen-muc field-type-taxonomy-term-reference '
            'field-label-inline clearfix"><div class="field-label">Chuyên mục:&nbsp;</div>'
            f'<div class="field-items">{items}</div></div>')
    ntype = "article" if node.kind == "article" else "page"
    promoted = " node-promoted" if node.kind == "article" else ""
    return (
        f'<div id="node-{node.nid}" class="node node-{ntype}{promoted} clearfix" '
        f'about="{alias}" typeof="sioc:Item foaf:Document">\n\n'
        f'      <span property="dc:title" content="{title}" class="rdf-meta element-hidden">'
        '</span><span property="sioc:num_replies" content="0" datatype="xsd:integer" '
        'class="rdf-meta element-hidden"></span>\n\n'
        '  <div class="content clearfix">\n    '
        + "".join(fields)
        + "  </div>\n\n  \n  \n</div>\n")


def variant_href(site: Site, path: str, nid: int, k: int) -> str:
    """The k-th spelling of an article link (Site.link_variants): what shares and editors
    paste into related-links blocks. Every one serves the same node."""
    alias = url(path)
    spellings = (
        f"{alias}?utm_source=tinkhac",
        f"{alias}?utm_source=tinkhac&amp;fbclid=IwAR{nid:04d}xq",
        f"/node/{nid}",
        (site.host_aliases[-1] if site.host_aliases else "") + alias,
        path.rstrip("/") + "/",  # raw Unicode, trailing slash
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), alias),
    )
    return spellings[k % len(spellings)]


def tin_khac_html(site: Site, nid: int) -> str:
    rel = site.related.get(nid, [])
    if not rel:
        return ""
    n = len(rel)
    lis = []
    for i, (other, as_node) in enumerate(rel):
        o = site.nodes[other]
        href = f"/node/{other}" if as_node else url(o.path)
        if site.link_variants:
            href = variant_href(site, o.path, other, nid + i)
        lis.append(f'<li class="{_row_classes(i, n)}">  \n  <div class="views-field '
                   f'views-field-title">        <span class="field-content"><a href="{href}">'
                   f"{check_plain(o.title)}</a></span>  </div></li>\n")
    view = (f'<div class="view view-tin-khac view-id-tin_khac view-display-id-block '
            f'view-dom-id-{_dom_id(nid)}">\n        \n  \n  \n      <div class="view-content">\n'
            f'      <div class="item-list">    <ul>{"".join(lis)}</ul></div>    </div>\n'
            "  \n  \n  \n  \n  \n  \n</div>")
    return _block("views-tin-khac-block", "views", "Tin khác", view)


def render_node(site: Site, nid: int, now: dt.datetime) -> str:
    node = site.nodes[nid]
    alias = url(node.path)
    title = check_plain(node.title)
    head = (f'<link rel="canonical" href="{alias}" />\n'
            f'<link rel="shortlink" href="/node/{nid}" />\n')
    ntype = "article" if node.kind == "article" else "page"
    content = (_block("system-main", "system", "", node_html(site, node))
               + tin_khac_html(site, nid))
    return html_page(
        title=title, head_title=f"{title} | Trường Chính trị tỉnh Bến Tre",
        body_classes=("html not-front not-logged-in one-sidebar sidebar-first page-node "
                      f"page-node- page-node-{nid} node-type-{ntype}"),
        content=content, now=now, head_links=head,
        active="/gioi-thieu" if node.kind == "page" else "")


# ---------------------------------------------------------------------------------------------
# Views listings and the pager


def _row_classes(i: int, n: int) -> str:
    classes = f"views-row views-row-{i + 1} views-row-{'odd' if i % 2 == 0 else 'even'}"
    if i == 0:
        classes += " views-row-first"
    if i == n - 1:
        classes += " views-row-last"
    return classes


def _dom_id(key: object) -> str:
    return hashlib.md5(f"dom-{key}".encode()).hexdigest()


def listing_row(site: Site, nid: int) -> str:
    node = site.nodes[nid]
    d = node.created
    teaser = node.teaser
    teaser_html = check_plain(teaser) if len(teaser) <= 1 else f"<p>{check_plain(teaser)}</p>"
    return (
        '  <div class="views-field views-field-title">        <span class="field-content">'
        f'<a href="{url(node.path)}">{check_plain(node.title)}</a></span>  </div>  \n'
        '  <div class="views-field views-field-created">    <span class="views-label '
        'views-label-created">Ngày Đăng : </span>    <span class="field-content">'
        f"{d.day:02d}/{d.month:02d}/{d.year}</span>  </div>  \n"
        '  <div class="views-field views-field-field-tac-gia">        <div class="field-content">'
        f"{check_plain(node.row_author)}</div>  </div>  \n"
        '  <div class="views-field views-field-field-chuc-vu">        <div class="field-content">'
        f"{check_plain(node.row_role)}</div>  </div>  \n"
        '  <div class="views-field views-field-nothing">        <span class="field-content">'
        "&nbsp;</span>  </div>  \n"
        '  <div class="views-field views-field-body">        <div class="field-content">'
        f"{teaser_html}</div>  </div>"
    )


def _pager_link(base: str, page: int, text: str, title: str) -> str:
    href = base if page == 0 else f"{base}?page={page}"
    return f'<a title="{title}" href="{href}">{text}</a>'


PAGER_LABELS = ("« đầu tiên", "‹ trước", "kế tiếp ›", "cuối cùng »")


def theme_pager(base: str, current: int, total: int, quantity: int = 9,
                labels: tuple[str, str, str, str] = PAGER_LABELS) -> str:
    """includes/pager.inc theme_pager() with Vietnamese labels (first, previous, next, last);
    `current` is 0-based."""
    first_l, prev_l, next_l, last_l = labels
    if total <= 1:
        return ""
    middle = (quantity + 1) // 2
    cur = current + 1
    first = cur - middle + 1
    last = cur + quantity - middle
    i = first
    if last > total:
        i += total - last
        last = total
    if i <= 0:
        last += 1 - i
        i = 1
    items: list[tuple[str, str]] = []
    if current > 0:
        items.append(("pager-first", _pager_link(base, 0, first_l, "Đến trang đầu tiên")))
        items.append(("pager-previous",
                      _pager_link(base, current - 1, prev_l, "Đến trang trước")))
    if i != total:
        if i > 1:
            items.append(("pager-ellipsis", "…"))
        while i <= last and i <= total:
            if i == cur:
                items.append(("pager-current", str(i)))
            else:
                items.append(("pager-item", _pager_link(base, i - 1, str(i), f"Đến trang {i}")))
            i += 1
        if i < total:
            items.append(("pager-ellipsis", "…"))
    if current < total - 1:
        items.append(("pager-next", _pager_link(base, current + 1, next_l,
                                                "Đến trang kế tiếp")))
        items.append(("pager-last", _pager_link(base, total - 1, last_l,
                                                "Đến trang cuối cùng")))
    lis = []
    for k, (cls, data) in enumerate(items):
        if k == 0:
            cls += " first"
        if k == len(items) - 1:
            cls += " last"
        lis.append(f'<li class="{cls}">{data}</li>\n')
    return ('<h2 class="element-invisible">Các trang</h2><div class="item-list">'
            f'<ul class="pager">{"".join(lis)}</ul></div>')


def render_listing(site: Site, section: str, page: int, now: dt.datetime) -> str:
    if site.variant.name != "default":  # another stock Views style or core's teaser list
        from replicas.drupal7_listings import render_variant_listing

        return render_variant_listing(site, section, page, now)
    nids = site.listings[section]
    size = site.page_size
    total = max(1, -(-len(nids) // size))
    rows = nids[page * size:(page + 1) * size] if page >= 0 else []
    view_name = "tin_tuc" if section == NEWS else "thong_tin_trao_doi"
    if rows:
        n = len(rows)
        body = ('      <div class="view-content">\n'
                + "".join(f'    <div class="{_row_classes(i, n)}">\n'
                          f"    {listing_row(site, nid)}  </div>\n"
                          for i, nid in enumerate(rows))
                + "    </div>\n")
    else:
        body = ('      <div class="view-empty">\n      <p>Chưa có bài viết nào trong chuyên mục '
                "này.</p>    </div>\n")
    # Views clamps the pager to the last page when ?page= is past the end.
    pager = theme_pager(url(site.sections[section]), min(max(page, 0), total - 1), total)
    view = (f'<div class="view view-{view_name.replace("_", "-")} view-id-{view_name} '
            f'view-display-id-page view-dom-id-{_dom_id((section, page, now.minute))}">\n'
            "        \n  \n  \n" + body + "  \n      " + pager + "\n  \n  \n  \n  \n</div>")
    tid = SECTION_TIDS[section]
    title = check_plain(section)
    return html_page(
        title=title, head_title=f"{title} | Trường Chính trị tỉnh Bến Tre",
        body_classes=("html not-front not-logged-in one-sidebar sidebar-first page-taxonomy "
                      f"page-taxonomy-term page-taxonomy-term- page-taxonomy-term-{tid}"),
        content=_block("system-main", "system", "", view), now=now,
        active=site.sections[section])


def render_front(site: Site, now: dt.datetime) -> str:
    parts = []
    for section, path in site.sections.items():
        nids = site.listings[section][:5]
        lis = "".join(
            f'<li class="{_row_classes(i, len(nids))}">  \n  <div class="views-field '
            'views-field-title">        <span class="field-content">'
            f'<a href="{url(site.nodes[n].path)}">{check_plain(site.nodes[n].title)}</a>'
            "</span>  </div></li>\n" for i, n in enumerate(nids))
        more = (f'<div class="more-link">\n  <a href="{url(path)}">\n    Xem thêm  </a>\n'
                "</div>")
        view = (f'<div class="view view-tin-moi view-id-tin_moi view-display-id-block_'
                f'{SECTION_TIDS[section]} view-dom-id-{_dom_id(section)}">\n      '
                f'<div class="view-content">\n      <div class="item-list">    <ul>{lis}</ul>'
                f"</div>    </div>\n  \n  \n      {more}\n  \n</div>")
        parts.append(_block(f"views-tin-moi-block-{SECTION_TIDS[section]}", "views",
                            check_plain(section), view))
    return html_page(
        title="", head_title="Trường Chính trị tỉnh Bến Tre",
        body_classes="html front not-logged-in one-sidebar sidebar-first page-node",
        content="".join(parts), now=now, active="/", breadcrumb=False)


def render_404(site: Site, path: str, now: dt.datetime) -> str:
    msg = f"Không tìm thấy trang yêu cầu &quot;{check_plain(path)}&quot;."
    return html_page(
        title="Không tìm thấy trang", head_title="Không tìm thấy trang | Trường Chính trị tỉnh "
        "Bến Tre",
        body_classes="html not-front not-logged-in one-sidebar sidebar-first page-",
        content=_block("system-main", "system", "", msg + "\n"), now=now)
