"""Assemble a clean article from a spider's raw strings: body text, byline, title."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from archive.folding import fold
from pipelines.bylines import (
    Byline,
    is_posting_account,
    is_source_line,
    looks_like_name,
    looks_like_role,
    parse_byline,
    parse_bylines,
    parse_photo_credit,
    split_glued_roles,
)
from pipelines.text import clean_line, clean_text, is_boilerplate

# How far from either end of the body a byline block may stand (lines skipped before it).
_BYLINE_REACH = 3
# The most lines a byline block holds (two authors with a role each, a label, a photo credit).
_BLOCK_MAX = 6
# Several authors share the author, author_role and author_prefix columns, in author order.
AUTHOR_SEP = "; "


@dataclass(frozen=True)
class CleanArticle:
    """Title and body as stored; the byline as name (with degree), role and degree alone."""

    title: str
    text: str
    author: str
    author_role: str
    author_prefix: str


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and fold(a).split() == fold(b).split()


def _trivial(line: str) -> bool:
    """Spacer lines around a byline: empty, `x`, `./.`."""
    return len(line) < 3


# Longer lines are body text: two authors with roles on one line stay well under it.
_MAX_BYLINE_LINE = 160


@lru_cache(maxsize=2048)
def _names_in(line: str) -> tuple[Byline, ...]:
    """The authors a single line names (name, labelled, inline or run-on role, several)."""
    if len(line) > _MAX_BYLINE_LINE:
        return ()
    return tuple(b for b in parse_bylines([line]) if b.name)


@lru_cache(maxsize=2048)
def _is_role(line: str) -> bool:
    return looks_like_role(line) or looks_like_role(split_glued_roles(line))


def _valid_block(lines: list[str]) -> bool:
    """True when every line of a block is a byline line: names (each followed by optional role
    lines), photo credits and posting-account lines, with at least one name, starting with one.

    Role lines count only under a name, so a sentence or heading never starts a byline.
    """
    has_name, prev = False, ""
    for line in lines:
        if _trivial(line):
            continue
        if len(line) > _MAX_BYLINE_LINE:
            return False
        if parse_photo_credit(line) is not None or is_posting_account(line):
            prev = "other"
            continue
        if _names_in(line):
            has_name, prev = True, "name"
            continue
        if prev in ("name", "role") and _is_role(line):
            prev = "role"
            continue
        return False
    return has_name


def _starts_with_name(lines: list[str]) -> bool:
    first = next((line for line in lines if not _trivial(line)), "")
    return bool(first) and (bool(_names_in(first)) or parse_photo_credit(first) is not None)


def _block_at_end(paras: list[str]) -> tuple[int, int] | None:
    """(start, end) of the longest byline block closing the body, past spacer/source lines."""
    end = len(paras)
    skipped = 0
    while end > 1 and skipped < _BYLINE_REACH and (
            _trivial(paras[end - 1]) or is_source_line(paras[end - 1])):
        end -= 1
        skipped += 1
    for start in range(max(1, end - _BLOCK_MAX), end):
        block = paras[start:end]
        if _starts_with_name(block) and _valid_block(block):
            return start, end
    return None


def _block_at_top(paras: list[str]) -> tuple[int, int] | None:
    """(start, end) of the longest byline block opening the body (essays sign at the top)."""
    start = 0
    while start < min(_BYLINE_REACH, len(paras)) and _trivial(paras[start]):
        start += 1
    for end in range(min(start + _BLOCK_MAX, len(paras) - 1), start, -1):
        block = paras[start:end]
        if _starts_with_name(block) and _valid_block(block):
            return start, end
    return None


def _hinted(paras: list[str], name_hint: str, role_hint: str) -> tuple[int, int] | None:
    """(start, end) of the listing's byline where the body repeats it, at the top or the end."""
    n = len(paras)
    ends = [*range(min(_BYLINE_REACH, n)), *range(n - 1, max(n - 1 - _BYLINE_REACH, -1), -1)]
    for i in dict.fromkeys(ends):
        line = paras[i]
        if not (_same(line, name_hint) or _same(parse_byline(line).name, name_hint)):
            continue
        nxt = paras[i + 1] if i + 1 < n else ""
        stop = i + 2 if nxt and (_same(nxt, role_hint) or (not role_hint and _is_role(nxt))) \
            else i + 1
        if i < _BYLINE_REACH or all(_trivial(p) for p in paras[stop:]):
            return i, stop
    return None


def _find_bylines(
    paras: list[str], name_hint: str, role_hint: str
) -> tuple[list[str], list[Byline], list[str]]:
    """(body without its byline lines, the authors found there, the lines removed)."""
    if name_hint:
        span = _hinted(paras, name_hint, role_hint)
        if span is None:
            return paras, [], []
        start, end = span
        return paras[:start] + paras[end:], parse_bylines(paras[start:end]), paras[start:end]
    for span in (_block_at_end(paras), _block_at_top(paras)):
        if span is None:
            continue
        start, end = span
        found = [b for b in parse_bylines(paras[start:end]) if b.name]
        if found:
            return paras[:start] + paras[end:], found, paras[start:end]
    return _photo_credit_only(paras)


def _photo_credit_only(paras: list[str]) -> tuple[list[str], list[Byline], list[str]]:
    """A closing `Ảnh: X` when nobody signed: the photographer is the only name given."""
    for i in range(len(paras) - 1, max(len(paras) - 1 - _BYLINE_REACH, 0), -1):
        who = parse_photo_credit(paras[i])
        if who and looks_like_name(who) and all(
                _trivial(p) or is_source_line(p) for p in paras[i + 1:]):
            return (paras[:i] + paras[i + 1:], [Byline(name=who, role="", prefix="",
                                                       raw=paras[i])], [paras[i]])
        if not _trivial(paras[i]) and not is_source_line(paras[i]):
            break
    return paras, [], []


def split_byline(
    paragraphs: list[str], name_hint: str = "", role_hint: str = ""
) -> tuple[list[str], str, str]:
    """Remove a byline standing at the top or the end of the body; return (body, name, role).

    Sites put the name and role lines before essays and after news. A hint from the listing row
    makes the match exact; without one, only short name-shaped lines qualify, so a sentence is
    never taken for a byline. Several authors come back joined by `; `.
    """
    body, found, removed = _find_bylines(list(paragraphs), clean_line(name_hint),
                                         clean_line(role_hint))
    if name_hint:  # the lines as the body shows them
        return body, removed[0] if removed else "", removed[1] if len(removed) > 1 else ""
    return body, AUTHOR_SEP.join(b.name for b in found), _roles(found)


def _roles(found: list[Byline]) -> str:
    roles = [b.role for b in found]
    return AUTHOR_SEP.join(roles) if any(roles) else ""


def _edge_lines(paragraphs_raw: list[str]) -> list[str]:
    """Clean paragraphs; one near either end holding a byline over several lines (`Name<br>Role`
    read as one block with newlines) is split into its lines, so they can leave the body."""
    out: list[str] = []
    n = len(paragraphs_raw)
    for i, raw in enumerate(paragraphs_raw):
        near_edge = i < _BYLINE_REACH or i >= n - _BYLINE_REACH
        if near_edge and "\n" in raw.strip():
            lines = [c for c in (clean_line(x) for x in raw.splitlines()) if c]
            if len(lines) <= _BLOCK_MAX and _starts_with_name(lines) and _valid_block(lines):
                out.extend(lines)
                continue
        out.append(clean_line(raw))
    return [p for p in out if p and not is_boilerplate(p)]


def _hint_bylines(author_raw: str, role_raw: str) -> list[Byline]:
    """The listing/field byline as authors; a posting account (`Viết bởi admin`) is none."""
    if not clean_line(author_raw) or is_posting_account(author_raw):
        return []
    if role_raw.strip():
        return [parse_byline(author_raw, role_raw)]
    lines = [c for c in (clean_line(x) for x in author_raw.splitlines()) if c]
    found = [b for b in parse_bylines(lines) if b.name]
    return found if len(found) > 1 else [parse_byline(author_raw)]


def clean_article(
    title_raw: str, paragraphs_raw: list[str], author_raw: str = "", role_raw: str = ""
) -> CleanArticle:
    """Clean title and body, drop page chrome, and settle the byline from listing or body.

    The listing row's (or byline field's) author wins; a posting account there is ignored and
    the body is searched instead. Byline lines leave the body text.
    """
    hinted = _hint_bylines(author_raw, role_raw)
    paras = _edge_lines(paragraphs_raw)
    name_hint = hinted[0].name if len(hinted) == 1 else ""
    role_hint = hinted[0].role if len(hinted) == 1 else ""
    paras, found, _removed = _find_bylines(paras, name_hint, role_hint)
    authors = hinted or found
    return CleanArticle(
        title=clean_line(title_raw),
        text=clean_text("\n\n".join(paras)),
        author=AUTHOR_SEP.join(b.name for b in authors),
        author_role=_roles(authors),
        author_prefix=AUTHOR_SEP.join(b.prefix for b in authors)
        if any(b.prefix for b in authors) else "",
    )

