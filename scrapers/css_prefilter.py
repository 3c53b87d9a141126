"""CSS queries answered without walking the page when a class they need is nowhere on it (and
an element's text read without a Selector for the string).

Family selectors try many class names in turn (`.field-name-field-tac-gia`, `...-but-danh`,
`...-author`...), and most are absent from a given page; each try is a walk of the whole
article subtree in libxml2, about half the XPath time of an article parse. A page's class
tokens are collected once (one `//@class` walk); a query all of whose comma-separated
selectors need a class the page does not have matches nothing, so the empty list is returned
without asking parsel. Everything else is parsel's own answer.

The class test cssselect writes is `contains(concat(' ', normalize-space(@class), ' '),
' name ')`, so tokens are split on XPath whitespace (space, tab, CR, LF) and a class name
holding such a character turns the shortcut off. Only classes that every match must carry are
counted: those under `:not()`, `:is()`, `:where()` or `:has()` are not, and an unknown
selector node turns the shortcut off for its query.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from cssselect import parse as parse_css
from cssselect.parser import (
    Attrib,
    Class,
    CombinedSelector,
    Element,
    Function,
    Hash,
    Matching,
    Negation,
    Pseudo,
    Relation,
    SpecificityAdjustment,
)
from lxml import etree
from parsel import Selector

_XPATH_SPACE_RE = re.compile("[ \t\r\n]+")
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)  # plain strings: no element proxies
# Nodes whose `.selector` is the element itself (what follows it only narrows the match).
_NARROWING = (Attrib, Hash, Pseudo, Function, Negation, Matching, SpecificityAdjustment, Relation)


def _needed(node: Any, found: set[str]) -> bool:
    """Add the classes every element matched by `node` (and its combined parts) carries;
    False for a node this module does not know."""
    while not isinstance(node, Element):
        if isinstance(node, Class):
            if _XPATH_SPACE_RE.search(node.class_name) or not node.class_name:
                return False
            found.add(node.class_name)
        elif isinstance(node, CombinedSelector):
            if not _needed(node.subselector, found):
                return False
        elif not isinstance(node, _NARROWING):
            return False
        node = node.selector
    return True


@lru_cache(maxsize=1024)
def needed_classes(query: str) -> tuple[frozenset[str], ...] | None:
    """Per selector of a CSS group, the classes a match needs; None when unknown."""
    try:
        selectors = parse_css(query)
    except Exception:  # parsel reports the error itself
        return None
    groups: list[frozenset[str]] = []
    for selector in selectors:
        found: set[str] = set()
        if not _needed(selector.parsed_tree, found):
            return None
        groups.append(frozenset(found))
    return tuple(groups)


# The last page seen, its class tokens, and the elements already found on it (all kept alive,
# so `is` and `id()` identify them).
_LAST: list[Any] = [None, frozenset()]
_ON_LAST: dict[int, etree._Element] = {}


def page_classes(root: etree._Element) -> frozenset[str]:
    """Every class token on the page that holds `root`."""
    if _ON_LAST.get(id(root)) is root:
        return _LAST[1]  # type: ignore[no-any-return]
    page = root.getroottree().getroot()
    if _LAST[0] is not page:
        tokens = frozenset(_XPATH_SPACE_RE.split(" ".join(_CLASS_VALUES(page))))
        _LAST[0], _LAST[1] = page, tokens
        _ON_LAST.clear()
    if len(_ON_LAST) < 64:
        _ON_LAST[id(root)] = root
    return _LAST[1]  # type: ignore[no-any-return]


_STRING = etree.XPath("string()", smart_strings=False)


def squeezed_text(value: Selector) -> str:
    """`" ".join(value.xpath("string()").get("").split())`: an element's text with its
    whitespace runs squeezed, read straight from lxml (no Selector made for the string)."""
    if isinstance(value.root, etree._Element):
        return " ".join(_STRING(value.root).split())
    return " ".join(value.xpath("string()").get("").split())


def css(selector: Selector | Any, query: str) -> list[Selector]:
    """`list(selector.css(query))`, without the walk when the page lacks a needed class (a
    Scrapy response stands for its page's selector)."""
    root = getattr(selector, "root", None)
    inner = getattr(selector, "selector", None)
    if root is None and isinstance(inner, Selector):
        root = inner.root
    if isinstance(root, etree._Element):
        groups = needed_classes(query)
        if groups and all(group and not group <= page_classes(root) for group in groups):
            return []
    return list(selector.css(query))
