"""How the consolidated workbook looks and prints: cell styles, number formats, column widths, page headers.

Shared by the streamed row sheets (:mod:`.sheetxml`, through style ids) and the sheets openpyxl writes
(:mod:`.sheets`). Every cell is aligned to the top of its row, text and numbers alike, so a row whose text wraps
reads across; headers are centred.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from xltools import spec
from xltools.consolidate import sheetxml
from xltools.consolidate import tables as t
from xltools.text import display_width

FORMATS = {t.MONEY: spec.MONEY_FORMAT, t.DATE: spec.DATE_FORMAT, t.DATETIME: "yyyy-mm-dd hh:mm:ss",
           t.RATE: spec.RATE_FORMAT, t.COUNT: "0", t.NUMBER: "General"}
# The font named: a font without a name prints Latin text in LibreOffice's default serif font.
FONT = "Calibri"  # openpyxl's (and Excel's) default body font
HEADER_FONT = Font(name=FONT, size=11, bold=True)
TITLE_FONT = Font(name=FONT, size=12, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_BORDER = Border(bottom=Side(style="thin", color="808080"))
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEXT_ALIGN = Alignment(vertical="top", wrap_text=True)  # long text wraps within its column
VALUE_ALIGN = Alignment(vertical="top")  # numbers on the first line of a wrapped row
# Over a ceiling, not returned, with errors: the row stands out on screen and in print.
ALERT_FILL = PatternFill("solid", fgColor="F8CBAD")
ALERT_FONT = Font(name=FONT, size=11, bold=True, color="9C0006")
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
LINK_WIDTH = 30.0
MIN_TEXT_WIDTH = 12.0  # text columns are narrowed (and wrap) down to this to fit the page
# Column-width units across one landscape A4 page at a legible scale: about 145 units fit at 100%, so a sheet this
# wide prints at about 65% (an 11-point font as about 7 points, the size of a printed statistical table). Wider
# columns wrap less: five forms' 绩效指标 print on four pages instead of five at 200 units.
PAGE_WIDTH = 220.0
WIDTH_SAMPLE = 1000  # rows looked at to size a column


@dataclass(frozen=True)
class Heading:
    """What every printed page says above the table: the report's title with its budget year, and when it was
    made."""

    title: str
    made: str

    @property
    def header(self) -> str:
        return sheetxml.page_header(self.title, self.made)


def heading(year: int | None, made: dt.date) -> Heading:
    when = f"{year} 年度" if year is not None else "（预算年度未知）"
    return Heading(f"{when}{spec.TITLE}汇总", f"制表日期：{made.isoformat()}")


def register_styles(wb: Workbook) -> dict[str, int]:
    """Register the cell styles the row sheets use; return kind -> style id (the index into cellXfs)."""
    ws = wb.create_sheet("_styles")
    ids: dict[str, int] = {}
    for i, kind in enumerate(("header", "quoted", t.TEXT, *FORMATS, sheetxml.NAME), start=1):
        cell = ws.cell(row=i, column=1)
        if kind == "header":
            cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
        elif kind == sheetxml.NAME:
            cell.alignment = VALUE_ALIGN  # top, not wrapped
        elif kind in ("quoted", t.TEXT):
            cell.quotePrefix = kind == "quoted"
            cell.alignment = TEXT_ALIGN
        else:
            cell.number_format = FORMATS[kind]
            cell.alignment = VALUE_ALIGN
        ids[kind] = cell.style_id
    wb.remove(ws)  # the styles stay registered in the workbook's style table
    return ids


@cache
def style_ids() -> dict[str, int]:
    """The style ids the skeleton registers (the same in every skeleton: registration order is fixed)."""
    return register_styles(Workbook())


def column_widths(df: pd.DataFrame, kinds: dict[str, str], page: float | None = PAGE_WIDTH,
                  shown: dict[str, list[str]] | None = None, link: str | None = None) -> list[float]:
    """Widths that show each column's values; when they add up to more than ``page``, the text columns are
    narrowed (widest first, down to :data:`MIN_TEXT_WIDTH`) so the sheet prints one page wide at a legible
    scale: their text wraps. A header wraps too, so it widens a column only up to half its length.
    ``shown``: texts a column shows instead of its values (file names for paths). ``link``: the column of
    hyperlinks, at most :data:`LINK_WIDTH` wide (LibreOffice never wraps a link: it shows what fits)."""
    widths = []
    for col, kind in kinds.items():
        sample = df[col].head(WIDTH_SAMPLE).dropna()
        if shown and col in shown:
            texts = shown[col][:WIDTH_SAMPLE]
        elif kind == t.TEXT:
            texts = [str(v).split("\n", 1)[0] for v in sample.unique()]
        elif kind == t.MONEY:
            # Digits are one unit wide, separators about half: 170,000,000.00 needs 12.5 units, not 14.
            texts = ["0" * (len(f"{sample.max():,.2f}") * 3 // 4 + 2)] if len(sample) else []
        elif kind == t.DATE:
            texts = ["2019-01-01"]
        elif kind == t.DATETIME:
            texts = ["2019-01-01 00:00:00"]
        elif kind == t.RATE:
            texts = ["100.00%"]
        else:
            texts = [str(v) for v in sample.unique()]
        values: float = max((display_width(x) for x in texts), default=0)
        if kind == t.TEXT:
            values = values / 0.9  # as :func:`xltools.text.lines` measures: a column this wide holds it on one line
        header = display_width(str(col))
        # A short header (four CJK characters) shows whole; a longer one wraps onto two lines.
        longest = max(values, min(header, max(6, (header + 1) // 2)))
        floor = 12.0 if kind in (t.MONEY, t.DATE) else MIN_WIDTH
        widths.append(min(LINK_WIDTH if col == link else MAX_WIDTH, max(floor, longest + 2.0)))
    if page is not None:
        widths = narrowed(widths, [kind == t.TEXT for kind in kinds.values()], page)
    return widths


def narrowed(widths: list[float], text: list[bool], page: float) -> list[float]:
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
