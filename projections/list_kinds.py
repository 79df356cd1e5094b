"""The names of the lists (docs/brief.md §8), in the order they are offered: a module of their own, so the
CLI can offer ``clientocracy list KIND`` without importing DuckDB and the read rules at every start."""

KINDS = ("teams", "promises", "experiments", "clients", "people")
"""The name of each list in ``clientocracy list KIND`` and ``GET /api/KIND``."""
