"""Downloader and spider middlewares: a polite crawler and a complete fetch log.

One module per concern (docs/reliability.md), named in scrapers/settings.py by dotted path.
Downloader side, in the order a request meets them:

- `outcomes.OutcomeMiddleware` (10): every request's errback is wrapped so the exception it died
  of becomes the fetch log's outcome and reason (`too_many_redirects`, `decompression_limit`,
  `robots_unreachable`, `bad_response`, ...), whatever the spider's own errback makes of it.
- `robots.RobotsMiddleware` (100, replaces Scrapy's): robots.txt per RFC 9309, and the
  `Crawl-delay` it declares (held by `politeness`).
- `politeness.RetryAfterMiddleware` (560, before Scrapy's RetryMiddleware): a 429/503 with
  `Retry-After` is retried no sooner than asked (scrapy#3849), within a cap.
- `charset.EncodingMiddleware` (575, after decompression): a header charset the body proves
  wrong is overruled (`encoding_conflict`).
- `safety.RedirectGuardMiddleware` (650, before Scrapy's RedirectMiddleware): no redirect to a
  non-http(s) scheme; a long redirect chain is recorded `failed(too_many_redirects)`.

Spider side: `pagecheck.PageCheckMiddleware` (60): soft 404s, empty 200s, callback exceptions
and the layout-change stop.
"""
