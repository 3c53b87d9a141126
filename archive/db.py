"""Connections to the archive file: one locked-down writer, any number of read-only readers."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:  # imported where a writer opens: sqlite_utils pulls numpy in (~0.2 s)
    import sqlite_utils

_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)

BUSY_TIMEOUT_S = 10.0
DEFAULT_TIME_LIMIT_S = 5.0
# VM instructions between two clock checks: a few hundred microseconds of work.
_PROGRESS_STEPS = 10_000

# PRAGMAs that only read, even when given an argument (`PRAGMA table_info(articles)`).
_READ_PRAGMAS_WITH_ARG = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
    }
)
# PRAGMAs that act even without an argument.
_ACTION_PRAGMAS = frozenset({"optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory"})
_DENIED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer", "readfile", "writefile"})
_ALLOWED_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
    }
)


class ArchiveError(Exception):
    """Base class for errors the CLI reports as a message, not a traceback."""


class ArchiveNotFound(ArchiveError):
    """Raised when a reader is asked for an archive file that does not exist."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        super().__init__(
            f"no archive at {self.path}: run a crawl first, or pass the right --db path"
        )


def open_writer(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the archive for writing, with the settings every writer needs.

    The connection is in driver autocommit mode (`isolation_level=None`) so that the store
    code alone decides where transactions begin (`BEGIN IMMEDIATE`) and end; a deferred
    read-to-write upgrade would fail at once with "database is locked" under concurrency.
    """
    import sqlite_utils

    from archive.fts import install_triggers
    from archive.schema import ensure_schema

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ArchiveError(f"could not switch {path} to WAL mode (got {mode!r})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA recursive_triggers = ON")
        # An FTS index kept in step by REPLACE needs this on every writer connection: assert it.
        if conn.execute("PRAGMA recursive_triggers").fetchone()[0] != 1:
            raise ArchiveError("SQLite refused PRAGMA recursive_triggers=ON")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        ensure_schema(db)
        # The search index follows every write of an article's title or text on this
        # connection, whatever code makes it (archive/fts.py).
        install_triggers(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"cannot open {path} as an archive: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return db


class ReaderCursor(sqlite3.Cursor):
    """Cursor that re-arms the connection's query deadline on every execute."""

    def execute(self, sql: str, parameters: Any = (), /) -> ReaderCursor:
        """Start the clock for this statement, then run it."""
        _arm(self.connection)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> ReaderCursor:
        """Start the clock for this batch, then run it."""
        _arm(self.connection)
        return super().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script: str, /) -> ReaderCursor:
        """Start the clock for this script, then run it."""
        _arm(self.connection)
        super().executescript(sql_script)
        return self  # what sqlite3 returns too; its stubs say a plain Cursor


class ReaderConnection(sqlite3.Connection):
    """Read-only connection whose statements are aborted after `time_limit` seconds.

    The limit counts from each `execute` call, so a caller that pages through results with
    one statement per page (as `archive.export` does) is never cut off mid-export.
    """

    time_limit: float | None = None
    _deadline: float | None = None
    _shared_deadline: bool = False

    @overload
    def cursor(self, factory: None = None) -> ReaderCursor: ...
    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _CursorT]) -> _CursorT: ...

    def cursor(self, factory: Callable[[sqlite3.Connection], sqlite3.Cursor] | None = None
               ) -> sqlite3.Cursor:
        """Hand out cursors that arm the deadline (unless the caller names another factory)."""
        return super().cursor(ReaderCursor if factory is None else factory)

    def execute(self, sql: str, parameters: Any = (), /) -> ReaderCursor:
        """Run one statement through a deadline-arming cursor."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> ReaderCursor:
        """Run one batch through a deadline-arming cursor."""
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> ReaderCursor:
        """Run one script through a deadline-arming cursor."""
        return self.cursor().executescript(sql_script)


def _arm(conn: sqlite3.Connection) -> None:
    """Start the deadline of the statement about to run (not inside `shared_deadline`)."""
    if not isinstance(conn, ReaderConnection) or conn._shared_deadline:
        return
    limit = conn.time_limit
    conn._deadline = None if limit is None else time.monotonic() + limit


@contextmanager
def shared_deadline(conn: sqlite3.Connection) -> Iterator[None]:
    """Count a reader's time limit once for every statement run inside, not per statement:
    a search runs several, and the person waiting sees their sum. Nested uses keep the
    outer deadline; connections other than `open_reader`'s are left alone."""
    if not isinstance(conn, ReaderConnection) or conn._shared_deadline:
        yield
        return
    _arm(conn)
    conn._shared_deadline = True
    try:
        yield
    finally:
        conn._shared_deadline = False


def _authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None,
                _trigger: str | None) -> int:
    """Allow reads only: no ATTACH (it creates files even under mode=ro), no temp tables, no
    PRAGMA that sets anything."""
    if action in _ALLOWED_ACTIONS:
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        # Issued by sqlite3_declare_vtab() when FTS5 opens its table; the file is read-only
        # and `PRAGMA writable_schema` is denied below, so nothing can really be written.
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _ACTION_PRAGMAS:
            return sqlite3.SQLITE_DENY
        if arg2 is None or name in _READ_PRAGMAS_WITH_ARG:
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def open_reader(path: str | Path, *, time_limit: float | None = DEFAULT_TIME_LIMIT_S
                ) -> sqlite3.Connection:
    """Open the archive for researchers' queries: read-only, unable to attach or create files,
    and with every statement bounded in time so a runaway query cannot hang the CLI.

    `time_limit=None` disables the bound (the attribute `conn.time_limit` can also be changed).
    A statement that runs out of time raises `sqlite3.OperationalError("interrupted")`.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveNotFound(path)
    if not path.is_file():
        raise ArchiveError(f"{path} is not a file")
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, factory=ReaderConnection
    )
    assert isinstance(conn, ReaderConnection)
    conn.time_limit = time_limit
    conn._deadline = None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA query_only = ON")
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"{path} is not a luutru archive ({exc})") from exc
    if version is None:
        conn.close()
        raise ArchiveError(f"{path} is not a luutru archive (no schema version)")
    if hasattr(conn, "setlimit") and hasattr(sqlite3, "SQLITE_LIMIT_ATTACHED"):
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_authorizer(_authorizer)

    def _progress() -> int:
        deadline = conn._deadline
        return 1 if deadline is not None and time.monotonic() > deadline else 0

    conn.set_progress_handler(_progress, _PROGRESS_STEPS)
    return conn
