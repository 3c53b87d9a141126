"""Local replicas of real school sites, served on 127.0.0.1 for the demo, tests and benchmarks.

    from replicas.bentre import build_site
    from replicas.server import ReplicaServer

    site = build_site(n_articles=160, seed=7)
    with ReplicaServer(site) as server:
        ...  # crawl server.url; site.articles is the ground truth

Every other school's replica is built by slug from `replicas.sites` (facts per school) on the
CMS-family markup modules `drupal8`, `nukeviet`, `joomla_k2` and `haiphong`:

    from replicas.sites import build
    with ReplicaServer(build("quang_tri")) as server:
        ...
"""
