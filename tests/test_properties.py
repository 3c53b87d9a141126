"""Property tests (hypothesis): cleaning is idempotent, keeps clean text, fold keeps length."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.folding import fold
from pipelines.legacy import VI_UNICODE_ONLY_RE, detect_legacy, fix_legacy
from pipelines.text import clean_line, clean_text

_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_LETTERS = _VOWELS + "bcdđghklmnpqrstvx"
VI_ALPHABET = _LETTERS + _LETTERS.upper()
_PUNCT_AFTER = ["", "", "", ",", ".", ";", ":", "!", "?", "…", "”", ")"]
_PUNCT_BEFORE = ["", "", "", "“", "("]

settings.register_profile("luutru", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("luutru")

word = st.builds(
    lambda before, core, after: before + core + after,
    st.sampled_from(_PUNCT_BEFORE),
    st.text(alphabet=VI_ALPHABET + "0123456789", min_size=1, max_size=8),
    st.sampled_from(_PUNCT_AFTER),
)
# A clean line: words of Vietnamese letters and digits with punctuation, one space between.
clean_lines = st.lists(word, min_size=1, max_size=25).map(" ".join)
# Clean body text: paragraphs that are clean lines, separated by one blank line.
clean_texts = st.lists(clean_lines, min_size=1, max_size=5).map("\n\n".join)
# Anything: every code point, with the whitespace and invisibles the sites produce made likely.
_PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list(VI_ALPHABET + " \n\t\r\u00a0\u00ad\u200b\ufeff\u00d0\u00f0&;#")),
    st.sampled_from(
        ["&amp;", "&#40;", "&nbsp;", "\u0301", "\u0323", "¹", "®", "«", "ö", "ø", "\n\n"]
    ),
)
noisy = st.lists(_PIECES, max_size=80).map("".join)


@given(noisy)
@example("®\x08A")  # a control character once hid a TCVN3 `đ` from the first pass only
def test_clean_text_is_idempotent(s: str) -> None:
    once = clean_text(s)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(noisy)
def test_clean_line_is_idempotent(s: str) -> None:
    once = clean_line(s)
    assert clean_line(once) == once
    assert "\n" not in once and "  " not in once


@given(clean_texts)
def test_clean_text_never_changes_clean_vietnamese(s: str) -> None:
    assert clean_text(s) == s


@given(clean_lines)
def test_clean_line_never_changes_clean_vietnamese(s: str) -> None:
    assert clean_line(s) == s


@given(noisy)
def test_fold_preserves_length(s: str) -> None:
    nfc = unicodedata.normalize("NFC", s)
    folded = fold(s)
    assert len(folded) == len(nfc)
    assert all(folded[i] == fold(ch) for i, ch in enumerate(nfc))


@given(st.text(max_size=80), st.sampled_from(list("ăĂđĐĩĨũŨơƠưƯạẠệỆữỮỹ")), st.integers(0, 80))
def test_fix_legacy_never_touches_vietnamese_unicode(s: str, letter: str, at: int) -> None:
    s = s[:at] + letter + s[at:]
    assert VI_UNICODE_ONLY_RE.search(unicodedata.normalize("NFC", s))
    assert detect_legacy(s) is None
    assert fix_legacy(s) == s


@given(clean_texts)
def test_fix_legacy_leaves_clean_vietnamese_alone(s: str) -> None:
    assert fix_legacy(s) == s
