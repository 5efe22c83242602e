"""The committed example self-evaluations (examples/selfeval/, from examples/selfeval.toml): exactly the findings
each is meant to have, and what the generator makes today (compared semantically, as the template is)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.selfeval_cases import FORM
from xltools.engine import check_file
from xltools.template import semantic_dump

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))
import make_selfeval_examples as make  # noqa: E402

CASES = make.forms()


def _cell(where: str) -> str:
    if ":" in where:
        column, index = where.split(":")
        return FORM.tables["indicators"].cell(column, int(index))
    return FORM.fields[where].cell if where in FORM.fields else FORM.checks[where].cell


def committed(case: dict[str, object]) -> Path:
    from xltools.template.selfeval import selfeval_filename

    return EXAMPLES / "selfeval" / selfeval_filename(make.project(case))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_example_has_exactly_its_findings(case: dict[str, object]) -> None:
    found = check_file(committed(case)).findings
    expected = [(code, _cell(where)) for code, where in case["expect"]]  # type: ignore[attr-defined]
    assert sorted((f.code, f.cell) for f in found) == sorted(expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_committed_example_is_what_the_generator_makes(case: dict[str, object], tmp_path: Path) -> None:
    fresh = make.write(case, tmp_path)
    assert semantic_dump(fresh) == semantic_dump(committed(case))


def test_the_examples_are_one_complete_one_with_shortfalls_one_with_errors() -> None:
    assert [c["id"] for c in CASES] == ["worked", "complete", "shortfalls", "errors"]
    assert {c["base"] for c in CASES if "base" in c} == {"ipo-patent", "samr-redshield", "samr-quality-award"}
