"""One writer per archive: an exclusive lock file beside the database, released even on SIGKILL."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from archive.db import ArchiveError


class ArchiveLocked(ArchiveError):
    """Another process holds the archive's lock; the message names it."""


class ArchiveLock:
    """`flock` on `<db>.lock`: the kernel drops it when the holder dies, so no stale locks.

    The file also records who holds it (pid, host, command, since) for the error message.
    """

    def __init__(self, db: str | Path, purpose: str) -> None:
        self.path = Path(f"{db}.lock")
        self.purpose = purpose
        self._fh: IO[str] | None = None

    def holder(self) -> dict[str, Any]:
        """Who holds the lock, as the holder wrote it; {} when unreadable or not an object
        (the file is anyone's to write: the message must not crash on it)."""
        try:
            found = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            h = self.holder()
            who = (f"pid {h.get('pid', '?')} on {h.get('host', '?')} "
                   f"({h.get('purpose', 'unknown')}, since {h.get('since', '?')})")
            raise ArchiveLocked(f"archive {self.path.with_suffix('')} is in use by {who}; "
                                "wait for it to finish or stop it") from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "purpose": self.purpose,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
