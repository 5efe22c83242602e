"""How fast does `xltools consolidate` take year-end self-evaluations, against declarations of the same projects?
Not a test: run it and read the figures (goal: within 1.5x of the declarations' time).

    .venv/bin/python benchmarks/selfeval.py [--n 1000] [--jobs 2] [--repeat 5] [--keep DIR]

For each N it generates N returned declarations (benchmarks/consolidate.py's generator: four forms of 6 to 22
indicators cloned by patching the sheet XML, every 100th file not a workbook, every 20th with an error, every 250th a
project sent twice) and N self-evaluations of the same shape made as `xltools selfeval` makes them and filled in
(four forms cloned the same way: unit, project and amounts differ per file; every 100th file is not a workbook, every
20th has 全年执行数 above 全年预算数, every 250th repeats the previous project). Then it runs ``xltools consolidate
DIR -o OUT --jobs J`` as a new process on each folder in turn, alternating, ``--repeat`` times each, and reports
the medians, ranges and their ratio.
"""

from __future__ import annotations

import argparse
import compileall
import io
import random
import shutil
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import consolidate as declarations  # noqa: E402  (benchmarks/consolidate.py: the declarations' generator)

ROOT = HERE.parent
MARK_UNIT, MARK_PROJECT = "@@UNIT@@", "@@PROJECT@@"
MARK_BUDGET, MARK_EXECUTED = 900000002, 900000005
# 实际完成值 that meet each quantitative target of the generator's indicators; qualitative rows: the top band.
ACTUALS = {"≥99%": "99.5%", "≥300件": "320件", "=100%": "100%", "≤3个月": "3个月", "≤2万元": "1.8万元", "≥2%": "2.5%",
           "≥85%": "88%"}


def base_forms() -> list[dict[str, bytes]]:
    """Four filled self-evaluations (6, 12, 18 and 22 indicators), each as its zip members."""
    from xltools.data.selfeval_rules import selfeval_rules
    from xltools.evaluation import Approved, ApprovedRow, Project
    from xltools.fill import fill_form
    from xltools.spec.selfeval import selfeval_form
    from xltools.template.selfeval import build_selfeval, default_weights

    bases = []
    for variant in range(4):
        rows = tuple(ApprovedRow(r["level1"], r["level2"], r["level3"], r["target"])
                     for r in declarations.base_values(variant)["indicators"])
        project = Project(MARK_UNIT, MARK_PROJECT, 2019, "sh2019", Approved(float(MARK_BUDGET), "年度绩效目标。", rows))
        weights = default_weights(project, selfeval_rules())
        filled = [{"actual": ACTUALS[r.target]} if r.target in ACTUALS else
                  {"actual": "达成预期指标", "score": w} for r, w in zip(rows, weights, strict=True)]
        wb = fill_form(build_selfeval(project), selfeval_form(), {
            "department": "上海市测试主管局", "budget": MARK_BUDGET, "executed": MARK_EXECUTED,
            "achieved": "完成年度目标。", "indicators": filled})
        buf = io.BytesIO()
        wb.save(buf)
        with zipfile.ZipFile(buf) as zf:
            bases.append({info.filename: zf.read(info.filename) for info in zf.infolist()})
    return bases


def clone(base: dict[str, bytes], rng: random.Random, unit: str, project: str, over: bool) -> bytes:
    sheet = base["xl/worksheets/sheet1.xml"].decode()
    budget = rng.randrange(100_000, 50_000_000)
    executed = budget + 1 if over else int(budget * rng.uniform(0.85, 1.0))
    # 年初预算数 (prefilled) and 全年预算数 carry the same marker: the approved budget is the year's.
    sheet = sheet.replace(f"<v>{MARK_BUDGET}</v>", f"<v>{budget}</v>").replace(f"<v>{MARK_EXECUTED}</v>",
                                                                               f"<v>{executed}</v>")
    sheet = sheet.replace(MARK_UNIT, unit).replace(MARK_PROJECT, project)
    meta = base["xl/worksheets/sheet3.xml"].decode().replace(f"<t>{MARK_BUDGET}</t>", f"<t>{budget}</t>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in base.items():
            patched = {"xl/worksheets/sheet1.xml": sheet, "xl/worksheets/sheet3.xml": meta}.get(name)
            zf.writestr(name, patched.encode() if patched is not None else data)
    return buf.getvalue()


def generate(folder: Path, n: int, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    bases = base_forms()
    expected = {"unreadable": 0, "errors": 0}
    previous = ("", "")
    for i in range(n):
        path = folder / f"{i:05d}_绩效自评表.xlsx"
        if i % 100 == 42:
            path.write_text("这不是工作簿", encoding="utf-8")
            expected["unreadable"] += 1
            continue
        unit, project = declarations.UNITS[i % len(declarations.UNITS)], f"测试项目{i:05d}"
        if i % 250 == 99 and previous[0]:
            unit, project = previous
        over = i % 20 == 7
        path.write_bytes(clone(bases[i % len(bases)], rng, unit, project, over))
        expected["errors"] += over
        previous = (unit, project)
    return expected


def run(n: int, jobs: int, work: Path, repeat: int) -> dict[str, Any]:
    from xltools.consolidate import consolidate

    decl, evals = work / f"declarations-{n}", work / f"selfevals-{n}"
    for folder in (decl, evals):
        shutil.rmtree(folder, ignore_errors=True)
    declarations.generate(decl, n)
    expected = generate(evals, n)
    summary = consolidate([evals], work / f"check-{n}.xlsx", jobs=jobs)
    assert summary.evaluations + summary.unreadable == n and summary.unreadable == expected["unreadable"], \
        summary.line()
    assert sum(1 for f in summary.findings if f.code == "execution-over-budget") == expected["errors"]
    xltools = str(Path(sys.executable).with_name("xltools"))
    walls: dict[str, list[float]] = {"declarations": [], "selfevals": []}
    for _ in range(repeat):  # alternating: both see the same load
        for name, folder in (("declarations", decl), ("selfevals", evals)):
            walls[name].append(declarations.measured(
                [xltools, "consolidate", str(folder), "-o", str(work / f"{name}-{n}.xlsx"), "--jobs", str(jobs)]
            )["wall"])
    return {"n": n, "walls": walls, "median": {k: statistics.median(v) for k, v in walls.items()},
            "evaluations": summary.evaluations, "errors": summary.errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "xltools", quiet=1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="xltools-bench-selfeval-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = [run(n, args.jobs, work, args.repeat) for n in args.n]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"python {sys.version.split()[0]}, jobs={args.jobs}, CLI runs per N and kind: {args.repeat} (alternating)")
    for r in rows:
        d, s = r["median"]["declarations"], r["median"]["selfevals"]
        print(f"N={r['n']}: declarations median {d:.2f}s ({min(r['walls']['declarations']):.2f}-"
              f"{max(r['walls']['declarations']):.2f}), self-evaluations median {s:.2f}s "
              f"({min(r['walls']['selfevals']):.2f}-{max(r['walls']['selfevals']):.2f}), ratio {s / d:.2f}x; "
              f"{r['evaluations']} self-evaluations, {r['errors']} errors")
        print("  runs (s): declarations " + " ".join(f"{w:.2f}" for w in r["walls"]["declarations"])
              + "; self-evaluations " + " ".join(f"{w:.2f}" for w in r["walls"]["selfevals"]))


if __name__ == "__main__":
    main()
