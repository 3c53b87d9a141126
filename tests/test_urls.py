"""Tests for archive.urls: one canonical spelling per page, and the same-site check."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import pytest

from archive.urls import canonicalize_url, same_site

ORIGIN = "https://truongchinhtribentre.edu.vn"
ALIASES = (
    "http://truongchinhtribentre.edu.vn",
    "https://www.truongchinhtribentre.edu.vn",
    "http://www.truongchinhtribentre.edu.vn",
)
LISTING = "/thông-tin-trao-đổi/thông-tin-trao-đổi"
LISTING_ENC = quote(LISTING)  # upper-case hex, as urllib writes it
CANON_LISTING = ORIGIN + LISTING_ENC

ARTICLE = "/content/nghiệm-thu-thành-công-đề-tài-“hành-trình-tổng-bí-thư-lê-duẩn-ở-bến-tre-và-những"
CANON_ARTICLE = ORIGIN + quote(ARTICLE)


def canon(url: str) -> str:
    return canonicalize_url(url, origin=ORIGIN, aliases=ALIASES)


@pytest.mark.parametrize(
    "url",
    [
        ORIGIN + LISTING,  # raw Unicode
        ORIGIN + LISTING_ENC,  # upper-case hex
        ORIGIN + LISTING_ENC.lower(),  # lower-case hex
        ORIGIN + unicodedata.normalize("NFD", LISTING),  # NFD path
        ORIGIN + quote(unicodedata.normalize("NFD", LISTING)),  # NFD, encoded
        "http://truongchinhtribentre.edu.vn" + LISTING,  # http alias
        "https://www.truongchinhtribentre.edu.vn" + LISTING,  # www alias
        "http://www.truongchinhtribentre.edu.vn" + LISTING,
        "https://truongchinhtribentre.edu.vn:443" + LISTING,  # default port
        "http://truongchinhtribentre.edu.vn:80" + LISTING,
        "HTTPS://TruongChinhTriBenTre.edu.vn" + LISTING,  # case of scheme and host
        ORIGIN + LISTING + "/",  # trailing slash
        ORIGIN + "/" + LISTING,  # double slash
        ORIGIN + LISTING.replace("/", "//"),
        ORIGIN + LISTING + "#main-content",  # fragment
        ORIGIN + LISTING + "?utm_source=facebook&utm_medium=social",  # tracking only
        ORIGIN + LISTING + "?fbclid=IwAR0abc",
        ORIGIN + LISTING + "?gclid=x&mc_cid=y&_ga=z",
        ORIGIN + LISTING + "?",
        f"  {ORIGIN}{LISTING}  ",
    ],
)
def test_spellings_of_one_listing_agree(url: str) -> None:
    assert canon(url) == CANON_LISTING


def test_article_alias_with_curly_quotes() -> None:
    assert canon("http://truongchinhtribentre.edu.vn" + ARTICLE) == CANON_ARTICLE
    assert canon(CANON_ARTICLE.lower()) == CANON_ARTICLE  # hex case does not matter
    assert canon(ORIGIN + "/Tin-tuc/ABC") == ORIGIN + "/Tin-tuc/ABC"  # path case does
    assert "%E2%80%9C" in CANON_ARTICLE


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ORIGIN, ORIGIN + "/"),
        (ORIGIN + "/", ORIGIN + "/"),
        (ORIGIN + "//", ORIGIN + "/"),
        (ORIGIN + "/?page=0", ORIGIN + "/?page=0"),
        # query kept (listing logic decides about ?page=), tracking removed, sorted
        (ORIGIN + LISTING + "?page=1", CANON_LISTING + "?page=1"),
        (ORIGIN + "/a?z=1&a=2&utm_campaign=x", ORIGIN + "/a?a=2&z=1"),
        (ORIGIN + "/a?b=2&a=1", ORIGIN + "/a?a=1&b=2"),
        (ORIGIN + "/a?a=1&b=2", ORIGIN + "/a?a=1&b=2"),
        (ORIGIN + "/a?q=ch%C3%ADnh+tr%E1%BB%8B", ORIGIN + "/a?q=ch%C3%ADnh%20tr%E1%BB%8B"),
        (ORIGIN + "/a?q=a%26b", ORIGIN + "/a?q=a%26b"),
        (ORIGIN + "/a?flag", ORIGIN + "/a?flag="),
        # reserved characters encoded in a segment stay encoded; spaces get %20
        (ORIGIN + "/a%2Fb/c", ORIGIN + "/a%2Fb/c"),
        (ORIGIN + "/a b", ORIGIN + "/a%20b"),
        (ORIGIN + "/100%25", ORIGIN + "/100%25"),
        # sub-delims are safe in a path
        (
            ORIGIN + "/l%E1%BA%A7n-th%E1%BB%A9-x%2C-nhi%E1%BB%87m-k%E1%BB%B3",
            ORIGIN + "/l%E1%BA%A7n-th%E1%BB%A9-x,-nhi%E1%BB%87m-k%E1%BB%B3",
        ),
        # dot segments
        (ORIGIN + "/a/./b/../c", ORIGIN + "/a/c"),
        # invalid UTF-8 is kept byte for byte
        (ORIGIN + "/caf%e9", ORIGIN + "/caf%E9"),
        # relative URLs are resolved against the origin
        ("/noi-dung/truong-chinh-tri", ORIGIN + "/noi-dung/truong-chinh-tri"),
        ("//www.truongchinhtribentre.edu.vn/x", ORIGIN + "/x"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canon(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # another host is canonicalised but keeps its own origin
        ("http://baodongkhoi.vn//khai-mac-hoi-nghi/", "http://baodongkhoi.vn/khai-mac-hoi-nghi"),
        (
            "https://WWW.Lyluanchinhtri.vn:443/home/index.php?b=1&a=2",
            "https://www.lyluanchinhtri.vn/home/index.php?a=2&b=1",
        ),
        ("https://tuyengiao.travinh.gov.vn:443/a", "https://tuyengiao.travinh.gov.vn/a"),
        ("http://example.vn:8080/a/", "http://example.vn:8080/a"),
        # ASCII (punycode) hosts are left as they are
        ("http://xn--trngchnhtr-r8a.vn/x", "http://xn--trngchnhtr-r8a.vn/x"),
        # a space inside a host is a copy-paste scar
        (
            "http://truongchinhtri. baria-vungtau.gov.vn/a",
            "http://truongchinhtri.baria-vungtau.gov.vn/a",
        ),
    ],
)
def test_other_hosts_keep_their_origin(url: str, expected: str) -> None:
    assert canon(url) == expected


def test_without_origin_nothing_is_mapped() -> None:
    assert canonicalize_url("http://www.truongchinhtribentre.edu.vn/a/") == (
        "http://www.truongchinhtribentre.edu.vn/a"
    )


def test_bare_host_alias_matches_any_scheme() -> None:
    url = "http://www.truongchinhtribentre.edu.vn/a"
    assert canonicalize_url(url, origin=ORIGIN, aliases=["www.truongchinhtribentre.edu.vn"]) == (
        ORIGIN + "/a"
    )


def test_relative_url_without_origin_keeps_path_and_query() -> None:
    assert canonicalize_url("/a//b/?utm_source=x&b=1#f") == "/a/b?b=1"


def test_alias_not_listed_is_not_mapped() -> None:
    assert canonicalize_url("http://truongchinhtribentre.edu.vn/a", origin=ORIGIN) == (
        "http://truongchinhtribentre.edu.vn/a"
    )


URL_CORPUS = [
    ORIGIN + LISTING,
    ORIGIN + LISTING_ENC.lower() + "/?page=5&utm_source=x#frag",
    "http://www.truongchinhtribentre.edu.vn:80//content/" + quote("đại-hội-2020-–-2025") + "/",
    "https://truongchinhtri.angiang.gov.vn/wps/portal/Home/trang-chu/trang-tin-chi-tiet/!ut/p/z0/fcyxDoIwFEV_hYWxadECZSRhETVRogl0MeVRoEJakWL8fBuiq8MdzsnJxRyXmGvxUp2wymgxOq54dEuSbEf2NDiwIgtIWuTX-HI6b9gxwDnm_wP3oO7TxFPMwWgr3xaXo6o9-1yM7jzole4dKJ_MAn3tKn_OKm0XmJdBSb2K3gjbuKoRbkZo20ufBNBSAjRBsI1DRKmMEYOQobCBKKqjmrWwwY-BVx9bh670/",
    "http://truongchinhtri.haiduong.org.vn/ViewDetail/GKOh7qV_M5g@/khai-gi%E1%BA%A3ng-02-l%E1%BB%9Bp-m%E1%BB%9F-t%E1%BA%A1i-t.html",
    "http://tctph.gov.vn/modules.php?name=News&op=viewst&sid=543",
    "https://truongchinhtribaria-vungtau.gov.vn/article?item=1ef308b5fb154242e4dc19bac2656212",
    "http://truongchinhtrilamdong.com.vn/component/k2/item/3502-lần-thứ-x,-nhiệm-kỳ.html",
    "https://x.vn/a?q=a+b&r=%2B&s=%26&t=caf%E9",
    "https://x.vn/caf%e9/%2f/%25/a b",
    "https://x.vn/?",
    "/relative/đường-dẫn/",
]


def test_idempotent_over_corpus() -> None:
    for url in URL_CORPUS:
        for kwargs in ({}, {"origin": ORIGIN, "aliases": ALIASES}):
            once = canonicalize_url(url, **kwargs)  # type: ignore[arg-type]
            assert canonicalize_url(once, **kwargs) == once, url  # type: ignore[arg-type]
            assert "#" not in once
            assert once.isascii() or url.startswith("/"), once


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ORIGIN + "/a", True),
        ("http://truongchinhtribentre.edu.vn/a", True),
        ("https://www.truongchinhtribentre.edu.vn:443/a", True),
        ("HTTP://WWW.TRUONGCHINHTRIBENTRE.EDU.VN/a", True),
        ("https://baodongkhoi.vn/a", False),
        ("https://truongchinhtribentre.edu.vn.evil.example/a", False),
        ("https://truongchinhtribentre.edu.vn:8443/a", False),
        ("/relative", False),
    ],
)
def test_same_site(url: str, expected: bool) -> None:
    assert same_site(url, ORIGIN, ALIASES) is expected


def test_same_site_without_aliases_is_strict() -> None:
    assert same_site(ORIGIN + "/x", ORIGIN, ())
    assert same_site(ORIGIN + ":443/x", ORIGIN + "/")
    assert not same_site("http://truongchinhtribentre.edu.vn/x", ORIGIN, ())
