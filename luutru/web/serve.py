"""`luutru serve`: Datasette over the archive, read-only, with Vietnamese-aware search.

Its home page is the reading room (`luutru.web.reading_room`: search, article pages, captures);
Datasette's tables and SQL stay under `/<archive name>`.

The database is opened `mode=ro` (not `immutable`, so articles a running crawl commits show
up), and every connection gets the reader's authorizer (no write, no ATTACH, no PRAGMA that
sets anything) from `luutru.web.datasette_plugin`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# (Vietnamese / English) labels shown under each column name in Datasette.
ARTICLE_COLUMNS = {
    "id": "Mã bài / Article id",
    "site": "Trang (mã trường) / Site slug",
    "canonical_url": "Địa chỉ chuẩn / Canonical URL (live site)",
    "url": "Địa chỉ đã tải / URL as fetched",
    "node_id": "Mã nút Drupal / Drupal node id",
    "title": "Tiêu đề / Title",
    "text": "Nội dung / Body text",
    "author": "Tác giả / Author (as printed)",
    "author_role": "Chức vụ tác giả / Author's role",
    "author_prefix": "Học hàm, học vị / Degree or title",
    "categories": "Chuyên mục / Categories (JSON list)",
    "published_at": "Ngày đăng / Published (ISO 8601)",
    "published_precision": "Độ chính xác ngày / Date precision (day, minute)",
    "published_raw": "Ngày như trang in / Date as printed",
    "published_source": "Nguồn ngày / Where the date was found",
    "published_confidence": "Độ tin cậy ngày / Date confidence",
    "content_hash": "Mã băm nội dung / SHA-256 of title and text",
    "first_seen": "Thấy lần đầu / First seen (UTC)",
    "last_seen": "Thấy lần cuối / Last seen (UTC)",
    "first_run": "Lần thu đầu / First run id",
    "last_run": "Lần thu cuối / Last run id",
    "gone_at": "Đã gỡ lúc / Gone (404/410) at",
    "revision": "Phiên bản / Revision",
    "warc_file": "Tệp WARC / WARC file",
    "warc_offset": "Vị trí WARC / WARC offset",
    "warc_record_id": "Mã bản ghi WARC / WARC record id",
    "warc_digest": "Mã băm WARC / WARC payload digest",
}

SEARCH_IN_SITE_SQL = """
select a.id, a.title, a.published_at, a.site, a.author,
  luutru_snippet(a.text, :q) as snippet, a.canonical_url
from articles_fts join articles a on a.id = articles_fts.rowid
where articles_fts match luutru_match(:q) and (:site = '' or a.site = :site)
order by bm25(articles_fts, 0.0, 0.0, 5.0, 1.0)
limit 100
""".strip()

PER_SITE_PER_YEAR_SQL = """
select site, substr(published_at, 1, 4) as year, count(*) as articles
from articles
where published_at is not null
group by site, year
order by site, year
""".strip()


def database_name(db: str | Path) -> str:
    """The archive's name in Datasette URLs: the file's stem (`bentre.db` -> `bentre`), or
    `archive` when the stem is not URL-friendly."""
    stem = Path(db).stem
    return stem if re.fullmatch(r"[A-Za-z0-9_-]+", stem) else "archive"


def build_metadata(db_name: str) -> dict[str, Any]:
    """Titles, descriptions, column labels, search, facets and canned queries."""
    return {
        "title": "luutru — Lưu trữ trang web các Trường Chính trị / Political-school archive",
        "description": (
            "Tìm kiếm có hoặc không dấu (\"dang uy\" tìm được \"Đảng ủy\"). "
            "Search with or without diacritics: \"dang uy\" finds \"Đảng ủy\"; "
            "\"quoted phrases\", prefix*, OR and -exclusion work. Read-only."
        ),
        "source": "luutru",
        "plugins": {"luutru": {"databases": [db_name]}},
        "databases": {
            db_name: {
                "title": "Kho lưu trữ / Archive",
                "description": "Bài viết đã thu thập, các lần thu và nhật ký tải / "
                               "Archived articles, crawl runs and the fetch log.",
                "tables": {
                    "articles": {
                        "title": "Bài viết / Articles",
                        "description": (
                            "Một dòng mỗi bài. Ô tìm kiếm bỏ qua dấu: gõ \"dang uy\" để tìm "
                            "\"Đảng ủy\". / One row per article. The search box ignores "
                            "diacritics: type \"dang uy\" to find \"Đảng ủy\"."
                        ),
                        "label_column": "title",
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                        "sort_desc": "published_at",
                        "facets": [
                            "site",
                            {"array": "categories"},
                            "author",
                            {"year": "published_at"},
                        ],
                        "columns": ARTICLE_COLUMNS,
                    },
                    "sites": {
                        "title": "Trường / Sites",
                        "description": "Các trường luutru biết / The schools luutru knows.",
                        "label_column": "name",
                        "columns": {
                            "slug": "Mã / Slug", "name": "Tên / Name",
                            "province": "Tỉnh / Province",
                            "merged_into": "Sáp nhập vào / Merged into",
                            "base_url": "Địa chỉ / Live URL", "cms": "Nền tảng / CMS family",
                            "status": "Trạng thái / Status",
                        },
                    },
                    "runs": {
                        "title": "Các lần thu / Crawl runs",
                        "description": "Mỗi lần chạy luutru crawl / Every `luutru crawl` run.",
                        "facets": ["site", "status"],
                        "sort_desc": "id",
                    },
                    "article_urls": {
                        "title": "Địa chỉ của bài / Article URLs",
                        "description": "Mọi địa chỉ một bài được thấy / Every URL an article "
                                       "was seen under (aliases, /node/N, cross-posts).",
                    },
                    "fetch_log": {
                        "title": "Nhật ký tải / Fetch log",
                        "description": "Kết quả của mỗi địa chỉ đã lên lịch / The outcome of "
                                       "every scheduled URL.",
                        "facets": ["outcome", "reason"],
                    },
                    "articles_fts": {"hidden": True},
                    "attachments_fts": {"hidden": True},
                },
                "queries": {
                    "articles_per_site_per_year": {
                        "title": "Số bài theo trường và năm / Articles per site per year",
                        "sql": PER_SITE_PER_YEAR_SQL,
                    },
                    "search_in_site": {
                        "title": "Tìm trong một trường / Search within a site",
                        "description": (
                            "q: từ khóa, có hoặc không dấu / words, with or without "
                            "diacritics; site: mã trường (để trống = mọi trường) / site slug "
                            "(empty = all sites)."
                        ),
                        "sql": SEARCH_IN_SITE_SQL,
                    },
                },
            }
        },
    }


def make_datasette(db: str | Path, *, sql_time_limit_ms: int = 3000) -> Any:
    """A Datasette instance over one archive file, with the luutru plugin registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from archive.db import ArchiveNotFound, open_reader
    from luutru.web import datasette_plugin, reading_room

    path = Path(db)
    if not path.exists():
        raise ArchiveNotFound(path)
    open_reader(path).close()  # a one-line error now rather than a broken page later
    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="luutru")
    if not pm.is_registered(reading_room):
        pm.register(reading_room, name="luutru_reading_room")
    name = database_name(path)
    ds = Datasette(
        files=[],
        metadata=build_metadata(name),
        settings={
            "sql_time_limit_ms": sql_time_limit_ms,
            "default_page_size": 50,
            "facet_time_limit_ms": 1000,
            "allow_download": False,
            "suggest_facets": False,
        },
    )
    from datasette.database import Database

    ds.add_database(Database(ds, path=str(path.resolve()), is_mutable=True), name=name)
    return ds
