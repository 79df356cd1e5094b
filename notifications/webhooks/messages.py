"""What a receiver gets: the body (Standard Webhooks or Slack) and the three signed headers.

The body is built from the delivery's stored signal and its creation time alone, so every retry sends the same
bytes under the same ``webhook-id``; only ``webhook-timestamp`` (and so the signature) is the attempt's own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from notifications.webhooks.listing import iso_seconds


@lru_cache(maxsize=1 << 16)
def delivery_id(endpoint_id: str, signal_id: str) -> str:
    """The ``webhook-id``: one per signal and endpoint, whoever sends it and however often (asked for every signal
    and endpoint on every evaluation: kept for the signals of the moment, not hashed again)."""
    return "msg_" + hashlib.sha256(f"{endpoint_id}\x1f{signal_id}".encode()).hexdigest()[:32]


def body(signal_json: str, created_at: float, format: str) -> bytes:
    signal: dict[str, Any] = json.loads(signal_json)
    if format == "slack":
        return json.dumps({"text": slack_text(signal)}, ensure_ascii=False).encode()
    return json.dumps({"type": "signal.raised", "timestamp": iso_seconds(created_at), "data": signal},
                      ensure_ascii=False, separators=(",", ":")).encode()


def slack_text(signal: dict[str, Any]) -> str:
    """One line for a Slack incoming webhook: severity, kind, subject, team or client, why, and the link."""
    subject = signal.get("subject") or {}
    where = ", ".join(f"{name} {signal[name]}" for name in ("team", "client") if signal.get(name))
    because = ", ".join(f"{k}={v}" for k, v in (signal.get("because") or {}).items())
    url = str(signal.get("url") or "")
    link = f" <{url}|open>" if url.startswith(("http://", "https://")) else (f" {url}" if url else "")
    return (f"[{signal.get('severity')}] {signal.get('kind')}: {subject.get('type')} {subject.get('key')}"
            + (f" ({where})" if where else "") + (f" — {because}" if because else "") + link)


def signed_headers(key: bytes, message_id: str, timestamp: int, payload: bytes) -> dict[str, str]:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 over ``id.timestamp.body``."""
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + payload, hashlib.sha256).digest()
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1," + base64.b64encode(mac).decode(), "content-type": "application/json"}
