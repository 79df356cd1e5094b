"""The SMTP server to send through: ``--smtp HOST:PORT`` / ``CLIENTOCRACY_SMTP``, ``--smtp-from`` /
``CLIENTOCRACY_SMTP_FROM``, ``CLIENTOCRACY_SMTP_USER`` / ``_PASSWORD`` (the environment only, so a password never
shows in a process list). STARTTLS whenever the server offers it, before any login, with the certificate checked
against the system's CAs (``SSL_CERT_FILE`` names others, e.g. a company CA): a certificate that does not check
out fails the attempt (tried again later), never falls back to clear text. A server that does not offer STARTTLS
is talked to in clear (a relay on the same host or network), but a login is never sent in clear.
The server's name is resolved within the timeout too (``notifications.lookup``): a resolver that never answers
does not hang the mail thread."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from notifications import lookup

DEFAULT_FROM = "clientocracy@localhost"


class SmtpError(ValueError):
    """An SMTP setting that cannot be used, with the reason."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str = DEFAULT_FROM
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    def send(self, messages: Sequence[EmailMessage]) -> list[str | None]:
        """Send each over one connection; per message None when the server took it, else why not. A failure
        to connect or to log in raises (``OSError`` / ``smtplib.SMTPException``)."""
        with _Smtp(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            elif self.user:
                raise smtplib.SMTPNotSupportedError(
                    f"{self.host}:{self.port} offers no STARTTLS: the password is not sent in clear")
            if self.user:
                smtp.login(self.user, self.password or "")
            results: list[str | None] = []
            for message in messages:
                try:
                    smtp.send_message(message)
                    results.append(None)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                    results.append(f"{type(error).__name__}: {error}"[:300])
            return results


class _Smtp(smtplib.SMTP):
    """Resolves the server's name within the timeout (``smtplib`` waits on the resolver for as long as it
    takes); the certificate is still checked against the name (``_host``)."""

    def _get_socket(self, host: str, port: int, timeout: Any) -> socket.socket:
        deadline = time.monotonic() + float(timeout)
        found = lookup.addresses(host, port, float(timeout), use="smtp")
        return _connected(found, deadline, self.source_address)


def _connected(found: lookup.AddressInfo, deadline: float, source: Any) -> socket.socket:
    """A connection to the first of the addresses that takes one, each tried within what is left of the timeout
    (as ``socket.create_connection`` does: a server's name often gives an IPv6 address its host does not answer
    on); the whole socket address is used, an IPv6 scope id too. The last address's error when none does."""
    error: OSError = OSError("the name gave no address")
    for family, kind, proto, _, address in found:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            if source:
                sock.bind(source)
            sock.connect(address)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error


def smtp_settings(address: str | None, sender: str | None, timeout: float = 10.0) -> SmtpSettings | None:
    """The settings the flags and the environment give; None when no server is named (no e-mail)."""
    address = address or os.environ.get("CLIENTOCRACY_SMTP") or ""
    if not address:
        return None
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SmtpError(f"SMTP server {address!r}: give HOST:PORT, e.g. mail.example.com:587")
    sender = sender or os.environ.get("CLIENTOCRACY_SMTP_FROM") or DEFAULT_FROM
    if "@" not in sender:
        raise SmtpError(f"sender {sender!r} is not an e-mail address")
    return SmtpSettings(host.strip("[]"), int(port), sender, os.environ.get("CLIENTOCRACY_SMTP_USER") or None,
                        os.environ.get("CLIENTOCRACY_SMTP_PASSWORD"), timeout)
