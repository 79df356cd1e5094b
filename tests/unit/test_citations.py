"""Comments and docstrings cite the project's own documents: ``docs/brief.md §N`` names a section that
exists there, and no comment cites a brief the repository does not hold."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("domain", "projections", "consumers", "scripts", "web", "bench", "tests")
CITATION = re.compile(r"docs/brief\.md §(\d+)")


def python_sources() -> list[Path]:
    return [path for folder in SOURCES for path in sorted((ROOT / folder).rglob("*.py"))]


def brief_sections() -> set[str]:
    text = (ROOT / "docs" / "brief.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## (\d+)\. ", text, re.MULTILINE))


def test_every_citation_names_a_section_of_the_brief() -> None:
    sections = brief_sections()
    assert {"4", "5", "6"} <= sections
    cited = {(path.relative_to(ROOT).as_posix(), number) for path in python_sources()
             for number in CITATION.findall(path.read_text(encoding="utf-8"))}
    assert cited, "the code cites the brief somewhere"
    assert sorted(c for c in cited if c[1] not in sections) == []


def test_no_citation_of_a_brief_outside_the_repository() -> None:
    outside = re.compile(r"\bBRIEF\b")  # how comments cited the brief before it moved into docs/
    found = [path.relative_to(ROOT).as_posix() for path in python_sources()
             if path != Path(__file__).resolve() and outside.search(path.read_text(encoding="utf-8"))]
    assert found == []
