"""`python -m replicas.serve SLUG [--port 0] [--articles N] [--seed 7]`

SLUG is any site with a replica (`bentre`, `vinh_long`, `quang_tri`, ...); the default article
count is the replica's own (160 for bentre, 40 for the others).

Prints the base URL (one line, flushed) and serves until SIGTERM or SIGINT, then exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replicas.server import ReplicaServer
from replicas.sites import BUILDERS, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replicas.serve",
                                     description="Serve a replica site on 127.0.0.1.")
    parser.add_argument("site", choices=sorted(BUILDERS))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    site = build(args.site, args.articles, seed=args.seed)
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with ReplicaServer(site, host=args.host, port=args.port) as server:
        print(server.url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
