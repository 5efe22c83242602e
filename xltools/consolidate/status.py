"""报送情况: every unit accounted for (listed or not, returned or not), and every file found but not read.

One row per unit on the units list, in list order, then one per unit found on forms but not on the list; without
a units list, one per unit found. Only counted forms (计入汇总 = 是) count, as in 统计.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from xltools import spec
from xltools.consolidate import tables as t
from xltools.discover import Skipped
from xltools.units import Unit, name_key

CODE, FORMS, OVER, STATE = "单位编码", "报送表数", "超出控制数（元）", "状态"
NOT_RETURNED, HAS_ERRORS, HAS_WARNINGS, PASSED, NOT_LISTED = "未报送", "有错误", "有警告", "通过", "不在名单"
STATES = (NOT_RETURNED, HAS_ERRORS, HAS_WARNINGS, PASSED, NOT_LISTED)
STATUS: dict[str, str] = {CODE: t.TEXT, t.UNIT: t.TEXT, t.CEILING: t.MONEY, FORMS: t.COUNT, t.ANNUAL: t.MONEY,
                          OVER: t.MONEY, t.ERRORS: t.COUNT, t.WARNINGS: t.COUNT, STATE: t.TEXT}
FILE, REASON = "文件", "原因及处理"
SKIPPED: dict[str, str] = {FILE: t.TEXT, REASON: t.TEXT}


def table(summary: pd.DataFrame, units: Sequence[Unit] | None) -> pd.DataFrame:
    """The 报送情况 table from 项目汇总 (its error and warning counts filled in) and the units list, if any."""
    counted = summary[summary[t.COUNTED] == t.YES]
    keys = counted[t.UNIT].fillna("").map(name_key)
    groups = {key: rows for key, rows in counted.groupby(keys, sort=False)}
    rows = []
    listed = set()
    for unit in units or ():
        key = name_key(unit.name)
        listed.add(key)
        rows.append(_row(unit.code, unit.name, unit.ceiling, groups.get(key), listed=True))
    for key, forms in groups.items():
        if key not in listed:
            name = forms[t.UNIT].iloc[0]
            rows.append(_row("", t.UNKNOWN if pd.isna(name) or not key else name, None, forms,
                             listed=units is None))
    return t.frame(rows, STATUS)


def _row(code: str, name: str, ceiling: float | None, forms: pd.DataFrame | None, listed: bool) -> tuple[object, ...]:
    nan = float("nan")
    if forms is None or forms.empty:
        return (code, name, ceiling if ceiling is not None else nan, 0, nan, nan, 0, 0, NOT_RETURNED)
    annual = forms[t.ANNUAL].sum(min_count=1)
    over = annual - ceiling if ceiling is not None and annual == annual and annual > ceiling + spec.MONEY_TOLERANCE \
        else nan
    errors, warnings = int(forms[t.ERRORS].sum()), int(forms[t.WARNINGS].sum())
    state = NOT_LISTED if not listed else HAS_ERRORS if errors else HAS_WARNINGS if warnings else PASSED
    return (code, name, ceiling if ceiling is not None else nan, len(forms), annual, over, errors, warnings, state)


def skipped_table(skipped: Sequence[Skipped]) -> pd.DataFrame:
    return t.frame([(s.display, s.reason) for s in skipped], SKIPPED)


def not_returned(status: pd.DataFrame) -> int:
    return int((status[STATE] == NOT_RETURNED).sum())
