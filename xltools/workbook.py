"""Opening an untrusted workbook for its values: the one bounded opening path.

Every workbook xltools reads comes through :func:`open_values`: returned forms, ``--previous`` consolidations, the
sources of annotated copies. Values come through python-calamine (fast, no formula evaluation), but calamine never
sees the file itself. The file is read once (:mod:`xltools.package`: size, container by content, strict zip
members), and calamine gets a copy made of what was checked: for .xlsx/.xlsm the parts it needs with each sheet
proven small or rewritten (:mod:`xltools.ooxml`), for .ods a rewritten content.xml (:mod:`xltools.odf`), an .xls
measured record by record first (:mod:`xltools.biff`). Whatever the file holds, reading it ends with values or an
:class:`UnreadableError` carrying a Chinese reason: no abort, no hang, no Python or Rust class name.

Formulas typed into cells are found in the sheet XML (calamine does not expose them), because a formula's cached
value is never trusted. Values Excel cannot hold come back as :class:`xltools.bounds.OutOfRange`.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xltools import biff, bounds, ooxml, package
from xltools.package import MAX_FILE_BYTES as MAX_FILE_BYTES
from xltools.package import RESAVE, UnreadableError
from xltools.sheetcopy import MAX_CELLS

__all__ = ["EXTENSIONS", "MAX_CELLS", "MAX_FILE_BYTES", "UnreadableError", "WorkbookValues", "open_values",
           "sheet_member", "sheet_members", "verify_ooxml"]

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_ROWS = 5000  # rows read from the form sheet; the form itself has ~120
MAX_COLS = 64
_FAILED = "工作表“{sheet}”中有单元格的内容已损坏或无法识别，无法读取。" + RESAVE


@dataclass
class WorkbookValues:
    """The sheets of one workbook as value grids (lists of rows starting at A1)."""

    path: Path
    sheet_names: list[str]
    _book: Any = field(repr=False)
    _kind: str = "xlsx"  # xlsx (OOXML zip), ods, xls
    _ooxml: ooxml.Book | None = field(default=None, repr=False)

    def grid(self, sheet: str, nrows: int | None = None, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS,
             ) -> list[list[Any]]:
        """The values of ``sheet`` from A1, at most ``max_rows`` rows (``nrows`` when given) of ``max_cols``."""
        flagged: dict[tuple[int, int], tuple[str, str]] = {}
        try:
            rows = self._rows(sheet, nrows, max_rows)
        except _ConversionFailed:
            # calamine could not convert a value (a date serial far out of range makes it panic): rewrite the
            # sheet with such values as text, so the form is read and they are named at their cells.
            if self._ooxml is None or sheet not in self._ooxml.parts:
                raise UnreadableError(_FAILED.format(sheet=sheet)) from None
            flagged = self._ooxml.neutralise(sheet).flagged
            self._book.close()
            self._book = _calamine(self._ooxml.copy())
            try:
                rows = self._rows(sheet, nrows, max_rows)
            except _ConversionFailed:
                raise UnreadableError(_FAILED.format(sheet=sheet)) from None
        return bounds.safe_rows([row[:max_cols] for row in rows], flagged)

    def _rows(self, sheet: str, nrows: int | None, max_rows: int) -> list[list[Any]]:
        if sheet not in self._book.sheet_names:
            raise UnreadableError(f"工作表“{sheet}”无法读取（工作簿中找不到它的内容）。" + RESAVE)
        try:
            with _quiet():
                ws = self._book.get_sheet_by_name(sheet)
                if ws.height > max_rows:
                    # Never materialise more rows than the caller needs; the form only needs its rows.
                    nrows = min(nrows or max_rows, max_rows)
                rows: list[list[Any]] = ws.to_python(skip_empty_area=False, nrows=nrows)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # CalamineError, OverflowError, and pyo3's PanicException (a BaseException)
            raise _ConversionFailed() from exc
        return rows

    def formulas(self, sheet: str) -> dict[str, str]:
        """A1 address -> formula text of every formula cell on ``sheet`` (OOXML only; {} for .xls/.ods)."""
        if self._ooxml is None or sheet not in self._ooxml.sheets:
            return {}
        found = self._ooxml.sheets[sheet]
        if found.formulas is None:
            found.formulas = ooxml.formulas_fast(found.xml)
        return {ref: bounds.too_long(text) if len(text) > bounds.MAX_TEXT else text
                for ref, text in found.formulas.items()}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._book.close()


class _ConversionFailed(Exception):
    """calamine raised (or panicked) while reading a sheet's values."""


_devnull: int | None = None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Standard error silenced at the file-descriptor level: a Rust panic inside calamine prints its message (and
    with RUST_BACKTRACE set a whole backtrace) before it becomes an exception we handle."""
    global _devnull
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no standard error at all (a windowed Excel button)
        yield
        return
    try:
        if _devnull is None:
            _devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(_devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _calamine(data: bytes) -> Any:
    try:
        with _quiet():
            return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        if "Password" in type(exc).__name__:
            raise UnreadableError("工作簿已设置密码保护，无法读取。请取消密码后再报送。") from exc
        raise UnreadableError("文件已损坏，无法作为工作簿读取。" + RESAVE) from exc


def open_values(path: str | Path, sheets: Iterable[str] | None = None) -> WorkbookValues:
    """Open ``path`` for reading values, or raise UnreadableError. ``sheets``: the sheet names to be read (of an
    .xlsx or .ods only these are checked and handed to calamine, the others are listed; default all)."""
    p = Path(path)
    data = package.read_bytes(p)
    book: ooxml.Book | None = None
    if package.kind(data) == "ole":
        if _is_encrypted_ooxml(data):
            raise UnreadableError(package.ENCRYPTED)
        biff.check(data, MAX_CELLS)
        kind, copy = "xls", data
    else:
        zf = package.Zip(data)
        try:
            kind = _zip_kind(zf)
            if kind == "ods":
                from xltools import odf

                copy = odf.sanitised(zf, None if sheets is None else set(sheets))
            else:
                book = ooxml.read_book(zf, None if sheets is None else set(sheets))
                copy = book.copy()
        finally:
            zf.close()
    calamine = _calamine(copy)
    names = book.names if book is not None else list(calamine.sheet_names)
    return WorkbookValues(path=p, sheet_names=names, _book=calamine, _kind=kind, _ooxml=book)


def _zip_kind(zf: package.Zip) -> str:
    mimetype = zf.read_optional("mimetype")
    if mimetype is not None and mimetype.startswith(b"application/vnd.oasis.opendocument"):
        if mimetype.startswith(package.ODS_MIMETYPE):
            return "ods"
        raise UnreadableError("文件是 OpenDocument 文字或演示文稿，不是电子表格。" + RESAVE)
    if "xl/workbook.xml" in zf or "xl/workbook.bin" in zf:
        return "xlsx"
    if "content.xml" in zf and "META-INF/manifest.xml" in zf:
        return "ods"
    if "word/document.xml" in zf:
        raise UnreadableError("文件是 Word 文档，不是 Excel 工作簿。请使用下发的 Excel 模板填写。")
    if "ppt/presentation.xml" in zf:
        raise UnreadableError("文件是 PowerPoint 演示文稿，不是 Excel 工作簿。请使用下发的 Excel 模板填写。")
    if "[Content_Types].xml" in zf:
        return "xlsx"
    raise UnreadableError("文件是压缩包但不是 Excel 工作簿。")


def _is_encrypted_ooxml(data: bytes) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return bool(ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"))
    except Exception:
        return False


def verify_ooxml(source: str | Path | bytes) -> None:
    """UnreadableError unless ``source`` (a path or the file's bytes) is an OOXML zip whose every member reads
    within bounds and whose sheet list parses: what a writer copying it member by member (an annotated copy) needs
    to know first."""
    data = source if isinstance(source, bytes) else package.read_bytes(source)
    if package.kind(data) != "zip":
        raise UnreadableError("文件不是 .xlsx 格式。")
    zf = package.Zip(data)
    try:
        if _zip_kind(zf) != "xlsx" or ooxml.WORKBOOK not in zf:
            raise UnreadableError("文件不是 .xlsx 格式。")
        for info in zf.infos:
            zf.read(info)
        ooxml.listing(zf.read(ooxml.WORKBOOK), zf.read_optional(ooxml.RELS))
    finally:
        zf.close()


def sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> zip member of an OOXML workbook (opened by the caller, e.g. to annotate it)."""
    rels = ooxml.RELS if ooxml.RELS in zf.namelist() else None
    found = ooxml.listing(zf.read(ooxml.WORKBOOK), zf.read(rels) if rels else None)
    names = set(zf.namelist())
    out = {}
    for name, target in found.sheets:
        candidates = [target[1:]] if target.startswith("/") else [posixpath.normpath("xl/" + target), target]
        out[name] = next((c for c in candidates if c in names), candidates[0])
    return out


def sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` of an OOXML workbook, or None."""
    return sheet_members(zf).get(sheet)
