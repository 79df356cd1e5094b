"""`clientocracy notify [--follow]`: deliver the new signals to the webhook endpoints (``notifications.webhooks``) and,
with an SMTP server, by e-mail (``notifications.email``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from notifications.email.smtp import SmtpSettings
    from notifications.webhooks.policy import DeliveryPolicy

from scripts import settings
from scripts.options import StoreOpt, ViewsOpt

PublicUrlOpt = Annotated[str | None, typer.Option(
    "--public-url", help="Links in signals start with this address (env CLIENTOCRACY_PUBLIC_URL).")]
SmtpOpt = Annotated[str | None, typer.Option(
    "--smtp", help="HOST:PORT of an SMTP server: e-mail critical signals and a daily digest (env CLIENTOCRACY_SMTP; "
                   "CLIENTOCRACY_SMTP_USER/_PASSWORD to log in).")]
SmtpFromOpt = Annotated[str | None, typer.Option(
    "--smtp-from", help="The e-mails' sender address (env CLIENTOCRACY_SMTP_FROM).")]


def smtp_from_options(smtp: str | None, smtp_from: str | None) -> SmtpSettings | None:
    """The SMTP settings of the flags and the environment; a bad one is a usage error naming why."""
    from notifications.email.smtp import SmtpError, smtp_settings

    try:
        return smtp_settings(smtp, smtp_from)
    except SmtpError as error:
        raise typer.BadParameter(str(error)) from None


def policy_from_environment() -> DeliveryPolicy:
    """The delivery policy of the environment; a bad setting (e.g. ``CLIENTOCRACY_DELIVERY_KEEP_DAYS``) is a usage
    error naming why."""
    from notifications.webhooks.policy import DeliveryPolicy, PolicyError

    try:
        return DeliveryPolicy.from_environment()
    except PolicyError as error:
        raise typer.BadParameter(str(error)) from None


def notify(
    store: StoreOpt = None,
    views: ViewsOpt = None,
    follow: Annotated[bool, typer.Option(
        "--follow", help="Keep delivering (new events, every 30 s, retries) until interrupted.")] = False,
    public_url: PublicUrlOpt = None,
    smtp: SmtpOpt = None,
    smtp_from: SmtpFromOpt = None,
) -> None:
    """Send each new signal to each matching webhook once (and e-mail critical ones, and the daily digest, with
    --smtp); retries, 410 and every attempt as `serve` does."""
    import duckdb

    from domain.service.stopping import Stopped, exit_stopped, stop_on_signals, store_left_open
    from domain.service.views import caught_up
    from domain.stores.common import opened_recorder
    from notifications.email.mailer import Mailer
    from notifications.webhooks.reading import signals_from
    from notifications.webhooks.running import DeliveryLoop
    from projections.served_views import reading_path
    from projections.views_file import ViewsFile

    mail_settings = smtp_from_options(smtp, smtp_from)
    policy = policy_from_environment()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with opened_recorder(settings.store_url(store)) as recorder:
        views_file = ViewsFile(recorder, reading_path(settings.views_path(views)), refresh=False)
        position = [-1]

        def views_moved() -> bool:
            newest = int(recorder.max_notification_id() or 0)
            if newest == position[0]:
                return False
            caught_up(views_file)
            position[0] = newest
            return True

        @contextmanager
        def reading() -> Iterator[duckdb.DuckDBPyConnection]:
            yield views_file.runner.con

        links = settings.public_url(public_url)
        mail = None if mail_settings is None else Mailer(recorder, mail_settings, reading, public_url=links,
                                                         policy=policy)
        loop = DeliveryLoop(recorder, signals_from(reading), views_moved, public_url=links, policy=policy, mail=mail)
        try:
            with stop_on_signals() as stop:
                (loop.run if follow else loop.until_idle)(stop)
        except (Stopped, KeyboardInterrupt):
            pass
        finally:
            views_file.end()
        if not loop.ended():  # its sender still waits for the store's lock: the store is left to the exit
            store_left_open("the webhook delivery")
            exit_stopped()
    if follow:
        exit_stopped()
