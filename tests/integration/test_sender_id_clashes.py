"""The operator's line id ``ann/r1`` names the same reading as ann's own id ``r1`` (a person's ids are scoped
``PERSON/ID``). The second insert clashed in the store, was retried as a write conflict 16 times and then
failed the whole batch: every good line of the operator's import chunk lost (the import died with a traceback),
or ann's array answered 409 "try again" forever. Now the one line is refused, naming its id."""

from __future__ import annotations

from domain.commands import parse_command
from domain.metric import Reading
from domain.service.batch import Acting
from domain.service.ledger import Ledger
from domain.team import Team
from scripts.import_file import import_lines

SETUP = [
    '{"type":"FormTeam","team":"t1","name":"T1","at":"2026-01-01T00:00:00Z"}',
    '{"type":"AddMember","team":"t1","person":"ann","role":"ops","lead":true,"at":"2026-01-01T00:00:00Z"}',
    '{"type":"DefineMetric","metric":"m1","name":"M","unit":"u","direction":"higher_is_better","owner":"t1",'
    '"at":"2026-01-01T00:00:00Z"}',
]


def _import(ledger: Ledger, *lines: str) -> dict[str, object]:
    return import_lines(ledger, [line.encode() + b"\n" for line in lines]).to_dict()


def _as_ann(ledger: Ledger, *lines: str) -> object:
    return ledger.execute([parse_command(line) for line in lines], acting=Acting("ann", "api"))


def test_an_operator_id_naming_a_persons_record_is_refused_alone(ledger: Ledger) -> None:
    assert _import(ledger, *SETUP)["rejected"] == 0
    _as_ann(ledger, '{"type":"RecordReading","metric":"m1","value":1,"id":"r1"}')
    imported = _import(ledger, '{"type":"FormTeam","team":"t2","name":"T2"}',
                       '{"type":"RecordReading","metric":"m1","value":2,"id":"ann/r1"}',
                       '{"type":"FormTeam","team":"t3","name":"T3"}')
    assert (imported["accepted"], imported["rejected"]) == (2, 1)
    assert imported["errors"] == [{"line": 2, "reason": "RecordReading: reading 'ann/r1' already exists: id "
                                   "'ann/r1' names a record another sender made; use another id"}]
    assert ledger.state(Team, "t2") is not None and ledger.state(Team, "t3") is not None
    reading = ledger.state(Reading, "ann/r1")
    assert reading is not None and reading.value == 1


def test_a_persons_id_naming_an_operators_record_is_refused_alone(ledger: Ledger) -> None:
    _import(ledger, *SETUP, '{"type":"RecordReading","metric":"m1","value":3,"id":"ann/r2"}')
    result = _as_ann(ledger, '{"type":"RecordReading","metric":"m1","value":4,"id":"r2"}',
                     '{"type":"RecordReading","metric":"m1","value":5,"id":"r3"}')
    assert result.accepted == [1] and [index for index, _ in result.rejected] == [0]  # type: ignore[attr-defined]
    assert ledger.state(Reading, "ann/r3") is not None
    kept = ledger.state(Reading, "ann/r2")
    assert kept is not None and kept.value == 3
    again = _as_ann(ledger, '{"type":"RecordReading","metric":"m1","value":5,"id":"r3"}')  # her retry: skipped
    assert again.skipped == [0]  # type: ignore[attr-defined]
