"""The effective crawl settings: polite on live sites, overridable per run, no code consoles."""

from luutru.process import crawl_settings
from scrapers.spiders import spider_for


def test_polite_defaults_for_live_sites(tmp_path):
    s = crawl_settings(tmp_path / "a.db")
    assert s.getbool("ROBOTSTXT_OBEY") is True
    assert s.getbool("AUTOTHROTTLE_ENABLED") is True
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert s.getfloat("DOWNLOAD_DELAY") == 1.0
    assert "luutru" in s.get("USER_AGENT") and "https://" in s.get("USER_AGENT")
    assert s.getint("DOWNLOAD_MAXSIZE") <= 16 * 1024 * 1024


def test_consoles_that_run_code_are_off(tmp_path):
    s = crawl_settings(tmp_path / "a.db")
    assert s.getbool("TELNETCONSOLE_ENABLED") is False
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False


def test_delay_and_concurrency_override(tmp_path):
    s = crawl_settings(tmp_path / "a.db", delay=0, concurrency=4)
    assert s.getfloat("DOWNLOAD_DELAY") == 0
    assert s.getbool("AUTOTHROTTLE_ENABLED") is False
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 4
    s = crawl_settings(tmp_path / "a.db", delay=2.5)
    assert s.getfloat("DOWNLOAD_DELAY") == 2.5
    assert s.getbool("AUTOTHROTTLE_ENABLED") is True


def test_spider_stays_on_the_crawled_host():
    spider = spider_for("bentre")()
    assert spider.allowed_domains == ["truongchinhtribentre.edu.vn"]
    mirror = spider_for("bentre")(base_url="http://127.0.0.1:8123/")
    assert mirror.allowed_domains == ["127.0.0.1"]
    assert mirror.base_url == "http://127.0.0.1:8123"
    assert mirror.section_url("/thông-tin-trao-đổi/thông-tin-trao-đổi") == (
        "http://127.0.0.1:8123/th%C3%B4ng-tin-trao-%C4%91%E1%BB%95i/th%C3%B4ng-tin-trao-%C4%91%E1%BB%95i"
    )
