"""``projections.suggestions.nearest_keys``: the "did you mean" choice among the keys a reader may see."""

from __future__ import annotations

from projections.suggestions import nearest_keys, not_found


def test_the_nearest_keys_come_closest_first_and_case_does_not_count() -> None:
    known = ["delivery", "delivery-north", "kitchen", "bakery"]
    assert nearest_keys("delivry", known) == ["delivery", "delivery-north"]
    assert nearest_keys("KITCHEN", known) == ["kitchen"]
    assert nearest_keys("warehouse", known) == []


def test_at_most_three_and_never_the_key_itself() -> None:
    known = [f"team-{n}" for n in range(10)]
    assert len(nearest_keys("team-x", known)) == 3
    assert nearest_keys("team-1", ["team-1"]) == []


def test_the_sentence_names_the_suggestions() -> None:
    sentence = not_found("team", "x", "2026-01-01", ["y", "z"])
    assert sentence == "team 'x' not found as of 2026-01-01; did you mean 'y', 'z'?"
    assert not_found("promise", "p") == "promise 'p' not found"
