"""E-mail (docs/brief.md §9): each critical signal to the people it concerns who have an address, and a daily
digest of the rest at 07:00 UTC, sent through SMTP by the same delivery loop as the webhooks."""
