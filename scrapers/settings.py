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
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False

# Consoles that would run code or write job files are off (see shared pitfalls).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {
    "pipelines.item_pipelines.CleanPipeline": 100,
    "pipelines.item_pipelines.DatePipeline": 200,
    "pipelines.item_pipelines.DedupePipeline": 300,
    "pipelines.item_pipelines.ArchivePipeline": 900,
}
# Items are small; fewer in flight means less overhead per response (measured in pitfalls.md).
CONCURRENT_ITEMS = 8

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# luutru's own settings (set by the CLI; defaults make `scrapy crawl` usable too).
LUUTRU_DB = "luutru.db"

EXTENSIONS = {"scrapers.progress.Progress": 500}
LUUTRU_PROGRESS = 0  # seconds between progress lines on stderr; the CLI sets it
