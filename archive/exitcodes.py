"""Exit codes of `luutru`, documented in README ("Exit codes") so cron wrappers can act on them."""

OK = 0  # the command did its work (a crawl finished, even if some pages failed: see fetch_log)
INTERRUPTED = 1  # a crawl was interrupted (SIGINT/SIGTERM) or failed; resume by running it again
USAGE = 2  # bad command line or bad input (unknown site, malformed query)
UNREACHABLE = 3  # the site did not answer a single request during the whole run
LOCKED = 4  # another luutru process is writing the same archive

DESCRIPTIONS = {
    OK: "finished",
    INTERRUPTED: "interrupted or failed: run the same command again to resume",
    USAGE: "usage error",
    UNREACHABLE: "site unreachable for the whole run",
    LOCKED: "archive locked by another crawl",
}
