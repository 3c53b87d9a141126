"""Exports tell whether, when and how an article changed or disappeared: through the real CLI on
an archive crawled twice from a replica where one essay was edited and another deleted."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.export import ATTACHMENT_CSV_FIELDS, EXPORT_FIELDS
from replicas.snapshots import EDIT_NOTE
from tests.conftest import run_cli


def jsonl(*args: str) -> list[dict]:
    return [json.loads(line) for line in run_cli("export", *args).stdout.splitlines()]


def by_title(records: list[dict], title: str) -> list[dict]:
    return [r for r in records if r["title"] == title]


def test_rows_mark_gone_edited_and_attached_articles(changed_archive):
    db, site, changes = changed_archive
    records = jsonl("--db", str(db))
    assert len(records) == len(site.articles) + len(changes.new)  # gone ones included
    assert all(list(r) == list(EXPORT_FIELDS) for r in records)

    (gone,) = by_title(records, changes.deleted.title)
    assert gone["status"] == "gone" and gone["gone_at"] > gone["last_seen"]
    (edited,) = by_title(records, changes.edited.title)
    assert (edited["status"], edited["gone_at"]) == ("live", None)
    assert (edited["revision"], edited["revisions"]) == (2, 2)
    assert edited["revision_seen"] > edited["first_seen"]  # when it changed
    assert edited["text"].endswith(EDIT_NOTE)
    untouched = [r for r in records if r["revision"] == 1 and r["status"] == "live"]
    assert len(untouched) == len(records) - 2
    assert all(r["revision_seen"] == r["first_seen"] for r in untouched)
    listed = [r for r in records if r["published_source"] == "listing"]
    assert listed and all(r["published_confidence"] == 0.9 for r in listed)

    # The WARC record id names the response the article text was read from.
    for record in (gone, edited):
        with open(db.parent / record["warc_file"], "rb") as fh:
            found = {r.rec_headers.get_header("WARC-Record-ID"): r for r in ArchiveIterator(fh)
                     if r.rec_headers.get_header("WARC-Record-ID") == record["warc_record_id"]
                     and r.rec_type == "response" and r.content_stream().read()}
        (response,) = found.values()
        assert response.rec_headers.get_header("WARC-Target-URI") == record["original_url"]

    # Attached files: URL, sha256 of the stored bytes, sniffed type, file name.
    attached = [r for r in records if r["attachment_count"]]
    assert attached
    for record in attached:
        assert len(record["attachments"]) == record["attachment_count"]
        for item in record["attachments"]:
            data = (db.parent / item["path"]).read_bytes()
            assert item["sha256"] == hashlib.sha256(data).hexdigest()
            assert item["mime"] == "image/jpeg" and item["file_name"].endswith(".jpg")
            assert item["url"].endswith(".jpg") and item["size"] == len(data)


def test_gone_filters(changed_archive):
    db, site, changes = changed_archive
    only = jsonl("--db", str(db), "--only-gone")
    assert [r["title"] for r in only] == [changes.deleted.title]
    kept = jsonl("--db", str(db), "--exclude-gone")
    assert len(kept) == len(site.articles) + len(changes.new) - 1
    assert all(r["status"] == "live" for r in kept)
    assert len(jsonl("--db", str(db), "--include-gone")) == len(kept) + 1


def test_revisions_export_every_version(changed_archive):
    db, site, changes = changed_archive
    records = jsonl("--db", str(db), "--revisions")
    assert len(records) == len(site.articles) + len(changes.new) + 1
    first, second = by_title(records, changes.edited.title)
    assert (first["revision"], second["revision"]) == (1, 2)
    assert first["revisions"] == second["revisions"] == 2
    assert not first["text"].endswith(EDIT_NOTE) and second["text"].endswith(EDIT_NOTE)
    assert first["content_hash"] != second["content_hash"]
    assert first["revision_seen"] < second["revision_seen"]
    # Each version points at the WARC file of the run that fetched it.
    conn = sqlite3.connect(db)
    run_files = [r[0] for r in conn.execute("SELECT warc_file FROM runs ORDER BY id")]
    conn.close()
    assert [first["warc_file"], second["warc_file"]] == run_files
    # ... and at the record its text was read from.
    assert first["warc_record_id"] and second["warc_record_id"]
    assert first["warc_record_id"] != second["warc_record_id"]


def test_csv_for_excel_with_attachments_file(changed_archive, tmp_path: Path):
    db, _site, changes = changed_archive
    out, side = tmp_path / "bai.csv", tmp_path / "tep.csv"
    proc = run_cli("export", "--db", str(db), "--format", "csv", "--bom", "-o", str(out),
                   "--attachments", str(side))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\n", 1)[0].endswith(b"\r")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == EXPORT_FIELDS
    (gone,) = [r for r in rows if r["title"] == changes.deleted.title]
    assert gone["status"] == "gone" and gone["gone_at"]
    (edited,) = [r for r in rows if r["title"] == changes.edited.title]
    assert (edited["revision"], edited["revisions"]) == ("2", "2")
    records = {r["url"]: r for r in jsonl("--db", str(db))}
    attached = [r for r in rows if r["attachment_count"] != "0"]
    for row in attached:  # one cell: the URLs, one a line
        assert row["attachments"].split("\n") == [
            a["url"] for a in records[row["url"]]["attachments"]]
    files = list(csv.DictReader(io.StringIO(side.read_bytes().decode("utf-8-sig"))))
    assert side.read_bytes().startswith(b"\xef\xbb\xbf")
    assert tuple(files[0]) == ATTACHMENT_CSV_FIELDS
    assert len(files) == sum(int(r["attachment_count"]) for r in rows)
    assert {f["article_url"] for f in files} == {r["url"] for r in attached}
    assert f"Wrote {len(files)} attached files" in proc.stderr


def test_sqlite_subset_keeps_history_and_gone(changed_archive, tmp_path: Path):
    db, _site, changes = changed_archive
    subset = tmp_path / "subset.db"
    run_cli("export", "--db", str(db), "--format", "sqlite", "-o", str(subset))
    fields = ("url", "status", "gone_at", "revision", "revisions", "revision_seen", "text")
    want = [{k: r[k] for k in fields} for r in jsonl("--db", str(db), "--revisions")]
    got = [{k: r[k] for k in fields} for r in jsonl("--db", str(subset), "--revisions")]
    assert got == want
    gone = jsonl("--db", str(subset), "--only-gone")
    assert [r["title"] for r in gone] == [changes.deleted.title]


def test_export_refuses_contradictory_options(changed_archive, tmp_path: Path):
    db, _site, _changes = changed_archive
    for args, words in (
        (["--format", "wacz"], "needs --output"),
        (["--format", "sqlite", "-o", str(tmp_path / "s.db"), "--revisions"], "--revisions"),
    ):
        proc = run_cli("export", "--db", str(db), *args, check=False)
        assert proc.returncode == 2 and words in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
