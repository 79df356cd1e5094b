"""Store adapters behind one port (``port.LedgerStore``): SQLite, PostgreSQL and in memory, each the library's
process recorder plus receipts, the hash chain (``tamper_evidence``) and the data subjects' key table."""
