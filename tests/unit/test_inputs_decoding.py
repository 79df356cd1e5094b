"""The shared decoder (``domain.json_input``) on its own: every spelling of a repeated key, NUL in
any string (a field typed plain ``str`` too), the size cap, and line reading that never holds a
long line whole."""

from __future__ import annotations

import io
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, ValidationError

from domain.commands import Command, describe_errors, parse_command
from domain.json_input import MAX_INPUT_BYTES, OversizeInput, decode_json, read_lines


class FreeText(Command):
    """A command as another module might add it, with fields typed plain ``str``."""

    type: Literal["FreeText"]
    free: str
    tags: list[str] = Field(default_factory=list)


def reason(raw: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_command(raw)
    return describe_errors(caught.value)


@pytest.mark.parametrize("raw, field", [
    (b'{"type":"FormTeam","team":"a","team":"b","name":"x"}', "team"),
    (b'{"type":"FormTeam","team" :"a","team":"b","name":"x"}', "team"),
    (b'{"type":"FormTeam",\n "team"\t: "a",\n "te\\u0061m": "b", "name": "x"}', "team"),
    (b'{"type":"FormTeam","team":"a\\":","team":"b","name":"x"}', "team"),
    (b'{"type":"ScoreOffering","canvas":"c","offering":"o","scores":{"q":1,"q":2}}', "q"),
    (b'{"type":"CounterPropose","promise":"p","changes":{"target":1,"target":2}}', "target"),
])
def test_every_spelling_of_a_repeated_key_is_refused(raw: bytes, field: str) -> None:
    assert f"{field}: duplicate key" in reason(raw)


def test_the_same_key_in_different_objects_is_fine() -> None:
    parse_command(b'{"type":"CounterPropose","promise":"p","changes":{"statement":"s"},"reason":"promise"}')
    parse_command(b'{"type":"ScoreOffering","canvas":"c","offering":"o","scores":{"canvas":1,"offering":2}}')


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 10), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_any_distinct_keys_pass_and_any_repeat_is_caught(scores: dict[str, int]) -> None:
    import json
    body = ",".join(f"{json.dumps(k)}:{v}" for k, v in scores.items())
    raw = f'{{"type":"ScoreOffering","canvas":"c","offering":"o","scores":{{{body}}}}}'.encode()
    try:
        parse_command(raw)
    except ValidationError as error:
        assert "duplicate key" not in describe_errors(error)  # refused for another reason (a key's own rules)
    first = json.dumps(next(iter(scores)))
    repeated = raw[:-2] + f",{first}:1}}}}".encode()
    with pytest.raises(ValidationError):
        parse_command(repeated)


def test_nul_is_refused_in_any_string_even_of_a_plain_str_field() -> None:
    for raw, where in [(b'{"type":"FreeText","free":"a\\u0000b"}', "free"),
                       (b'{"type":"FreeText","free":"a","tags":["ok","\\u0000"]}', "tags.1")]:
        with pytest.raises(ValidationError) as caught:
            decode_json(raw, FreeText.model_validate_json)
        assert describe_errors(caught.value) == f"{where}: must not contain U+0000 (NUL)"
    assert decode_json(b'{"type":"FreeText","free":"a\\\\u0000"}', FreeText.model_validate_json).free == "a\\u0000"


def test_size_cap_counts_the_document_not_its_line_end() -> None:
    body = b'{"type":"FormTeam","team":"a","name":"x"'
    exact = body + b" " * (MAX_INPUT_BYTES - len(body) - 1) + b"}"
    assert parse_command(exact + b"\r\n").team == "a"
    assert "over the limit" in reason(exact[:-1] + b" }")


def test_read_lines_keeps_only_the_head_of_a_long_line() -> None:
    long_line = b"x" * (3 * MAX_INPUT_BYTES)
    stream = io.BytesIO(b"one\n" + long_line + b"\r\n" + b"two\n" + long_line)
    lines = list(read_lines(stream))
    assert lines[0] == b"one\n" and lines[2] == b"two\n"
    for oversize in (lines[1], lines[3]):
        assert isinstance(oversize, OversizeInput)
        assert oversize.size == 3 * MAX_INPUT_BYTES and len(oversize) == 1024
