"""Writing the consolidated workbook (for people) and parquet files (for analysts).

Thousands of forms make tens of thousands of rows; openpyxl needs ~20 µs a cell even in write-only mode, which
alone would take seconds. So the workbook is made in two parts:

* openpyxl writes a small *skeleton*: the styles, the 统计 sheet with its charts, and empty row sheets with their
  filters (openpyxl adds the defined names Excel expects);
* the row sheets' XML is then streamed straight into the zip, using the style ids openpyxl registered.

Every value a unit typed is written as a string cell (never a formula): text starting with ``=``, ``+``, ``-`` or
``@`` additionally gets Excel's quote prefix, so editing the cell does not turn it into a formula either.
The file is written to a temporary name in the same folder and moved into place (:mod:`xltools.atomic`): a reader
never sees half a file, and a failed run leaves the previous output intact.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xltools import spec
from xltools.atomic import atomic_path
from xltools.consolidate import sheetxml
from xltools.consolidate import tables as t
from xltools.text import display_width
from xltools.workbook import sheet_member

FORMATS = {t.MONEY: spec.MONEY_FORMAT, t.DATE: spec.DATE_FORMAT, t.RATE: spec.RATE_FORMAT, t.COUNT: "0"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_BORDER = Border(bottom=Side(style="thin", color="808080"))
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
WIDTH_SAMPLE = 1000  # rows looked at to size a column
_EPOCH = pd.Timestamp("1899-12-30")



def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(sheetxml.FORMULA_STARTS)


# -- styles ----------------------------------------------------------------------------------------------------

def _register_styles(wb: Workbook) -> dict[str, int]:
    """Register the cell styles the row sheets use; return kind -> style id (the index into cellXfs)."""
    ws = wb.create_sheet("_styles")
    ids: dict[str, int] = {}
    for i, kind in enumerate(("header", "quoted", *FORMATS), start=1):
        cell = ws.cell(row=i, column=1)
        if kind == "header":
            cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
        elif kind == "quoted":
            cell.quotePrefix = True
        else:
            cell.number_format = FORMATS[kind]
        ids[kind] = cell.style_id
    wb.remove(ws)  # the styles stay registered in the workbook's style table
    return ids


# -- the row sheets as streamed XML ----------------------------------------------------------------------------

def column_widths(df: pd.DataFrame, kinds: dict[str, str]) -> list[float]:
    widths = []
    for col, kind in kinds.items():
        sample = df[col].head(WIDTH_SAMPLE).dropna()
        if kind == t.TEXT:
            texts = [str(v).split("\n", 1)[0] for v in sample.unique()]
        elif kind == t.MONEY:
            texts = [f"{sample.max():,.2f}"] if len(sample) else []
        elif kind == t.DATE:
            texts = ["2019-01-01"]
        else:
            texts = [str(v) for v in sample.unique()]
        longest = max((display_width(x) for x in [*texts, str(col)]), default=0)
        floor = 12.0 if kind in (t.MONEY, t.DATE) else MIN_WIDTH
        widths.append(min(MAX_WIDTH, max(floor, longest + 2.0)))
    return widths


def _column_values(series: pd.Series, kind: str) -> list[Any] | sheetxml.Coded:
    if kind == t.DATE:
        serial = (series - _EPOCH) / pd.Timedelta(days=1)
        return [int(v) if v == v and float(v).is_integer() else v for v in serial.tolist()]
    if kind == t.TEXT:
        # Texts repeat (unit, project, indicator names, source file): send each once, with a code per row.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return sheetxml.Coded(codes.tolist(), [str(u) for u in uniques])
    return series.tolist()  # int64 -> int, float64 -> float (NaN for blank)


def sheet_plan(df: pd.DataFrame, kinds: dict[str, str], styles: dict[str, int], selected: bool = False,
               ) -> sheetxml.SheetPlan:
    """What :mod:`~xltools.consolidate.sheetxml` needs to write a row sheet: plain values, widths, style ids."""
    return sheetxml.SheetPlan(
        headers=[str(col) for col in kinds], kinds=list(kinds.values()),
        columns=[_column_values(df[col], kind) for col, kind in kinds.items()],
        widths=column_widths(df, kinds), styles=styles, selected=selected,
    )


# -- the 统计 sheet (small: openpyxl) ----------------------------------------------------------------------------

def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = t.TEXT) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return
    if kind == t.TEXT:
        cell.value = sheetxml.fit(str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if is_formula_like(value):
            cell.quotePrefix = True
        return
    cell.value = value
    if kind in FORMATS:
        cell.number_format = FORMATS[kind]


def _block(ws: Worksheet, top: int, title: str, df: pd.DataFrame, kinds: dict[str, str],
           total: bool) -> tuple[int, int, int]:
    """Write a titled table at row ``top``; return (header row, last data row, next free row)."""
    ws.cell(row=top, column=1, value=title).font = Font(bold=True, size=12)
    header = top + 1
    for j, col in enumerate(kinds, start=1):
        cell = ws.cell(row=header, column=j, value=col)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
    r = header
    for r, values in enumerate(df.itertuples(index=False), start=header + 1):
        for j, (value, kind) in enumerate(zip(values, kinds.values(), strict=True), start=1):
            _put(ws, r, j, value.item() if hasattr(value, "item") else value, kind)
    last = r
    if total:
        r += 1
        _put(ws, r, 1, "合计")
        ws.cell(row=r, column=1).font = Font(bold=True)
        for j, (col, kind) in enumerate(kinds.items(), start=1):
            if j > 1 and kind in (t.MONEY, t.COUNT):
                _put(ws, r, j, df[col].sum().item(), kind)
                ws.cell(row=r, column=j).font = Font(bold=True)
    return header, last, r + 2


def _chart(title: str, ws: Worksheet, header: int, last: int, col: int, anchor: str, y_title: str) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Chinese category names stay readable
    chart.style = 10
    chart.title = title
    chart.y_axis.title = y_title
    chart.legend = None
    chart.height = max(7.5, 0.6 * (last - header) + 3)
    chart.width = 18
    chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    ws.add_chart(chart, anchor)


def stats_sheet(ws: Worksheet, tables: t.Tables) -> None:
    ws.sheet_view.showGridLines = False
    top = 1
    _, _, top = _block(ws, top, "按申报单位汇总", tables.by_unit, t.BY_UNIT, total=True)
    type_hdr, type_last, top = _block(ws, top, "按项目类型汇总", tables.by_type, t.BY_TYPE, total=True)
    lvl_hdr, lvl_last, top = _block(ws, top, "一级指标覆盖情况（填有该一级指标的表数）", tables.by_level1, t.BY_LEVEL1,
                                    total=False)
    widths = [max(column_widths(df, kinds)[0] for df, kinds in
                  ((tables.by_unit, t.BY_UNIT), (tables.by_type, t.BY_TYPE), (tables.by_level1, t.BY_LEVEL1)))]
    widths += [18.0] * (len(t.BY_UNIT) - 1)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    anchor_col = get_column_letter(len(t.BY_UNIT) + 2)
    if type_last > type_hdr:
        _chart("项目当年预算（元）按项目类型", ws, type_hdr, type_last, list(t.BY_TYPE).index(t.ANNUAL) + 1,
               f"{anchor_col}1", "元")
    if lvl_last > lvl_hdr:
        _chart("一级指标覆盖表数", ws, lvl_hdr, lvl_last, 2, f"{anchor_col}22", "表数")


# -- the workbook ----------------------------------------------------------------------------------------------

def _skeleton(tables: t.Tables) -> tuple[bytes, dict[str, int]]:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    styles = _register_styles(wb)
    for name, (df, kinds) in tables.sheets().items():
        ws = wb.create_sheet(name)
        # Content comes from sheetxml; set here what openpyxl mirrors into workbook.xml (the filter's name).
        ws.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{len(df) + 1}"
    stats_sheet(wb.create_sheet(t.STATS_SHEET), tables)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), styles


@cache
def style_ids() -> dict[str, int]:
    """The style ids the skeleton registers (the same in every skeleton: registration order is fixed)."""
    return _register_styles(Workbook())


Submit = Callable[..., "Future[str]"]


class Writer:
    """Writes the consolidated workbook to ``path`` atomically.

    A row sheet whose content is final can be rendered *ahead*, in another process, while this one works on:
    资金构成 and 绩效指标 during validation (which adds findings but changes no row), 项目汇总 and 问题清单 while
    the skeleton is built. :meth:`ahead` hands a sheet to ``submit`` (a process pool's submit); :meth:`write`
    copies the rendered XML into the zip. When ``submit`` is None, or the pool fails, the sheet is rendered in this
    process, with the same bytes. Rendered XML goes to temporary files next to the output, removed on close.
    """

    def __init__(self, path: str | Path, submit: Submit | None = None) -> None:
        self.target = Path(path)
        self.submit = submit
        self._ahead: dict[str, tuple[Future[str], dict[str, int]]] = {}
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for future, _styles in self._ahead.values():
            future.cancel()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def ahead(self, name: str, df: pd.DataFrame, kinds: dict[str, str]) -> None:
        """Start rendering row sheet ``name`` in another process (no-op without a pool)."""
        if self.submit is None:
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(dir=self.target.parent, prefix=".xltools-")
        styles = style_ids()
        plan = sheet_plan(df, kinds, styles, selected=name == t.SUMMARY_SHEET)
        part = os.path.join(self._scratch.name, f"{len(self._ahead)}.xml")
        try:
            self._ahead[name] = (self.submit(sheetxml.render_to, plan, part), styles)
        except (BrokenProcessPool, RuntimeError):  # a broken or shut-down pool: render at write time
            return

    def _rendered(self, name: str, styles: dict[str, int]) -> str | None:
        """The file rendered ahead for ``name``, or None (then render here)."""
        entry = self._ahead.pop(name, None)
        if entry is None or entry[1] != styles:
            return None
        try:
            return entry[0].result()
        except BrokenProcessPool:
            return None

    def write(self, tables: t.Tables) -> Path:
        """Write the workbook; return its path."""
        skeleton, styles = _skeleton(tables)
        with atomic_path(self.target) as tmp, zipfile.ZipFile(io.BytesIO(skeleton)) as src, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            row_sheets = tables.sheets()
            members = {sheet_member(src, name): name for name in row_sheets}
            for info in src.infolist():
                name = members.get(info.filename)
                if name is None:
                    dst.writestr(info, src.read(info.filename))
                    continue
                rendered = self._rendered(name, styles)
                with dst.open(info.filename, "w") as out:
                    if rendered is not None:
                        with open(rendered, "rb") as part:
                            shutil.copyfileobj(part, out, 1 << 20)
                        continue
                    df, kinds = row_sheets[name]
                    for chunk in sheetxml.parts(sheet_plan(df, kinds, styles, selected=name == t.SUMMARY_SHEET)):
                        out.write(chunk)
        return self.target


def write_parquet(tables: t.Tables, directory: str | Path) -> list[Path]:
    """One parquet file per table (pyarrow), each written atomically."""
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.parquet_tables().items():
        with atomic_path(out_dir / f"{name}.parquet") as tmp:
            df.to_parquet(tmp, engine="pyarrow", index=False)
        written.append(out_dir / f"{name}.parquet")
    return written
