"""A webhook URL can be a bearer secret (a Slack URL's path is its key), and its address can hide a private one
inside an IPv6 translation prefix: neither may slip through."""

from __future__ import annotations

import pytest

from domain.stores.webhook_tables import EndpointRow
from notifications.webhooks.addresses import non_public, shown
from notifications.webhooks.endpoints import Endpoint


@pytest.mark.parametrize("address, private", [
    ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
    ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
    ("64:ff9b:1::a00:1", True),  # the local-use NAT64 prefix
    ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", True),  # 6to4 of 192.168.1.1
    ("::ffff:127.0.0.1", True),
    ("64:ff9b::808:808", False),  # NAT64 of a public address
    ("2002:808:808::1", False),
    ("8.8.8.8", False),
])
def test_an_address_embedded_in_a_translation_prefix_is_checked_as_ipv4(address: str, private: bool) -> None:
    assert non_public(address) is private


def test_a_url_is_shown_without_its_path_or_query() -> None:
    assert shown("https://hooks.slack.com/services/T0/B0/secretkey") == "https://hooks.slack.com/…"
    assert shown("http://example.com:8080/hook?token=abc") == "http://example.com:8080/…"
    assert shown("https://example.com/") == "https://example.com/"
    row = EndpointRow("whe_1", "https://hooks.slack.com/services/T0/B0/secretkey", None, "", "slack", "", 0.0,
                      "active", 1, None)
    listed = Endpoint.of(row).to_dict()
    assert listed["url"] == "https://hooks.slack.com/…" and "secretkey" not in str(listed)
