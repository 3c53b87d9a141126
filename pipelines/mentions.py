"""Dates a body mentions (`Sáng 23/7/2025, ...`): kept beside an article, never its date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive.excerpts import sentence_around
from pipelines.dates import (
    _FAST_PATHS,
    BODY_MENTION,
    CONFIDENCE_BODY,
    EARLIEST,
    TZ,
    YEAR_DIGITS_RE,
    ParsedDate,
    _Builder,
    _normalise,
)

# How many opening paragraphs body_date reads.
_BODY_PARAGRAPHS = 3
# A date cited as the date of a document (`Nghị quyết số 03-NQ/ĐUK ngày 04 tháng 01 năm 2016`,
# `Quy định số 09-QĐ/TW ngày 13/11/2018`, `Kế hoạch 12/KH-TCT ngày ...`): the text just before
# the date holds a document number, then `ngày`.
_DOC_CITATION_RE = re.compile(
    r"(?:(?<![^\W\d_])số\s+\S*\d\S*|\d+[-/]\d*[A-ZĐ]{1,6}[\w/-]*|(?:Nghị\s+quyết|Chỉ\s+thị"
    r"|Quyết\s+định|Kết\s+luận|Quy\s+định|Đề\s+án|Kế\s+hoạch|Thông\s+tư|Công\s+văn|Hướng\s+dẫn"
    r"|Nghị\s+định|Thông\s+báo|Tờ\s+trình|Luật|Pháp\s+lệnh)\s+\d\S*)"
    r"(?:\s+(?:của|do)\s+[^,;.()]{1,80}?)?\s*,?\s+(?:ban\s+hành\s+)?(?:ngày|ngày\s+ký)\s*$",
    re.IGNORECASE,
)
# A date at the start of a sentence, as news leads write it: `Ngày 18 tháng 5 năm 2020, ...`,
# `Sáng 23/7/2025, ...`, `Vào ngày 23 tháng 2 năm 2016, ...`, `Chiều ngày 17 tháng 12 ...`.
_LEAD_RE = re.compile(
    r"(?:^|(?<=[.!?;:]\s))(?:Vào\s+)?(?:(?:Sáng|Chiều|Trưa|Tối|Đêm|Rạng\s+sáng|Hôm)\s+)?"
    r"(?:ngày\s+|hôm\s+)?$",
    re.IGNORECASE,
)
# Dates inside a parenthesised range are anniversaries (`(07/3/1947-07/3/2024)`), not events.
_RANGE_AFTER_RE = re.compile(r"^\s*[-–—]\s*\d")
_RANGE_BEFORE_RE = re.compile(r"\d\s*[-–—]\s*$")


def _body_candidates(paragraph: str) -> list[tuple[int, re.Match[str], _Builder]]:
    if YEAR_DIGITS_RE.search(paragraph) is None:  # one scan instead of six that find nothing
        return []
    out = []
    for pattern, build in _FAST_PATHS[1:]:  # ISO stamps are not how bodies write dates
        for m in pattern.finditer(paragraph):
            out.append((m.start(), m, build))
    out.sort(key=lambda c: (c[0], -(c[1].end() - c[1].start())))
    return out


def _scan_body(
    paragraphs: list[str], now: datetime | None
) -> tuple[ParsedDate, str, int, int] | None:
    """(date, normalised paragraph, match start, match end) of the best body mention."""
    if now is None:
        now = datetime.now(TZ)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=TZ)
    best: tuple[int, tuple[ParsedDate, str, int, int]] | None = None
    for index, raw_para in enumerate(paragraphs[:_BODY_PARAGRAPHS]):
        para = _normalise(raw_para)
        taken_until = -1
        for start, m, build in _body_candidates(para):
            if start < taken_until:
                continue
            taken_until = m.end()
            before, after = para[:start], para[m.end() :]
            if _DOC_CITATION_RE.search(before[-160:]):
                continue
            if _RANGE_BEFORE_RE.search(before) or _RANGE_AFTER_RE.match(after):
                continue
            try:
                value, precision = build(m)
            except ValueError:
                continue
            if value < EARLIEST or value > now + timedelta(days=1):
                continue
            lead = _LEAD_RE.search(before) is not None
            parsed = ParsedDate(value, precision, m.group(0), BODY_MENTION, CONFIDENCE_BODY)
            found = (parsed, para, start, m.end())
            if lead:
                return found
            rank = 100 + index
            if best is None or rank < best[0]:
                best = (rank, found)
            break
    return best[1] if best else None


def body_date(paragraphs: list[str], *, now: datetime | None = None) -> ParsedDate | None:
    """The first plausible date mentioned in the opening paragraphs (source `body_mention`).

    Never a publication date: the archive keeps it apart as `date_mentioned` (a memoir about
    the school's 1947 founding was not published in 1947). A date at the start of a sentence
    (`Sáng 23/7/2025, ...`) wins over one inside a sentence; dates of cited documents (`Nghị
    quyết số 03-NQ/ĐUK ngày 04 tháng 01 năm 2016`), date ranges and dates without a year are
    skipped, as are values before 1945 or after `now` + 1 day. Never calls dateparser.
    """
    found = _scan_body(paragraphs, now)
    return found[0] if found else None


@dataclass(frozen=True)
class DateMention:
    """A date the body mentions (ISO day) and the sentence it stands in, for researchers."""

    date: str
    text: str


def date_mentioned(paragraphs: list[str], *, now: datetime | None = None) -> DateMention | None:
    """The body's mentioned date (body_date's choice) with its sentence, or None."""
    found = _scan_body(paragraphs, now)
    if found is None:
        return None
    parsed, para, start, end = found
    return DateMention(parsed.value.date().isoformat(), sentence_around(para, start, end))


def mention_fields(text: str, *, now: datetime | None = None) -> dict[str, str | None]:
    """`date_mentioned` and `date_mentioned_text` of an article record, from its clean text."""
    mention = date_mentioned(text.split("\n\n"), now=now)
    return {"date_mentioned": mention.date if mention else None,
            "date_mentioned_text": mention.text if mention else None}
