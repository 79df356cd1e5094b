"""Webhook delivery inside ``serve``: the delivery loop (``consumers.webhooks.running``) on a thread of its own,
reading the server's live views and woken by each new views position, so a signal an event raises is sent as soon
as the views have the event. The loop is built on its thread: the server answers while it imports and starts."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from web.server import Server

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from consumers.email.mailer import Mailer
        from consumers.webhooks.reading import position_moved, signals_from
        from consumers.webhooks.running import DeliveryLoop

        server = self.server
        links, smtp = server.settings.public_url, server.settings.smtp
        try:
            mail = None if smtp is None else Mailer(server.ledger.store, smtp, server.views.reading, public_url=links)
            loop = DeliveryLoop(server.ledger.store, signals_from(server.views.reading),
                                position_moved(lambda: server.views.position), public_url=links, mail=mail)
        except Exception:
            log.exception("webhook delivery could not start; the server runs without it")
            return
        server.views.listeners.append(lambda position: loop.wake.set())
        loop.run(server.stop)

    def close(self) -> None:
        """After ``server.stop`` was set: the loop records its unfinished attempts as interrupted and ends."""
        if self.thread is not None:
            self.thread.join(timeout=5)
