"""Scheduled crawls: a crontab line or a systemd service + timer pair that runs `luutru crawl`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

_EVERY = re.compile(r"^(?:(hourly|daily|weekly)|(\d+)([hd]))$")


class ScheduleError(ValueError):
    """A schedule that cannot be made or installed; the message says why in one line."""


@dataclass(frozen=True)
class Job:
    """One scheduled crawl: what to run and how often."""

    target: str  # a site slug, or "all"
    db: Path
    every: str
    log_dir: Path
    executable: str

    @property
    def name(self) -> str:
        return f"luutru-{self.target}"

    def command(self) -> list[str]:
        what = ["--all"] if self.target == "all" else [self.target]
        return [self.executable, "crawl", *what, "--db", str(self.db), "--quiet",
                "--log-dir", str(self.log_dir)]

    def _minute_hour(self) -> tuple[int, int]:
        """A fixed minute and hour per job, so many schools' crawls don't start together."""
        spread = zlib.crc32(self.target.encode())
        return spread % 60, 1 + spread % 5  # 01:00-05:59, when school sites are idle

    def _period(self) -> tuple[str, int]:
        """("h", n): every n hours; ("d", n): every n days; ("w", 1): weekly."""
        kind, n, unit = parse_every(self.every)
        return ("w", 1) if kind == "weekly" else (unit, n)

    def cron_line(self) -> str:
        minute, hour = self._minute_hour()
        unit, n = self._period()
        every = "*" if n == 1 else f"*/{n}"
        spec = {"h": f"{minute} {every} * * *", "d": f"{minute} {hour} {every} * *",
                "w": f"{minute} {hour} * * 0"}[unit]
        return f"{spec} {shlex.join(self.command())}  # {self.name}"

    def systemd_units(self) -> dict[str, str]:
        minute, hour = self._minute_hour()
        unit, n = self._period()
        day = "*" if n == 1 else f"1/{n}"
        calendar = {"h": f"*-*-* 0/{n}:{minute:02d}:00",
                    "d": f"*-*-{day} {hour:02d}:{minute:02d}:00",
                    "w": f"Sun *-*-* {hour:02d}:{minute:02d}:00"}[unit]
        service = (
            "[Unit]\n"
            f"Description=luutru: archive {self.target} into {self.db}\n"
            "Wants=network-online.target\nAfter=network-online.target\n\n"
            "[Service]\nType=oneshot\n"
            f"ExecStart={shlex.join(self.command())}\n"
            # Exit 3 (site unreachable) is expected now and then for sites going dark.
            "SuccessExitStatus=3\n"
            "Nice=10\n"
        )
        timer = (
            "[Unit]\n"
            f"Description=Run {self.name}.service {self.every}\n\n"
            "[Timer]\n"
            f"OnCalendar={calendar}\n"
            "Persistent=true\nRandomizedDelaySec=600\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )
        return {f"{self.name}.service": service, f"{self.name}.timer": timer}


def parse_every(every: str) -> tuple[str, int, str]:
    """("hourly"|"daily"|"weekly"|"", n, "h"|"d"|"") from `daily`, `6h`, `2d`..."""
    match = _EVERY.match(every)
    if not match:
        raise ScheduleError(f"--every takes hourly, daily, weekly, Nh or Nd, got {every!r}")
    word, n, unit = match.groups()
    if word:
        return word, 1, "h" if word == "hourly" else "d"
    if int(n) < 1:
        raise ScheduleError(f"--every needs a positive interval, got {every!r}")
    return "", int(n), unit


def recheck_note(every: str) -> str:
    """What plain scheduled runs re-check at this interval (the rule of archive/recheck.py)."""
    import math

    from archive.recheck import CYCLE

    _, n, unit = parse_every(every)
    hours = n * (7 * 24 if every == "weekly" else 24 if unit == "d" else 1)
    runs = math.ceil(CYCLE.total_seconds() / 3600 / hours) + 1
    return (f"each run also re-checks {hours / (CYCLE.days * 24):.1%} of the archived articles "
            f"(oldest check first): the whole site every {CYCLE.days} days, so an edit or a "
            f"deletion is found within {runs} runs (README, Re-checks)")


def make_job(target: str, db: str | Path, every: str, log_dir: str | Path | None) -> Job:
    parse_every(every)
    db_path = Path(db).resolve()
    exe = shutil.which("luutru") or str(Path(sys.executable).with_name("luutru"))
    return Job(target, db_path, every, Path(log_dir or db_path.parent / "logs").resolve(), exe)


def install_cron(job: Job) -> str:
    """Add (or replace) the job's line in the user's crontab; returns the line."""
    crontab = shutil.which("crontab")
    if crontab is None:
        raise ScheduleError("no `crontab` command on this machine; use --systemd, or add the "
                            "printed line to your scheduler by hand")
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    lines = current.stdout.splitlines() if current.returncode == 0 else []
    marker = f"# {job.name}"
    lines = [line for line in lines if not line.rstrip().endswith(marker)]
    line = job.cron_line()
    lines.append(line)
    done = subprocess.run([crontab, "-"], input="\n".join(lines) + "\n", text=True,
                          capture_output=True)
    if done.returncode != 0:
        raise ScheduleError(f"crontab refused the new table: {done.stderr.strip()}")
    return line


def install_systemd(job: Job, unit_dir: str | Path) -> list[Path]:
    """Write the service and timer files; enabling them is left to the printed command."""
    folder = Path(unit_dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in job.systemd_units().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
