"""Section listings of the Drupal 7 variants: Views 3 styles and core's term page of teasers.

Markup from Views 7.x-3.x theme/*.tpl.php and theme.inc (see replicas/drupal7_variants.py),
Bartik's node.tpl.php for teasers, theme_field() for their fields. The pager is
includes/pager.inc theme_pager() with the Vietnamese translation's labels.
"""

from __future__ import annotations

import datetime as dt

from replicas.bentre import NEWS, SECTION_TIDS, NodeData, Site, Variant
from replicas.drupal7 import (
    _block,
    _dom_id,
    _row_classes,
    check_plain,
    html_page,
    theme_pager,
    url,
)

PAGER_LABELS = ("« đầu", "‹ trang trước", "trang sau ›", "cuối »")


def _date(node: NodeData) -> str:
    d = node.created
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _teaser_html(node: NodeData) -> str:
    teaser = node.teaser
    return check_plain(teaser) if len(teaser) <= 1 else f"<p>{check_plain(teaser)}</p>"


def _field(fid: str, content: str, label: str = "", element: str = "div") -> str:
    """One field of views-view-fields.tpl.php: wrapper, optional label, field-content."""
    label_html = (f'<span class="views-label views-label-{fid}">{label}</span>    '
                  if label else "")
    return (f'  <div class="views-field views-field-{fid}">    {label_html}'
            f'<{element} class="field-content">{content}</{element}>  </div>  \n')


def _byline_fields(node: NodeData, variant: Variant) -> str:
    name, role = check_plain(node.row_author), check_plain(node.row_role)
    if variant.row_byline == "fields":
        return (_field("field-tac-gia", name) + _field("field-chuc-vu", role)
                if name else "")
    if variant.row_byline == "one_field" and name:
        inner = f"<p>{name.strip()}<br />\n{role.strip()}</p>" if role.strip() else name
        return _field("field-tac-gia", inner)
    return ""


def views_fields(node: NodeData, variant: Variant) -> str:
    """A row of fields: title, labelled date, byline fields, teaser (Bến Tre's row, §2.3);
    some builds also show the posting account ("Content: Author", field id `name`)."""
    title = f'<a href="{url(node.path)}">{check_plain(node.title)}</a>'
    account = (_field("name", '<span class="username" xml:lang="" typeof="sioc:UserAccount" '
                              'property="foaf:name" datatype="">bientap</span>',
                      label="Người đăng: ", element="span")
               if variant.account_field else "")
    return (_field("title", title, element="span")
            + _field("created", _date(node), label="Ngày Đăng : ", element="span")
            + account
            + _byline_fields(node, variant)
            + _field("body", _teaser_html(node)))


def mini_pager(base: str, current: int, total: int) -> str:
    """Views' theme_views_mini_pager(): previous, "N trên M", next, in theme_item_list()."""
    if total <= 1:
        return ""
    prev_href = base if current == 1 else f"{base}?page={current - 1}"
    prev = (f'<a title="Đến trang trước" href="{prev_href}">‹‹</a>' if current > 0
            else "&nbsp;")
    nxt = (f'<a title="Đến trang kế tiếp" href="{base}?page={current + 1}">››</a>'
           if current < total - 1 else "&nbsp;")
    return ('<h2 class="element-invisible">Các trang</h2><div class="item-list"><ul class="pager">'
            f'<li class="pager-previous first">{prev}</li>\n'
            f'<li class="pager-current">{current + 1} trên {total}</li>\n'
            f'<li class="pager-next last">{nxt}</li>\n</ul></div>')


def _unformatted(site: Site, nids: list[int]) -> str:
    n = len(nids)
    return "".join(f'  <div class="{_row_classes(i, n)}">\n  '
                   f"{views_fields(site.nodes[nid], site.variant)}  </div>\n"
                   for i, nid in enumerate(nids))


def _list(site: Site, nids: list[int]) -> str:
    n = len(nids)
    lis = "".join(f'      <li class="{_row_classes(i, n)}">'
                  f"{views_fields(site.nodes[nid], site.variant)}</li>\n"
                  for i, nid in enumerate(nids))
    return f'<div class="item-list">    <ul>\n{lis}      </ul></div>'


def _grid(site: Site, nids: list[int], columns: int = 2) -> str:
    grid = [nids[i:i + columns] for i in range(0, len(nids), columns)]
    trs = []
    for r, row in enumerate(grid):
        rcls = f"row-{r + 1}" + (" row-first" if r == 0 else "") + (
            " row-last" if r == len(grid) - 1 else "")
        tds = []
        for c in range(columns):
            ccls = f"col-{c + 1}" + (" col-first" if c == 0 else
                                     " col-last" if c == columns - 1 else "")
            item = views_fields(site.nodes[row[c]], site.variant) if c < len(row) else ""
            tds.append(f'          <td  class="{ccls}">\n            {item}          </td>\n')
        trs.append(f'      <tr  class="{rcls}">\n{"".join(tds)}      </tr>\n')
    return (f'<table class="views-view-grid cols-{columns}">\n  \n  <tbody>\n'
            f'{"".join(trs)}  </tbody>\n</table>')


def _table(site: Site, nids: list[int]) -> str:
    """views-view-table.tpl.php: labels in the header, bare values in the cells; the date is
    a Date module field (`date-display-single`)."""
    cols = [("title", "Tiêu đề"), ("field-ngay-dang", "Ngày Đăng")]
    if site.variant.row_byline != "none":
        cols += [("field-tac-gia", "Tác giả"), ("field-chuc-vu", "Chức vụ")]
    ths = "".join(f'          <th  class="views-field views-field-{fid}" scope="col">\n'
                  f"            {label}          </th>\n" for fid, label in cols)
    trs = []
    for i, nid in enumerate(nids):
        node = site.nodes[nid]
        values = {
            "title": f'<a href="{url(node.path)}">{check_plain(node.title)}</a>',
            "field-ngay-dang": f'<span class="date-display-single">{_date(node)}</span>',
            "field-tac-gia": check_plain(node.row_author),
            "field-chuc-vu": check_plain(node.row_role),
        }
        rcls = ("odd" if i % 2 == 0 else "even") + (" views-row-first" if i == 0 else "") + (
            " views-row-last" if i == len(nids) - 1 else "")
        tds = "".join(f'          <td class="views-field views-field-{fid}" >\n'
                      f"            {values[fid]}          </td>\n" for fid, _ in cols)
        trs.append(f'      <tr class="{rcls}">\n{tds}      </tr>\n')
    return (f'<table  class="views-table cols-{len(cols)}">\n     <thead>\n      <tr>\n{ths}'
            f'      </tr>\n    </thead>\n    <tbody>\n{"".join(trs)}    </tbody>\n</table>\n')


def node_teaser(node: NodeData) -> str:
    """Bartik node.tpl.php with $teaser: linked h2, the teaser's fields, a read-more link."""
    alias, title = url(node.path), check_plain(node.title)
    d = node.created
    iso = f"{d.year:04d}-{d.month:02d}-{d.day:02d}T00:00:00+07:00"
    date_field = (
        '<div class="field field-name-field-ngay-dang field-type-datetime field-label-inline '
        'clearfix"><div class="field-label">Ngày Đăng :&nbsp;</div><div class="field-items">'
        '<div class="field-item even"><span class="date-display-single" property="dc:date" '
        f'datatype="xsd:dateTime" content="{iso}">{_date(node)}</span></div></div></div>')
    body = ('<div class="field field-name-body field-type-text-with-summary field-label-hidden">'
            '<div class="field-items"><div class="field-item even" property="content:encoded">'
            f"{_teaser_html(node)}</div></div></div>")
    return (
        f'<div id="node-{node.nid}" class="node node-article node-promoted node-teaser '
        f'clearfix" about="{alias}" typeof="sioc:Item foaf:Document">\n\n        \n'
        f'    <h2>\n      <a href="{alias}">{title}</a>\n    </h2>\n'
        f'    <span property="dc:title" content="{title}" class="rdf-meta element-hidden">'
        '</span><span property="sioc:num_replies" content="0" datatype="xsd:integer" '
        'class="rdf-meta element-hidden"></span>\n\n'
        f'  <div class="content clearfix">\n    {date_field}{body}  </div>\n\n'
        '      <div class="link-wrapper">\n      <ul class="links inline"><li class="node-readmore'
        f' first last"><a href="{alias}" rel="tag" title="{title}">Xem thêm<span '
        f'class="element-invisible"> về {title}</span></a></li>\n</ul>    </div>\n  \n  \n</div>\n')


def _views_teasers(site: Site, nids: list[int]) -> str:
    """Views unformatted with the "Content" row plugin: each row a rendered node teaser."""
    n = len(nids)
    return "".join(f'  <div class="{_row_classes(i, n)}">\n    {node_teaser(site.nodes[nid])}'
                   "  </div>\n" for i, nid in enumerate(nids))


def _popular_block(site: Site) -> str:
    """A "Tin xem nhiều" Views block in the content region, after the main block: its rows
    are not the section's."""
    nids = sorted(site.nodes)[-4:]
    n = len(nids)
    rows = "".join(
        f'  <div class="{_row_classes(i, n)}">\n    <div class="views-field views-field-title">'
        f'        <span class="field-content"><a href="{url(site.nodes[nid].path)}">'
        f"{check_plain(site.nodes[nid].title)}</a></span>  </div>  </div>\n"
        for i, nid in enumerate(nids) if site.nodes[nid].kind == "article")
    view = (f'<div class="view view-tin-xem-nhieu view-id-tin_xem_nhieu view-display-id-block '
            f'view-dom-id-{_dom_id("popular")}">\n      <div class="view-content">\n{rows}'
            "    </div>\n  </div>")
    return _block("views-tin-xem-nhieu-block", "views", "Tin xem nhiều", view)


def render_variant_listing(site: Site, section: str, page: int, now: dt.datetime) -> str:
    """A section page as the variant's Views style, or as core's term page of teasers."""
    nids = site.listings[section]
    size = site.page_size
    total = max(1, -(-len(nids) // size))
    rows = nids[page * size:(page + 1) * size]
    base, current = url(site.sections[section]), min(page, total - 1)
    pager = (mini_pager(base, current, total) if site.variant.pager == "mini"
             else theme_pager(base, current, total, labels=PAGER_LABELS))
    tid = SECTION_TIDS[section]
    style = site.variant.listing
    if style == "teaser":
        heading = (f'<div class="term-listing-heading"><div id="taxonomy-term-{tid}" '
                   'class="taxonomy-term vocabulary-chuyen-muc">\n\n  \n  <div class="content">'
                   "\n      </div>\n\n</div>\n</div>")
        teasers = "".join(node_teaser(site.nodes[nid]) for nid in rows) or (
            "<p>Không có nội dung nào được phân loại với thuật ngữ này.</p>")
        content = (_block("system-main", "system", "", heading + teasers + pager)
                   + _popular_block(site))
    else:
        render = {"list": _list, "grid": _grid, "table": _table,
                  "views_teaser": _views_teasers}.get(style, _unformatted)
        body = (f'      <div class="view-content">\n{render(site, rows)}    </div>\n' if rows
                else '      <div class="view-empty">\n      <p>Chưa có bài viết nào trong '
                     "chuyên mục này.</p>    </div>\n")
        view_name = "tin_tuc" if section == NEWS else "thong_tin_trao_doi"
        view = (f'<div class="view view-{view_name.replace("_", "-")} view-id-{view_name} '
                f'view-display-id-page view-dom-id-{_dom_id((section, page))}">\n        \n'
                + body + "  \n      " + pager + "\n  \n</div>")
        content = _block("system-main", "system", "", view) + _popular_block(site)
    title = check_plain(section)
    return html_page(
        title=title, head_title=f"{title} | Trường Chính trị tỉnh Bến Tre",
        body_classes=("html not-front not-logged-in one-sidebar sidebar-first page-taxonomy "
                      f"page-taxonomy-term page-taxonomy-term- page-taxonomy-term-{tid}"),
        content=content, now=now, active=site.sections[section])
