"""Page chrome removal and tree helpers for the generic page reader (`scrapers.generic_page`)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapers.generic_rules import (
    CHROME_TAGS,
    CHROME_TOKEN_RE,
    RELATED_HEADINGS,
    WIDGET_TOKEN_RE,
    classes,
    norm,
)


def without_chrome(root: Any) -> Any:
    """A copy of the page without related blocks, banners, menus, clocks, counters and
    rating/share/comment widgets."""
    tree = copy.deepcopy(root)
    for el in tree.xpath("//" + " | //".join(CHROME_TAGS) + " | //*[@data-luutru-widget]"):
        drop(el)
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.getparent() is None:
            continue
        if el.tag in ("header", "footer") and not el.xpath(".//h1") and not any(
            a.tag == "article" for a in el.iterancestors()):  # a page's, not an article's
            drop(el)
            continue
        tokens = classes(el)
        chrome = any(CHROME_TOKEN_RE.match(t) for t in tokens) or any(
            WIDGET_TOKEN_RE.search(t) for t in tokens)
        style = (el.get("style") or "").replace(" ", "").lower()
        if (chrome or "display:none" in style) and not el.xpath(".//h1") \
                and not is_main(el):
            drop(el)
    for heading in tree.xpath("//h2 | //h3 | //h4 | //h5 | //h6 | //strong | //span | //div"
                              "| //p | //b | //legend | //li"):
        if heading.getparent() is None or len(heading) > 2 or heading.xpath(
                "ancestor-or-self::a | .//a"):
            continue
        text = norm(heading.text_content())
        if not text or len(text) > 40 or not RELATED_HEADINGS.match(text):
            continue
        block = related_block(heading)
        if block is not None:
            drop(block)
    return tree


def selector(el: Any) -> Any:
    from parsel import Selector

    return Selector(root=el, type="html")


def document(el: Any) -> Any:
    """An element as a whole document, for trafilatura."""
    from lxml import html as lxml_html

    doc = lxml_html.fromstring("<html><body></body></html>")
    doc.find("body").append(copy.deepcopy(el))
    return doc


def plain_len(el: Any) -> int:
    """Length of an element's text that is not link text."""
    total = len(norm(el.text_content()))
    linked = sum(len(norm(a.text_content())) for a in el.iter("a"))
    return max(0, total - linked)


def inside(el: Any, ancestor: Any) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def inside_any(el: Any, tag: str) -> bool:
    return any(a.tag == tag for a in el.iterancestors())


def links_away(heading: Any) -> bool:
    """True for a heading that is a link to some page other than the home page (a teaser)."""
    for a in heading.xpath("ancestor-or-self::a | .//a"):
        path = unquote(urlsplit(a.get("href") or "").path).strip("/")
        query = urlsplit(a.get("href") or "").query
        if path not in ("", "vi", "index.php", "trang-chu", "web/trang-chu") or (
                query and "op=" in query):
            return True
    return False


def drop(el: Any) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail and tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def is_main(el: Any) -> bool:
    """True for an element that holds the main content (never removed as chrome)."""
    return el.tag in ("main", "article") or el.get("role") == "main" or el.get("id") in (
        "content", "main", "main-content", "page")


def related_block(heading: Any) -> Any:
    """The smallest ancestor of a related-links heading that holds the links, if it is a block
    of links (its own text is mostly link text) and not the article itself."""
    el = heading
    for _ in range(5):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html") or is_main(parent):
            return None
        el = parent
        links = el.xpath(".//a[@href]")
        if len(links) >= 2:
            if el.xpath(".//h1"):
                return None
            total = len(norm(el.text_content()))
            linked = sum(len(norm(a.text_content())) for a in links)
            heading_len = len(norm(heading.text_content()))
            return el if linked >= 0.5 * max(1, total - heading_len) else None
    return None


_PROSE_BLOCKS = frozenset(
    "p div td th li blockquote dd dt section article pre center figcaption h1 h2 h3 h4 h5 h6"
    .split())
# A run of inline text at least this long is prose (a paragraph), not a menu item or counter.
_PROSE_MIN = 60


def _inline_text(el: Any, parts: list[str]) -> None:
    """Text of an element's inline content, links and nested blocks left out."""
    parts.append(el.text or "")
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _PROSE_BLOCKS and child.tag != "a":
            _inline_text(child, parts)
        parts.append(child.tail or "")


def prose_len(el: Any) -> int:
    """Characters of prose under an element: paragraphs of non-link text, each at least
    `_PROSE_MIN` long. Sidebar boxes, menus and counters hold short pieces; articles prose."""
    total = 0
    for block in el.iter():
        if not isinstance(block.tag, str) or block.tag not in _PROSE_BLOCKS:
            continue
        parts: list[str] = []
        _inline_text(block, parts)
        n = len(norm(" ".join(parts)))
        if n >= _PROSE_MIN:
            total += n
    return total


def categories(root: Any, title: str) -> list[str]:
    """Section names the page prints: article:section, tags, breadcrumbs."""
    found: list[str] = []
    sel = selector(root)
    for value in sel.xpath("//meta[@property='article:section']/@content").getall():
        found.append(norm(value))
    for query in ("[rel~='dc:subject'] a", "a[rel~='tag']", ".itemCategory a",
                  ".field--name-field-tags a", ".field-name-field-chuyen-muc a",
                  ".field--name-field-chuyen-muc a", ".breadcrumb a", ".breadcrumbs a",
                  "[itemtype*='BreadcrumbList'] a"):
        for a in sel.css(query):
            text = norm(a.xpath("string()").get(""))
            if text and text.casefold() != title.casefold() and text.lower() not in (
                    "trang chủ", "home", "trang chu", "trang nhất"):
                found.append(text)
    return list(dict.fromkeys(f for f in found if f))
