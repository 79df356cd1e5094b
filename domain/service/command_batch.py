"""One attempt at a batch of commands: skip what was seen, refuse a key reused for other content, judge each
command, handle it, collect the events (keys and their verdicts: ``domain.service.receipts``).

Nothing is written here: the ledger records the unit of work's events and receipts in one transaction
(``Ledger.execute``), so a batch lands whole or, after a lost race, is decided again from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain import commands as c
from domain.audit import TRUSTED_CHANNEL, Audit, channel_of
from domain.base import DomainError, MissingAuthority, TimeWentBack
from domain.facts import UnitOfWorkFacts
from domain.handlers import HANDLERS
from domain.handlers.money_and_feedback import promise_refusal
from domain.personal_data import Sealer
from domain.policy import Refused, may
from domain.service import business_time_policy as when
from domain.service.batch import Acting, BatchResult
from domain.service.earlier_feedback import earlier_feedback
from domain.service.receipts import OPERATOR, ReceiptBook, Verdict, claims_of, sender_of
from domain.service.retry import ClockRace
from domain.service.unit_of_work import Repository, UnitOfWork
from domain.stores.port import LedgerStore


def receipts_of(cmd: c.Command, sender: str = OPERATOR) -> list[str]:
    """The idempotency keys a command writes: its line ``id`` (its sender's own), and a feedback's ``feedback_id``."""
    return [claim.key for claim in claims_of(cmd, sender)]


def audit_of(cmd: c.Command, now: datetime, acting: Acting | None) -> Audit:
    """Who, when, why and through which channel: the operator's actor as given, a person as authenticated."""
    at = cmd.at or (cmd.occurred_at if isinstance(cmd, c.RecordFeedback) else now)
    if acting is not None:
        return Audit(at=at, actor=acting.person, reason=cmd.reason, correlation=cmd.id, channel=acting.channel)
    # the import's channel is implied (not stored) unless its line id would read as another one
    implied = channel_of(None, cmd.id) == TRUSTED_CHANNEL
    return Audit(at=at, actor=cmd.actor, reason=cmd.reason, correlation=cmd.id,
                 channel=None if implied else TRUSTED_CHANNEL)


def decide_batch(store: LedgerStore, repository: Repository, commands: Sequence[c.Command], now: datetime,
                 acting: Acting | None, clock: bool) -> tuple[BatchResult, UnitOfWork]:
    """What becomes of each command, and the unit of work holding the accepted ones' events and receipts.

    ``clock``: commands without ``at`` are dated by the clock, so one overtaken by a concurrent writer's
    later "now" is a race (``ClockRace``: try again), not a command going back in time."""
    sealer = Sealer(store, with_events=True)  # the ledger writes its new keys with the events
    book = ReceiptBook(store, sealer, commands, sender_of(acting), earlier_feedback(repository, store, sealer))
    uow = UnitOfWork(repository, sealer, id_scope=None if acting is None else acting.person)
    facts = UnitOfWorkFacts(uow, acting.index) if acting is not None else None
    result = BatchResult()
    for index, cmd in enumerate(commands):
        judged = book.verdict(index)
        if judged.verdict is Verdict.SEEN:
            result.skipped.append(index)
            continue
        if judged.verdict is Verdict.CONFLICT:
            result.conflicts.append((index, judged.reason()))
            continue
        audit = audit_of(cmd, now, acting)
        uow.at = audit.at
        try:
            if acting is not None and facts is not None:
                decision = may(facts, acting.person, cmd)
                if isinstance(decision, Refused):
                    result.forbidden.append((index, decision.rule, decision.reason))
                    continue
                refused = when.refusal(cmd, now) or (  # a person's business time (docs/brief.md §10), promise
                    promise_refusal(uow, cmd) if isinstance(cmd, c.RecordFeedback) else None)
                if refused is not None:
                    result.rejected.append((index, refused))
                    continue
            with sealer.tentatively():  # a refused command's text needs no key
                when.handle_in_time(HANDLERS[type(cmd)], uow, cmd, audit,
                                    acting is not None and when.dated_by_server(cmd))
        except MissingAuthority as error:
            result.forbidden.append((index, error.rule, str(error)))
            continue
        except TimeWentBack as error:
            if clock and cmd.at is None and not isinstance(cmd, c.RecordFeedback):
                raise ClockRace from error  # dated "now", yet before a concurrent writer's "now"
            result.rejected.append((index, str(error)))
            continue
        except DomainError as error:
            result.rejected.append((index, str(error)))
            continue
        uow.receipts.extend(book.note(index))
        result.accepted.append(index)
    return result, uow

