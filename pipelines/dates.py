"""Publication dates from the strings Vietnamese school sites print, day first, Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(1945, 1, 1, tzinfo=TZ)
# dateparser is slow and inventive: only short strings are worth handing to it.
_FALLBACK_MAX_LEN = 80

Precision = Literal["day", "minute"]

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
_NUM_DATE = r"(?<!\d)(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"
_MONTHS_EN = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON_EN = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)

# Each fast path: a pattern searched in the (label-trimmed) string. The earliest match wins.
_ISO_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"
)
# "20:22:56 02/06/2019", "09:32 05/10/2024" (WebSphere, Thanh Hóa).
_TIME_DATE_RE = re.compile(rf"(?<!\d){_TIME}\s*(?:[-,|]|ngày)?\s*{_NUM_DATE}", re.IGNORECASE)
# "19/05/2023 06:17", "15.09.2023 10:06", "20/01/2020 - 8:28:04 AM", "ngày 2-2-2021".
_DATE_TIME_RE = re.compile(rf"{_NUM_DATE}{_TIME_AFTER}", re.IGNORECASE)
# "ngày 23 tháng 2 năm 2016", "26 Tháng 11 2023 15:06", "23 Tháng 3, 2023".
_VI_WORDS_RE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})\s*(?:,\s*|\s+)(?:năm\s+)?(?P<y>\d{{4}})(?!\d)"
    rf"{_TIME_AFTER}",
    re.IGNORECASE,
)
# "13 November 2019", "13th Nov. 2019, 10:00".
_EN_DMY_RE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON_EN},?\s+(?P<y>\d{{4}})(?!\d)"
    rf"{_TIME_AFTER}",
    re.IGNORECASE,
)
# "November 13, 2019".
_EN_MDY_RE = re.compile(
    rf"(?<![^\W\d_]){_MON_EN}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)"
    rf"{_TIME_AFTER}",
    re.IGNORECASE,
)

_HAS_TIME_RE = re.compile(
    r"\d{1,2}\s*(?::|h|g)\s*\d{2}|\b(?:giờ|phút|hour|minute)s?\b", re.IGNORECASE
)
_HAS_YEAR_RE = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_RELATIVE_RE = re.compile(
    r"\b(?:trước|hôm\s+(?:qua|nay|kia)|vừa\s+xong|ago|yesterday|today|now)\b", re.IGNORECASE
)
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedDate:
    """A publication date with how precise it is and the raw string it came from (for audits)."""

    value: datetime
    precision: Precision
    raw: str
    source: str

    def isoformat(self) -> str:
        """`YYYY-MM-DD` for a day, ISO 8601 with +07:00 for a minute: the archive's stored form."""
        if self.precision == "day":
            return self.value.date().isoformat()
        return self.value.isoformat()


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


_Builder = Callable[[re.Match[str]], tuple[datetime, Precision]]
_FAST_PATHS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_ISO_RE, _from_iso),
    (_TIME_DATE_RE, _from_numeric),
    (_DATE_TIME_RE, _from_numeric),
    (_VI_WORDS_RE, _from_numeric),
    (_EN_DMY_RE, _from_english),
    (_EN_MDY_RE, _from_english),
)


def _fast_parse(text: str) -> tuple[datetime, Precision] | None:
    """The earliest (then longest) valid fast-path match in text, or None."""
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


def _fallback_parse(text: str, now: datetime) -> tuple[datetime, Precision] | None:
    """dateparser for the odd short string; refuses dates it would have to invent a year for."""
    if len(text) >= _FALLBACK_MAX_LEN:
        return None
    if not (_HAS_YEAR_RE.search(text) or _RELATIVE_RE.search(text)):
        return None
    from dateparser.date import DateDataParser  # slow import, only needed on this rare path

    parser = DateDataParser(
        languages=["vi", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "RELATIVE_BASE": now.astimezone(TZ).replace(tzinfo=None),
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None or data.period in ("month", "year"):
        return None
    local = data.date_obj.replace(tzinfo=None)
    if _HAS_TIME_RE.search(text):
        return local.replace(microsecond=0, tzinfo=TZ), "minute"
    return datetime(local.year, local.month, local.day, tzinfo=TZ), "day"


def parse_date(
    raw: str, *, source: str = "unknown", now: datetime | None = None
) -> ParsedDate | None:
    """Read a publication date day-first; None for clocks, nonsense, or outside 1945..now+1d."""
    if now is None:
        now = datetime.now(TZ)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=TZ)
    text = _normalise(raw)
    if not text or is_render_clock(text):
        return None
    label = _LABEL_RE.search(text)
    parsed = _fast_parse(text[label.end() :]) if label else None
    if parsed is None:
        text = RENDER_CLOCK_RE.sub(" ", text).strip()
        parsed = _fast_parse(text) or _fallback_parse(text, now)
    if parsed is None:
        return None
    value, precision = parsed
    if value < EARLIEST or value > now + timedelta(days=1):
        return None
    return ParsedDate(value=value, precision=precision, raw=raw, source=source)
