"""Vietnamese text normalisation: the clean forms stored (the folded forms search uses are the
archive's: archive/folding.py)."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

from pipelines.dates import RENDER_CLOCK_RE
from pipelines.legacy import LEGACY_MARKERS, detect_legacy, fix_legacy

# Vowels as Vietnamese writes them: 12 base vowels x (no tone + 5 tones), NFC.
_VI_VOWELS_LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_VI_VOWELS = _VI_VOWELS_LOWER + _VI_VOWELS_LOWER.upper()
# Letters that occur in Vietnamese and in no Western European orthography (Latin-1 excluded):
# their presence marks a string as Vietnamese for the Ð -> Đ repair.
_VI_ONLY_CLASS = "ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9"

# Invisible characters that only ever break words apart: soft hyphen, zero-width space/joiners,
# word joiner, BOM, bidi marks and embeddings, Mongolian vowel separator.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# C0/C1 controls other than the whitespace ones (\t \n \v \f \r) and NEL (\x85, a line break).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Controls (C0 and C1) and invisibles other than U+00AD (TCVN3's `ư`) go before the legacy
# repair, which reads words: `®\x08A`, `¯\x80®0µ` and `®\u200bA` must be judged as `®A` and
# `¯®0µ` the first time, or a second clean would repair what the first left (not idempotent).
# They are deleted in the end anyway, and no legacy table has a code among them.
_PRE_REPAIR_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Entities with their terminating ";" only: "R&D" or "?a=1&para=2" must not turn into symbols.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NEWLINE_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ANY_SPACE_RE = re.compile(r"\s+")

_VI_ONLY_RE = re.compile(f"[{_VI_ONLY_CLASS}]")
_VI_MARKED_VOWELS = "".join(ch for ch in _VI_VOWELS if not ch.isascii())
# Eth (U+00D0/U+00F0) starting a syllable whose vowels carry a mark (Ðảng, ÐOÀN, Ðoàn):
# Vietnamese in itself, unlike a bare "Ðe" in a Latin-only string.
_ETH_VI_WORD_RE = re.compile(f"[\u00d0\u00f0][aeiouyAEIOUY]*[{_VI_MARKED_VOWELS}]")
# In Vietnamese text: eth before any vowel, or capital eth inside an all-caps token (QLÐT).
_ETH_IN_VI_RE = re.compile(f"[\u00d0\u00f0](?=[{_VI_VOWELS}])|\u00d0(?=[A-Z])|(?<=[A-Z])\u00d0")

# A line ends a sentence when its last character, past closing quotes/brackets, is one of these.
_SENTENCE_END = frozenset(".!?…:;|")
_CLOSERS = "\"'”’»)]}"
# A line that starts a list item or a numbered point is never glued to the line before.
_LIST_START_RE = re.compile(r"(?:[-+•*–—·▪►]|\d{1,3}[.)]|[a-zđ][.)]\s|[IVXLC]{1,6}[.)]\s)")
# Below this length, a line followed by a capitalised line is a heading or byline, not a wrap.
_SHORT_LINE = 40

# View counters printed next to dates: `732 lượt xem`, `lượt xem: 2252`, `| Lượt xem: 1231 |`,
# `5242 Lượt xem`, `Lượt xem (1.234)`; the separator before the counter goes with it.
_COUNTER_RE = re.compile(
    r"\s*[•·|/,;-]?\s*(?:(?<![\d.,])\d[\d.,]*\s*(?:lượt\s+(?:xem|đọc|truy\s+cập)|views?|hits?)"
    r"|(?:Lượt\s+(?:xem|đọc|truy\s+cập)|Số\s+lần\s+đọc|Views?|Hits?)\s*[:(]\s*\d[\d.,]*\)?)"
    r"(?![^\W\d_])\s*\|?",
    re.IGNORECASE,
)

# Lines that are page chrome and never article text (matched against clean_line(line)).
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    RENDER_CLOCK_RE,
    re.compile(r"Tin khác\s*:?", re.IGNORECASE),
    re.compile(r"Các tin khác\s*:?", re.IGNORECASE),
    re.compile(r"Taxonomy upgrade extras\s*:?.*", re.IGNORECASE),
    re.compile(r"(?:Nhảy đến nội dung|Chuyển đến nội dung|Skip to main content)", re.IGNORECASE),
    re.compile(
        r"(?:(?:Hôm nay|Hôm qua|Trong tuần|Tuần này|Tuần trước|Trong tháng|Tháng này|Tất cả"
        r"|Tổng(?: số)?(?: lượt)?(?: truy cập)?|Lượt truy cập|Đang (?:truy cập|online|trực tuyến)"
        r"|Trực tuyến|Online)\s*:\s*[\d.,]+\s*[/|-]?\s*)+",
        re.IGNORECASE,
    ),
    re.compile(r"-?\s*(?:In ra|Đóng cửa sổ này)", re.IGNORECASE),
    re.compile(r"Asset Publisher", re.IGNORECASE),
    re.compile(r"(?:[•·|]\s*)?" + _COUNTER_RE.pattern.removeprefix(r"\s*[•·|/,;-]?\s*"), re.I),
    re.compile(r"Hỗ trợ trực tuyến", re.IGNORECASE),
    re.compile(r"(?:\{[A-Za-z_][A-Za-z0-9_.]*\}\s*)+"),
)


# A string without any of these, already NFC, passes every character-level repair unchanged:
# no control or invisible character to drop, no entity to decode, no eth to map, no soft hyphen
# (or its stand-in) to decide on, and no legacy marker, without which `detect_legacy` finds no
# encoding. clean_text/clean_line then only tidy the whitespace.
_NEEDS_REPAIR_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u00d0\u00f0\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\u2e40&"
    + "".join(re.escape(ch) for ch in sorted(LEGACY_MARKERS)) + "]"
)


def _is_clean_unicode(s: str) -> bool:
    """True when the character-level repairs (legacy, entities, controls, NFC) change nothing."""
    return _NEEDS_REPAIR_RE.search(s) is None and unicodedata.is_normalized("NFC", s)


def _unescape_entities(s: str) -> str:
    """Decode leftover entities to a fixpoint, so a second pass finds nothing (idempotence)."""
    for _ in range(5):
        if "&" not in s:
            break
        decoded = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), s)
        if decoded == s:
            break
        s = decoded
    return s


def _fix_eth(s: str) -> str:
    """Eth look-alikes typed for Đ/đ become Đ/đ, but only when the string is Vietnamese.

    The decision is made once for the whole string (a Vietnamese-only letter anywhere, or an
    eth before a Vietnamese-marked vowel), which keeps the repair idempotent.
    """
    if "\u00d0" not in s and "\u00f0" not in s:
        return s
    if not (_VI_ONLY_RE.search(s) or _ETH_VI_WORD_RE.search(s)):
        return s
    return _ETH_IN_VI_RE.sub(lambda m: "Đ" if m.group(0) == "\u00d0" else "đ", s)


def _normalise_chars(s: str) -> str:
    """Character-level cleanup shared by clean_text and clean_line (whitespace left to callers)."""
    s = _INVISIBLE_RE.sub("", s)
    s = _CONTROL_RE.sub("", s)
    s = _unescape_entities(s)
    s = _INVISIBLE_RE.sub("", s)
    s = _CONTROL_RE.sub("", s)
    s = unicodedata.normalize("NFC", s)
    return _fix_eth(s)


def _ends_sentence(line: str) -> bool:
    """True when a line closes a sentence, so the newline after it is not a hard wrap."""
    stripped = line.rstrip(_CLOSERS)
    return not stripped or stripped[-1] in _SENTENCE_END


def _join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines of a paragraph; keep real breaks (lists, headings, bylines)."""
    out: list[str] = []
    for line in lines:
        if not out:
            out.append(line)
            continue
        prev = out[-1]
        keep_break = (
            _ends_sentence(prev)
            or _LIST_START_RE.match(line) is not None
            or (len(prev) < _SHORT_LINE and line[0].isupper())
        )
        if keep_break:
            out.append(line)
        else:
            out[-1] = f"{prev} {line}"
    return "\n".join(out)


def _fix_legacy_lines(s: str) -> str:
    """TCVN3/VNI mojibake converted line by line (a pasted legacy paragraph in Unicode text)."""
    if s.isascii():
        return s
    s = unshield_soft_hyphens(s)
    return "\n".join(_fix_legacy(line) for line in _NEWLINE_RE.split(s))


def _fix_legacy(s: str) -> str:
    """Legacy conversion that decides the same way before and after cleaning.

    U+00AD is a letter in TCVN3 (ư) but a soft hyphen in Unicode text: it is dropped first
    unless the text is TCVN3, so a second pass sees what the first one decided on.
    """
    s = unshield_soft_hyphens(s)
    if "\u00ad" in s and detect_legacy(s) is None:
        s = s.replace("\u00ad", "")
    return fix_legacy(s)


# Extractors that drop unprintable characters (trafilatura) would delete U+00AD, TCVN3's `ư`,
# before clean_text can decide whether it is a letter or a soft hyphen. Extraction code swaps it
# for this printable stand-in (U+2E40 DOUBLE HYPHEN, never used in Vietnamese text); cleaning
# turns it back into U+00AD before deciding, so extraction code need not undo it.
SOFT_HYPHEN_STAND_IN = "\u2e40"


def shield_soft_hyphens(root: Any) -> Any:
    """Replace U+00AD in an lxml tree's text with a printable stand-in; returns the tree."""
    for el in root.iter():
        if isinstance(el.text, str) and "\u00ad" in el.text:
            el.text = el.text.replace("\u00ad", SOFT_HYPHEN_STAND_IN)
        if isinstance(el.tail, str) and "\u00ad" in el.tail:
            el.tail = el.tail.replace("\u00ad", SOFT_HYPHEN_STAND_IN)
    return root


def unshield_soft_hyphens(s: str) -> str:
    """Put back the U+00AD that shield_soft_hyphens hid, for clean_text to decide on."""
    return s.replace(SOFT_HYPHEN_STAND_IN, "\u00ad")


def clean_text(s: str) -> str:
    """Body text in one canonical form, so equal articles compare and hash equal; idempotent."""
    if not _is_clean_unicode(s):
        s = _normalise_chars(_fix_legacy_lines(_PRE_REPAIR_RE.sub("", s)))
    s = _NEWLINE_RE.sub("\n", s)
    paragraphs: list[str] = []
    current: list[str] = []
    for raw_line in s.split("\n"):
        line = " ".join(raw_line.split())  # a line holds no "\n": its whitespace is horizontal
        if line:
            current.append(line)
        elif current:
            paragraphs.append(_join_wrapped(current))
            current = []
    if current:
        paragraphs.append(_join_wrapped(current))
    return "\n\n".join(paragraphs)


@lru_cache(maxsize=4096)
def clean_line(s: str) -> str:
    """A one-line field (title, name, role): every whitespace run is one space; idempotent.

    Byline and chrome checks clean the same short lines many times over: cached.
    """
    if not _is_clean_unicode(s):
        s = _normalise_chars(_fix_legacy(_PRE_REPAIR_RE.sub("", s)))
    return " ".join(s.split())


def _drop_counter(m: re.Match[str]) -> str:
    """A counter between two separators leaves one separator (`a | Lượt xem: 1 | b` -> `a | b`)."""
    text = m.group(0).strip()
    return " | " if text[:1] in "•·|/,;-" and text.endswith("|") else " "


def strip_counters(s: str) -> str:
    """Remove view counters glued to or printed beside a date (`(GMT+7)732 lượt xem`)."""
    s = _COUNTER_RE.sub(_drop_counter, s)
    return _ANY_SPACE_RE.sub(" ", s).strip(" |•·")


# The patterns as one alternation, each keeping its own flags: one fullmatch instead of eleven.
_BOILERPLATE_RE = re.compile("|".join(
    f"(?i:{p.pattern})" if p.flags & re.IGNORECASE else f"(?:{p.pattern})"
    for p in BOILERPLATE_PATTERNS))


@lru_cache(maxsize=4096)
def is_boilerplate(line: str) -> bool:
    """True for page chrome (clock, skip link, counters, print links) that is never article text."""
    cleaned = clean_line(line)
    if not cleaned:
        return False
    return _BOILERPLATE_RE.fullmatch(cleaned) is not None
