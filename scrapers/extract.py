"""CMS-independent extraction helpers: page text split into blocks as a reader sees them."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector

from scrapers.css_prefilter import css, squeezed_text

# Elements that start a new block of text when rendered.
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol blockquote table tr td th pre section article "
    "header footer figure figcaption dl dt dd address center".split()
)
_SKIP_TAGS = frozenset("script style noscript iframe object embed form button select".split())
_NEWLINES = re.compile(r"\s*\n\s*")


def _inline(text: str) -> str:
    """Source line breaks are plain spaces in HTML; only <br> and blocks break lines."""
    return text.replace("\r", " ").replace("\n", " ")


def text_blocks(selector: Selector) -> list[str]:
    """Text of an element split at block boundaries and <br>, in document order.

    Paragraph structure matters to readers and to byline detection, so blocks are kept apart
    instead of being joined the way `string()` would join them.
    """
    root = selector.root
    if not isinstance(root, lxml_html.HtmlElement):
        return [t for t in (s.strip() for s in selector.xpath("string()").getall()) if t]
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).strip()
        current.clear()
        if "\n" in text:
            blocks.extend(part for part in _NEWLINES.split(text) if part)
        elif text:  # one line: nothing to split
            blocks.append(text)

    # An explicit stack, not recursion: pages nest 10,000 divs deep in the wild.
    stack: list[tuple[lxml_html.HtmlElement, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            if current and tag in _BLOCK_TAGS:
                flush()
            if el.tail:
                current.append(_inline(el.tail))
            continue
        if tag is None or tag in _SKIP_TAGS:  # comments, scripts...: only their tail is text
            if el.tail:
                current.append(_inline(el.tail))
            continue
        if current and tag in _BLOCK_TAGS:
            flush()
        if tag == "br":
            current.append("\n")
        elif tag != "img" and el.text:  # alt text and file names are not article text
            current.append(_inline(el.text))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush()
    return blocks


def first_text(selector: Selector, *queries: str) -> str:
    """The first non-empty text among queries tried in order (XPath when it starts with `/`,
    `(` or `./`)."""
    for query in queries:
        found = selector.xpath(query) if is_xpath(query) else css(selector, query)
        for value in found:
            text = (
                squeezed_text(value)
                if not isinstance(value.root, str)
                else value.root.strip()
            )
            if text:
                return text
    return ""


def is_xpath(query: str) -> bool:
    """Queries are CSS unless they start like an XPath (`//div`, `(//a)[1]`, `.//p`)."""
    return query.startswith(("/", "(", "./"))


def select_all(selector: Selector, query: str) -> list[Selector]:
    """Elements (or attribute values) for a CSS or XPath query."""
    return list(selector.xpath(query)) if is_xpath(query) else css(selector, query)


def all_values(selector: Selector, *queries: str) -> list[str]:
    """Every non-empty text or attribute value matched by any of the queries, in query order."""
    found: list[str] = []
    for query in queries:
        for value in select_all(selector, query):
            text = (
                value.root.strip()
                if isinstance(value.root, str)
                else squeezed_text(value)
            )
            if text:
                found.append(text)
    return found


def drop_repeats(paragraphs: list[str], min_len: int = 40) -> list[str]:
    """Drop a long paragraph printed a second time (a sapo repeated after the photo caption).

    Short lines (captions, "./.", bylines) may legitimately repeat and are kept.
    """
    seen: set[str] = set()
    out: list[str] = []
    for para in paragraphs:
        key = " ".join(para.split())
        if len(key) >= min_len and key in seen:
            continue
        seen.add(key)
        out.append(para)
    return out


# Files a body links to that are documents rather than pages.
_ATTACHMENT_PATH = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|txt|zip|rar|7z)$", re.IGNORECASE
)


def attachment_urls(base_url: str, parts: list[Selector]) -> list[str]:
    """Documents linked from, and images shown in, the given parts of a page: absolute, in
    document order, once each (the crawl downloads and keeps them with the article)."""
    found: list[str] = []
    for part in parts:
        for href in part.css("a::attr(href)").getall():
            url = urljoin(base_url, href.strip())
            if _ATTACHMENT_PATH.search(urlsplit(url).path):
                found.append(url)
        for src in part.css("img::attr(src)").getall():
            if src.strip() and not src.strip().startswith("data:"):
                found.append(urljoin(base_url, src.strip()))
    return [u for u in dict.fromkeys(found) if u.startswith(("http://", "https://"))]
