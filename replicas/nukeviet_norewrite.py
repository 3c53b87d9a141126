# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""A NukeViet 4 school site WITHOUT URL rewrite, from the stock `default` theme templates.

Bắc Giang's facts (sites.md §0 #12, §1.11: NukeViet, `Thứ hai - 10/02/2025 16:20`, print and
savefile views) on a site whose rewrite is off, so every link is the query form NukeViet builds
before `nv_url_rewrite`: `/index.php?language=vi&nv=news&op=<cat>/<slug>-<id>`; listings
`op=<cat>` and `op=<cat>/page-N`; print and save views `op=print/...` / `op=savefile/...`.
Older "related" links use the rewritten form `/vi/news/<cat>/<slug>-<id>.html`, which the site
still answers with a rel=canonical to the query form.

Markup from the stock templates (read in nukeviet/nukeviet `themes/default`): the theme's header
(`site_name_h1` when the module content has no <h1>, else `site_name_span`), viewcat_page.tpl
rows (featured `h2`, then `h3`, `publtime` as `d/m/Y h:i:s A`, `Đã xem: N`), detail.tpl (hidden
schema.org author, which falls back to the posting account; `l - d/m/Y H:i`; hometext;
`#news-bodyhtml`; `Tác giả:` / `Nguồn tin:` block; keywords; the rating form with
`Tổng số điểm của bài viết là: x trong y đánh giá`, `Xếp hạng: x - y phiếu bầu` and the five
star titles; social buttons; "Những tin mới hơn / cũ hơn"), print.tpl. The theme is customised
the way school sites are: a header clock printed in the SAME format as article dates
(`Thứ năm - 03/12/2026 14:45`, render time) above the breadcrumbs, and a visitor counter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_LOWER,
    Draft,
    Facts,
    ReplicaArticle,
    ReplicaSite,
    ascii_slug,
    esc,
    generate,
    split_target,
)

NEWS, RESEARCH = "Tin hoạt động", "Nghiên cứu - Trao đổi"
CATS = {NEWS: "tin-hoat-dong", RESEARCH: "nghien-cuu-trao-doi"}
BAC_GIANG = Facts(
    slug="bac_giang_norewrite", school="Trường Chính trị tỉnh Bắc Giang", province="Bắc Giang",
    sections=[NEWS, RESEARCH], start=dt.date(2019, 3, 4), end=dt.date(2025, 6, 20),
    essayists=[("ThS. Nguyễn Văn Hưng", "Trưởng khoa Xây dựng Đảng"),
               ("TS. Đỗ Thị Hà", "Phó Hiệu trưởng"),
               ("ThS. Thân Văn Tuấn", "Giảng viên Khoa Lý luận cơ sở")],
    reporters=[("Minh Phương", "Phòng Quản lý đào tạo"), ("Hoàng Anh", "Văn phòng")],
    leader="đồng chí Hiệu trưởng Trường Chính trị tỉnh Bắc Giang",
    places=["huyện Lục Nam", "huyện Yên Thế", "huyện Lạng Giang", "thành phố Bắc Giang",
            "huyện Hiệp Hòa", "thị xã Việt Yên"],
    essay_sections=[RESEARCH],
    other_schools=["Trường Chính trị tỉnh Bắc Ninh", "Trường Chính trị tỉnh Thái Nguyên"],
)
POSTER = "Quản trị viên"  # the account that posts every article (nv_show_name_user)
STARS = ("Bài viết rất kém", "Bài viết kém", "Bài viết đạt", "Bài viết tốt", "Bài viết rất tốt")


def publtime(when: dt.datetime) -> str:
    """detail.tpl's `nv_date('l - d/m/Y H:i')`: `Thứ hai - 10/02/2025 16:20`."""
    return f"{WEEKDAYS_LOWER[when.weekday()]} - {when:%d/%m/%Y %H:%M}"


@dataclass
class Entry:
    id: int
    draft: Draft
    cat: str
    slug: str
    byline: str  # "end" (right-aligned name/role), "field" (Tác giả:), "none" (unsigned)
    source: str = ""  # `Nguồn tin:` of a repost

    @property
    def op(self) -> str:
        return f"{self.cat}/{self.slug}-{self.id}"

    def link(self, view: str = "") -> str:
        op = f"{view}/{self.op}" if view else self.op
        return f"/index.php?language=vi&nv=news&op={op}"

    @property
    def rewritten(self) -> str:
        return f"/vi/news/{self.op}.html"


@dataclass
class NoRewriteSite(ReplicaSite):
    slug: str
    name: str
    entries: dict[int, Entry]
    articles: list[ReplicaArticle]
    page_size: int = 6
    sections: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sections = {s: f"/index.php?language=vi&nv=news&op={c}" for s, c in CATS.items()}
        self._ops = {e.op.lower(): e for e in self.entries.values()}

    def listing(self, section: str) -> list[Entry]:
        return sorted((e for e in self.entries.values() if e.draft.section == section),
                      key=lambda e: e.draft.when, reverse=True)

    # -- routing ---------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, query = split_target(target)
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Powered-By": "PHP/7.4.33"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n", {}
        if path.startswith("/vi/news/") and path.endswith(".html"):
            entry = self._ops.get(path[len("/vi/news/"):-len(".html")].lower())
            if entry is not None:
                return 200, HTML, self.detail(entry, now).encode(), headers
        if path in ("/", "/index.php") and query.get("nv", ["news"])[0] == "news":
            op = query.get("op", [""])[0].strip("/")
            view, _, rest = op.partition("/")
            if view in ("print", "savefile") and rest.lower() in self._ops:
                return 200, HTML, self.print_view(self._ops[rest.lower()], view).encode(), headers
            if op.lower() in self._ops:
                return 200, HTML, self.detail(self._ops[op.lower()], now).encode(), headers
            page = 1
            if "/page-" in op:
                op, _, num = op.partition("/page-")
                page = int(num) if num.isdigit() else 1
            for section, cat in CATS.items():
                if op == cat:
                    return 200, HTML, self.viewcat(section, page, now).encode(), headers
            if not op:
                return 200, HTML, self.viewcat(None, 1, now).encode(), headers
        body = self.layout("Lỗi", '<div class="alert alert-danger">Không tìm thấy nội dung bạn yêu cầu!</div>', now, [])
        return 404, HTML, body.encode(), headers

    # -- layout ----------------------------------------------------------------------------

    def layout(self, title: str, content: str, now: dt.datetime, crumbs: list[tuple[str, str]],
               head: str = "") -> str:
        home = "/index.php?language=vi"
        menu = "".join(f'<li><a title="{esc(n)}" href="{esc(p)}">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        crumb = "".join(f'<li><a href="{esc(p)}" title="{esc(n)}"><span class="txt">{esc(n)}</span></a></li>'
                        for n, p in crumbs)
        name = esc(self.name)
        site_name = (f'<span class="site_name">{name}</span>' if "<h1" in content
                     else f"<h1>{name}</h1><h2>Đào tạo, bồi dưỡng cán bộ</h2>")
        latest = sorted(self.entries.values(), key=lambda e: e.draft.when, reverse=True)[:5]
        block_news = "".join(
            f'<li class="clearfix"><a href="{esc(e.link())}" title="{esc(e.draft.title)}">{esc(e.draft.title)}</a></li>'
            for e in latest)
        return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{esc(title)} - {name}</title>
<meta name="description" content="{esc(title)}">
<meta name="generator" content="NukeViet v4.4">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:site_name" content="{name}">
{head}
<link rel="StyleSheet" href="/themes/default/css/style.css">
</head>
<body>
<div class="body-bg"><div class="wraper">
<div class="section-header"><div class="wraper"><div id="header-top">
  <div class="logo"><a title="{name}" href="{home}"><img src="/uploads/logo.png" alt="{name}"></a>{site_name}</div>
</div></div></div>
<div class="section-nav"><div class="wraper"><div class="second-nav" id="menusite"><ul class="nav navbar-nav">{menu}</ul></div></div></div>
<div class="section-body"><div class="wraper"><section><div class="container" id="body">
  <div class="third-nav"><div class="row"><div class="bg"><div class="clearfix">
    <div class="col-xs-24 col-sm-18 col-md-18">
      <div class="toptime">{publtime(now)}</div>
      <div class="breadcrumbs-wrap"><ul class="breadcrumbs list-none"><li><a href="{home}" title="Trang nhất"><span>Trang nhất</span></a></li>{crumb}</ul></div>
    </div>
  </div></div></div></div>
  <div class="row">
    <div class="col-sm-16 col-md-18">{content}</div>
    <div class="col-sm-8 col-md-6">
      <div class="panel panel-primary"><div class="panel-heading">Tin mới</div><div class="panel-body"><ul class="block_news list-none list-items">{block_news}</ul></div></div>
      <div class="panel panel-primary"><div class="panel-heading">Thống kê truy cập</div><div class="panel-body">
        <ul class="list-none display-table"><li><span><em class="fa fa-bolt fa-lg fa-horizon"></em>Đang truy cập</span><span>{now.minute % 9 + 2}</span></li>
        <li><span><em class="fa fa-filter fa-lg fa-horizon"></em>Hôm nay</span><span>{now.hour * 13}</span></li>
        <li><span><em class="fa fa-calendar-o fa-lg fa-horizon"></em>Tháng hiện tại</span><span>{now.day * 311}</span></li>
        <li><span><em class="fa fa-bars fa-lg fa-horizon"></em>Tổng lượt truy cập</span><span>{812345 + now.day}</span></li></ul>
      </div></div>
    </div>
  </div>
</div></section></div></div>
<div class="section-footer"><div class="wraper"><div class="footer-info"><p>© {name}</p><p>Địa chỉ: {esc(BAC_GIANG.province)}</p></div></div></div>
</div></div>
</body>
</html>
"""

    # -- pages -----------------------------------------------------------------------------

    def viewcat(self, section: str | None, page: int, now: dt.datetime) -> str:
        """viewcat_page.tpl: the newest row featured (h2), the rest as h3 rows."""
        entries = self.listing(section) if section else sorted(
            self.entries.values(), key=lambda e: e.draft.when, reverse=True)[: self.page_size]
        pages = max(1, -(-len(entries) // self.page_size)) if section else 1
        chunk = entries[(page - 1) * self.page_size: page * self.page_size]
        rows = []
        for i, e in enumerate(chunk):
            tag = "h2" if i == 0 and page == 1 else "h3"
            cls = "panel-body featured" if tag == "h2" else "panel-body"
            t = esc(e.draft.title)
            rows.append(f"""<div class="panel panel-default"><div class="{cls}">
  <a href="{esc(e.link())}" title="{t}"><img alt="{t}" src="/assets/news/{e.draft.when:%Y_%m}/anh-{e.id}.jpg" width="100" class="img-thumbnail pull-left imghome"></a>
  <{tag}><a href="{esc(e.link())}" title="{t}">{t}</a></{tag}>
  <div class="text-muted"><ul class="list-unstyled list-inline">
    <li><em class="fa fa-clock-o">&nbsp;</em> {e.draft.when.strftime("%d/%m/%Y %I:%M:%S %p")}</li>
    <li><em class="fa fa-eye">&nbsp;</em> Đã xem: {100 + e.id * 7 % 900}</li>
  </ul></div>
  {esc(e.draft.paragraphs[0][:160])}
</div></div>""")
        pager = ""
        if section and pages > 1:
            base = self.sections[section]
            items = "".join(
                f'<li class="active"><a href="#">{p}</a></li>' if p == page else
                f'<li><a href="{esc(base if p == 1 else f"{base}/page-{p}")}">{p}</a></li>'
                for p in range(1, pages + 1))
            pager = f'<div class="text-center"><ul class="pagination">{items}</ul></div>'
        content = f'<div class="news_column">{"".join(rows)}</div>{pager}'
        crumbs = [(section, self.sections[section])] if section else []
        return self.layout(section or "Trang chủ", content, now, crumbs)

    def bodyhtml(self, e: Entry) -> str:
        d = e.draft
        out = [f'<p style="text-align: justify;">{esc(p)}</p>' for p in d.paragraphs[1:]]
        if e.byline == "end" and d.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        return "\n".join(out)

    def detail(self, e: Entry, now: dt.datetime) -> str:
        d = e.draft
        t = esc(d.title)
        schema_author = d.author if e.byline == "field" else POSTER
        author = ""
        if e.byline == "field" or e.source:
            author = '<div class="margin-bottom-lg">'
            if e.byline == "field":
                author += f'<p class="h5 text-right"><strong>Tác giả: </strong>{esc(d.author)}</p>'
            if e.source:
                author += f'<p class="h5 text-right"><strong>Nguồn tin: </strong>{esc(e.source)}</p>'
            author += "</div>"
        siblings = self.listing(d.section)
        idx = siblings.index(e)

        def lis(items: list[Entry]) -> str:
            return "".join(
                f'<li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="{esc(x.rewritten if x.id % 2 else x.link())}" title="{esc(x.draft.title)}">{esc(x.draft.title)}</a></h4><em>({x.draft.when:%d/%m/%Y})</em></li>'
                for x in items)

        newer, older = siblings[max(0, idx - 3):idx], siblings[idx + 1:idx + 4]
        others = ""
        if newer:
            others += f'<p class="h3"><strong>Những tin mới hơn</strong></p><div class="clearfix"><ul class="detail-related related list-none list-items">{lis(newer)}</ul></div>'
        if older:
            others += f'<p class="h3"><strong>Những tin cũ hơn</strong></p><div class="clearfix"><ul class="detail-related related list-none list-items">{lis(older)}</ul></div>'
        total, clicks = e.id % 7 * 3 + 4, e.id % 5 + 1
        stars = "".join(f'<input class="hover-star required" type="radio" value="{i + 1}" title="{s}"/>'
                        for i, s in enumerate(STARS))
        content = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
  <div class="panel-body">
    <h1 class="title margin-bottom-lg" itemprop="headline">{t}</h1>
    <div class="hidden hide d-none" itemprop="author" itemtype="http://schema.org/Person" itemscope><span itemprop="name">{esc(schema_author)}</span></div>
    <span class="hidden hide d-none" itemprop="datePublished">{d.when.isoformat()}</span>
    <div class="row margin-bottom-lg">
      <div class="col-md-12"><span class="h5">{publtime(d.when)}</span></div>
      <div class="col-md-12"><ul class="list-inline text-right">
        <li><a class="dimgray" rel="nofollow" title="In ra" href="javascript: void(0)" onclick="nv_open_browse('{esc(e.link('print'))}','{t}',840,500,'resizable=yes');return false"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
        <li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{esc(e.link('savefile'))}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
      </ul></div>
    </div>
    <div class="clearfix"><div class="hometext m-bottom" itemprop="description">{esc(d.paragraphs[0])}</div></div>
    <div id="news-bodyhtml" class="bodytext margin-bottom-lg">{self.bodyhtml(e)}</div>
    {author}
  </div>
</div>
<div class="news_column panel panel-default"><div class="panel-body"><div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Tags: </strong><a title="đào tạo" href="/index.php?language=vi&amp;nv=news&amp;op=tag/dao-tao"><em>đào tạo</em></a></div></div></div>
<div class="news_column panel panel-default"><div class="panel-body"><form id="form3B" action="">
  <div class="h5 clearfix"><p id="stringrating">Tổng số điểm của bài viết là: {total} trong {clicks} đánh giá</p>
  <span itemscope itemtype="https://schema.org/AggregateRating">Xếp hạng: <span id="numberrating" itemprop="ratingValue">{round(total / clicks, 1)}</span> - <span id="click_rating" itemprop="ratingCount">{clicks}</span> phiếu bầu</span>
  <div style="padding: 5px;">{stars}<span id="hover-test" style="margin: 0 0 0 20px;">Click để đánh giá bài viết</span></div></div>
</form></div></div>
<div class="news_column panel panel-default"><div class="panel-body" style="margin-bottom:0"><div style="display:flex;align-items:flex-start;">
  <div class="margin-right"><div class="fb-like" data-layout="button_count" data-action="like" data-share="true"></div></div>
  <div class="margin-right"><a href="http://twitter.com/share" class="twitter-share-button">Tweet</a></div>
</div></div></div>
<div class="news_column panel panel-default"><div class="panel-body other-news">{others}</div></div>"""
        head = (f'<meta property="og:title" content="{t}">\n<meta property="og:type" content="article">\n'
                f'<meta property="article:published_time" content="{d.when:%Y-%m-%dT%H:%M:%S}">\n'
                f'<link rel="canonical" href="{esc(e.link())}">')
        return self.layout(d.title, content, now, [(d.section, self.sections[d.section])], head)

    def print_view(self, e: Entry, view: str) -> str:
        """print.tpl (the savefile view carries a canonical, the print view none)."""
        d = e.draft
        t = esc(d.title)
        canonical = f'<link rel="canonical" href="{esc(e.link())}">' if view == "savefile" else ""
        return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{t}</title>
<meta property="og:description" content="{"Savefile" if view == "savefile" else "Print"} - Tin Tức - {esc(e.link())}">{canonical}
</head><body><div id="print">
  <div id="hd_print"><h2 class="pull-left">{esc(self.name)}</h2><p class="pull-right"><a href="/">http://truongchinhtribg.gov.vn</a></p></div>
  <div class="clear"></div><hr />
  <div id="content"><h1>{t}</h1>
    <ul class="list-inline"><li>{publtime(d.when)}</li><li class="hidden-print txtrequired"><a title="In ra" href="javascript:;" onclick="window.print()">In ra</a></li><li class="hidden-print txtrequired"><a title="Đóng cửa sổ này" href="javascript:;" onclick="window.close()">Đóng cửa sổ này</a></li></ul>
    <div id="hometext">{esc(d.paragraphs[0])}</div>
    <div id="bodytext" class="clearfix">{self.bodyhtml(e)}</div>
  </div>
</div></body></html>
"""


def build_site(n_articles: int = 24, seed: int = 7) -> NoRewriteSite:
    """The replica: `n_articles` articles, one published a few hours ago (a date within a day
    of the header clock that is the article's own)."""
    now = dt.datetime.now(VN_TZ).replace(second=0, microsecond=0)
    fresh = Draft(NEWS, "Trường Chính trị tỉnh Bắc Giang khai giảng lớp bồi dưỡng cán bộ trẻ",
                  now - dt.timedelta(hours=5, minutes=17),
                  ["Sáng nay, Trường Chính trị tỉnh Bắc Giang tổ chức khai giảng lớp bồi dưỡng "
                   "kiến thức cho cán bộ trẻ năm nay.",
                   "Lớp học có 60 học viên là cán bộ trẻ của các sở, ban, ngành và địa phương "
                   "trong tỉnh.",
                   "Trong thời gian học tập, học viên được nghiên cứu các chuyên đề về lý luận "
                   "chính trị, kỹ năng lãnh đạo, quản lý."],
                  "Minh Phương", "Phòng Quản lý đào tạo", traps=["published_today"])
    drafts = generate(BAC_GIANG, n_articles, seed, [fresh])
    entries: dict[int, Entry] = {}
    articles: list[ReplicaArticle] = []
    for n, d in enumerate(sorted(drafts, key=lambda x: x.when)):
        i = 300 + n * 3
        byline = "none" if not d.author else ("field" if n % 3 == 0 else "end")
        source = "Báo Bắc Giang" if n % 5 == 2 else ""
        e = Entry(i, d, CATS[d.section], ascii_slug(d.title), byline, source)
        entries[i] = e
        articles.append(ReplicaArticle(
            path=e.link(), title=d.title, published=d.when, precision="minute",
            author=d.author if byline != "none" else "",
            role=d.role if byline == "end" else "", sections=d.sections,
            paragraphs=list(d.paragraphs), traps=sorted({*d.traps, f"byline_{byline}"}),
            duplicates=[e.link("print"), e.link("savefile"), e.rewritten]))
    return NoRewriteSite(slug=BAC_GIANG.slug, name=BAC_GIANG.school, entries=entries,
                         articles=articles)
