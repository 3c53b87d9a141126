"""Publication dates from the strings Vietnamese school sites print, day first, Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(1945, 1, 1, tzinfo=TZ)
# dateparser is slow and inventive: only short strings are worth handing to it.
_FALLBACK_MAX_LEN = 80

Precision = Literal["day", "minute"]

# Where a date string was found, from most to least trustworthy. Only the first three are
# places where the site prints the article's date, so only they give `published_at`; a date
# merely mentioned in the body (BODY_MENTION) is kept apart as `date_mentioned`.
LISTING, ARTICLE_META, ARTICLE_TEXT, BODY_MENTION = (
    "listing", "article_meta", "article_text", "body_mention"
)  # fmt: skip
SOURCES: tuple[str, ...] = (LISTING, ARTICLE_META, ARTICLE_TEXT)
# Confidence of a publication date: a labelled date on the article page (`Ngày đăng:`,
# `Cập nhật:`, a machine-readable meta tag) 1.0; the listing row 0.9; an unlabelled date in the
# article's meta or text position 0.8; a date merely mentioned in the body 0.4 (never stored as
# the publication date).
CONFIDENCE_LABELLED = 1.0
CONFIDENCE_LISTING = 0.9
CONFIDENCE_UNLABELLED = 0.8
CONFIDENCE_BODY = 0.4
CONFIDENCE_UNKNOWN = 0.5
# Positions a string can come from: the content area, or page chrome (header, sidebar, footer),
# where a date equal to the crawl day is the render clock.
POSITIONS: tuple[str, ...] = ("content", "chrome")

_WEEKDAY = r"(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|Chủ\s+nhật)"

# The Drupal header clock on Bến Tre pages: the time the page was rendered, never a publication
# date. No anchors, so callers choose search (strip it out) or fullmatch (a line that is a clock).
RENDER_CLOCK_RE = re.compile(
    rf"{_WEEKDAY}\s*,\s*\d{{1,2}}\s+Tháng\s+\d{{1,2}}\s*,\s*\d{{4}}\s*-\s*\d{{1,2}}:\d{{2}}",
    re.IGNORECASE,
)
_CLOCK_JUNK = " -|•·,;"

# Labels that introduce the publication date; the date is read from the text after the label.
_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(?:Ngày\s+đăng|Đăng\s+ngày|Đăng\s+lúc|Ngày\s+cập\s+nhật|Cập\s+nhật(?:\s+lúc)?"
    r"|Ngày\s+xuất\s+bản|Xuất\s+bản(?:\s+lúc)?|Thời\s+gian\s+đăng|Ngày\s+ban\s+hành"
    r"|Published(?:\s+on)?|Posted(?:\s+on)?|Updated(?:\s+on)?|Date)\s*:?\s*",
    re.IGNORECASE,
)

_TIME = (
    r"(?P<H>\d{1,2})\s*(?::|h|g|giờ)\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ap>[AaPp]\.?[Mm]\.?)(?![^\W\d_]))?"
)
_TIME_AFTER = rf"(?:\s*(?:[-,|]|lúc|vào\s+lúc)?\s*{_TIME})?"
_DAY = r"(?P<d>\d{1,2})"
_YEAR = r"(?P<y>\d{4})(?!\d)"
_NUM_DATE = rf"(?<!\d){_DAY}(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep){_YEAR}"
_MONTHS_EN = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON_EN = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)

# ISO 8601, from meta tags: the first fast path (the others are in `_FAST_PATHS`).
_ISO_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"
)
_HAS_TIME_RE = re.compile(
    r"\d{1,2}\s*(?::|h|g)\s*\d{2}|\b(?:giờ|phút|hour|minute)s?\b", re.IGNORECASE
)
_HAS_YEAR_RE = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_RELATIVE_RE = re.compile(
    r"\b(?:trước|hôm\s+(?:qua|nay|kia)|vừa\s+xong|ago|yesterday|today|now)\b", re.IGNORECASE
)
# A visitor counter (`Hôm nay: 0 / Hôm qua: 12`, `Today: 5`): a relative word with a count
# after it. It names no date at all, wherever it is read.
_COUNTER_RE = re.compile(
    r"(?<![^\W\d_])(?:hôm\s+(?:nay|qua|kia)|today|yesterday|trong\s+tuần|tuần\s+này"
    r"|trong\s+tháng|tháng\s+này|tất\s+cả|tổng(?:\s+số)?(?:\s+lượt)?(?:\s+truy\s+cập)?"
    r"|đang\s+(?:truy\s+cập|online)|online)\s*[:：]?\s*\d[\d.,]*(?![\d.,])"
    r"(?!\s*(?:[/:-]\s*\d|giờ|h\b|g\b))",
    re.IGNORECASE,
)
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedDate:
    """A publication date with how precise it is and the raw string it came from (for audits)."""

    value: datetime
    precision: Precision
    raw: str
    source: str
    # -1 means "derive from source" (listing 0.9, body mention 0.4, ...): see confidence_for.
    confidence: float = field(default=-1.0, compare=False)

    def __post_init__(self) -> None:
        if self.confidence < 0:
            object.__setattr__(self, "confidence", confidence_for(self.source, labelled=False))

    def isoformat(self) -> str:
        """`YYYY-MM-DD` for a day, ISO 8601 with +07:00 for a minute: the archive's stored form."""
        if self.precision == "day":
            return self.value.date().isoformat()
        return self.value.isoformat()


def confidence_for(source: str, *, labelled: bool) -> float:
    """The confidence of a date from a source, labelled (`Ngày đăng:`) or not."""
    if source == BODY_MENTION:
        return CONFIDENCE_BODY
    if source == LISTING:
        return CONFIDENCE_LISTING
    if source in (ARTICLE_META, ARTICLE_TEXT):
        return CONFIDENCE_LABELLED if labelled else CONFIDENCE_UNLABELLED
    return CONFIDENCE_UNKNOWN


def is_page_chrome_date(value: datetime | date | ParsedDate, crawl_day: datetime | date) -> bool:
    """True when a date read from page chrome is the crawl day: the page's render clock.

    Sites print today's date in headers (`Chủ nhật, 24-11-2024` on tctph.gov.vn, `Thứ Bảy, ngày
    29 tháng 2 năm 2020 - 8:28:19 PM` on tuyengiaohungyen.vn); read on the day of the crawl it is
    no publication date. Both sides are compared as days in Asia/Ho_Chi_Minh.
    """
    if isinstance(value, ParsedDate):
        value = value.value
    return _local_day(value) == _local_day(crawl_day)


def _local_day(d: datetime | date) -> date:
    if isinstance(d, datetime):
        return (d if d.tzinfo is None else d.astimezone(TZ)).date()
    return d


def _normalise(raw: str) -> str:
    """NFC and single spaces (NBSP, tabs, newlines), so patterns need only match one space."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", raw).replace("\u00d0", "Đ")).strip()


def is_render_clock(raw: str) -> bool:
    """True for the header clock (`Thứ năm, 23 Tháng 3, 2023 - 01:50`): render time, not a date."""
    return RENDER_CLOCK_RE.fullmatch(_normalise(raw).strip(_CLOCK_JUNK)) is not None


def _hour(m: re.Match[str]) -> tuple[int, int, int] | None:
    """Hour, minute, second of a match's time part (24-hour), or None when absent or impossible.

    An impossible time (25:70) leaves the date usable at day precision; `13:05 PM` is read as
    the 24-hour time it plainly is.
    """
    if m.group("H") is None:
        return None
    hour, minute = int(m.group("H")), int(m.group("M"))
    second = int(m.group("S") or 0)
    ap = (m.group("ap") or "").replace(".", "").lower()
    if ap and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ap == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _build(y: int, mo: int, d: int, hms: tuple[int, int, int] | None) -> tuple[datetime, Precision]:
    """A local datetime and its precision; raises ValueError for impossible dates."""
    if hms is None:
        return datetime(y, mo, d, tzinfo=TZ), "day"
    return datetime(y, mo, d, *hms, tzinfo=TZ), "minute"


def _from_numeric(m: re.Match[str]) -> tuple[datetime, Precision]:
    """Day, month, year groups (day first) plus an optional time."""
    return _build(int(m.group("y")), int(m.group("m")), int(m.group("d")), _hour(m))


def _from_english(m: re.Match[str]) -> tuple[datetime, Precision]:
    """English month names, as Drupal 8 prints them on Lạng Sơn."""
    month = _MONTHS_EN[m.group("mon")[:3].lower()]
    return _build(int(m.group("y")), month, int(m.group("d")), _hour(m))


def _from_iso(m: re.Match[str]) -> tuple[datetime, Precision]:
    """ISO 8601 from meta tags; an explicit offset is converted to Vietnam time."""
    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if m.group("H") is None:
        return _build(y, mo, d, None)
    naive = datetime(y, mo, d, int(m.group("H")), int(m.group("M")), int(m.group("S") or 0))
    tz = m.group("tz")
    if not tz:
        return naive.replace(tzinfo=TZ), "minute"
    stamp = "2000-01-01T00:00" + ("+00:00" if tz == "Z" else _iso_offset(tz))
    offset = datetime.fromisoformat(stamp)
    return naive.replace(tzinfo=offset.tzinfo).astimezone(TZ), "minute"


def _iso_offset(tz: str) -> str:
    """`+07`, `+0700`, `+07:00` -> `+07:00` for datetime.fromisoformat."""
    digits = tz[1:].replace(":", "")
    return f"{tz[0]}{digits[:2]}:{digits[2:4] or '00'}"


def _from_month_first(m: re.Match[str]) -> tuple[datetime, Precision]:
    return _build(int(m.group("y")), int(m.group("m")), int(m.group("d")), _hour(m))


_Builder = Callable[[re.Match[str]], tuple[datetime, Precision]]
# Each fast path: a pattern searched in the (label-trimmed) string, and how its match becomes a
# date. The earliest match wins. Written as data, compiled once (ignoring case) here.
_FAST_PATHS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_ISO_RE, _from_iso),
    *((re.compile(pattern, re.IGNORECASE), build) for pattern, build in (
        # Drupal's stock "medium" format, `D, m/d/Y - H:i` (`Tue, 11/05/2019 - 17:23`), on sites
        # that kept the default: an English weekday before the date says the month comes first.
        (rf"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/{_YEAR}"
         rf"{_TIME_AFTER}", _from_month_first),
        # "20:22:56 02/06/2019", "09:32 05/10/2024" (WebSphere, Thanh Hóa).
        (rf"(?<!\d){_TIME}\s*(?:[-,|]|ngày)?\s*{_NUM_DATE}", _from_numeric),
        # "19/05/2023 06:17", "15.09.2023 10:06", "20/01/2020 - 8:28:04 AM", "ngày 2-2-2021".
        (rf"{_NUM_DATE}{_TIME_AFTER}", _from_numeric),
        # "ngày 23 tháng 2 năm 2016", "26 Tháng 11 2023 15:06", "23 Tháng 3, 2023".
        (rf"(?<!\d){_DAY}\s+tháng\s+(?P<m>\d{{1,2}})\s*(?:,\s*|\s+)(?:năm\s+)?{_YEAR}"
         rf"{_TIME_AFTER}", _from_numeric),
        # "13 November 2019", "13th Nov. 2019, 10:00" (Drupal 8 on Lạng Sơn).
        (rf"(?<!\d){_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON_EN},?\s+{_YEAR}{_TIME_AFTER}",
         _from_english),
        # "November 13, 2019".
        (rf"(?<![^\W\d_]){_MON_EN}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}{_TIME_AFTER}",
         _from_english),
    )),
)


# Every fast path matches a four-digit year: a string without four digits in a row has none.
YEAR_DIGITS_RE = re.compile(r"\d{4}")


def _fast_parse(text: str) -> tuple[datetime, Precision] | None:
    """The earliest (then longest) valid fast-path match in text, or None."""
    if YEAR_DIGITS_RE.search(text) is None:
        return None
    candidates: list[tuple[int, int, re.Match[str], _Builder]] = []
    for pattern, build in _FAST_PATHS:
        for m in pattern.finditer(text):
            candidates.append((m.start(), -(m.end() - m.start()), m, build))
    for _start, _neg_len, m, build in sorted(candidates, key=lambda c: (c[0], c[1])):
        try:
            return build(m)
        except ValueError:
            continue
    return None


def dateparser_for(now: datetime) -> Any:
    """dateparser's DateDataParser (untyped) as the fallback reads: Vietnamese or English, day
    first, Vietnam time, relative dates from `now`. benchmarks/dates.py measures this one."""
    from dateparser.date import DateDataParser  # slow import, only needed on the rare path

    return DateDataParser(
        languages=["vi", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "RELATIVE_BASE": now.astimezone(TZ).replace(tzinfo=None),
        },
    )


def _fallback_parse(text: str, now: datetime) -> tuple[datetime, Precision] | None:
    """dateparser for the odd short string; refuses dates it would have to invent a year for."""
    if len(text) >= _FALLBACK_MAX_LEN:
        return None
    if not (_HAS_YEAR_RE.search(text) or _RELATIVE_RE.search(text)):
        return None
    data = dateparser_for(now).get_date_data(text)
    if data.date_obj is None or data.period in ("month", "year"):
        return None
    local = data.date_obj.replace(tzinfo=None)
    if _HAS_TIME_RE.search(text):
        return local.replace(microsecond=0, tzinfo=TZ), "minute"
    return datetime(local.year, local.month, local.day, tzinfo=TZ), "day"


# `thứ 5 tuần trước`, `Thứ năm tuần này`, `chủ nhật tuần qua`: a weekday of this or last week
# (weeks start on Monday), resolved against the fetch time, never the machine's clock.
_WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "bốn": 2, "năm": 3, "sáu": 4, "bảy": 5}
_RELATIVE_WEEKDAY_RE = re.compile(
    r"^(?:thứ\s+(?P<n>[2-7]|hai|ba|tư|bốn|năm|sáu|bảy)|(?P<sun>chủ\s+nhật|cn))\s+"
    r"tuần\s+(?P<which>trước|qua|này)$",
    re.IGNORECASE,
)


def _relative_weekday(text: str, now: datetime) -> tuple[datetime, Precision] | None:
    match = _RELATIVE_WEEKDAY_RE.match(text.strip())
    if not match:
        return None
    n = match.group("n")
    if match.group("sun"):
        weekday = 6
    elif n.isdigit():
        weekday = int(n) - 2
    else:
        weekday = _WEEKDAYS[n.lower()]
    # Weeks are Vietnam's: a crawl's clock is UTC (fetched_at), and Sunday 20:00 UTC is already
    # Monday in Hà Nội, the first day of a new week.
    local = now.astimezone(TZ)
    monday = datetime(local.year, local.month, local.day, tzinfo=TZ) - timedelta(
        days=local.weekday())
    if match.group("which").lower() != "này":
        monday -= timedelta(days=7)
    return monday + timedelta(days=weekday), "day"


def _relative_allowed(text: str, source: str, position: str) -> bool:
    """A relative date (`hôm qua`, `thứ 5 tuần trước`) counts only where the site prints the
    article's date that way: in the date field itself (listing row, article meta or text), never
    in page chrome, in a body mention, or in a visitor counter (`Hôm nay: 0 / Hôm qua: 0`)."""
    if position == "chrome" or source == BODY_MENTION:
        return False
    return _COUNTER_RE.search(text) is None


def parse_date(
    raw: str,
    *,
    source: str = "unknown",
    now: datetime | None = None,
    position: str = "content",
    fallback: bool = True,
) -> ParsedDate | None:
    """Read a publication date day-first; None for clocks, nonsense, or outside 1945..now+1d.

    `now` is the crawl time (the clock for relative dates and the plausibility window);
    `position="chrome"` marks a string from page chrome, where a date on the crawl day is the
    render clock and refused, as is any relative date; `fallback=False` skips dateparser (fast
    paths only). Visitor counters (`Hôm nay: 0 / Hôm qua: 0`) are never a date.
    """
    if now is None:
        now = datetime.now(TZ)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=TZ)
    text = _normalise(raw)
    if not text or is_render_clock(text):
        return None
    label = _LABEL_RE.search(text)
    parsed = _fast_parse(text[label.end() :]) if label else None
    labelled = parsed is not None
    if parsed is None:
        text = RENDER_CLOCK_RE.sub(" ", text).strip()
        parsed = _fast_parse(text)
        if parsed is None and _relative_allowed(text, source, position):
            parsed = _relative_weekday(text, now)
            if parsed is None and fallback:
                parsed = _fallback_parse(text, now)
        elif parsed is None and fallback and not _RELATIVE_RE.search(text):
            parsed = _fallback_parse(text, now)
    if parsed is None:
        return None
    value, precision = parsed
    if value < EARLIEST or value > now + timedelta(days=1):
        return None
    if position == "chrome" and is_page_chrome_date(value, now):
        return None
    if source == ARTICLE_META and not labelled and _ISO_RE.fullmatch(text):
        labelled = True  # a machine-readable meta tag (article:published_time) is its own label
    return ParsedDate(
        value=value,
        precision=precision,
        raw=raw,
        source=source,
        confidence=confidence_for(source, labelled=labelled),
    )
