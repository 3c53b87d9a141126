"""Local replicas of real school sites, served on 127.0.0.1 for the demo, tests and benchmarks.

    from replicas.bentre import build_site
    from replicas.server import ReplicaServer

    site = build_site(n_articles=160, seed=7)
    with ReplicaServer(site) as server:
        ...  # crawl server.url; site.articles is the ground truth
"""
