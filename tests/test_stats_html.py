"""`luutru stats --html`: articles per year per school on one grid, and each school's crawl
health run by run, as inline SVG whose marks carry their exact numbers."""

from __future__ import annotations

import json
import re

from luutru.report_charts import health_chart, year_grid
from tests.conftest import run_cli


def test_report_draws_years_and_health_of_a_recrawled_site(changed_archive, tmp_path):
    db, _site, _changes = changed_archive
    report = tmp_path / "report.html"
    (row,) = json.loads(run_cli("stats", "--db", str(db), "--json", "--html",
                                str(report)).stdout)
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    years = {int(y): n for y, n in row["per_year"].items()}
    for year in range(min(years), max(years) + 1):  # gap years drawn empty, not skipped
        assert f"<title>bentre {year}: {years.get(year, 0)}</title>" in page
    trend = row["health"]["trend"]
    assert [t["run_id"] for t in trend] == [1, 2]
    assert trend[1]["error_rate"] > 0  # the deleted essay's 404
    for t in trend:
        assert f"#{t['run_id']} errors {t['error_rate']:.1%}" in page
        assert f"{t['articles']} articles, errors {t['error_rate']:.1%}" in page


def test_year_grid_spans_every_school_and_year():
    rows = [{"site": "a", "name": "Trường A", "per_year": {2010: 3, 2012: 40}},
            {"site": "b", "name": None, "per_year": {2015: 1}},
            {"site": "empty", "per_year": {}}]
    svg = year_grid(rows)
    cells = re.findall(r"<title>(\w+) (\d{4}): (\d+)</title>", svg)
    assert len(cells) == 2 * 6  # two schools with dates, 2010..2015
    assert ("a", "2011", "0") in cells and ("b", "2015", "1") in cells
    assert "empty" not in svg and "Trường A" in svg
    assert ">43<" in svg  # a's total at the end of its row


def test_health_chart_marks_runs_that_did_not_finish():
    trend = [{"run_id": n, "started_at": f"2026-0{n}-01T02:00:00+00:00", "status": status,
              "error_rate": rate, "articles": 10 * n, "date": 0.9}
             for n, status, rate in ((1, "finished", 0.0), (2, "failed", 0.95),
                                     (3, "interrupted", 0.1))]
    svg = health_chart("hue", trend)
    assert "<title>#2 failed</title>" in svg and "<title>#3 interrupted</title>" in svg
    assert "<title>#1 finished</title>" not in svg
    assert "#2 errors 95.0%" in svg and "30 articles" in svg
    assert svg.count("<polyline") == 2
