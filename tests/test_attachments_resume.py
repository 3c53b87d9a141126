"""Files of stored articles that a crawl never fetched (stopped early, or killed with -9) are
fetched by the next crawl, exactly once, and nothing already kept is fetched again (issue 12:
"kill -9 still loses nothing and resume fetches nothing stored"). Real CLI, real writer process,
loopback server counting its GETs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from tests.conftest import LUUTRU, ROOT, archived_count, crawl
from tests.test_attachments import (  # noqa: F401 (fixture)
    attachment_site,
    check_attachments,
)
from tests.test_attachments_background import (  # noqa: F401 (fixture)
    FILES,
    SLOW,
    stopped_crawl,
)


def file_gets(handler: type, since: int) -> Counter[str]:
    return Counter(p for p in handler.seen[since:] if p.startswith(FILES))


def server_paths(db: Path, base: str, sql: str) -> set[str]:
    """The URLs a query returns, as paths the server sees (unquoted, without the base)."""
    conn = sqlite3.connect(db)
    try:
        return {unquote(u.removeprefix(base)) for (u,) in conn.execute(sql)}
    finally:
        conn.close()


def wanted(db: Path, base: str) -> set[str]:
    """Paths of the files stored articles still want."""
    return server_paths(db, base, "SELECT url FROM attachment_wanted")


def kept_urls(db: Path, base: str) -> set[str]:
    """Attachment paths whose file an earlier run stored (fetch log)."""
    return server_paths(
        db, base, "SELECT url FROM fetch_log WHERE kind = 'attachment' AND outcome = 'stored'")


def scrapy_crawl(url: str, db: Path, log: Path) -> None:
    """A plain `scrapy crawl` of the site, as Scrapyd runs it."""
    sets = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY_JITTER=0",
            "LOG_LEVEL=INFO", f"LUUTRU_DB={db}", f"LOG_FILE={log}"]
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "bentre", "-a", f"base_url={url}",
                    *[arg for s in sets for arg in ("-s", s)]], cwd=ROOT, check=True,
                   capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    conn = sqlite3.connect(db)
    (status,) = conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    assert status == "finished"


def resume_and_check(url: str, handler: type, db: Path, tmp_path: Path, slow: str,
                     plain: bool = False) -> set[str]:
    """After a stopped first run: the second (`luutru crawl`, or a plain `scrapy crawl`)
    fetches exactly the wanted files, the third none. The files the first run stored."""
    missing = wanted(db, url)
    assert slow in missing, missing  # the article is stored, its slow file is not
    stored_before = kept_urls(db, url)
    handler.slow = {}
    before = len(handler.seen)
    log = tmp_path / "second.log"
    if plain:
        scrapy_crawl(url, db, log)
    else:
        second = crawl(url, db, "--log-file", str(log))
        assert second["status"] == "finished", second
        assert second["attachments_resumed"] == len(missing), second
    gets = file_gets(handler, before)
    assert set(gets) == missing and max(gets.values()) == 1, (gets, missing)
    assert not stored_before & set(gets)  # nothing kept by the first run is fetched again
    assert f"'luutru/attachments/resumed': {len(missing)}" in log.read_text(encoding="utf-8")
    assert wanted(db, url) == set()
    conn = check_attachments(db, url)  # every file kept, refused ones logged
    links = dict(conn.execute(
        "SELECT a.canonical_url, count(*) FROM article_attachments l JOIN articles a "
        "ON a.id = l.article_id GROUP BY a.id"))
    assert links == {"https://truongchinhtribentre.edu.vn/content/bai-mot": 4,
                     "https://truongchinhtribentre.edu.vn/content/bai-hai": 1}, links
    conn.close()
    # A third run: nothing wanted, no file fetched at all.
    before = len(handler.seen)
    third = crawl(url, db, "--log-file", str(tmp_path / "third.log"))
    assert third["status"] == "finished"
    assert file_gets(handler, before) == Counter()
    assert "luutru/attachments/resumed" not in (tmp_path / "third.log").read_text(
        encoding="utf-8")
    return stored_before


def test_files_a_stopped_crawl_did_not_fetch_are_fetched_next_time(
        stopped_crawl, tmp_path) -> None:  # noqa: F811
    url, handler, db = stopped_crawl
    conn = sqlite3.connect(db)
    (reason,) = conn.execute("SELECT reason FROM fetch_log WHERE url = ?",
                             (url + SLOW,)).fetchone()
    conn.close()
    assert reason == "not_fetched: crawl stopped"
    resume_and_check(url, handler, db, tmp_path, SLOW, plain=True)


def test_files_a_killed_crawl_did_not_fetch_are_fetched_next_time(
        attachment_site, tmp_path):  # noqa: F811
    url, handler = attachment_site
    slow = FILES + "anh.png"  # bai-mot's last file: the others are kept before the kill
    handler.slow = {slow: 5.0}
    db = tmp_path / "site.db"
    proc = subprocess.Popen(
        [*LUUTRU, "crawl", "bentre", "--base-url", url, "--db", str(db), "--delay", "0",
         "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (slow not in handler.seen or archived_count(db) < 2):
        time.sleep(0.1)
    time.sleep(0.3)  # the writer's group commit of the other files
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert archived_count(db) == 2
    stored_before = resume_and_check(url, handler, db, tmp_path, slow)
    assert {SLOW, FILES + "kế-hoạch.docx", FILES + "Thông tư 19.doc"} <= stored_before


def test_which_outcomes_end_the_wanted_state():
    from pipelines.attachment_files import settles

    for outcome, reason in (("stored", None), ("unchanged", None), ("failed", "http_404"),
                            ("failed", "http_410"), ("skipped", "too_large"),
                            ("skipped", "robots_txt"), ("skipped", "offsite")):
        assert settles(outcome, reason), (outcome, reason)
    for outcome, reason in (("skipped", "not_fetched: crawl stopped"), ("failed", "timeout"),
                            ("failed", "http_503"), ("failed", "connection_refused"),
                            ("failed", "error")):
        assert not settles(outcome, reason), (outcome, reason)  # tried again next run
