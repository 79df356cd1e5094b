"""Store adapters: the library's SQLite and PostgreSQL process recorders plus our hash chain and receipts."""
