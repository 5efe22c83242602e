"""Frameworks in a real spreadsheet client: in LibreOffice the 二级 dropdown of a template lists exactly its
framework's 二级 after a 一级 is chosen (for 一级 texts that are no valid Excel names too), and the example form of
each framework renders with its indicators (the pictures in docs/)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests import libreoffice as lo
from tests.test_frameworks import ALL, EXAMPLES, ROOT, framework_of
from xltools import spec
from xltools.template import build_template

pytestmark = pytest.mark.libreoffice

IND = spec.build().tables["indicators"]
BOUNDARY = IND.first_row + IND.visible - 1
# One row in each validation segment of the table (first visible rows, the last visible row, the hidden rows).
ROWS = (IND.first_row, IND.first_row + 5, BOUNDARY, BOUNDARY + 1, IND.last_row)

UNO_SCRIPT = r'''
import json, re, sys
from libreoffice import file_url, props, uno_session

jobs = json.load(open(sys.argv[1], encoding="utf-8"))
out = {}
with uno_session() as desktop:
    for name, job in jobs.items():
        doc = desktop.loadComponentFromURL(file_url(job["path"]), "_blank", 0, props(Hidden=True))
        try:
            sheet = doc.Sheets.getByName(job["sheet"])
            sheet.unprotect(job["password"])  # to type the helper formulas; the validations are as loaded
            found = []
            for row, level1 in job["rows"]:
                sheet.getCellRangeByName("A%d" % row).setString(level1)
                entry = {"row": row}
                for col, key in (("A", "level1"), ("B", "level2")):
                    validation = sheet.getCellRangeByName("%s%d" % (col, row)).Validation
                    # Formula1 comes relative to the validation's source cell: move its relative rows to this row.
                    delta = row - (validation.getSourcePosition().Row + 1)
                    formula = re.sub(r"\$([A-Z]+)(\d+)", lambda m: "$%s%d" % (m.group(1), int(m.group(2)) + delta),
                                     validation.getFormula1())
                    helper = sheet.getCellRangeByName("%s%d" % ("Y" if col == "A" else "Z", row))
                    helper.setFormula('=TEXTJOIN("|";1;%s)' % formula)
                    entry[key] = {"type": validation.Type.value, "formula": formula}
                doc.calculateAll()
                for col, key in (("Y", "level1"), ("Z", "level2")):
                    entry[key]["items"] = sheet.getCellRangeByName("%s%d" % (col, row)).getString()
                found.append(entry)
            out[name] = found
        finally:
            doc.close(True)
print(json.dumps(out, ensure_ascii=False))
'''


@pytest.fixture(scope="module")
def dropdowns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("dropdowns")
    jobs = {}
    for framework_id in ALL:
        fw = framework_of(framework_id)
        path = tmp / f"{framework_id}.xlsx"
        build_template(framework=fw).save(path)
        # Each 一级 in turn, cycling through the table's segments; then a blank 一级.
        rows = [(ROWS[i % len(ROWS)] + i // len(ROWS), level1) for i, level1 in enumerate(fw.level1)]
        rows.append((IND.first_row + 10, ""))
        jobs[framework_id] = {"path": str(path), "sheet": spec.FORM_SHEET, "password": spec.DEFAULT_PASSWORD,
                              "rows": rows}
    (tmp / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    (tmp / "dropdowns.py").write_text(UNO_SCRIPT, encoding="utf-8")
    return json.loads(lo.run_uno_script(tmp / "dropdowns.py", str(tmp / "jobs.json")).stdout)


@pytest.mark.parametrize("framework_id", ALL)
def test_the_level2_dropdown_lists_the_frameworks_level2_after_its_level1(dropdowns: dict[str, Any],
                                                                          framework_id: str) -> None:
    fw = framework_of(framework_id)
    found = dropdowns[framework_id]
    assert len(found) == len(fw.level1) + 1
    for entry, (level1, level2) in zip(found, fw.levels.items(), strict=False):
        row = entry["row"]
        assert entry["level1"] == {"type": "LIST", "formula": "xlt_level1", "items": "|".join(fw.level1)}
        assert entry["level2"] == {"type": "LIST", "formula": f'INDIRECT("xlt_l2_"&MATCH($A{row};xlt_level1;0))',
                                   "items": "|".join(level2)}, level1
    blank = found[-1]
    assert blank["level2"]["items"] == "#N/A"  # no 一级 chosen: the 二级 dropdown offers nothing


def test_rows_cover_every_validation_segment(dropdowns: dict[str, Any]) -> None:
    rows = {entry["row"] for found in dropdowns.values() for entry in found}
    assert {IND.first_row, BOUNDARY, BOUNDARY + 1, IND.last_row} <= rows


@pytest.fixture(scope="module")
def example_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    forms = [EXAMPLES / "frameworks" / f"{framework_id}.xlsx" for framework_id in ALL]
    return {p.stem: p for p in lo.to_pdf(forms, tmp_path_factory.mktemp("pdf"))}


@pytest.mark.parametrize("framework_id", ALL)
def test_each_frameworks_example_renders_with_its_indicators(example_pdfs: dict[str, Path],
                                                             framework_id: str) -> None:
    from tests.test_frameworks import FORMS

    pages = lo.pdf_text(example_pdfs[framework_id]).split("\f")
    (page,) = [p for p in pages if IND.title in p]
    lines = [re.sub(r"\s+", " ", line).strip() for line in page.splitlines()]
    for row in FORMS[framework_id]["indicators"]:
        expected = f"{row['level1']} {row['level2']} {row['level3']} {row['target']}"
        assert expected in lines, expected
    png = ROOT / "docs" / f"template-{framework_id}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
