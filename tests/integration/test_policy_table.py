"""The permission table has one row for every command type (none falls through to "nobody" by omission)."""

from __future__ import annotations

from pathlib import Path

from domain import commands as c
from domain.handlers import HANDLERS
from domain.policy import NOBODY, RULES, rule_name
from tests.support.scenario import Scenario


def test_every_command_has_a_row() -> None:
    assert set(RULES) == set(HANDLERS)
    assert [t.__name__ for t, rule in RULES.items() if rule is NOBODY] == ["AmendPromise"]


def test_rules_are_named_by_command_and_who() -> None:
    assert rule_name("FormTeam", RULES[c.FormTeam]) == "FormTeam: council"
    assert rule_name("AddMember", RULES[c.AddMember]) == "AddMember: that team's lead, council"


def test_a_batch_is_judged_on_its_own_earlier_commands(sqlite_url: str, tmp_path: Path) -> None:
    """A remembered "may record readings" does not outlive a change of membership in the same batch."""
    import json

    from domain.service.ledger import Acting
    from web.server import Server
    from web.settings import ServerSettings

    setup = (Scenario().team("k").member("lea", "chef", lead=True).client("d").metric("m").promise("p", "S", 1)
             .agreed().lines())
    reading = {"type": "RecordReading", "metric": "m", "value": 1}  # at: now (a person backdates 90 days at most)
    batch = [reading, {"type": "RemoveMember", "team": "k", "person": "lea"}, reading]
    server = Server(ServerSettings(sqlite_url, tmp_path / "views.duckdb"))  # its views answer the index
    try:
        ledger = server.ledger
        dated = [{**line, "at": "2026-01-05T00:00:00Z"} for line in setup]
        assert not ledger.execute([c.parse_command(json.dumps(line)) for line in dated]).rejected
        result = ledger.execute([c.parse_command(json.dumps(line)) for line in batch],
                                acting=Acting("lea", "api", server.index))
        assert result.accepted == [0, 1]
        assert [(i, rule.split(":")[0]) for i, rule, _ in result.forbidden] == [(2, "RecordReading")]
    finally:
        server.close()


def test_a_command_naming_a_team_comes_from_that_team() -> None:
    """A proposition or canvas names the team it is for; the rule says so (docs/brief.md §10: it makes the team
    concerned with the client, so nobody names another's team)."""
    for command in (c.DefineValueProposition, c.DrawStrategyCanvas):
        assert rule_name(command.__name__, RULES[command]) == (
            f"{command.__name__}: any team member (naming a team, only a member of the named team), council")
