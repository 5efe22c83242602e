"""Writing the self-evaluations' consolidated workbook: the declarations' writer (:class:`~.output.Writer`: an
openpyxl skeleton, row sheets streamed as XML, written atomically, marked as xltools' own) with a skeleton of its
own (its three row sheets and 统计) and its source columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from xltools.consolidate import layout, sheets, sheetxml
from xltools.consolidate import tables as t
from xltools.consolidate.evaltables import SUMMARY_SHEET, EvalTables
from xltools.consolidate.output import Writer, _column_values, marked, row_sheets

TITLE = "项目支出绩效自评表汇总"


def heading(year: int | None, made: Any) -> layout.Heading:
    when = f"{year} 年度" if year is not None else "（年度未知）"
    return layout.Heading(f"{when}{TITLE}", f"制表日期：{made.isoformat()}")


class EvalWriter(Writer):
    def skeleton(self, tables: Any) -> tuple[bytes, dict[str, int]]:
        assert isinstance(tables, EvalTables)
        wb, styles = row_sheets(tables)
        stats = wb.create_sheet(t.STATS_SHEET)
        stats.sheet_view.showGridLines = False
        widths = layout.column_widths(tables.by_unit, tables.by_unit_kinds, page=None)
        for i, w in enumerate(widths, start=1):
            stats.column_dimensions[get_column_letter(i)].width = w
        sheets.block(stats, 1, "按实施单位汇总（计入汇总的自评表）", tables.by_unit, tables.by_unit_kinds, False, widths)
        sheets.page_setup(stats, self.heading)
        return marked(wb, self.heading, tables.year), styles

    def _plan(self, name: str, df: pd.DataFrame, kinds: dict[str, str], styles: dict[str, int],
              ) -> sheetxml.SheetPlan:
        if name == t.FINDINGS_SHEET:  # the declarations' columns: their plan, cell links included
            return super()._plan(name, df, kinds, styles)
        columns = {col: _column_values(df[col], kind) for col, kind in kinds.items()}
        names = self.links.names(df[t.SOURCE])
        columns[t.SOURCE] = names
        source = list(kinds).index(t.SOURCE)
        linked = name == SUMMARY_SHEET
        return sheetxml.SheetPlan(
            headers=list(kinds), kinds=list(kinds.values()), columns=list(columns.values()),
            widths=layout.column_widths(df, kinds, shown={t.SOURCE: names.values}, link=t.SOURCE), styles=styles,
            selected=linked, links=self.links.coded(df[t.SOURCE]) if linked else None, link_column=source,
            header=self.heading.header, name_column=source,
        )


def write(tables: EvalTables, path: Path, writer: EvalWriter) -> Path:
    with writer:
        for name, (df, kinds) in tables.sheets().items():
            writer.ahead(name, df, kinds)
        return writer.write(tables)  # type: ignore[arg-type]  # the writer's own skeleton reads EvalTables
