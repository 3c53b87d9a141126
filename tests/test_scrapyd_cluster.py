"""`luutru crawl --all --scrapyd A,B`: two real Scrapyd nodes, one killed midway, one archive
equal to a single-machine crawl of the same replicas."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from luutru.cli.cluster import parse_nodes
from luutru.cluster.fetch import ShardRefused, check_manifest, fetch_shard
from luutru.cluster.scrapyd_api import ScrapydNode, ScrapydUnreachable
from replicas.server import ReplicaServer
from replicas.sites import build
from tests.conftest import run_cli
from tests.scrapyd_server import ScrapydServer, deploy, free_port

# Three families (Drupal 7, Drupal 8, NukeViet), small replicas.
SITES = {"bentre": 24, "vinh_long": 20, "quang_tri": 20}


def _kill_after_first_job(node: ScrapydServer, seen: dict[str, object]) -> None:
    """Kill `node` (scrapyd and its jobs) as soon as one of its jobs runs: a machine dying
    midway through the crawl."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            running = node.api("listjobs.json?project=luutru")["running"]
        except (OSError, ValueError, AssertionError):
            running = []
        if running:
            seen["killed_jobs"] = [j["spider"] for j in running]
            node.kill()
            return
        time.sleep(0.1)


def _archive(db: Path) -> dict[str, object]:
    """What must be equal between the two archives: articles (URL, site, title, content hash)
    and every revision (URL, number, content hash)."""
    conn = sqlite3.connect(db)
    try:
        articles = sorted(conn.execute(
            "SELECT canonical_url, site, title, content_hash FROM articles"))
        revisions = sorted(conn.execute(
            "SELECT a.canonical_url, r.revision, r.content_hash FROM revisions r "
            "JOIN articles a ON a.id = r.article_id"))
        sites = dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site"))
    finally:
        conn.close()
    return {"articles": articles, "revisions": revisions, "sites": sites}


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory):
    """One crawl through two Scrapyd nodes (the first killed once a job runs there, a third
    URL that never answered), and one local `crawl --all` of the same replicas."""
    root = tmp_path_factory.mktemp("cluster")
    with ExitStack() as stack:
        replicas = {slug: stack.enter_context(ReplicaServer(build(slug, n)))
                    for slug, n in SITES.items()}
        mirrors = [arg for slug, server in replicas.items()
                   for arg in ("--mirror", f"{slug}={server.url}")]
        only = ",".join(SITES)
        node_a = stack.enter_context(ScrapydServer(root / "a"))
        node_b = stack.enter_context(ScrapydServer(root / "b"))
        for node in (node_a, node_b):
            deploy(node.url)
        nowhere = f"http://127.0.0.1:{free_port()}"
        seen: dict[str, object] = {}
        killer = threading.Thread(target=_kill_after_first_job, args=(node_a, seen),
                                  daemon=True)
        killer.start()
        db = root / "cluster" / "archive.db"
        db.parent.mkdir()
        local = root / "local" / "archive.db"
        local.parent.mkdir()
        with ThreadPoolExecutor(max_workers=1) as pool:  # the reference crawl, meanwhile
            reference = pool.submit(run_cli, "crawl", "--all", "--only", only, *mirrors,
                                    "--db", str(local), "--quiet")
            started = time.monotonic()
            proc = run_cli("crawl", "--all", "--only", only, *mirrors, "--db", str(db),
                           "--scrapyd", f"{node_a.url},{node_b.url},{nowhere}", "--json",
                           "--node-timeout", "4", check=False, timeout=300)
            elapsed = time.monotonic() - started
            reference.result()
        killer.join(timeout=5)
        yield {"proc": proc, "db": db, "local": local, "nowhere": nowhere, "seen": seen,
               "a": node_a.url.rstrip("/"), "b": node_b.url.rstrip("/"), "elapsed": elapsed,
               "root": root, "b_items": node_b.items_dir}


def test_cluster_crawl_equals_a_local_crawl(cluster_run):
    proc = cluster_run["proc"]
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {s["site"] for s in report["sites"]} == set(SITES)
    assert all(s["state"] == "fetched" and s["run_status"] == "finished"
               for s in report["sites"]), report["sites"]
    merged, local = _archive(cluster_run["db"]), _archive(cluster_run["local"])
    assert set(merged["sites"]) == set(SITES)
    assert merged["sites"]["bentre"] >= 20, merged["sites"]
    assert merged["articles"] == local["articles"]
    assert merged["revisions"] == local["revisions"]
    # The shards were merged, then removed from the work folder (the nodes keep theirs);
    # the archive's WARC files (hard links to the fetched ones) survive that.
    assert not (cluster_run["db"].parent / "archive-shards").exists()
    conn = sqlite3.connect(cluster_run["db"])
    warcs = {r[0] for r in conn.execute("SELECT DISTINCT warc_file FROM articles")}
    origins = conn.execute("SELECT count(*) FROM run_origins").fetchone()[0]
    conn.close()
    assert warcs and all((cluster_run["db"].parent / w).is_file() for w in warcs), warcs
    assert origins == len(SITES)


def test_dead_node_reported_and_its_sites_moved(cluster_run):
    proc = cluster_run["proc"]
    report = json.loads(proc.stdout)
    nodes = {n["url"]: n for n in report["nodes"]}
    a, b = cluster_run["a"], cluster_run["b"]
    assert cluster_run["seen"].get("killed_jobs"), "node A never ran a job"
    assert nodes[a]["state"] == "dead", nodes
    assert nodes[b]["state"] == "alive", nodes
    assert f"node {a}: dead" in proc.stderr
    moved = [s for s in report["sites"] if any(x["outcome"] == "node died"
                                                 for x in s["attempts"])]
    assert moved, report["sites"]
    for site in moved:
        assert site["node"] == b and site["attempts"][-1]["outcome"] == "fetched", site
    # Progress per site came from the nodes' listjobs, on stderr.
    for slug in SITES:
        assert f"{slug}: finished on " in proc.stderr, proc.stderr


def test_unreachable_node_at_start_is_skipped(cluster_run):
    proc = cluster_run["proc"]
    report = json.loads(proc.stdout)
    nowhere = next(n for n in report["nodes"] if n["url"] == cluster_run["nowhere"])
    assert nowhere["state"] == "unreachable" and nowhere["jobs"] == 0
    assert f"node {cluster_run['nowhere']}: " in proc.stderr and "skipped" in proc.stderr


def test_a_site_that_fails_on_every_node_exits_1(cluster_run):
    """A job that dies without a shard (here Scrapy refuses the log level) is tried on each
    live node once; then the site is reported failed and the command exits 1. Two sites on
    one host never run at once: the second waits until the first one's job is over."""
    db = cluster_run["root"] / "failing.db"
    host = "http://127.0.0.1:9"
    proc = run_cli("crawl", "--all", "--only", "bentre,vinh_long", "--db", str(db),
                   "--mirror", f"bentre={host}", "--mirror", f"vinh_long={host}/vl",
                   "--scrapyd", cluster_run["b"], "--set", "LOG_LEVEL=BOGUS",
                   check=False, timeout=120)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    assert "bentre: the job ended without a shard" in proc.stderr
    assert f"bentre: failed on every node: {cluster_run['b']}: " in proc.stderr
    assert "0/2 sites crawled" in proc.stderr
    first_over = next(i for i, line in enumerate(lines) if "ended without a shard" in line)
    second = next(i for i, line in enumerate(lines) if line.startswith("vinh_long: pending"))
    assert second > first_over, proc.stderr


def test_fetch_checks_every_file_against_the_manifest(cluster_run, tmp_path):
    """A shard served by a real node: a file whose bytes differ from the manifest's sha256 is
    fetched again once, then the shard is refused; a good one arrives byte for byte."""
    good = next((cluster_run["b_items"] / "luutru" / "bentre").glob("*/manifest.json")).parent
    node = ScrapydNode(cluster_run["b"])
    fetched = fetch_shard(node, "luutru", "bentre", good.name, tmp_path / "good")
    assert fetched.articles >= 20 and fetched.run_status == "finished"
    manifest = json.loads((good / "manifest.json").read_text("utf-8"))
    for entry in manifest["files"]:
        assert (tmp_path / "good" / entry["path"]).read_bytes() == (good / entry["path"]
                                                                     ).read_bytes()
    bad = good.parent / "tampered-job"
    bad.mkdir()
    (bad / "archive.db").write_bytes((good / "archive.db").read_bytes() + b"x")
    listed = [e for e in manifest["files"] if e["path"] == "archive.db"]
    (bad / "manifest.json").write_text(json.dumps({**manifest, "job": bad.name,
                                                   "files": listed}), "utf-8")
    with pytest.raises(ShardRefused, match=r"archive.db: .* bytes, the manifest says .*twice"):
        fetch_shard(node, "luutru", "bentre", bad.name, tmp_path / "bad")
    assert not (tmp_path / "bad" / "archive.db").exists()


def test_no_node_answers_exit_3_and_a_bad_manifest_is_refused(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    proc = run_cli("crawl", "--all", "--only", "bentre", "--db", str(tmp_path / "a.db"),
                   "--scrapyd", nowhere, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "no Scrapyd node can take jobs" in proc.stderr and nowhere in proc.stderr
    with pytest.raises(ScrapydUnreachable, match=re.escape(nowhere)):
        ScrapydNode(nowhere, timeout=2).daemonstatus()
    with pytest.raises(ShardRefused, match="unsafe path"):
        check_manifest({"format": "luutru-shard/1", "site": "bentre", "job": "j",
                        "files": [{"path": "../../etc/passwd", "size": 1, "sha256": "0"}]},
                       "bentre", "j")
    with pytest.raises(ShardRefused, match="format"):
        check_manifest({"format": "other/2"}, "bentre", "j")
    proc = run_cli("crawl", "--all", "--scrapyd", nowhere, "--refresh", check=False)
    assert proc.returncode == 2 and "--refresh cannot be used with --scrapyd" in proc.stderr
    assert parse_nodes("a:6800, http://b:6800/,a:6800") == ["http://a:6800", "http://b:6800"]


def test_a_node_without_the_project_says_deploy_first(tmp_path):
    with ScrapydServer(tmp_path / "empty") as empty:
        proc = run_cli("crawl", "--all", "--only", "bentre", "--db", str(tmp_path / "a.db"),
                       "--scrapyd", empty.url, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "deploy first: scrapyd-deploy <target>" in proc.stderr
    assert not (tmp_path / "a.db").exists()
