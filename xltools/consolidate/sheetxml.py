"""SpreadsheetML of one row sheet, from plain column lists.

No pandas, no openpyxl: the worker processes of a consolidation (forked before those are imported) render the big
row sheets here while the main process validates the tables. :mod:`xltools.consolidate.output` prepares a
:class:`SheetPlan` from a DataFrame and copies the rendered XML into the workbook.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltools.cells import column_letter
from xltools.text import LINE_HEIGHT, lines
from xltools.text import xml_text as escape

# Column kinds: how a column's values are written and formatted.
TEXT, MONEY, DATE, RATE, COUNT, NUMBER, DATETIME = "text", "money", "date", "rate", "count", "number", "datetime"
NAME = "name"  # the style of text kept on one line (file names)
# Text starting with one of these would become a formula when edited: it gets Excel's quote prefix.
FORMULA_STARTS = ("=", "+", "-", "@")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
# Excel refuses (offers to "repair") a cell holding more characters than this; longer text is cut, marked "…".
MAX_CELL_TEXT = 32767
_ROWS_PER_PART = 2000
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# Excel keeps at most this many hyperlinks on a worksheet; rows past it keep their text without a link.
MAX_LINKS = 65_530
# Printed for a meeting: A4 landscape, one page wide (the widths are chosen to stay legible at that scale), the
# header row on every page; above it the sheet's name, the report's title with its budget year and the date it was
# made (:func:`page_header`), below it the page number. Margins in inches: the header sits inside the top margin.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.6, "header": 0.3, "footer": 0.3}
FOOTER = "&C第 &P 页，共 &N 页"


def page_header(title: str, made: str) -> str:
    """The page header in Excel's header codes: the sheet's name left, ``title`` centred, ``made`` right."""
    return f"&L&A&C{title.replace('&', '&&')}&R{made.replace('&', '&&')}"


def page_setup(header: str) -> str:
    """The page setup elements of a row sheet, with ``header`` (:func:`page_header`) on every page."""
    return ("<pageMargins " + " ".join(f'{k}="{v}"' for k, v in MARGINS.items()) + "/>"
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            f"<headerFooter><oddHeader>{escape(header)}</oddHeader><oddFooter>{escape(FOOTER)}</oddFooter>"
            "</headerFooter>")


@dataclass
class Coded:
    """A text column as distinct values and a code per row (-1: blank). Pickles small; escaped once a value."""

    codes: list[int]
    values: list[str]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class SheetPlan:
    """Everything needed to write one row sheet, one entry per column (rows from 2): text columns as
    :class:`Coded` (or plain lists of ``str``/None), number columns as lists of ``float``/``int``/None (dates as
    Excel serial numbers)."""

    headers: list[str]
    kinds: list[str]
    columns: list[list[Any] | Coded]
    widths: list[float]
    styles: dict[str, int]  # "header", "quoted" and per kind: style ids registered in the skeleton
    selected: bool = False
    # A hyperlink per row (None: none) on column ``link_column`` (0-based): a relative URL, optionally followed
    # by "#" and a location inside the target ('申报表'!D15). Coded: targets repeat (one file, many findings).
    links: Coded | None = None
    link_column: int = 0
    # The column of file names (0-based; -1: none): on one line, cut at the column's edge rather than wrapped into
    # many (the whole path is in the link or in 项目汇总), so it never sets a row's height.
    name_column: int = -1
    header: str = "&L&A"  # the printed page header (:func:`page_header`)

    @property
    def nrows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def fit(text: str) -> str:
    """``text`` cut to what one Excel cell holds (counted in UTF-16 units, as Excel does), marked with "…"."""
    if len(text) <= MAX_CELL_TEXT // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_CELL_TEXT:
        return text
    cut = text[:MAX_CELL_TEXT - 1]
    while len(cut.encode("utf-16-le")) // 2 > MAX_CELL_TEXT - 1:
        cut = cut[:-1]
    return cut + "…"


_SEP = "\ue000"  # a private-use character joins a column's strings so they are escaped in one pass


def escape_all(texts: list[str]) -> list[str]:
    """XML-escape many strings at once (one pass over their concatenation, not one call per string)."""
    if not texts:
        return []
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:  # the character itself was typed somewhere: one by one
        return [escape(x) for x in texts]
    return escape(joined).split(_SEP)


def _cells(letter: str, kind: str, values: list[Any] | Coded, styles: dict[str, int], one_line: bool = False,
           ) -> list[str]:
    """The <c> elements of one column, rows 2.. (empty string for a blank); ``one_line``: text that does not wrap."""
    pre = f'<c r="{letter}'
    if kind == TEXT:
        coded = values if isinstance(values, Coded) else code(values)
        texts = [fit(x) for x in coded.values]
        style = NAME if one_line and NAME in styles else TEXT
        quoted, plain = f' s="{styles["quoted"]}"', f' s="{styles[style]}"' if style in styles else ""
        # Everything after the row number, per distinct text; "" for an empty text, and the last entry for -1.
        tails = [f'"{quoted if x[0] in _FORMULA_FIRST else plain} t="inlineStr"><is><t xml:space="preserve">{e}'
                 '</t></is></c>' if x else "" for x, e in zip(texts, escape_all(texts), strict=True)] + [""]
        return [f"{pre}{r}{tails[c]}" if tails[c] else "" for r, c in enumerate(coded.codes, start=2)]
    assert not isinstance(values, Coded), "only text columns are coded"
    sid = styles.get(kind)
    style = f' s="{sid}"' if sid is not None else ""
    return ["" if v is None or v != v else f'{pre}{r}"{style}><v>{v!r}</v></c>'
            for r, v in enumerate(values, start=2)]


def code(texts: list[Any]) -> Coded:
    """A plain list of texts (None or NaN: blank) as a :class:`Coded` column."""
    index: dict[str, int] = {}
    codes = [-1 if v is None or v != v else index.setdefault(str(v), len(index)) for v in texts]
    return Coded(codes, list(index))


def attribute(text: str) -> str:
    """Text for a double-quoted XML attribute."""
    return escape(text).replace('"', "&quot;")


def _links(plan: SheetPlan) -> list[tuple[int, str, str]]:
    """(row, target, location) of every hyperlink, rows from 2; target and location attribute-escaped."""
    if plan.links is None:
        return []
    split = [value.partition("#") for value in plan.links.values]
    parts = [(attribute(target), attribute(location)) for target, _hash, location in split]
    return [(r, *parts[c]) for r, c in enumerate(plan.links.codes, start=2) if c >= 0][:MAX_LINKS]


def rels(plan: SheetPlan) -> bytes | None:
    """The sheet's relationships part (one external target per hyperlink), or None without hyperlinks."""
    links = _links(plan)
    if not links:
        return None
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_HYPERLINK}" Target="{target}" TargetMode="External"/>'
                      for i, (_row, target, _location) in enumerate(links, start=1))
            + "</Relationships>").encode()


def _hyperlinks(plan: SheetPlan) -> str:
    links = _links(plan)
    if not links:
        return ""
    letter = column_letter(plan.link_column + 1)
    # An external file's cell goes into `location`, as Excel itself writes a link to a cell of another workbook.
    return "<hyperlinks>" + "".join(
        f'<hyperlink ref="{letter}{row}" r:id="rId{i}"' + (f' location="{location}"' if location else "") + "/>"
        for i, (row, _target, location) in enumerate(links, start=1)) + "</hyperlinks>"


def _row_lines(plan: SheetPlan) -> list[int]:
    """Lines of the tallest cell of each data row (text columns only; each distinct text measured once). The
    link column does not count: LibreOffice never wraps a cell holding a hyperlink, it would only leave space."""
    tallest = [1] * plan.nrows
    for j, (kind, values, width) in enumerate(zip(plan.kinds, plan.columns, plan.widths, strict=True)):
        if kind != TEXT or j == plan.name_column or (plan.links is not None and j == plan.link_column):
            continue
        coded = values if isinstance(values, Coded) else code(values)
        counts = [lines(fit(x), width) for x in coded.values] + [1]  # the last entry for a blank (-1)
        if max(counts) > 1:
            tallest = [max(n, counts[c]) for n, c in zip(tallest, coded.codes, strict=True)]
    return tallest


def _height(n: int) -> str:
    return f' ht="{n * LINE_HEIGHT:g}"' if n > 1 else ""


def parts(plan: SheetPlan) -> Iterator[bytes]:
    """The sheet XML in parts: frozen header, filter on every column, column widths, typed cells, hyperlinks,
    page setup."""
    ncols, nrows = len(plan.kinds), plan.nrows
    letters = [column_letter(i) for i in range(1, ncols + 1)]
    last = f"{letters[-1]}{nrows + 1}"
    tab = ' tabSelected="1"' if plan.selected else ""
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        # fitToWidth/fitToHeight below take effect only with this flag.
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView workbookViewId="0"{tab}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><cols>'
        + "".join(f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
                  for i, w in enumerate(plan.widths, 1))
        + '</cols><sheetData>'
    ).encode()
    header = plan.styles["header"]
    head = max(lines(name, width) for name, width in zip(plan.headers, plan.widths, strict=True))
    yield (f'<row r="1"{_height(head)}>' + "".join(
        f'<c r="{letter}1" s="{header}" t="inlineStr"><is><t>{escape(name)}</t></is></c>'
        for letter, name in zip(letters, plan.headers, strict=True)) + "</row>").encode()
    columns = [_cells(letter, kind, values, plan.styles, j == plan.name_column)
               for j, (letter, kind, values) in enumerate(zip(letters, plan.kinds, plan.columns, strict=True))]
    heights = [_height(n) for n in _row_lines(plan)]
    chunk: list[str] = []
    for r, (cells, height) in enumerate(zip(zip(*columns, strict=True), heights, strict=True), start=2):
        chunk.append(f'<row r="{r}"{height}>{"".join(cells)}</row>')
        if len(chunk) >= _ROWS_PER_PART:
            yield "".join(chunk).encode()
            chunk = []
    yield ("".join(chunk) + f'</sheetData><autoFilter ref="A1:{last}"/>' + _hyperlinks(plan)
           + page_setup(plan.header) + '</worksheet>').encode()


def rels_path(path: str) -> str:
    """Where :func:`render_to` puts the relationships rendered with the sheet XML at ``path``."""
    return path + ".rels"


def render_to(plan: SheetPlan, path: str) -> str:
    """Write the sheet XML of ``plan`` to ``path`` and its relationships, if any, to :func:`rels_path` (a
    worker's unit of work); return ``path``."""
    with Path(path).open("wb") as fh:
        for part in parts(plan):
            fh.write(part)
    relationships = rels(plan)
    if relationships is not None:
        Path(rels_path(path)).write_bytes(relationships)
    return path
