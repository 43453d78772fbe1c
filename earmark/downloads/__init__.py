"""Download and ad-delivery counting from raw request logs, by Earmark's IAB v2.2 rule set
(`IAB_COUNTING.md`; the rule numbers R0-R7 in this package's comments are that file's).

Framework-free: the rules are pure functions over polars frames and compiled window kernels (counting,
kernels); the database side (ingest, counted, lists_store, reports) reads and writes schema `downloads`.
"""
