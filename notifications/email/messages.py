"""What an e-mail says: plain text built from a signal's keys, numbers and link (``because`` never holds personal
text, so neither does a message), the same bytes on every retry. The recipient's address is added only when sent."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from projections.signals.model import Signal, kind_in_words

FOOTER = "\n-- \nThe clientocracy ledger tells the people who can act. You get this as a member of the team,\n" \
         "a representative of the client, or the council.\n"


def mail_id(about: str, person: str) -> str:
    """One message per (signal or digest, person), whoever sends it: the row's key and the Message-ID's."""
    return "mail_" + hashlib.sha256(f"{about}\x1f{person}".encode()).hexdigest()[:32]


def _where(signal: Signal) -> str:
    return ", ".join(f"{name} {value}" for name, value in (("team", signal.team), ("client", signal.client)) if value)


def _lines(signal: Signal, public_url: str) -> list[str]:
    because = ", ".join(f"{k}={v}" for k, v in signal.because.items())
    where = _where(signal)
    headline = f"{kind_in_words(signal.kind)}: {signal.subject_type} {signal.subject_key}"
    return [headline + (f" ({where})" if where else ""),
            f"  raised {signal.raised_at:%Y-%m-%d %H:%M} UTC" + (f"; {because}" if because else ""),
            f"  {public_url.rstrip('/') + signal.path}"]


def critical(signal: Signal, public_url: str) -> tuple[str, str]:
    """The subject and body of the message about one critical signal."""
    where = _where(signal)
    subject = f"[critical] {kind_in_words(signal.kind)}: {signal.subject_type} {signal.subject_key}" \
              + (f" ({where})" if where else "")
    body = "\n".join(["A critical signal was raised:", "", *_lines(signal, public_url), "",
                      f"Signal {signal.id} ({signal.kind})."]) + "\n" + FOOTER
    return subject, body


def digest(day: str, signals: Sequence[Signal], public_url: str) -> tuple[str, str]:
    """The subject and body of one person's daily digest: the warnings first, then the rest, oldest first."""
    ordered = sorted(signals, key=lambda s: (s.severity != "warning", s.raised_at, s.id))
    lines = [f"Signals raised in the day before {day} 07:00 UTC ({len(ordered)}):", ""]
    for signal in ordered:
        first, *rest = _lines(signal, public_url)
        lines += [f"[{signal.severity}] {first}", *rest, ""]
    return f"Daily digest {day}: {len(ordered)} signal{'s' if len(ordered) != 1 else ''}", "\n".join(lines) + FOOTER


def envelope(message_id: str, sender: str, to: str, subject: str, body: str, now: float) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.fromtimestamp(now, UTC))
    domain = sender.rpartition("@")[2] or "clientocracy.invalid"
    message["Message-ID"] = f"<{message_id}@{domain.strip('>')}>"
    message.set_content(body)
    return message
