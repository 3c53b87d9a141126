"""Legacy 8-bit Vietnamese (TCVN3/ABC and VNI-Windows) shown as Latin-1/cp1252 mojibake.

Before Unicode, Vietnamese Word documents used font-based encodings: the byte for `ạ` in TCVN3
(TCVN 5712:1993, the VN3/ABC set of the `.VnTime` fonts) is 0xB9, which a Unicode reader shows
as `¹`, so `Hoạt` reads `Ho¹t`; VNI-Windows writes a base letter followed by a mark byte, so
`Việt` reads `Vieät`. Text pasted from such documents into a CMS keeps those characters.

`detect_legacy` decides per string, from whole words: a word is evidence for an encoding when it
is not a Vietnamese syllable as Unicode but decodes to one; the string is converted only when the
evidence is clear and nothing contradicts it. Text holding any letter that only Unicode
Vietnamese has (ă đ ơ ư ĩ ũ, U+1EA0-U+1EF9) is never touched, nor ASCII text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Encoding = Literal["tcvn3", "vni"]

# --- TCVN3 (TCVN 5712:1993 VN3, "ABC"): byte -> letter, from the published code chart. ---------
# VN3 has every lower-case letter, but of the upper-case ones only the seven without a tone
# (Ă Â Ê Ô Ơ Ư Đ); upper-case toned letters were drawn by the capital fonts (.VnTimeH) from the
# lower-case codes.
# The chart as runs of consecutive bytes: (first byte, the letters from it on, in byte order);
# a byte in no run is no letter here.
_TCVN3_RUNS = (
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđ"),
    (0xB5, "àảãáạ"),
    (0xBB, "ằẳẵắ"),
    (0xC6, "ặầẩẫấậè"),
    (0xCE, "ẻẽéẹềểễếệìỉ"),
    (0xDC, "ĩíịò"),
    (0xE1, "ỏõóọồổỗốộờởỡớợù"),
    (0xF1, "ủũúụừửữứựỳỷỹýỵ"),
)
TCVN3_TABLE: dict[int, str] = {
    first + i: letter for first, letters in _TCVN3_RUNS for i, letter in enumerate(letters)
}
# The table seen through a Latin-1 reader: mojibake character -> letter.
_TCVN3_DECODE: dict[str, str] = {chr(b): u for b, u in TCVN3_TABLE.items()}
_TCVN3_ENCODE: dict[str, str] = {u: chr(b) for b, u in TCVN3_TABLE.items()}

# --- VNI-Windows: a base letter, then a mark byte (from the VNI code chart). -------------------
# Tone marks, in the order none, sắc, huyền, hỏi, ngã, nặng; lower case / upper case bytes.
_VNI_TONES = ("", "ù", "ø", "û", "õ", "ï")
# Circumflex (â ê ô) combined with each tone, and breve (ă) combined with each tone.
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
# Letters VNI writes as a single byte.
_VNI_SINGLES_LOWER = {
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ô": "ơ", "ö": "ư", "ñ": "đ",
}  # fmt: skip
# Unicode combining marks for the tones above, and for circumflex, breve, horn.
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _vni_pairs() -> dict[str, str]:
    """VNI sequence -> Unicode letter, both cases (marks follow the case of their base letter)."""
    table: dict[str, str] = {}
    for tone, mark in zip(_VNI_TONES, _TONE_MARKS, strict=True):
        for base in "aeiouy":
            if tone:
                table[base + tone] = _compose(base, mark)
        if tone:
            table["ô" + tone] = _compose("o", _HORN, mark)  # ơ + tone
            table["ö" + tone] = _compose("u", _HORN, mark)  # ư + tone
    for circ, mark in zip(_VNI_CIRCUMFLEX, _TONE_MARKS, strict=True):
        for base in "aeo":
            table[base + circ] = _compose(base, _CIRC, mark)
    for breve, mark in zip(_VNI_BREVE, _TONE_MARKS, strict=True):
        table["a" + breve] = _compose("a", _BREVE, mark)
    # i takes its toned forms as single bytes; "i" + tone byte is not VNI.
    for tone in _VNI_TONES[1:]:
        table.pop("i" + tone, None)
    table.update(_VNI_SINGLES_LOWER)
    upper = {k.upper(): v.upper() for k, v in table.items()}
    # A capital base letter with a lower-case mark byte (and the reverse) is seen in title-cased
    # text typed with caps lock off: the base letter decides the case.
    mixed: dict[str, str] = {}
    for k, v in table.items():
        if len(k) == 2:
            mixed[k[0].upper() + k[1]] = v.upper()
            mixed[k[0] + k[1].upper()] = v
    return {**mixed, **table, **upper}


VNI_TABLE: dict[str, str] = _vni_pairs()
_VNI_ENCODE: dict[str, str] = {}
for _seq, _letter in VNI_TABLE.items():
    # The canonical spelling: marks in the case of their letter; y + nặng is the single byte î.
    if len(_seq) == 2 and _seq[0].isupper() != _seq[1].isupper():
        continue
    if _letter in _VNI_ENCODE and len(_seq) > len(_VNI_ENCODE[_letter]):
        continue
    _VNI_ENCODE[_letter] = _seq
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_TABLE, key=len, reverse=True)))

# --- Vietnamese syllables, to tell real words from mojibake. -----------------------------------
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_NUCLEI = (
    "uyê|uya|uyu|uây|oai|oay|oao|oeo|uôi|ươi|ươu|iêu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_CODAS = "ngh|ng|nh|ch|[cmnpt]"
_SYLLABLE_RE = re.compile(f"(?:{_ONSETS})?(?:{_NUCLEI})(?:{_CODAS})?")
_TONE_SET = frozenset(_TONE_MARKS[1:])
# A consonant carrying a tone mark (after NFD, other combining marks in between).
_TONELESS_BASE_RE = re.compile(f"[^aeiouy\u0300-\u036f][\u0302\u0306\u031b]*[{''.join(_TONE_SET)}]")
_HAS_VOWEL_RE = re.compile("[aeiouyAEIOUY\u00c0-\u00c5\u00c8-\u00cf\u00d2-\u00d6\u00d9-\u00dd"
                           "\u00e0-\u00e5\u00e8-\u00ef\u00f2-\u00f6\u00f9-\u00fd\u0102\u0103"
                           "\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")

# Letters only Unicode Vietnamese uses (not in Latin-1): their presence means the text is Unicode.
VI_UNICODE_ONLY_RE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
# Latin-1 letters that Unicode Vietnamese writes too; every other legacy character is a marker.
VI_LATIN1_LETTERS = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ"
_TCVN3_MARKERS = frozenset(_TCVN3_DECODE) - frozenset(VI_LATIN1_LETTERS)
_VNI_MARKERS = frozenset(ch for seq in VNI_TABLE for ch in seq if not ch.isascii()) - frozenset(
    VI_LATIN1_LETTERS
)
# Without one of these in a string, detect_legacy finds no encoding (cleaning's fast path).
LEGACY_MARKERS = _TCVN3_MARKERS | _VNI_MARKERS
# Candidate words: ASCII letters and the Latin-1 upper half (where both encodings live).
_WORD_RE = re.compile("[A-Za-z\u00a1-\u00ff]+")


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True for one Vietnamese syllable in Unicode (any case, at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_SET]
    if len(tones) > 1:
        return False
    # A tone sits on a vowel: `ñ` (VNI's đ) is n + tilde, no syllable `na` with a ngã.
    if tones and _TONELESS_BASE_RE.search(decomposed):
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_SET))
    return _SYLLABLE_RE.fullmatch(bare) is not None


def _decode_tcvn3_word(word: str) -> str:
    out = "".join(_TCVN3_DECODE.get(ch, ch) for ch in word)
    # Capital fonts drew upper case from lower-case codes: an all-caps ASCII context is capitals.
    letters = [ch for ch in word if ch.isascii() and ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return out.upper()
    return out


def _decode_vni_word(word: str) -> str:
    return _VNI_RE.sub(lambda m: VNI_TABLE[m.group(0)], word)


_DECODERS = {"tcvn3": _decode_tcvn3_word, "vni": _decode_vni_word}


def _score(words: list[str], encoding: Encoding) -> tuple[int, int]:
    """(evidence, contradiction) counts of the words with non-ASCII characters."""
    decode = _DECODERS[encoding]
    evidence = contra = 0
    for w in words:
        decoded = decode(w)
        if decoded == w:
            if not is_vietnamese_syllable(w):
                contra += 1
            continue
        if is_vietnamese_syllable(decoded):
            if not is_vietnamese_syllable(w):
                evidence += 1
        elif _HAS_VOWEL_RE.search(decoded):
            contra += 1
        # a decoded word without vowels is an acronym (QLĐT, TP.HCM): no evidence either way
    return evidence, contra


def detect_legacy(s: str) -> Encoding | None:
    """`"tcvn3"` or `"vni"` when s is legacy 8-bit Vietnamese read as Latin-1, else None.

    Three conditions, all needed: a marker character of the encoding (one that Unicode
    Vietnamese never writes, such as `¹ ® «` or `ö ø ï`); at least one word that is a syllable
    only once decoded; and few words (at most one in five) that decode to no syllable at all.
    """
    if s.isascii():
        return None
    s = unicodedata.normalize("NFC", s)
    if VI_UNICODE_ONLY_RE.search(s):
        return None
    words = [w for w in _WORD_RE.findall(s) if not w.isascii()]
    if not words:
        return None
    best: Encoding | None = None
    best_evidence = 0
    for encoding, markers in (("tcvn3", _TCVN3_MARKERS), ("vni", _VNI_MARKERS)):
        if not any(ch in markers for w in words for ch in w):
            continue
        evidence, contra = _score(words, encoding)  # type: ignore[arg-type]
        if evidence == 0 or contra * 5 > len(words) or (evidence == 1 and contra):
            continue
        if evidence > best_evidence:
            best, best_evidence = encoding, evidence  # type: ignore[assignment]
    return best


def decode_legacy(s: str, encoding: Encoding) -> str:
    """Convert text in the given legacy encoding (as Latin-1 characters) to NFC Unicode."""
    s = unicodedata.normalize("NFC", s)
    decode = _DECODERS[encoding]
    return _WORD_RE.sub(lambda m: decode(m.group(0)), s)


def encode_legacy(s: str, encoding: Encoding) -> str:
    """Unicode Vietnamese -> the legacy encoding as Latin-1 characters (for tests and fixtures).

    Letters the encoding has no code for (TCVN3's upper-case toned letters) raise ValueError.
    """
    table = _TCVN3_ENCODE if encoding == "tcvn3" else _VNI_ENCODE
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", s):
        if ch in table:
            out.append(table[ch])
        elif ch.isascii() or not ch.isalpha():
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} has no {encoding} code")
    return "".join(out)


def fix_legacy(s: str) -> str:
    """s converted to Unicode when it is TCVN3/VNI mojibake; otherwise s unchanged."""
    encoding = detect_legacy(s)
    return s if encoding is None else decode_legacy(s, encoding)
