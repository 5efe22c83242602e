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

Every sheet prints on A4 landscape, one page wide: column widths are chosen so that the whole row fits at a
legible scale (long text wraps instead of widening its column), and the header row repeats on every page.
Each row of 项目汇总 and 问题清单 links to its source file by a path relative to the output, so the folder of
returned files and the output can move together; a finding's link goes to its cell.
"""

from __future__ import annotations

import io
import os
import re
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
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xltools import spec
from xltools.atomic import atomic_path
from xltools.consolidate import sheetxml
from xltools.consolidate import tables as t
from xltools.text import LINE_HEIGHT, display_width, lines
from xltools.workbook import sheet_member

FORMATS = {t.MONEY: spec.MONEY_FORMAT, t.DATE: spec.DATE_FORMAT, t.RATE: spec.RATE_FORMAT, t.COUNT: "0"}
# The font named: a font without a name prints Latin text in LibreOffice's default serif font.
FONT = "Calibri"  # openpyxl's (and Excel's) default body font
HEADER_FONT = Font(name=FONT, size=11, bold=True)
TITLE_FONT = Font(name=FONT, size=12, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_BORDER = Border(bottom=Side(style="thin", color="808080"))
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEXT_ALIGN = Alignment(vertical="top", wrap_text=True)  # long text wraps within its column
VALUE_ALIGN = Alignment(vertical="top")  # numbers on the first line of a wrapped row
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
MIN_TEXT_WIDTH = 12.0  # text columns are narrowed (and wrap) down to this to fit the page
# Column-width units across one landscape A4 page at a legible scale: about 140 units fit at 100%, so a sheet this
# wide prints at about 70% (an 11-point font as about 8 points).
PAGE_WIDTH = 200.0
WIDTH_SAMPLE = 1000  # rows looked at to size a column
_EPOCH = pd.Timestamp("1899-12-30")



def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(sheetxml.FORMULA_STARTS)


# -- styles ----------------------------------------------------------------------------------------------------

def _register_styles(wb: Workbook) -> dict[str, int]:
    """Register the cell styles the row sheets use; return kind -> style id (the index into cellXfs)."""
    ws = wb.create_sheet("_styles")
    ids: dict[str, int] = {}
    for i, kind in enumerate(("header", "quoted", t.TEXT, *FORMATS), start=1):
        cell = ws.cell(row=i, column=1)
        if kind == "header":
            cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
        elif kind in ("quoted", t.TEXT):
            cell.quotePrefix = kind == "quoted"
            cell.alignment = TEXT_ALIGN
        else:
            cell.number_format = FORMATS[kind]
            cell.alignment = VALUE_ALIGN
        ids[kind] = cell.style_id
    wb.remove(ws)  # the styles stay registered in the workbook's style table
    return ids


# -- the row sheets as streamed XML ----------------------------------------------------------------------------

def column_widths(df: pd.DataFrame, kinds: dict[str, str], page: float | None = PAGE_WIDTH) -> list[float]:
    """Widths that show each column's values; when they add up to more than ``page``, the text columns are
    narrowed (widest first, down to :data:`MIN_TEXT_WIDTH`) so the sheet prints one page wide at a legible
    scale: their text wraps. A header wraps too, so it widens a column only up to half its length."""
    widths = []
    for col, kind in kinds.items():
        sample = df[col].head(WIDTH_SAMPLE).dropna()
        if kind == t.TEXT:
            texts = [str(v).split("\n", 1)[0] for v in sample.unique()]
        elif kind == t.MONEY:
            # Digits are one unit wide, separators about half: 170,000,000.00 needs 12.5 units, not 14.
            texts = ["0" * (len(f"{sample.max():,.2f}") * 3 // 4 + 2)] if len(sample) else []
        elif kind == t.DATE:
            texts = ["2019-01-01"]
        elif kind == t.RATE:
            texts = ["100.00%"]
        else:
            texts = [str(v) for v in sample.unique()]
        values = max((display_width(x) for x in texts), default=0)
        header = display_width(str(col))
        # A short header (four CJK characters) shows whole; a longer one wraps onto two lines.
        longest = max(values, min(header, max(8, (header + 1) // 2)))
        floor = 12.0 if kind in (t.MONEY, t.DATE) else MIN_WIDTH
        widths.append(min(MAX_WIDTH, max(floor, longest + 2.0)))
    if page is not None:
        widths = _narrowed(widths, [kind == t.TEXT for kind in kinds.values()], page)
    return widths


def _narrowed(widths: list[float], text: list[bool], page: float) -> list[float]:
    """Cap the text columns at the one width that makes the row fit ``page`` (never below MIN_TEXT_WIDTH)."""
    if sum(widths) <= page:
        return widths
    fixed = sum(w for w, is_text in zip(widths, text, strict=True) if not is_text)
    texts = sorted(w for w, is_text in zip(widths, text, strict=True) if is_text)
    room, cap = page - fixed, MIN_TEXT_WIDTH
    for i, w in enumerate(texts):  # the widest columns share what the narrower ones leave
        share = (room - sum(texts[:i])) / (len(texts) - i)
        if share <= w:
            cap = max(MIN_TEXT_WIDTH, share)
            break
    return [min(w, cap) if is_text else w for w, is_text in zip(widths, text, strict=True)]


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
               links: tuple[sheetxml.Coded, int] | None = None) -> sheetxml.SheetPlan:
    """What :mod:`~xltools.consolidate.sheetxml` needs to write a row sheet: plain values, widths, style ids,
    and optionally a hyperlink per row with the column it sits on."""
    return sheetxml.SheetPlan(
        headers=[str(col) for col in kinds], kinds=list(kinds.values()),
        columns=[_column_values(df[col], kind) for col, kind in kinds.items()],
        widths=column_widths(df, kinds), styles=styles, selected=selected,
        links=links[0] if links else None, link_column=links[1] if links else 0,
    )


# -- links to the source files ---------------------------------------------------------------------------------

# Characters a relationship target (a URI reference) cannot hold as they are; other text, Chinese included, stays.
_URI_UNSAFE = re.compile(r'[\x00-\x20%#?"<>\[\]^`{|}\x7f]')


def link_target(file: str, base: str) -> str:
    """A URL for ``file`` relative to the folder ``base`` (so both can move together); an absolute file URL
    when no relative path exists (another drive on Windows)."""
    path = os.path.abspath(file)
    try:
        ref = os.path.relpath(path, base)
    except ValueError:
        ref = "file:///" + path.lstrip("/")
    ref = ref.replace(os.sep, "/")
    return _URI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), ref)


def _coded_links(files: pd.Series, base: str, locations: pd.Series | None = None) -> sheetxml.Coded:
    """One link per row (None without a file): each distinct file's target is computed once; "#location" is
    appended where a location is given."""
    codes, uniques = pd.factorize(files, use_na_sentinel=True)
    targets = [link_target(str(f), base) if f else None for f in uniques]
    links = [targets[c] if c >= 0 else None for c in codes.tolist()]
    if locations is not None:
        links = [f"{link}#{where}" if link and where else link for link, where in zip(links, locations, strict=True)]
    return sheetxml.code(links)


def sheet_links(name: str, df: pd.DataFrame, base: str) -> tuple[sheetxml.Coded, int] | None:
    """Hyperlinks of row sheet ``name`` (links to the files relative to ``base``) and their column."""
    if name == t.SUMMARY_SHEET:
        return _coded_links(df[t.SOURCE], base), list(t.SUMMARY_ALL).index(t.SOURCE)
    if name == t.FINDINGS_SHEET:
        sheet, cell = df["工作表"].fillna(""), df["单元格"].fillna("")
        # A cell of another workbook, as Excel writes it: '申报表'!D15.
        location = ("'" + sheet.str.replace("'", "''") + "'!" + cell).where((sheet != "") & (cell != ""), "")
        return _coded_links(df["文件"], base, location), list(t.FINDINGS).index("文件")
    return None


# -- the 统计 sheet (small: openpyxl) ----------------------------------------------------------------------------

def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = t.TEXT) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return
    if kind == t.TEXT:
        cell.value = sheetxml.fit(str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.alignment = TEXT_ALIGN
        if is_formula_like(value):
            cell.quotePrefix = True
        return
    cell.value = value
    cell.alignment = VALUE_ALIGN
    if kind in FORMATS:
        cell.number_format = FORMATS[kind]


def _height(ws: Worksheet, row: int, texts: list[tuple[str, float]]) -> None:
    """Give ``row`` the height its tallest wrapped text needs (LibreOffice does not measure it on opening)."""
    n = max((lines(text, width) for text, width in texts), default=1)
    if n > 1:
        ws.row_dimensions[row].height = n * LINE_HEIGHT


def _block(ws: Worksheet, top: int, title: str, df: pd.DataFrame, kinds: dict[str, str], total: bool,
           widths: list[float]) -> tuple[int, int, int]:
    """Write a titled table at row ``top``; return (header row, last data row, next free row)."""
    ws.cell(row=top, column=1, value=title).font = TITLE_FONT
    header = top + 1
    for j, col in enumerate(kinds, start=1):
        cell = ws.cell(row=header, column=j, value=col)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
    _height(ws, header, list(zip(kinds, widths, strict=False)))
    r = header
    for r, values in enumerate(df.itertuples(index=False), start=header + 1):
        for j, (value, kind) in enumerate(zip(values, kinds.values(), strict=True), start=1):
            _put(ws, r, j, value.item() if hasattr(value, "item") else value, kind)
        _height(ws, r, [(str(values[0]), widths[0])])
    last = r
    if total:
        r += 1
        _put(ws, r, 1, "合计")
        ws.cell(row=r, column=1).font = HEADER_FONT
        for j, (col, kind) in enumerate(kinds.items(), start=1):
            if j > 1 and kind in (t.MONEY, t.COUNT):
                value = df[col].sum(min_count=1)  # NaN (left blank) when the whole column is blank
                _put(ws, r, j, value.item() if hasattr(value, "item") else value, kind)
                ws.cell(row=r, column=j).font = HEADER_FONT
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


def stats_sheet(ws: Worksheet, tables: t.Tables) -> None:
    """The statistics (of the counted forms), and under them the two charts side by side: printed one page wide,
    on as few pages as the number of units needs."""
    ws.sheet_view.showGridLines = False
    blocks = ((tables.by_unit, t.BY_UNIT), (tables.by_type, t.BY_TYPE), (tables.by_level1, t.BY_LEVEL1))
    widths = [max(column_widths(df, kinds, page=None)[0] for df, kinds in blocks)]
    # The numbers' widths from the totals row (the largest, and bold: one unit more).
    totals = tables.by_unit.sum(numeric_only=True).to_frame().T
    widths += [w + 1 for w in column_widths(totals.reindex(columns=list(t.BY_UNIT)), t.BY_UNIT, page=None)[1:]]
    # The first column holds the names: narrow it (it wraps) when the row would not fit the page.
    widths = _narrowed(widths, [True] + [False] * (len(widths) - 1), PAGE_WIDTH)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    top = 1
    _, _, top = _block(ws, top, "按申报单位汇总（计入汇总的申报表）", tables.by_unit, t.BY_UNIT, True, widths)
    type_hdr, type_last, top = _block(ws, top, "按项目类型汇总", tables.by_type, t.BY_TYPE, True, widths)
    lvl_hdr, lvl_last, top = _block(ws, top, "一级指标覆盖情况（填有该一级指标的表数）", tables.by_level1, t.BY_LEVEL1,
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
    _page_setup(ws)


def _page_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide (openpyxl side of :data:`sheetxml.PAGE_SETUP`)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.left.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows


# -- the workbook ----------------------------------------------------------------------------------------------

def _skeleton(tables: t.Tables) -> tuple[bytes, dict[str, int]]:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    styles = _register_styles(wb)
    for name, (df, kinds) in tables.sheets().items():
        ws = wb.create_sheet(name)
        # Content comes from sheetxml; set here what openpyxl mirrors into workbook.xml (the filter's name and
        # the header row printed on every page).
        ws.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{len(df) + 1}"
        ws.print_title_rows = "1:1"
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
        plan = self._plan(name, df, kinds, styles)
        part = os.path.join(self._scratch.name, f"{len(self._ahead)}.xml")
        try:
            self._ahead[name] = (self.submit(sheetxml.render_to, plan, part), styles)
        except (BrokenProcessPool, RuntimeError):  # a broken or shut-down pool: render at write time
            return

    def _plan(self, name: str, df: pd.DataFrame, kinds: dict[str, str], styles: dict[str, int],
              ) -> sheetxml.SheetPlan:
        base = os.path.abspath(self.target.parent)
        return sheet_plan(df, kinds, styles, selected=name == t.SUMMARY_SHEET, links=sheet_links(name, df, base))

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
                rels_member = _rels_member(info.filename)
                assert rels_member not in src.namelist(), "a row sheet of the skeleton has no relationships"
                rendered = self._rendered(name, styles)
                with dst.open(info.filename, "w") as out:
                    if rendered is not None:
                        with open(rendered, "rb") as part:
                            shutil.copyfileobj(part, out, 1 << 20)
                        rels_file = Path(sheetxml.rels_path(rendered))
                        relationships = rels_file.read_bytes() if rels_file.exists() else None
                    else:
                        plan = self._plan(name, *row_sheets[name], styles)
                        for chunk in sheetxml.parts(plan):
                            out.write(chunk)
                        relationships = sheetxml.rels(plan)
                if relationships is not None:
                    dst.writestr(rels_member, relationships)
        return self.target


def _rels_member(member: str) -> str:
    """The relationships part of a zip member: xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels."""
    folder, _, name = member.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


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
