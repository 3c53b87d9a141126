"""CMS-independent extraction helpers: page text split into blocks as a reader sees them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from scrapers.css_prefilter import css, needed_classes, page_classes

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
    return element_blocks(root)


def element_blocks(root: etree._Element) -> list[str]:
    """`text_blocks` of an lxml element (no Selector needed)."""
    if not isinstance(root, lxml_html.HtmlElement):
        text = _STRING(root).strip()
        return [text] if text else []
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


_TRANSLATOR = HTMLTranslator()
_EXSLT = {"re": "http://exslt.org/regular-expressions", "set": "http://exslt.org/sets"}
_STRING = etree.XPath("string()", smart_strings=False)


@lru_cache(maxsize=2048)
def compiled(query: str) -> etree.XPath:
    """A CSS or XPath query compiled once, as parsel would evaluate it on an HTML page (its
    CSS translation, the EXSLT prefixes it names, plain strings)."""
    xpath = query if is_xpath(query) else _TRANSLATOR.css_to_xpath(query)
    namespaces = {prefix: uri for prefix, uri in _EXSLT.items() if f"{prefix}:" in xpath}
    try:
        return etree.XPath(xpath, namespaces=namespaces, smart_strings=False)
    except etree.XPathError as exc:
        raise ValueError(f"XPath error: {exc} in {xpath}") from exc


def _root_of(selector: Selector | Any) -> Any:
    """The lxml node behind a Selector (a Scrapy response stands for its page's selector)."""
    if isinstance(selector, etree._Element):
        return selector
    root = getattr(selector, "root", None)
    inner = getattr(selector, "selector", None)
    if root is None and isinstance(inner, Selector):
        root = inner.root
    return root


def values(selector: Selector | etree._Element | Any, query: str) -> list[Any]:
    """What a CSS or XPath query finds, as lxml gives it (elements, plain strings), without
    a Selector made for each: the family selectors evaluate ~30 queries an article, and the
    wrapping cost more than the search. The same answers, in the same order, as
    `selector.css/xpath(query)` (a CSS query needing a class the page lacks is not run)."""
    root = _root_of(selector)
    if not isinstance(root, etree._Element):
        return [value.root for value in select_all(selector, query)]
    if not is_xpath(query):
        groups = needed_classes(query)
        if groups and all(group and not group <= page_classes(root) for group in groups):
            return []
    try:
        result = compiled(query)(root)
    except etree.XPathError as exc:
        raise ValueError(f"XPath error: {exc} in {query}") from exc
    return result if isinstance(result, list) else [result]


def value_text(value: Any) -> str:
    """An element's text with its whitespace squeezed, or an attribute/text value stripped
    (`first_text`'s reading of one result)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, etree._Element):
        return " ".join(_STRING(value).split())
    return ""


def first_text(selector: Selector, *queries: str) -> str:
    """The first non-empty text among queries tried in order (XPath when it starts with `/`,
    `(` or `./`)."""
    for query in queries:
        for value in values(selector, query):
            text = value_text(value)
            if text:
                return text
    return ""


def is_xpath(query: str) -> bool:
    """Queries are CSS unless they start like an XPath (`//div`, `(//a)[1]`, `.//p`)."""
    return query.startswith(("/", "(", "./"))


def select_all(selector: Selector, query: str) -> list[Selector]:
    """Elements (or attribute values) for a CSS or XPath query, as the Selectors parsel would
    make of them (found by `values`: its compiled query, without parsel's per-call set-up)."""
    owner = selector if isinstance(selector, Selector) else getattr(selector, "selector", None)
    if (not isinstance(owner, Selector) or owner.type != "html"
            or not isinstance(owner.root, etree._Element)):
        return list(selector.xpath(query)) if is_xpath(query) else css(selector, query)
    make = type(owner)
    return [make(root=value, _expr=query, namespaces=owner.namespaces, type="html")
            for value in values(owner, query)]


def all_values(selector: Selector, *queries: str) -> list[str]:
    """Every non-empty text or attribute value matched by any of the queries, in query order."""
    found: list[str] = []
    for query in queries:
        for value in values(selector, query):
            text = value_text(value)
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
