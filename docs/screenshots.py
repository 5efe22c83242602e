"""Regenerate the pictures in docs/ as LibreOffice prints them (page PNGs; needs `make libreoffice`).

    .venv/bin/python docs/screenshots.py

* docs/template.png      page 1 of the blank template: the status line says nothing is filled in yet, required
                         cells carry the calm "to fill" tint;
* docs/half-filled.png   page 1 of a form being filled in: the cells still to fill keep the tint and are counted
                         apart ("还有 … 项必填未填"), only a wrong value is red;
* docs/live-checks.png   page 1 of a filled form with mistakes the template's own formulas catch (no Python):
                         cells red or orange, the status line counting them and naming the first;
* docs/explanations.png  the same form's 自查说明 page: each rule with problems, in the engine's words, its first
                         cells and its count;
* docs/annotated.png, docs/annotated-results.png
                         the annotated copy the bureau sends back (`xltools check --annotate`), printed: page 1 with
                         the program's verdict in the status line, and the 校验结果 page with the same verdict.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import make_examples  # noqa: E402

from tests import libreoffice as lo  # noqa: E402
from xltools.annotate import annotate  # noqa: E402
from xltools.engine import check_file  # noqa: E402

DOCS = ROOT / "docs"
# The seed form of 上海市政府质量奖 with mistakes a unit makes: a pasted choice, dates out of order, an annual
# budget above the total that no longer matches its sub-projects, and a low prior-year execution.
MISTAKES = {
    "category": "政府购买服务、资产购置类",
    "start": dt.date(2019, 12, 31),
    "end": dt.date(2019, 1, 1),
    "total_budget": 7_000_000,
    "prior_executed": 5_100_000,
}
SEED = make_examples.form_values(make_examples.seeds()["samr-quality-award"])
# Half way through: the first lines, two paragraphs, the amounts (the annual one above the total by mistake) and the
# first sub-projects; the rest still to fill.
HALF = {key: SEED[key] for key in ("unit", "project", "project_type", "category", "start", "end", "overview",
                                   "basis")}
HALF |= {"total_budget": 7_000_000, "annual_budget": 7_200_000, "subprojects": SEED["subprojects"][:2]}


def page_of(pdf: Path, text: str) -> int:
    """The first page of ``pdf`` that shows ``text``."""
    return next(i for i, page in enumerate(lo.pdf_text(pdf).split("\f"), start=1) if text in page)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        blank = ROOT / "templates" / "绩效目标申报表.xlsx"
        half = make_examples.write_form(HALF, 2019, work / "half.xlsx")
        faulty = make_examples.write_form({**SEED, **MISTAKES}, 2019, work / "faulty.xlsx")
        annotated = annotate(check_file(faulty), faulty, work / "annotated")
        annotated = annotated.rename(annotated.with_name("annotated.xlsx"))
        pdfs = dict(zip(("blank", "half", "faulty", "annotated"),
                        lo.to_pdf([blank, half, faulty, annotated], work / "pdf"), strict=True))
        shots = {
            "template.png": (pdfs["blank"], 1),
            "half-filled.png": (pdfs["half"], 1),
            "live-checks.png": (pdfs["faulty"], 1),
            "explanations.png": (pdfs["faulty"], page_of(pdfs["faulty"], "表内自查说明")),
            "annotated.png": (pdfs["annotated"], 1),
            "annotated-results.png": (pdfs["annotated"], page_of(pdfs["annotated"], "严重程度")),
        }
        for name, (pdf, page) in shots.items():
            print(lo.render_page(pdf, page, dpi=110).save_png(DOCS / name))


if __name__ == "__main__":
    main()
