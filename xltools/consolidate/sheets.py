"""The small sheets openpyxl writes: 统计 (statistics with two charts) and 报送情况 (every unit's state, and the
files found but not read). Both print A4 landscape, one page wide, with the report's page header.

Over-ceiling units, units that did not return and units with errors are marked (a red fill, bold red text), so
they stand out on screen and on paper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xltools import spec
from xltools.consolidate import layout as lay
from xltools.consolidate import sheetxml, status
from xltools.consolidate import tables as t
from xltools.text import LINE_HEIGHT, lines

# Which cells of a block's row are marked: row values -> 1-based columns.
Marks = Callable[[tuple[Any, ...]], set[int]]


def put(ws: Worksheet, row: int, col: int, value: Any, kind: str = t.TEXT) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return
    if kind == t.TEXT:
        cell.value = sheetxml.fit(str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.alignment = lay.TEXT_ALIGN
        if str(value).startswith(sheetxml.FORMULA_STARTS):
            cell.quotePrefix = True
        return
    cell.value = value
    cell.alignment = lay.VALUE_ALIGN
    if kind in lay.FORMATS:
        cell.number_format = lay.FORMATS[kind]


def _height(ws: Worksheet, row: int, texts: list[tuple[str, float]]) -> None:
    """Give ``row`` the height its tallest wrapped text needs (LibreOffice does not measure it on opening)."""
    n = max((lines(text, width) for text, width in texts), default=1)
    if n > 1:
        ws.row_dimensions[row].height = n * LINE_HEIGHT


def block(ws: Worksheet, top: int, title: str, df: pd.DataFrame, kinds: dict[str, str], total: bool,
          widths: list[float], marks: Marks | None = None) -> tuple[int, int, int]:
    """Write a titled table at row ``top``; return (header row, last data row, next free row)."""
    ws.cell(row=top, column=1, value=title).font = lay.TITLE_FONT
    header = top + 1
    for j, col in enumerate(kinds, start=1):
        cell = ws.cell(row=header, column=j, value=col)
        cell.font, cell.fill, cell.border, cell.alignment = (lay.HEADER_FONT, lay.HEADER_FILL, lay.HEADER_BORDER,
                                                             lay.HEADER_ALIGN)
    _height(ws, header, list(zip(kinds, widths, strict=False)))
    r = header
    texts = [j for j, kind in enumerate(kinds.values()) if kind == t.TEXT]
    for r, values in enumerate(df.itertuples(index=False), start=header + 1):
        plain = tuple(v.item() if hasattr(v, "item") else v for v in values)
        for j, (value, kind) in enumerate(zip(plain, kinds.values(), strict=True), start=1):
            put(ws, r, j, value, kind)
        for j in marks(plain) if marks else ():
            ws.cell(row=r, column=j).fill, ws.cell(row=r, column=j).font = lay.ALERT_FILL, lay.ALERT_FONT
        _height(ws, r, [(str(plain[j]), widths[j]) for j in texts if j < len(widths) and plain[j] is not None])
    last = r
    if total:
        r += 1
        put(ws, r, 1, "合计")
        ws.cell(row=r, column=1).font = lay.HEADER_FONT
        for j, (col, kind) in enumerate(kinds.items(), start=1):
            if j > 1 and kind in (t.MONEY, t.COUNT):
                value = df[col].sum(min_count=1)  # NaN (left blank) when the whole column is blank
                put(ws, r, j, value.item() if hasattr(value, "item") else value, kind)
                ws.cell(row=r, column=j).font = lay.HEADER_FONT
    return header, last, r + 2


CHART_WIDTH_CM = 13.0  # two charts side by side under the tables, within the printed width


def _chart(title: str, ws: Worksheet, header: int, last: int, col: int, anchor: str, y_title: str) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Chinese category names stay readable
    chart.style = 10
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = "#,##0"  # whole yuan on the axis: the labels stay apart
    chart.legend = None
    chart.height = max(7.5, 0.6 * (last - header) + 3)
    chart.width = CHART_WIDTH_CM
    chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    ws.add_chart(chart, anchor)


def _over_ceiling(kinds: dict[str, str]) -> Marks:
    """Marks the 控制数 and 项目当年预算 cells of a unit whose counted total is over its ceiling."""
    names = list(kinds)
    ceiling, annual = names.index(t.CEILING), names.index(t.ANNUAL)

    def marks(row: tuple[Any, ...]) -> set[int]:
        c, a = row[ceiling], row[annual]
        over = c == c and a == a and c is not None and a is not None and a > c + spec.MONEY_TOLERANCE
        return {ceiling + 1, annual + 1} if over else set()

    return marks


def stats_sheet(ws: Worksheet, tables: t.Tables, heading: lay.Heading) -> None:
    """The statistics (of the counted forms), and under them the two charts side by side: printed one page wide,
    on as few pages as the number of units needs."""
    ws.sheet_view.showGridLines = False
    blocks = ((tables.by_unit, t.BY_UNIT), (tables.by_type, t.BY_TYPE), (tables.by_level1, t.BY_LEVEL1))
    widths = [max(lay.column_widths(df, kinds, page=None)[0] for df, kinds in blocks)]
    # The numbers' widths from the totals row (the largest, and bold: one unit more).
    totals = tables.by_unit.sum(numeric_only=True).to_frame().T
    widths += [w + 1 for w in lay.column_widths(totals.reindex(columns=list(t.BY_UNIT)), t.BY_UNIT, page=None)[1:]]
    # The first column holds the names: narrow it (it wraps) when the row would not fit the page.
    widths = lay.narrowed(widths, [True] + [False] * (len(widths) - 1), lay.PAGE_WIDTH)
    _widths(ws, widths)
    top = 1
    _, _, top = block(ws, top, "按申报单位汇总（计入汇总的申报表；超过控制数的标红）", tables.by_unit, t.BY_UNIT, True,
                      widths, _over_ceiling(t.BY_UNIT))
    type_hdr, type_last, top = block(ws, top, "按项目类型汇总", tables.by_type, t.BY_TYPE, True, widths)
    lvl_hdr, lvl_last, top = block(ws, top, "一级指标覆盖情况（填有该一级指标的表数）", tables.by_level1, t.BY_LEVEL1,
                                   False, widths)
    if type_last > type_hdr:
        _chart("项目当年预算（元）按项目类型", ws, type_hdr, type_last, list(t.BY_TYPE).index(t.ANNUAL) + 1,
               f"A{top}", "元")
    if lvl_last > lvl_hdr:
        # Beside the first chart: the first column past the first chart's width (about 0.19 cm a width unit).
        right, col = 0.0, 1
        while col <= len(widths) and right < CHART_WIDTH_CM / 0.19 + 2:
            right += widths[col - 1]
            col += 1
        _chart("一级指标覆盖表数", ws, lvl_hdr, lvl_last, 2, f"{get_column_letter(col)}{top}", "表数")
    page_setup(ws, heading)


def _state_marks(row: tuple[Any, ...]) -> set[int]:
    names = list(status.STATUS)
    marked = set()
    if row[names.index(status.STATE)] in (status.NOT_RETURNED, status.HAS_ERRORS, status.NOT_LISTED):
        marked.add(names.index(status.STATE) + 1)
    over = row[names.index(status.OVER)]
    if over is not None and over == over:
        marked |= {names.index(status.OVER) + 1, names.index(t.CEILING) + 1}
    return marked


def status_sheet(ws: Worksheet, tables: t.Tables, heading: lay.Heading) -> None:
    """Every unit with its state (listed units first, in list order), then the files found but not read."""
    ws.sheet_view.showGridLines = False
    df = tables.status
    widths = lay.column_widths(df, status.STATUS)
    _widths(ws, widths)
    counts = df[status.STATE].value_counts()
    summary = "、".join(f"{state} {int(counts[state])}" for state in status.STATES if state in counts) or "无"
    _, _, top = block(ws, 1, f"各单位报送情况（{len(df)} 个单位：{summary}）", df, status.STATUS, False, widths,
                      _state_marks)
    skipped = tables.skipped
    if skipped.empty:
        ws.cell(row=top, column=1, value="未读取的文件：无（找到的每个文件都已读取）").font = lay.TITLE_FONT
    else:
        # The two columns of this block span the page: the file over the first columns, the reason over the rest.
        file_width = sum(widths[:3])
        ws.cell(row=top, column=1, value=f"未读取的文件（{len(skipped)} 个：不是申报表，或是 xltools 自己写出的文件）"
                ).font = lay.TITLE_FONT
        for r, (file, reason) in enumerate(skipped.itertuples(index=False), start=top + 1):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=len(widths))
            put(ws, r, 1, file)
            put(ws, r, 4, reason)
            _height(ws, r, [(str(file), file_width), (str(reason), sum(widths[3:]))])
    page_setup(ws, heading)


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def page_setup(ws: Worksheet, heading: lay.Heading, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, with the report's page header (openpyxl side of :func:`sheetxml.page_setup`)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for side, inches in sheetxml.MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.oddHeader.left.text = "&A"
    ws.oddHeader.center.text = heading.title.replace("&", "&&")
    ws.oddHeader.right.text = heading.made.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows
