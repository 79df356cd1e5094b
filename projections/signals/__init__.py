"""docs/brief.md §9 signals: what the ledger raises for the people who can act, computed from the views as of a time.

Each kind is a *source* (``sources.SOURCES``): a function ``(con, as_of) -> list[Signal]`` giving every episode
of its kind raised at or before ``as_of``, with ``cleared_at`` set when it stopped holding at or before then.
``active.signals_as_of`` gathers them and applies who may see which. Being a query of the views at a time,
signals replay as of any date and a rebuilt views file gives the same signals as one kept up incrementally.
"""
