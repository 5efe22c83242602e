"""Build :class:`~xltools.model.Declaration` objects directly, the way the reader would, for rule tests.

``make_decl()`` is a valid 2019 form that yields no finding at all. Override fields by key with the value as a
person typed it: a ``float``/``int`` or ``date`` is typed; a ``str`` in a money or date cell is text the reader
could not type (``problem`` set), unless it is blank; ``None`` or ``""`` is a blank cell.
``subprojects=[(name, amount), ...]`` and ``indicators=[(level1, level2, level3, target), ...]`` replace the
tables; in indicators a blank 一级/二级 under a filled row is carried down exactly as the reader does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from xltools import spec
from xltools.model import CellValue, Declaration, Indicator, SubProject

FILE = "申报表.xlsx"

DEFAULTS: dict[str, Any] = {
    "unit": "上海市市场监督管理局",
    "project": "上海市政府质量奖",
    "project_type": "经常性专项业务费",
    "category": "其他事业专业类",
    "start": dt.date(2019, 1, 1),
    "end": dt.date(2019, 12, 31),
    "overview": "设立上海市政府质量奖。",
    "basis": "《上海市政府质量奖管理办法》。",
    "necessity": "推广先进质量管理方法。",
    "measures": "严格按照规定实施评定。",
    "total_budget": 1_000_000.0,
    "annual_budget": 1_000_000.0,
    "prior_budget": 1_000_000.0,
    "prior_executed": 950_000.0,
    "plan": "全年按计划实施。",
    "overall_goal": "提升本市质量水平。",
    "annual_goal": "完成年度评审表彰。",
    "remarks": "",
}

SUBPROJECTS: list[tuple[Any, Any]] = [("获奖组织奖励费", 600_000.0), ("获奖个人奖励费", 400_000.0)]

INDICATORS: list[tuple[Any, Any, Any, Any]] = [
    ("投入和管理目标", "财务管理", "资金到位率", "=100%"),
    ("", "财务管理", "质量奖资金使用合规性", "合规"),
    ("产出目标", "数量目标", "评审计划完成数", "≥20"),
    ("", "时效目标", "计划实施的及时性", "及时"),
    ("效果目标", "社会效益目标", "获奖组织示范带动作用", "增强"),
    ("影响力目标", "满意度目标", "获奖单位满意度", "≥85%"),
]


def cell_value(cell: str, kind: str, value: Any) -> CellValue:
    """What the reader makes of ``value`` typed into a cell of this kind."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return CellValue(cell, "" if value is None else value, None)
    if kind == spec.MONEY:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                return CellValue(cell, value, None, "金额为负数")
            return CellValue(cell, value, float(value))
        return CellValue(cell, value, None, "不是有效的金额数字")
    if kind == spec.DATE:
        if isinstance(value, dt.date):
            return CellValue(cell, value, value)
        return CellValue(cell, value, None, "不是有效日期")
    return CellValue(cell, value, str(value).strip())


def make_decl(**overrides: Any) -> Declaration:
    """A valid declaration with ``overrides`` (field keys, or ``subprojects``, ``indicators``, ``year``,
    ``framework``) applied."""
    subprojects = overrides.pop("subprojects", SUBPROJECTS)
    indicators = overrides.pop("indicators", INDICATORS)
    year = overrides.pop("year", 2019)
    framework = overrides.pop("framework", "sh2019")
    s = spec.build()
    unknown = set(overrides) - set(s.fields)
    if unknown:
        raise KeyError(f"not spec fields: {sorted(unknown)}")
    values = {**DEFAULTS, **overrides}
    fields = {key: cell_value(f.cell, f.kind, values.get(key)) for key, f in s.fields.items()}
    return Declaration(
        file=FILE,
        sheet=spec.FORM_SHEET,
        template_version=spec.TEMPLATE_VERSION,
        year=year,
        framework=framework,
        fields=fields,
        subprojects=make_subprojects(subprojects),
        indicators=make_indicators(indicators),
    )


def make_subprojects(rows: Sequence[tuple[Any, Any] | None]) -> list[SubProject]:
    """Rows in table order; a ``None`` row leaves that table row empty (skipped, as the reader skips it)."""
    t = spec.build().tables["subprojects"]
    out = []
    for i, row in enumerate(rows):
        if row is None:
            continue
        name, amount = row
        out.append(SubProject(t.first_row + i, cell_value(t.cell("name", i), spec.TEXT, name),
                              cell_value(t.cell("amount", i), spec.MONEY, amount)))
    return out


def make_indicators(rows: Sequence[tuple[Any, Any, Any, Any] | None]) -> list[Indicator]:
    """Rows in table order, carrying a blank 一级/二级 down like the reader (a new 一级 does not carry 二级)."""
    t = spec.build().tables["indicators"]
    out: list[Indicator] = []
    above: dict[str, CellValue] = {}
    for i, row in enumerate(rows):
        if row is None:
            continue
        keys = ("level1", "level2", "level3", "target")
        cells = {k: cell_value(t.cell(k, i), spec.TEXT, v) for k, v in zip(keys, row, strict=True)}
        inherited = {"level1": False, "level2": False}
        for key in ("level1", "level2"):
            prev = above.get(key)
            if key == "level2" and cells["level1"].value != above.get("level1", CellValue("")).value:
                prev = None
            if cells[key].blank and prev is not None and prev.value is not None:
                cells[key] = CellValue(cells[key].cell, "", prev.value)
                inherited[key] = True
        above = {"level1": cells["level1"], "level2": cells["level2"]}
        out.append(Indicator(t.first_row + i, cells["level1"], cells["level2"], cells["level3"], cells["target"],
                             inherited["level1"], inherited["level2"]))
    return out


def cell(key: str) -> str:
    """A1 of field ``key``."""
    return spec.build().fields[key].cell


def table_cell(table: str, column: str, index: int) -> str:
    return spec.build().tables[table].cell(column, index)
