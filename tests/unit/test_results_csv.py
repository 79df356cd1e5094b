"""A CSV file of results as the experiment page reads it, and the experiment forms' commands from typed fields."""

from __future__ import annotations

import pytest

from web.experiment_commands import propose_command, summary_command
from web.results_csv import MAX_BYTES, MAX_ROWS, BadUpload, observations


def test_rows_with_or_without_a_header_become_observations_with_their_row_numbers() -> None:
    bare, rows = observations(b"control,1.5\n\ntreatment,2,revenue,0.5\n", "e")
    assert bare == [{"type": "RecordObservation", "experiment": "e", "arm": "control", "value": 1.5},
                    {"type": "RecordObservation", "experiment": "e", "arm": "treatment", "value": 2.0,
                     "metric": "revenue", "covariate": 0.5}]
    assert rows == [1, 3]
    headed, rows = observations("\ufeffValue,Arm,covariate\n3,control,\n4,treatment,1\n".encode(), "e")
    assert [(c["arm"], c["value"], c.get("covariate")) for c in headed] == [("control", 3.0, None),
                                                                          ("treatment", 4.0, 1.0)]
    assert rows == [2, 3]


def test_a_value_that_is_no_number_is_passed_on_for_the_command_to_name() -> None:
    (command,), _ = observations(b"arm,value\ncontrol,ten\n", "e")
    assert command["value"] == "ten"


@pytest.mark.parametrize(("data", "said"), [
    (b"control\n", "row 1: 1 values; expected arm, value"),
    (b"control,1\ntreatment,2,m,1,extra\n", "row 2: 5 values"),
    (b"arm,value,colour\n", "row 1: the header names arm, value, colour"),
    (b"\xff\xfe", "not UTF-8"),
    (b"arm,value\n", "no rows of results"),
    (b'control,"1\n', "row 1: not CSV"),
])
def test_a_file_of_the_wrong_shape_is_refused_naming_the_row(data: bytes, said: str) -> None:
    with pytest.raises(BadUpload) as refused:
        observations(data, "e")
    assert said in str(refused.value) and refused.value.status == 422


def test_too_large_or_too_long_a_file_is_refused_with_413() -> None:
    with pytest.raises(BadUpload) as refused:
        observations(b"c,1\n" * (MAX_BYTES // 4 + 1), "e")
    assert refused.value.status == 413 and "1 MiB" in str(refused.value)
    with pytest.raises(BadUpload) as refused:
        observations(b"c,1\n" * (MAX_ROWS + 1), "e")
    assert refused.value.status == 413 and f"row {MAX_ROWS + 1}: more than 50,000 rows" in str(refused.value)
    assert len(observations(b"arm,value\n" + b"c,1\n" * MAX_ROWS, "e")[0]) == MAX_ROWS


def test_the_propose_form_types_lists_one_item_a_comma_or_line_and_leaves_defaults_out() -> None:
    form = {"experiment": "e1", "hypothesis": " Boxes help ", "metric": "m", "design": "ab", "arms": "a,\n b , c",
            "guardrails": "", "weights": "1, 2,x", "alpha": "0.1", "mde": "", "engine": "bayesian",
            "prior_stddev": "0.2"}
    assert propose_command("t", form) == {
        "type": "ProposeExperiment", "team": "t", "design": "ab", "experiment": "e1", "hypothesis": "Boxes help",
        "metric": "m", "engine": "bayesian", "arms": ["a", "b", "c"], "weights": [1.0, 2.0, "x"], "alpha": 0.1,
        "prior": {"mean": 0.0, "stddev": 0.2}}


def test_an_arm_summary_is_its_sufficient_statistics() -> None:
    command = summary_command("e", {"arm": "control", "n": "4", "mean": "2.5", "sd": "2"})
    assert (command["n"], command["sum"], command["sum_squares"]) == (4, 10.0, 3 * 4 + 4 * 6.25)
    for form, said in (({"n": "4.5", "mean": "1", "sd": "1"}, "n must be a whole number"),
                       ({"n": "4", "mean": "x", "sd": "1"}, "mean must be a number"),
                       ({"n": "4", "mean": "1", "sd": "-1"}, "standard deviation must not be negative")):
        with pytest.raises(ValueError, match=said):
            summary_command("e", {"arm": "a", **form})
