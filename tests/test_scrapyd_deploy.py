"""Issue 14 item 1: the project deployed to a real Scrapyd, each job writing its own shard.

Two real Scrapyd servers on 127.0.0.1 (tests/scrapyd_server.py) that see the project only
through the egg scrapyd-deploy builds, and a 25-article Bến Tre replica. One module-scoped
round of jobs serves every assertion:
- node A (items_dir set): a crawl of the replica, whose shard lands under items_dir and is
  served at /items/; and a crawl of a dead host with `setting=LUUTRU_SHARD_DIR=...`, whose
  shard lands there, manifest included, although the run failed;
- node B (no items_dir): a job with nowhere to write a shard fails with one line.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.scrapyd_server import ScrapydServer, deploy, free_port

FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY_JITTER=0",
        "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from replicas.bentre import build_site
    from replicas.server import ReplicaServer

    tmp = tmp_path_factory.mktemp("scrapyd")
    site = build_site(n_articles=25)
    with (ReplicaServer(site) as replica, ScrapydServer(tmp / "a") as node_a,
          ScrapydServer(tmp / "b", items=False) as node_b):
        version = deploy(node_a.url)
        deploy(node_b.url, version=version)
        dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        shard_dir = tmp / "shards"
        crawl = node_a.schedule("bentre", setting=FAST, base_url=replica.url)
        failed = node_a.schedule("bentre", setting=[*FAST, f"LUUTRU_SHARD_DIR={shard_dir}",
                                                    "RETRY_TIMES=0"], base_url=dead)
        homeless = node_b.schedule("bentre", setting=FAST, base_url=replica.url)
        entries = {job: node.wait_job(job, timeout=90) for node, job in
                   ((node_a, crawl), (node_a, failed), (node_b, homeless))}
        yield {
            "site": site, "node_a": node_a, "node_b": node_b, "version": version,
            "crawl": crawl, "failed": failed, "homeless": homeless, "entries": entries,
            "shard": node_a.items_dir / "luutru" / "bentre" / crawl,
            "failed_shard": shard_dir / "luutru" / "bentre" / failed,
        }


def _manifest(shard: Path) -> dict[str, Any]:
    return json.loads((shard / "manifest.json").read_text("utf-8"))


def test_the_egg_carries_every_site_spider_and_the_nodes_see_only_the_egg(jobs):
    from scrapers.sites import all_sites

    node = jobs["node_a"]
    assert node.api("listspiders.json?project=luutru")["spiders"] == sorted(all_sites())
    assert node.api("listversions.json?project=luutru")["versions"] == [jobs["version"]]
    # The nodes' Python cannot import the working tree: the jobs ran the egg's code, writer
    # process included (pipelines/writer.py puts the egg on the child's PYTHONPATH).
    probe = subprocess.run([sys.executable, "-c", "import pipelines.writer_child"],
                           cwd=node.folder, env=node._environment(), capture_output=True,
                           text=True, timeout=60)
    assert probe.returncode != 0 and "No module named 'pipelines'" in probe.stderr


def test_the_job_writes_a_complete_shard_under_items_dir(jobs):
    shard = jobs["shard"]
    manifest = _manifest(shard)
    assert {k: manifest[k] for k in ("format", "project", "site", "job", "status")} == {
        "format": "luutru-shard/1", "project": "luutru", "site": "bentre",
        "job": jobs["crawl"], "status": "finished"}
    assert manifest["host"] and manifest["started"] <= manifest["finished"]
    assert manifest["finished"].endswith("+00:00")
    paths = [f["path"] for f in manifest["files"]]
    on_disk = sorted(p.relative_to(shard).as_posix() for p in shard.rglob("*")
                     if p.is_file() and p.name != "manifest.json")
    assert sorted(paths) == on_disk  # every file of the shard, nothing else (no -wal, no .jl)
    assert "archive.db" in paths
    assert any(p.startswith("warc/") and p.endswith(".warc.gz") for p in paths)
    assert any(p.startswith("attachments/") for p in paths)
    for entry in manifest["files"]:
        data = (shard / entry["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])


def test_the_shard_archive_holds_the_replica_with_a_finished_run(jobs):
    db = jobs["shard"] / "archive.db"
    manifest = _manifest(jobs["shard"])
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        titles = {r[0] for r in conn.execute("SELECT title FROM articles WHERE site='bentre'")}
        runs = conn.execute("SELECT id, status, finished_at FROM runs").fetchall()
        warc = {r[0] for r in conn.execute("SELECT DISTINCT warc_file FROM articles")}
    finally:
        conn.close()
    assert titles == {a.title for a in jobs["site"].articles}
    assert len(runs) == 1 and runs[0][:2] == (manifest["run_id"], "finished") and runs[0][2]
    # WARC paths are relative to the archive, as a `luutru crawl --db` archive's are.
    assert warc and all(w and (jobs["shard"] / w).is_file() for w in warc)


def test_scrapyd_serves_the_shard_and_writes_no_item_feed(jobs):
    node, job = jobs["node_a"], jobs["crawl"]
    base = urllib.parse.urljoin(node.url, f"items/luutru/bentre/{job}/")
    served = json.loads(_fetch(base + "manifest.json"))
    assert served == _manifest(jobs["shard"])
    archive = next(f for f in served["files"] if f["path"] == "archive.db")
    assert hashlib.sha256(_fetch(base + "archive.db")).hexdigest() == archive["sha256"]
    assert not list(node.items_dir.rglob("*.jl"))
    assert jobs["entries"][job]["items_url"] is None
    assert "item feed file://" in node.job_log(job)  # said so in the job's log


def test_a_failed_run_still_ends_with_a_manifest_in_luutru_shard_dir(jobs):
    shard = jobs["failed_shard"]
    manifest = _manifest(shard)
    conn = sqlite3.connect(f"file:{shard / 'archive.db'}?mode=ro", uri=True)
    try:
        status = conn.execute("SELECT status FROM runs WHERE id = ?",
                              (manifest["run_id"],)).fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    assert manifest["job"] == jobs["failed"] and manifest["status"] == status == "failed"
    assert stored == 0
    # Not under Scrapyd's items_dir: the setting wins.
    assert not (jobs["node_a"].items_dir / "luutru" / "bentre" / jobs["failed"]).exists()


def test_a_job_with_nowhere_to_write_a_shard_fails_with_one_line(jobs):
    node, job = jobs["node_b"], jobs["homeless"]
    log = node.job_log(job)
    lines = [line for line in log.splitlines() if "ERROR: luutru shard:" in line]
    assert len(lines) == 1 and "set items_dir in scrapyd.conf" in lines[0]
    assert "LUUTRU_SHARD_DIR" in lines[0]
    assert "Spider opened" not in log
    assert not [p for p in node.folder.rglob("*.db") if p.parent != node.dbs_dir]
    assert "Process died: exitstatus=1" in (node.folder / "scrapyd.out").read_text("utf-8")



# -- where the shard goes, without a server ------------------------------------------------------

def _crawler(**settings: Any) -> Any:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    import scrapers.settings as project_settings
    from scrapers.spiders import spider_for

    values = Settings()
    values.setmodule(project_settings, priority="project")
    values.setdict(settings, priority="cmdline")
    return Crawler(spider_for("bentre"), values), values


def test_shard_root_resolution(tmp_path):
    from scrapers.shard import ShardError, prepare, resolve_shard

    crawler, settings = _crawler()
    assert resolve_shard(crawler, settings, environ={}) is None  # a plain crawl: LUUTRU_DB
    # Scrapyd 1.5+: job id as the spider argument `_job`, items_dir from the FEEDS it sets.
    feed = {(tmp_path / "items/luutru/bentre/j1.jl").as_uri(): {"format": "jsonlines"}}
    crawler, settings = _crawler(FEEDS=json.dumps(feed))
    crawler.spider = crawler.spidercls(_job="j1")
    shard = resolve_shard(crawler, settings, environ={"SCRAPY_PROJECT": "luutru"})
    assert shard.folder == tmp_path / "items/luutru/bentre/j1"
    assert shard.db == shard.folder / "archive.db"
    # Older Scrapyd: environment variables.
    crawler, settings = _crawler()
    old = {"SCRAPY_JOB": "j2", "SCRAPY_PROJECT": "p",
           "SCRAPY_FEED_URI": (tmp_path / "it/p/bentre/j2.jl").as_uri()}
    assert resolve_shard(crawler, settings, environ=old).folder == tmp_path / "it/p/bentre/j2"
    # The setting wins; outside Scrapyd the job id is made up (time and pid).
    crawler, settings = _crawler(LUUTRU_SHARD_DIR=str(tmp_path / "s"))
    shard = resolve_shard(crawler, settings, environ={})
    assert shard.folder.parent == tmp_path / "s/luutru/bentre" and shard.job
    # Under Scrapyd with no items_dir and no setting: one line, no shard.
    crawler, settings = _crawler()
    with pytest.raises(ShardError, match="nowhere to write its shard"):
        resolve_shard(crawler, settings, environ={"SCRAPY_JOB": "j3"})
    with pytest.raises(ShardError, match="cannot name a shard folder"):
        resolve_shard(*_crawler(LUUTRU_SHARD_DIR=str(tmp_path)), environ={"SCRAPY_JOB": ".."})
    # A finished shard (it has a manifest) is never written again.
    crawler, settings = _crawler(LUUTRU_SHARD_DIR=str(tmp_path / "s"), LUUTRU_SHARD_JOB="j4")
    shard = resolve_shard(crawler, settings, environ={})
    prepare(shard)
    shard.manifest.write_text("{}", "utf-8")
    with pytest.raises(ShardError, match="already complete"):
        prepare(shard)
