"""The answer cache after a forget: a views file's generations only grow, and an answer read from a file replaced
since (a thread that began reading before the forget and ends after it) is neither kept nor served, nor does it
clear the new file's answers or bring the old file's back."""

from __future__ import annotations

from domain.service.answers import MISS, AnswerCache


def test_an_older_generations_put_neither_clears_the_newer_answers_nor_is_served() -> None:
    cache = AnswerCache(size=8)
    cache.put("team k", 5, 1, "read on the new file")
    cache.put("team k", 5, 0, "read on the replaced file")  # its thread still read the old file
    cache.put("team j", 5, 0, "read on the replaced file")
    assert cache.get("team k", 5, 1) == "read on the new file"
    assert cache.get("team j", 5, 1) is MISS


def test_an_older_generations_get_misses_without_clearing() -> None:
    cache = AnswerCache(size=8)
    cache.put("team k", 5, 1, "read on the new file")
    assert cache.get("team k", 5, 0) is MISS
    assert cache.get("team k", 5, 1) == "read on the new file"


def test_an_older_generations_answer_is_computed_each_time_and_never_kept() -> None:
    cache = AnswerCache(size=8)
    cache.put("team k", 5, 1, "read on the new file")
    computed: list[str] = []

    def compute() -> str:
        computed.append("old")
        return "read on the replaced file"

    assert cache.answer("team j", 5, 0, compute) == "read on the replaced file"
    assert cache.answer("team j", 5, 0, compute) == "read on the replaced file"
    assert computed == ["old", "old"]
    assert cache.get("team j", 5, 1) is MISS and cache.get("team k", 5, 1) == "read on the new file"
    assert cache.get("team k", 5, 2) is MISS  # a newer generation drops every answer before it
    assert cache.get("team k", 5, 1) is MISS
