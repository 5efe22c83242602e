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
    groups = counted.groupby(counted[t.UNIT].fillna("").map(name_key).rename("key"), sort=False)
    # One pass per column over all units, then plain lookups: a bureau has a few hundred units.
    forms = groups.size().to_dict()
    annual = groups[t.ANNUAL].sum(min_count=1).to_dict()
    errors, warnings = groups[t.ERRORS].sum().to_dict(), groups[t.WARNINGS].sum().to_dict()
    first = groups[t.UNIT].first().to_dict()
    rows = []

    def row(code: str, name: str, ceiling: float | None, key: str, listed: bool) -> tuple[object, ...]:
        nan = float("nan")
        cap = nan if ceiling is None else ceiling
        if not forms.get(key):
            return (code, name, cap, 0, nan, nan, 0, 0, NOT_RETURNED)
        total, bad, doubtful = annual[key], int(errors[key]), int(warnings[key])
        over = total - cap if total == total and cap == cap and total > cap + spec.MONEY_TOLERANCE else nan
        state = NOT_LISTED if not listed else HAS_ERRORS if bad else HAS_WARNINGS if doubtful else PASSED
        return (code, name, cap, forms[key], total, over, bad, doubtful, state)

    listed = set()
    for unit in units or ():
        key = name_key(unit.name)
        listed.add(key)
        rows.append(row(unit.code, unit.name, unit.ceiling, key, listed=True))
    for key in forms:
        if key not in listed:
            name = first[key]
            rows.append(row("", t.UNKNOWN if not key or not isinstance(name, str) else name, None, key,
                            listed=units is None))
    return t.frame(rows, STATUS)


def skipped_table(skipped: Sequence[Skipped]) -> pd.DataFrame:
    return t.frame([(s.display, s.reason) for s in skipped], SKIPPED)


def not_returned(status: pd.DataFrame) -> int:
    return int((status[STATE] == NOT_RETURNED).sum())
