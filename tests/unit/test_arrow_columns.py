"""Columns built from buffers hold what ``pa.array`` would make of the same values, nulls included."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from projections.arrow_columns import column, text

CASES: list[tuple[pa.DataType, list[Any]]] = [
    (pa.string(), ["a", None, "Ünïcode", "", "x" * 100]),
    (pa.large_string(), [None, "b", "c"]),
    (pa.int64(), [1, None, -(2**62), 0]),
    (pa.int32(), [None, 7, -3]),
    (pa.float64(), [1.5, None, 2, -0.0]),
    (pa.bool_(), [True, False, None, True, True, False, False, False, True]),
]


@pytest.mark.parametrize(("kind", "values"), CASES)
def test_a_column_equals_pa_array(kind: pa.DataType, values: list[Any]) -> None:
    for some in (values, [v for v in values if v is not None], []):
        built = column(some, kind)
        assert built.type == kind and built.to_pylist() == pa.array(some, kind).to_pylist()
        assert built.equals(pa.array(some, kind))


def test_stored_states_stay_bytes_checked_as_utf8() -> None:
    assert text([b'{"a": 1}', b"{}"]).to_pylist() == ['{"a": 1}', "{}"]
    with pytest.raises(pa.ArrowInvalid):
        text([b"\xff"])


@pytest.mark.parametrize(("kind", "value"), [(pa.string(), 1), (pa.bool_(), "yes"), (pa.int64(), "1")])
def test_a_value_of_another_type_is_refused(kind: pa.DataType, value: Any) -> None:
    with pytest.raises(TypeError):
        column([value], kind)
