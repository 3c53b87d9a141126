"""Compare a family spider's reading of an article with the generic extraction's, and store it.

The spider (scrapers/crosscheck.py) marks the articles to check and fills a title the family
could not read; the archive writer (pipelines/writer_child.py) reads the checked pages with the
generic rules and fills a missing author or date once the cleaning has settled the byline.
Once the article is stored, each field is compared (pure functions below) and recorded in
`article_checks`, one row per field, so `check-site` and `stats` health can show how often the
two readings agree:

- title: same words once folded (case, diacritics), or a difflib ratio of at least 0.9;
- body: word-set Jaccard similarity of at least 0.6, and the family body at least half as long
  as the generic one (a shorter one is noted `family_short`: its selectors may cut the text);
- author: same name once folded, or one name inside the other (`ThS. Lê Văn A` / `Lê Văn A`);
  both empty agree;
- date: the same calendar day (or both none). The family's value excludes a date taken from a
  mention in the body, which is no printed date.

A field the generic reading filled has the family value "" and `chosen` "generic" (and counts
as a disagreement); a field only the family read (e.g. a date printed on the listing alone) has
`agree` NULL: nothing to compare it with, so it is left out of the agreement shares.
"""

from __future__ import annotations

import difflib
import logging
from datetime import datetime
from typing import TypedDict

from archive.folding import fold
from pipelines.article import clean_article
from pipelines.dates import parse_date
from pipelines.items import ArticleItem
from pipelines.stage import Stats
from pipelines.text import clean_line

logger = logging.getLogger(__name__)

FIELDS = ("title", "body", "author", "date")
TITLE_RATIO = 0.9
BODY_JACCARD = 0.6
BODY_SHORT = 0.5


def _words(text: str) -> list[str]:
    return fold(text).split()


def title_agreement(family: str, generic: str) -> tuple[bool, float]:
    """(agree, difflib ratio of the folded titles)."""
    a, b = " ".join(_words(family)), " ".join(_words(generic))
    if a == b:
        return True, 1.0
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    return ratio >= TITLE_RATIO, round(ratio, 4)


def body_agreement(family: str, generic: str) -> tuple[bool, float, str | None]:
    """(agree, Jaccard similarity of the folded word sets, note)."""
    a, b = set(_words(family)), set(_words(generic))
    if not a and not b:
        return True, 1.0, None
    score = len(a & b) / len(a | b)
    short = bool(generic) and len(family) < BODY_SHORT * len(generic)
    note = "family_short" if short else None
    return score >= BODY_JACCARD and not short, round(score, 4), note


def author_agreement(family: str, generic: str) -> bool:
    """The same person: equal folded names, or one name's words inside the other's."""
    a, b = _words(family), _words(generic)
    if not a or not b:
        return not a and not b
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    joined = " " + " ".join(longer) + " "
    return (" " + " ".join(shorter) + " ") in joined


def _day(raw: str | None, source: str | None, now: datetime) -> str:
    if not raw:
        return ""
    parsed = parse_date(raw, source=source or "unknown", now=now)
    return parsed.isoformat()[:10] if parsed is not None else ""


class CheckRow(TypedDict):
    """One field of an article's cross-check (archive.store `record_checks`)."""

    field: str
    family_value: str
    generic_value: str
    agree: bool | None  # None: the generic reading found nothing to compare with
    chosen: str  # "family" or "generic" (the generic reading filled a missing field)
    score: float | None
    note: str | None


def compare(item: ArticleItem) -> list[CheckRow]:
    """One check row per field for an item carrying a generic reading (`item.generic`)."""
    generic = item.generic or {}
    filled = set(generic.get("filled") or ())
    now = datetime.fromisoformat(item.fetched_at)
    rows: list[CheckRow] = []

    def row(field: str, fam: str, gen: str, agree: bool, score: float | None = None,
            note: str | None = None) -> None:
        chosen = "generic" if field in filled else "family"
        verdict: bool | None = agree and field not in filled
        if fam and not gen:
            verdict, note = None, "generic_empty"  # nothing to compare with
        rows.append({"field": field, "family_value": fam, "generic_value": gen,
                     "agree": verdict, "chosen": chosen, "score": score,
                     "note": "filled" if field in filled else note})

    fam_title = "" if "title" in filled else item.title
    gen_title = clean_line(generic.get("title") or "")
    agree, ratio = title_agreement(fam_title, gen_title)
    row("title", fam_title, gen_title, agree, ratio)
    if generic.get("mode") == "full":
        fam_text = "" if "body" in filled else item.text
        gen_text = clean_article(generic.get("title") or "", generic.get("paragraphs") or [],
                                 generic.get("author") or "", generic.get("role") or "").text
        agree, score, note = body_agreement(fam_text, gen_text)
        row("body", f"{len(fam_text)} chars" if fam_text else "",
            f"{len(gen_text)} chars" if gen_text else "", agree, score, note)
    fam_author = "" if "author" in filled else item.author
    gen_author = clean_line(generic.get("author") or "")
    row("author", fam_author, gen_author, author_agreement(fam_author, gen_author))
    own_date = item.published_at if item.date_source != "body_mention" else None
    fam_day = "" if "date" in filled else (own_date or "")[:10]
    gen_day = _day(generic.get("date_raw"), generic.get("date_source"), now)
    row("date", fam_day, gen_day, fam_day == gen_day)
    return rows


def compare_and_count(item: ArticleItem, stats: Stats) -> list[CheckRow]:
    """The comparison rows of a stored, cross-checked article, counted per field in the crawl's
    stats (`luutru/crosscheck/compared|disagree/<field>`); a generic value that lost to the
    family's is logged so a maintainer can judge it."""
    rows = compare(item)
    for r in rows:
        stats.inc_value(f"luutru/crosscheck/compared/{r['field']}")
        if r["agree"] is False:
            stats.inc_value(f"luutru/crosscheck/disagree/{r['field']}")
            if r["chosen"] == "family":
                logger.info("crosscheck: %s differs at %s: family %r, generic %r",
                            r["field"], item.url, r["family_value"][:80],
                            r["generic_value"][:80])
    return rows
