"""STARTTLS against a real SMTP server on loopback (aiosmtpd) with a self-signed certificate: used whenever the
server offers it, the certificate checked (an untrusted one fails the attempt, never falls back to clear text),
and a login never sent over a connection that stays in clear."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest

from notifications.email.smtp import SmtpSettings
from tests.support.smtp_server import smtp_server
from tests.support.tls_certificate import server_context


def letter() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ledger@example.com", "lena@example.com", "a signal"
    message.set_content("https://ledger.example/promises/p-shop")
    return message


def test_a_server_offering_starttls_gets_the_mail_encrypted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context, certificate = server_context(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trust the test's own CA, as a company CA would be
    with smtp_server(tls=context) as box:
        assert SmtpSettings("127.0.0.1", box.port, timeout=5.0).send([letter(), letter()]) == [None, None]
    assert box.encrypted == [True, True] and len(box.to("lena@example.com")) == 2


def test_an_untrusted_certificate_fails_the_attempt_rather_than_sending_in_clear(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context, _ = server_context(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))  # the system's CAs only: not this one
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with smtp_server(tls=context) as box, pytest.raises(ssl.SSLCertVerificationError):
        SmtpSettings("127.0.0.1", box.port, timeout=5.0).send([letter()])
    assert box.received == []


def test_a_login_is_never_sent_to_a_server_without_starttls() -> None:
    with smtp_server() as box:
        plain = SmtpSettings("127.0.0.1", box.port, timeout=5.0)
        assert plain.send([letter()]) == [None]  # no login: a relay in clear is fine
        with pytest.raises(smtplib.SMTPNotSupportedError, match="not sent in clear"):
            SmtpSettings("127.0.0.1", box.port, user="ledger", password="s3cret", timeout=5.0).send([letter()])
    assert box.encrypted == [False] and len(box.received) == 1
