"""Scrapy settings: polite defaults for live sites, overridden per run by `luutru crawl`."""

BOT_NAME = "luutru"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

PROJECT_URL = "https://github.com/luutru/luutru"
USER_AGENT = f"luutru/0.1 (+{PROJECT_URL}; web archive of Vietnamese political-school sites)"

# Politeness for live sites: one request at a time per host, 1 s apart, adapting to the server.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % so requests do not tick like a clock
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Old government servers send huge pages rarely; a bound also stops decompression bombs.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 10  # a longer chain is recorded failed(too_many_redirects)

# Politeness and a complete fetch log (scrapers/middlewares/, docs/reliability.md).
DOWNLOADER_MIDDLEWARES = {
    "scrapers.middlewares.outcomes.OutcomeMiddleware": 10,
    # RFC 9309 robots.txt: 5xx or timeout disallows the host (Scrapy's allows all).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapers.middlewares.robots.RobotsMiddleware": 100,
    "scrapers.middlewares.politeness.RetryAfterMiddleware": 560,
    "scrapers.middlewares.charset.EncodingMiddleware": 575,
    # Scrapy's meta refresh, minus decoding pages that hold none (the crawler is CPU-bound).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapers.lean.LeanMetaRefreshMiddleware": 580,
    # No site asks for HTTP authentication: one call less per request.
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapers.middlewares.safety.RedirectGuardMiddleware": 650,
    # Every response with its request into WARC, as received: before decompression (590) and
    # redirects (600) change it.
    "pipelines.capture.WarcCaptureMiddleware": 800,
}
SPIDER_MIDDLEWARES = {
    "scrapers.middlewares.pagecheck.PageCheckMiddleware": 60,
    # Scrapy 2.19's check for spiders that copy response.meta into new requests: a developer's
    # warning, paid on every request; the spiders' tests cover what they carry.
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
LUUTRU_ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: at least 500 KiB are parsed, the rest ignored
LUUTRU_CRAWL_DELAY = "auto"  # robots.txt Crawl-delay: "auto" = live hosts with a delay set
LUUTRU_CRAWL_DELAY_MAX = 30.0  # ... honoured up to this many seconds
LUUTRU_RETRY_AFTER_MAX = 120.0  # longer Retry-After: not retried this run, recorded failed
# This many article pages without an article (and 4 in 5 of them) mean the site's layout
# changed: the crawl stops (exit code 6) rather than filling the fetch log with failures.
LUUTRU_LAYOUT_ERRORS = 25
CLOSESPIDER_ERRORCOUNT = 100  # callback errors not caught above: stop a runaway run (exit 6)
LUUTRU_MAX_DB_PAGES = 0  # a size quota for the archive in SQLite pages (0: none; tests use it)
COOKIES_ENABLED = False
# Article requests are keyed by article (canonical URL, /node/N <-> alias): scrapers/fingerprint.py
REQUEST_FINGERPRINTER_CLASS = "scrapers.fingerprint.ArticleFingerprinter"

# Consoles that would run code or write job files are off (see shared pitfalls).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# The archive work (clean, dates, dedupe keys, SQLite/FTS, fetch log, cross-check records) runs
# in a writer process on the other core: pipelines/writer.py runs the in-process chain of
# pipelines.item_pipelines (Clean 100, CrossCheckFill 150, Date 200, Dedupe 300, Archive 900,
# CrossCheck 910) there, with group commits.
ITEM_PIPELINES = {
    "pipelines.writer.WriterPipeline": 900,
    # Needs the article id the archive gave: runs after it. Its writes go to the writer process.
    "pipelines.attachments.AttachmentPipeline": 950,
}
LUUTRU_WARC = True  # keep the original bytes (warc/ beside the archive)
LUUTRU_ATTACHMENTS = True  # download files linked from articles (attachments/ beside it)
LUUTRU_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
# Family spiders also read articles with the generic extraction (scrapers/crosscheck.py):
# true (every article), false, or the share sampled; an article whose family reading misses a
# field is always checked. 0.03 keeps the cost under 10 % of throughput (docs/benchmarks.md).
LUUTRU_CROSSCHECK = 0.03
# The generic reading the archive writer runs on a checked page it receives (the pipelines
# import no spider code; this names it for them, as ITEM_PIPELINES names theirs).
LUUTRU_CROSSCHECK_READER = "scrapers.crosscheck.complete"
# Items are small; fewer in flight means less overhead per response (measured in pitfalls.md).
CONCURRENT_ITEMS = 8

LOG_LEVEL = "INFO"
# Scrapy's per-response and per-item DEBUG records are not made above DEBUG (scrapers/lean.py).
LOG_FORMATTER = "scrapers.lean.QuietLogFormatter"
# While the spider runs, the start-up heap is frozen and young objects are collected every this
# many allocations (scrapers/lean.py; 0 keeps CPython's defaults).
LUUTRU_GC_THRESHOLD = 10_000
FEED_EXPORT_ENCODING = "utf-8"

# luutru's own settings (set by the CLI; defaults make `scrapy crawl` usable too).
LUUTRU_DB = "luutru.db"

# Scrapyd jobs (or LUUTRU_SHARD_DIR) write a shard of their own, finished by a manifest
# (scrapers/shard.py enables scrapers/shard_manifest.py); other crawls write LUUTRU_DB as before.
# Every archive crawl (luutru crawl, scrapy crawl, Scrapyd) runs the run guards after it: the
# archive lock, guarded signal handlers, the disk-full stop, the layout record and "no silent
# zero" failing the run (scrapers/run_guards.py).
ADDONS = {"scrapers.shard.ShardAddon": 0, "scrapers.run_guards.RunGuards": 10}
LUUTRU_SHARD_DIR = ""
EXTENSIONS = {
    "scrapers.progress.Progress": 500,
    "scrapers.lean.GcTuning": 520,
}
LUUTRU_PROGRESS = 0  # seconds between progress lines on stderr; the CLI sets it
