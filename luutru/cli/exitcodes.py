"""Exit codes of `luutru`, documented in README ("Exit codes") so cron wrappers can act on them."""

OK = 0  # the command did its work (a crawl finished, even if some pages failed: see fetch_log)
INTERRUPTED = 1  # a crawl was interrupted (SIGINT/SIGTERM) or failed; resume by running it again
USAGE = 2  # bad command line or bad input (unknown site, malformed query)
UNREACHABLE = 3  # the site did not answer a single request during the whole run (retryable)
LOCKED = 4  # another luutru process is writing the same archive
PROBLEMS = 5  # `luutru verify`/preserve checks found problems (unreadable or damaged records)
LAYOUT_CHANGED = 6  # most article pages held no article: the site's selectors need updating
DISK_FULL = 7  # the disk (or the archive's size quota) filled up; the archive is intact
CORRUPT = 8  # the archive file failed SQLite's quick_check: nothing was written to it
# `luutru merge`: a shard failed its checks (quick_check, schema, manifest fixity); the target
# is left as it was.
DAMAGED_SHARD = CORRUPT

DESCRIPTIONS = {
    OK: "finished",
    INTERRUPTED: "interrupted or failed: run the same command again to resume",
    USAGE: "usage error",
    UNREACHABLE: "site unreachable for the whole run: the next run retries",
    LOCKED: "archive locked by another crawl",
    PROBLEMS: "checks found problems (see the report)",
    LAYOUT_CHANGED: "site layout changed: update the site's selectors, then crawl again",
    DISK_FULL: "disk full: free space, then run the same command again to resume",
    CORRUPT: "archive damaged: restore it from a backup or move it aside",
}
