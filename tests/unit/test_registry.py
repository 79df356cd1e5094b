"""One place per command (``domain.registry``): every table derived from it is complete and agrees.

A command model without a handler, a handler without a rule, a type missing from the union or the
README's import table, or a command module without its mirrored handler module fails here.
"""

from __future__ import annotations

import inspect
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path

from eventsourcing.application import AggregateNotFoundError

import domain.commands
import domain.handlers
from domain import commands as c
from domain.audit import Audit
from domain.client import Client
from domain.feedback import Feedback
from domain.handlers import HANDLERS
from domain.person import Person
from domain.personal_data import Sealer, is_sealed
from domain.policy import RULES
from domain.registry import REGISTRY, personal_subjects
from domain.service.unit_of_work import UnitOfWork
from domain.stores.subject_keys import MemorySubjectKeys
from projections.columnar import sealed_columns
from projections.tables import FACTS

README = Path(__file__).resolve().parents[2] / "README.md"
SHARED = {"fields", "keys"}  # the shared field types and the key helper mirror nothing


def modules(package: object) -> set[str]:
    return {info.name for info in pkgutil.iter_modules(package.__path__)} - SHARED  # type: ignore[attr-defined]


def command_models() -> set[type[c.Command]]:
    """Every concrete command model defined in domain.commands' step modules (those with a ``type`` tag)."""
    found = set()
    for name in modules(domain.commands):
        module = __import__(f"domain.commands.{name}", fromlist=["_"])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, c.Command) and cls.__module__ == module.__name__ and "type" in cls.model_fields:
                found.add(cls)
    return found


def test_every_command_model_has_a_handler_a_rule_and_a_place_in_the_union() -> None:
    models = command_models()
    assert len(models) > 35
    assert set(REGISTRY) == models
    assert set(HANDLERS) == models and set(RULES) == models
    assert set(c.COMMAND_TYPES) == {m.__name__ for m in models}
    assert {type(c.COMMAND_ADAPTER.validate_python({"type": "FormTeam", "team": "t", "name": "T"}))} == {c.FormTeam}
    for model in models:
        assert model.model_fields["type"].annotation.__args__ == (model.__name__,)  # type: ignore[union-attr]
        assert getattr(c, model.__name__) is model  # every model is a public name of domain.commands


def test_command_and_handler_modules_mirror_each_other_by_name() -> None:
    assert modules(domain.commands) == modules(domain.handlers)
    for model, registration in REGISTRY.items():
        step = model.__module__.rpartition(".")[2]
        assert registration.handler.__module__ == f"domain.handlers.{step}", model.__name__


def test_personal_fields_are_declared_on_the_fields_and_derived_everywhere() -> None:
    personal = {m.__name__: tuple(c.personal_fields(m)) for m in REGISTRY if c.personal_fields(m)}
    assert personal == {"IdentifyClient": ("name", "description"), "RecordFeedback": ("text",),
                        "RegisterPerson": ("name", "email")}
    assert (Client.PERSONAL_FIELDS, Person.PERSONAL_FIELDS, Feedback.PERSONAL_FIELDS) == (
        ("name", "description"), ("name", "email"), ("text",))
    assert Feedback.LATER_PERSONAL_FIELDS == ("resolution", "response")  # the answers, sealed by their handlers
    assert {cols for cols in sealed_columns().values()} == {(("feedback", "text"),),
                                                            (("feedback_resolutions", "resolution"),)}
    for columns in sealed_columns().values():
        for table, column in columns:
            assert column in [name for name, _ in FACTS[table].columns]


def test_a_handler_is_given_its_command_with_the_personal_fields_sealed() -> None:
    commands = [c.COMMAND_ADAPTER.validate_python(line) for line in (
        {"type": "IdentifyClient", "client": "diner", "name": "Diner Ltd", "kind": "external"},
        {"type": "RegisterPerson", "person": "ann", "name": "Ann"},
        {"type": "FormTeam", "team": "kitchen", "name": "Kitchen"},
    )]
    assert personal_subjects(commands) == {"client:diner", "person:ann"}
    uow = UnitOfWork(_Nothing(), Sealer(MemorySubjectKeys(), personal_subjects(commands)))
    for command in commands:
        HANDLERS[type(command)](uow, command, Audit(at=datetime(2026, 1, 5, tzinfo=UTC), actor=None))
    client = uow.find(Client, "diner")
    person = uow.find(Person, "ann")
    assert client is not None and person is not None
    assert is_sealed(client.name) and is_sealed(client.description) and is_sealed(person.name)
    assert person.email is None  # an absent optional field stays absent
    assert not any("Diner Ltd" in repr(event.__dict__) for event in uow.events)


def test_the_readme_import_table_lists_every_command_type() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Import format"):text.index("## People, authority")]
    rows = [line.split("|")[2] for line in table.splitlines() if line.startswith("| ")]
    listed = {name for cell in rows for name in re.findall(r"`(\w+)`", cell)} - {"type"}
    assert listed == set(c.COMMAND_TYPES)


class _Nothing:
    """A repository that holds nothing: the unit of work makes every aggregate."""

    def get(self, aggregate_id: object) -> object:
        raise AggregateNotFoundError(aggregate_id)

