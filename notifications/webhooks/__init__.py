"""Webhooks (docs/brief.md §9): endpoints the council adds, and delivery of each new signal to each matching
endpoint once, signed the Standard Webhooks way. The state lives in ``domain.stores.webhook_tables``."""
