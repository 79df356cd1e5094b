"""Webhook delivery inside ``serve``: the delivery loop (``notifications.webhooks.running``) on a thread of its own,
reading the server's live views and woken by each new views position, so a signal an event raises is sent as soon
as the views have the event. The loop is built on its thread: the server answers while it imports and starts."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.service.stopping import Stop
    from domain.stores.port import LedgerStore
    from notifications.webhooks.running import DeliveryLoop
    from web.live_views import LiveViews
    from web.settings import ServerSettings

log = logging.getLogger(__name__)


class Notifier:
    """Given the server's parts, not the server itself, so ``web.server`` and this module do not import each
    other."""

    def __init__(self, settings: ServerSettings, store: LedgerStore, views: LiveViews, stop: Stop) -> None:
        self.settings, self.store, self.views, self.stop = settings, store, views, stop
        self.thread: threading.Thread | None = None
        self.loop: DeliveryLoop | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from notifications.email.mailer import Mailer
        from notifications.webhooks.policy import DeliveryPolicy
        from notifications.webhooks.reading import position_moved, signals_from
        from notifications.webhooks.running import DeliveryLoop

        views, links, smtp = self.views, self.settings.public_url, self.settings.smtp
        try:
            policy = self.settings.delivery or DeliveryPolicy.from_environment()
            mail = None if smtp is None else Mailer(self.store, smtp, views.reading, public_url=links, policy=policy)
            loop = DeliveryLoop(self.store, signals_from(views.reading), position_moved(lambda: views.position),
                                public_url=links, policy=policy, mail=mail)
        except Exception:
            log.exception("webhook delivery could not start; the server runs without it")
            return
        views.listeners.append(lambda position: loop.wake.set())
        self.loop = loop
        loop.run(self.stop)

    def close(self) -> bool:
        """After ``stop`` was set: the loop records its unfinished attempts as interrupted and ends. Whether its
        threads ended: one still waiting for another process's lock is using the store, which must then be left
        open to the process's end (closed under it, its connection was freed while in use: errors, or a crash)."""
        if self.thread is None:
            return True
        from notifications.webhooks.running import STOP_WAIT

        self.thread.join(timeout=STOP_WAIT)
        return not self.thread.is_alive() and (self.loop is None or self.loop.ended())
