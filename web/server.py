"""One running server's state: the ledger (writes), its live views (reads) and a small answer cache."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from domain.service.answers import MISS, AnswerCache
from domain.service.ledger import Ledger
from domain.service.stopping import Stop, store_left_open
from projections.json_output import dumps
from projections.signals.own_errors import cursors_own
from web.live_views import LiveViews
from web.notifier import Notifier
from web.settings import ServerSettings
from web.streams import Streams

CACHE_SIZE = 512
READS_STOP_WAIT = 1.0
"""Seconds a stop waits for the live streams' reads under way (each ends in milliseconds unless a lock holds it)."""
__all__ = ["MISS", "Server", "ViewsIndex", "as_of_moment", "to_json"]


def to_json(data: Any) -> bytes:
    """The same JSON text as the CLI's ``--json`` (``scripts.reading.emit_json``), minus the indentation."""
    return dumps(data, indent=None).encode()  # valid JSON always: a non-finite number is null


PROMISORS_IN_FORCE_ON = """
SELECT DISTINCT promisor FROM (
    SELECT promisor, metric, status, row_number() OVER (PARTITION BY promise ORDER BY position DESC) AS latest
    FROM promise_history WHERE promise IN (SELECT promise FROM promise_history WHERE metric = ?)
) WHERE latest = 1 AND metric = ? AND status = 'agreed'
"""
"""Teams with a promise in force (agreed, not retired) on a metric, as the promise stands now."""


class ViewsIndex:
    """The permission table's cross-aggregate questions, answered from the views as they are; the facts
    ask ``refresh`` before they take a "no" for an answer (``domain.facts.CrossIndex``)."""

    def __init__(self, views: LiveViews) -> None:
        self.views = views

    def refresh(self) -> bool:
        self.views.fresh(max_age=0)
        return True

    def teams_of(self, person: str) -> set[str]:
        with self.views.reading() as con:
            rows = con.execute("SELECT team FROM team_members WHERE person = ?", [person]).fetchall()
        return {row[0] for row in rows}

    def promisor_teams_on(self, metric: str) -> set[str]:
        with self.views.reading() as con:
            rows = con.execute(PROMISORS_IN_FORCE_ON, [metric, metric]).fetchall()
        return {row[0] for row in rows}

    def clients_of(self, person: str) -> set[str]:
        with self.views.reading() as con:
            rows = con.execute("SELECT client FROM client_representatives WHERE person = ?", [person]).fetchall()
        return {row[0] for row in rows}


ANY_POSITION = -1
"""The position a part kept across views positions is cached under (``Server.remember``)."""


class Server:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.stop = Stop()
        """Set when the process is asked to stop (``web.serving``): the live streams end."""
        self.ledger = Ledger.open(settings.store_url)
        self.views = LiveViews(self.ledger.store, settings.views_path, settings.poll_interval)
        self.streams = Streams(settings.max_streams_per_token, settings.max_streams, self.stop)
        self.views.listeners.append(self.streams.notify)  # one notifier for every live stream
        self.index = ViewsIndex(self.views)
        self.answers = AnswerCache(CACHE_SIZE, own=cursors_own)
        self.tokens: dict[str, tuple[Any, int]] = {}
        """Token digest -> (principal, the store position it was checked at): see ``web.auth``."""
        self.notifier = Notifier(settings, self.ledger.store, self.views, self.stop)

    def peek(self, name: str, args: tuple[Any, ...]) -> Any:
        """A cached answer that is certainly current, without touching the store or the views (the hot
        path of repeated reads), or ``MISS``."""
        known = self.views.known_position()
        position = self.views.position
        if known is None or position < known:
            return MISS
        return self.answers.get((name, args), position, self.views.generation)

    def answer(self, name: str, args: tuple[Any, ...], compute: Callable[[Any], Any]) -> bytes | None:
        """``compute(con)`` as JSON, from views caught up with the store (cached per views position).

        The generation is read before ``body`` enters ``reading``, whose cursor is of that generation or a newer
        one (generations only grow), so the answer is labelled with its file's generation or an older one, never
        a newer one: an older label is never served once a newer one was seen (``AnswerCache``). The other users
        of the caches (``web.readers``, ``web.api_signals``, ``ServerWorkspace.read``) read in the same order."""
        position = self.views.fresh()

        def body() -> bytes | None:
            with self.views.reading() as con:
                data = compute(con)
            return None if data is None else to_json(data)

        return self.answers.answer((name, args), position, self.views.generation, body)

    def remember(self, question: Hashable, compute: Callable[[], Any]) -> Any:
        """A part shared by several answers (as of several moments, of several readers, at several views
        positions): its question names the facts it was read from (``team_answer.kept_at``), so it is kept across
        positions, though not across views files. Called while reading: ``compute`` reads on this thread's cursor,
        which may be on a file replaced since (a forget), so the part is kept under that cursor's generation."""
        return self.answers.answer(question, ANY_POSITION, self.views.reading_generation(), compute)

    def start(self) -> None:
        self.views.start()
        self.notifier.start()

    def close(self) -> None:
        """Stop what runs in the background, then close the views and the store; what a thread that did not stop
        in time still uses (waiting for another process's lock) is left to the process's end (``exit_stopped``)."""
        self.stop.set()
        notifier_ended = self.notifier.close()
        reads_ended = self.streams.reads.close(wait=READS_STOP_WAIT)
        views_closed = self.views.close()
        if notifier_ended and reads_ended and views_closed:
            self.ledger.close()
        else:
            store_left_open(*(name for name, ended in (("the webhook delivery", notifier_ended),
                                                       ("the live streams' reads", reads_ended),
                                                       ("the views' catch-up", views_closed)) if not ended))


def as_of_moment(text: str | None) -> datetime:
    """An ``?as_of=`` value as the queries take it (raises ValueError for text that is not ISO-8601)."""
    from domain.business_time import parse_as_of
    from projections.timeline import as_of_value

    return as_of_value(parse_as_of(text))  # type: ignore[no-any-return]
