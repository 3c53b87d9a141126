"""The CLI through its real entry point: help that teaches, clear one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from luutru.cli.main import cli
from tests.conftest import ROOT, run_cli

COMMANDS = sorted(cli.commands)  # every command: none may skip --help (README: test_docs.py)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    out = run_cli(command, "--help").stdout
    assert "Usage: luutru " + command in out
    assert "Example:" in out


def test_top_level_help_lists_commands():
    out = run_cli("--help").stdout
    for command in COMMANDS:
        assert command in out


def test_unknown_site_is_a_usage_error():
    proc = run_cli("crawl", "atlantis", check=False)
    assert proc.returncode == 2
    assert "unknown site 'atlantis'" in proc.stderr and "bentre" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_base_url_is_a_usage_error():
    proc = run_cli("crawl", "bentre", "--base-url", "ftp://example", check=False)
    assert proc.returncode == 2 and "--base-url" in proc.stderr


def test_search_without_archive_says_what_to_do(tmp_path):
    proc = run_cli("search", "dang", "--db", str(tmp_path / "none.db"), check=False)
    assert proc.returncode == 1
    assert "luutru crawl" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "none.db").exists()


def test_db_defaults_to_env_var(tmp_path):
    proc = run_cli("stats", check=False, env={"LUUTRU_DB": str(tmp_path / "env.db")})
    assert str(tmp_path / "env.db") in proc.stderr


@pytest.mark.parametrize("query", ['"', "", "   ", "-", "AND", "(", "'; DROP TABLE articles; --"])
def test_malformed_queries_give_one_line_or_results(bentre_archive, query):
    db, _ = bentre_archive
    proc = run_cli("search", query, "--db", str(db), "--json", check=False)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert isinstance(json.loads(proc.stdout), list)
    else:
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1
        assert proc.stderr.startswith("Error: ")


def test_sites_lists_bentre_with_its_live_url():
    out = run_cli("sites").stdout
    assert "bentre" in out and "https://truongchinhtribentre.edu.vn" in out
    rows = json.loads(run_cli("sites", "--json").stdout)
    bentre = next(r for r in rows if r["slug"] == "bentre")
    assert bentre["cms"] == "drupal7" and bentre["merged_into"] == "Vĩnh Long"


# A command that reads the archive answers in a tenth of a second: it must not load the
# crawler (Scrapy, Twisted) or the web UI (Datasette), ~0.5 s of imports. Hundreds of test
# runs and every researcher's query pay for it.
_LOADED = """
import sys
from luutru.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="luutru", standalone_mode=False)
finally:
    print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'datasette'}),
          file=sys.stderr)
"""


@pytest.mark.parametrize("args", [
    ["--help"], ["sites"], ["search", "dang"], ["show", "1"], ["stats"], ["runs"],
    ["export", "--format", "csv"],
], ids=lambda args: args[0])
def test_reading_commands_load_no_crawler_and_no_web_ui(bentre_archive, args):
    db, _ = bentre_archive
    extra = [] if args[0] in ("--help", "sites") else ["--db", str(db)]
    proc = subprocess.run([sys.executable, "-c", _LOADED, *args, *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), "the command printed nothing"
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
