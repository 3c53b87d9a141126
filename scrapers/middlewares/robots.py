"""robots.txt per RFC 9309, one fetch per host and run, and the Crawl-delay it declares.

2xx: parsed (first `LUUTRU_ROBOTS_MAX_BYTES`, 500 KiB); 4xx: allow all; 5xx or a timeout: the
host is disallowed for the whole run (Scrapy allows all, scrapy#2443), each page
`skipped(robots_unreachable)`; connection refused or DNS failure: the host is down, each page
`failed(connection_refused|dns)` without being tried. `Crawl-delay` is honoured on live crawls
(a `DOWNLOAD_DELAY` > 0 and a host that is not loopback; `LUUTRU_CRAWL_DELAY = "always"|"never"`
forces it): the host's download slot never waits less than the crawl delay (capped at
`LUUTRU_CRAWL_DELAY_MAX`). Replicas on 127.0.0.1 carry Drupal's stock `Crawl-delay: 10` and
would otherwise crawl for hours.
"""

from __future__ import annotations

import logging
from typing import TypeAlias
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from pipelines.fetchlog import failure_reason
from scrapers.middlewares.outcomes import FetchRefused
from scrapers.middlewares.politeness import download_slot, hold_crawl_delay, is_loopback

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB

# What a host's robots.txt came to: its rules, None (allow all), or the refusal every page of
# the host gets (unreachable, host down).
Rules: TypeAlias = Protego | FetchRefused | None


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
        # netloc -> its rules, or the fetch in flight the host's other requests wait for.
        self.hosts: dict[str, Rules | Deferred[Rules]] = {}
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
        slot = download_slot(self.crawler, request)
        if slot is not None:
            hold_crawl_delay(slot, delay)

    async def _rules(self, scheme: str, netloc: str) -> Rules:
        if netloc not in self.hosts:
            waiting: Deferred[Rules] = Deferred()
            self.hosts[netloc] = waiting
            rules = await self._fetch(scheme, netloc)
            self.hosts[netloc] = rules
            waiting.callback(rules)
            return rules
        known = self.hosts[netloc]
        if isinstance(known, Deferred):
            return await maybe_deferred_to_future(known)
        return known

    def _honours_crawl_delay(self, netloc: str) -> bool:
        if self.crawl_delay_mode == "always":
            return True
        if self.crawl_delay_mode == "never":
            return False
        return self.has_delay and not is_loopback(netloc)

    async def _fetch(self, scheme: str, netloc: str) -> Rules:
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
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # every network failure: RFC 9309 §2.3.1.4, unreachable
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
        if not 200 <= status < 300:
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
