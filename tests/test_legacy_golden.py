"""Golden round trips of legacy 8-bit Vietnamese through the real cleaning path.

Every letter of the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v
x y, each vowel bare and with the five tones), in both cases, is encoded to TCVN3 and VNI bytes
from code charts transcribed here independently of pipelines/legacy.py, served in a page, read
by the same code the crawl uses (Scrapy's charset detection, scrapers.extract.text_blocks,
pipelines.article.clean_article) and must come back as the original Unicode.

TCVN3 (TCVN 5712:1993 VN3, the `.VnTime` "ABC" set) has single-byte codes for every lower-case
letter but, of the capitals, only the seven without a tone (Ă Â Ê Ô Ơ Ư Đ); capital toned
letters were drawn by separate capital fonts (`.VnTimeH`) from the lower-case codes. The TCVN3
tests therefore cover every lower-case letter and every capital the chart has (A-Z plus
Ă Â Ê Ô Ơ Ư Đ); an extra test covers the capital-font convention (an all-caps word written
with lower-case codes), which the decoder reads as capitals.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from scrapy.http import HtmlResponse

from pipelines.article import clean_article
from pipelines.text import clean_line, clean_text
from scrapers.extract import text_blocks
from tests.cases import mappings

# --- the code charts, transcribed (not imported) ------------------------------------------------

# TCVN3 (ABC): letter -> byte, chart order: a-row, ă-row, â-row, đ, e-row, ê-row, i, o, ô, ơ, u,
# ư, y; each row bare letter (where the chart has one), then huyền, hỏi, ngã, sắc, nặng.
_TCVN3_CHART = {
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
}  # fmt: skip

# VNI-Windows: base letter + mark byte(s). Tone bytes (lower/upper) in the order sắc, huyền,
# hỏi, ngã, nặng; the vowel-shape bytes for â ê ô (circumflex) and ă (breve) carry the tone too.
_VNI_TONES = {"sắc": "ùÙ", "huyền": "øØ", "hỏi": "ûÛ", "ngã": "õÕ", "nặng": "ïÏ"}
_VNI_CIRCUMFLEX = {"": "âÂ", "sắc": "áÁ", "huyền": "àÀ", "hỏi": "åÅ", "ngã": "ãÃ", "nặng": "äÄ"}
_VNI_BREVE = {"": "êÊ", "sắc": "éÉ", "huyền": "èÈ", "hỏi": "úÚ", "ngã": "üÜ", "nặng": "ëË"}
# Single bytes: i with a tone, ỵ, ơ, ư, đ (lower, upper).
_VNI_I = {"sắc": "íÍ", "huyền": "ìÌ", "hỏi": "æÆ", "ngã": "óÓ", "nặng": "òÒ"}
_VNI_SINGLE = {"ơ": "ôÔ", "ư": "öÖ", "đ": "ñÑ", "ỵ": "îÎ"}

_TONE_MARKS = {"": "", "sắc": "\u0301", "huyền": "\u0300", "hỏi": "\u0309", "ngã": "\u0303",
               "nặng": "\u0323"}
_SHAPES = {"ă": ("a", "\u0306"), "â": ("a", "\u0302"), "ê": ("e", "\u0302"),
           "ô": ("o", "\u0302"), "ơ": ("o", "\u031b"), "ư": ("u", "\u031b")}
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
CONSONANTS = ("b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x")


def _letter(vowel: str, tone: str) -> str:
    base, shape = _SHAPES.get(vowel, (vowel, ""))
    return unicodedata.normalize("NFC", base + shape + _TONE_MARKS[tone])


def _vni_letter(vowel: str, tone: str, upper: bool) -> str:
    """One Unicode letter as VNI-Windows characters, built from the chart above."""
    k = 1 if upper else 0
    base, _shape = _SHAPES.get(vowel, (vowel, ""))
    base = base.upper() if upper else base
    if vowel == "i" and tone:
        return _VNI_I[tone][k]
    if vowel == "y" and tone == "nặng":
        return _VNI_SINGLE["ỵ"][k]
    if vowel in ("â", "ê", "ô"):
        return base + _VNI_CIRCUMFLEX[tone][k]
    if vowel == "ă":
        return base + _VNI_BREVE[tone][k]
    if vowel in ("ơ", "ư"):
        single = _VNI_SINGLE[vowel][k]
        return single + (_VNI_TONES[tone][k] if tone else "")
    return base + (_VNI_TONES[tone][k] if tone else "")


def _vni_table() -> dict[str, str]:
    table = {"đ": _VNI_SINGLE["đ"][0], "Đ": _VNI_SINGLE["đ"][1]}
    for vowel in VOWELS:
        for tone in _TONE_MARKS:
            letter = _letter(vowel, tone)
            table[letter] = _vni_letter(vowel, tone, upper=False)
            table[letter.upper()] = _vni_letter(vowel, tone, upper=True)
    return table


VNI_CHART = _vni_table()
LOWER = [_letter(v, t) for v in VOWELS for t in _TONE_MARKS] + ["đ"]
UPPER = [ch.upper() for ch in LOWER]
TCVN3_CAPITALS = ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"]


def to_bytes(text: str, encoding: str) -> bytes:
    """Unicode Vietnamese -> the legacy encoding's bytes, letter by letter from the chart."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out += ch.encode("ascii")
        elif encoding == "tcvn3":
            out.append(_TCVN3_CHART[ch])  # KeyError: the chart has no code for it
        else:
            out += VNI_CHART[ch].encode("latin-1")
    return bytes(out)


# --- the test text: every letter inside real-looking syllables ---------------------------------

# Codas that make a syllable legal with ă/â (which never end an open syllable).
_CODA = {"ă": "n", "â": "n"}


def _syllables(letters: list[str]) -> list[str]:
    """Each letter in a syllable: consonants open one, vowels follow a rotating onset."""
    onsets = ["t", "l", "m", "n", "h", "b", "v", "s", "x", "đ", "th", "ch", "tr", "ph", "kh"]
    out: list[str] = []
    for i, letter in enumerate(letters):
        low = letter.lower()
        if low in CONSONANTS:
            word = letter + ("a" if letter.islower() else "A")
        else:
            bare = unicodedata.normalize("NFD", low)[0]
            vowel = next((v for v in VOWELS if _letter(v, "") == unicodedata.normalize(
                "NFC", "".join(c for c in unicodedata.normalize("NFD", low)
                               if c not in "\u0300\u0301\u0303\u0309\u0323"))), bare)
            onset = onsets[i % len(onsets)]
            coda = _CODA.get(vowel, "")
            if letter.isupper():
                word = onset.upper() + letter + coda.upper()
            else:
                word = onset + letter + coda
        out.append(word)
    return out


def _sentences(words: list[str], per_line: int = 8) -> list[str]:
    """Words grouped into sentence-like lines, the way a pasted document arrives."""
    lines = [" ".join(words[i: i + per_line]) for i in range(0, len(words), per_line)]
    return [line[0].upper() + line[1:] + "." if line[0].islower() else line + "."
            for line in lines]


# Real sentences heavy in ư (the letter TCVN3 writes as byte 0xAD, the soft hyphen's code point).
REAL = [
    "Trường Chính trị tỉnh tăng cường công tác bồi dưỡng lý luận chính trị.",
    "Nghị quyết của Đảng về phương hướng, nhiệm vụ năm học mới.",
    "Hội nghị tổng kết công tác thi đua khen thưởng và phương pháp giảng dạy.",
    "Đồng chí Hiệu trưởng nhấn mạnh yêu cầu nâng cao chất lượng nghiên cứu khoa học.",
    "Những người tham dự được hướng dẫn xây dựng Đảng vững mạnh.",
]
LOWER_TEXT = _sentences(_syllables(LOWER + list(CONSONANTS)))
UPPER_TEXT = _sentences(_syllables(UPPER + [c.upper() for c in CONSONANTS]))
TCVN3_UPPER_TEXT = [
    "Ăn uống, Âm nhạc, Êm ả, Ông bà, Ơn nghĩa, Ưu tiên, Đảng viên.",
    "Ưu điểm của Đảng bộ: Ăn ở hòa thuận, Ông cha dạy, Âm vang, Ơn sâu.",
]


def _page(lines: list[str], encoding: str, charset: str = "windows-1252") -> HtmlResponse:
    body_html = "".join(f"<p>{line}</p>" for line in lines[1:])
    html = (f'<html><head><meta charset="{charset}"><title>{lines[0]}</title></head>'
            f'<body><h1 class="title">{lines[0]}</h1><div class="content">{body_html}</div>'
            "</body></html>")
    return HtmlResponse(url="http://replica.test/a.html", body=to_bytes(html, encoding))


def _through_pipeline(lines: list[str], encoding: str) -> tuple[str, str]:
    """(title, text) as the crawl stores them: bytes -> Scrapy -> text_blocks -> clean_article."""
    response = _page(lines, encoding)
    title_raw = response.css("h1.title::text").get("")
    paragraphs = text_blocks(response.css("div.content")[0])
    article = clean_article(title_raw, paragraphs)
    return article.title, article.text


def _expected(lines: list[str]) -> tuple[str, str]:
    return lines[0], "\n\n".join(lines[1:])


# --- the charts themselves -----------------------------------------------------------------------


def test_charts_cover_the_whole_alphabet() -> None:
    assert len(LOWER) == 12 * 6 + 1 == len(set(LOWER))
    assert set(LOWER) - set(_TCVN3_CHART) == set("aeiouy")  # bare ASCII vowels need no code
    assert set(VNI_CHART) >= set(LOWER + UPPER) - set("aeiouyAEIOUY")
    # TCVN3 capitals: only the seven untoned ones; a toned capital has no code.
    assert [ch for ch in _TCVN3_CHART if ch.isupper()] == TCVN3_CAPITALS
    with pytest.raises(KeyError):
        to_bytes("Ạ", "tcvn3")
    assert to_bytes("phương", "tcvn3") == b"ph\xad\xacng"
    assert to_bytes("Việt", "vni") == "Vieät".encode("latin-1")


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_every_lower_case_letter_round_trips(encoding: str) -> None:
    lines = [REAL[0], *LOWER_TEXT, *REAL[1:]]
    joined = " ".join(lines)
    assert all(letter in joined for letter in LOWER), "the text misses a letter"
    assert all(c in joined for c in CONSONANTS)
    assert _through_pipeline(lines, encoding) == _expected(lines)


def test_every_upper_case_letter_round_trips_vni() -> None:
    lines = [REAL[0], *UPPER_TEXT, *REAL[1:]]
    joined = " ".join(lines)
    assert all(letter in joined for letter in UPPER)
    assert _through_pipeline(lines, "vni") == _expected(lines)


def test_every_tcvn3_capital_in_the_chart_round_trips() -> None:
    upper_ascii = " ".join(c.upper() + "Ông" for c in CONSONANTS) + "."
    lines = [REAL[0], *TCVN3_UPPER_TEXT, upper_ascii, *REAL[1:]]
    joined = " ".join(lines)
    assert all(ch in joined for ch in TCVN3_CAPITALS)
    assert _through_pipeline(lines, "tcvn3") == _expected(lines)


def test_tcvn3_capital_font_words_read_as_capitals() -> None:
    """All-caps headings typed in .VnTimeH: lower-case codes shown as capitals."""
    # ASCII letters typed as capitals, Vietnamese letters with their lower-case codes
    raw = to_bytes("TRườNG CHíNH TRị TỉNH", "tcvn3").decode("latin-1")
    assert clean_line(raw) == "TRƯỜNG CHÍNH TRỊ TỈNH"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("sentence", REAL)
def test_real_sentences_keep_every_u_horn(encoding: str, sentence: str) -> None:
    raw = to_bytes(sentence, encoding).decode("latin-1")
    assert clean_text(raw) == sentence
    assert clean_line(raw) == sentence
    assert clean_text(clean_text(raw)) == sentence  # idempotent


def test_one_word_tcvn3_lines_keep_u_horn() -> None:
    for word in ("phương", "tăng cường", "Trường", "người", "ư"):
        raw = to_bytes(word, "tcvn3").decode("latin-1")
        assert clean_line(raw) == word, word


# --- real soft hyphens ----------------------------------------------------------------------------


SOFT_HYPHENS = [
    ("Trường Chính trị tỉnh Bến Tre tổ chức hội nghị quy\u00adết định", "Trường Chính trị "
     "tỉnh Bến Tre tổ chức hội nghị quyết định"),
    ("Nghị quyết về phát\u00adtriển kinh tế", "Nghị quyết về pháttriển kinh tế"),
    ("infor\u00admation tech\u00adnology", "information technology"),
    ("Café\u00adbar à Zürich", "Cafébar à Zürich"),
    ("ca\u00adfé au lait, na\u00adïve", "café au lait, naïve"),
]


@pytest.mark.parametrize(
    ("function", "raw", "expected"), mappings((clean_text, clean_line), SOFT_HYPHENS)
)
def test_soft_hyphens_in_unicode_text_are_removed(
    function: Callable[[str], str], raw: str, expected: str
) -> None:
    assert function(raw) == expected


def test_soft_hyphen_in_a_unicode_page_is_removed_by_the_pipeline() -> None:
    html = ("<html><head><meta charset='utf-8'></head><body><h1 class='title'>Tiêu đề</h1>"
            "<div class='content'><p>Nâng cao chất lượng đào tạo, bồi dưỡng cán bộ cơ "
            "sở trong tình hình mới hiện\u00adnay.</p></div></body></html>")
    response = HtmlResponse(url="http://replica.test/b.html", body=html.encode("utf-8"))
    paragraphs = text_blocks(response.css("div.content")[0])
    text = clean_article("Tiêu đề", paragraphs).text
    assert "\u00ad" not in text and text.endswith("hiệnnay.")


# --- extractors that drop unprintable characters ----------------------------------------------


def test_trafilatura_keeps_u_horn_behind_the_shield() -> None:
    """trafilatura deletes U+00AD (unprintable) before clean_text can call it TCVN3's `ư`; the
    generic extraction shields it first."""
    import copy

    import trafilatura
    from lxml import html as lxml_html

    from pipelines.text import shield_soft_hyphens, unshield_soft_hyphens

    legacy = to_bytes(" ".join(REAL[:3]), "tcvn3").decode("latin-1")
    unicode_line = "Nghị quyết về phát\u00adtriển kinh tế của tỉnh trong giai đoạn mới hiện nay."
    root = lxml_html.fromstring(f"<html><body><article><h1>Tiêu đề</h1><p>{legacy}</p>"
                                f"<p>{unicode_line}</p></article></body></html>")
    bare = trafilatura.extract(copy.deepcopy(root)) or ""
    assert "\u00ad" not in bare and "ph\u00acng" in bare  # the loss the shield prevents
    shielded = trafilatura.extract(shield_soft_hyphens(copy.deepcopy(root))) or ""
    text = clean_text(unshield_soft_hyphens(shielded))
    assert clean_text(shielded) == text  # cleaning undoes the shield by itself
    assert " ".join(REAL[:3]) in text
    assert "Nghị quyết về pháttriển kinh tế" in text and "\u00ad" not in text
