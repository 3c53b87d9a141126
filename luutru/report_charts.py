"""Inline SVG charts for `luutru stats --html`, drawn by hand (no plotting library, no script):
articles per year for every school on one grid, and each school's crawl health run by run.

Every mark carries a `<title>` with its exact numbers, so a reader hovering a cell (or a screen
reader) gets the value, and the page stays one self-contained file that opens offline.
"""

from __future__ import annotations

import html
from typing import Any

_GREEN, _RED, _GREY, _AXIS = "#2f7d5b", "#c0392b", "#c9d3dc", "#9aa7b4"


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _shade(share: float) -> str:
    """From near-white (few) to the report's green (the busiest year of any school)."""
    lo, hi = (238, 245, 241), (47, 125, 91)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def year_grid(rows: list[dict[str, Any]]) -> str:
    """Articles per year per school: one row per school with dated articles, one column per
    year from the earliest to the latest (empty years shown empty), cell shade by count
    (square-root scale, so a school's few early years stay visible next to a busy one),
    the count written in the cell when it fits, the school's total at the end of its row."""
    sites = [r for r in rows if r.get("per_year")]
    if not sites:
        return '<p class="muted">Chưa có bài có ngày · No dated articles.</p>'
    years_seen = {int(y) for r in sites for y in r["per_year"]}
    years = list(range(min(years_seen), max(years_seen) + 1))
    peak = max(n for r in sites for n in r["per_year"].values())
    cell_w = max(16.0, min(44.0, 760 / len(years)))
    cell_h, left, top = 20, 150, 22
    width = left + cell_w * len(years) + 60
    height = top + cell_h * len(sites) + 8
    title = "Bài viết mỗi năm theo trường · Articles per year per school"
    parts = [
        f'<svg class="grid" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" '
        f'height="{height}" role="img" aria-label="{_esc(title)}"><title>{_esc(title)}</title>'
    ]
    step = 1 if cell_w >= 30 else (2 if cell_w >= 18 else 5)
    for i, year in enumerate(years):
        if year % step == 0 or i == 0:
            x = left + i * cell_w + cell_w / 2
            parts.append(f'<text x="{x:.1f}" y="{top - 7}" text-anchor="middle">{year}</text>')
    for j, row in enumerate(sites):
        y = top + j * cell_h
        per_year = {int(k): v for k, v in row["per_year"].items()}
        label = row["site"] if not row.get("name") else f"{row['site']}: {row['name']}"
        parts.append(f'<text x="{left - 6}" y="{y + cell_h * 0.68:.1f}" text-anchor="end">'
                     f"<title>{_esc(label)}</title>{_esc(row['site'])}</text>")
        for i, year in enumerate(years):
            n = per_year.get(year, 0)
            x = left + i * cell_w
            fill = _shade((n / peak) ** 0.5) if n else "#fafbfc"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                f'fill="{fill}"><title>{_esc(row["site"])} {year}: {n}</title></rect>')
            if n and cell_w >= 24:
                color = "#fff" if n / peak > 0.35 else "#1d2733"
                parts.append(f'<text x="{x + cell_w / 2 - 0.5:.1f}" y="{y + cell_h * 0.68:.1f}" '
                             f'text-anchor="middle" style="fill:{color}">{n}</text>')
        total = sum(per_year.values())
        parts.append(f'<text x="{left + cell_w * len(years) + 6:.1f}" '
                     f'y="{y + cell_h * 0.68:.1f}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def health_chart(site: str, trend: list[dict[str, Any]]) -> str:
    """A school's crawl health over its runs, oldest left: grey bars for the articles each run
    saw, a red line for the share of requests that failed, a green one for the share of those
    articles with a date; a run that did not finish gets a red ring. A falling green line or a
    rising red one is the cue to open the site (layout change, site going dark)."""
    if not trend:
        return '<p class="muted">Chưa có lần thu · No runs yet.</p>'
    left, top, plot_h, right = 40, 14, 120, 40
    step = max(18.0, min(60.0, 720 / len(trend)))
    width = left + step * len(trend) + right
    height = top + plot_h + 44
    most = max(t.get("articles") or 0 for t in trend) or 1
    title = f"{site}: sức khỏe các lần thu · crawl health by run"
    base = top + plot_h

    def x_of(i: int) -> float:
        return left + step * i + step / 2

    def y_of(share: float | None) -> float:
        return base - plot_h * max(0.0, min(1.0, float(share or 0)))

    parts = [
        f'<svg class="health" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" '
        f'height="{height}" role="img" aria-label="{_esc(title)}"><title>{_esc(title)}</title>',
        f'<line x1="{left}" y1="{base}" x2="{width - right:.0f}" y2="{base}" stroke="{_AXIS}"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">100%</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end">0</text>',
        f'<text x="{width - right + 4:.0f}" y="{top + 4}">{most}</text>',
    ]
    for i, t in enumerate(trend):
        h = plot_h * (t.get("articles") or 0) / most
        when = (t.get("started_at") or "")[:16].replace("T", " ")
        parts.append(
            f'<rect x="{x_of(i) - step * 0.3:.1f}" y="{base - h:.1f}" width="{step * 0.6:.1f}" '
            f'height="{h:.1f}" fill="{_GREY}"><title>#{t["run_id"]} {_esc(when)} '
            f'{_esc(t.get("status"))}: {t.get("articles") or 0} articles, '
            f'errors {float(t.get("error_rate") or 0):.1%}, '
            f'dated {float(t.get("date") or 0):.0%}</title></rect>')
        if t.get("status") not in ("finished", "running"):
            parts.append(f'<circle cx="{x_of(i):.1f}" cy="{top - 6}" r="4" fill="none" '
                         f'stroke="{_RED}"><title>#{t["run_id"]} '
                         f'{_esc(t.get("status"))}</title></circle>')
        if len(trend) <= 12 or i % max(1, len(trend) // 8) == 0 or i == len(trend) - 1:
            parts.append(f'<text x="{x_of(i):.1f}" y="{base + 14}" text-anchor="middle">'
                         f"{_esc(when[5:10])}</text>")
    for key, color, name in (("error_rate", _RED, "errors"), ("date", _GREEN, "dated")):
        points = " ".join(f"{x_of(i):.1f},{y_of(t.get(key)):.1f}" for i, t in enumerate(trend))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" '
                     f'stroke-width="2"/>')
        for i, t in enumerate(trend):
            parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(t.get(key)):.1f}" r="2.5" '
                         f'fill="{color}"><title>#{t["run_id"]} {name} '
                         f'{float(t.get(key) or 0):.1%}</title></circle>')
    parts.append(
        f'<text x="{left}" y="{height - 6}">■ bài đã thấy · articles seen  '
        f'<tspan style="fill:{_RED}">— lỗi · errors</tspan>  '
        f'<tspan style="fill:{_GREEN}">— có ngày · dated</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)
