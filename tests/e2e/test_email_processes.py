"""E-mail end to end with real processes: `serve --smtp` (through CLIENTOCRACY_SMTP) mails a real critical signal
(a complaint overdue) to the people it concerns, and a later `notify --smtp` on the same store sends none again."""

from __future__ import annotations

import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.cli import cli, import_lines
from tests.support.mail_company import KITCHEN_TEXT, company
from tests.support.server import ServerProcess
from tests.support.smtp_server import Mailbox, smtp_server

pytestmark = pytest.mark.processes


def critical(box: Mailbox) -> list[tuple[list[str], EmailMessage]]:
    return [(rcpt, m) for rcpt, m in box.received if str(m["Subject"]).strip().startswith("[critical]")]


def test_serve_then_notify_mail_a_critical_signal_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    import_lines(store, company())
    with smtp_server() as box:
        monkeypatch.setenv("CLIENTOCRACY_SMTP", box.address)
        monkeypatch.setenv("CLIENTOCRACY_SMTP_FROM", "ledger@example.com")
        monkeypatch.setenv("CLIENTOCRACY_PUBLIC_URL", "https://ledger.example")
        server = ServerProcess(store, tmp_path / "serve-views.duckdb", tmp_path / "serve.log")
        try:
            deadline = time.monotonic() + 30
            while len(critical(box)) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            server.stop()
        cli("notify", "--views", str(tmp_path / "views.duckdb"), "--smtp", box.address, store=store)
    assert sorted(a for rcpt, _ in critical(box) for a in rcpt) == ["cora@example.com", "kim@example.com",
                                                                    "rex@example.com"]
    digests = [a for rcpt, m in box.received if str(m["Subject"]).startswith("Daily digest") for a in rcpt]
    assert len(digests) == len(set(digests))  # the complaint's due-soon warning: at most one digest each
    body = critical(box)[0][1].get_content()
    assert "https://ledger.example/" in body and KITCHEN_TEXT not in body
