"""The fetch log's outcome and reason for every way a request dies, whatever its errback says."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from pipelines.items import FetchOutcome

logger = logging.getLogger(__name__)


class FetchRefused(IgnoreRequest):
    """A request luutru does not make or gives up on, with the fetch log's outcome and reason
    (and the HTTP status of the answer that made it give up, when there was one)."""

    def __init__(self, outcome: str, reason: str, message: str,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.luutru_outcome = outcome
        self.luutru_reason = reason
        self.http_status = http_status


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

    def __init__(self, errback: Callable[[Failure], Any]) -> None:
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
                    item.http_status = failure.value.http_status
            yield item


class OutcomeMiddleware:
    """Downloader middleware: every request (start, followed, deferred, redirected, retried)
    reaches the engine with its errback wrapped by `_ClassifyingErrback`."""

    def process_request(self, request: Request) -> None:
        errback = request.errback
        if errback is not None and not isinstance(errback, _ClassifyingErrback):
            request.errback = _ClassifyingErrback(errback)
