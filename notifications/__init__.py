"""Signals delivered outside the product (docs/brief.md §9): webhooks and e-mail. Delivery reads the views
(``projections.signals``), so it sits above them, beside the entrypoints that run it (``serve``, ``notify``)."""
