"""`luutru stats --html`: one self-contained HTML page (inline SVG and CSS, no scripts, no CDN)
showing how complete the archive is, site by site."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1d2733;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;
border-bottom:1px solid #d6dde5;padding-bottom:.3rem}
.muted{color:#5b6b7b;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.8rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6ebf0;font-size:.92rem}
th{background:#f3f6f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e8edf2;border-radius:3px;height:14px;width:180px;display:inline-block;
vertical-align:middle;overflow:hidden}.bar>span{display:block;height:100%;background:#2f7d5b}
.bar.author>span{background:#3a6ea5}.pct{display:inline-block;width:3.2rem;text-align:right;
font-variant-numeric:tabular-nums;margin-left:.4rem}
svg{display:block;margin:.6rem 0 1.2rem;max-width:100%;height:auto}
svg text{font-size:11px;fill:#5b6b7b}svg rect.m{fill:#2f7d5b}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _bar(share: float, kind: str) -> str:
    pct = max(0.0, min(1.0, float(share or 0)))
    return (f'<span class="bar {kind}"><span style="width:{pct * 100:.1f}%"></span></span>'
            f'<span class="pct">{pct:.0%}</span>')


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out: list[str] = []
    while (y, m) <= (ly, lm) and len(out) < 1200:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_chart(per_month: dict[str, int], title: str) -> str:
    """An inline SVG bar chart of articles per month, every month between the first and the
    last shown (empty months as gaps), years labelled on the axis."""
    if not per_month:
        return '<p class="muted">No dated articles.</p>'
    months = _months(min(per_month), max(per_month))
    peak = max(per_month.values())
    bar_w = max(2.0, min(14.0, 900 / len(months)))
    left, top, height = 40, 10, 160
    width = left + bar_w * len(months) + 10
    parts = [
        f'<svg viewBox="0 0 {width:.0f} {height + 40}" width="{width:.0f}" '
        f'height="{height + 40}" role="img" aria-label="{_esc(title)}">',
        f"<title>{_esc(title)}</title>",
        f'<line x1="{left}" y1="{top + height}" x2="{width - 5:.0f}" y2="{top + height}" '
        'stroke="#9aa7b4"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + height}" text-anchor="end">0</text>',
    ]
    for i, month in enumerate(months):
        x = left + i * bar_w
        n = per_month.get(month, 0)
        if n:
            h = height * n / peak
            parts.append(
                f'<rect class="m" x="{x:.1f}" y="{top + height - h:.1f}" '
                f'width="{max(1.0, bar_w - 1):.1f}" height="{h:.1f}">'
                f"<title>{month}: {n}</title></rect>"
            )
        if month.endswith("-01") or i == 0:
            parts.append(f'<text x="{x:.1f}" y="{top + height + 16}">{month[:4]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_report(rows: list[dict[str, Any]], *, db_name: str = "",
                  trends: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """The whole page for `archive.stats.site_stats` rows; `trends` maps a site to its runs'
    health (`archive.health.site_health(...)["trend"]`, longer than the rows' own five)."""
    from luutru.report_charts import health_chart, year_grid

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    total = sum(r["articles"] for r in rows)
    out = [
        "<!doctype html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>luutru — Thống kê lưu trữ / Archive statistics</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Thống kê lưu trữ · Archive statistics</h1>",
        f'<p class="muted">{_esc(db_name)} · {total} bài viết / articles · '
        f"{len(rows)} trang / sites · {now}</p>",
        "<h2>Độ phủ · Coverage</h2>",
        "<table><thead><tr><th>Trang · Site</th><th>Bài · Articles</th>"
        "<th>Có ngày · With date</th><th>Có tác giả · With author</th>"
        "<th>Khoảng thời gian · Period</th><th>Lần thu gần nhất · Last run</th></tr></thead>"
        "<tbody>",
    ]
    for r in rows:
        run = r.get("last_run") or {}
        period = (f"{_esc(r.get('first_published'))} – {_esc(r.get('last_published'))}"
                  if r.get("first_published") else "—")
        run_text = (f"#{_esc(run.get('id'))} {_esc(run.get('status'))} "
                    f"{_esc((run.get('finished_at') or run.get('started_at') or '')[:16])}"
                    if run else "—")
        name = f"<br><span class=muted>{_esc(r['name'])}</span>" if r.get("name") else ""
        out.append(
            f"<tr><td><strong>{_esc(r['site'])}</strong>{name}</td>"
            f'<td class="num">{r["articles"]}</td>'
            f"<td>{_bar(r['with_date'], 'date')}</td>"
            f"<td>{_bar(r['with_author'], 'author')}</td>"
            f"<td>{period}</td><td>{run_text}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append("<h2>Bài viết mỗi năm · Articles per year</h2>")
    out.append(year_grid(rows))
    for r in rows:
        if not r["articles"]:
            continue
        out.append(f"<h2>{_esc(r['site'])}" + (f" · {_esc(r['name'])}" if r.get("name") else "")
                   + "</h2>")
        out.append("<p class=muted>Bài viết mỗi tháng · Articles per month</p>")
        out.append(month_chart(r.get("per_month") or {}, f"{r['site']}: articles per month"))
        years = r.get("per_year") or {}
        if years:
            out.append("<table><thead><tr><th>Năm · Year</th>"
                       + "".join(f"<th>{_esc(y)}</th>" for y in sorted(years))
                       + "</tr></thead><tbody><tr><td>Bài · Articles</td>"
                       + "".join(f'<td class="num">{years[y]}</td>' for y in sorted(years))
                       + "</tr></tbody></table>")
        sources = r.get("date_sources") or {}
        if sources:
            out.append("<p class=muted>Nguồn ngày đăng · Date sources: "
                       + ", ".join(f"{_esc(k)} {v}" for k, v in sources.items()) + "</p>")
        trend = (trends or {}).get(r["site"]) or (r.get("health") or {}).get("trend") or []
        out.append("<p class=muted>Sức khỏe các lần thu · Crawl health over time</p>")
        out.append(health_chart(r["site"], trend))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
