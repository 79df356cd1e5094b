"""Verify: the event log checked against its hash chain, and optionally the views against a fresh projection.

The chain covers the store, not the views (a cache of it): auditing the views is the views side's
job (``projections.view_audit``), handed in as a function of the store, so the service imports no
read model. The verdict is one rule for every entrypoint: both must be untampered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.stores.port import LedgerStore
from domain.stores.tamper_evidence import VerifyReport


class Audited(Protocol):
    """What a views audit reports (``projections.view_audit.ViewsAudit``)."""

    @property
    def ok(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...


class Verifiable(Protocol):
    """What verifying needs of the ledger: its store's chain check, and the store for a views audit."""

    @property
    def store(self) -> LedgerStore: ...
    def verify(self) -> VerifyReport: ...


@dataclass(frozen=True)
class Verification:
    store: VerifyReport
    views: Audited | None = None

    @property
    def ok(self) -> bool:
        return self.store.ok and (self.views is None or self.views.ok)

    def to_dict(self) -> dict[str, Any]:
        return {**self.store.to_dict(), **({"views": self.views.to_dict()} if self.views is not None else {})}


def verify(ledger: Verifiable, audit_views: Callable[[LedgerStore], Audited] | None = None) -> Verification:
    """Check the whole event log; with ``audit_views(store)``, the views file too."""
    return Verification(ledger.verify(), None if audit_views is None else audit_views(ledger.store))
