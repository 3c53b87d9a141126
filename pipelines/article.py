"""Assemble a clean article from a spider's raw strings: body text, byline, title."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.bylines import looks_like_name, looks_like_role, parse_byline
from pipelines.text import clean_line, clean_text, fold, is_boilerplate

# How far from either end of the body a byline may stand.
_BYLINE_REACH = 3


@dataclass(frozen=True)
class CleanArticle:
    title: str
    text: str
    author: str
    author_role: str
    author_prefix: str


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and fold(a).split() == fold(b).split()


def _byline_at(paras: list[str], i: int, name_hint: str, role_hint: str) -> int:
    """How many paragraphs from index i form a byline (name line, optional role line): 0, 1 or 2."""
    if not 0 <= i < len(paras):
        return 0
    name = paras[i]
    if not (_same(name, name_hint) or (not name_hint and looks_like_name(name))):
        return 0
    nxt = paras[i + 1] if i + 1 < len(paras) else ""
    if nxt and (_same(nxt, role_hint) or (not role_hint and looks_like_role(nxt))):
        return 2
    return 1


def split_byline(
    paragraphs: list[str], name_hint: str = "", role_hint: str = ""
) -> tuple[list[str], str, str]:
    """Remove a byline standing at the top or the end of the body; return (body, name, role).

    Sites put the name and role lines before essays and after news. A hint from the listing row
    makes the match exact; without one, only short name-shaped lines qualify, so a sentence is
    never taken for a byline.
    """
    paras = list(paragraphs)
    for start in range(min(_BYLINE_REACH, len(paras))):
        n = _byline_at(paras, start, name_hint, role_hint)
        if n and all(looks_like_name(p) or len(p) < 3 for p in paras[:start]):
            name, role = paras[start], paras[start + 1] if n == 2 else ""
            return paras[:start] + paras[start + n :], name, role
    for end in range(len(paras) - 1, max(len(paras) - 1 - _BYLINE_REACH, -1), -1):
        for n_lines in (2, 1):
            i = end - n_lines + 1
            if i <= 0:
                continue
            n = _byline_at(paras, i, name_hint, role_hint)
            if n == n_lines and i + n == end + 1 and all(len(p) < 3 for p in paras[end + 1 :]):
                name, role = paras[i], paras[i + 1] if n == 2 else ""
                return paras[:i] + paras[end + 1 :], name, role
    return paras, "", ""


def clean_article(
    title_raw: str, paragraphs_raw: list[str], author_raw: str = "", role_raw: str = ""
) -> CleanArticle:
    """Clean title and body, drop page chrome, and settle the byline from listing or body."""
    name_hint, role_hint = clean_line(author_raw), clean_line(role_raw)
    paras = [p for p in (clean_line(raw) for raw in paragraphs_raw) if p and not is_boilerplate(p)]
    paras, name, role = split_byline(paras, name_hint, role_hint)
    byline = parse_byline(name_hint or name, role_hint or role)
    return CleanArticle(
        title=clean_line(title_raw),
        text=clean_text("\n\n".join(paras)),
        author=byline.name,
        author_role=byline.role,
        author_prefix=byline.prefix,
    )
