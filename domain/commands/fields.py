"""The field types every command shares and the ``Command`` base: validation at the edge.

Every command is a pydantic model so bad input is rejected at the edge with the
field and the reason, before anything touches the event store.  The ``type``
field selects the model (a discriminated union), exactly as in the JSONL format
of docs/brief.md §4.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from domain.business_keys import clean_id, new_key
from domain.business_time import BUSINESS_TIME_MAX, BUSINESS_TIME_MIN, business_time
from domain.personal_data import client_subject, person_subject

MAX_MAGNITUDE = 1e15
"""Every number's absolute value is at most 10^15 (a quadrillion): sums and means of a store's
worth of them stay finite and exact to the cent, so projections never overflow."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError("must be at most 1e15 in absolute value")
    return float(value)


def _time_text(value: Any) -> Any:
    """Times are ISO-8601 text; a bare number (Unix seconds? milliseconds?) is too easy to misread."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be ISO-8601 text such as 2026-03-01T09:00:00Z, not a number")
    return value


_KEY_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def clean_key(value: str) -> str:
    """Keys name things in commands, URLs and terminals: no control characters at all."""
    found = _KEY_FORBIDDEN.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found U+{ord(found.group()):04X})")
    return value


def stripped(value: str) -> str:
    """Without the spaces around it; the length limits count the text as sent (as the OpenAPI schema says)."""
    value = value.strip()
    if not value:
        raise ValueError("String should have at least 1 character besides spaces")
    return value


def _clean_text(value: str) -> str:
    """Free text may hold newlines and tabs, never NUL (PostgreSQL text cannot) or lone surrogates."""
    found = _TEXT_FORBIDDEN.search(value)
    if found:
        raise ValueError(f"must not contain U+{ord(found.group()):04X}")
    return value


UtcTime = Annotated[datetime, BeforeValidator(_time_text), AfterValidator(business_time)]
Key = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200), AfterValidator(stripped),
                AfterValidator(clean_key)]
NewKey = Annotated[Key, AfterValidator(new_key)]
"""A key that names a new thing (docs/brief.md §10 "Keys"): NFKC, letters, digits and ``-_.:`` only; a key
that refers to an existing thing stays ``Key`` (keys stored before the rule stay valid, looked up exactly)."""
Id = Annotated[Key, AfterValidator(clean_id)]
"""An idempotency key (``id``, ``feedback_id``): free form, without invisible or direction-changing characters."""
VisibleKey = Annotated[Key, AfterValidator(clean_id)]
"""A key that may name a thing nobody registered (a feedback's client, channel): as sent, but never with an
invisible or direction-changing character (``shop\u200b`` would read as ``shop``: docs/brief.md §10 "Keys")."""
Text = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=4000), AfterValidator(stripped),
                 AfterValidator(_clean_text)]
OptionalText = Annotated[str, StringConstraints(strict=True, max_length=4000), AfterValidator(_clean_text)]
Number = Annotated[float, Field(strict=True), AfterValidator(_finite)]
Share = Annotated[Number, Field(ge=0, le=1)]
Objective = Annotated[Number, Field(gt=0, le=1)]
"""A promise's objective: the share of its periods to keep (docs/brief.md §9), e.g. 0.9; 0 would promise nothing."""
Rating = Annotated[Number, Field(ge=0, le=10)]

ClientKind = Literal["external", "internal", "partner"]
Direction = Literal["higher_is_better", "lower_is_better"]
Period = Literal["day", "week", "month"]
FeedbackKind = Literal["complaint", "praise", "rating", "suggestion"]
LedgerKind = Literal["revenue", "cost"]
RewardVariant = Literal[
    "team_net_profit_share", "company_profit_share", "base_plus_team_bonus", "fixed_pay"
]
SplitKey = Literal["equal", "hours", "base_pay"]
ExperimentDesign = Literal["ab", "before_after"]
Decision = Literal["adopt", "reject", "iterate"]
_LEDGER_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _ledger_period(value: str) -> str:
    """``YYYY-MM``, a month inside business time (1970-01 to 2199-12)."""
    match = _LEDGER_PERIOD.fullmatch(value)
    if match is None:
        raise ValueError("must match the pattern YYYY-MM (a month, e.g. 2026-03)")
    if not BUSINESS_TIME_MIN.year <= int(match.group(1)) < BUSINESS_TIME_MAX.year:
        raise ValueError("must be a month from 1970-01 to 2199-12")
    return value


LedgerPeriod = Annotated[str, StringConstraints(strict=True), AfterValidator(_ledger_period)]


class Command(BaseModel):
    """Fields every command may carry: its idempotency key and audit metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: Id | None = None
    at: UtcTime | None = None
    actor: Key | None = None
    reason: OptionalText | None = None


_SUBJECT_KEYS = {"client": client_subject, "person": person_subject}


@dataclass(frozen=True)
class Personal:
    """Marks a command field as personal data (docs/brief.md §7), the one place it is declared:
    ``name: Annotated[Text, Personal("client")]``. The field is sealed under its data subject's key
    before it enters an event - the subject named by the command's field of that kind (``client``
    or ``person``) - and everything else is derived from the mark (``domain.registry``): which keys
    a batch fetches, the aggregates' reveal lists (an aggregate keeps the field's name), the columns
    the views open."""

    subject: Literal["client", "person"]

    def subject_of(self, command: Any) -> str:
        """The data subject (``client:KEY``) whose key seals this field of ``command``."""
        return _SUBJECT_KEYS[self.subject](getattr(command, self.subject))


@cache
def personal_fields(model: type[BaseModel]) -> dict[str, Personal]:
    """The fields of ``model`` marked ``Personal``, in field order."""
    return {name: mark for name, info in model.model_fields.items() for mark in info.metadata
            if isinstance(mark, Personal)}
