"""The run guards (scrapers/run_guards.py) hold for a plain `scrapy crawl`, as Scrapyd runs it.

A Scrapyd job is `scrapy crawl <site>` in the project with spider arguments and settings, so
these crawls run exactly that, in the project folder, each writing a shard
(LUUTRU_SHARD_DIR): a Bến Tre replica whose listings show no article link (the silent-zero
replica of tests/test_discovery.py) must leave a failed run with its layout facts and a manifest
saying "failed"; the healthy replica one saying "finished"; a spider_idle handler that raises
fails the run; an archive another process writes is refused before anything is fetched. The
crawls of the module run at once, once.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.test_discovery import EmptySchool

FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY_JITTER=0",
        "CONCURRENT_REQUESTS_PER_DOMAIN=4", "LOG_LEVEL=INFO"]


class FailingIdleHandler:
    """An extension whose spider_idle handler raises (Scrapy would log it and go on)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailingIdleHandler:
        from scrapy import signals

        ext = cls()
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        return ext

    def idle(self, spider: Any) -> None:
        raise ValueError("the re-check sweep broke")


def scrapy_crawl(url: str, *settings: str, job: str | None = None,
                 shards: Path | None = None) -> list[str]:
    sets = [*FAST, *settings]
    if shards is not None:
        sets += [f"LUUTRU_SHARD_DIR={shards}", f"LUUTRU_SHARD_JOB={job}"]
    return [sys.executable, "-m", "scrapy", "crawl", "bentre", "-a", f"base_url={url}",
            *[arg for s in sets for arg in ("-s", s)]]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from archive.lock import ArchiveLock
    from replicas.bentre import build_site
    from replicas.server import ReplicaServer

    tmp = tmp_path_factory.mktemp("guards")
    shards = tmp / "shards"
    locked_db = tmp / "locked.db"
    idle = json.dumps({f"{__name__}.FailingIdleHandler": 500})
    with (ReplicaServer(build_site(n_articles=20)) as healthy,
          ReplicaServer(EmptySchool()) as broken, ArchiveLock(locked_db, "another crawl")):
        commands = {
            "broken": scrapy_crawl(broken.url, job="broken", shards=shards),
            "healthy": scrapy_crawl(healthy.url, job="healthy", shards=shards),
            "raising": scrapy_crawl(healthy.url, f"EXTENSIONS={idle}", job="raising",
                                    shards=shards),
            "locked": scrapy_crawl(healthy.url, f"LUUTRU_DB={locked_db}"),
        }
        procs = {name: subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True,
                                        stdin=subprocess.DEVNULL)
                 for name, cmd in commands.items()}
        results = {}
        for name, proc in procs.items():
            _, stderr = proc.communicate(timeout=120)
            results[name] = {"rc": proc.returncode, "log": stderr,
                             "shard": shards / "luutru" / "bentre" / name}
    results["locked_db"] = locked_db
    return results


def manifest(shard: Path) -> dict[str, Any]:
    return json.loads((shard / "manifest.json").read_text("utf-8"))


def run_row(shard: Path) -> tuple[str, dict[str, Any]]:
    conn = sqlite3.connect(f"file:{shard / 'archive.db'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT status, stats_json FROM runs").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1
    return rows[0][0], json.loads(rows[0][1] or "{}")


def ended_as(result: dict[str, Any], status: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run record and the shard manifest of a crawl, both of which must say `status`."""
    run_status, record = run_row(result["shard"])
    assert run_status == status, result["log"][-3000:]
    shard_manifest = manifest(result["shard"])
    assert shard_manifest["status"] == status
    return record, shard_manifest


def test_a_silent_zero_fails_the_run_and_the_manifest(crawls):
    result = crawls["broken"]
    record, _ = ended_as(result, "failed")
    # The layout facts are in the run record, as `luutru crawl` writes them.
    assert record["failed_because"] == ["silent_zero"]
    assert record["listing_links"] == 0
    reasons = " | ".join(record["silent_zero"])
    assert "section 'Tin tức - Sự kiện' listed no article at http://127.0.0.1:" in reasons
    assert "no listing showed any article link" in reasons
    assert [e["section"] for e in record["empty_sections"]] == ["Thông tin trao đổi"]
    assert "recorded failed: silent_zero" in result["log"]


def test_a_healthy_crawl_finishes_with_its_layout_facts(crawls):
    result = crawls["healthy"]
    record, shard_manifest = ended_as(result, "finished")
    assert record["silent_zero"] == [] and record["listing_links"] >= 20
    assert "failed_because" not in record and "signal_errors" not in record
    # The archive's lock file is gone with the job: the shard holds only its listed files.
    listed = {f["path"] for f in shard_manifest["files"]} | {"manifest.json"}
    on_disk = {p.relative_to(result["shard"]).as_posix()
               for p in result["shard"].rglob("*") if p.is_file()}
    assert on_disk == listed


def test_a_raising_signal_handler_fails_the_run(crawls):
    record, _ = ended_as(crawls["raising"], "failed")
    assert record["failed_because"] == ["signal_errors"]
    assert record["signal_errors"][0]["signal"] == "spider_idle"
    assert "FailingIdleHandler.idle" in record["signal_errors"][0]["handler"]
    assert record["silent_zero"] == []  # the crawl itself went through


def test_an_archive_in_use_is_refused_before_any_fetch(crawls):
    result = crawls["locked"]
    assert result["rc"] != 0
    assert "is in use by pid" in result["log"] and "another crawl" in result["log"]
    assert "Spider opened" not in result["log"]
    assert not crawls["locked_db"].exists()


def test_handlers_connected_before_the_guards_are_guarded():
    """The spider connects its handlers before any add-on runs: install() guards them too."""
    from scrapy import signals
    from scrapy.crawler import Crawler

    from scrapers.signal_guard import GuardedSignals, install
    from scrapers.spiders import spider_for

    calls: list[str] = []

    class Early:
        def first(self) -> None:
            calls.append("first")
            raise RuntimeError("early handler")

        def second(self) -> None:
            calls.append("second")

    crawler = Crawler(spider_for("bentre"))
    early = Early()
    crawler.signals.connect(early.first, signal=signals.engine_started)
    crawler.signals.connect(early.second, signal=signals.engine_started)
    guards = install(crawler)
    assert isinstance(crawler.signals, GuardedSignals) and install(crawler) is guards
    crawler.signals.send_catch_log(signals.engine_started)
    assert calls == ["first", "second"]  # each once, in the order connected
    assert len(guards.errors) == 1
    assert guards.errors[0]["signal"] == "engine_started"
    assert guards.errors[0]["handler"].endswith("Early.first")
    assert guards.errors[0]["error"] == "RuntimeError: early handler"
