"""Benchmarks: the ledger against the raw libraries it is built on, in the same run.

Not part of the product (a wheel does not hold them): run each from a checkout's root, as
``python -m bench.NAME`` (``bench_import``, ``bench_projections``, ``bench_api``, ``bench_kafka``,
``bench_experiments``, ``bench_scale``), with the project installed (``pip install -e ".[test]"``).
"""
