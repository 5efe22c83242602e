"""Self-evaluations for the tests: two small projects with every score worked out by hand, and spoiled copies that
hit every rule. Shared by the engine tests (tests/test_selfeval.py) and the live parity tests in LibreOffice and
Gnumeric (tests/test_selfeval_live_libreoffice.py).

WORKED (national framework, the README's worked example). Default 分值: 产出 50 over three rows (16.67, 16.67,
16.66 in cents by largest remainder), 效益 30 over two (15, 15), 满意度 10; 执行率 10.

    执行率 903,400 / 1,000,000 = 90.34%                    10 x 0.9034 = 9.034          -> 9.03
    1 培训场次 ≥20场, 18场 (not met)                        16.67 x 18/20 = 15.003       -> 15.00
    2 培训合格率 ≥95%, 98% (met, 3% beyond)                                              -> 16.67
    3 培训完成时间 2019年12月31日前 (qualitative), 达成, 15 (band 13.328..16.66)         -> 15
    4 受训人数 ≥1000人, 1500人 (met, 50% beyond: lowered to 12 with a reason)            -> 12
    5 培训长效机制 健全 (qualitative), 部分达成, 9 (band 7.5..12)                       -> 9
    6 学员满意度 ≥90%, 85% (not met)                        10 x 85/90 = 9.444..         -> 9.44
    总分 9.03 + 15 + 16.67 + 15 + 12 + 9 + 9.44 = 86.14: 良

OPERATORS (national): every comparison. 产出 50 over four rows (12.5 each), 效益 30 over two (15), 满意度 10.

    执行率 500,000 / 500,000 = 100%                                                      -> 10
    1 人均培训成本 ≤500元, 520元 (not met)                  12.5 x 500/520 = 12.019..    -> 12.02
    2 办结时限 <5个工作日, 5个工作日 (not met, ratio 1)      12.5 x 5/5                   -> 12.5
    3 验收通过率 =100%, 98%                                 12.5 x 98/100 = 12.25        -> 12.25
    4 安全事故 ≤0起, 0起 (met; a zero target has no deviation)                           -> 12.5
    5 新增就业人数 >200人, 250 typed as a number (met, 25% beyond)                       -> 15
    6 帮扶企业数 100 (bare: ≥), 130 (met, exactly 30% beyond: lowered to 13)             -> 13
    7 服务对象满意度 持续提升 (vague: qualitative), 达成, 9                              -> 9
    总分 10 + 12.02 + 12.5 + 12.25 + 12.5 + 15 + 13 + 9 = 96.27: 优
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xltools.evaluation import Approved, ApprovedRow, Project
from xltools.fill import fill_form
from xltools.spec.selfeval import selfeval_form
from xltools.template.selfeval import build_selfeval

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import make_selfeval_examples

FORM = selfeval_form()
TABLE = FORM.tables["indicators"]


def cell(column: str, index: int) -> str:
    """The address of an indicator row's cell (0-based row)."""
    return TABLE.cell(column, index)


# The worked example lives in examples/selfeval.toml (the README shows it, examples/selfeval/ holds it filled in).
WORKED = make_selfeval_examples.project(make_selfeval_examples.form("worked"))
WORKED_VALUES: dict[str, Any] = make_selfeval_examples.form("worked")["values"]
WORKED_SCORES = {"rate": 0.9034, "execution": 9.03, "rows": [15.0, 16.67, 15.0, 12.0, 9.0, 9.44], "total": 86.14,
                 "grade": "良", "weights": [16.67, 16.67, 16.66, 15.0, 15.0, 10.0]}

OPERATORS = Project(
    unit="上海市示例就业服务中心", project="就业帮扶服务", year=2019, framework="national",
    approved=Approved(500_000.0, "为困难群体提供就业帮扶。", (
        ApprovedRow("产出指标", "成本指标", "人均培训成本", "≤500元"),
        ApprovedRow("产出指标", "时效指标", "办结时限", "<5个工作日"),
        ApprovedRow("产出指标", "质量指标", "验收通过率", "=100%"),
        ApprovedRow("产出指标", "质量指标", "安全事故", "≤0起"),
        ApprovedRow("效益指标", "社会效益指标", "新增就业人数", ">200人"),
        ApprovedRow("效益指标", "经济效益指标", "帮扶企业数", "100"),
        ApprovedRow("满意度指标", "服务对象满意度指标", "服务对象满意度", "持续提升"),
    )),
)
OPERATORS_VALUES: dict[str, Any] = {
    "department": "上海市示例局", "budget": 500_000, "executed": 500_000, "achieved": "完成年度帮扶任务。",
    "indicators": [
        {"actual": "520元", "reason": "培训教材价格上涨。"},
        {"actual": "5个工作日", "reason": "年末集中办件。"},
        {"actual": "98%", "reason": "两项验收延期。"},
        {"actual": "0起"},
        {"actual": 250},
        {"actual": "130", "score": 13, "reason": "年初指标值偏低，调低得分。"},
        {"actual": "达成预期指标", "score": 9},
    ],
}
OPERATORS_SCORES = {"rate": 1.0, "execution": 10.0, "rows": [12.02, 12.5, 12.25, 12.5, 15.0, 13.0, 9.0],
                    "total": 96.27, "grade": "优"}


def merged(values: dict[str, Any], fields: dict[str, Any] | None = None,
           rows: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``values`` with some fields replaced and some rows' cells replaced (other cells of those rows kept)."""
    out = copy.deepcopy(values)
    out.update(fields or {})
    for index, change in (rows or {}).items():
        out["indicators"][index] = {**out["indicators"][index], **change}
    return out


def write(path: Path, project: Project = WORKED, values: dict[str, Any] | None = None,
          tamper: dict[str, Any] | None = None) -> Path:
    """A generated self-evaluation of ``project`` filled with ``values``; ``tamper`` writes cells the form locks
    (what only a workbook taken apart can do)."""
    wb = build_selfeval(project)
    if values:
        fill_form(wb, FORM, values)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if tamper:
        wb = load_workbook(path)
        for address, value in tamper.items():
            wb[FORM.sheet][address] = value
        wb.save(path)
    return path


# Spoiled copies of WORKED: (field changes, row changes, tampered cells) and the findings they add, exactly.
SPOILED: dict[str, tuple[dict[str, Any], dict[int, dict[str, Any]], dict[str, Any], list[tuple[str, str]]]] = {
    "over-weight": ({}, {2: {"score": 20}}, {}, [("score-over-weight", cell("score", 2))]),
    "band-too-high": ({}, {4: {"score": 12}}, {}, [("score-outside-band", cell("score", 4))]),  # 部分: below 12
    "band-too-low": ({}, {2: {"score": 13.32}}, {}, [("score-outside-band", cell("score", 2))]),  # 达成: 13.328 up
    "band-unknown": ({}, {2: {"actual": "已完成"}}, {}, [("actual-unparseable", cell("actual", 2))]),
    "quantitative-raised": ({}, {0: {"score": 16}}, {}, [("score-outside-band", cell("score", 0))]),
    "quantitative-lowered": ({}, {1: {"score": 16}}, {}, [("score-outside-band", cell("score", 1))]),  # 3% beyond
    "score-not-a-number": ({}, {2: {"score": "十五"}, 4: {"score": -1}}, {},
                           [("score-outside-band", cell("score", 2)), ("score-outside-band", cell("score", 4))]),
    "score-blank": ({}, {2: {"score": ""}, 0: {"score": ""}}, {}, [("required-missing", cell("score", 2))]),
    "weights": ({}, {1: {"weight": 20}}, {}, [("weights-not-100", FORM.checks["weight_total"].cell)]),
    "weights-invalid": ({}, {0: {"weight": "十"}, 5: {"weight": ""}}, {},
                        [("weights-not-100", cell("weight", 0)), ("required-missing", cell("weight", 5))]),
    "actuals": ({}, {0: {"actual": "１８ 场"}, 1: {"actual": "98 %"}, 3: {"actual": "1,500人"},
                     5: {"actual": "85 百分比"}}, {}, [("actual-unparseable", cell("actual", 3))]),
    "actual-units": ({}, {0: {"actual": "18个"}, 1: {"actual": "≥98%"}, 5: {"actual": "0.85"}}, {},
                     [("actual-unparseable", cell("actual", 0)), ("actual-unparseable", cell("actual", 1))]),
    "actual-missing": ({}, {1: {"actual": ""}, 2: {"actual": " "}}, {},
                       [("actual-missing", cell("actual", 1)), ("actual-missing", cell("actual", 2))]),
    "reasons-missing": ({}, {0: {"reason": ""}, 3: {"reason": ""}, 4: {"reason": "  "}, 5: {"reason": ""}}, {},
                        [("deviation-reason-missing", cell("reason", i)) for i in (0, 3, 4, 5)]),
    "money": ({"executed": 1_100_000, "budget_carryover": "约5万", "budget_other": 0, "executed_other": 10}, {}, {},
              [("execution-over-budget", FORM.fields["executed"].cell),
               ("subtotal-mismatch", FORM.fields["executed"].cell),
               ("amount-invalid", FORM.fields["budget_carryover"].cell),
               ("execution-over-budget", FORM.fields["executed_other"].cell)]),
    "subtotals": ({"initial_carryover": 5, "budget_fiscal": 900_000}, {}, {},
                  [("subtotal-mismatch", FORM.fields["initial"].cell),
                   ("subtotal-mismatch", FORM.fields["budget"].cell),
                   ("execution-over-budget", FORM.fields["executed_fiscal"].cell)]),
    "required": ({"department": "", "budget": None, "achieved": "  "}, {}, {},
                 [("required-missing", FORM.fields[k].cell) for k in ("department", "budget", "achieved")]),
    "tampered": ({}, {}, {cell("level3", 1): "培训优秀率", cell("target", 0): "≥18场",
                          FORM.fields["initial"].cell: 2_000_000, cell("level3", 6): "自加的指标"},
                 [("target-changed", cell("level3", 1)), ("target-changed", cell("target", 0)),
                  ("target-changed", FORM.fields["initial"].cell), ("target-changed", cell("level3", 6)),
                  ("subtotal-mismatch", FORM.fields["initial"].cell)]),
}


def spoiled(name: str, folder: Path) -> Path:
    fields, rows, tamper, _expected = SPOILED[name]
    return write(folder / f"{name}.xlsx", WORKED, merged(WORKED_VALUES, fields, rows), tamper)
