"""Library errors reach a person as one `Error:` line and the exit code README documents ("Exit
codes"), whatever the command: luutru/cli/common.py `errors_exit`, which the group runs every
command in. Each case runs the real `luutru` script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.lock import ArchiveLock
from archive.store import Archive
from tests.conftest import run_cli

LOCKED, USAGE, FAILED, CORRUPT = 4, 2, 1, 8
NOWHERE = "http://127.0.0.1:9/"  # never asked: each case fails before any request


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An empty archive, a file that is no database, and a path with nothing at it."""
    folder = tmp_path_factory.mktemp("errors")
    Archive(folder / "empty.db").close()
    (folder / "damaged.db").write_bytes(b"not an SQLite file, " * 400)
    return {"empty": folder / "empty.db", "damaged": folder / "damaged.db",
            "missing": folder / "missing.db"}


def _one_error_line(proc: object, code: int) -> str:
    stderr: str = proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == code, (proc.returncode, stderr)  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


# Every command family that opens an archive (research, records, keeping, maintenance).
READERS = [["search", "dang"], ["show", "1"], ["export"], ["stats"], ["serve", "--port", "0"],
           ["runs"], ["history", "1"], ["verify"], ["reextract"], ["duplicates"]]


@pytest.mark.parametrize("args", READERS, ids=lambda a: a[0])
def test_no_archive_is_one_line_exit_1(archives: dict[str, Path], args: list[str]) -> None:
    db = archives["missing"]
    line = _one_error_line(run_cli(*args, "--db", str(db), check=False), FAILED)
    assert f"no archive at {db}" in line and "luutru crawl SITE" in line
    assert not db.exists() and not Path(f"{db}.lock").exists()


# One command per way of opening the archive: reader, Datasette, fixity, re-extraction, writer.
OPENERS = [["search", "dang"], ["serve", "--port", "0"], ["verify"], ["reextract"],
           ["duplicates"], ["sites"]]


@pytest.mark.parametrize("args", OPENERS, ids=lambda a: a[0])
def test_a_file_that_is_no_archive_is_one_line_exit_1(archives: dict[str, Path],
                                                      args: list[str]) -> None:
    line = _one_error_line(run_cli(*args, "--db", str(archives["damaged"]), check=False),
                           FAILED)
    assert str(archives["damaged"]) in line


def test_a_damaged_archive_is_never_crawled_into_exit_8(archives: dict[str, Path]) -> None:
    """crawl-url used to end in a traceback (ArchiveCorrupt was not among its errors); `crawl`
    is checked in tests/faults/test_operations.py (row 31)."""
    before = archives["damaged"].read_bytes()
    line = _one_error_line(run_cli("crawl-url", NOWHERE, "--db", str(archives["damaged"]),
                                   check=False), CORRUPT)
    assert "damaged" in line and archives["damaged"].read_bytes() == before


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "held.db"
    Archive(db).close()
    with ArchiveLock(db, "a test holding the archive"):
        yield db


@pytest.mark.parametrize("args", [["crawl-url", NOWHERE], ["reextract"]], ids=lambda a: a[0])
def test_a_locked_archive_is_one_line_exit_4(held: Path, args: list[str]) -> None:
    """crawl-url used to exit 1 here, not the documented 4 a cron wrapper waits on."""
    line = _one_error_line(run_cli(*args, "--db", str(held), check=False), LOCKED)
    assert "a test holding the archive" in line or "locked" in line


@pytest.mark.parametrize("args", [
    ["search", "dang", "--since", "2020-99"],
    ["export", "--until", "someday"],
    ["schedule", "bentre", "--every", "3x"],
], ids=lambda a: a[0])
def test_bad_input_is_one_line_exit_2(archives: dict[str, Path], args: list[str]) -> None:
    _one_error_line(run_cli(*args, "--db", str(archives["empty"]), check=False), USAGE)


def test_merge_names_the_damaged_shard_and_the_untouched_target(archives: dict[str, Path],
                                                                tmp_path: Path) -> None:
    into = tmp_path / "into.db"
    line = _one_error_line(run_cli("merge", str(archives["damaged"]), "--into", str(into),
                                   check=False), CORRUPT)
    assert str(archives["damaged"]) in line and f"nothing was written to {into}" in line
