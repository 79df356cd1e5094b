"""docs/brief.md §10's read rules on real views (SQLite and PostgreSQL stores): who a reader is, from the views
alone (membership, client_representatives, the council's events), and what each rule answers for them."""

from __future__ import annotations

from pathlib import Path

from domain import read_policy as rp
from domain.service.ledger import Ledger
from projections import derived, read_rules
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.read_company import LINES


def _views(store_url: str, tmp_path: Path) -> Path:
    ledger = Ledger.open(store_url)
    try:
        assert import_lines(ledger, jsonl(LINES).splitlines()).errors == []
        catch_up(ledger.store, tmp_path / "views.duckdb")
    finally:
        ledger.close()
    return tmp_path / "views.duckdb"


def test_readers_come_from_the_views_and_each_rule_answers_for_them(store_url: str, tmp_path: Path) -> None:
    con = connect(_views(store_url, tmp_path))
    try:
        derived.install(con)
        who = {person: read_rules.viewer_of(con, person) for person in ("cora", "lena", "max", "rex", "sam", "desk")}
        concerned = read_rules.with_concerned(con, who["max"])
    finally:
        con.close()
    assert who["cora"] == rp.Viewer("cora", council=True) and who["cora"].audience() == rp.OPERATOR
    assert who["lena"] == rp.Viewer("lena", teams=frozenset({"delivery"}), leads=frozenset({"delivery"}))
    assert who["rex"].external and not who["sam"].external and who["desk"].external  # in no team: outside
    assert who["sam"].clients == {"shop"} and who["sam"].teams == {"kitchen"}
    assert concerned.concerned == {"shop", "kitchen"}  # delivery's promises: to shop and to the kitchen team
    # read:pay
    assert rp.may_see_pay(who["lena"], "delivery", "max") and rp.may_see_pay(who["max"], "delivery", "max")
    assert not rp.may_see_pay(who["max"], "delivery", "lena") and not rp.may_see_pay(who["sam"], "delivery", "max")
    # read:client-data
    assert rp.may_see_feedback_text(who["sam"], "delivery", "shop")  # a representative of shop
    assert not rp.may_see_feedback_text(who["max"], "kitchen", "mall")
    assert rp.may_see_client_details(concerned, "shop") and not rp.may_see_client_details(concerned, "mall")
    # read:internal
    assert not rp.may_see_internal(who["rex"]) and not rp.may_see_internal(who["desk"])
    assert rp.may_see_promise(who["rex"], "shop") and not rp.may_see_promise(who["rex"], "mall")
    assert not rp.may_see_client(who["rex"], "mall") and rp.may_see_client(who["max"], "mall")
    # read:audit
    assert rp.sees_all_events(who["cora"]) and not rp.sees_all_events(who["lena"])
    assert [r.rule for r in rp.READ_RULES] == ["read:open", "read:pay", "read:client-data", "read:audit",
                                               "read:internal"]
