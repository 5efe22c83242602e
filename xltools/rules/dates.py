"""The project period: date-order, date-outside-year.

Decisions:

* Both rules need two valid dates; a blank or invalid date is reported by :mod:`xltools.rules.fields` and these
  rules stay silent.
* ``date-order`` (error) at the 结束时间 cell: the end is usually what was mistyped (a wrong year), and the
  message names both dates so either can be corrected.
* ``date-outside-year`` (warning) at the 开始时间 cell when the whole period [开始, 结束] lies before or after the
  budget year (``decl.year``). A period that touches the year on any day is fine: multi-year projects are normal.
  Skipped when the year is unknown (``decl.year`` is None) or the dates are in the wrong order (date-order says it).
"""

from __future__ import annotations

import datetime as dt

from xltools.findings import Finding
from xltools.model import Declaration
from xltools.rules._common import advice, field_value, finding, label


def check(decl: Declaration) -> list[Finding]:
    start_cv, end_cv = field_value(decl, "start"), field_value(decl, "end")
    start, end = start_cv.date, end_cv.date
    if start_cv.problem or end_cv.problem or start is None or end is None:
        return []
    if start > end:
        return [finding(decl, "date-order", end_cv.cell,
                        f"“{label('start')}”为 {start.isoformat()}，晚于“{label('end')}” {end.isoformat()}。"
                        f"{advice('date-order')}")]
    year = decl.year
    if isinstance(year, int) and not isinstance(year, bool) and dt.MINYEAR <= year <= dt.MAXYEAR:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if end < first or start > last:
            return [finding(decl, "date-outside-year", start_cv.cell,
                            f"项目实施期 {start.isoformat()} 至 {end.isoformat()} 不在预算年度 {year} 年内。"
                            f"{advice('date-outside-year')}本表申报的是 {year} 年预算。")]
    return []
