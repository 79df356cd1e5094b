"""A company for the read rules (docs/brief.md §10 "Reads"): two teams with pay per person, two clients
with their own representatives and complaints, an experiment and the council.

- ``cora``: council. ``lena`` leads ``delivery`` (with ``max``), ``kim`` leads ``kitchen``.
- ``rex`` represents client ``shop`` and belongs to no team (an external client); ``mia`` represents
  ``mall`` (external too); ``sam`` is in ``kitchen`` and also represents ``shop``.
- ``delivery`` promised ``shop`` (``p-shop``) and ``kitchen`` (``p-inside``); ``kitchen`` promised ``mall``.
- Complaints: ``fb-shop`` (shop, about delivery), ``fb-mall`` (mall, about kitchen).
"""

from __future__ import annotations

from typing import Any

from tests.support.scenario import Scenario

PEOPLE = {"cora": "Cora Council", "lena": "Lena Lead", "max": "Max Member", "kim": "Kim Kitchen",
          "rex": "Rex Shopkeeper", "mia": "Mia Mall", "sam": "Sam Both", "desk": "Support Desk"}
TOKENS = {**{person: "read" for person in PEOPLE}, "desk": "ingest"}
SHOP_TEXT = "Parcel crushed at the shop door"
MALL_TEXT = "Mall order arrived cold"


def _company() -> Scenario:
    s = Scenario(at="2026-01-01T00:00:00Z")
    for person, name in PEOPLE.items():
        s.person(person, name)
    (s.council("cora").team("delivery").team("kitchen")
     .member("lena", "team-lead", lead=True, team="delivery").member("max", "courier", team="delivery")
     .member("kim", "cook", lead=True, team="kitchen").member("sam", "cook", team="kitchen")
     .client("shop", "Shop Owner Ltd").represent("rex").represent("sam")
     .client("mall", "Mall Person").represent("mia")
     .metric("ontime")
     .promise("p-shop", "Parcels reach the shop on time", 90, promisor="delivery", promisee="shop")
     .agreed("p-shop", actor="lena")
     .promise("p-inside", "Pick-ups on time", 85, promisor="delivery", promisee="kitchen")
     .promise("p-mall", "Warm food for the mall", 80, promisor="kitchen", promisee="mall")
     .agreed("p-mall", actor="kim"))
    for team, base in (("delivery", {"lena": 3000, "max": 2000}), ("kitchen", {"kim": 2800, "sam": 2100})):
        s.add("ChooseRewardScheme", team=team, variant="base_plus_team_bonus", base_pay=base)
        s.add("PostLedgerEntry", team=team, period="2026-01", kind="revenue", amount=10000, at="2026-01-31T00:00:00Z")
        s.add("PostLedgerEntry", team=team, period="2026-01", kind="cost", amount=6000, at="2026-01-31T00:00:00Z")
    for feedback_id, client, team, text in (("fb-shop", "shop", "delivery", SHOP_TEXT),
                                            ("fb-mall", "mall", "kitchen", MALL_TEXT)):
        s.add("RecordFeedback", feedback_id=feedback_id, client=client, kind="complaint", channel="app", text=text,
              team=team, occurred_at="2026-01-20T10:00:00Z", at="2026-01-20T10:00:00Z")
    s.add("ProposeExperiment", experiment="exp-boxes", team="delivery", hypothesis="Boxes help", metric="ontime",
          design="ab", promise="p-shop", at="2026-01-21T00:00:00Z")
    return s


LINES: list[dict[str, Any]] = [{"id": f"r{n}", **line} for n, line in enumerate(_company())]
