"""The maintainer's toolkit: `new-site`, `check-site` on every replica, and the rule that every
site file has a replica, saved fixtures and a test row."""

from __future__ import annotations

import json
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from replicas.server import ReplicaServer
from replicas.sites import BUILDERS, build
from scrapers.sites import all_sites
from tests.conftest import ROOT, run_cli

ROWS = tomllib.loads((ROOT / "tests" / "site_checks.toml").read_text(encoding="utf-8"))["site"]
ROW_BY_SLUG = {row["slug"]: row for row in ROWS}
PROBLEMS = 5  # luutru.cli.exitcodes.PROBLEMS


# -- every site file is covered --------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(all_sites()))
def test_every_site_file_has_a_test_row_a_replica_and_fixtures(slug):
    assert slug in ROW_BY_SLUG, f"{slug}: no row in tests/site_checks.toml (luutru new-site)"
    row = ROW_BY_SLUG[slug]
    assert row.get("replica") in BUILDERS, (
        f"{slug}: its row names no replica of replicas.sites.BUILDERS ({row.get('replica')!r})")
    index = ROOT / row["fixtures"] / "index.toml"
    assert index.exists(), f"{slug}: no saved pages in {row['fixtures']}"
    pages = tomllib.loads(index.read_text(encoding="utf-8")).get("pages", [])
    assert pages and all((index.parent / p["file"]).exists() for p in pages)


def test_every_row_names_a_site_file():
    assert set(ROW_BY_SLUG) <= set(all_sites())


# -- check-site on every replica ---------------------------------------------------------------


def _check(slug: str, url: str) -> tuple[int, dict]:
    proc = run_cli("check-site", slug, "--base-url", url, "--sample", "8", "--delay", "0",
                   "--concurrency", "4", "--json", check=False)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_check_site_passes_on_every_replica():
    slugs = [row["slug"] for row in ROWS if row.get("replica") in BUILDERS]
    servers = {s: ReplicaServer(build(ROW_BY_SLUG[s]["replica"], 20)).start() for s in slugs}
    try:
        with ThreadPoolExecutor(max_workers=len(slugs)) as pool:
            results = dict(zip(slugs, pool.map(lambda s: _check(s, servers[s].url), slugs),
                               strict=True))
    finally:
        for server in servers.values():
            server.stop()
    for slug, (code, report) in results.items():
        assert code == 0, (slug, report.get("problems"))
        assert report["passed"] and report["articles"] >= 4, slug
        assert report["coverage"]["title"] == 1.0, slug
        assert report["coverage"]["date"] >= min(0.9, report["thresholds"]["date"]), slug
        assert not report["leaks"], (slug, report["leaks"])


@pytest.mark.parametrize("slug", sorted(ROW_BY_SLUG))
def test_check_site_on_saved_fixtures(slug):
    """Offline: the site's spider over its saved listing and article pages (no reactor, so
    in-process)."""
    from click.testing import CliRunner

    from luutru.cli.main import cli

    result = CliRunner().invoke(cli, ["check-site", slug, "--fixtures", "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, report["problems"]
    # Every saved article dated; none where the site file expects no date ([checks] date = 0).
    expected = 1.0 if report["thresholds"]["date"] > 0 else 0.0
    assert report["articles"] >= 1 and report["coverage"]["date"] == expected


def edited_bentre(tmp_path: Path, extra: str) -> Path:
    """Bến Tre's site file with `extra` TOML appended, as a maintainer edits it."""
    edited = tmp_path / "bentre.toml"
    text = (ROOT / "scrapers" / "sites" / "bentre.toml").read_text(encoding="utf-8")
    edited.write_text(text + extra, encoding="utf-8")
    return edited


def check_bentre(server, site_file: Path, sample: int, *extra: str):
    """`luutru check-site bentre` on the replica with that site file, whatever its exit."""
    return run_cli("check-site", "bentre", "--base-url", server.url, "--site-file",
                   str(site_file), "--sample", str(sample), "--delay", "0", *extra, check=False)


def test_check_site_fails_when_a_selector_breaks(bentre_server, tmp_path):
    broken = edited_bentre(tmp_path, '\n[selectors]\nbody = [".no-such-body"]\n')
    proc = check_bentre(bentre_server, broken, 6, "--json")
    assert proc.returncode == PROBLEMS, proc.stderr
    report = json.loads(proc.stdout)
    assert not report["passed"]
    assert report["articles"] == 0
    assert any(f["reason"] == "no_article" for f in report["failed"])
    text_report = check_bentre(bentre_server, broken, 3)
    assert "FAIL" in text_report.stdout and "no_article" in text_report.stdout


def test_check_site_thresholds_come_from_the_site_file(bentre_server, tmp_path):
    strict = edited_bentre(tmp_path, "\n[checks]\ntext_min_chars = 100000\n")
    proc = check_bentre(bentre_server, strict, 4, "--json")
    assert proc.returncode == PROBLEMS
    assert any("text coverage" in p for p in json.loads(proc.stdout)["problems"])


def test_check_site_needs_one_mode():
    proc = run_cli("check-site", "bentre", check=False)
    assert proc.returncode == 2 and "--base-url" in proc.stderr


# -- new-site --------------------------------------------------------------------------------------


def _new_site(root: Path, *extra: str, slug: str = "ca_mau"):
    return run_cli("new-site", slug, "--cms", "nukeviet", "--url",
                   "https://truongchinhtri.camau.gov.vn/vi/",
                   "--name", "Trường Chính trị tỉnh Cà Mau",
                   "--province", "Cà Mau", "--section", "Tin hoạt động=/vi/news/tin-hoat-dong",
                   "--root", str(root), *extra, check=False)


def test_new_site_writes_the_site_file_fixtures_and_a_test_row(tmp_path):
    page = tmp_path / "trang bai viet.html"
    # windows-1258 bytes (ê + combining grave, đ): saved as they are, never re-encoded.
    page.write_bytes(b"<html><body><h1>Ti\xeau \xf0\xea\xcc</h1></body></html>")
    proc = _new_site(tmp_path / "proj", "--from-html", str(page))
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "proj"
    site_file = root / "scrapers" / "sites" / "ca_mau.toml"
    data = tomllib.loads(site_file.read_text(encoding="utf-8"))
    assert data["slug"] == "ca_mau" and data["cms"] == "nukeviet"
    assert data["base_url"] == "https://truongchinhtri.camau.gov.vn"
    assert data["sections"] == [{"name": "Tin hoạt động", "path": "/vi/news/tin-hoat-dong"}]
    from scrapers.sites import _parse

    assert _parse(data).status == "active"
    fixtures = root / "tests" / "fixtures" / "ca_mau"
    saved = [p for p in fixtures.iterdir() if p.name != "index.toml"]
    assert len(saved) == 1 and saved[0].read_bytes() == page.read_bytes()  # bytes kept
    index = tomllib.loads((fixtures / "index.toml").read_text(encoding="utf-8"))
    assert index["pages"][0]["file"] == saved[0].name
    rows = tomllib.loads((root / "tests" / "site_checks.toml").read_text(encoding="utf-8"))
    assert [r["slug"] for r in rows["site"]] == ["ca_mau"]


def test_new_site_refuses_to_overwrite(tmp_path):
    assert _new_site(tmp_path).returncode == 0
    site_file = tmp_path / "scrapers" / "sites" / "ca_mau.toml"
    before = site_file.read_text(encoding="utf-8")
    again = _new_site(tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr and "nothing was written" in again.stderr
    assert site_file.read_text(encoding="utf-8") == before
    rows = tomllib.loads((tmp_path / "tests" / "site_checks.toml").read_text(encoding="utf-8"))
    assert len(rows["site"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ca_mau", "--cms", "wordpress", "--url", "https://x.vn"), "unknown CMS family"),
        (("Ca-Mau", "--cms", "nukeviet", "--url", "https://x.vn"), "lower-case"),
        (("generic_x", "--cms", "nukeviet", "--url", "https://x.vn"), "reserved"),
        (("ca_mau", "--cms", "nukeviet", "--url", "x.vn"), "http(s) URL"),
    ],
)
def test_new_site_rejects_bad_input(tmp_path, args, message):
    proc = run_cli("new-site", *args, "--root", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert not (tmp_path / "scrapers").exists()
