"""`luutru merge` (issue 14): shards folded into one archive equal to one crawl, idempotent,
order-independent, refusing damaged shards (exit 8, target untouched), taking older schemas.

One module fixture crawls, through the real CLI: Bến Tre (30 articles) at t1 into X, then the
changed site (6 new, one essay edited, one deleted) with --refresh into X again: X is the
single-machine reference (two runs, one revision more, one gone mark). Shard A is X as it was
after t1 (a copy), shard B a fresh crawl of the changed site, shard Q a crawl of the Quảng Trị
NukeViet replica (with an attached image, the same bytes as Bến Tre's). A, B and Q carry a
manifest as a Scrapyd job writes it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.fts import index_mismatches
from archive.merge import ShardDamaged, merge_archives
from archive.warc import read_response
from tests.conftest import crawl, run_cli

# The search index as schema 1 made it: content-storing (tests/test_search_index.py).
OLD_FTS_SQL = ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, title_fold, text_fold, "
               "tokenize = 'unicode61 remove_diacritics 0')")
OLD_ATTACHMENTS_FTS_SQL = ("CREATE VIRTUAL TABLE attachments_fts USING fts5(text, text_fold, "
                           "tokenize = 'unicode61 remove_diacritics 0')")
TABLES = ("sites", "runs", "run_origins", "articles", "revisions", "article_urls", "fetch_log",
          "attachments", "article_attachments", "article_checks")


def write_manifest(folder: Path, site: str, job: str) -> None:
    """manifest.json as a Scrapyd job leaves it: archive.db out of WAL, every file hashed."""
    conn = sqlite3.connect(folder / "archive.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != "manifest.json" and not rel.endswith(".lock"):
            files.append({"path": rel, "size": path.stat().st_size,
                          "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    manifest = {"format": "luutru-shard/1", "project": "luutru", "site": site, "job": job,
                "host": "node1", "started": "", "finished": "", "run_id": 1,
                "status": "finished", "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    from replicas.bentre import build_site
    from replicas.server import ReplicaServer
    from replicas.sites import build
    from replicas.snapshots import evolve

    root = tmp_path_factory.mktemp("merge")
    site = build_site(n_articles=30)
    later, changes = evolve(site)
    with ReplicaServer(site) as bentre, ReplicaServer(build("quang_tri", 20)) as quangtri, \
            ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(crawl, bentre.url, root / "X" / "archive.db")
        q = pool.submit(crawl, quangtri.url, root / "Q" / "archive.db", site="quang_tri")
        first.result(), q.result()
        shutil.copytree(root / "X", root / "A", ignore=shutil.ignore_patterns("*.lock"))
        bentre.site = later
        again = pool.submit(crawl, bentre.url, root / "X" / "archive.db", "--refresh")
        fresh = pool.submit(crawl, bentre.url, root / "B" / "archive.db")
        assert (again.result()["updated"], again.result()["gone"]) == (1, 1)
        fresh.result()
    for name, slug in (("A", "bentre"), ("B", "bentre"), ("Q", "quang_tri")):
        write_manifest(root / name, slug, f"job-{name}")
    merged = root / "M" / "archive.db"
    proc = run_cli("merge", str(root / "A"), str(root / "B"), str(root / "Q"),
                   "--into", str(merged), "--json")
    return root, changes, merged, json.loads(proc.stdout)


def articles(db: Path) -> dict[str, tuple]:
    """canonical URL -> (site, current hash, gone?, revision hashes oldest first)."""
    conn = sqlite3.connect(db)
    out = {}
    for aid, site, canon, h, gone in conn.execute(
            "SELECT id, site, canonical_url, content_hash, gone_at IS NOT NULL FROM articles"):
        revs = tuple(r[0] for r in conn.execute(
            "SELECT content_hash FROM revisions WHERE article_id = ? ORDER BY revision", (aid,)))
        out[canon] = (site, h, bool(gone), revs)
    conn.close()
    return out


# Without ids: each merged table as rows that name articles by canonical URL.
BY_CONTENT = {
    "articles": "SELECT canonical_url, url, content_hash, title, text, first_seen, last_seen, "
                "gone_at, revision, warc_file, warc_offset, published_at FROM articles",
    "revisions": "SELECT a.canonical_url, r.revision, r.content_hash, r.fetched_at, "
                 "r.warc_record_id FROM revisions r JOIN articles a ON a.id = r.article_id",
    "urls": "SELECT u.url, a.canonical_url FROM article_urls u JOIN articles a "
            "ON a.id = u.article_id",
    "attachments": "SELECT sha256, path, first_seen, text FROM attachments",
    "links": "SELECT a.canonical_url, l.url, l.sha256 FROM article_attachments l "
             "JOIN articles a ON a.id = l.article_id",
    "runs": "SELECT o.origin, o.origin_run_id, r.started_at, r.status, count(f.id) FROM runs r "
            "JOIN run_origins o ON o.run_id = r.id LEFT JOIN fetch_log f ON f.run_id = r.id "
            "GROUP BY r.id",
}


def dump(db: Path, *, ids: bool = True) -> dict[str, list]:
    """Every merged table's rows (run_origins.merged_at left out: it is a clock). Without
    `ids`, rows are keyed by content (canonical URLs, hashes) instead of surrogate ids."""
    conn = sqlite3.connect(db)
    out: dict[str, list] = {}
    if ids:
        for table in TABLES:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            if table == "run_origins":
                rows = [r[:-1] for r in rows]
            out[table] = rows
    else:
        out = {name: sorted(conn.execute(sql)) for name, sql in BY_CONTENT.items()}
    conn.close()
    return out


def folder_state(folder: Path, strict: bool = False) -> dict[str, bytes]:
    """Every file's bytes (lock files aside; unless `strict`, SQLite's -wal/-shm too)."""
    skip = (".lock",) if strict else (".lock", "-wal", "-shm")
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(skip)}


def test_merge_equals_one_crawl(shards):
    root, changes, merged, summary = shards
    got, single, quangtri = articles(merged), articles(root / "X" / "archive.db"), articles(
        root / "Q" / "archive.db")
    assert summary["articles_added"] == len(single) + len(quangtri) == len(got) == 56
    assert {k: v for k, v in got.items() if v[0] == "quang_tri"} == quangtri
    # Bến Tre split across A (t1) and B (t2, fresh) is the two-run crawl X: the same articles,
    # current hashes and revisions (the edited essay: A's version, then B's). The article
    # deleted at t2 is not gone: no shard asked for it after t1 (X's --refresh did).
    deleted = next(k for k in single if k.endswith(changes.deleted.path.strip("/")))
    assert single[deleted][2] is True and got[deleted][2] is False
    assert {k: v for k, v in got.items() if v[0] == "bentre" and k != deleted} == {
        k: v for k, v in single.items() if k != deleted}
    edited = next(k for k in got if k.endswith(changes.edited.path.strip("/")))
    assert len(got[edited][3]) == 2 and got[edited][1] == got[edited][3][-1]
    assert summary["revisions"] == sum(len(v[3]) for v in got.values())
    assert index_mismatches(sqlite3.connect(merged, isolation_level=None)) == []


def test_gone_mark_follows_the_latest_observation(shards):
    """X (which saw the 404 last) merged with A (which saw the article alive, earlier): gone,
    in either order; the latest observation decides, not the last shard given."""
    root = shards[0]
    single = articles(root / "X" / "archive.db")
    for order in (("A", "X/archive.db"), ("X/archive.db", "A")):
        target = root / f"gone-{order[0][0]}" / "archive.db"
        merge_archives([root / o for o in order], target)
        assert articles(target) == single


def test_runs_and_fetch_log_keep_their_origin(shards):
    root, _, merged, summary = shards
    conn = sqlite3.connect(merged)
    origins = conn.execute("SELECT o.origin, o.host, o.project, o.site, o.job, r.site, "
                           "r.status FROM run_origins o JOIN runs r ON r.id = o.run_id "
                           "ORDER BY o.job").fetchall()
    assert origins == [(f"node1/luutru/{s}/job-{n}", "node1", "luutru", s, f"job-{n}", s,
                        "finished") for n, s in (("A", "bentre"), ("B", "bentre"),
                                                 ("Q", "quang_tri"))]
    expected = 0
    for name in "ABQ":
        shard = sqlite3.connect(root / name / "archive.db")
        expected += shard.execute("SELECT count(*) FROM fetch_log").fetchone()[0]
        by_outcome = shard.execute("SELECT outcome, count(*) FROM fetch_log GROUP BY 1")
        assert dict(by_outcome) == dict(conn.execute(
            "SELECT f.outcome, count(*) FROM fetch_log f JOIN run_origins o ON o.run_id = "
            "f.run_id WHERE o.job = ? GROUP BY 1", (f"job-{name}",)))
    assert summary["fetch_log"] == expected == conn.execute(
        "SELECT count(*) FROM fetch_log").fetchone()[0]
    # A stored article's fetch-log row points at the merged article of its URL.
    assert conn.execute("SELECT count(*) FROM fetch_log f JOIN articles a ON a.id = "
                        "f.article_id WHERE f.outcome = 'stored'").fetchone()[0] == conn.execute(
        "SELECT count(*) FROM fetch_log WHERE outcome = 'stored'").fetchone()[0] > 0


def test_files_copied_with_their_paths_rewritten(shards):
    root, _, merged, summary = shards
    folder = merged.parent
    conn = sqlite3.connect(merged)
    files = conn.execute("SELECT sha256, path FROM attachments").fetchall()
    assert files and summary["attachments"] == len(files)
    for sha, rel in files:
        assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == sha
    sql = ("SELECT a.canonical_url, l.url, l.sha256 FROM article_attachments l "
           "JOIN articles a ON a.id = l.article_id")
    links = set(conn.execute(sql))
    assert links == set().union(*(sqlite3.connect(root / n / "archive.db").execute(sql)
                                  for n in "ABQ"))
    # Every article's capture is readable at its offset in the target's own warc/ folder.
    rows = conn.execute("SELECT warc_file, warc_offset, warc_record_id FROM articles").fetchall()
    assert rows and all(w.startswith("warc/") for w, _, _ in rows)
    for warc_file, offset, record_id in rows[::7]:
        assert read_response(folder / warc_file, offset).record_id == record_id
    assert summary["files_copied"] == 3 + len(files)
    verify = run_cli("verify", "--db", str(merged), "--json")
    assert json.loads(verify.stdout)["ok"] is True


def test_merging_twice_changes_nothing(shards):
    root, _, merged, _ = shards
    before, files = dump(merged), folder_state(merged.parent)
    proc = run_cli("merge", *(str(root / n) for n in "ABQ"), "--into", str(merged), "--json")
    again = json.loads(proc.stdout)
    assert (again["articles_added"], again["articles_updated"], again["runs"],
            again["fetch_log"], again["files_copied"]) == (0, 0, 0, 0, 0)
    assert again["articles_unchanged"] == 56
    assert dump(merged) == before
    after = folder_state(merged.parent)
    assert after.keys() == files.keys() and all(after[k] == files[k] for k in files
                                                 if k != "archive.db")


def test_any_order_gives_the_same_archive(shards):
    """One call: every table identical, ids included (shards are taken in the order of their
    origin, whatever the command line says). Separate calls (A then B, B then A): the same
    content; only surrogate ids (articles, runs, revisions) differ."""
    root, _, merged, _ = shards
    other = root / "M-reversed" / "archive.db"
    run_cli("merge", *(str(root / n) for n in "QBA"), "--into", str(other))
    assert dump(other) == dump(merged)
    one_by_one = []
    for order in ("AB", "BA"):
        target = root / f"M-{order}" / "archive.db"
        for name in order:
            merge_archives([root / name], target)
        one_by_one.append(dump(target, ids=False))
    assert one_by_one[0] == one_by_one[1]
    assert articles(root / "M-AB" / "archive.db") == {
        k: v for k, v in articles(merged).items() if v[0] == "bentre"}


def _damage(root: Path, name: str, how: str) -> Path:
    shard = root / f"bad-{name}"
    shutil.copytree(root / "A", shard)
    db = shard / "archive.db"
    if how == "truncate":
        (shard / "manifest.json").unlink()
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    elif how == "corrupt":
        (shard / "manifest.json").unlink()
        data = bytearray(db.read_bytes())
        for i in range(8192, len(data) - 4096, 4096):  # every page but the first: headers too
            data[i:i + 64] = b"\xa5" * 64
        db.write_bytes(bytes(data))
    elif how == "warc":
        warc = next((shard / "warc").glob("*.warc.gz"))
        data = bytearray(warc.read_bytes())
        data[len(data) // 2] ^= 0xFF
        warc.write_bytes(bytes(data))
    elif how == "missing":
        next((shard / "warc").glob("*.warc.gz")).unlink()
    elif how == "attachment":
        (shard / "manifest.json").unlink()
        conn = sqlite3.connect(db)
        conn.execute("INSERT INTO attachments (sha256, mime, size, path) VALUES (?, ?, ?, ?)",
                     ("0" * 64, "image/jpeg", 3, "attachments/00/x.jpg"))
        conn.commit()
        conn.close()
        (shard / "attachments" / "00").mkdir(parents=True)
        (shard / "attachments" / "00" / "x.jpg").write_bytes(b"abc")
    return shard


@pytest.mark.parametrize("how, reason", [
    ("truncate", "archive.db"),
    ("corrupt", "archive.db"),
    ("warc", "sha256"),
    ("missing", "missing"),
    ("attachment", "sha256"),
])
def test_a_damaged_shard_is_refused_and_the_target_untouched(shards, how, reason):
    root, _, merged, _ = shards
    bad = _damage(root, how, how)
    before = folder_state(merged.parent, strict=True)
    proc = run_cli("merge", str(root / "Q"), str(bad), "--into", str(merged), check=False)
    assert proc.returncode == 8, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("luutru merge:")]
    assert len(lines) == 1 and str(bad) in lines[0] and reason in lines[0], proc.stderr
    assert folder_state(merged.parent, strict=True) == before
    fresh = root / f"never-{how}" / "archive.db"
    with pytest.raises(ShardDamaged):
        merge_archives([bad], fresh)
    assert not fresh.exists()


def test_a_shard_of_an_older_schema_is_merged(shards):
    """Q made as schema 1 left archives (content-storing search index, version 1) by a build
    without the newer columns and tables: merged (through a migrated copy), never modified."""
    root, _, _, _ = shards
    old = root / "Q-old"
    shutil.copytree(root / "Q", old)
    (old / "manifest.json").unlink()
    conn = sqlite3.connect(old / "archive.db")
    conn.execute("DROP TABLE articles_fts")
    conn.execute(OLD_FTS_SQL)
    conn.execute("INSERT INTO articles_fts (rowid, title, text, title_fold, text_fold) "
                 "SELECT id, title, text, title, text FROM articles")
    conn.execute("DROP TABLE attachments_fts")
    conn.execute(OLD_ATTACHMENTS_FTS_SQL)
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.execute("DELETE FROM meta WHERE key = 'fold_signature'")
    conn.execute("DROP TABLE run_origins")
    for column in ("fingerprint", "date_mentioned", "date_mentioned_text"):
        conn.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    conn.commit()
    conn.close()
    before = folder_state(old)
    target = root / "M-old" / "archive.db"
    run_cli("merge", str(old), "--into", str(target))
    assert folder_state(old) == before
    assert articles(target) == articles(root / "Q" / "archive.db")
    found = json.loads(run_cli("search", "chính trị", "--db", str(target), "--json").stdout)
    assert found


def test_search_finds_articles_of_every_shard(shards):
    _, _, merged, _ = shards
    hits = json.loads(run_cli("search", "chính trị", "--db", str(merged), "--json",
                              "--limit", "200").stdout)
    rows = hits["results"] if isinstance(hits, dict) else hits
    assert {h["site"] for h in rows} == {"bentre", "quang_tri"}


def test_duplicates_across_shards_fold_like_a_crawl(shards):
    """The same article stored under another canonical URL in a second shard (a spelling an
    older crawl used), seen there a day earlier: one article, under the URL seen first, the
    other spelling its alias, whatever the order; files hard-linked with --link."""
    root = shards[0]
    dup = root / "Q-dup"
    shutil.copytree(root / "Q", dup)
    (dup / "manifest.json").unlink()
    conn = sqlite3.connect(dup / "archive.db")
    article_id, canonical, first_seen = conn.execute(
        "SELECT id, canonical_url, first_seen FROM articles ORDER BY id LIMIT 1").fetchone()
    other = canonical + "-ban-cu"
    earlier = f"{int(first_seen[:4]) - 1}{first_seen[4:]}"
    conn.execute("UPDATE articles SET canonical_url = ?, url = ?, first_seen = ? WHERE id = ?",
                 (other, other, earlier, article_id))
    conn.execute("DELETE FROM article_urls WHERE article_id = ?", (article_id,))
    conn.execute("INSERT INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
                 (other, article_id, earlier))
    conn.commit()
    conn.close()
    single = articles(root / "Q" / "archive.db")
    results = []
    for order in ((root / "Q", dup), (dup, root / "Q")):
        target = root / f"dup-{order[0].name}" / "archive.db"
        result = merge_archives(list(order), target, link=True)
        assert (result.articles_added, result.articles_duplicate) == (len(single), 1)
        assert result.files_linked > 0 and result.files_copied == 0
        got = articles(target)
        assert set(got) == set(single) - {canonical} | {other}
        assert got[other] == single[canonical]
        conn = sqlite3.connect(target)
        assert conn.execute("SELECT a.canonical_url, u.first_seen FROM article_urls u JOIN "
                            "articles a ON a.id = u.article_id WHERE u.url = ?",
                            (canonical,)).fetchone()[0] == other
        results.append(dump(target, ids=False))
        conn.close()
    assert results[0]["articles"] == results[1]["articles"]
    (rel,) = sqlite3.connect(root / "Q" / "archive.db").execute(
        "SELECT path FROM attachments").fetchone()
    assert (root / "dup-Q" / rel).stat().st_ino in {(root / "Q" / rel).stat().st_ino,
                                                    (dup / rel).stat().st_ino}


def test_a_failure_midway_leaves_the_target_as_it_was(shards):
    """Writing an attached file fails after the WARC files were copied and the rows written
    (a folder squats its path): the transaction rolls back and the copied files go."""
    root = shards[0]
    target = root / "M-fail" / "archive.db"
    merge_archives([root / "B"], target)
    before, tables = folder_state(target.parent), dump(target)
    (rel,) = sqlite3.connect(root / "Q" / "archive.db").execute(
        "SELECT path FROM attachments").fetchone()
    squat = target.parent / rel  # B kept the same image: it is put back afterwards
    kept = squat.read_bytes()
    squat.unlink()
    squat.mkdir()
    with pytest.raises(OSError):
        merge_archives([root / "Q"], target)
    squat.rmdir()
    squat.write_bytes(kept)
    assert dump(target) == tables  # the file's bytes move: the writer opened it
    after = folder_state(target.parent)
    assert after.keys() == before.keys()  # Q's WARC file, copied first, was taken back
    assert all(after[k] == before[k] for k in before if k != "archive.db")
    # A target the failed merge created goes with it.
    fresh = root / "M-fail-new" / "archive.db"
    (fresh.parent / rel).mkdir(parents=True)
    with pytest.raises(OSError):
        merge_archives([root / "Q"], fresh)
    assert not fresh.exists() and not list((fresh.parent / "warc").glob("*"))


def test_files_a_shard_never_fetched_stay_wanted(shards):
    """`attachment_wanted` rows of a shard (files its crawl was stopped before fetching) come
    along, on the merged article, so the next crawl fetches them; a file another shard kept
    for the same article is not wanted any more."""
    root = shards[0]
    stopped = root / "Q-stopped"
    shutil.copytree(root / "Q", stopped)
    (stopped / "manifest.json").unlink()
    conn = sqlite3.connect(stopped / "archive.db")
    linked_article, linked_url = conn.execute(
        "SELECT article_id, url FROM article_attachments LIMIT 1").fetchone()
    other, canonical = conn.execute("SELECT id, canonical_url FROM articles WHERE id != ? "
                                    "ORDER BY id LIMIT 1", (linked_article,)).fetchone()
    missing = canonical.rsplit("/", 1)[0] + "/uploads/ke-hoach-2025.pdf"
    conn.executemany("INSERT INTO attachment_wanted (article_id, url, label, first_seen) "
                     "VALUES (?, ?, 'Kế hoạch', '2026-01-01T00:00:00+00:00')",
                     [(other, missing), (linked_article, linked_url)])
    conn.commit()
    conn.close()
    target = root / "wanted" / "archive.db"
    for _ in range(2):  # the second merge changes nothing
        merge_archives([root / "Q", stopped], target)
        rows = sqlite3.connect(target).execute(
            "SELECT a.canonical_url, w.url FROM attachment_wanted w JOIN articles a "
            "ON a.id = w.article_id").fetchall()
        assert rows == [(canonical, missing)]
