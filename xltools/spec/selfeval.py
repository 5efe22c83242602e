"""The 项目支出绩效自评表 (year-end self-evaluation, 财预〔2020〕10号 附1, money in 元 as Shanghai's districts print
it): its template id, every version's blocks, the numbers its rules share.

A second family beside the declaration, made of the same parts. Eight columns, A4 portrait:

* 项目名称 (prefilled), 主管部门 | 实施单位 (prefilled);
* 项目资金（元）: 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, rows 年度资金总额 (年初预算数 prefilled:
  the approved 项目当年预算; 分值 from the rules) and 其中：当年财政拨款 / 上年结转资金 / 其他资金 (分值 and 得分 "—");
* 年度总体目标: 预期目标 (prefilled: the approved 年度绩效目标) | 实际完成情况;
* 绩效指标: 一级 | 二级 | 三级 | 年度指标值 (prefilled, as approved) | 实际完成值 | 分值 (default filled in) | 得分 |
  偏差原因分析及改进措施;
* 总分: the 分值 total, the 总分 and the 等级.

Cells the live checks compute (执行率, 得分, totals) are checks with an empty formula: :mod:`xltools.live.selfeval`
writes them.
"""

from __future__ import annotations

from functools import cache

from xltools.spec.form import Family, FormSpec
from xltools.spec.parts import (
    LONG,
    MONEY,
    NUMBER,
    NUMBER_FORMAT,
    RATE_FORMAT,
    TEXT,
    Block,
    Check,
    Column,
    Field,
    Fixed,
    Grid,
    GridRow,
    Line,
    Pair,
    StatusLine,
    Table,
    TableBlock,
)

SELFEVAL_ID = "xltools.sh-perf-selfeval"
SELFEVAL_TITLE = "项目支出绩效自评表"
SELFEVAL_SHEET = "绩效自评表"
SELFEVAL_FILENAME = "绩效自评表.xlsx"
# A4 portrait, eight columns: the indicator table's, which every other block lines up with.
SELFEVAL_WIDTHS = (11.0, 11.0, 17.0, 15.0, 15.0, 8.0, 9.0, 19.0)
# The sources of funds under 年度资金总额: key suffix and label.
SOURCES = (("fiscal", "当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
INDICATOR_CAPACITY = 60  # the declaration's 分解目标 holds 60 rows: every approved row fits


def _money(key: str, label: str, col: int, *, prefilled: bool = False, required: bool = True) -> Field:
    return Field(key, label, MONEY, required=required and not prefilled, prefilled=prefilled, first_col=col,
                 last_col=col)


def _shown(key: str, col: int, number_format: str | None = None) -> Check:
    """A cell the live checks fill (a rate, a score, a total)."""
    return Check(key, None, "", number_format, first_col=col, last_col=col)


def _funds() -> Grid:
    header = tuple(Fixed(text, col, col) for col, text in
                   enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=3))
    total = GridRow("年度资金总额", (
        _money("initial", "年初预算数", 3, prefilled=True),
        _money("budget", "全年预算数", 4),
        _money("executed", "全年执行数", 5),
        _shown("execution_weight", 6, NUMBER_FORMAT),
        _shown("execution_rate", 7, RATE_FORMAT),
        _shown("execution_score", 8, NUMBER_FORMAT),
    ), height=22)
    rows = [total]
    for key, label in SOURCES:
        shown = f"其中：{label}" if key == "fiscal" else label
        rows.append(GridRow(shown, (
            _money(f"initial_{key}", f"年初预算数（{label}）", 3, required=False),
            _money(f"budget_{key}", f"全年预算数（{label}）", 4, required=False),
            _money(f"executed_{key}", f"全年执行数（{label}）", 5, required=False),
            Fixed("—", 6, 6),
            _shown(f"rate_{key}", 7, RATE_FORMAT),
            Fixed("—", 8, 8),
        ), height=22))
    return Grid("funds", "项目资金（元）", header, tuple(rows))


BLOCKS_V1: tuple[Block, ...] = (
    # Three lines: it names the first problem and where the reasons are, and gives a program's result once 校验结果
    # holds one (the declaration's status line, xltools.live.status). Row heights only: the addresses are version 1's.
    StatusLine("status", lines=3, reads_results=True),
    Line(Field("project", "项目名称", TEXT, required=False, prefilled=True)),
    Pair(Field("department", "主管部门", TEXT), Field("unit", "实施单位", TEXT, required=False, prefilled=True)),
    _funds(),
    Grid("goal", "年度总体目标", (Fixed("预期目标", 1, 4), Fixed("实际完成情况", 5, 8)), (
        GridRow(None, (
            Field("goal", "预期目标", LONG, required=False, prefilled=True, first_col=1, last_col=4),
            Field("achieved", "实际完成情况", LONG, first_col=5, last_col=8),
        ), height=90),
    )),
    TableBlock(Table(
        "indicators",
        "绩效指标",
        (
            Column("level1", "一级指标", TEXT, 1, prefilled=True),
            Column("level2", "二级指标", TEXT, 2, prefilled=True),
            Column("level3", "三级指标", TEXT, 3, prefilled=True),
            Column("target", "年度指标值", TEXT, 4, prefilled=True),
            Column("actual", "实际完成值", TEXT, 5),
            Column("weight", "分值", NUMBER, 6),
            Column("score", "得分", NUMBER, 7),
            Column("reason", "偏差原因分析及改进措施", LONG, 8, required=False),
        ),
        capacity=INDICATOR_CAPACITY,
        visible=20,
    )),
    Grid("total", None, (), (
        GridRow("总分", (_shown("weight_total", 6, NUMBER_FORMAT), _shown("total", 7, NUMBER_FORMAT),
                        _shown("grade", 8)), label_cols=(1, 5), height=24),
    )),
)

# Versions this release can read, oldest first; the last is the one new forms are made of.
#   1: the first release.
SELFEVAL_VERSIONS: dict[str, tuple[Block, ...]] = {"1": BLOCKS_V1}
SELFEVAL = Family(SELFEVAL_ID, SELFEVAL_TITLE, SELFEVAL_SHEET, SELFEVAL_WIDTHS, SELFEVAL_VERSIONS,
                  pair_columns=(1, 2, 4, 5, 6, 8), year_format="（{year}年度）")


def selfeval_form(version: str = SELFEVAL.current) -> FormSpec:
    """The self-evaluation's form in template ``version`` (default: the current one); made once per version."""
    return SELFEVAL.form(version)


@cache
def selfeval_max_last_row() -> int:
    return SELFEVAL.max_last_row()
