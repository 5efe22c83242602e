"""A binary Excel workbook (.xls, BIFF) measured before calamine reads it.

calamine reads every sheet of an .xls when it opens it, each as a dense grid up to its farthest cell: a value at
IV65536 costs a gigabyte. The record stream is short and simple ([type][length][data]), so it is walked once here:
every cell record's row and column, per sheet, and the FILEPASS record that marks an encrypted workbook.
"""

from __future__ import annotations

import struct

from xltools.package import RESAVE, UnreadableError

MAX_RECORDS = 2_000_000  # a form saved as .xls has ~20,000
_BOF = frozenset([0x0009, 0x0209, 0x0409, 0x0809])
_FILEPASS = 0x002F
# Records of one cell (row, column first): NUMBER, RK, LABELSST, LABEL, FORMULA, BOOLERR, RSTRING, BLANK and the
# BIFF2-4 forms (INTEGER, NUMBER, LABEL, BOOLERR, FORMULA).
_CELL = frozenset([0x0203, 0x027E, 0x00FD, 0x0204, 0x0006, 0x0205, 0x00D6, 0x0201,
                   0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0206, 0x0406])
_MULTI = frozenset([0x00BD, 0x00BE])  # MULRK, MULBLANK: row, first column, ..., last column


def _stream(data: bytes) -> bytes:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    stream: bytes = ole.openstream(name).read()
                    return stream
    except Exception as exc:  # olefile raises several types on a damaged container
        raise UnreadableError("文件已损坏或不完整（.xls 结构无效），无法读取。" + RESAVE) from exc
    raise UnreadableError("文件不是 Excel 工作簿（找不到 .xls 的工作簿数据）。" + RESAVE)


def check(data: bytes, max_cells: int) -> None:
    """UnreadableError when the .xls in ``data`` is encrypted or has a sheet larger than ``max_cells``."""
    stream = _stream(data)
    pos = records = sheet = 0
    rows = cols = 0
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        records += 1
        if records > MAX_RECORDS:
            raise UnreadableError("文件结构异常（记录过多），不像是一张申报表，出于安全不予读取。")
        if rtype in _CELL and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
        elif rtype in _MULTI and length >= 6 and pos <= end:
            row = struct.unpack_from("<H", stream, body)[0]
            col = struct.unpack_from("<H", stream, pos - 2)[0]
        elif rtype in _BOF:
            sheet += 1
            rows = cols = 0
            continue
        elif rtype == _FILEPASS and sheet <= 1:
            raise UnreadableError("工作簿已设置打开密码（已加密），无法读取。请取消打开密码后再报送。")
        else:
            continue
        if row >= rows or col >= cols:
            rows, cols = max(rows, row + 1), max(cols, col + 1)
            if rows * cols > max_cells:
                raise UnreadableError(f"工作表的范围异常（{rows} 行 × {cols} 列），出于安全不予读取。"
                                      "可能在远处的单元格中误填了内容，请删除后再报送。")
