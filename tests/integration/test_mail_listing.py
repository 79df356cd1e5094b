"""`clientocracy mail deliveries` (beside `webhook deliveries`): the newest e-mails with their person's key, subject,
state, attempts and last error, as the real CLI prints them; never an address or a body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.stores.common import opened_recorder
from domain.stores.mail_tables import MailRow, mail_in
from tests.support.cli import cli, run_cli

BODY = "A critical signal was raised: https://ledger.example/promises/p-shop"


@pytest.mark.processes
def test_mail_deliveries_lists_the_newest_without_addresses_or_bodies(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run_cli("mail", "deliveries", store=store).returncode == 2  # no store: not made by a reading command
    with opened_recorder(store):
        pass  # a store without e-mail yet
    assert json.loads(cli("mail", "deliveries", "--json", store=store).stdout) == {"items": []}
    assert cli("mail", "deliveries", store=store).stdout.strip() == "no e-mail deliveries"
    with opened_recorder(store) as recorder:
        table = mail_in(recorder)
        table.add([
            MailRow("mail_a", "lena", "sig_1", "pending", "[critical] Promise missed", BODY, 1000.0, 1000.0, 0.0, 0,
                    None, None),
            MailRow("mail_b", "rex", "digest:2026-12-06", "pending", "Daily digest 2026-12-06: 2 signals", BODY,
                    2000.0, 2000.0, 0.0, 0, None, None),
        ])
        (first, second) = table.claim(3000.0, 3100.0, 10)
        table.finish(first, "sent", 0.0, None, 3001.0)
        table.finish(second, "pending", 3600.0, "SMTPDataError: (451, b'try again later')", 3002.0)
    listed = json.loads(cli("mail", "deliveries", "--json", store=store).stdout)["items"]
    assert [m["mail_id"] for m in listed] == ["mail_b", "mail_a"]  # the newest first
    digest, critical = listed
    assert critical == {"mail_id": "mail_a", "person": "lena", "about": "sig_1", "kind": "critical",
                        "subject": "[critical] Promise missed", "state": "sent",
                        "created_at": "1970-01-01T00:16:40.000Z", "done_at": "1970-01-01T00:50:01.000Z",
                        "next_attempt_at": None, "attempts": 1, "last_error": None}
    assert (digest["kind"], digest["state"], digest["attempts"]) == ("digest", "pending", 1)
    assert digest["next_attempt_at"] == "1970-01-01T01:00:00.000Z" and "451" in digest["last_error"]
    text = cli("mail", "deliveries", "--limit", "1", store=store).stdout
    assert "mail_b" in text and "mail_a" not in text and "451" in text
    assert BODY not in json.dumps(listed) and BODY not in text
    assert run_cli("mail", "deliveries", "--limit", "0", store=store).returncode == 2
