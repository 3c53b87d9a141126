"""Canonical article URLs, so one page seen under many spellings is stored once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TypeVar, overload
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode, urljoin, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 pchar minus the unreserved set quote() always keeps: sub-delims, ":" and "@".
_PATH_SAFE = "!$&'()*+,;=:@"
# In a query value "&", "=", "+" and "#" change meaning, so they stay encoded.
_QUERY_SAFE = "!$'()*,;:@/?"
_TRACKING_PREFIXES = ("utm_", "mc_")
# The contract's list (fbclid, gclid, _ga) plus click ids seen on Vietnamese shares (Zalo, Bing).
_TRACKING_KEYS = frozenset(
    {"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "_ga", "_gl", "zarsrc"}
)
_SPACE_RE = re.compile(r"\s+")
_V = TypeVar("_V")
_T = TypeVar("_T")


def _norm_host(host: str) -> str:
    """Lower-case, NFC, no trailing dot: DNS treats these spellings as one host."""
    return unicodedata.normalize("NFC", host).lower().rstrip(".")


@lru_cache(maxsize=4096)  # a site's origin and aliases are parsed for every URL
def _origin_parts(url: str) -> tuple[str, str, str]:
    """(scheme, host[:port] without the default port, userinfo) of an absolute URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    # A space inside a host is a copy-paste scar (`truongchinhtri. baria-vungtau.gov.vn`).
    netloc = _SPACE_RE.sub("", parts.netloc).rsplit("@", 1)
    userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
    hostport = netloc[-1]
    host, port = hostport, ""
    if hostport.startswith("["):  # IPv6 literal
        end = hostport.find("]")
        host, port = hostport[: end + 1], hostport[end + 2 :]
    elif ":" in hostport:
        host, port = hostport.rsplit(":", 1)
    host = _norm_host(host)
    if port and (not port.isdigit() or int(port) == _DEFAULT_PORTS.get(scheme)):
        port = ""
    elif port:
        port = str(int(port))
    return scheme, f"{host}:{port}" if port else host, userinfo


def _origin(url: str) -> str:
    """`scheme://host[:port]` in normal form; a bare host (no scheme) is returned as `//host`."""
    if "://" not in url:
        return "//" + _origin_parts("http://" + url.strip().strip("/"))[1]
    scheme, hostport, _ = _origin_parts(url)
    return f"{scheme}://{hostport}"


def _known_origins(origin: str | None, aliases: Iterable[str]) -> set[str]:
    """Origins (and scheme-less `//host` aliases) that map to the site's origin."""
    return {_origin(o) for o in (origin, *aliases) if o}


def _matches(url_origin: str, known: set[str]) -> bool:
    """True when url_origin is known, either exactly or through a scheme-less alias."""
    return url_origin in known or "//" + url_origin.split("://", 1)[1] in known


def _encode_segment(segment: str) -> str:
    """Percent-decode one path segment, NFC it, and re-encode with upper-case hex.

    Undecodable bytes (a legacy charset) are re-encoded as they came, so nothing is lost.
    """
    raw = unquote_to_bytes(segment)
    try:
        text = unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        return quote(raw, safe=_PATH_SAFE)
    return quote(text, safe=_PATH_SAFE)


def _normalise_path(path: str) -> str:
    """Segments re-encoded, `//` collapsed, dot segments resolved, no trailing slash but root."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(_encode_segment(segment))
    return "/" + "/".join(out)


def is_tracking(key: str) -> bool:
    """True for analytics parameters that never select content."""
    low = key.lower()
    return low in _TRACKING_KEYS or low.startswith(_TRACKING_PREFIXES)


def _normalise_query(query: str) -> str:
    """Tracking parameters dropped, the rest decoded, NFC, sorted and re-encoded."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True, errors="surrogateescape")
    kept = sorted(
        (unicodedata.normalize("NFC", k), unicodedata.normalize("NFC", v))
        for k, v in pairs
        if not is_tracking(k)
    )
    return urlencode(kept, quote_via=quote, safe=_QUERY_SAFE, errors="surrogateescape")


def canonicalize_url(url: str, *, origin: str | None = None, aliases: Iterable[str] = ()) -> str:
    """One spelling per page: scheme/host/port/path/query normalised, aliases mapped to origin.

    The result is used as the archive's key, so it must be idempotent; the URL as fetched is
    kept separately.
    """
    url = url.strip()
    if origin and not urlsplit(url).netloc:
        url = urljoin(origin.rstrip("/") + "/", url)
    elif url.startswith("//"):
        url = (urlsplit(origin).scheme if origin else "http") + ":" + url
    parts = urlsplit(url)
    path = _normalise_path(parts.path)
    query = _normalise_query(parts.query)
    tail = path + (f"?{query}" if query else "")
    if not parts.netloc:  # relative and no origin to resolve it against: path and query only
        return tail
    scheme, hostport, userinfo = _origin_parts(url)
    base = f"{scheme}://{userinfo}{hostport}"
    aliases = list(aliases)
    if origin and _matches(f"{scheme}://{hostport}", _known_origins(origin, aliases)):
        base = _origin(origin) if "://" in origin else base
    return base + tail


def host_twins(*origins: str) -> tuple[str, ...]:
    """The origins with the twins a school's host is linked under without a site file listing
    them: http and https (default ports) and the host with and without `www.`, as shared links
    come back into related blocks. An IP address or a port keeps its host and scheme."""
    out: dict[str, None] = {}
    for origin in origins:
        if not origin:
            continue
        out[origin] = None
        norm = _origin(origin)
        scheme, _, hostport = norm.partition("//")
        host = hostport.rsplit(":", 1)[0] if not hostport.startswith("[") else hostport
        if hostport != host or host.startswith("[") or host.replace(".", "").isdigit():
            continue
        twin = host[4:] if host.startswith("www.") else "www." + host
        schemes = (scheme,) if scheme not in ("http:", "https:") else ("http:", "https:")
        for s in schemes:
            for h in (host, twin):
                out.setdefault(f"{s}//{h}", None)
    return tuple(out)


def same_site(url: str, origin: str, aliases: Iterable[str] = ()) -> bool:
    """True when url lives on the site's origin or one of its aliases (http/https, www.)."""
    if not urlsplit(url.strip()).netloc:
        return False
    return _matches(_origin(url), _known_origins(origin, aliases))


class ArticleSpellings:
    """Which article a link names, across the spellings one crawl meets, before it is fetched.

    Keys are canonical URLs; a pair learnt from a fetched page (its Drupal shortlink `/node/N`,
    or the URL first scheduled before a redirect, and the URL that answered) makes either
    spelling name the same article. A spelling claimed for two different pages (a shortlink
    every page shares, a broken theme) is forgotten rather than trusted.
    """

    def __init__(self, origin: str, aliases: Iterable[str] = ()) -> None:
        self.origin = origin
        self.aliases = tuple(aliases)
        self._pairs: dict[str, str] = {}  # canonical spelling -> canonical of the fetched page
        self._ambiguous: set[str] = set()
        self._claimed: dict[str, str] = {}  # key -> the URL requested for it this run
        # canonicalize_url is pure and each link is keyed several times (scheduling, the
        # request fingerprint, learnt pairs): ~10 % of a crawl's CPU before this memo.
        self._canonical: dict[str, str] = {}

    def canonical(self, url: str) -> str:
        found = self._canonical.get(url)
        if found is None:
            if len(self._canonical) >= 8_192:  # bounded: a long crawl keeps the recent ones
                self._canonical.clear()
            found = self._canonical[url] = canonicalize_url(
                url, origin=self.origin, aliases=self.aliases)
        return found

    def key(self, url: str) -> str:
        """The article's key: its canonical URL, through a learnt pair where there is one."""
        canonical = self.canonical(url)
        return self._pairs.get(canonical, canonical)

    def claimed(self, url: str) -> str | None:
        """The URL already requested this run for the article `url` names, else None."""
        return self._claimed.get(self.key(url))

    def claim(self, url: str) -> None:
        self._claimed.setdefault(self.key(url), url)

    def learn(self, page_url: str, *spellings: str | None) -> None:
        """`page_url` answered for each of `spellings`: they name its article from now on."""
        target = self.key(page_url)
        root = self.canonical(self.origin.rstrip("/") + "/")
        for spelling in spellings:
            if not spelling:
                continue
            canonical = self.canonical(spelling)
            if canonical in (target, root) or canonical in self._ambiguous:
                continue
            if self._pairs.get(canonical, target) != target:
                self._ambiguous.add(canonical)
                self._pairs.pop(canonical)
                continue
            self._pairs[canonical] = target
            first = self._claimed.get(canonical) or self._claimed.get(target)
            if first is not None:
                self._claimed.setdefault(target, first)
                self._claimed.setdefault(canonical, first)

    def release(self, url: str) -> None:
        """Forget a claim whose request was never scheduled (a deferred link dropped)."""
        key = self.key(url)
        if self._claimed.get(key) == url:
            del self._claimed[key]


class KeyedUrls:
    """A set of URLs compared by their article key (`ArticleSpellings.key`): a second spelling
    of a URL already held is held, and `first(url)` names the spelling held first."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self._key = key
        self._first: dict[str, str] = {}

    def add(self, url: str) -> None:
        self._first.setdefault(self._key(url), url)

    def first(self, url: str) -> str | None:
        return self._first.get(self._key(url))

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._key(url) in self._first

    def __len__(self) -> int:
        return len(self._first)

    def __iter__(self) -> Iterator[str]:
        return iter(self._first.values())


class KeyedMap(dict[str, _V]):
    """A dict whose URL keys are compared by article key, like `KeyedUrls` (what a listing
    said of an article is found under any spelling of its link)."""

    def __init__(self, key: Callable[[str], str]) -> None:
        super().__init__()
        self._key = key

    def __getitem__(self, url: str) -> _V:
        return super().__getitem__(self._key(url))

    def __setitem__(self, url: str, value: _V) -> None:
        super().__setitem__(self._key(url), value)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and super().__contains__(self._key(url))

    @overload
    def get(self, url: str, default: None = None, /) -> _V | None: ...
    @overload
    def get(self, url: str, default: _V, /) -> _V: ...
    @overload
    def get(self, url: str, default: _T, /) -> _V | _T: ...

    def get(self, url: str, default: object = None, /) -> object:
        return super().get(self._key(url), default)
