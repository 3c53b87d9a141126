"""The archivist's crawl: incremental re-crawls of a changed site, resume after SIGKILL, the lock,
and the record of runs and revisions."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from urllib.parse import unquote, urlsplit

import pytest

from archive.lock import ArchiveLock
from replicas.bentre import build_site
from replicas.server import ReplicaServer
from replicas.snapshots import evolve
from tests.conftest import crawl, crawl_then_kill, run_cli


def article_paths(site) -> set[str]:
    return {a.path for a in site.articles}


def requested_articles_since(server, start: int, paths: set[str]) -> set[str]:
    """Article paths the server was asked for after request number `start`, decoded."""
    return {
        path for _, target in server.requests[start:]
        if (path := "/" + unquote(target.split("?")[0]).strip("/")) in paths
    }


def test_changed_site_recrawl_finds_exactly_the_changes(tmp_path):
    site = build_site()
    later, changes = evolve(site)
    db = tmp_path / "inc.db"
    with ReplicaServer(site) as server:
        first = crawl(server.url, db)
        assert first["new"] == len(site.articles)
        server.site = later
        n_before = len(server.requests)
        # Articles of the last days are re-checked; the edited and deleted essays are among them.
        window = (dt.date.today() - min(changes.edited.published,
                                        changes.deleted.published)).days
        second = crawl(server.url, db, "--refresh-days", str(window))
        requests = len(server.requests) - n_before
    assert second["status"] == "finished"
    assert second["new"] == len(changes.new)
    assert second["updated"] == 1
    assert second["gone"] == 1
    assert second["duplicate"] == 0
    assert requests < 30, f"an incremental crawl made {requests} requests"

    conn = sqlite3.connect(db)
    urls = {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}
    assert len(urls) == len(site.articles) + len(changes.new)  # nothing deleted, no duplicates
    (gone,) = conn.execute("SELECT count(*) FROM articles WHERE gone_at IS NOT NULL").fetchone()
    assert gone == 1
    edited = conn.execute(
        "SELECT id, revision, text FROM articles WHERE title = ?", (changes.edited.title,)
    ).fetchone()
    assert edited[1] == 2 and edited[2].endswith("Nghiên cứu khoa học.")
    history = json.loads(run_cli("history", str(edited[0]), "--db", str(db), "--json").stdout)
    assert [r["revision"] for r in history["revisions"]] == [1, 2]
    assert history["revisions"][0]["content_hash"] != history["revisions"][1]["content_hash"]
    runs = json.loads(run_cli("runs", "--db", str(db), "--json").stdout)
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert runs[0]["items_new"] == len(changes.new) and runs[0]["items_gone"] == 1
    assert runs[0]["requests"] < runs[1]["requests"] / 5


def test_sigkill_mid_crawl_then_resume_loses_and_repeats_nothing(bentre_site, tmp_path):
    db = tmp_path / "kill.db"
    paths = article_paths(bentre_site)
    with ReplicaServer(bentre_site) as server:
        stored = crawl_then_kill(server.url, db, 40, delay="0.03")
        assert 40 <= stored < len(paths), "the crawl should be killed half-way"
        with sqlite3.connect(db) as conn:
            before = {r[0] for r in conn.execute("SELECT url FROM articles")}
        n_requests = len(server.requests)

        resumed = crawl(server.url, db)
        again = requested_articles_since(server, n_requests, paths)
    assert resumed["status"] == "finished"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    urls = [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]
    assert len(urls) == len(set(urls)) == len(paths)
    # Nothing stored before the kill was fetched again; everything else was.
    before_paths = {unquote(urlsplit(u).path) for u in before}
    assert not again & before_paths
    assert again | before_paths >= paths
    statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["interrupted", "finished"]


def test_second_crawl_of_a_locked_archive_is_refused_with_the_holder(tmp_path):
    db = tmp_path / "locked.db"
    with ArchiveLock(db, "luutru crawl bentre"):
        proc = run_cli("crawl", "bentre", "--base-url", "http://127.0.0.1:9", "--db", str(db),
                       check=False)
    assert proc.returncode == 4
    assert f"pid {os.getpid()}" in proc.stderr and "luutru crawl bentre" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreachable_site_exits_3_and_records_a_failed_run(tmp_path):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connection refused
    db = tmp_path / "down.db"
    proc = run_cli("crawl", "bentre", "--base-url", f"http://127.0.0.1:{port}", "--db", str(db),
                   "--quiet", check=False)
    assert proc.returncode == 3, proc.stderr
    assert "did not answer" in proc.stderr
    runs = json.loads(run_cli("runs", "--db", str(db), "--json").stdout)
    assert runs[0]["status"] == "failed"
    assert runs[0]["errors_by_kind"].get("connection_refused", 0) >= 2


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_crawl_prints_nothing_when_all_is_well(bentre_server, tmp_path, quiet):
    args = ["crawl", "bentre", "--base-url", bentre_server.url, "--db", str(tmp_path / "q.db"),
            "--delay", "0", "--max-pages", "1"]
    proc = run_cli(*args, *(["--quiet"] if quiet else []))
    if quiet:
        assert proc.stdout == "" and proc.stderr == ""
    else:
        assert "Crawled bentre" in proc.stdout
        assert "pages" in proc.stderr or "pages" in proc.stdout


def test_refresh_uses_conditional_requests_and_304_counts_as_unchanged(tmp_path):
    """ETag/Last-Modified from the capture go back as If-None-Match/If-Modified-Since; a 304
    refreshes last_seen without a revision; a changed page (new ETag) becomes revision 2."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.test_fetch_log import ARTICLE, TT, row

    state = {"etag": '"v1"', "title": "Bài một", "conditional": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            headers = {}
            if path == TT:
                body = f'<div class="view-content">{row("/content/bai-mot", "17/02/2021")}</div>'
            elif path == "/content/bai-mot":
                seen = self.headers.get("If-None-Match")
                state["conditional"].append((seen, self.headers.get("If-Modified-Since")))
                if seen == state["etag"]:
                    self.send_response(304)
                    self.send_header("ETag", state["etag"])
                    self.end_headers()
                    return
                body = ARTICLE.format(slug="bai-mot", nid=1, title=state["title"])
                headers = {"ETag": state["etag"],
                           "Last-Modified": "Wed, 17 Feb 2021 08:00:00 GMT"}
            else:
                body = "<div class='view view-empty'></div>" if "trao" in path else "no"
            data = body.encode()
            self.send_response(200 if body != "no" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    db = tmp_path / "cond.db"
    try:
        first = crawl(url, db)
        again = crawl(url, db, "--refresh")
        state["etag"], state["title"] = '"v2"', "Bài một (cập nhật)"
        changed = crawl(url, db, "--refresh")
    finally:
        server.shutdown()
        server.server_close()
    assert first["new"] == 1
    assert state["conditional"][0] == (None, None)
    assert state["conditional"][1] == ('"v1"', "Wed, 17 Feb 2021 08:00:00 GMT")
    assert again["unchanged"] == 1 and again["updated"] == 0
    assert changed["updated"] == 1
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT revision, etag, title FROM articles").fetchone() == (
        2, '"v2"', "Bài một (cập nhật)")
    log = conn.execute("SELECT run_id, outcome, reason, http_status FROM fetch_log "
                       "WHERE url LIKE '%bai-mot' ORDER BY run_id").fetchall()
    assert log[1][1:] == ("unchanged", "not_modified", 304)
