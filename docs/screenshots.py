"""Regenerate the pictures in docs/ as LibreOffice prints them (page PNGs; needs `make libreoffice`).

    .venv/bin/python docs/screenshots.py

* docs/template.png      page 1 of the blank template: the status line says nothing is filled in yet, required
                         cells carry the calm "to fill" tint;
* docs/live-checks.png   page 1 of a filled form with mistakes the template's own formulas catch (no Python):
                         cells red or orange, the status line counting them.
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        blank = ROOT / "templates" / "绩效目标申报表.xlsx"
        print(lo.render_png(blank, DOCS / "template.png", dpi=110))
        values = {**make_examples.form_values(make_examples.seeds()["samr-quality-award"]), **MISTAKES}
        filled = make_examples.write_form(values, 2019, Path(tmp) / "filled.xlsx")
        print(lo.render_png(filled, DOCS / "live-checks.png", dpi=110))


if __name__ == "__main__":
    main()
