"""`luutru serve` (Datasette) in-process: folded search, facets, metadata, canned queries, and
no write or ATTACH through custom SQL."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from luutru.web.serve import build_metadata, database_name, make_datasette


@pytest.fixture(scope="module")
def web(bentre_archive) -> Any:
    db = bentre_archive[0]
    ds = make_datasette(db)
    name = database_name(db)

    def get(path: str) -> Any:
        return asyncio.run(ds.client.get(path.replace("DB", name)))

    get.db = db  # type: ignore[attr-defined]
    return get


def test_table_search_box_folds(web: Any) -> None:
    rows = web("/DB/articles.json?_search=dang+uy&_shape=array&_size=100").json()
    assert rows and any(r["title"].startswith("Đảng ủy") for r in rows)
    assert web("/DB/articles.json?_search=%C4%90%E1%BA%A3ng+%E1%BB%A7y&_shape=array"
               "&_size=100").json() == rows
    page = web("/DB/articles?_search=dang+uy")
    assert page.status_code == 200 and "Đảng ủy" in page.text
    # malformed input: an empty result, not an error page
    for q in ("%22", "-", "OR", "%00"):
        r = web(f"/DB/articles.json?_search={q}&_shape=array")
        assert r.status_code == 200 and r.json() == []


def test_facets_and_labels(web: Any) -> None:
    data = web("/DB/articles.json?_extra=facet_results").json()
    results = data["facet_results"]
    facets = results.get("results", results) if isinstance(results, dict) else results
    names = {f["name"] for f in facets.values()} if isinstance(facets, dict) else set()
    assert {"site", "categories", "author", "published_at"} <= names
    page = web("/DB/articles")
    assert "Tiêu đề / Title" in page.text and "Bài viết / Articles" in page.text
    year = web("/DB/articles.json?published_at__startswith=2020&_shape=array&_size=max").json()
    assert year and all(r["published_at"].startswith("2020") for r in year)


def test_canned_queries(web: Any) -> None:
    per_year = web("/DB/articles_per_site_per_year.json?_shape=array").json()
    assert per_year and {"site", "year", "articles"} <= set(per_year[0])
    hits = web("/DB/search_in_site.json?q=dang+uy&site=bentre&_shape=array").json()
    assert hits and "[Đảng ủy]" in hits[0]["snippet"]
    assert web("/DB/search_in_site.json?q=dang+uy&site=nowhere&_shape=array").json() == []


def test_metadata_is_bilingual() -> None:
    meta = build_metadata("x")
    table = meta["databases"]["x"]["tables"]["articles"]
    assert table["fts_table"] == "articles_fts"
    assert all(" / " in label for label in table["columns"].values())


@pytest.mark.parametrize("sql", [
    "INSERT INTO meta (key, value) VALUES ('x', 'y')",
    "WITH x AS (SELECT 1) INSERT INTO meta SELECT 'a', 'b' FROM x",
    "UPDATE articles SET title = 'x'",
    "ATTACH DATABASE 'ATTACHED' AS other",
    "SELECT 1; ATTACH 'ATTACHED' AS other",
    "PRAGMA journal_mode = DELETE",
    "SELECT writefile('ATTACHED', 'x')",
    "SELECT load_extension('ATTACHED')",
])
def test_custom_sql_cannot_write_or_attach(web: Any, tmp_path: Path, sql: str) -> None:
    from urllib.parse import quote

    target = tmp_path / "attached.db"
    db: Path = web.db
    before = (db.stat().st_size, os.path.getmtime(db))
    r = web("/DB.json?sql=" + quote(sql.replace("ATTACHED", str(target))))
    assert r.status_code >= 400 or r.json().get("ok") is False
    assert not target.exists()
    assert (db.stat().st_size, os.path.getmtime(db)) == before
    count = web("/DB.json?sql=select+count(*)+from+meta+where+key='x'&_shape=array").json()
    assert list(count[0].values()) == [0]
