"""How fast is `xltools consolidate`, against a plain openpyxl pipeline? Not a test: run it and read the figures.

    .venv/bin/python benchmarks/consolidate.py [--n 200 1000] [--jobs 2] [--repeat 5] [--baseline-max 1000]
                                               [--keep DIR]

For each N it generates N distinct returned workbooks (a few forms filled with xltools.fill, then cloned by
patching the sheet XML: unit, project and every amount differ per file; every 20th form has 当年预算 > 总预算,
every 100th file is not a workbook, every 250th repeats the previous project), then times, in the same run:

* xltools in-process: ``xltools.consolidate.consolidate(...)`` called from this process (imports already done);
* xltools CLI: ``xltools consolidate DIR -o OUT --units units.csv --jobs J`` as a new process, interpreter start
  and imports included, run ``--repeat`` times (median and range reported: the machine is shared and noisy); its
  peak memory is the largest resident set of that process and its workers (``getrusage(RUSAGE_CHILDREN).ru_maxrss``,
  measured by a wrapper process);
* openpyxl pipeline: ``load_workbook`` each file, read the same cells, build the same three tables with pandas,
  write them with openpyxl (one process, no checks, no validation: it does less than xltools). Its peak memory is
  measured the same way.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNITS = [f"上海市第{k}测试局" for k in range(1, 41)]
MISSING_UNITS = ["上海市未报送甲局", "上海市未报送乙局"]
MARK_UNIT, MARK_PROJECT = "@@UNIT@@", "@@PROJECT@@"
# Marker amounts in the base forms, replaced per clone. Sub-project markers are 910000001, 910000002, ...
MARK_TOTAL, MARK_ANNUAL, MARK_PRIOR, MARK_EXECUTED = 900000001, 900000002, 900000003, 900000004
SUB_MARK = 910000000

INDICATORS = [
    ("投入和管理目标", "财务管理", "预算执行率", "≥99%"),
    ("投入和管理目标", "财务管理", "财务管理制度健全性", "健全"),
    ("投入和管理目标", "财务管理", "资金使用合规性", "合规"),
    ("投入和管理目标", "项目实施", "项目管理制度有效性", "有效"),
    ("产出目标", "数量目标", "资助件数", "≥300件"),
    ("产出目标", "质量目标", "验收合格率", "=100%"),
    ("产出目标", "时效目标", "完成时间", "≤3个月"),
    ("产出目标", "成本目标", "单位成本", "≤2万元"),
    ("效果目标", "社会效益目标", "服务覆盖面", "提升"),
    ("效果目标", "经济效益目标", "带动投资", "≥2%"),
    ("影响力目标", "可持续目标", "能力建设和可持续影响", "完善"),
    ("影响力目标", "满意度目标", "社会公众或服务对象满意度", "≥85%"),
]


def base_values(variant: int) -> dict[str, Any]:
    import datetime as dt

    n_ind = (6, 12, 18, 22)[variant % 4]
    n_sub = (2, 4, 6, 8)[variant % 4]
    # Evenly spread over the 12 base rows, so every 一级指标 is there; longer forms repeat them with new names.
    picks = sorted(round(k * (len(INDICATORS) - 1) / (min(n_ind, 12) - 1)) for k in range(min(n_ind, 12)))
    picks += [i % len(INDICATORS) for i in range(n_ind - len(picks))]
    picks.sort(key=lambda i: i)  # rows of one 一级指标 stay together
    indicators = []
    for j, i in enumerate(picks):
        level1, level2, level3, target = INDICATORS[i]
        # Distinct 三级指标 names: no indicator-duplicate warning.
        indicators.append({"level1": level1, "level2": level2, "level3": f"{level3}{j}" if j else level3,
                           "target": target})
    return {
        "unit": MARK_UNIT, "project": MARK_PROJECT,
        "project_type": ("经常性专项业务费", "其他一次性项目", "结转项目", "其他经常性项目")[variant % 4],
        "category": ("其他事业专业类", "政府购买服务", "信息化建设类", "政策补贴类")[variant % 4],
        "start": dt.date(2019, 1, 1), "end": dt.date(2019, 12, 31),
        "overview": "本项目为基准测试生成的申报表。", "basis": "《测试办法》。", "necessity": "测试需要。",
        "measures": "按制度实施。", "plan": "全年实施。", "overall_goal": "完成目标。", "annual_goal": "完成年度目标。",
        "total_budget": MARK_TOTAL, "annual_budget": MARK_ANNUAL,
        "prior_budget": MARK_PRIOR, "prior_executed": MARK_EXECUTED,
        "subprojects": [{"name": f"子项目{j + 1}", "amount": SUB_MARK + j + 1} for j in range(n_sub)],
        "indicators": indicators,
    }


def make_bases(folder: Path) -> list[dict[str, bytes]]:
    """Four filled forms, each as its zip members (name -> bytes)."""
    from xltools.fill import fill
    from xltools.template import build_template

    bases = []
    for variant in range(4):
        wb = fill(build_template(2019), base_values(variant))
        buf = io.BytesIO()
        wb.save(buf)
        with zipfile.ZipFile(buf) as zf:
            bases.append({info.filename: zf.read(info.filename) for info in zf.infolist()})
    return bases


def clone(base: dict[str, bytes], i: int, rng: random.Random, unit: str, project: str,
          annual_over_total: bool) -> bytes:
    sheet = base["xl/worksheets/sheet1.xml"].decode()
    n_sub = sum(1 for j in range(1, 40) if f"<v>{SUB_MARK + j}</v>" in sheet)
    subs = [rng.randrange(10_000, 5_000_000) for _ in range(n_sub)]
    annual = sum(subs)
    total = annual - 1 if annual_over_total else annual + rng.randrange(0, 1_000_000)
    prior = rng.randrange(100_000, 10_000_000)
    executed = int(prior * rng.uniform(0.91, 1.0))
    for mark, value in ((MARK_TOTAL, total), (MARK_ANNUAL, annual), (MARK_PRIOR, prior), (MARK_EXECUTED, executed),
                        *((SUB_MARK + j + 1, v) for j, v in enumerate(subs))):
        sheet = sheet.replace(f"<v>{mark}</v>", f"<v>{value}</v>")
    sheet = sheet.replace(MARK_UNIT, unit).replace(MARK_PROJECT, project)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in base.items():
            zf.writestr(name, sheet.encode() if name == "xl/worksheets/sheet1.xml" else data)
    return buf.getvalue()


def generate(folder: Path, n: int, seed: int = 1) -> dict[str, Any]:
    """N returned files under ``folder`` plus units.csv beside it; returns what went in (for checking)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    bases = make_bases(folder)
    t1 = time.perf_counter()
    expected = {"files": n, "unreadable": 0, "annual_total": 0.0, "duplicates": 0, "errors_forms": 0}
    previous = ("", "")
    for i in range(n):
        path = folder / f"{i:05d}_申报表.xlsx"
        if i % 100 == 42:
            path.write_text("这不是工作簿", encoding="utf-8")
            expected["unreadable"] += 1
            continue
        unit, project = UNITS[i % len(UNITS)], f"测试项目{i:05d}"
        if i % 250 == 99 and previous[0]:
            unit, project = previous
            expected["duplicates"] += 2
        over = i % 20 == 7
        data = clone(bases[i % len(bases)], i, rng, unit, project, over)
        path.write_bytes(data)
        expected["errors_forms"] += over
        previous = (unit, project)
    units_csv = folder.parent / f"{folder.name}-units.csv"
    units_csv.write_text("单位名称\n" + "\n".join(UNITS + MISSING_UNITS) + "\n", encoding="utf-8")
    expected["generate_bases_s"] = t1 - t0
    expected["generate_clones_s"] = time.perf_counter() - t1
    expected["units_csv"] = str(units_csv)
    return expected


# -- the plain openpyxl pipeline -------------------------------------------------------------------------------

def openpyxl_pipeline(folder: Path, out: Path) -> int:
    """load_workbook each file, read the cells the spec names, build the tables with pandas, write with openpyxl."""
    import openpyxl
    import pandas as pd

    from xltools import spec
    from xltools.targets import parse_target

    s = spec.build()
    sub, ind = s.tables["subprojects"], s.tables["indicators"]
    keys = ("unit", "project", "project_type", "category", "start", "end", "total_budget", "annual_budget",
            "prior_budget", "prior_executed")
    summary, subs, inds, problems = [], [], [], []
    for path in sorted(folder.glob("*.xlsx")):
        try:
            wb = openpyxl.load_workbook(path)
        except Exception as exc:
            problems.append((str(path), type(exc).__name__))
            continue
        ws = wb[spec.FORM_SHEET]
        row = [ws[s.fields[k].cell].value for k in keys]
        unit, project = row[0], row[1]
        n_sub = 0
        for i in range(sub.capacity):
            name, amount = ws[sub.cell("name", i)].value, ws[sub.cell("amount", i)].value
            if name is None and amount is None:
                continue
            n_sub += 1
            subs.append((unit, project, n_sub, name, amount, str(path), sub.cell("name", i)))
        n_ind = 0
        for i in range(ind.capacity):
            values = [ws[ind.cell(k, i)].value for k in ("level1", "level2", "level3", "target")]
            if all(v is None for v in values):
                continue
            n_ind += 1
            target = parse_target(values[3])
            inds.append((unit, project, n_ind, *values, target.kind, target.operator, target.number, target.unit,
                         target.word, str(path), ind.cell("level1", i)))
        summary.append((*row, n_sub, n_ind, str(path)))
        wb.close()
    frames = {
        "项目汇总": pd.DataFrame(summary, columns=[*keys, "子项目数", "指标数", "来源文件"]),
        "资金构成": pd.DataFrame(subs, columns=["单位", "项目", "序号", "名称", "金额", "文件", "单元格"]),
        "绩效指标": pd.DataFrame(inds, columns=["单位", "项目", "序号", "一级", "二级", "三级", "目标值", "类型",
                                           "比较符", "数值", "计量单位", "定性词", "文件", "单元格"]),
        "问题清单": pd.DataFrame(problems, columns=["文件", "说明"]),
    }
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for values in df.itertuples(index=False):
            ws.append(list(values))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    wb.save(out)
    return len(summary)


# -- measuring -------------------------------------------------------------------------------------------------

WRAPPER = """
import resource, subprocess, sys, time, json
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t
print(json.dumps({"rc": rc, "wall": wall, "maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measured(cmd: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def run(n: int, jobs: int, work: Path, baseline: bool, repeat: int) -> dict[str, Any]:
    from xltools.consolidate import consolidate

    folder = work / f"returns-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    expected = generate(folder, n)
    units = expected["units_csv"]

    start = time.perf_counter()
    summary = consolidate([folder], work / f"in-process-{n}.xlsx", units=units, jobs=jobs)
    in_process = time.perf_counter() - start
    assert summary.files == n and summary.forms + summary.unreadable == n, summary.line()
    assert summary.tables is not None
    total = float(summary.tables.summary["项目当年预算（元）"].sum())

    xltools = str(Path(sys.executable).with_name("xltools"))
    # The machine is shared and noisy: run the command several times and report the median and the range.
    runs = [measured([xltools, "consolidate", str(folder), "-o", str(work / f"cli-{n}.xlsx"), "--units", units,
                      "--jobs", str(jobs)]) for _ in range(repeat)]
    walls = sorted(r["wall"] for r in runs)
    cli = {"wall": statistics.median(walls), "min": walls[0], "max": walls[-1], "walls": walls, "rc": runs[0]["rc"],
           "maxrss_mb": max(r["maxrss_mb"] for r in runs)}
    result = {"n": n, "jobs": jobs, "generate_bases_s": expected["generate_bases_s"],
              "generate_clones_s": expected["generate_clones_s"], "in_process_s": in_process,
              "cli_s": cli["wall"], "cli_min_s": cli["min"], "cli_max_s": cli["max"], "cli_runs": repeat,
              "cli_walls_s": cli["walls"],
              "cli_rc": cli["rc"], "cli_maxrss_mb": cli["maxrss_mb"], "forms": summary.forms,
              "unreadable": summary.unreadable, "errors": summary.errors, "warnings": summary.warnings,
              "annual_total": total, "phases": summary.timings}
    if baseline:
        base = measured([sys.executable, __file__, "--baseline-only", str(folder), str(work / f"openpyxl-{n}.xlsx")])
        result.update(openpyxl_s=base["wall"], openpyxl_maxrss_mb=base["maxrss_mb"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--baseline-max", type=int, default=1000, help="skip the openpyxl pipeline above this N")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the CLI per N (median and range reported)")
    parser.add_argument("--keep", type=Path, help="keep generated files and outputs in this folder")
    parser.add_argument("--baseline-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        openpyxl_pipeline(*args.baseline_only)
        return

    # The CLI runs as an installed package would: with xltools' bytecode compiled (an editable install on a machine
    # with PYTHONDONTWRITEBYTECODE set would otherwise compile it again in every new process).
    compileall.compile_dir(ROOT / "xltools", quiet=1)
    import pandas  # noqa: F401  (in-process timing excludes imports; the CLI timing includes them)
    import pandera.pandas  # noqa: F401

    work = args.keep or Path(tempfile.mkdtemp(prefix="xltools-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.n:
            rows.append(run(n, args.jobs, work, n <= args.baseline_max, args.repeat))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"python {sys.version.split()[0]}, jobs={args.jobs}, CPU cores {os.cpu_count()}, "
          f"CLI runs per N: {args.repeat}")
    print(f"{'N':>6} {'generate':>9} {'in-proc':>8} {'CLI median':>10} {'CLI range':>12} {'CLI RSS':>8} "
          f"{'openpyxl':>9} {'opx RSS':>8} {'speed-up':>8}  forms/unreadable/errors/warnings")
    for r in rows:
        gen = r["generate_bases_s"] + r["generate_clones_s"]
        opx = r.get("openpyxl_s")
        span = f"{r['cli_min_s']:.2f}-{r['cli_max_s']:.2f}s"
        print(f"{r['n']:>6} {gen:>8.2f}s {r['in_process_s']:>7.2f}s {r['cli_s']:>9.2f}s {span:>12} "
              f"{r['cli_maxrss_mb']:>6.0f}MB "
              + (f"{opx:>8.2f}s {r['openpyxl_maxrss_mb']:>6.0f}MB {opx / r['cli_s']:>7.1f}x" if opx else
                 f"{'-':>9} {'-':>8} {'-':>8}")
              + f"  {r['forms']}/{r['unreadable']}/{r['errors']}/{r['warnings']}")
    print("CLI runs, sorted (s): " + "; ".join(
        f"N={r['n']}: " + " ".join(f"{w:.2f}" for w in r["cli_walls_s"]) for r in rows))
    print("in-process phases (s): " + "; ".join(
        f"N={r['n']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items()) for r in rows))


if __name__ == "__main__":
    main()
