"""The search key: how stored text and typed queries are folded so they meet.

`dang` finds `Đảng`, `hoà` finds `hòa`: the FTS index holds folded text (archive/fts.py) and
every query is folded the same way (archive/search_query.py). Both sides must use one function,
and an archive's index depends on it, so it lives with the archive; the pipelines and the
spiders call it too (a byline or title compared across readings, an attachment's text).
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL_FOLDS = {"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"}

# oa/oe/uy ending an open syllable with the tone on the second vowel (hoà, khoẻ, thuỷ, uỷ):
# the tone moves to the first vowel. "qu" is an onset, so quý/quỳ are left alone.
_TONED_A_E = "àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ"
_TONED_Y = "ỳýỷỹỵỲÝỶỸỴ"
_OLD_TONE_RE = re.compile(f"(?:([oO])([{_TONED_A_E}])|(?<![qQ])([uU])([{_TONED_Y}]))(?![^\\W\\d_])")


def _fold_char(ch: str) -> str:
    """Fold one NFC character to one character, so folded offsets map back to the original."""
    if ch in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[ch]
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch.lower()


class _FoldTable(dict[int, str]):
    """Code point -> folded character for `str.translate`, filled in on first sight."""

    def __missing__(self, cp: int) -> str:
        folded = self[cp] = _fold_char(chr(cp))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(s: str) -> str:
    """Search form: lower-case, no diacritics, đ -> d; one output char per NFC input char."""
    if s.isascii():  # every ASCII letter folds to its lower case, nothing else changes
        return s.lower()
    return unicodedata.normalize("NFC", s).translate(_FOLD_TABLE)


def _move_tone(m: re.Match[str]) -> str:
    """Put the tone of the second vowel of oa/oe/uy on the first one, keeping both cases."""
    first = m.group(1) or m.group(3)
    second = m.group(2) or m.group(4)
    # `second` is one toned a/e/y (the pattern's classes): NFD is the letter then its mark.
    decomposed = unicodedata.normalize("NFD", second)
    base, mark = decomposed[0], decomposed[1:]
    return unicodedata.normalize("NFC", first + mark) + base


def normalize_tone_marks(s: str) -> str:
    """Unify tone placement (hoà -> hòa, thuỷ -> thủy) so spelling variants compare equal.

    Only open syllables ending in oa/oe/uy move the tone; closed ones (hoàng, thuyền) and the
    qu- onset (quý) are written the same in both styles. Case and NFC length are preserved.
    """
    s = unicodedata.normalize("NFC", s)
    return _OLD_TONE_RE.sub(_move_tone, s)

