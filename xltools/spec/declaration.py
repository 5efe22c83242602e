"""The 上海市财政支出项目绩效目标申报表: its template id, every version's blocks, and the numbers its rules share.

Everything that knows where something sits on the declaration derives it from here: template generation, the
reader, the checks (through the reader's cell positions), the Excel button and consolidation.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from xltools import data
from xltools.spec.form import Family, FormSpec
from xltools.spec.parts import (
    CHOICE,
    DATE,
    LONG,
    MONEY,
    MONEY_FORMAT,
    RATE_FORMAT,
    SERIAL,
    TEXT,
    Block,
    Check,
    Column,
    Field,
    Line,
    Pair,
    Stack,
    StatusLine,
    Table,
    TableBlock,
)

TEMPLATE_ID = "xltools.sh-perf-target"
TEMPLATE_FILENAME = "绩效目标申报表.xlsx"
MACRO_TEMPLATE_FILENAME = "绩效目标申报表.xlsm"
DEFAULT_YEAR = 2019

TITLE = "上海市财政支出项目绩效目标申报表"
FORM_SHEET = "申报表"

# Four columns, A4 portrait. Tables use the same four columns, so every row lines up on paper.
COLUMN_WIDTHS = (16.0, 18.0, 32.0, 22.0)

# Below this share of last year's budget executed, a reviewer asks why (prior-execution-low; the template's
# live check turns orange at the same point).
PRIOR_EXECUTION_LOW = 0.9
# Money is compared in yuan to half a fen: rounding is not a mistake (the template's formulas ROUND to fen).
MONEY_TOLERANCE = 0.005

_M = MONEY
# The displayed sub-project total disagrees with 项目当年预算 (beyond rounding): the check cells turn red. Which
# input cell is marked is the live checks' business (xltools.live), derived from the same rules as the engine.
_SUBTOTAL_OFF = (f'AND(COUNT({{subprojects.amount}})>0,ISNUMBER({{annual_budget}}),'
                 f'ABS({{subtotal}}-{{annual_budget}})>{MONEY_TOLERANCE})')
# Version 1's layout. Readers use only addresses and labels, so the check formulas here are today's even for v1.
BLOCKS_V1: tuple[Block, ...] = (
    Line(Field("unit", "申报单位名称", TEXT)),
    Line(Field("project", "项目名称", TEXT)),
    Line(Field("project_type", "项目类型", CHOICE, choices="project_type")),
    Line(Field("category", "资金用途", CHOICE, choices="category")),
    Pair(Field("start", "开始时间", DATE), Field("end", "结束时间", DATE)),
    Line(Field("overview", "项目概况", LONG, row_height=84)),
    Line(Field("basis", "立项依据", LONG, row_height=84)),
    Line(Field("necessity", "项目设立的必要性", LONG, row_height=84)),
    Line(Field("measures", "保证项目实施的制度、措施", LONG, row_height=84)),
    Pair(Field("total_budget", "项目总预算（元）", _M), Field("annual_budget", "项目当年预算（元）", _M)),
    # Blank for a new project, so not required.
    Pair(
        Field("prior_budget", "同名项目上年预算额（元）", _M, required=False),
        Field("prior_executed", "同名项目上年预算执行数（元）", _M, required=False),
    ),
    Pair(
        Check(
            "prior_rate",
            "上年预算执行率",
            'IF(AND(ISNUMBER({prior_budget}),ISNUMBER({prior_executed})),'
            'IF({prior_budget}>0,{prior_executed}/{prior_budget},""),"")',
            number_format=RATE_FORMAT,
            bad=f'AND(ISNUMBER({{prior_budget}}),ISNUMBER({{prior_executed}}),'
                f'{{prior_executed}}>{{prior_budget}}+{MONEY_TOLERANCE})',
            warn=f'AND(ISNUMBER({{prior_rate}}),{{prior_executed}}<{PRIOR_EXECUTION_LOW}*{{prior_budget}}'
                 f'-{MONEY_TOLERANCE})',
        ),
        Check(
            "annual_vs_total",
            "当年预算与总预算",
            'IF(AND(ISNUMBER({total_budget}),ISNUMBER({annual_budget})),'
            f'IF({{annual_budget}}<={{total_budget}}+{MONEY_TOLERANCE},"正确","当年预算超过总预算"),"")',
            bad='AND(ISNUMBER({total_budget}),ISNUMBER({annual_budget}),'
                f'{{annual_budget}}>{{total_budget}}+{MONEY_TOLERANCE})',
        ),
    ),
    TableBlock(
        Table(
            "subprojects",
            "项目当年投入资金构成",
            (
                Column("seq", "序号", SERIAL, 1),
                Column("name", "子项目名称", TEXT, 2, 3),
                Column("amount", "预算金额（元）", MONEY, 4),
            ),
            capacity=30,
            visible=10,
            total_label="合计",
        ),
        total=Check("subtotal", None, "SUM({subprojects.amount})", number_format=MONEY_FORMAT,
                    bad=_SUBTOTAL_OFF),
        total_status=Check(
            "subtotal_status",
            None,
            'IF(COUNT({subprojects.amount})=0,"",IF(NOT(ISNUMBER({annual_budget})),"",'
            f'IF(ABS({{subtotal}}-{{annual_budget}})<={MONEY_TOLERANCE},"合计与项目当年预算一致","合计与项目当年预算不一致")))',
            bad=_SUBTOTAL_OFF,
        ),
    ),
    Line(Field("plan", "项目实施计划", LONG, row_height=90)),
    Line(Field("overall_goal", "项目总目标", LONG, row_height=75)),
    Line(Field("annual_goal", "年度绩效目标", LONG, row_height=75)),
    TableBlock(
        Table(
            "indicators",
            "分解目标",
            (
                Column("level1", "一级指标", CHOICE, 1),
                Column("level2", "二级指标", CHOICE, 2),
                Column("level3", "三级指标", TEXT, 3),
                Column("target", "指标目标值", TEXT, 4),
            ),
            capacity=60,
            visible=22,
        )
    ),
    Line(Field("remarks", "备注", LONG, required=False, row_height=45)),
)

# Version 2: the live self-check status line right under the year, then the same blocks as version 1.
BLOCKS_V2: tuple[Block, ...] = (StatusLine("status"), *BLOCKS_V1)


# Version 3: long texts print whole and the form's own words follow the live rules.
# * Each long text sits under its label across the whole form (a Stack), on a row without a fixed height, and the
#   table rows grow too: a long 三级指标 or target, or a long paragraph, makes its row taller instead of being cut
#   off in print.
# * The check cells say what the live rules count ({#code}): no "合计不一致" while the rule is silent because an
#   amount is not a number, no red 当年预算 while annual-exceeds-total is 0.
# * The status line has room for three lines: it names the first problem and where the reasons are listed.
def _stacked(key: str, height: float) -> Stack:
    """The long text ``key`` of version 1's blocks, stacked under its label, starting ``height`` points high."""
    found = next(b.field for b in BLOCKS_V1 if isinstance(b, Line) and b.field.key == key)
    return Stack(dataclasses.replace(found, row_height=height))


_AMOUNTS_NOT_NUMBERS = 'OR(COUNTA({subprojects.amount})>COUNT({subprojects.amount}),COUNTIF({subprojects.amount},"<0")>0)'
_V1 = {b.field.key: b for b in BLOCKS_V1 if isinstance(b, Line)}
_V1_PAIRS = [b for b in BLOCKS_V1 if isinstance(b, Pair)]
_V1_PRIOR_RATE = next(c for c in (p.left for p in _V1_PAIRS) if isinstance(c, Check) and c.key == "prior_rate")
BLOCKS_V3: tuple[Block, ...] = (
    StatusLine("status", lines=3, reads_results=True),
    *(_V1[key] for key in ("unit", "project", "project_type", "category")),
    _V1_PAIRS[0],  # 开始时间, 结束时间
    *(_stacked(key, 66) for key in ("overview", "basis", "necessity", "measures")),
    *_V1_PAIRS[1:3],  # the four amounts
    Pair(
        # The same rate as version 1; only the marks follow the live counts.
        dataclasses.replace(_V1_PRIOR_RATE, bad="{#prior-exceeds-budget}>0", warn="{#prior-execution-low}>0"),
        Check(
            "annual_vs_total",
            "当年预算与总预算",
            'IF({#annual-exceeds-total}>0,"当年预算超过总预算",IF(AND(ISNUMBER({total_budget}),'
            '{total_budget}>=0,ISNUMBER({annual_budget}),{annual_budget}>=0),"正确",""))',
            bad="{#annual-exceeds-total}>0",
        ),
    ),
    TableBlock(
        next(b.table for b in BLOCKS_V1 if isinstance(b, TableBlock) and b.table.key == "subprojects"),
        total=Check("subtotal", None, "SUM({subprojects.amount})", number_format=MONEY_FORMAT,
                    bad="{#subtotal-mismatch}>0"),
        total_status=Check(
            "subtotal_status",
            None,
            'IF({#subtotal-mismatch}>0,"合计与项目当年预算不一致",'
            f'IF(COUNTA({{subprojects.amount}})=0,"",IF({_AMOUNTS_NOT_NUMBERS},"有金额不是有效数字，合计未核对",'
            f'IF(AND(ISNUMBER({{annual_budget}}),ABS({{subtotal}}-{{annual_budget}})<={MONEY_TOLERANCE}),'
            '"合计与项目当年预算一致",""))))',
            bad="{#subtotal-mismatch}>0",
        ),
        grow=True,
    ),
    *(_stacked(key, height) for key, height in (("plan", 66), ("overall_goal", 54), ("annual_goal", 54))),
    TableBlock(next(b.table for b in BLOCKS_V1 if isinstance(b, TableBlock) and b.table.key == "indicators"),
               grow=True),
    _stacked("remarks", 36),
)

# Versions this release can read, oldest first; the last is the one new templates are made of. Every version ever
# shipped stays readable: a later layout gets a new version and its own block list, and forms returned on an older
# template are read, checked and consolidated at their own addresses.
#   1: the first release.
#   2: a live self-check status line (row 3) under the year; the rules a formula can decide run in the workbook.
#   3: long texts under their labels across the form, rows that grow with their text, a three-line status line;
#      the check cells follow the live rules' counts; the form explains itself (xltools.live.explain).
VERSION_BLOCKS: dict[str, tuple[Block, ...]] = {"1": BLOCKS_V1, "2": BLOCKS_V2, "3": BLOCKS_V3}
DECLARATION = Family(TEMPLATE_ID, TITLE, FORM_SHEET, COLUMN_WIDTHS, VERSION_BLOCKS)
SUPPORTED_VERSIONS = DECLARATION.supported
TEMPLATE_VERSION = DECLARATION.current
BLOCKS = VERSION_BLOCKS[TEMPLATE_VERSION]
LAST_COL = DECLARATION.last_col


def build(version: str = TEMPLATE_VERSION) -> FormSpec:
    """The declaration's form in template ``version`` (default: the current one); made once per version.

    An unknown version is a KeyError: callers verify the version first (the reader reports template-mismatch).
    """
    return DECLARATION.form(version)


def build_for(version: object) -> FormSpec:
    """The spec of a form's recorded version; the current one when the version is not a supported one (a
    declaration only exists for supported versions, so that is for hand-made declarations in tests)."""
    return build(version) if isinstance(version, str) and version in VERSION_BLOCKS else build()


@cache
def max_last_row() -> int:
    """The last row any supported version uses: what a reader fetches before it knows the version."""
    return DECLARATION.max_last_row()


def choices(key: str) -> tuple[str, ...]:
    return data.choices()[key]

