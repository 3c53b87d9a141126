"""One fetched HTML page read with the generic rules: links, teasers, and the article fields.

The article is read from its content region: the page without chrome (menus, banners, clocks,
counters, widgets), then the smallest block around the article heading that holds most of the
page's non-link text, so sidebar portlets stay out. The title is that heading (never the site
name's <h1>); the date the one printed nearest the title, never a clock (scrapers/
generic_dates.py); the author a byline, never the CMS account
that posted the article.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from pipelines.article import split_byline
from pipelines.dates import is_render_clock
from pipelines.items import ArticleItem
from pipelines.text import is_boilerplate, shield_soft_hyphens, strip_counters
from scrapers.extract import drop_repeats, text_blocks
from scrapers.generic_clean import (
    categories,
    document,
    inside,
    inside_any,
    links_away,
    prose_len,
    selector,
    without_chrome,
)
from scrapers.generic_dates import article_date, clock_strings
from scrapers.generic_rules import (
    AUTHOR_LABEL_RE,
    AUTHOR_QUERIES,
    DATE_LABEL_RE,
    LISTING_LINKS,
    POSTER_LINE_RE,
    RELATED_HEADINGS,
    SOURCE_LINE_RE,
    TEXT_MIN,
    TITLE_MIN,
    date_line,
    fetch_time,
    find_date,
    is_widget_line,
    norm,
    strip_title_suffix,
)

if TYPE_CHECKING:
    from scrapy.http import Response

    from scrapers.platforms.generic import GenericSpider

# The article block holds at least this share of the content region's prose.
_BLOCK_SHARE = 0.8
_HEADINGS = "//h1 | //h2 | //h3 | //*[@itemprop='headline']"


class GenericPage:
    """One fetched HTML page read with the generic rules."""

    def __init__(self, spider: GenericSpider, response: Response, root: Any) -> None:
        self.spider = spider
        self.response = response
        self.now = fetch_time(response.headers.get("Date"))
        for form in root.iter("form"):  # ASP.NET wraps the page in one; text_blocks skips forms
            if len(norm(form.text_content())) < 400 and not form.xpath(".//h1 | .//h2"):
                form.set("data-luutru-widget", "1")  # a rating/vote/search form
            form.tag = "div"
        self.root = root
        self.main = without_chrome(root)
        self._links: list[tuple[str, bool]] | None = None
        self._anchors: dict[str, list[Any]] = {}
        self._heading: tuple[str, Any] | None = None

    # -- links -------------------------------------------------------------------------------

    def links(self) -> list[tuple[str, bool]]:
        """(URL, is an article candidate) for every same-host link worth fetching, in order.

        Links from the whole page count (menus lead to sections); a link is an article
        candidate when its URL has an article shape or it reads like a title in the content.
        """
        if self._links is not None:
            return self._links
        content_titles: dict[str, str] = {}
        for a in self.main.iter("a"):
            url = self._url(a.get("href"))
            if url:
                text = norm(a.text_content()) or norm(a.get("title") or "")
                if len(text) >= TITLE_MIN and len(text) > len(content_titles.get(url, "")):
                    content_titles[url] = text
                self._anchors.setdefault(url, []).append(a)
        found: dict[str, bool] = {}
        for a in self.root.iter("a"):
            url = self._url(a.get("href"))
            if not url or url == self.response.url:
                continue
            candidate = url in content_titles or self.spider.is_article_url(url)
            found[url] = found.get(url, False) or candidate
        self._links = list(found.items())
        return self._links

    def _url(self, href: str | None) -> str | None:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        return self.spider.normalise(self.response.urljoin(href))

    def teaser_links(self, within: Any = None) -> int:
        """Distinct title-like links in the content area (or a block of it): many make a
        listing."""
        self.links()
        count = 0
        for url, anchors in self._anchors.items():
            if url == self.response.url:
                continue
            if any(len(norm(a.text_content())) >= TITLE_MIN and (
                    within is None or inside(a, within)) for a in anchors):
                count += 1
        return count

    def teaser(self, url: str) -> dict[str, Any]:
        """Facts from the teaser row that links `url`: its title and a date printed in it."""
        anchors = self._anchors.get(url, [])
        if not anchors:
            return {}
        anchor = max(anchors, key=lambda a: len(norm(a.text_content())))
        row = anchor
        for _ in range(6):
            parent = row.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            others = {
                u for a in parent.iter("a")
                if (u := self._url(a.get("href"))) and u != url
                and (len(norm(a.text_content())) >= TITLE_MIN or self.spider.is_article_url(u))
            }
            if others:
                break
            row = parent
        text = " ".join(text_blocks(selector(row)))
        facts: dict[str, Any] = {"title_raw": norm(anchor.text_content())}
        date = find_date(text, labelled_only=True, now=self.now) or find_date(
            text, labelled_only=False, now=self.now)
        if date:
            facts["date_raw"] = date
        return facts

    def heading(self) -> str:
        """The page's own heading (a section name on a listing), not the site name."""
        for h in self.main.xpath("//h1 | //h2"):
            text = norm(h.text_content())
            if 2 <= len(text) <= 120 and not self.spider.is_site_heading(text) \
                    and not links_away(h):
                return text
        return ""

    def site_headings(self) -> list[str]:
        """Headings that link nowhere but home (site name, section names), for the spider to
        learn which headings every page repeats."""
        return [norm(h.text_content()) for h in self.root.xpath("//h1 | //h2")
                if norm(h.text_content()) and not links_away(h)]

    def title_parts(self) -> list[str]:
        """The <title> split at its separators (`Title - category - school`)."""
        from scrapers.generic_rules import TITLE_SEP_RE

        return [norm(p) for p in TITLE_SEP_RE.split(self._html_title()) if norm(p)]

    def _html_title(self) -> str:
        return norm(" ".join(self.root.xpath("//title//text()")))

    # -- title and content region -----------------------------------------------------------

    def _site_names(self) -> set[str]:
        names = {norm(s) for s in self.root.xpath("//meta[@property='og:site_name']/@content")}
        return {n for n in names if n} | self.spider.title_suffixes()

    def title_heading(self) -> tuple[str, Any]:
        """(title, heading element or None): the article heading nearest the body in the
        content region, matched against og:title / <title> without their suffixes."""
        if self._heading is not None:
            return self._heading
        suffixes = self._site_names()
        names = {s.casefold() for s in suffixes}
        metas = [strip_title_suffix(norm(t), suffixes) for t in (
            *self.root.xpath("//meta[@property='og:title']/@content"), self._html_title())]
        metas = [m.casefold() for m in metas if len(m) >= 5]
        # Parts of <title> after the first name the site or a section, never the article.
        names |= {p.casefold() for p in self.title_parts()[1:]}
        cands = []
        for h in self.main.xpath(_HEADINGS):
            text = norm(h.text_content())
            key = text.casefold()
            if len(text) < 5 or len(text) > 400 or key in names or links_away(h) \
                    or self.spider.is_site_heading(text) or RELATED_HEADINGS.match(text):
                continue
            cands.append((text, h))
        chosen: tuple[str, Any] | None = None
        for text, h in cands:
            key = text.casefold()
            if any(key == m or (len(key) >= 10 and m.startswith(key)) for m in metas):
                chosen = (text, h)
                break
        if chosen is None and cands:
            chosen = self._nearest_body(cands)
        if chosen is None:
            raw = [strip_title_suffix(norm(t), suffixes) for t in (
                *self.root.xpath("//meta[@property='og:title']/@content"), self._html_title())]
            text = next((t for t in raw if len(t) >= 5), "")
            chosen = (text, None)
        self._heading = chosen
        return chosen

    def _nearest_body(self, cands: list[tuple[str, Any]]) -> tuple[str, Any]:
        """The last candidate heading before the first long run of non-link text."""
        order = {id(h): i for i, (_, h) in enumerate(cands)}
        last = cands[0]
        for el in self.main.iter():
            if id(el) in order:
                last = cands[order[id(el)]]
            elif el.tag in ("p", "div", "td") and len(norm(el.text or "")) >= 100 \
                    and not inside_any(el, "a"):
                break
        return last

    def title(self) -> str:
        return self.title_heading()[0]

    def block(self) -> Any:
        """The article block: the heading's smallest ancestor holding most of the content
        region's non-link text (the whole content region when there is no heading)."""
        heading = self.title_heading()[1]
        if heading is None:
            return self.main
        body = self.main.find("body")
        total = prose_len(body if body is not None else self.main)
        own = prose_len(heading)
        el = heading
        while True:
            parent = el.getparent()
            if parent is None or parent.tag == "html":
                return el
            el = parent
            if el.tag == "body":
                return el
            prose = prose_len(el) - own
            if prose >= TEXT_MIN and prose >= _BLOCK_SHARE * (total - own):
                return el

    # -- articles ----------------------------------------------------------------------------

    def body(self, title: str) -> list[str]:
        import trafilatura

        def extract(tree: Any, *, favor_recall: bool = False, favor_precision: bool = False
                    ) -> str:
            # trafilatura deletes U+00AD, which is TCVN3's `ư` before the legacy repair.
            return trafilatura.extract(
                shield_soft_hyphens(tree), favor_recall=favor_recall,
                favor_precision=favor_precision, include_comments=False, include_tables=True,
                include_images=False, include_links=False, deduplicate=False,
                output_format="txt") or ""

        text = ""
        block = self.block()
        if block is not self.main:  # a tight block: recall keeps a sapo outside the body
            text = extract(document(block), favor_recall=True)
        if len(text) < TEXT_MIN:  # the whole content region: precision keeps chrome out
            text = extract(copy.deepcopy(self.main), favor_precision=True)
            if len(text) < TEXT_MIN:
                text = extract(copy.deepcopy(self.main), favor_recall=True) or text
        lines = drop_repeats([norm(line) for line in text.split("\n")])
        title_key = title.casefold()
        out: list[str] = []
        for line in lines:
            if not line or line.casefold() == title_key or is_boilerplate(line):
                continue
            bare = strip_counters(line)  # `Lượt xem: 2311 | In bài viết`
            if not bare or is_widget_line(line) or is_widget_line(bare) or SOURCE_LINE_RE.match(
                    line):
                continue  # rating/share/print/comment widgets, the posting account, `Nguồn:`
            if is_render_clock(line) or (
                    len(line) < 90 and find_date(line, labelled_only=True, now=self.now)
                    and len(DATE_LABEL_RE.sub("", line)) < 40):
                continue  # a date line printed above the body
            if len(line) < 60 and (found := find_date(line, labelled_only=False, now=self.now)) \
                    and date_line(line, found):
                continue  # `06/02/2020 • lượt xem: 476`
            if RELATED_HEADINGS.match(line):
                continue
            out.append(line)
        return out

    def clock_strings(self) -> set[str]:
        """Date strings in the page chrome within a day of the fetch time: its clock."""
        return clock_strings(self)

    def date(self, title: str, listing: dict[str, Any]) -> tuple[str | None, str]:
        """(raw date, source): the date printed nearest the title (scrapers/generic_dates.py)."""
        return article_date(self, title, listing)

    def author(self, paragraphs: list[str]) -> tuple[str, list[str]]:
        """A byline from a labelled line at either end of the body, or a byline element;
        never the account that posted the article (`Viết bởi`, `Submitted by`, `Gửi bởi`)."""
        for index in (*range(min(2, len(paragraphs))),
                      *range(len(paragraphs) - 1, max(len(paragraphs) - 3, -1), -1)):
            match = AUTHOR_LABEL_RE.match(paragraphs[index])
            if match and len(paragraphs[index]) < 100:
                rest = paragraphs[:index] + paragraphs[index + 1:]
                return match.group("name").strip(" .:-"), rest
        if split_byline(paragraphs)[1]:
            return "", paragraphs  # a name line at either end: the article pipeline takes it
        sel = selector(self.main)
        queries = (*AUTHOR_QUERIES, "[itemprop='author'] [itemprop='name']", "[itemprop='author']")
        for query in queries:
            for value in sel.css(query):
                text = norm(value.xpath("string()").get(""))
                if POSTER_LINE_RE.match(text):
                    continue
                text = re.sub(r"^(?:Tác\s+giả\s*:?|By)\s*", "", text,
                              flags=re.IGNORECASE).strip(" :")
                if 2 <= len(text) <= 80:
                    return text, paragraphs
        return "", paragraphs

    def categories(self, title: str) -> list[str]:
        return categories(self.root, title)

    def canonical(self) -> str | None:
        """The page's rel=canonical, absolute, or None."""
        values = self.root.xpath("//link[@rel='canonical']/@href")
        return self.response.urljoin(values[0].strip()) if values and values[0].strip() else None

    def is_article(self) -> bool:
        """An article: a title and a main text, few teaser links in the article block."""
        spider, response = self.spider, self.response
        if spider.is_pager_url(response.url) and not spider.is_article_url(response.url):
            return False
        heading = self.title_heading()[1]
        teasers = self.teaser_links(self.block() if heading is not None else None)
        og_type = " ".join(self.root.xpath("//meta[@property='og:type']/@content")).lower()
        url_shape = spider.is_article_url(response.url)
        if teasers >= 2 and not url_shape and "article" not in og_type and (
                self._named_by_menu() or spider.is_site_heading(self.title())):
            return False  # a short listing: its heading is the section's menu entry
        return not (teasers >= LISTING_LINKS and "article" not in og_type and not (
            url_shape and teasers < 3 * LISTING_LINKS))

    def _named_by_menu(self) -> bool:
        """True when a link to this very page carries the page's heading (a menu entry)."""
        title = self.title().casefold()
        for a in self.root.iter("a"):
            if norm(a.text_content()).casefold() == title and self._url(
                    a.get("href")) == self.response.url:
                return True
        return False

    def article(self, listing: dict[str, Any]) -> ArticleItem | None:
        """An ArticleItem when this page is an article, else None (a hub)."""
        if not self.is_article():
            return None
        title = self.title() or listing.get("title_raw", "")
        paragraphs = self.body(title)
        if not title or sum(len(p) for p in paragraphs) < TEXT_MIN:
            return None
        author, paragraphs = self.author(paragraphs)
        date_raw, date_source = self.date(title, listing)
        categories = self.categories(title)
        if listing.get("section") and listing["section"] not in categories:
            categories.insert(0, listing["section"])
        canonical = self.canonical()
        shortlink = self.root.xpath("//link[@rel='shortlink']/@href")
        node = re.search(r"/node/(\d+)", (shortlink or [""])[0] or self.response.url)
        return self.spider.article_item(
            self.response,
            canonical=canonical,
            shortlink=shortlink[0] if shortlink else None,
            node_id=int(node.group(1)) if node else None,
            title_raw=title,
            paragraphs_raw=paragraphs,
            author_raw=author,
            role_raw="",
            categories=categories,
            date_raw=date_raw,
            date_source=date_source if date_raw else None,
            listing_url=listing.get("listing_url"),
        )
