"""Scheduling: the crontab line and systemd units run the real `luutru crawl`, quietly, logged."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from luutru.schedule import ScheduleError, make_job, parse_every
from tests.conftest import run_cli


def test_cron_line_runs_a_quiet_logged_crawl(tmp_path):
    out = run_cli("schedule", "bentre", "--db", str(tmp_path / "a.db"), "--every", "daily").stdout
    line = out.strip()
    fields = line.split()
    assert fields[2:5] == ["*", "*", "*"] and 0 <= int(fields[0]) < 60 and 1 <= int(fields[1]) <= 5
    assert "crawl bentre" in line and "--quiet" in line and "--log-dir" in line
    assert str(tmp_path / "a.db") in line and line.endswith("# luutru-bentre")
    assert Path(fields[5]).name == "luutru"


@pytest.mark.parametrize(("every", "spec"), [
    ("hourly", "* * * *"), ("6h", "*/6 * * *"), ("weekly", "* * 0"), ("2d", "*/2 * *"),
])
def test_intervals(tmp_path, every, spec):
    line = make_job("bentre", tmp_path / "a.db", every, None).cron_line()
    assert spec in line


def test_bad_interval_is_a_usage_error(tmp_path):
    with pytest.raises(ScheduleError):
        parse_every("sometimes")
    proc = run_cli("schedule", "bentre", "--every", "0h", check=False)
    assert proc.returncode == 2 and "--every" in proc.stderr


def test_systemd_units_written(tmp_path):
    units = tmp_path / "units"
    out = run_cli("schedule", "--all", "--db", str(tmp_path / "a.db"), "--systemd", "--install",
                  "--unit-dir", str(units), "--every", "12h").stdout
    service = (units / "luutru-all.service").read_text()
    timer = (units / "luutru-all.timer").read_text()
    assert "ExecStart=" in service and "crawl --all" in service and "--quiet" in service
    assert "OnCalendar=*-*-* 0/12:" in timer and "Persistent=true" in timer
    assert "systemctl --user enable --now luutru-all.timer" in out


def test_cron_install_replaces_its_own_line_only(tmp_path):
    """A stand-in `crontab` on PATH keeps the table in a file (the real one needs a cron daemon)."""
    table = tmp_path / "table"
    table.write_text("0 0 * * * backup.sh\n5 5 * * * old  # luutru-bentre\n")
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    run_cli("schedule", "bentre", "--db", str(tmp_path / "a.db"), "--install", env=env)
    lines = table.read_text().splitlines()
    assert lines[0] == "0 0 * * * backup.sh"
    assert len(lines) == 2 and "crawl bentre" in lines[1]
