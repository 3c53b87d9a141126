"""The application: the `luutru` command line, the crawl runner, scheduling, the Scrapyd
cluster, re-extraction and the web reading room, over the three layers below it (docs/design.md):
`scrapers` (spiders) -> `pipelines` (item pipelines) -> `archive` (the SQLite file)."""
