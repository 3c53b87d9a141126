"""`python -m replicas.serve bentre [--port 0] [--articles 160] [--seed 7]`

Prints the base URL (one line, flushed) and serves until SIGTERM or SIGINT, then exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replicas import bentre
from replicas.server import ReplicaServer

BUILDERS = {"bentre": bentre.build_site}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replicas.serve",
                                     description="Serve a replica site on 127.0.0.1.")
    parser.add_argument("site", choices=sorted(BUILDERS))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--articles", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    site = BUILDERS[args.site](n_articles=args.articles, seed=args.seed)
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
