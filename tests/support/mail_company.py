"""A company whose people have e-mail addresses, and a kitchen complaint overdue since a day ago (a critical
``complaint_overdue``): cora is the council; delivery is lena, max (no address) and olga; kitchen is kim; rex
represents the client shop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.scenario import Scenario

EMAILS = {"cora": "cora@example.com", "lena": "lena@example.com", "olga": "olga@example.com",
          "kim": "kim@example.com", "rex": "rex@example.com"}
KITCHEN_TEXT = "Soup served cold by the new cook"


def company() -> list[dict[str, object]]:
    s = Scenario(at="2025-01-01T00:00:00Z")
    for person in ("cora", "lena", "max", "olga", "kim", "rex"):
        s.person(person, f"{person.capitalize()} Fullname", **({"email": EMAILS[person]} if person in EMAILS else {}))
    (s.council("cora").team("delivery").team("kitchen")
     .member("lena", "lead", team="delivery").member("max", "courier", team="delivery")
     .member("olga", "courier", team="delivery").member("kim", "cook", team="kitchen")
     .client("shop", "Shop Owner Ltd").represent("rex")
     .add("SetCommunicationRules", team="kitchen", rules=["Answer within 2 hours"], complaint_response_within="PT2H"))
    occurred = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    s.add("RecordFeedback", feedback_id="fb-cold", client="shop", kind="complaint", channel="app", text=KITCHEN_TEXT,
          team="kitchen", occurred_at=occurred, at=occurred)
    return [{"id": f"c{n}", **line} for n, line in enumerate(s)]
