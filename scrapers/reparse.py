"""Pages libxml2 cuts short: notice it, re-parse with BeautifulSoup, rebuild a whole lxml tree.

libxml2 stops building an HTML tree at depth 256 (2,048 with `huge_tree`) and drops the rest of
the page without an exception: 5,000 unclosed `<div>`s before the article leave a tree without
the article, or with a tenth of it. Python's `html.parser` (through BeautifulSoup) has no depth
limit, so such a page is parsed again with it and converted into an lxml tree the spiders'
selectors read as usual. Trees built element by element have no depth limit, but other code
(trafilatura) walks trees recursively, so the rebuilt tree is kept shallow: bare wrapper
elements (no attributes, no text, one child) are dropped, and what still lies deeper than
`MAX_DEPTH` is flattened into its ancestor, in document order (elements with attributes, which
selectors name, keep their children down to `HARD_DEPTH`).

Detection is cheap enough to run on every article: the last-child chain of a cut tree reaches
the parser's limit (microseconds); the text comparison (a regex over the page) runs only when
the extracted body is short.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

# libxml2's limit is 256 (2,048 with huge_tree); a real page never nests this deep.
CUT_DEPTH = 250
# The rebuilt tree is never deeper than this (trafilatura and lxml's serialiser recurse).
# Below MAX_DEPTH only elements with attributes (what selectors name) keep their children;
# below HARD_DEPTH none do.
MAX_DEPTH = 100
HARD_DEPTH = 200
# A body shorter than this many characters, or this share of the page's visible text, is
# compared with the text the tree holds.
SHORT_BODY_CHARS = 1000
SHORT_BODY_SHARE = 0.25
# The tree lost text when it holds less than this share of the page's visible text.
LOST_SHARE = 0.7

_INVISIBLE_RE = re.compile(
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<head\b.*?</head\s*>",
    re.IGNORECASE | re.DOTALL,
)
_TAG_RE = re.compile(r"<[^>]*>")
_ENTITY_RE = re.compile(r"&#?\w+;")
_TREE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style)]"
)
_WRAPPERS = frozenset({"div", "span", "font", "section", "center"})


def depth_cut(root: Any) -> bool:
    """True when libxml2 stopped at its depth limit: the last-child chain is that deep."""
    el, depth = root, 0
    while depth < CUT_DEPTH:
        children = list(el)[-1:] if el is not None else []
        if not children or not isinstance(children[0].tag, str):
            return False
        el, depth = children[0], depth + 1
    return True


def _chars(text: str) -> int:
    return len("".join(text.split()))


def visible_chars(html: str) -> int:
    """Non-space characters a browser would show in the page's body (tags, scripts, styles,
    comments and the head removed; an entity counts as one)."""
    text = _TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", html))
    return _chars(_ENTITY_RE.sub("x", text))


def tree_chars(root: Any) -> int:
    """Non-space characters of the body text an lxml tree holds."""
    return _chars("".join(_TREE_TEXT(root)))


def lost_text(root: Any, html: str, body_chars: int | None = None) -> bool:
    """True when the tree misses part of the page: cut at the depth limit, or (for a short
    body, or always when `body_chars` is None) holding much less text than the page shows."""
    if depth_cut(root):
        return True
    if body_chars is not None and body_chars >= SHORT_BODY_CHARS:
        return False
    visible = visible_chars(html)
    if not visible or (body_chars is not None and body_chars >= SHORT_BODY_SHARE * visible):
        return False
    return tree_chars(root) < LOST_SHARE * visible


def _tag_name(name: str) -> str:
    name = name.lower()
    return name if re.fullmatch(r"[a-z][a-z0-9_.-]*", name) else "span"


def _is_wrapper(tag: Any) -> bool:
    """A bare element that only wraps one other element: dropping it changes nothing."""
    from bs4 import NavigableString, Tag

    if tag.name not in _WRAPPERS or tag.attrs:
        return False
    elements = 0
    for child in tag.contents:
        if isinstance(child, Tag):
            elements += 1
        elif isinstance(child, NavigableString) and str(child).strip():
            return False
    return elements == 1


def _append_text(parent: Any, text: str) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def reparse(html: str) -> Any:
    """The page parsed by `html.parser` as an lxml.html tree (root `<html>`), kept shallow."""
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag
    from bs4.element import CData, ProcessingInstruction

    soup = BeautifulSoup(html, "html.parser")
    root = lxml_html.Element("html")
    skip_types = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
    # (bs4 node, lxml parent, depth, flat): `flat` parents take children as siblings.
    stack: list[tuple[Any, Any, int, bool]] = [
        (child, root, 1, False) for child in reversed(soup.contents)
    ]
    while stack:
        node, parent, depth, flat = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, skip_types):
                _append_text(parent, str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if node.name in ("html", "[document]"):
            children = [(c, parent, depth, flat) for c in node.contents]
            stack.extend(reversed(children))
            continue
        if _is_wrapper(node):
            stack.extend((c, parent, depth, flat) for c in reversed(node.contents))
            continue
        el = etree.SubElement(parent, _tag_name(node.name))
        for key, value in node.attrs.items():
            if isinstance(value, list):
                value = " ".join(value)
            try:
                el.set(key, str(value))
            except (ValueError, TypeError):
                continue  # an attribute name lxml refuses (`"`, `<`): not needed for text
        if flat or depth >= HARD_DEPTH or (depth >= MAX_DEPTH and not node.attrs):
            # Too deep: the children follow as siblings inside `parent`, in document order
            # (an element with attributes keeps its children while it can: selectors use it).
            stack.extend((c, parent, depth, flat or depth >= HARD_DEPTH)
                         for c in reversed(node.contents))
        else:
            stack.extend((c, el, depth + 1, False) for c in reversed(node.contents))
    if root.find("body") is None:
        body = lxml_html.Element("body")
        for child in [c for c in root if c.tag != "head"]:
            body.append(child)
        body.text, root.text = root.text, None
        root.append(body)
    return root


def full_root(root: Any, html: str, body_chars: int | None = None) -> tuple[Any, str]:
    """(tree, state): the tree itself and "whole" when libxml2 kept the page; the re-parsed
    tree and "reparsed" when it lost text; None and "truncated" when re-parsing failed."""
    if not lost_text(root, html, body_chars):
        return root, "whole"
    try:
        return reparse(html), "reparsed"
    except Exception:  # a parser bug must not cost the page: it is recorded truncated
        return None, "truncated"
