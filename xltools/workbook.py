"""Opening an untrusted returned workbook for its values.

Values come through python-calamine (fast, no formula evaluation). Before calamine sees a file we sniff it, so an
empty file, a text file named .xlsx, an encrypted workbook or a zip bomb gets a clear Chinese reason instead of a
parser's stack trace. Formulas typed into cells are found by scanning the sheet XML (calamine does not expose them),
because a formula's cached value is never trusted.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xltools.atomic import os_reason
from xltools.cells import column_index

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

# Bounds for untrusted files. A real form is ~30 KB zipped and well under 1 MB unzipped.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 5000  # rows read from the form sheet; the form itself has ~120
MAX_COLS = 64
# calamine stores a sheet as a dense grid of (rows x columns) cells and aborts the process (not an exception) when
# that allocation fails: one cell typed at XFD1048576 is enough. Sheets are measured from their XML first.
MAX_CELLS = 2_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableError(Exception):
    """The file cannot be read as a workbook. ``str(error)`` is a Chinese reason for staff."""


@dataclass
class WorkbookValues:
    """The sheets of one workbook as value grids (lists of rows starting at A1)."""

    path: Path
    sheet_names: list[str]
    _book: Any = field(repr=False)
    _kind: str = "xlsx"  # xlsx (OOXML zip), ods, xls
    _xml: dict[str, bytes | None] = field(default_factory=dict, repr=False)  # zip parts read once, by name
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)  # OOXML and ODS: opened on the file's bytes
    _members: dict[str, str] | None = field(default=None, repr=False)

    def grid(self, sheet: str, nrows: int | None = None) -> list[list[Any]]:
        self._check_extent(sheet)
        try:
            ws = self._book.get_sheet_by_name(sheet)
            if ws.height > MAX_ROWS or ws.width > MAX_COLS:
                # Never materialise a sheet bloated by a hostile or broken file; the form only needs its rows.
                nrows = min(nrows or MAX_ROWS, MAX_ROWS)
            rows: list[list[Any]] = ws.to_python(skip_empty_area=False, nrows=nrows)
        except Exception as exc:  # calamine raises several types for broken content
            raise UnreadableError(f"工作表“{sheet}”无法读取（{type(exc).__name__}）。") from exc
        return [row[:MAX_COLS] for row in rows]

    def _member(self, name: str) -> bytes | None:
        """A part of the zip, read once; None when it is missing or broken (calamine reports what is wrong)."""
        if name not in self._xml:
            try:
                if self._zip is None:
                    self._zip = zipfile.ZipFile(self.path)
                self._xml[name] = self._zip.read(name)
            except (KeyError, zipfile.BadZipFile, OSError, EOFError):
                self._xml[name] = None
        return self._xml[name]

    def _sheet_xml(self, sheet: str) -> bytes | None:
        try:
            if self._members is None:
                if self._zip is None:
                    self._zip = zipfile.ZipFile(self.path)
                self._members = sheet_members(self._zip)
        except (KeyError, zipfile.BadZipFile, OSError):
            return None
        member = self._members.get(sheet)
        return None if member is None else self._member(member)

    def _extent(self, sheet: str) -> tuple[int, int] | None:
        """(rows, columns) calamine would allocate for ``sheet``, when it may be large; None when surely small or
        not measurable (.xls)."""
        if self._kind == "xlsx":
            xml = self._sheet_xml(sheet)
            return None if xml is None or _surely_small(xml) else ooxml_extent(xml)
        if self._kind == "ods":
            content = self._member("content.xml")
            return None if content is None else ods_extent(content, sheet)
        return None

    def _check_extent(self, sheet: str) -> None:
        extent = self._extent(sheet)
        if extent is not None and extent[0] * extent[1] > MAX_CELLS:
            rows, cols = extent
            raise UnreadableError(f"工作表“{sheet}”的范围异常（{rows} 行 × {cols} 列），出于安全不予读取。"
                                  "可能在远处的单元格中误填了内容，请删除后再报送。")

    def formulas(self, sheet: str) -> dict[str, str]:
        """A1 address -> formula text of every formula cell on ``sheet`` (OOXML only; {} for .xls/.ods)."""
        if self._kind != "xlsx":
            return {}
        xml = self._sheet_xml(sheet)
        return {} if xml is None else _formulas_in(xml)

    def close(self) -> None:
        self._book.close()
        if self._zip is not None:
            self._zip.close()


def sniff(path: Path) -> str:
    """Return the container kind ("xlsx", "xls", "ods") or raise UnreadableError with the reason."""
    kind, zf, _data = _open_container(path)
    if zf is not None:
        zf.close()
    return kind


def _open_container(path: Path) -> tuple[str, zipfile.ZipFile | None, bytes]:
    """The container kind, for OOXML the zip left open (the caller closes it), and the file's bytes. The file is
    read once, into memory (a form is ~30 KB; the size is bounded first): the zip checks, the formula scan and
    calamine all work from these bytes."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableError(f"文件过大（{size // (1024 * 1024)} MB），不像是一张申报表。")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableError(f"文件无法打开：{os_reason(exc, reading=True)}。") from exc
    if not data:
        raise UnreadableError("文件为空（0 字节），不是 Excel 工作簿。请重新保存后再报送。")
    if data.startswith(_OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise UnreadableError("工作簿已设置打开密码（已加密），无法读取。请取消打开密码后再报送。")
        return "xls", None, data
    if data.startswith(_ZIP_MAGIC):
        kind, zf = _sniff_zip(data)
        return kind, zf, data
    raise UnreadableError("文件不是 Excel 工作簿（内容不是 .xlsx/.xls/.ods 格式）。请用 Excel 或 WPS 另存为 .xlsx。")


def _sniff_zip(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableError("文件已损坏或不完整（压缩结构无效）。请重新保存后再报送。") from exc
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise UnreadableError(f"文件已损坏或不完整（{type(exc).__name__}）。请重新保存后再报送。") from exc
    try:
        kind = _zip_kind(zf)
    except BaseException:
        zf.close()
        raise
    if kind not in ("xlsx", "ods"):
        zf.close()
        return kind, None
    return kind, zf


def _zip_kind(zf: zipfile.ZipFile) -> str:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    unzipped = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_COMPRESSION_RATIO * 10:
        raise UnreadableError("文件解压后体积异常（疑似压缩炸弹），出于安全不予读取。")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                and info.file_size > 10 * 1024 * 1024:
            raise UnreadableError("文件内部数据压缩比异常（疑似压缩炸弹），出于安全不予读取。")
    try:
        if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            return "ods"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise UnreadableError(f"文件已损坏或不完整（{type(exc).__name__}）。请重新保存后再报送。") from exc
    if "[Content_Types].xml" not in names:
        raise UnreadableError("文件是压缩包但不是 Excel 工作簿。")
    # No testzip(): it would inflate every part (the results sheet too). A damaged part surfaces as a read error
    # on the sheet we need, which is reported the same way.
    return "xlsx"


def _is_encrypted_ooxml(path: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return bool(ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"))
    except Exception:
        return False


def open_values(path: str | Path) -> WorkbookValues:
    """Open ``path`` for reading values, or raise UnreadableError."""
    p = Path(path)
    kind, zf, data = _open_container(p)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data)) if kind == "xlsx" else CalamineWorkbook.from_path(str(p))
    except Exception as exc:
        if zf is not None:
            zf.close()
        name = type(exc).__name__
        if "Password" in name:
            raise UnreadableError("工作簿已设置密码保护，无法读取。请取消密码后再报送。") from exc
        raise UnreadableError(f"文件已损坏，无法作为工作簿读取（{name}）。请重新保存后再报送。") from exc
    return WorkbookValues(path=p, sheet_names=list(book.sheet_names), _book=book, _kind=kind, _zip=zf)


# -- formulas in OOXML -----------------------------------------------------------------------------------------

_SHEET_RE = re.compile(rb"<sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"", re.S)
_SHEET_RE_ALT = re.compile(rb"<sheet\b[^>]*?\br:id=\"([^\"]*)\"[^>]*?\bname=\"([^\"]*)\"", re.S)
_REL_RE = re.compile(rb"<Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?\bTarget=\"([^\"]*)\"", re.S)
_REL_RE_ALT = re.compile(rb"<Relationship\b[^>]*?\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\"", re.S)


def _unescape(text: bytes) -> str:
    from html import unescape

    return unescape(text.decode("utf-8", "replace"))


def sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> zip member of an OOXML workbook."""
    return dict(_members(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")))


@lru_cache(maxsize=32)
def _members(wb: bytes, rels: bytes) -> tuple[tuple[str, str], ...]:
    # Cached on the parts' bytes: every form returned from one template has the same two parts.
    ids = {_unescape(n): rid for n, rid in _SHEET_RE.findall(wb)}
    ids.update({_unescape(n): rid for rid, n in _SHEET_RE_ALT.findall(wb)})
    targets = dict(_REL_RE.findall(rels))
    targets.update({rid: t for t, rid in _REL_RE_ALT.findall(rels)})
    out = {}
    for name, rid in ids.items():
        if rid in targets:
            target = _unescape(targets[rid])
            out[name] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return tuple(out.items())


def sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` of an OOXML workbook, or None."""
    return sheet_members(zf).get(sheet)


_F_OPEN_RE = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(/?)>")
_F_TAG_RE = re.compile(rb"([^>]*?)(/?)>")
_R_ATTR_RE = re.compile(rb"\br=\"([A-Z]+\d+)\"")


def _formulas_in(xml: bytes) -> dict[str, str]:
    """A1 -> formula text of every cell with an <f> child. Bytes, not an XML parser: no entities, no DTDs."""
    if b":f" in xml:  # a namespace-prefixed sheet (rare): the general pattern
        starts = [(m.start(), m) for m in _F_OPEN_RE.finditer(xml)]
    else:  # the common case: find each "<f" at C speed, then read its tag
        starts = []
        pos = xml.find(b"<f")
        while pos >= 0:
            if xml[pos + 2:pos + 3] in (b">", b" ", b"/"):
                m = _F_TAG_RE.match(xml, pos + 2)
                if m is not None:
                    starts.append((pos, m))
            pos = xml.find(b"<f", pos + 2)
    out: dict[str, str] = {}
    for start, m in starts:
        # Look back to the enclosing cell's r= attribute.
        cell = max(xml.rfind(b"<c ", 0, start), xml.rfind(b":c ", 0, start))
        ref = _R_ATTR_RE.search(xml, cell, start) if cell >= 0 else None
        if ref is None:
            continue
        text = b""
        if not m.group(2):
            end = xml.find(b"</", m.end())
            text = xml[m.end():end] if end >= 0 else b""
        out[ref.group(1).decode()] = "=" + _unescape(text)
    return out


_ROW_R_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL_R_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"")
_CELL_TAG_RE = re.compile(rb"<(?:\w+:)?c[\s>/]")


# A cell or row tag that is not addressed within A1:Z9999 (r first, as Excel, WPS, LibreOffice and openpyxl
# write it). One literal-prefixed scan each: this runs on every file.
_NOT_NEAR_CELL_RE = re.compile(rb'<c(?:>| (?!r="[A-Z]\d{1,4}"))')
_NOT_NEAR_ROW_RE = re.compile(rb'<row(?:>| (?!r="\d{1,4}"))')


def _surely_small(xml: bytes) -> bool:
    """A quick test that passes every ordinary sheet: each cell and row addressed, no column beyond Z, no row
    beyond 9999 (so at most 26 x 9999 cells). Otherwise measure exactly."""
    return _NOT_NEAR_CELL_RE.search(xml) is None and _NOT_NEAR_ROW_RE.search(xml) is None


def ooxml_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) that calamine would allocate for this sheet XML: the largest row and column addressed.

    The declared <dimension> is not trusted. Rows and cells without an address are placed one after another,
    so when there are any, their count bounds the extent too.
    """
    refs = _CELL_R_RE.findall(xml)
    rows = max((int(r) for r in _ROW_R_RE.findall(xml)), default=0)
    rows = max(rows, max((int(r) for _c, r in refs), default=0), xml.count(b"<row"))
    letters = {c for c, _r in refs}
    cols = max((column_index(c.decode()) for c in letters), default=0)
    cells = len(_CELL_TAG_RE.findall(xml))
    if cells > len(refs):
        cols = max(cols, cells)
    return rows, cols


# -- extent of an OpenDocument sheet ---------------------------------------------------------------------------

_ODS_TABLE_RE = re.compile(rb"<table:table\s[^>]*?\btable:name=\"([^\"]*)\"[^>]*>")
_ODS_TABLE_TAG_RE = re.compile(rb"<table:table(?=[\s>/])[^>]*?(/?)>|</table:table>")
_ODS_ROW_RE = re.compile(rb"<table:table-row(?=[\s>/])([^>]*)>")
_ODS_CELL_RE = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s>/])([^>]*)>")
_ROWS_REPEATED_RE = re.compile(rb"\btable:number-rows-repeated=\"(\d+)\"")
_COLS_REPEATED_RE = re.compile(rb"\btable:number-columns-repeated=\"(\d+)\"")
_ODS_CONTENT_RE = re.compile(rb"office:value-type=|<text:")


def _repeats(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    m = pattern.search(attrs)
    return int(m.group(1)) if m else 1


def ods_extent(content: bytes, sheet: str) -> tuple[int, int]:
    """(rows, columns) up to the last cell with content of table ``sheet`` in an ODS ``content.xml``, repeats
    counted: a row or cell repeated a million times is a million rows or cells to calamine. Trailing empty rows and
    columns (LibreOffice writes a million of them on every sheet) do not count. Bytes and regular expressions, not
    an XML parser, as for OOXML; (0, 0) when the table is not found (calamine then reports the problem)."""
    start = None
    for m in _ODS_TABLE_RE.finditer(content):
        if _unescape(m.group(1)) == sheet:
            start = m.end()
            break
    if start is None:
        return 0, 0
    # The table ends where its own end tag is (tables can nest); without one, at the end of the content.
    depth, end = 1, len(content)
    for tag in _ODS_TABLE_TAG_RE.finditer(content, start):
        if tag.group(0).startswith(b"</"):
            depth -= 1
        elif not tag.group(1):
            depth += 1
        if depth == 0:
            end = tag.start()
            break
    body = content[start:end]
    # Row by row, from one row start tag to the next: a row nested in a cell's subtable counts as a row too, so
    # nesting can only make the bound larger, never hide a repeat.
    row = rows = cols = 0
    row_tags = list(_ODS_ROW_RE.finditer(body))
    for i, tag in enumerate(row_tags):
        segment = body[tag.end():row_tags[i + 1].start() if i + 1 < len(row_tags) else len(body)]
        row += _repeats(_ROWS_REPEATED_RE, tag.group(1))
        if not _ODS_CONTENT_RE.search(tag.group(1) + segment):
            continue
        rows = row
        col = 0
        cell_tags = list(_ODS_CELL_RE.finditer(segment))
        for j, cell in enumerate(cell_tags):
            col += _repeats(_COLS_REPEATED_RE, cell.group(1))
            inner = segment[cell.end():cell_tags[j + 1].start() if j + 1 < len(cell_tags) else len(segment)]
            if _ODS_CONTENT_RE.search(cell.group(1) + inner):
                cols = max(cols, col)
    return rows, cols
