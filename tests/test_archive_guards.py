"""Guards of the archive layer that its strict type check brought up: a lock file anyone can
write still yields the "in use" message, and the filters every reader shares (one TypedDict
since issue 15) still refuse a name that is no filter instead of ignoring it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.db import open_reader
from archive.export import iter_records
from archive.lock import ArchiveLock, ArchiveLocked
from archive.search import search
from archive.search_filters import filter_clauses
from archive.store import Archive
from tests.records import article_record


@pytest.mark.parametrize("content", ["[1, 2]", "null", "7", '"crawl"'])
def test_a_lock_file_holding_no_object_still_names_the_archive_in_use(
        tmp_path: Path, content: str) -> None:
    db = tmp_path / "site.db"
    with ArchiveLock(db, "another crawl"):
        # The holder's record overwritten by something else (a person, another tool): valid
        # JSON that is no object. Reading it used to raise AttributeError from `.get`.
        (tmp_path / "site.db.lock").write_text(content, encoding="utf-8")
        with pytest.raises(ArchiveLocked, match=r"in use by pid \? on \?"):
            ArchiveLock(db, "luutru merge").acquire()


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path = tmp_path_factory.mktemp("filters") / "archive.db"
    with Archive(path) as archive:
        archive.upsert_site({"slug": "hue", "name": "Trường Chính trị Thừa Thiên Huế"})
        archive.store_article(article_record(
            "hue", 1, title="Hội nghị cán bộ", text="Hội nghị tổng kết công tác đào tạo.",
            published_at="2020-05-01"), None)
    return open_reader(path)


def test_the_shared_filters_still_filter(reader: sqlite3.Connection) -> None:
    assert [h.url for h in search(reader, "hoi nghi", since="2020", category="tin tuc")] == [
        "https://hue.vn/bai/1"]
    assert search(reader, "hoi nghi", until="2019") == []
    assert [r["url"] for r in iter_records(reader, "hue", author=None, since="2020-05")] == [
        "https://hue.vn/bai/1"]
    assert list(iter_records(reader, "hue", category="khac")) == []


@pytest.mark.parametrize("call", [
    lambda conn: search(conn, "hoi nghi", sinse="2020"),
    lambda conn: list(iter_records(conn, "hue", categroy="tin tuc")),
    lambda conn: filter_clauses(autor="nguyen"),
])
def test_a_misspelt_filter_is_refused_not_ignored(reader: sqlite3.Connection, call) -> None:
    with pytest.raises(TypeError):
        call(reader)
