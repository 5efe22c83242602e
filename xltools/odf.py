"""An OpenDocument spreadsheet (.ods) made safe for calamine: its content.xml rewritten, in a new zip.

calamine reads every table of an .ods when it opens it, and a row or cell repeated a million times with a value in
it is a million rows or cells to it (one ``table:number-rows-repeated`` is enough to abort the process). So before
calamine sees anything, content.xml is read once with expat and written again:

* comments and processing instructions go, and so does whitespace between elements (outside ``text:`` elements):
  Gnumeric indents its XML, and calamine refuses text between the cells of a row;
* within a row only its cells are kept; empty cells and rows are written as one repeat each, and trailing ones
  (LibreOffice writes a million empty rows under every sheet) not at all; a table nested in a cell goes;
  a line break or tab inside a text (``text:line-break``, as Gnumeric writes a new line) becomes the character;
* every table is measured as calamine will allocate it (rows up to the last with a value, repeats counted, times
  the columns up to the last value), and one beyond ``MAX_CELLS`` refuses the file.

Everything else in the body is written as read; outside it only the table styles (calamine reads which tables are
hidden from them). The zip holds the mimetype, this content.xml and a manifest: nothing else.
"""

from __future__ import annotations

from typing import Any

from xltools import xmlsafe, ziparchive
from xltools.cells import column_letter
from xltools.package import ODS_MIMETYPE, RESAVE, UnreadableError, Zip
from xltools.sheetcopy import MAX_CELLS, too_large

_CELLS = ("table:table-cell", "table:covered-table-cell")
# Attributes that make a cell a value (or a formula) to calamine; any one counts, which is the safe side.
_VALUED = ("office:value-type", "office:value", "office:string-value", "office:date-value", "office:time-value",
           "office:boolean-value", "table:formula")
_MANIFEST = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             b'<manifest:file-entry manifest:full-path="/" manifest:media-type="'
             + ODS_MIMETYPE + b'"/><manifest:file-entry manifest:full-path="content.xml" '
             b'manifest:media-type="text/xml"/></manifest:manifest>')
_FAR = 1 << 40
_BREAKS = {"text:line-break": "\n", "text:tab": "\t"}


def _repeats(attrs: dict[str, str], key: str) -> int:
    value = attrs.get(key)
    if value is None:
        return 1
    value = value.strip()
    if not value.isdigit():
        raise UnreadableError("文件已损坏（表格的重复次数无效），无法读取。" + RESAVE)
    return _FAR if len(value) > 12 else max(1, int(value))


class _Content:
    def __init__(self, wanted: set[str] | None) -> None:
        self.wanted = wanted
        self.out: list[str] = []
        self.stack: list[str] = []
        self.table: str | None = None  # name of the table being read
        self.table_depth = 0
        self.row: list[str] | None = None  # the current row's cells, written
        self.row_repeat = 1
        self.row_valued = False
        self.col = 0  # columns so far in the current row, repeats counted
        self.pending_cols = 0  # empty cells not written yet
        self.rows = 0  # rows so far in the table, repeats counted
        self.pending_rows = 0  # empty rows not written yet
        self.extent = (0, 0)  # rows up to the last valued row, columns up to the last value
        self.cell_depth = 0  # inside a kept cell: depth below it
        self.skip = 0  # inside a dropped subtree: its depth
        self.body = False  # inside office:body
        self.style = 0  # inside a table style (outside the body): depth below it

    def emit(self, piece: str) -> None:
        (self.row if self.row is not None else self.out).append(piece)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.stack.append(name)
        if self.skip:
            self.skip += 1
            return
        if self.cell_depth:
            if name == "table:table":  # a table inside a cell: not part of this sheet's grid
                self.skip = 1
                return
            if name in _BREAKS:  # Gnumeric's line breaks: text to calamine, as LibreOffice's paragraphs are
                self.emit(_BREAKS[name])
                self.skip = 1
                return
            self.cell_depth += 1
            self.emit(xmlsafe.start_tag(name, attrs))
            return
        if self.row is not None:
            if name in _CELLS:
                self.cell(name, attrs)
            else:
                self.skip = 1  # calamine accepts nothing but cells in a row
            return
        if self.table is not None and name == "table:table-row":
            self.row, self.row_repeat, self.row_valued = [], _repeats(attrs, "table:number-rows-repeated"), False
            self.col = self.pending_cols = 0
            return
        if not self.body and len(self.stack) > 1:
            # Outside the sheets calamine reads only which tables are hidden, from the table styles.
            if self.style:
                self.style += 1
            elif name == "style:style" and attrs.get("style:family") == "table":
                self.style = 1
            elif name == "office:body":
                self.body = True
            elif name != "office:automatic-styles":
                self.skip = 1
                return
        if self.table is None and name == "table:table":
            table = attrs.get("table:name", "")
            if self.wanted is not None and table not in self.wanted:
                # A sheet nobody reads: listed (its name), empty to calamine, and its rows not even measured.
                self.out.append(xmlsafe.start_tag(name, attrs) + f"</{name}>")
                self.skip = 1
                return
            self.table, self.table_depth = table, len(self.stack)
            self.rows = self.pending_rows = 0
            self.extent = (0, 0)
        self.out.append(xmlsafe.start_tag(name, attrs))

    def cell(self, name: str, attrs: dict[str, str]) -> None:
        repeat = _repeats(attrs, "table:number-columns-repeated")
        self.col += repeat
        if not any(key in attrs for key in _VALUED):
            self.pending_cols += repeat
            self.skip = 1  # an empty cell's content (a note, a shape) is nothing to calamine
            return
        assert self.row is not None
        if self.pending_cols:
            self.row.append(f'<table:table-cell table:number-columns-repeated="{self.pending_cols}"/>')
            self.pending_cols = 0
        self.row_valued = True
        rows = self.rows + self.pending_rows + self.row_repeat
        cols = max(self.extent[1], self.col)
        if rows * cols > MAX_CELLS:
            raise too_large(self.table or "", rows, cols, _address(rows, self.col))
        self.extent = (rows, cols)
        self.cell_depth = 1
        self.row.append(xmlsafe.start_tag(name, attrs))

    def end(self, name: str) -> None:
        self.stack.pop()
        if self.skip:
            self.skip -= 1
            return
        if self.cell_depth:
            self.cell_depth -= 1
            self.emit(f"</{name}>")
            return
        if self.row is not None and name == "table:table-row":
            self.end_row()
            return
        if self.table is not None and name == "table:table" and len(self.stack) + 1 == self.table_depth:
            self.table = None
        if self.style:
            self.style -= 1
        self.out.append(f"</{name}>")

    def end_row(self) -> None:
        row, self.row = self.row, None
        assert row is not None
        if not self.row_valued:
            self.pending_rows += self.row_repeat
            return
        if self.pending_rows:
            self.out.append(f'<table:table-row table:number-rows-repeated="{self.pending_rows}"></table:table-row>')
            self.rows += self.pending_rows
            self.pending_rows = 0
        repeat = f' table:number-rows-repeated="{self.row_repeat}"' if self.row_repeat > 1 else ""
        self.out.append(f"<table:table-row{repeat}>{''.join(row)}</table:table-row>")
        self.rows += self.row_repeat

    def chars(self, data: str) -> None:
        if self.skip or (self.row is not None and not self.cell_depth):
            return
        if not data.strip() and not (self.stack and self.stack[-1].startswith("text:")):
            return
        self.emit(xmlsafe.text(data))


def _address(rows: int, cols: int) -> str:
    return f"{column_letter(cols)}{rows}" if rows < _FAR and cols < 1 << 20 else ""


def sanitised(zf: Zip, wanted: set[str] | None = None) -> bytes:
    """The .ods in ``zf`` as a new zip for calamine (see the module), or UnreadableError. ``wanted``: the tables
    to be read (the others come out empty); default all."""
    content = zf.read_optional("content.xml")
    if content is None:
        raise UnreadableError("文件已损坏（缺少 content.xml），不是完整的 .ods 工作簿。" + RESAVE)
    c = _Content(wanted)
    p: Any = xmlsafe.parser()
    p.StartElementHandler = c.start
    p.EndElementHandler = c.end
    p.CharacterDataHandler = c.chars
    xmlsafe.parse(p, content, "文件的表格内容（content.xml）")
    body = '<?xml version="1.0" encoding="UTF-8"?>' + "".join(c.out)
    return ziparchive.stored([("mimetype", ODS_MIMETYPE), ("META-INF/manifest.xml", _MANIFEST),
                              ("content.xml", body.encode("utf-8"))])
