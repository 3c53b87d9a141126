"""Signal handlers that fail the run loudly instead of being swallowed.

Scrapy calls signal handlers through `send_catch_log`: an exception in one (the re-check sweep
at `spider_idle`, the archive's `request_scheduled` bookkeeping, a capture's `spider_closed`) is
logged and dropped, and the crawl ends "finished" with exit 0 while its work was not done. The
run guards (scrapers/run_guards.py, an add-on of every archive crawl: `luutru crawl`, `scrapy
crawl`, a Scrapyd job) give each crawler a `GuardedSignals` manager instead (`install`): every
handler connected through `crawler.signals.connect`, ours and Scrapy's, is wrapped so that an
exception is recorded (signal, handler, error) before Scrapy logs it; the guards then mark the
run failed in its record and the CLI exits non-zero.

Control-flow exceptions a handler may raise on purpose (`DontCloseSpider`, `CloseSpider`,
`IgnoreRequest`, `StopDownload`) pass through unrecorded.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydispatch import dispatcher
from pydispatch.robustapply import robustApply
from scrapy import signals as scrapy_signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest, StopDownload
from scrapy.signalmanager import SignalManager
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# What Scrapy itself expects from handlers and never logs (`dont_log`): DontCloseSpider and
# CloseSpider at spider_idle/spider_opened, IgnoreRequest at request_scheduled (how its
# OffsiteMiddleware drops a request), StopDownload at bytes/headers_received.
CONTROL_FLOW: tuple[type[BaseException], ...] = (DontCloseSpider, CloseSpider, IgnoreRequest,
                                                 StopDownload)
_SIGNAL_NAMES = {id(v): k for k, v in vars(scrapy_signals).items() if not k.startswith("_")}


def _key(receiver: Any) -> tuple[int, Any]:
    """One key per handler: a bound method is a new object at every attribute access."""
    return id(getattr(receiver, "__self__", None)), getattr(receiver, "__func__", receiver)


def signal_name(signal: Any) -> str:
    return _SIGNAL_NAMES.get(id(signal), repr(signal))


class GuardedSignals(SignalManager):
    """A `SignalManager` whose handlers' exceptions are kept in `errors` (see module doc)."""

    def __init__(self, sender: Any) -> None:
        super().__init__(sender)
        self.errors: list[dict[str, str]] = []
        # The wrappers, held strongly (pydispatcher keeps weak references) and found again by
        # `disconnect`.
        self._guards: dict[tuple[tuple[int, Any], Any], Callable[..., Any]] = {}

    def connect(self, receiver: Any, signal: Any, **kwargs: Any) -> None:
        key = (_key(receiver), signal)
        guard = self._guards.get(key)
        if guard is None:
            guard = self._guards[key] = self._guard(receiver, signal)
        super().connect(guard, signal, **kwargs)

    def disconnect(self, receiver: Any, signal: Any, **kwargs: Any) -> None:
        guard = self._guards.pop((_key(receiver), signal), None)
        super().disconnect(guard or receiver, signal, **kwargs)

    def record(self, signal: Any, handler: str, exc: BaseException) -> None:
        self.errors.append({"signal": signal_name(signal), "handler": handler,
                            "error": f"{type(exc).__name__}: {exc}"[:500]})

    def _guard(self, receiver: Any, signal: Any) -> Callable[..., Any]:
        name = getattr(receiver, "__qualname__", None) or repr(receiver)

        def guarded(*arguments: Any, **named: Any) -> Any:
            # robustApply passes the handler only the arguments its signature takes, as
            # Scrapy would have; this wrapper takes them all.
            try:
                result = robustApply(receiver, *arguments, **named)
            except CONTROL_FLOW:
                raise
            except Exception as exc:
                self.record(signal, name, exc)
                raise
            if isinstance(result, Deferred):
                return result.addErrback(self._failed, signal, name)
            if inspect.isawaitable(result):
                return self._awaited(result, signal, name)
            return result

        guarded.__qualname__ = guarded.__name__ = name  # Scrapy's log line names the handler
        return guarded

    def _failed(self, failure: Failure, signal: Any, name: str) -> Failure:
        if not failure.check(*CONTROL_FLOW):
            # Twisted types `value` optional; a Failure made from an exception always has one.
            exc = failure.value if failure.value is not None else RuntimeError(str(failure))
            self.record(signal, name, exc)
        return failure

    async def _awaited(self, awaitable: Awaitable[Any], signal: Any, name: str) -> Any:
        try:
            return await awaitable
        except CONTROL_FLOW:
            raise
        except Exception as exc:
            self.record(signal, name, exc)
            raise


_Owner = TypeVar("_Owner")


def connect_handlers(crawler: Any, owner: _Owner, *names: str) -> _Owner:
    """Connect each Scrapy signal in `names` to `owner`'s method of the same name, and return
    `owner`: the convention of luutru's extensions (`spider_opened`, `spider_closed`, ...); a
    misspelt name fails at start-up, not silently at the end of the run."""
    for name in names:
        crawler.signals.connect(getattr(owner, name), signal=getattr(scrapy_signals, name))
    return owner


def install(crawler: Any) -> GuardedSignals:
    """Give `crawler` a `GuardedSignals` manager, once, guarding the handlers already connected.

    Scrapy creates the spider (which connects its own handlers: `close`, the deferred-request
    scheduler) before any add-on runs, and `scrapy crawl` offers no earlier hook with the
    crawler: those handlers are moved onto the guarded manager in the order they were connected,
    so every handler of the crawl is guarded whoever connected it first.
    """
    current = crawler.signals
    if isinstance(current, GuardedSignals):
        return current
    guards = GuardedSignals(crawler)
    for signal, receivers in list(dispatcher.connections.get(id(crawler), {}).items()):
        for receiver in list(dispatcher.liveReceivers(list(receivers))):
            current.disconnect(receiver, signal=signal)
            guards.connect(receiver, signal=signal)
    crawler.signals = guards
    return guards
