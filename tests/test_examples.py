"""The shipped examples: the five approved forms pass with exactly their known warnings; every faulty and
adversarial file yields exactly the findings it was made for."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from xltools import spec
from xltools.engine import check_file
from xltools.reader import read_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))
import make_examples  # noqa: E402

S = spec.build()
RETURNS = sorted((EXAMPLES / "returns").glob("*.xlsx"))
FAULTY_CASES = tomllib.loads((EXAMPLES / "faulty.toml").read_text(encoding="utf-8"))["form"]
SEED_IDS = [form["id"] for form in make_examples.seeds().values()]


def cell_of(location: str) -> str:
    """A faulty.toml location ("total_budget" or "indicators.5.level1") as an A1 address."""
    if "." in location:
        table, row, column = location.split(".")
        return S.tables[table].cell(column, int(row) - 1)
    return S.fields[location].cell


# Warnings a reviewer would raise on the approved forms: no errors at all.
SEED_WARNINGS = {
    "01": [("indicator-duplicate", "C72")],
    "02": [("prior-execution-low", "D18"), ("target-vague", "D70")],
    "03": [("target-vague", "D75"), ("target-vague", "D78")],
    "04": [("target-no-operator", c) for c in ("D63", "D71", "D72", "D73", "D74", "D75")]
    + [("target-vague", "D79"), ("target-vague", "D80")],
    "05": [("prior-execution-low", "D18"), ("target-no-operator", "D61")]
    + [("target-vague", c) for c in ("D64", "D65", "D66", "D69", "D71")],
}


def test_five_seed_forms_are_shipped() -> None:
    assert [p.name[:2] for p in RETURNS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", RETURNS, ids=lambda p: p.name[:2])
def test_seed_forms_have_no_errors_and_exactly_their_warnings(path: Path) -> None:
    result = check_file(path)
    assert result.report.errors == []
    assert result.report.codes() == SEED_WARNINGS[path.name[:2]]
    assert {f.severity for f in result.findings} <= {"warning"}


@pytest.mark.parametrize("case", FAULTY_CASES, ids=lambda c: c["id"])
def test_faulty_form_yields_exactly_its_findings(case: dict[str, object]) -> None:
    base = RETURNS[SEED_IDS.index(str(case["base"]))]
    base_codes = set(check_file(base).report.codes())
    codes = check_file(EXAMPLES / "faulty" / f"{case['id']}.xlsx").report.codes()
    added = sorted(set(codes) - base_codes)
    assert added == sorted((code, cell_of(loc)) for code, loc in case["expect"])  # type: ignore[attr-defined]


def test_faulty_forms_cover_every_single_form_rule() -> None:
    codes = {code for case in FAULTY_CASES for code, _loc in case["expect"]}
    from xltools.findings import BATCH_CODES, CODES, SELFEVAL_CODES

    # framework-changed is about the file's template and framework, not its values: tests/test_framework_changed.py;
    # the self-evaluation's own codes: tests/test_selfeval.py
    per_file = {"file-unreadable", "template-mismatch", "framework-changed"} | BATCH_CODES | SELFEVAL_CODES

    assert codes == set(CODES) - per_file


ADVERSARIAL = {
    "empty.xlsx": [("file-unreadable", "", "")],
    "not-a-workbook.xlsx": [("file-unreadable", "", "")],
    "truncated.xlsx": [("file-unreadable", "", "")],
    "encrypted.xlsx": [("file-unreadable", "", "")],
    "sheet-renamed.xlsx": [("template-mismatch", "", "")],
    "rows-inserted.xlsx": [("template-mismatch", "申报表", f"A{S.tables['indicators'].title_row}")],
    # The typed HYPERLINK stays text (the project name is kept as typed); the formula in a money cell is
    # invalid, and without a number there the total-vs-annual check stays silent.
    "formula-typed.xlsx": [("amount-invalid", "申报表", "B17"), ("indicator-duplicate", "申报表", "C72")],
    "libreoffice-resaved.xlsx": [("indicator-duplicate", "申报表", "C72")],
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_files(name: str) -> None:
    result = check_file(EXAMPLES / "faulty" / name)
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == ADVERSARIAL[name]


def test_formula_typed_into_text_field_is_read_as_text() -> None:
    decl = read_file(EXAMPLES / "faulty" / "formula-typed.xlsx").declaration
    assert decl is not None
    assert decl["project"].value == '=HYPERLINK("http://example.invalid","点击查看")'


def test_every_example_file_is_covered_by_a_test() -> None:
    faulty = {p.name for p in (EXAMPLES / "faulty").iterdir()}
    assert faulty == {f"{c['id']}.xlsx" for c in FAULTY_CASES} | set(ADVERSARIAL)


def test_committed_examples_match_the_data_files(tmp_path: Path) -> None:
    """examples/*.toml and the committed workbooks agree: regenerate and compare what the reader sees."""
    make_examples.write_value_forms(tmp_path / "returns", tmp_path / "faulty")
    for fresh in sorted(tmp_path.rglob("*.xlsx")):
        committed = EXAMPLES / fresh.parent.name / fresh.name
        a, b = read_file(fresh).declaration, read_file(committed).declaration
        assert a is not None and b is not None
        assert (a.fields, a.subprojects, a.indicators) == (b.fields, b.subprojects, b.indicators), fresh.name


# One returned form per template version ever shipped, with the findings it gets at its own addresses: the same
# approved form (05, 上海市政府质量奖) on each version. Version 2 added the status line (one row lower); version 3
# put the long texts under their labels (the amounts four rows lower, 分解目标 seven).
VERSIONS = EXAMPLES / "versions"
VERSION_FORMS = {
    "1": VERSIONS / "v1_05_上海市市场监督管理局_上海市政府质量奖.xlsx",
    "2": VERSIONS / "v2_05_上海市市场监督管理局_上海市政府质量奖.xlsx",
    "3": RETURNS[4],
}
VERSION_FINDINGS = {
    "1": [("prior-execution-low", "D13"), ("target-no-operator", "D53")]
    + [("target-vague", c) for c in ("D56", "D57", "D58", "D61", "D63")],
    "2": [("prior-execution-low", "D14"), ("target-no-operator", "D54")]
    + [("target-vague", c) for c in ("D57", "D58", "D59", "D62", "D64")],
    "3": SEED_WARNINGS["05"],
}


def test_every_supported_version_has_a_returned_form() -> None:
    assert sorted(p.name.split("_")[0] for p in VERSIONS.glob("*.xlsx")) == [
        f"v{v}" for v in spec.SUPPORTED_VERSIONS if v != spec.TEMPLATE_VERSION]
    assert spec.TEMPLATE_VERSION == "3"  # the current version's forms are examples/returns
    assert set(VERSION_FORMS) == set(spec.SUPPORTED_VERSIONS)


@pytest.mark.parametrize("version", spec.SUPPORTED_VERSIONS)
def test_every_version_is_read_and_checked_at_its_own_cells(version: str) -> None:
    result = check_file(VERSION_FORMS[version])
    assert result.declaration is not None and result.declaration.template_version == version
    assert result.report.codes() == VERSION_FINDINGS[version]
    # The same form on today's template: the same values and the same messages, only the cells differ.
    current = check_file(VERSION_FORMS[spec.TEMPLATE_VERSION])
    assert [f.message for f in result.findings] == [f.message for f in current.findings]
    old, new = result.declaration, current.declaration
    assert new is not None
    assert {k: cv.value for k, cv in old.fields.items()} == {k: cv.value for k, cv in new.fields.items()}
    assert [(i.level3.value, i.target.value) for i in old.indicators] == [
        (i.level3.value, i.target.value) for i in new.indicators]
    assert {k: cv.cell for k, cv in old.fields.items()} == {k: f.cell for k, f in spec.build(version).fields.items()
                                                              if k in old.fields}
