"""Tests for pipelines.dates: fast paths, labels, render-clock refusal, window, fallback."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import ParsedDate, is_render_clock, parse_date
from tests.cases import verdicts

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=TZ)

RENDER_CLOCKS = [
    "Thứ năm, 23 Tháng 3, 2023 - 01:50",
    "Chủ nhật, 22 Tháng 5, 2022 - 17:03",
    "Thứ ba, 29 Tháng 9, 2020 - 20:32",
    "Thứ sáu, 29 Tháng 3, 2024 - 13:12",
    "Chủ nhật, 21 Tháng 4, 2024 - 16:02",
    "Thứ bảy, 20 Tháng 4, 2024 - 15:57",
]


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        # sites.md §3.1, one row per format
        ("Ngày Đăng : 17/02/2021", "2021-02-17", "day"),
        ("Ngày Đăng : 20/04/2021", "2021-04-20", "day"),
        ("Chủ nhật - 04/10/2020 10:53", "2020-10-04T10:53:00+07:00", "minute"),
        ("Thứ năm - 19/11/2020 22:44", "2020-11-19T22:44:00+07:00", "minute"),
        ("- Thứ hai - 10/02/2025 16:20", "2025-02-10T16:20:00+07:00", "minute"),
        ("09:32 05/10/2024", "2024-10-05T09:32:00+07:00", "minute"),
        ("07:37 18/08/2023", "2023-08-18T07:37:00+07:00", "minute"),
        ("19/05/2023 06:17", "2023-05-19T06:17:00+07:00", "minute"),
        ("15.09.2023 10:06", "2023-09-15T10:06:00+07:00", "minute"),
        ("15.01.2018 07:39", "2018-01-15T07:39:00+07:00", "minute"),
        ("Cập nhật: 25/04/2022 22:06", "2022-04-25T22:06:00+07:00", "minute"),
        (
            "Đăng lúc: 20:22:56 02/06/2019 (GMT+7)732 lượt xem",
            "2019-06-02T20:22:56+07:00",
            "minute",
        ),
        ("22/10/2021", "2021-10-22", "day"),
        ("22/10/2021 • lượt xem: 2252", "2021-10-22", "day"),
        ("13 November 2019", "2019-11-13", "day"),
        ("Thứ Tư, 13/11/2019 - 17:23", "2019-11-13T17:23:00+07:00", "minute"),
        ("Đăng ngày: 20/01/2020 - 8:28:04 AM", "2020-01-20T08:28:04+07:00", "minute"),
        ("Ngày đăng: 18/08/2023 17:20", "2023-08-18T17:20:00+07:00", "minute"),
        ("Chủ nhật, 26 Tháng 11 2023 15:06", "2023-11-26T15:06:00+07:00", "minute"),
        ("07/03/2022 - 05:59", "2022-03-07T05:59:00+07:00", "minute"),
        ("18/05/2024 21:24", "2024-05-18T21:24:00+07:00", "minute"),
        # body forms
        ("ngày 23 tháng 2 năm 2016", "2016-02-23", "day"),
        ("Vào ngày 23 tháng 2 năm 2016, Đảng ủy Khối", "2016-02-23", "day"),
        ("Ngày 18 tháng 5 năm 2020", "2020-05-18", "day"),
        ("Chiều ngày 17 tháng 12 năm 2021", "2021-12-17", "day"),
        ("ngày 04 tháng 01 năm 2016", "2016-01-04", "day"),
        ("Sáng 23/7/2025", "2025-07-23", "day"),
        ("ngày 2-2-2021", "2021-02-02", "day"),
        ("(07/3/1947-07/3/2024)", "1947-03-07", "day"),
        ("Thứ Bảy, ngày 29 tháng 2 năm 2020 - 8:28:19 PM", "2020-02-29T20:28:19+07:00", "minute"),
        ("20/01/2020 - 12:05 AM", "2020-01-20T00:05:00+07:00", "minute"),
        ("20/01/2020 - 12:05 PM", "2020-01-20T12:05:00+07:00", "minute"),
        ("20/01/2020 - 13:05 PM", "2020-01-20T13:05:00+07:00", "minute"),
        ("20/01/2020 25:70", "2020-01-20", "day"),
        ("November 13, 2019", "2019-11-13", "day"),
        ("13 Nov 2019 10:00", "2019-11-13T10:00:00+07:00", "minute"),
        ("23 Tháng 3, 2023", "2023-03-23", "day"),
        # day first, always
        ("04/01/2016", "2016-01-04", "day"),
        ("01/04/2016", "2016-04-01", "day"),
        ("4/1/2016", "2016-01-04", "day"),
        # meta tags
        ("2019-11-13", "2019-11-13", "day"),
        ("2019-11-13T17:23:00+07:00", "2019-11-13T17:23:00+07:00", "minute"),
        ("2019-11-13T10:23:00Z", "2019-11-13T17:23:00+07:00", "minute"),
        ("2019-11-13T10:23:00+0000", "2019-11-13T17:23:00+07:00", "minute"),
        # whitespace noise
        ("  Ngày\u00a0Đăng\u00a0:\u00a017/02/2021 \n", "2021-02-17", "day"),
        ("Ngày Ðăng : 17/02/2021", "2021-02-17", "day"),
    ],
)
def test_parse_date(raw: str, iso: str, precision: str) -> None:
    parsed = parse_date(raw, source="listing", now=NOW)
    assert parsed is not None, raw
    assert parsed.isoformat() == iso
    assert parsed.precision == precision
    assert parsed.raw == raw
    assert parsed.source == "listing"
    assert parsed.value.tzinfo is not None
    assert parsed.value.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("clock", RENDER_CLOCKS)
def test_render_clock_is_refused(clock: str) -> None:
    assert parse_date(clock, now=NOW) is None
    assert parse_date(f"  {clock}  ", now=NOW) is None
    assert parse_date(clock.upper(), now=NOW) is None


NOT_CLOCKS = [
    "Thứ Tư, 13/11/2019 - 17:23",
    "Chủ nhật - 04/10/2020 10:53",
    "Chủ nhật, 26 Tháng 11 2023 15:06",
    "Ngày Đăng : 17/02/2021",
    "23 Tháng 3, 2023",
    "",
]


@pytest.mark.parametrize(
    ("predicate", "line", "expected"),
    verdicts(is_render_clock, true=RENDER_CLOCKS, false=NOT_CLOCKS),
)
def test_is_render_clock(predicate: Callable[[str], object], line: str, expected: bool) -> None:
    assert bool(predicate(line)) is expected


def test_label_wins_over_clock_and_banner() -> None:
    raw = (
        "Kỷ niệm 77 năm (07/3/1947-07/3/2024)! Chủ nhật, 21 Tháng 4, 2024 - 16:02 "
        "Ngày Đăng : 17/02/2021"
    )
    parsed = parse_date(raw, now=NOW)
    assert parsed is not None and parsed.isoformat() == "2021-02-17"


def test_clock_is_never_the_answer_when_text_follows() -> None:
    parsed = parse_date("Chủ nhật, 21 Tháng 4, 2024 - 16:02 ngày 23 tháng 2 năm 2016", now=NOW)
    assert parsed is not None and parsed.isoformat() == "2016-02-23"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "Tin khác",
        "Nguyễn Thị Yến",
        "31/02/2020",
        "32/01/2020",
        "13/13/2020",
        "Ngày 28.12",  # no year: never invent one
        "tháng 2/2016",  # month only: not a day
        "năm 2015",
        "1234",
        "01/01/1900",
        "31/12/1944",
        "03/02/2026",  # beyond now + 1 day
        "2099-01-01",
    ],
)
def test_parse_date_refuses(raw: str) -> None:
    assert parse_date(raw, now=NOW) is None


def test_window_edges() -> None:
    assert parse_date("01/01/1945", now=NOW) is not None
    assert parse_date("02/02/2026", now=NOW) is not None  # tomorrow is within now + 1 day
    assert parse_date("03/02/2026", now=NOW) is None


def test_now_default_and_naive_now() -> None:
    assert parse_date("17/02/2021") is not None
    naive = datetime(2021, 2, 16, 12, 0)
    assert parse_date("17/02/2021", now=naive) is not None
    assert parse_date("19/02/2021", now=naive) is None


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("23 Tháng Mười Một, 2019", "2019-11-23"),
        ("hôm qua", "2026-01-31"),
        ("2 ngày trước", "2026-01-30"),
    ],
)
def test_dateparser_fallback_uses_now(raw: str, iso: str) -> None:
    parsed = parse_date(raw, source="article_text", now=NOW)
    assert parsed is not None
    assert parsed.isoformat() == iso
    assert parsed.precision == "day"


def test_fallback_skips_long_strings() -> None:
    raw = "hôm qua " + "x" * 100
    assert parse_date(raw, now=NOW) is None


def test_parsed_date_is_frozen_and_formats() -> None:
    day = ParsedDate(datetime(2021, 2, 17, tzinfo=TZ), "day", "17/02/2021", "listing")
    minute = ParsedDate(datetime(2020, 10, 4, 10, 53, tzinfo=TZ), "minute", "x", "article_meta")
    assert day.isoformat() == "2021-02-17"
    assert minute.isoformat() == "2020-10-04T10:53:00+07:00"
    with pytest.raises(dataclasses.FrozenInstanceError):
        day.precision = "minute"  # type: ignore[misc]


def test_default_source_is_unknown() -> None:
    parsed = parse_date("17/02/2021", now=NOW)
    assert parsed is not None and parsed.source == "unknown"


# --- confidence, sources, chrome positions, body mentions ------------------------------------

from pathlib import Path  # noqa: E402

from pipelines.dates import (  # noqa: E402
    SOURCES,
    confidence_for,
    is_page_chrome_date,
)
from pipelines.mentions import body_date, date_mentioned  # noqa: E402


@pytest.mark.parametrize(
    ("raw", "source", "confidence"),
    [
        ("Ngày đăng: 18/08/2023 17:20", "article_text", 1.0),
        ("Cập nhật: 25/04/2022 22:06", "article_meta", 1.0),
        ("2019-11-13T17:23:00+07:00", "article_meta", 1.0),
        ("Ngày Đăng : 17/02/2021", "listing", 0.9),
        ("Chủ nhật - 04/10/2020 10:53", "article_meta", 0.8),
        ("19/05/2023 06:17", "article_text", 0.8),
        ("Sáng 23/7/2025", "body_mention", 0.4),
        ("17/02/2021", "unknown", 0.5),
    ],
)
def test_confidence_by_source_and_label(raw: str, source: str, confidence: float) -> None:
    parsed = parse_date(raw, source=source, now=NOW)
    assert parsed is not None
    assert parsed.confidence == confidence
    assert parsed.source == source


def test_sources_and_default_confidence() -> None:
    # only places where the site prints the article's date; a body mention is no source
    assert SOURCES == ("listing", "article_meta", "article_text")
    day = ParsedDate(datetime(2021, 2, 17, tzinfo=TZ), "day", "17/02/2021", "listing")
    assert day.confidence == 0.9
    assert confidence_for("body_mention", labelled=True) == 0.4


# Every render clock in sites.md, with the crawl time at which the page showed it.
CHROME_CLOCKS = [
    ("Thứ năm, 23 Tháng 3, 2023 - 01:50", datetime(2023, 3, 23, 1, 50, tzinfo=TZ)),
    ("Chủ nhật, 22 Tháng 5, 2022 - 17:03", datetime(2022, 5, 22, 17, 3, tzinfo=TZ)),
    ("Thứ ba, 29 Tháng 9, 2020 - 20:32", datetime(2020, 9, 29, 20, 32, tzinfo=TZ)),
    ("Thứ sáu, 29 Tháng 3, 2024 - 13:12", datetime(2024, 3, 29, 13, 12, tzinfo=TZ)),
    ("Thứ bảy, 20 Tháng 4, 2024 - 15:57", datetime(2024, 4, 20, 15, 57, tzinfo=TZ)),
    ("Chủ nhật, 21 Tháng 4, 2024 - 16:02", datetime(2024, 4, 21, 16, 2, tzinfo=TZ)),
    # tctph.gov.vn header line (bulletin name + clock)
    ("Thông tin lý luận và thực tiễn Chủ nhật, 24-11-2024", datetime(2024, 11, 24, 9, tzinfo=TZ)),
    # tuyengiaohungyen.vn 12-hour header clock
    ("Thứ Bảy, ngày 29 tháng 2 năm 2020 - 8:28:19 PM", datetime(2020, 2, 29, 20, 28, tzinfo=TZ)),
]


@pytest.mark.parametrize(("raw", "crawled"), CHROME_CLOCKS)
def test_chrome_clock_on_crawl_day_is_refused(raw: str, crawled: datetime) -> None:
    assert parse_date(raw, now=crawled, position="chrome") is None
    for source in SOURCES:
        assert parse_date(raw, source=source, now=crawled, position="chrome") is None


def test_chrome_date_on_another_day_is_kept() -> None:
    crawled = datetime(2024, 11, 30, 9, tzinfo=TZ)
    parsed = parse_date("Thông tin lý luận và thực tiễn Chủ nhật, 24-11-2024", now=crawled,
                        position="chrome")
    assert parsed is not None and parsed.isoformat() == "2024-11-24"


def test_is_page_chrome_date() -> None:
    crawl = datetime(2024, 11, 24, 23, 30, tzinfo=TZ)
    assert is_page_chrome_date(datetime(2024, 11, 24, 1, 0, tzinfo=TZ), crawl)
    assert is_page_chrome_date(datetime(2024, 11, 24, 16, 0, tzinfo=ZoneInfo("UTC")), crawl.date())
    assert not is_page_chrome_date(datetime(2024, 11, 23, 23, 0, tzinfo=TZ), crawl)
    parsed = parse_date("24/11/2024", now=crawl)
    assert parsed is not None and is_page_chrome_date(parsed, crawl)


def test_fast_path_only() -> None:
    assert parse_date("23 Tháng Mười Một, 2019", now=NOW, fallback=False) is None
    assert parse_date("hôm qua", now=NOW, fallback=False) is None
    assert parse_date("19/05/2023 06:17", now=NOW, fallback=False) is not None


SEED = Path("/work/shared/seed-page.txt")


@pytest.mark.parametrize(
    ("paragraphs", "iso"),
    [
        (["Vào ngày 23 tháng 2 năm 2016, Đảng ủy Khối Các cơ quan tỉnh Bến Tre đã tổ chức"],
         "2016-02-23"),
        (["Sáng 23/7/2025, nhà trường tổ chức tổng kết."], "2025-07-23"),
        (["Ngày 18 tháng 5 năm 2020, Đảng bộ Trường Chính trị tổ chức Đại hội."], "2020-05-18"),
        (["Chiều ngày 31 tháng 12 năm 2021, Hội đồng khoa học tỉnh tổ chức nghiệm thu."],
         "2021-12-31"),
        (["Ngày 2-2-2021, Ban Thường vụ Tỉnh ủy đã thống nhất."], "2021-02-02"),
        (["Sáng ngày 7/3/2022, Trường Chính trị tỉnh Bến Tre long trọng tổ chức Lễ kỷ niệm."],
         "2022-03-07"),
        # a cited document's date is skipped, the event date after it is found
        (["Thực hiện Nghị quyết số 03-NQ/ĐUK ngày 04 tháng 01 năm 2016, ngày 23/02/2016 "
          "Đảng ủy Khối tổ chức hội nghị."], "2016-02-23"),
        # a lead date in the second paragraph wins over a mention inside the first
        (["Bài viết nhân dịp kỷ niệm ngày 07/3/1947 của trường.",
          "Sáng 8/3/2022, nhà trường tổ chức lễ."], "2022-03-08"),
        # a mere mention is used when nothing better exists
        (["Nhà trường được thành lập ngày 07/3/1947 tại Bến Tre."], "1947-03-07"),
    ],
)
def test_body_date(paragraphs: list[str], iso: str) -> None:
    parsed = body_date(paragraphs, now=NOW)
    assert parsed is not None
    assert parsed.isoformat() == iso
    assert parsed.source == "body_mention"
    assert parsed.confidence == 0.4
    assert parsed.precision == "day"


@pytest.mark.parametrize(
    "paragraphs",
    [
        [],
        ["Không có ngày tháng nào ở đây."],
        ["+ Nghị quyết số 03-NQ/ĐUK ngày 04 tháng 01 năm 2016 về: Nâng cao năng lực"],
        ["Quy định số 09-QĐ/TW ngày 13/11/2018 của Ban Bí thư về chế độ giảng dạy."],
        ["Nghị quyết số 18-NQ/TW ngày 25/10/2017 của Hội nghị Trung ương 6 khóa XII."],
        ["Đề án số 01-ĐA/ĐUK ngày 29 tháng 01 năm 2016 về: Nâng cao chất lượng"],
        ["Kỷ niệm 77 năm (07/3/1947-07/3/2024)!"],
        ["Ngày 28.12 hằng năm"],
        ["Sáng 23/7, nhà trường tổ chức"],
        ["Ngày 01/01/2030, dự kiến hoàn thành."],  # after now + 1 day
        ["Mở đầu.", "Đoạn hai.", "Đoạn ba.", "Ngày 18 tháng 5 năm 2020, quá xa."],  # 4th paragraph
    ],
)
def test_body_date_refuses(paragraphs: list[str]) -> None:
    assert body_date(paragraphs, now=NOW) is None


def test_body_date_on_seed_page() -> None:
    paras = [p for p in SEED.read_text("utf-8").split("\n\n") if p.strip()] if SEED.exists() else []
    if not paras:
        pytest.skip("seed page not available")
    # banner, clock and title come first on the page; the body starts with the lead.
    body = paras[3:]
    parsed = body_date(body, now=NOW)
    assert parsed is not None and parsed.isoformat() == "2016-02-23"


# --- relative words: only where the site prints dates that way --------------------------------

COUNTERS = [
    "Hôm nay: 0 / Hôm qua: 0",
    "Hôm nay: 0 / Hôm qua: 0 / Trong tuần: 0 / Tất cả: 0",
    "Hôm nay: 1.234",
    "Hôm qua : 87",
    "hôm nay 12",
    "Today: 5 | Yesterday: 9",
    "Đang truy cập: 3 Hôm nay: 37",
]


@pytest.mark.parametrize("raw", COUNTERS)
def test_visitor_counter_is_never_a_date(raw: str) -> None:
    for source in (*SOURCES, "unknown"):
        for position in ("content", "chrome"):
            assert parse_date(raw, source=source, now=NOW, position=position) is None, raw


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("Hôm qua, 10:30", "2026-01-31T10:30:00+07:00"), ("hôm nay", "2026-02-01"),
     ("Hôm qua 09:05", "2026-01-31T09:05:00+07:00"), ("thứ 5 tuần trước", "2026-01-22")],
)
def test_relative_date_in_the_date_field_is_read(raw: str, iso: str) -> None:
    """A site whose date field says `Hôm qua, 10:30` prints dates that way: read it."""
    for source in SOURCES:
        parsed = parse_date(raw, source=source, now=NOW)
        assert parsed is not None and parsed.isoformat() == iso, (raw, source)


def test_relative_weekday_is_read_in_vietnam_time() -> None:
    """The crawl's clock is UTC (fetched_at): Sunday 20:00 UTC is already Monday in Vietnam, so
    `thứ 2 tuần này` is that Monday, not the Monday a week before."""
    now = datetime.fromisoformat("2026-02-01T20:00:00+00:00")  # Mon 2 Feb, 03:00 in Hà Nội
    for raw, iso in (("thứ 2 tuần này", "2026-02-02"), ("chủ nhật tuần trước", "2026-02-01"),
                     ("thứ 3 tuần trước", "2026-01-27")):
        parsed = parse_date(raw, source="listing", now=now)
        assert parsed is not None and parsed.isoformat() == iso, raw
        assert parsed.value.utcoffset() == timedelta(hours=7), raw


@pytest.mark.parametrize("raw", ["hôm qua", "Hôm nay", "Hôm qua, 10:30", "thứ 5 tuần trước"])
def test_relative_words_in_chrome_or_body_are_no_date(raw: str) -> None:
    assert parse_date(raw, source="article_meta", now=NOW, position="chrome") is None
    assert parse_date(raw, source="body_mention", now=NOW) is None
    assert body_date([f"{raw}, nhà trường tổ chức hội nghị."], now=NOW) is None


# --- dates mentioned in the body: kept apart, never the publication date ------------------------


def test_date_mentioned_keeps_its_sentence() -> None:
    paras = ["Bài viết nhân dịp kỷ niệm ngày thành lập trường. Trường được thành lập ngày "
             "07/3/1947 tại xã An Hội, giữa những ngày đầu kháng chiến. Sau đó trường dời đi."]
    mention = date_mentioned(paras, now=NOW)
    assert mention is not None
    assert mention.date == "1947-03-07"
    assert mention.text == ("Trường được thành lập ngày 07/3/1947 tại xã An Hội, giữa những "
                            "ngày đầu kháng chiến.")


def test_date_mentioned_text_is_trimmed_around_the_date() -> None:
    para = "Mở đầu " * 60 + "trường thành lập ngày 07/3/1947 tại Bến Tre " + "và tiếp tục " * 60
    mention = date_mentioned([para], now=NOW)
    assert mention is not None and mention.date == "1947-03-07"
    assert "07/3/1947" in mention.text
    assert len(mention.text) <= 202 and mention.text.startswith("…")
    assert mention.text.endswith("…")


def test_no_date_mentioned() -> None:
    assert date_mentioned(["Không có ngày tháng nào ở đây."], now=NOW) is None
    assert date_mentioned(["Quy định số 09-QĐ/TW ngày 13/11/2018 của Ban Bí thư."],
                          now=NOW) is None


def _run_pipelines(db: Path, item):  # type: ignore[no-untyped-def]
    """The crawl's own item pipelines, in order, over one item, into a real archive."""
    from scrapy.utils.test import get_crawler

    from pipelines.item_pipelines import (
        ArchivePipeline,
        CleanPipeline,
        DatePipeline,
        DedupePipeline,
    )
    from scrapers.spiders import spider_for

    cls = spider_for("bentre")
    crawler = get_crawler(cls, {"LUUTRU_DB": str(db)})
    crawler.spider = cls(base_url="http://127.0.0.1:9")
    crawler.spider.crawler = crawler
    crawler.stats.open_spider()
    pipes = [p.from_crawler(crawler) for p in (CleanPipeline, DatePipeline, DedupePipeline,
                                                ArchivePipeline)]
    pipes[-1].open_spider()
    for pipe in pipes:
        item = pipe.process_item(item)
    pipes[-1].spider_closed(crawler.spider, "finished")
    return crawler.stats


def _memoir(url: str, date_raw: str | None = None, date_source: str | None = None):  # type: ignore[no-untyped-def]
    from pipelines.items import ArticleItem

    return ArticleItem(
        site="bentre", url=url, fetched_at="2026-02-01T05:00:00+00:00",
        title_raw="Trường Đảng tỉnh trong những năm đầu thành lập",
        paragraphs_raw=[
            "Ngày 7/3/1947, giữa những ngày đầu kháng chiến chống thực dân Pháp, Trường Đảng "
            "tỉnh Bến Tre được thành lập.",
            "Những lớp học đầu tiên đã đào tạo cho tỉnh nhiều cán bộ cốt cán.",
        ],
        date_raw=date_raw, date_source=date_source,
    )


def test_memoir_without_printed_date_is_undated_with_its_mention(tmp_path: Path) -> None:
    import sqlite3

    from tests.conftest import run_cli

    db = tmp_path / "a.db"
    stats = _run_pipelines(db, _memoir("http://127.0.0.1:9/content/hoi-uc"))
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT id, published_at, published_source, published_raw, "
                       "date_mentioned, date_mentioned_text FROM articles").fetchone()
    conn.close()
    article_id, published_at, source, raw, mentioned, sentence = row
    assert (published_at, source, raw) == (None, None, None)
    assert mentioned == "1947-03-07"
    assert sentence.startswith("Ngày 7/3/1947, giữa những ngày đầu kháng chiến")
    assert stats.get_value("luutru/date/none_printed") == 1
    shown = run_cli("show", str(article_id), "--db", str(db)).stdout
    assert "published: unknown" in shown
    assert "date in text: 1947-03-07" in shown
    # out of the date filters: a search for 1947 finds nothing dated then
    out = run_cli("export", "--db", str(db), "--since", "1947", "--until", "1947",
                  "--format", "jsonl").stdout
    assert out.strip() == ""
    record = json.loads(run_cli("export", "--db", str(db)).stdout)
    assert record["published_at"] is None and record["date_mentioned"] == "1947-03-07"
    assert record["date_mentioned_text"] == sentence


def test_printed_date_wins_and_the_mention_is_kept_beside_it(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "a.db"
    _run_pipelines(db, _memoir("http://127.0.0.1:9/content/hoi-uc-2", "Ngày đăng : 05/03/2019",
                               "listing"))
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT published_at, published_source, date_mentioned "
                       "FROM articles").fetchone()
    conn.close()
    assert row == ("2019-03-05", "listing", "1947-03-07")
