"""`make demo`: the whole workflow on the shipped example data, each step a real `xltools` command: the
declaration round, then the year-end round (self-evaluations made from the approved declarations, checked and
consolidated).

Writes everything into out/. The faulty examples are meant to fail, so the demo reports their exit codes
instead of stopping on them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
XLTOOLS = str(Path(sys.executable).parent / "xltools")


def step(title: str, *args: str, expect: tuple[int, ...] = (0,)) -> None:
    print(f"\n=== {title}\n$ xltools {' '.join(args)}", flush=True)
    code = subprocess.run([XLTOOLS, *args], cwd=ROOT).returncode
    print(f"(exit {code})", flush=True)
    if code not in expect:
        sys.exit(f"demo step failed: {title}")


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    step("生成空白模板（.xlsx 与带按钮的 .xlsm）", "template", "--out", "out")
    step("为每个单位生成已填单位名称的模板", "template", "--units", "examples/units.csv", "--out", "out/units")
    step("检查五份已批准的申报表（只应有警告）", "check", "examples/returns")
    step("检查有问题的申报表，并写出标注副本", "check", "examples/faulty", "--annotate", "out/annotated",
         expect=(1,))
    step("上一年：把上年报回的申报表汇总成上年汇总表", "consolidate", "examples/previous", "-o", "out/上年/汇总.xlsx")
    step("本年：汇总五份已批准的申报表，核对各单位控制数（units.csv）和上年数（--previous），看报送情况，写出退回副本："
         "只有警告", "consolidate", "examples/returns", "--units", "examples/units.csv", "--previous", "out/上年/汇总.xlsx",
         "-o", "out/汇总.xlsx", "--annotate", "out/退回")
    step("汇总全部回收文件（含有问题的表、重复报送、无法读取的文件）", "consolidate", "examples/returns",
         "examples/faulty", "--units", "examples/units.csv", "--previous", "out/上年/汇总.xlsx",
         "-o", "out/全部/汇总.xlsx", expect=(1,))
    step("输出误写成一份报回的申报表：读取之前拒绝，那份表不会被覆盖", "consolidate", "examples/returns", "-o",
         "examples/returns/05_上海市市场监督管理局_上海市政府质量奖.xlsx", expect=(2,))
    # The year-end round: the approved declarations (the consolidation above) become self-evaluations.
    step("年终：由本年汇总表中计入汇总的申报表生成绩效自评表（批复的指标、年度指标值和年初预算数已填好并锁定）",
         "selfeval", "--from", "out/汇总.xlsx", "--units", "examples/units.csv", "--out", "out/自评下发")
    step("检查单位报回的绩效自评表（完整的、有偏差并说明原因的、有错误的），写出标注副本", "check", "examples/selfeval",
         "--annotate", "out/自评退回", expect=(1,))
    step("汇总报回的绩效自评表：自评汇总、指标完成、问题清单、统计", "consolidate", "examples/selfeval",
         "-o", "out/自评/汇总.xlsx", expect=(1,))
    step("申报表和自评表混在一个文件夹：按模板分开汇总，自评表另写一个工作簿", "consolidate", "examples/returns",
         "examples/selfeval", "-o", "out/混合/汇总.xlsx", expect=(1,))
    print(f"\n输出目录：{OUT}")


if __name__ == "__main__":
    main()
