"""Author bylines: a name line with an optional degree prefix, and the role line under it.

The tests on a line are pure functions of the string, and article cleaning asks them about
the same few lines many times over (each candidate block, each hint): they are cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.text import clean_line, is_boilerplate

# Degrees and forms of address printed before a name; the longest alternatives come first.
_PREFIX_RE = re.compile(
    r"(?P<prefix>"
    r"(?:P?GS\.?\s?-?\s?T(?:S|SKH)\.?)"  # PGS.TS., GS. TS, PGS-TS
    r"|P?GS\."
    r"|Th\.?\s?[Ss]\.?|ThS"  # ThS., Th.s, Th.S, ThS
    r"|TS\.?|Ts\.|TSKH\.?"
    r"|CN\.|KS\.|BS\.|NCS\.|NGƯT\.?|NGND\.?"
    r"|Thạc\s+s[ỹĩ]\.?|Tiến\s+s[ỹĩ]\.?|Cử\s+nhân"
    r"|Đ/[cC]\.?|Đồng\s+chí"
    r")(?:\s+|(?<=\.)(?=[^\W\d_]))",
)
# Labels that introduce a byline in running text; the label is not part of the name.
_LABEL_RE = re.compile(
    r"(?:Tác\s+giả(?:\s+bài\s+viết)?|Tin\s*(?:và|,|-|&)\s*ảnh|Bài\s*(?:và|,|-|&)\s*ảnh|Tin|Bài"
    r"|Người\s+viết|Ảnh)\s*:\s*",
    re.IGNORECASE,
)
# `Theo Báo An Giang Online`, `Nguồn: TTXVN`: the source of a repost, never its author.
_SOURCE_RE = re.compile(r"(?:Theo|Nguồn(?:\s+tin)?\s*:|Trích\s+từ|Source\s*:)\s*(?P<src>.+)", re.I)
# `Ảnh: X`, `Ảnh minh họa: X`: a photo credit, not an author.
_PHOTO_RE = re.compile(r"(?:Ảnh|Hình\s+ảnh|Ảnh\s+minh\s+h[oọ]a|Photo)\s*:\s*(?P<who>.*)", re.I)
# The CMS account that posted an article (K2 `Viết bởi`, Drupal `Submitted by`, portals
# `Gửi bởi` / `Đăng bởi` / `Người đăng`): it names who typed the article in, not who wrote it.
_ACCOUNT_PREFIX_RE = re.compile(
    r"(?:Viết\s+bởi|Đăng\s+bởi|Gửi\s+bởi|Người\s+đăng|Người\s+gửi|Submitted\s+by"
    r"|Posted\s+by|Written\s+by|Created\s+by|Published\s+by)\b\s*:?\s*",
    re.IGNORECASE,
)
# Account names that are never a person's byline, compared lower-cased.
_ACCOUNTS = frozenset((
    "quản trị viên", "quản trị", "ban quản trị", "quản trị hệ thống", "administrator", "admin",
    "webmaster", "web master", "root", "super user", "superuser", "site admin", "editor",
    "biên tập viên", "quantri", "qtv",
))
_ACCOUNT_NAME_RE = re.compile(r"(?:admin|quantri|qtv|webmaster|user)[\w.-]*\d*", re.IGNORECASE)
# Several names on one line: `Nguyễn Văn A, Trần Thị B`, `Nguyễn Văn A và Trần Thị B`.
_NAMES_SEP_RE = re.compile(r"\s*,\s*|\s+(?:và|&)\s+|\s+[-–—]\s+")
# Separators between several authors on one line.
_AUTHOR_SEP_RE = re.compile(r"\s*;\s*|\s+(?:và|&)\s+(?=(?:ThS|TS|Ts|CN|PGS|GS|Th\.?s|Đ/c)\b)")
# Initials-only bylines: C.V.D, P.H, P.H.
_INITIALS_RE = re.compile(r"(?:[A-ZĐ]\.){1,5}[A-ZĐ]?\.?|(?:[A-ZĐ]\.)*[A-ZĐ]")
_MAX_NAME_LEN = 40
_MAX_NAME_SYLLABLES = 6
_MAX_ROLE_LEN = 90

# First words that start a role, a heading or a sentence, never a person's name.
_NOT_NAME_START = frozenset(
    (
        "hiệu phó trưởng khoa phòng giảng viên chi bí tỉnh nguyên ban đảng trường thông tin"
        " tác ảnh theo ngày thứ chủ hội sở ủy uỷ giám chuyên cán học tổ trung bộ các những"
        " một hai ba nghị đại kỷ lớp công kết tóm chương phần mục điều asset skip"
    ).split()
)
# Common surnames: an ALL-CAPS line without a degree prefix counts as a name only with one.
_SURNAMES = frozenset(
    (
        "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đoàn"
        " trương lương lâm mai cao tạ châu quách tô hà kiều la lưu thái tăng trịnh đào văn"
        " chu triệu lục vương diệp âu mạc hứa từ khổng giang thân quan phùng nghiêm kim"
        " tống hồng thạch lại"
    ).split()
)

# Role lines open with one of these (after an optional "Nguyên" / "Phó").
_ROLE_RE = re.compile(
    r"(?:Nguyên\s+)?(?:Phó\s+)?"
    r"(?:Hiệu\s+trưởng|Trưởng\s+(?:khoa|phòng|ban|bộ\s+môn|tiểu\s+ban)|Khoa|Phòng|Bộ\s+môn"
    r"|Giảng\s+viên|Viên\s+chức|Chuyên\s+viên|Nghiên\s+cứu\s+viên|Cán\s+bộ|Học\s+viên"
    r"|Chi\s+(?:đoàn|bộ|hội)|Bí\s+thư|Đảng\s+ủy\s+viên|Đảng\s+uỷ\s+viên|Đảng\s+[uủ]ỷ?"
    r"|Tỉnh\s+(?:ủy|uỷ)\s+viên|Ủy\s+viên|Uỷ\s+viên|TUV\b|UVBTV|Giám\s+đốc|Chủ\s+nhiệm"
    r"|Chủ\s+tịch|Trưởng\s+Đoàn|Công\s+đoàn|Đoàn\s+(?:trường|thanh\s+niên)|Trường\s+Chính\s+trị"
    r"|Ban\s+|Văn\s+phòng|Tổ\s+trưởng)",
    re.IGNORECASE,
)
# Lower-case words that make a line a sentence rather than a role.
_SENTENCE_WORD_RE = re.compile(
    r"(?<![^\W\d_])(?:đã|sẽ|đang|được|bị|là|có|gồm|vừa|cùng"
    r"|tổ chức|tiến hành|triển khai|nhằm|thực hiện|phát biểu|chủ trì|tham dự|trao|tặng"
    r"|chúc mừng|khai mạc|bế mạc|thăm|làm việc|trình bày|nhấn mạnh|giới thiệu|quán triệt"
    r"|chỉ đạo|tiếp|gặp)"
    r"(?![^\W\d_])"
)
# Inline "Name - role", "Name, role", "Name (role)".
_INLINE_SPLIT_RE = re.compile(r"\s+[-–—]\s+|\s*,\s+|\s*\(")
_TRAILING_JUNK = " |;,"
# `Ngọc Hân (tổng hợp)`: compiled, collected or translated by; a note, not part of the name.
_COMPILED_RE = re.compile(
    r"\s*\((?:tổng\s+hợp|TH|st|sưu\s+tầm|lược\s+dịch|dịch|biên\s+soạn)\)\s*$", re.IGNORECASE
)
# `Tin: Ngọc Hân - Ảnh: Minh Tâm`: a photo credit sharing the reporter's line.
# (`Tin, ảnh: X` / `Bài - ảnh: X` are one label: never split there.)
_PHOTO_SPLIT_RE = re.compile(
    r"(?<!Tin)(?<!Bài)\s*[-–—|;,]\s*(?=(?:Ảnh|Hình\s+ảnh|Photo)\s*:)", re.IGNORECASE
)
# ThS inside a role line is an abbreviation, not two glued labels.
_GLUE_EXCEPTIONS = frozenset({"ThS", "TpHCM", "TSKH"})


@dataclass(frozen=True)
class Byline:
    """An author as shown (name with its prefix), the prefix alone, the role, and the raw lines."""

    name: str
    role: str
    prefix: str
    raw: str
    # Where the text came from when reposted (`Theo Báo An Giang Online` -> `Báo An Giang Online`).
    source: str = field(default="", compare=True)


def _prefix_of(name: str) -> str:
    """The degree/title at the start of a cleaned name line, as written, or ''."""
    m = _PREFIX_RE.match(name)
    return clean_line(m.group("prefix")) if m else ""


@lru_cache(maxsize=2048)
def split_glued_roles(s: str) -> str:
    """Re-insert the separator lost between two labels (`Đảng ủyPhó hiệu trưởng`)."""
    out: list[str] = []
    word_start = 0
    for i, ch in enumerate(s):
        if ch.isspace():
            word_start = i + 1
        if i and ch.isupper() and s[i - 1].islower():
            word = re.split(r"[\s,;]", s[word_start:], maxsplit=1)[0]
            if word.rstrip(".") not in _GLUE_EXCEPTIONS:
                out.append(", ")
                word_start = i
        out.append(ch)
    return "".join(out)


def _strip_label(line: str) -> str:
    """Drop a `Tác giả:`-style label before the name and a `(tổng hợp)` note after it."""
    m = _LABEL_RE.match(line)
    line = line[m.end() :] if m else line
    return _COMPILED_RE.sub("", line)


@lru_cache(maxsize=2048)
def looks_like_role(line: str) -> bool:
    """True for a short role line (`Trưởng khoa Dân vận`), so it can be told from body text."""
    s = clean_line(line).strip(_TRAILING_JUNK)
    if not s or len(s) >= _MAX_ROLE_LEN or s[-1] in "!?:":
        return False
    if _ROLE_RE.match(s) is None:
        return False
    return _SENTENCE_WORD_RE.search(s) is None


@lru_cache(maxsize=2048)
def is_posting_account(text: str) -> bool:
    """True for the CMS account that posted an article (`Viết bởi Quản trị viên`, `Submitted by
    admin`, `Gửi bởi ...`, a bare `admin` / `Quản trị viên`): never the article's author."""
    s = clean_line(text).strip(" :|-")
    if not s:
        return False
    if _ACCOUNT_PREFIX_RE.match(s):
        return True
    name = s.lower().strip(" .")
    return name in _ACCOUNTS or _ACCOUNT_NAME_RE.fullmatch(name) is not None


@lru_cache(maxsize=2048)
def looks_like_name(line: str) -> bool:
    """True for a short person-name line (`ThS. Nguyễn Thị Yến`, `C.V.D`); False for sentences."""
    s = _strip_label(clean_line(line)).rstrip(" |")
    if not s or len(s) > _MAX_NAME_LEN or is_posting_account(s):
        return False
    if _INITIALS_RE.fullmatch(s):
        return len(s) > 1
    if s[-1] in ".;:,!?" or not s[0].isupper() or is_boilerplate(s):
        return False
    m = _PREFIX_RE.match(s)
    rest = s[m.end() :] if m else s
    words = rest.split()
    if not 1 <= len(words) <= _MAX_NAME_SYLLABLES:
        return False
    if not all(w.isalpha() and w[0].isupper() for w in words):
        return False
    if m is None:
        if words[0].lower() in _NOT_NAME_START:
            return False
        if rest.isupper() and words[0].lower() not in _SURNAMES:
            return False
    return True


@lru_cache(maxsize=2048)
def _split_inline(name: str) -> tuple[str, str]:
    """Split `Name - role`, `Name, role` or `Name (role)` when the tail reads as a role."""
    for m in _INLINE_SPLIT_RE.finditer(name):
        head, tail = name[: m.start()], name[m.end() :]
        if m.group(0).strip() == "(":
            tail = tail.rstrip(" |").removesuffix(")")
        if looks_like_name(head) and looks_like_role(tail):
            return head.strip(), tail.strip()
    return name, ""


@lru_cache(maxsize=2048)
def _split_run_on(line: str) -> tuple[str, str]:
    """Split a name run straight into its role (`ThS. Đoàn Thanh Tâm Phó Trưởng khoa Nhà nước
    và Pháp luật`: a `Name<br>Role` paragraph read as one line) when the tail reads as a role.

    Vietnamese names have 3 syllables most often, then 4, then 2: the head is tried in that
    order, so `Nguyễn Đăng Khoa Giảng viên` keeps `Khoa` in the name.
    """
    m = _PREFIX_RE.match(line)
    start = m.end() if m else 0
    words = line[start:].split()
    for n in (3, 4, 2, 5):
        if n >= len(words):
            continue
        head = (line[:start] + " ".join(words[:n])).strip()
        tail = " ".join(words[n:])
        if tail[0].isupper() and looks_like_name(head) and looks_like_role(tail):
            return head, tail
    return line, ""


def _several_names(line: str) -> list[str]:
    """[names] when a line is only names (`Nguyễn Văn A, Trần Thị B`), else []."""
    parts = [p for p in _NAMES_SEP_RE.split(line) if p.strip(_TRAILING_JUNK)]
    if len(parts) >= 2 and all(looks_like_name(p) for p in parts):
        return [p.strip(_TRAILING_JUNK) for p in parts]
    return []


@lru_cache(maxsize=2048)
def parse_byline(name_line: str, role_line: str = "") -> Byline:
    """Split a byline into name as shown, degree prefix and role, keeping the raw text to audit.

    The name line may hold the role too: after a newline (`Name<br>Role` read as one block), run
    on (`ThS. X Phó Trưởng khoa`, the `<br>` lost), or inline (`Name - role`, `Name (role)`).
    A CMS posting account (`Viết bởi Quản trị viên`, `admin`) gives an empty byline.
    """
    raw = name_line if not role_line else f"{name_line}\n{role_line}"
    lines = [c for c in (clean_line(x) for x in name_line.splitlines()) if c]
    if not role_line.strip() and len(lines) >= 2:
        found = [b for b in parse_bylines(lines) if b.name]
        if found:
            name_line, role_line = found[0].name, found[0].role
            lines = [name_line]
    if is_posting_account(name_line):
        return Byline(name="", role="", prefix="", raw=raw)
    name = _strip_label(" ".join(lines) if lines else "").strip(_TRAILING_JUNK)
    role = split_glued_roles(clean_line(role_line)).strip(_TRAILING_JUNK)
    if not role:
        name, role = _split_run_on(name)
        if not role:
            name, role = _split_inline(name)
        role = split_glued_roles(role).strip(_TRAILING_JUNK)
    if role.endswith(".") and not _ABBREV_END_RE.search(role):
        role = role[:-1].rstrip()  # `Trưởng khoa Dân vận.`: the sentence's full stop
    return Byline(name=name, role=role, prefix=_prefix_of(name), raw=raw)


_ABBREV_END_RE = re.compile(r"(?<![^\W\d_])[A-ZĐ&]{1,5}\.$|\.\.$")


@lru_cache(maxsize=2048)
def parse_photo_credit(line: str) -> str | None:
    """The photographer of an `Ảnh: X` credit line, or None when the line is not one."""
    m = _PHOTO_RE.fullmatch(clean_line(line))
    return m.group("who").strip(_TRAILING_JUNK) if m else None


def _source_of(line: str) -> str | None:
    """`Báo An Giang Online` from `Theo Báo An Giang Online`; None for other lines."""
    m = _SOURCE_RE.fullmatch(line)
    if m is None:
        return None
    src = m.group("src").strip(_TRAILING_JUNK + ".")
    # "Theo Nghị quyết ..." or "Theo đó, ..." open sentences; a source is a short title-case name.
    if not src or len(src) > 60 or not src[0].isupper() or src[-1] in "!?:" or "," in src:
        return None
    return src


@lru_cache(maxsize=2048)
def is_source_line(line: str) -> bool:
    """True for a repost's source line (`Theo Báo An Giang Online`, `Nguồn: TTXVN`)."""
    return _source_of(clean_line(line)) is not None


def _is_role_line(line: str) -> bool:
    return looks_like_role(line) or looks_like_role(split_glued_roles(line))


def parse_bylines(lines: list[str]) -> list[Byline]:
    """Every author in a byline block (top or end of an article), in order.

    Reads name lines each followed by an optional role line (Liferay lists one author per line,
    An Giang two name/role pairs ended by `;`), labelled forms (`Tác giả :`, `Tác giả bài viết:`,
    `Tin và ảnh:`), inline `Name - role` / `Name, role`, and several names on one line split by
    `;`. `Ảnh: X` is a photo credit and no author; `Theo Báo An Giang Online` is the source,
    set on every author (or on one author-less Byline when nobody signed). Other lines (body
    sentences, chrome) are ignored.
    """
    cleaned = [part for c in (clean_line(line) for line in lines)
               if c and not is_boilerplate(c) for part in _PHOTO_SPLIT_RE.split(c) if part]
    authors: list[list[str]] = []  # [name line, role line]
    source = ""
    expecting_role = False
    for line in cleaned:
        src = _source_of(line)
        if src is not None:
            source = src
            expecting_role = False
            continue
        if _PHOTO_RE.fullmatch(line) or is_posting_account(line):
            expecting_role = False
            continue
        ended = line.rstrip().endswith(";")
        parts = [p for p in _AUTHOR_SEP_RE.split(_strip_label(line)) if p.strip(_TRAILING_JUNK)]
        labelled = _LABEL_RE.match(line) is not None
        for part in parts:
            part = part.strip(_TRAILING_JUNK)
            several = _several_names(part)
            if several:
                authors.extend([n, ""] for n in several)
                expecting_role = False
                continue
            name, role = ("", "") if looks_like_name(part) else _split_run_on(part)
            if not role:
                name, role = _split_inline(part)
            if role or looks_like_name(part) or (labelled and len(part) <= _MAX_NAME_LEN):
                authors.append([name, role])
                expecting_role = not role
            elif expecting_role and authors and _is_role_line(part):
                authors[-1][1] = part
                expecting_role = False
            elif expecting_role and authors and not authors[-1][1] and _loose_role(part):
                authors[-1][1] = part
                expecting_role = False
        if ended:
            expecting_role = False
    out = [
        _with_source(parse_byline(name, role), source, name, role) for name, role in authors
    ]
    if not out and source:
        out.append(Byline(name="", role="", prefix="", raw="", source=source))
    return out


def _loose_role(line: str) -> bool:
    """A short line under a name that is neither a name nor a sentence: a role we do not know."""
    s = line.strip(_TRAILING_JUNK)
    return (
        0 < len(s) < _MAX_ROLE_LEN
        and s[-1] not in ".!?:"
        and not looks_like_name(s)
        and _SENTENCE_WORD_RE.search(s) is None
        and s[0].isupper()
    )


def _with_source(b: Byline, source: str, name: str, role: str) -> Byline:
    raw = name if not role else f"{name}\n{role}"
    return Byline(name=b.name, role=b.role, prefix=b.prefix, raw=raw, source=source)
