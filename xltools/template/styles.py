"""How the template looks and what it allows: fonts, fills, alignments, borders, locks, row heights, protection
flags and the printed page. Shared by every sheet the template writes."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
TITLE_FONT = Font(name="黑体", size=16, bold=True)
YEAR_FONT = Font(name=FONT_NAME, size=12)
LABEL_FONT = Font(name=FONT_NAME, size=10.5, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10.5)
SECTION_FONT = Font(name="黑体", size=11, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=9, color="595959")
STATUS_FONT = Font(name=FONT_NAME, size=10.5, bold=True)

LABEL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
SECTION_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
CHECK_FILL = PatternFill("solid", start_color="F7F7F7", end_color="F7F7F7")
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# Conditional-format colours: red (error) and orange (warning). Both fg and bg are set because Excel reads bg
# for a solid fill in a differential style and LibreOffice reads fg.
BAD_FILL_RGB = "FFC7CE"
BAD_FONT_RGB = "9C0006"
WARN_FILL_RGB = "FFD8A8"
WARN_FONT_RGB = "8A4B00"
# Required cells of a form nobody has started yet: a calm "to fill" tint instead of a page of red.
TODO_FILL_RGB = "FFF6D5"
TODO_FONT_RGB = "7F6000"  # the status line while only required cells are left
# The status line when the live checks find nothing.
CLEAN_FILL_RGB = "E2F0D9"
CLEAN_FONT_RGB = "375623"

UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# A one-character indent keeps typed text off the cell borders.
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)
RESULT_ALIGN = Alignment(vertical="top", wrap_text=True)

ROW_HEIGHT = 22.0  # one-line rows; long text rows take their height from the spec
TITLE_HEIGHT = 30.0
# Print margins in inches (openpyxl's unit): about 1.5 cm left/right, 2 cm top/bottom.
MARGINS = {"left": 0.6, "right": 0.6, "top": 0.8, "bottom": 0.8, "header": 0.3, "footer": 0.3}
FOOTER_CENTER = "第 &P 页，共 &N 页"
A4 = 9  # OOXML paperSize

# Sheet protection flags. In OOXML a True flag means "this action is locked". Staff may select any cell and
# format rows: resize rows for long text and unhide the hidden table rows.
FORM_PROTECTION: dict[str, bool] = {
    "sheet": True,
    "objects": True,
    "scenarios": True,
    "formatCells": True,
    "formatColumns": True,
    "formatRows": False,
    "insertColumns": True,
    "insertRows": True,
    "insertHyperlinks": True,
    "deleteColumns": True,
    "deleteRows": True,
    "selectLockedCells": False,
    "selectUnlockedCells": False,
    "sort": True,
    "autoFilter": True,
    "pivotTables": True,
}
# The results sheet: a check may also colour and re-format its result rows.
RESULTS_PROTECTION = {**FORM_PROTECTION, "formatCells": False, "formatRows": False}
HIDDEN_PROTECTION = dict(FORM_PROTECTION)


class _GrowingRow(RowDimension):
    """A row whose height is where it starts, not fixed: written without ``customHeight``, so Excel, WPS and
    LibreOffice fit the row to its text when a cell in it is edited (openpyxl marks every row with a height as
    custom)."""

    @property
    def customHeight(self) -> bool:  # openpyxl's attribute name
        return False


def let_grow(ws: Worksheet, row: int) -> None:
    """Make ``row`` of ``ws`` follow its text: same height to start with, same hidden state, no fixed height."""
    old = ws.row_dimensions[row]
    ws.row_dimensions[row] = _GrowingRow(ws, index=row, ht=old.height, hidden=old.hidden)


def solid(rgb: str) -> PatternFill:
    """A solid fill for a conditional format (fg and bg: see the colours above)."""
    return PatternFill("solid", start_color=rgb, end_color=rgb, bgColor=rgb)


def style(ws: Worksheet, ref: str, *, font: Font = BODY_FONT, fill: PatternFill | None = None,
          align: Alignment | None = None, number_format: str | None = None,
          protection: Protection = LOCKED, border: bool = True) -> None:
    """Style every cell of ``ref`` (a merged range needs borders on each of its cells to print them)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            cell.font = font
            if fill is not None:
                cell.fill = fill
            cell.alignment = align or Alignment(vertical="center", wrap_text=True)
            if number_format:
                cell.number_format = number_format
            cell.protection = protection
            if border:
                cell.border = BORDER


def span(ws: Worksheet, first: str, last_col: int, row: int) -> str:
    """Merge ``first`` to column ``last_col`` of ``row`` (nothing to merge when that is one cell); the range."""
    ref = f"{first}:{get_column_letter(last_col)}{row}"
    if ref.split(":")[0] != ref.split(":")[1]:
        ws.merge_cells(ref)
    return ref


def print_setup(ws: Worksheet, last_col: str, last_row: int, title_rows: str | None, landscape: bool = False,
                footer_left: str = "") -> None:
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_area = f"A1:{last_col}{last_row}"
    ws.oddFooter.center.text = FOOTER_CENTER
    ws.oddFooter.center.size = 9
    if footer_left:
        ws.oddFooter.left.text = footer_left
        ws.oddFooter.left.size = 8


def protect(ws: Worksheet, password: str, flags: dict[str, bool]) -> None:
    for key, value in flags.items():
        setattr(ws.protection, key, value)
    ws.protection.password = password
