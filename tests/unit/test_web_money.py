"""Amounts on pages carry the server's currency (``serve --currency`` / ``CLIENTOCRACY_CURRENCY``), none by default."""

from __future__ import annotations

from web.templating import ENV


def test_an_amount_shows_the_currency_only_when_one_is_set() -> None:
    template = ENV.from_string("{{ amount | money }}")
    assert template.render(amount=3800.0, currency="EUR") == "3,800 EUR"
    assert template.render(amount=278.7, currency="") == "278.70"
    assert template.render(amount=None, currency="EUR") == "—"  # no amount: no unit either
