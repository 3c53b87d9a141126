"""The "as captured" view: an article page rebuilt from its WARC record, made safe to open.

The record's bytes are decoded, then every script, frame, plugin, event handler,
`javascript:` URL, refresh and `<base>` is removed; links to pages the archive holds point to
the reading room's own capture route, files the archive holds (attachments, body images) to
its attachment route, and everything else is either dropped (images, styles, fonts: the
page must not reach the live site) or, for links people click, kept and marked external.
The response also carries CAPTURE_CSP, which blocks scripts and outside requests on its own,
should anything slip through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode

from archive.warc import CapturedResponse, read_response

# No script can run (sandbox without allow-scripts, script-src none); nothing loads from
# anywhere but the reading room itself; forms go nowhere.
CAPTURE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; media-src 'self'; script-src 'none'; object-src 'none'; "
    "frame-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox "
    "allow-top-navigation-by-user-activation"
)
CAPTURE_HEADERS = {
    "Content-Security-Policy": CAPTURE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}

# Elements removed with their content: they run code, embed other documents or re-point URLs.
_DROP = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                   "base", "portal", "noscript", "template", "audio", "video", "track",
                   "source", "picture"})
# Attributes holding a URL, other than href/src which are handled one by one.
_URL_ATTRS = ("action", "formaction", "poster", "background", "cite", "longdesc", "usemap",
              "data", "codebase", "manifest", "ping", "lowsrc", "dynsrc", "srcset",
              "imagesrcset", "xlink:href")
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:", "blob:", "filesystem:")
_CSS_URL_RE = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT_RE = re.compile(r"@import[^;]*;?", re.IGNORECASE)
_CSS_EXPRESSION_RE = re.compile(r"expression\s*\(|behavior\s*:|-moz-binding", re.IGNORECASE)
EXTERNAL_CLASS = "luutru-external"
MISSING_CLASS = "luutru-missing"

Resolver = Callable[[list[str]], dict[str, str]]


class CaptureError(Exception):
    """The record cannot be read back (missing file, wrong offset, another record)."""


def load_capture(folder: Path, warc_file: str, offset: int, record_id: str | None
                 ) -> CapturedResponse:
    """The response record an article row points at, checked against its record id (as
    `luutru reextract` does), from a WARC file under the archive's folder only."""
    path = (folder / warc_file).resolve()
    if folder.resolve() not in path.parents:
        raise CaptureError(f"WARC path outside the archive folder: {warc_file}")
    try:
        capture = read_response(path, int(offset))
    except (OSError, ValueError) as exc:
        raise CaptureError(str(exc)) from exc
    if record_id and capture.record_id != record_id:
        raise CaptureError(f"{warc_file}@{offset} holds {capture.record_id}, not {record_id}")
    return capture


def decode(capture: CapturedResponse) -> str:
    """The body as text: BOM, then the Content-Type charset, then `<meta charset>`, then a
    guess (w3lib, as Scrapy decodes). A header charset the bytes contradict (U+FFFD all over:
    a windows-1258 page served as utf-8) gives way to the page's own declaration, and
    windows-1258's combining tone marks are composed (NFC), as the crawl does."""
    content_type = next((v for n, v in capture.headers if n.lower() == "content-type"), None)
    encoding, text = html_to_unicode(content_type, capture.body)
    bad = text.count("\ufffd")
    if bad > 3:
        declared = html_body_declared_encoding(capture.body)
        if declared and declared != encoding:
            try:
                alternative = capture.body.decode(declared, errors="replace")
            except LookupError:
                alternative = text
            if alternative.count("\ufffd") < bad / 4:
                text = alternative
    return unicodedata.normalize("NFC", text)


def _absolute(value: str, base: str) -> str | None:
    value = value.strip()
    if not value or value.lower().startswith(_UNSAFE_SCHEMES):
        return None
    try:
        url = urljoin(base, value)
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _without_fragment(url: str) -> tuple[str, str]:
    head, _, fragment = url.partition("#")
    return head, fragment


def _clean_css(css: str, base: str, local: dict[str, str]) -> str:
    """CSS with imports and behaviours removed and url() pointing only at archived files."""
    css = _CSS_IMPORT_RE.sub("", css)
    css = _CSS_EXPRESSION_RE.sub("", css)

    def repl(m: re.Match[str]) -> str:
        url = _absolute(m[2], base)
        target = local.get(_without_fragment(url)[0]) if url else None
        return f"url('{target}')" if target else "none"

    return _CSS_URL_RE.sub(repl, css)


def _candidate_urls(doc: lxml.html.HtmlElement, base: str) -> list[str]:
    urls = []
    for el in doc.iter(etree.Element):
        for attr in ("href", "src"):
            value = el.get(attr)
            if value:
                url = _absolute(value, base)
                if url:
                    urls.append(_without_fragment(url)[0])
        style = el.get("style")
        css = el.text if el.tag == "style" else None
        for text in (style, css):
            for m in _CSS_URL_RE.finditer(text or ""):
                url = _absolute(m[2], base)
                if url:
                    urls.append(_without_fragment(url)[0])
    return list(dict.fromkeys(urls))


def sanitize(text: str, base: str, resolve: Resolver, banner: str = "") -> bytes:
    """The page `text` (fetched from `base`) as safe UTF-8 HTML; `resolve(urls)` maps the
    absolute URLs the reading room holds to its own paths; `banner` (HTML) goes first in
    the body."""
    doc = lxml.html.document_fromstring(text or "<html><body></body></html>")
    for el in list(doc.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    for el in list(doc.iter(*_DROP)):
        _drop(el)
    for el in list(doc.iter("meta")):
        if el.get("charset") is not None or (el.get("http-equiv") or "").strip():
            _drop(el)
    local = resolve(_candidate_urls(doc, base))
    for el in list(doc.iter(etree.Element)):
        for name in list(el.attrib):
            lowered = name.lower()
            if lowered.startswith("on") or lowered in ("srcdoc", "formaction", "nonce"):
                del el.attrib[name]
            elif lowered in _URL_ATTRS:
                del el.attrib[name]
        if el.tag == "link":
            _relink_resource(el, base, local)
        elif el.tag in ("a", "area"):
            _relink_anchor(el, base, local)
        elif el.get("src") is not None:
            _relink_source(el, base, local)
        if el.tag not in ("a", "area", "link") and el.get("href") is not None:
            _relink_other(el, base, local)
        if el.get("style"):
            el.set("style", _clean_css(el.get("style") or "", base, local))
        if el.tag == "style":
            el.text = _clean_css(el.text or "", base, local)
        if el.tag == "form":
            el.set("data-luutru-disabled", "")
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    head.insert(0, lxml.html.Element("meta", charset="utf-8"))
    head.append(lxml.html.fragment_fromstring(
        f"<style>a.{EXTERNAL_CLASS}::after{{content:' ↗'}}"
        f"img.{MISSING_CLASS}{{outline:1px dashed #999}}</style>"))
    body = doc.find("body")
    if banner and body is not None:
        for i, node in enumerate(lxml.html.fragments_fromstring(banner)):
            if isinstance(node, str):
                continue
            body.insert(i, node)
    out: bytes = lxml.html.tostring(doc, encoding="utf-8", doctype="<!DOCTYPE html>")
    return out


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _relink_anchor(el: etree._Element, base: str, local: dict[str, str]) -> None:
    href = el.get("href")
    if href is None:
        return
    if href.strip().startswith("#"):
        return
    if href.strip().lower().startswith(("mailto:", "tel:")):
        _mark_external(el)
        return
    url = _absolute(href, base)
    if url is None:
        del el.attrib["href"]
        return
    head, fragment = _without_fragment(url)
    target = local.get(head)
    if target:
        el.set("href", target + (f"#{fragment}" if fragment else ""))
        el.set("data-luutru-original", url)
        return
    el.set("href", url)
    _mark_external(el)


def _mark_external(el: etree._Element) -> None:
    classes = (el.get("class") or "").split()
    if EXTERNAL_CLASS not in classes:
        el.set("class", " ".join([*classes, EXTERNAL_CLASS]))
    el.set("rel", "noopener noreferrer nofollow external")
    el.set("target", "_blank")
    el.set("title", "Ngoài kho lưu trữ, mở trang web thật / Outside the archive: opens the "
                    "live site")


def _relink_source(el: etree._Element, base: str, local: dict[str, str]) -> None:
    src = el.get("src") or ""
    url = _absolute(src, base)
    target = local.get(_without_fragment(url)[0]) if url else None
    if target:
        el.set("src", target)
        el.set("data-luutru-original", url or "")
        return
    del el.attrib["src"]
    if url:
        el.set("data-luutru-original", url)
    classes = (el.get("class") or "").split()
    el.set("class", " ".join([*classes, MISSING_CLASS]))
    if el.tag == "img" and not el.get("alt"):
        el.set("alt", "[ảnh không được lưu / image not archived]")


def _relink_resource(el: etree._Element, base: str, local: dict[str, str]) -> None:
    """<link>: kept only when it points at something the archive serves (never the case for
    stylesheets today: crawls do not fetch them); otherwise removed."""
    href = el.get("href")
    url = _absolute(href, base) if href else None
    target = local.get(_without_fragment(url)[0]) if url else None
    rel = (el.get("rel") or "").lower()
    if target and "stylesheet" in rel:
        el.set("href", target)
        return
    _drop(el)


def _relink_other(el: etree._Element, base: str, local: dict[str, str]) -> None:
    """href on anything else (SVG <use>, <image>): kept only towards an archived file."""
    url = _absolute(el.get("href") or "", base)
    target = local.get(_without_fragment(url)[0]) if url else None
    if target:
        el.set("href", target)
    else:
        del el.attrib["href"]
