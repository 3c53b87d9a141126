"""Table-driven cases for small pure functions.

A file's string functions are checked by ONE parametrized test over tables (function, input,
expected) rather than by a decorator and a one-line test per function: the tables are the
content, and a new function needs a table, not another copy of the same test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

Case = Any  # a pytest.param(function, input, expected); pytest does not export its type


def verdicts(predicate: Callable[[str], object], *, true: Iterable[str] = (),
             false: Iterable[str] = ()) -> list[Case]:
    """(predicate, line, expected verdict) for every line said to pass and every line said
    to fail; the test asserts `bool(predicate(line)) is expected`."""
    name = getattr(predicate, "__name__", "predicate")
    return [pytest.param(predicate, line, expected, id=f"{name}-{expected}-{i}")
            for expected, lines in ((True, true), (False, false))
            for i, line in enumerate(lines)]


def mappings(functions: Callable[[str], str] | Iterable[Callable[[str], str]],
             pairs: Iterable[tuple[str, str]], *, fixed_point: bool = False) -> list[Case]:
    """(function, raw, expected) for every function and pair; with `fixed_point` also
    (function, expected, expected): the output is stable when fed back (idempotence)."""
    fns = [functions] if callable(functions) else list(functions)
    pairs = list(pairs)
    if fixed_point:
        pairs += [(expected, expected) for _, expected in pairs]
    return [pytest.param(fn, raw, expected, id=f"{getattr(fn, '__name__', 'fn')}-{i}")
            for fn in fns for i, (raw, expected) in enumerate(pairs)]
