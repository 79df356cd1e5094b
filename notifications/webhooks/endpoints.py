"""Adding, listing and removing webhook endpoints; each one's signing secret is shown once and kept sealed.

The secret (``whsec_`` + base64 of 32 random bytes) is sealed with AES-GCM under a key of the endpoint's
own in the store's key table (``domain.personal_data``), the way personal text is: the endpoints table,
a dump of it or a log never holds it in clear, and removing the endpoint destroys the key.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from domain.personal_data import Revealer, Sealer
from domain.stores.port import LedgerStore
from domain.stores.webhook_tables import EndpointRow, WebhookTables, webhooks_in
from notifications.lookup import LookupTimeout
from notifications.webhooks.addresses import RefusedUrl, resolve, shown

Format = Literal["standard", "slack"]
FORMATS = ("standard", "slack")
SECRET_PREFIX = "whsec_"
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


class EndpointError(ValueError):
    """An endpoint that cannot be added or found, with the reason."""


def secret_subject(endpoint_id: str) -> str:
    return f"webhook:{endpoint_id}"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    team: str | None
    kinds: tuple[str, ...]
    format: str
    created_at: float
    state: str
    reason: str | None

    @classmethod
    def of(cls, row: EndpointRow) -> Endpoint:
        return cls(row.id, row.url, row.team, tuple(k for k in row.kinds.split(",") if k), row.format,
                   row.created_at, row.state, row.reason)

    def to_dict(self) -> dict[str, Any]:
        from datetime import UTC, datetime

        # the URL without its path, which can be a bearer secret (a Slack webhook's)
        return {"id": self.id, "url": shown(self.url), "team": self.team, "kinds": list(self.kinds),
                "format": self.format,
                "created_at": datetime.fromtimestamp(self.created_at, UTC).isoformat().replace("+00:00", "Z"),
                "state": self.state, "disabled_reason": self.reason}

    def wants(self, kind: str, teams: frozenset[str]) -> bool:
        """Whether a signal of ``kind`` seen by ``teams`` goes to this endpoint (its filters)."""
        return (not self.kinds or kind in self.kinds) and (self.team is None or self.team in teams)


def add_endpoint(store: LedgerStore, url: str, team: str | None = None, kinds: Sequence[str] = (),
                 format: str = "standard") -> tuple[Endpoint, str]:
    """Check and add an endpoint; it and its secret (to show once)."""
    try:
        resolve(url)  # RefusedUrl: not http(s), nowhere, or a private address
    except LookupTimeout as error:
        raise RefusedUrl(f"webhook URL {url!r}: {error}") from None
    if format not in FORMATS:
        raise EndpointError(f"format {format!r}: one of {', '.join(FORMATS)}")
    wrong = [k for k in kinds if not KIND_PATTERN.fullmatch(k)]
    if wrong:
        raise EndpointError(f"kind {wrong[0]!r} is not a signal kind (lower-case letters, digits and _)")
    endpoint_id = "whe_" + os.urandom(8).hex()
    secret = new_secret()
    sealed = Sealer(store).seal(secret_subject(endpoint_id), secret)
    row = EndpointRow(endpoint_id, url, team or None, ",".join(dict.fromkeys(kinds)), format, sealed, time.time(),
                      "active", 0, None)
    webhooks_in(store).add_endpoint(row)
    return Endpoint.of(row), secret


def endpoints(tables: WebhookTables, *, include_removed: bool = False) -> list[Endpoint]:
    return [Endpoint.of(r) for r in tables.endpoints() if include_removed or r.state != "removed"]


def find_endpoint(tables: WebhookTables, endpoint_id: str) -> Endpoint:
    for endpoint in endpoints(tables):
        if endpoint.id == endpoint_id:
            return endpoint
    raise EndpointError(f"no webhook endpoint {endpoint_id!r} (see `clientocracy webhook list`)")


def remove_endpoint(store: LedgerStore, endpoint_id: str) -> None:
    """Stop delivering to it and destroy its secret's key (its deliveries stay listed)."""
    if not webhooks_in(store).set_endpoint_state(endpoint_id, "removed", None):
        raise EndpointError(f"no webhook endpoint {endpoint_id!r} (see `clientocracy webhook list`)")
    store.destroy_subject_key(secret_subject(endpoint_id))


def signing_key(store: LedgerStore, row: EndpointRow) -> bytes:
    """The endpoint's secret unsealed, as the HMAC key it stands for (the bytes after ``whsec_``)."""
    secret = Revealer(store).reveal(row.secret)
    return base64.b64decode(str(secret).removeprefix(SECRET_PREFIX))
