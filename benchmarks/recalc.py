"""How fast does the template recalculate its live checks? Not a test: run it and read the figures.

    .venv/bin/python benchmarks/recalc.py [--runs N]

Builds a full form (every one of the 30 sub-project rows and 60 indicator rows filled, with a few mistakes so the
checks have something to find), opens it in LibreOffice headless through UNO and measures:

* a full recalculation (``calculateAll``: every formula of the workbook), median of N runs;
* a keystroke: one 指标目标值 typed (``setString``, automatic calculation on) and the status line read back,
  which waits for every live check that depends on the cell, median of N runs.

Needs LibreOffice and python3-uno (``make libreoffice``). Excel and WPS cannot run here: their figures are not
measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNO_SCRIPT = r'''
import json, statistics, sys, time
from libreoffice import file_url, props, uno_session

src, cell, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
with uno_session() as desktop:
    doc = desktop.loadComponentFromURL(file_url(src), "_blank", 0, props(Hidden=True))
    try:
        full = []
        for _ in range(runs):
            start = time.perf_counter()
            doc.calculateAll()
            full.append(time.perf_counter() - start)
        sheet = doc.Sheets.getByIndex(0)
        target = sheet.getCellRangeByName(cell)
        status_cell = sheet.getCellRangeByName("A3")
        keys = []
        for i in range(runs):
            start = time.perf_counter()
            target.setString("100%" if i % 2 else "≥99%")
            status = status_cell.getString()  # reading the status line waits for its recalculation
            keys.append(time.perf_counter() - start)
        print(json.dumps({"full_ms": statistics.median(full) * 1000, "keystroke_ms": statistics.median(keys) * 1000,
                          "status": status}, ensure_ascii=False))
    finally:
        doc.close(True)
'''


def full_form(path: Path) -> str:
    """Write a form with every table row filled; return the address of a target cell to type into."""
    from xltools import spec
    from xltools.fill import fill
    from xltools.template import build_template

    s = spec.build()
    sub, ind = s.tables["subprojects"], s.tables["indicators"]
    levels = [("投入和管理目标", "财务管理"), ("产出目标", "数量目标"), ("效果目标", "社会效益目标"),
              ("影响力目标", "满意度目标")]
    values = {
        "unit": "上海市某某局", "project": "满表测试项目", "project_type": "经常性专项业务费",
        "category": "其他事业专业类", "overview": "概况", "basis": "依据", "necessity": "必要性", "measures": "措施",
        "plan": "计划", "overall_goal": "总目标", "annual_goal": "年度目标",
        "total_budget": 3_000_000, "annual_budget": 3_000_000, "prior_budget": 1_000_000, "prior_executed": 800_000,
        "subprojects": [{"name": f"子项目{i + 1}", "amount": 100_000} for i in range(sub.capacity)],
        "indicators": [{"level1": levels[i % 4][0], "level2": levels[i % 4][1], "level3": f"指标{i + 1}完成率",
                        "target": "≥99%" if i % 7 else "120%"} for i in range(ind.capacity)],
    }
    import datetime as dt

    values["start"], values["end"] = dt.date(2019, 1, 1), dt.date(2019, 12, 31)
    wb = build_template()
    fill(wb, values)
    wb.save(path)
    return ind.cell("target", ind.capacity - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from tests import libreoffice as lo

    with tempfile.TemporaryDirectory() as tmp:
        form = Path(tmp) / "full.xlsx"
        cell = full_form(form)
        script = Path(tmp) / "recalc_uno.py"
        script.write_text(UNO_SCRIPT, encoding="utf-8")
        run = lo.run_uno_script(script, str(form), cell, str(args.runs))
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"full form (30 sub-projects, 60 indicators), LibreOffice headless, median of {args.runs} runs:")
    print(f"  full recalculation (calculateAll): {figures['full_ms']:.1f} ms")
    print(f"  one keystroke in 指标目标值, status line read back: {figures['keystroke_ms']:.1f} ms")
    print(f"  status line: {figures['status']}")


if __name__ == "__main__":
    main()
