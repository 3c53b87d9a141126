"""Golden tables (tests/data/*.tsv): dates, text cleaning and bylines, one case a row.

Each table is UTF-8, tab-separated, with `#` comment lines, then a header line. Inside a field
`\\t` is a tab, `\\n` a newline, `\\r` a carriage return, `\\xNN` and `\\uNNNN` code points
and `\\\\` a backslash; nothing else is escaped (see _unescape).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from archive.folding import fold, normalize_tone_marks
from pipelines.bylines import parse_bylines, split_glued_roles
from pipelines.dates import parse_date
from pipelines.legacy import detect_legacy, fix_legacy
from pipelines.text import (
    clean_line,
    clean_text,
    is_boilerplate,
    strip_counters,
)

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=TZ)
_ESCAPE_RE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[tnr\\])")
_SIMPLE = {"\\t": "\t", "\\n": "\n", "\\r": "\r", "\\\\": "\\"}


def _unescape(field: str) -> str:
    def sub(m: re.Match[str]) -> str:
        s = m.group(0)
        return _SIMPLE.get(s) or chr(int(s[2:], 16))

    return _ESCAPE_RE.sub(sub, field)


def load(name: str) -> list[dict[str, str]]:
    """Rows of a golden table as dicts keyed by the header, fields unescaped."""
    lines = [
        line
        for line in (DATA / name).read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        assert len(fields) == len(header), f"{name}: row {n} has {len(fields)} fields: {line!r}"
        rows.append({k: _unescape(v) for k, v in zip(header, fields, strict=True)})
    return rows


def _ids(rows: list[dict[str, str]], key: str) -> list[str]:
    return [f"{i}:{r[key][:40]}" for i, r in enumerate(rows)]


DATES = load("dates.tsv")
TEXT = load("text.tsv")
BYLINES = load("bylines.tsv")


def test_tables_are_big_enough() -> None:
    assert len(DATES) >= 150
    assert len(TEXT) >= 80
    assert len(BYLINES) >= 50


@pytest.mark.parametrize("row", DATES, ids=_ids(DATES, "raw"))
def test_golden_date(row: dict[str, str]) -> None:
    now = datetime.fromisoformat(row["now"]) if row["now"] else NOW
    parsed = parse_date(row["raw"], now=now, position=row["position"] or "content")
    if row["expected"] == "None":
        assert parsed is None, parsed
        return
    assert parsed is not None, row
    assert parsed.isoformat() == row["expected"]
    assert parsed.precision == row["precision"]
    assert parsed.raw == row["raw"]


_TEXT_FUNCS = {
    "text": clean_text,
    "line": clean_line,
    "legacy": fix_legacy,
    "detect": lambda s: str(detect_legacy(s)),
    "counters": strip_counters,
    "fold": fold,
    "tone": normalize_tone_marks,
    "boilerplate": lambda s: str(is_boilerplate(s)),
    "split": split_glued_roles,
}


@pytest.mark.parametrize("row", TEXT, ids=_ids(TEXT, "input"))
def test_golden_text(row: dict[str, str]) -> None:
    func = _TEXT_FUNCS[row["fn"]]
    out = func(row["input"])
    assert out == row["expected"]
    if row["fn"] in ("text", "line", "legacy", "counters", "fold", "tone", "split"):
        assert func(out) == out, "not idempotent"


def _split(field: str) -> list[str]:
    return [part.strip() for part in field.split("||")] if field.strip() else []


@pytest.mark.parametrize("row", BYLINES, ids=_ids(BYLINES, "lines"))
def test_golden_byline(row: dict[str, str]) -> None:
    bylines = parse_bylines(row["lines"].split("\n"))
    authors = [b for b in bylines if b.name]
    names = _split(row["names"])
    assert [b.name for b in authors] == names
    if names:
        assert [b.prefix for b in authors] == [p.strip() for p in row["prefixes"].split("||")]
        assert [b.role for b in authors] == [r.strip() for r in row["roles"].split("||")]
    assert all(b.source == row["source"] for b in bylines)
    if row["source"] and not names:
        assert len(bylines) == 1 and bylines[0].name == ""
