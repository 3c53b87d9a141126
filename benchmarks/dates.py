"""Fast-path date parsing against dateparser on the same 10,000 strings, in one run.

Strings are generated from the formats the school sites print (sites.md §3.1 and the body
forms), with random dates 1990-2026. Prints calls/s of each parser, the ratio, and how often
they agree on the strings where both answer (with a few disagreements).

    .venv/bin/python benchmarks/dates.py [N]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.dates import dateparser_for, parse_date

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=TZ)
WD = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]
EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December"]  # fmt: skip

FORMATS = [
    lambda d: f"Ngày Đăng : {d:%d/%m/%Y}",
    lambda d: f"{WD[d.weekday()]} - {d:%d/%m/%Y %H:%M}",
    lambda d: f"{d:%H:%M %d/%m/%Y}",
    lambda d: f"{d:%d/%m/%Y %H:%M}",
    lambda d: f"{d:%d.%m.%Y %H:%M}",
    lambda d: f"Cập nhật: {d:%d/%m/%Y %H:%M}",
    lambda d: f"Đăng lúc: {d:%H:%M:%S %d/%m/%Y} (GMT+7){d.day * 37} lượt xem",
    lambda d: f"{d:%d/%m/%Y}",
    lambda d: f"{d.day} {EN[d.month - 1]} {d.year}",
    lambda d: f"{WD[d.weekday()].title()}, {d:%d/%m/%Y - %H:%M}",
    lambda d: (
        f"Đăng ngày: {d:%d/%m/%Y} - {d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"
    ),
    lambda d: f"{WD[d.weekday()]}, {d.day} Tháng {d.month} {d.year} {d:%H:%M}",
    lambda d: f"{d:%d/%m/%Y - %H:%M}",
    lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
    lambda d: f"Sáng {d.day}/{d.month}/{d.year}",
    lambda d: f"ngày {d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
]


def make_strings(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    start = datetime(1990, 1, 1, tzinfo=TZ)
    span = int((NOW - start).total_seconds() // 60)
    out = []
    for i in range(n):
        d = start + timedelta(minutes=rng.randrange(span))
        out.append(FORMATS[i % len(FORMATS)](d))
    return out


def _key(value: datetime, minute: bool) -> tuple[int, ...]:
    """What both parsers can be compared on: the day, and the minute when the string has one."""
    v = value.astimezone(TZ) if value.tzinfo else value
    return (v.year, v.month, v.day, v.hour, v.minute) if minute else (v.year, v.month, v.day)


def main(n: int = 10_000) -> None:
    strings = make_strings(n)
    ddp = dateparser_for(NOW)  # the very parser the fallback uses
    ddp.get_date_data("01/01/2020")  # warm up (language loading)

    t0 = time.perf_counter()
    fast = [parse_date(s, now=NOW, fallback=False) for s in strings]
    t_fast = time.perf_counter() - t0

    t0 = time.perf_counter()
    slow = [ddp.get_date_data(s).date_obj for s in strings]
    t_slow = time.perf_counter() - t0

    both = agree = 0
    disagreements: list[tuple[str, str, str]] = []
    for s, f, d in zip(strings, fast, slow, strict=True):
        if f is None or d is None:
            continue
        both += 1
        minute = f.precision == "minute"
        if _key(f.value, minute) == _key(d, minute):
            agree += 1
        elif len(disagreements) < 8:
            disagreements.append((s, f.isoformat(), d.isoformat()))

    fast_rate, slow_rate = n / t_fast, n / t_slow
    print(f"strings: {n} from {len(FORMATS)} site formats")
    print(f"fast path : {fast_rate:12,.0f} calls/s  answered {sum(f is not None for f in fast)}")
    print(f"dateparser: {slow_rate:12,.0f} calls/s  answered {sum(d is not None for d in slow)}")
    print(f"ratio     : {fast_rate / slow_rate:12,.1f} x")
    print(f"both answered: {both}; agree: {agree}; disagree: {both - agree}")
    for s, f_iso, d_iso in disagreements:
        print(f"  {s!r}: fast {f_iso} vs dateparser {d_iso}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
