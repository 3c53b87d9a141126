"""Middlewares that make the crawler polite and its fetch log complete (docs/reliability.md).

Downloader side, in the order a request meets them:

- `OutcomeMiddleware` (10): gives every request an errback wrapper that turns the exception a
  request died of into the fetch log's outcome and reason (`too_many_redirects`,
  `decompression_limit`, `robots_unreachable`, `bad_response`, ...), whatever the spider's own
  errback makes of it.
- `RobotsMiddleware` (100, replaces Scrapy's): robots.txt per RFC 9309. 2xx: parsed (first
  500 KiB only); 4xx: allow all; 5xx or a timeout: the host is disallowed for the whole run
  (Scrapy allows all, scrapy#2443), each page `skipped(robots_unreachable)`; connection refused
  or DNS failure: the host is down, each page `failed(connection_refused|dns)` without being
  tried. `Crawl-delay` is honoured on live crawls (a `DOWNLOAD_DELAY` > 0 and a host that is
  not loopback; `LUUTRU_CRAWL_DELAY = "always"|"never"` forces it): the host's download slot
  never waits less than the crawl delay (capped at `LUUTRU_CRAWL_DELAY_MAX`). Replicas on
  127.0.0.1 carry Drupal's stock `Crawl-delay: 10` and would otherwise crawl for hours.
- `RetryAfterMiddleware` (560, sees answers before Scrapy's RetryMiddleware): a 429/503 with
  `Retry-After` is retried no sooner than asked (scrapy#3849), at most
  `LUUTRU_RETRY_AFTER_MAX` seconds later, within `RETRY_TIMES`; a longer wait is not waited
  for (the URL is recorded failed; the next scheduled run retries it).
- `EncodingMiddleware` (575, after decompression): a header charset that contradicts the
  page's `<meta charset>` is overruled when the body proves it wrong (many U+FFFD under the
  header's charset, or strictly valid UTF-8 under a UTF-8 meta); logged `encoding_conflict`.
  A UTF-8 BOM always wins (Scrapy already does that).
- `RedirectGuardMiddleware` (650, before Scrapy's RedirectMiddleware): refuses redirects to
  non-http(s) schemes (`file:`, `data:`, `ftp:`) and records `failed(too_many_redirects)` past
  `REDIRECT_MAX_TIMES`.

Spider side:

- `PageCheckMiddleware`: a 200 whose `<title>` says "page not found" is `skipped(soft_404)`,
  an empty 200 `skipped(empty_response)`; an exception in a callback is logged with its URL and
  traceback and recorded `failed(parse_error)`; when most article pages yield no article
  (`LUUTRU_LAYOUT_ERRORS` of them) the site's layout has changed: the crawl stops with the
  close reason `layout_changed` (exit code 5).
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from pipelines.items import ArticleItem, FetchOutcome

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SOFT_404_TITLE = re.compile(
    r"không\s+tìm\s+thấy|trang\s+không\s+tồn\s+tại|page\s+not\s+found|\b404\b|not\s+found",
    re.IGNORECASE,
)


class FetchRefused(IgnoreRequest):
    """A request luutru does not make or gives up on, with the fetch log's outcome and reason."""

    def __init__(self, outcome: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.luutru_outcome = outcome
        self.luutru_reason = reason


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception, its causes, and the failures twisted wraps inside (`.reasons`)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.append(e.__cause__)
        stack.append(e.__context__)
        for inner in getattr(e, "reasons", None) or []:
            stack.append(getattr(inner, "value", None))


def classify(failure: Failure) -> tuple[str, str] | None:
    """(outcome, reason) for the exceptions the spider's generic `failure_reason` cannot name,
    or None to keep the spider's own report."""
    exc = failure.value
    if isinstance(exc, FetchRefused):
        return exc.luutru_outcome, exc.luutru_reason
    message = str(exc)
    if isinstance(exc, IgnoreRequest):
        if "max redirections" in message:
            return "failed", "too_many_redirects"
        if "DOWNLOAD_MAXSIZE" in message and "decompress" in message:
            return "failed", "decompression_limit"
        if "DOWNLOAD_MAXSIZE" in message:
            return "failed", "too_large"
        return None
    names = {type(e).__name__ for e in _causes(exc)}
    if "DownloadCancelledError" in names and "maxsize" in message.lower():
        return "failed", "too_large"
    if names & {"ResponseDataLossError", "_DataLoss"}:
        return "failed", "dataloss"
    if names & {"ParseError", "BadHttpHeaderError", "_WrapperException", "BadResponse"} or (
        "DownloadFailedError" in names and "ParseError" in message
    ):
        return "failed", "bad_response"
    return None


class _ClassifyingErrback:
    """Wraps a request's errback: its FetchOutcome reports get `classify()`'s outcome."""

    def __init__(self, errback: Any) -> None:
        self.errback = errback

    def __call__(self, failure: Failure) -> Iterator[Any]:
        found = classify(failure)
        if found is not None:
            request = getattr(failure, "request", None)
            logger.warning("%s %s: %s", found[0], getattr(request, "url", "?"), found[1])
        result = self.errback(failure)
        if result is None:
            return
        for item in result if isinstance(result, Iterable) else [result]:
            if isinstance(item, FetchOutcome) and found is not None:
                item.outcome, item.reason = found
                if item.http_status is None and isinstance(failure.value, FetchRefused):
                    item.http_status = getattr(failure.value, "http_status", None)
            yield item


class OutcomeMiddleware:
    """Downloader middleware: every request (start, followed, deferred, redirected, retried)
    reaches the engine with its errback wrapped by `_ClassifyingErrback`."""

    def process_request(self, request: Request) -> None:
        errback = request.errback
        if errback is not None and not isinstance(errback, _ClassifyingErrback):
            request.errback = _ClassifyingErrback(errback)


def _slot(crawler: Crawler, request: Request) -> Any:
    downloader = crawler.engine.downloader if crawler.engine else None
    if downloader is None:
        return None
    return downloader.slots.get(downloader.get_slot_key(request))


class RobotsMiddleware:
    """robots.txt per RFC 9309 (see the module docstring); one fetch per host and run."""

    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.agent = settings.get("ROBOTSTXT_USER_AGENT") or "luutru"
        self.max_bytes = settings.getint("LUUTRU_ROBOTS_MAX_BYTES", ROBOTS_MAX_BYTES)
        # "auto": live crawls only (a download delay set, a host not on loopback); "always" is
        # for tests on loopback; "never" for mirrors one owns.
        self.crawl_delay_mode = settings.get("LUUTRU_CRAWL_DELAY", "auto")
        self.has_delay = settings.getfloat("DOWNLOAD_DELAY") > 0
        self.delay_max = settings.getfloat("LUUTRU_CRAWL_DELAY_MAX", 30.0)
        # netloc -> Protego (rules), None (allow all), FetchRefused (host refused), Deferred.
        self.hosts: dict[str, Any] = {}
        self.crawl_delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            return
        rules = await self._rules(parts.scheme, parts.netloc)
        if isinstance(rules, FetchRefused):
            self.stats.inc_value(f"luutru/robots/{rules.luutru_reason}")
            raise FetchRefused(rules.luutru_outcome, rules.luutru_reason, str(rules))
        if rules is not None and not rules.can_fetch(request.url, self.agent):
            self.stats.inc_value("robotstxt/forbidden")
            raise FetchRefused("skipped", "robots_txt", "Forbidden by robots.txt")
        self._apply_crawl_delay(request, parts.netloc)

    def process_response(self, request: Request, response: Response) -> Response:
        # AutoThrottle lowers the slot delay after each answer: put the crawl delay back.
        self._apply_crawl_delay(request, urlsplit(request.url).netloc)
        return response

    def _apply_crawl_delay(self, request: Request, netloc: str) -> None:
        delay = self.crawl_delays.get(netloc)
        if not delay:
            return
        slot = _slot(self.crawler, request)
        if slot is None:
            return
        jitter = min(max(getattr(slot, "jitter", 0.0) or 0.0, 0.0), 0.9)
        # The slot waits delay × uniform(1 - jitter, 1 + jitter): never less than the crawl delay.
        floor = delay / (1 - jitter)
        if slot.delay < floor:
            slot.delay = floor

    async def _rules(self, scheme: str, netloc: str) -> Any:
        if netloc not in self.hosts:
            waiting: Deferred[Any] = Deferred()
            self.hosts[netloc] = waiting
            rules = await self._fetch(scheme, netloc)
            self.hosts[netloc] = rules
            waiting.callback(rules)
            return rules
        rules = self.hosts[netloc]
        if isinstance(rules, Deferred):
            return await maybe_deferred_to_future(rules)
        return rules

    def _honours_crawl_delay(self, netloc: str) -> bool:
        if self.crawl_delay_mode == "always":
            return True
        if self.crawl_delay_mode == "never":
            return False
        return self.has_delay and not is_loopback(netloc)

    async def _fetch(self, scheme: str, netloc: str) -> Any:
        url = f"{scheme}://{netloc}/robots.txt"
        robots = Request(
            url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True, "handle_httpstatus_all": True,
                  "download_maxsize": 0, "luutru_robots": True},
            callback=NO_CALLBACK,
        )
        self.stats.inc_value("robotstxt/request_count")
        try:
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # every network failure: RFC 9309 §2.3.1.4, unreachable
            from pipelines.fetchlog import failure_reason

            reason, _ = failure_reason(Failure(exc))
            if reason in ("connection_refused", "dns"):
                logger.error("%s is down (%s on robots.txt): no page of it is fetched this run",
                             netloc, reason)
                return FetchRefused("failed", reason, f"host down: {reason} on {url}")
            logger.error("robots.txt of %s unreachable (%s): the host is disallowed for this "
                         "run (RFC 9309)", netloc, reason)
            return FetchRefused("skipped", "robots_unreachable",
                                f"robots.txt unreachable ({reason}): {url}")
        status = response.status
        self.stats.inc_value(f"robotstxt/response_status_count/{status}")
        if status >= 500:
            logger.error("robots.txt of %s answered %s: the host is disallowed for this run "
                         "(RFC 9309)", netloc, status)
            return FetchRefused("skipped", "robots_unreachable",
                                f"robots.txt answered {status}: {url}")
        if status >= 400 or status < 200 or status >= 300:
            return None  # 4xx: no rules (RFC 9309 §2.3.1.3); 3xx left unfollowed: allow
        body = response.body[: self.max_bytes]
        if len(response.body) > self.max_bytes:
            logger.warning("robots.txt of %s is %d bytes: only the first %d are read",
                           netloc, len(response.body), self.max_bytes)
            self.stats.inc_value("luutru/robots/truncated")
        rules = Protego.parse(body.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.agent)
        if delay and self._honours_crawl_delay(netloc):
            self.crawl_delays[netloc] = min(float(delay), self.delay_max)
            logger.info("robots.txt of %s asks for Crawl-delay %s s", netloc, delay)
        return rules


def is_loopback(netloc: str) -> bool:
    host = (urlsplit(f"//{netloc}").hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """Honour `Retry-After` on 429 and 503 answers (see the module docstring)."""

    STATUSES = frozenset({429, 503})

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("LUUTRU_RETRY_AFTER_MAX", 120.0)
        self.max_retry_times = crawler.settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Any:
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response  # Scrapy's RetryMiddleware retries it as usual
        if wait > self.cap:
            logger.warning("%s asks to come back in %.0f s (more than %.0f): not retried this "
                           "run", request.url, wait, self.cap)
            request.meta["dont_retry"] = True
            return response
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=f"{response.status} Retry-After",
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )
        if retry is None:
            request.meta["dont_retry"] = True
            return response  # gave up: recorded failed(http_503) by the spider's errback
        slot = _slot(self.crawler, request)
        if slot is not None:  # the whole host pauses (when a download delay is set)
            slot.lastseen = max(slot.lastseen, time.time() + wait)
        self.crawler.stats.inc_value("luutru/retry_after/waited", wait)
        logger.info("%s: %s with Retry-After %s s, retrying then", request.url,
                    response.status, wait)
        await _sleep(wait)
        return retry


async def _sleep(seconds: float) -> None:
    if seconds <= 0:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
    else:
        await asyncio.sleep(seconds)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE
)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    alias = {"utf8": "utf-8", "x-user-defined": "cp1252"}.get(name.lower(), name)
    try:
        return codecs.lookup(alias).name
    except LookupError:
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (`<meta charset>` or http-equiv)."""
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None


def replacement_ratio(text: str) -> float:
    """U+FFFD among the non-ASCII characters: near 1 when the charset is wrong."""
    # len - (ASCII count): `str.isascii` on the whole text is C speed; a per-character generator
    # was 3.0 s of a 1,000-article crawl. ASCII characters survive `encode("ascii", "ignore")`.
    non_ascii = 0 if text.isascii() else len(text) - len(text.encode("ascii", "ignore"))
    return text.count("\ufffd") / non_ascii if non_ascii else 0.0


def better_encoding(body: bytes, header: str | None, meta: str | None,
                    decoded: str | None = None) -> str | None:
    """The charset to decode `body` with instead of the header's, or None to keep it.

    `decoded` is `body` already decoded under the header's charset (errors replaced), when the
    caller has it: Scrapy's `response.text` for a UTF-8 header, read anyway by the spider."""
    header, meta = _codec(header), _codec(meta)
    if header is None or body.startswith(codecs.BOM_UTF8):
        return None
    if meta and meta != header and meta == "utf-8" and not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8"  # valid UTF-8 with non-ASCII bytes is no accident
    as_header = body.decode(header, errors="replace") if decoded is None else decoded
    # The count first: a C scan, and on almost every page the end of the check.
    if as_header.count("\ufffd") < 3:
        return None  # a few bad bytes in a right charset: keep them as U+FFFD
    ratio = replacement_ratio(as_header)
    if ratio < 0.2:
        return None
    candidates = [meta] if meta and meta != header else []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None and _codec(best.encoding):
            candidates.append(_codec(best.encoding))
    except Exception:  # charset-normalizer is a Scrapy dependency; never fail a page on it
        pass
    for candidate in candidates:
        if replacement_ratio(body.decode(candidate, errors="replace")) < ratio / 4:
            return candidate
    return None


class EncodingMiddleware:
    """Overrule a header charset the body contradicts (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        match = re.search(r"charset\s*=\s*[\"']?([\w:.\-]+)", content_type)
        if not match:
            return response
        header = match.group(1)
        meta = meta_charset(response.body)
        # Under a UTF-8 header Scrapy's `response.text` is the body decoded exactly so, and the
        # spider reads it anyway (it is cached): the check costs no decoding of its own.
        decoded = (response.text if _codec(header) == "utf-8" and response.encoding == "utf-8"
                   else None)
        chosen = better_encoding(response.body, header, meta, decoded)
        if chosen is None:
            return response
        logger.warning("encoding_conflict %s: header says %s, meta says %s; decoded as %s",
                       response.url, header, meta, chosen)
        self.stats.inc_value("luutru/encoding_conflict")
        fixed = response.replace(encoding=chosen)
        fixed.flags.append("encoding_conflict")
        return fixed


class RedirectGuardMiddleware:
    """Refuse redirects to non-http(s) schemes; name the max-redirections failure."""

    def __init__(self, crawler: Crawler) -> None:
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            logger.warning("refused redirect of %s to a %s: URL", request.url, scheme)
            exc = FetchRefused("skipped", f"unsafe_redirect: {scheme}",
                               f"redirect to a {scheme}: URL refused")
            exc.http_status = response.status  # type: ignore[attr-defined]
            raise exc
        if request.meta.get("redirect_times", 0) + 1 > self.max_times:
            exc = FetchRefused("failed", "too_many_redirects",
                               f"more than {self.max_times} redirections")
            exc.http_status = response.status  # type: ignore[attr-defined]
            raise exc
        return response


class PageCheckMiddleware:
    """Spider middleware: soft 404s, callback exceptions, and the layout-change guard."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("LUUTRU_LAYOUT_ERRORS", 25)
        self.layout_errors = 0
        self.articles = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageCheckMiddleware:
        return cls(crawler)

    # Universal spider middleware: a sync and an async output hook.
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        soft = self._soft_404(response)
        for item in result:
            yield from self._check(response, item, soft)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        soft = self._soft_404(response)
        async for item in result:
            for out in self._check(response, item, soft):
                yield out

    def _check(self, response: Response, item: Any, soft: str | None) -> Iterator[Any]:
        if soft and isinstance(item, ArticleItem | FetchOutcome):
            kind = response.request.meta.get("kind", "page") if response.request else "page"
            logger.warning("skipped %s: %s", response.url, soft)
            yield FetchOutcome(url=_scheduled(response), outcome="skipped", kind=kind,
                               reason=soft, http_status=response.status)
            return
        if isinstance(item, ArticleItem):
            self.articles += 1
            flags = [f for f in response.flags if f in ("partial", "dataloss",
                                                         "encoding_conflict")]
            if isinstance(response, TextResponse):
                bad = item.title_raw.count("\ufffd") + sum(
                    p.count("\ufffd") for p in item.paragraphs_raw)
                if bad:
                    flags.append(f"replacement_chars={bad}")
            if flags:
                item.flags = flags
                logger.warning("stored %s with flags %s", response.url, ",".join(flags))
        elif isinstance(item, FetchOutcome) and item.outcome == "failed" and (
            (item.reason or "").split(":")[0] in ("no_article", "parse_error")
        ):
            self._layout_error()
        yield item

    def process_spider_exception(self, response: Response, exception: Exception
                                 ) -> list[FetchOutcome] | None:
        if isinstance(exception, HttpError | IgnoreRequest):
            return None  # Scrapy's own filtering, reported by the errback
        kind = response.request.meta.get("kind", "page") if response.request else "page"
        logger.error("parse_error at %s", response.url, exc_info=exception)
        self.crawler.stats.inc_value("luutru/parse_error")
        self._layout_error()
        return [FetchOutcome(url=_scheduled(response), outcome="failed", kind=kind,
                             reason=f"parse_error: {type(exception).__name__}",
                             http_status=response.status)]

    def _layout_error(self) -> None:
        self.layout_errors += 1
        if (self.limit > 0 and not self.closing and self.layout_errors >= self.limit
                and self.layout_errors > 4 * self.articles):
            self.closing = True
            logger.error("layout_changed: %d article pages without an article (%d stored): the "
                         "site's pages no longer match its selectors; stopping", self.layout_errors,
                         self.articles)
            engine = self.crawler.engine
            if engine is not None:
                reason = "layout_changed"
                reactor.callLater(
                    0, lambda: deferred_from_coro(engine.close_spider_async(reason=reason))
                )

    @staticmethod
    def _soft_404(response: Response) -> str | None:
        if response.status != 200 or response.request is None:
            return None
        if response.request.meta.get("kind") not in ("article", "listing"):
            return None
        if not response.body.strip():
            return "empty_response"
        if not isinstance(response, TextResponse):
            return None
        title = " ".join(response.css("title::text").get("").split())
        if title and SOFT_404_TITLE.search(title):
            return "soft_404"
        return None


def _scheduled(response: Response) -> str:
    request = response.request
    if request is None:
        return response.url
    return request.meta.get("redirect_urls", [request.url])[0]


__all__ = [
    "EncodingMiddleware",
    "FetchRefused",
    "OutcomeMiddleware",
    "PageCheckMiddleware",
    "RedirectGuardMiddleware",
    "RetryAfterMiddleware",
    "RobotsMiddleware",
    "classify",
]
