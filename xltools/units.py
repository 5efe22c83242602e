"""The bureau's distribution list (units.csv) and file names that are safe on Windows.

A units list is a table with a header row, then one unit per row, kept as offices keep it: CSV saved by Excel or
WPS (UTF-8 with or without BOM, or GB18030/GBK, Chinese Windows' default), "Unicode 文本" (UTF-16 with BOM,
tab-separated), or a workbook (.xlsx/.xlsm/.xls/.ods, first sheet). Line ends of any platform (old Macs: CR).
Columns (header text; full-width and half-width brackets alike):

- ``单位名称`` or ``申报单位名称`` (the form's own label; one of the two is required): the unit's name, written
  into 申报单位名称 of its template.
- ``单位编码`` (optional): the unit's code; when present it leads the file name so files sort by code.
- ``控制数`` or ``控制数（元）`` (optional): the unit's budget ceiling in yuan; ``控制数（万元）``: in 万元. A plain
  number (thousands separators and full-width digits are accepted); blank means no ceiling. Consolidation warns
  ``unit-over-ceiling`` above it. Any other column named 控制数… is refused: its unit would be a guess.

Other columns are ignored. Blank rows are skipped; a row with something in it but no name is refused (its
ceiling would silently be lost), as is a unit listed twice.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

NAME_COLUMN = "单位名称"
NAME_COLUMNS = (NAME_COLUMN, "申报单位名称")  # the list's own header, or the form's label
CODE_COLUMN = "单位编码"
CEILING_COLUMN = "控制数"
# 控制数 columns by their header (NFKC: full-width brackets become half-width) -> yuan per unit of the column.
CEILING_COLUMNS = {"控制数": 1, "控制数(元)": 1, "控制数(万元)": 10_000}
COLUMNS_HELP = ("单位名称（或 申报单位名称，必填）、单位编码（可选）、控制数 或 控制数（元）/控制数（万元）"
                "（可选，预算控制数）；其他列忽略。CSV（UTF-8 或 GBK）、Unicode 文本或 .xlsx（第一个工作表）均可")

MAX_BYTES = 10 * 1024 * 1024  # a list of a few hundred units is a few kB
MAX_ROWS = 5000
MAX_NAME = 200  # characters of a unit name; 单位编码 and 控制数 much less
MAX_SHORT = 50

# Windows forbids these characters and control characters in file names.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
# NTFS allows 255 UTF-16 units per name; stay well below so a long path prefix and a suffix still fit.
MAX_STEM = 120
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


@dataclass(frozen=True)
class Unit:
    name: str
    code: str = ""
    ceiling: float | None = None  # 控制数 in yuan; None: no ceiling given


class UnitsFileError(ValueError):
    """The units list cannot be used (missing column, unreadable encoding, duplicate unit). ``str(error)`` is a
    Chinese reason naming the file, and the line or column where it applies."""


@lru_cache(maxsize=8192)
def name_key(text: str | None) -> str:
    """Names compared as a reviewer would: full-width/half-width and whitespace do not make a different name.
    Cached: a batch repeats a few dozen unit names over thousands of forms."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def read_units(path: str | Path) -> list[Unit]:
    """The units listed in ``path``, in file order. Raises UnitsFileError on a file that cannot be used."""
    path = Path(path)
    label = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnitsFileError(f"{label} 过大（{size // 1024} KB），不像是单位清单")
        raw = path.read_bytes()
    except OSError as exc:
        from xltools.atomic import os_reason

        raise UnitsFileError(f"{label} 无法读取：{os_reason(exc, reading=True)}") from exc
    rows = _sheet_rows(path, label) if raw.startswith(_WORKBOOK_MAGIC) else _text_rows(raw, label)
    return _units(rows, label)


def _text_rows(raw: bytes, label: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of a CSV or tab-separated text, whatever its encoding and line ends."""
    text = _decode(raw, label)
    if "\x00" in text:
        raise UnitsFileError(f"{label} 含有空字符，不是文本格式的单位清单。请用 Excel 另存为“CSV（逗号分隔）”")
    # One line end for all: CR (old Macs), CRLF (Windows) and LF; inside quotes a line break stays a line break.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a long cell is judged by its column below, not by csv
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise UnitsFileError(f"{label} 第 {reader.line_num} 行无法按表格读取（引号不成对？）。"
                             "请用 Excel 另存为“CSV（逗号分隔）”后再试") from exc
    finally:
        csv.field_size_limit(limit)


def _decode(raw: bytes, label: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode 文本" of Excel and WPS: UTF-16 with a BOM
        encodings: tuple[str, ...] = ("utf-16",)
    elif len(raw) >= 4 and raw[1::2][:50].count(0) > 20:  # UTF-16 without a BOM: every other byte is zero
        encodings = ("utf-16-le",)
    elif len(raw) >= 4 and raw[0::2][:50].count(0) > 20:
        encodings = ("utf-16-be",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnitsFileError(f"{label} 无法按 UTF-8、GBK（GB18030）或 UTF-16 编码读取。请用 Excel 另存为“CSV（逗号分隔）”")


def _sheet_rows(path: Path, label: str) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) of the first sheet of a workbook, through the same guarded reader as forms."""
    from xltools.workbook import UnreadableError, open_values

    try:
        book = open_values(path)
        try:
            if not book.sheet_names:
                raise UnitsFileError(f"{label} 中没有工作表")
            grid = book.grid(book.sheet_names[0])
        finally:
            book.close()
    except UnreadableError as exc:
        raise UnitsFileError(f"{label} 无法作为工作簿读取：{exc}") from exc
    return [(i, [_cell_text(v) for v in row]) for i, row in enumerate(grid, start=1)]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))  # 单位编码 1 and 控制数 18000000 as typed, not 1.0
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _units(rows: list[tuple[int, list[str]]], label: str) -> list[Unit]:
    body = [(line, [cell.strip() for cell in cells]) for line, cells in rows]
    body = [(line, cells) for line, cells in body if any(cells)]
    if not body:
        raise UnitsFileError(f"{label} 是空的：第一行应为表头（{NAME_COLUMN}、{CODE_COLUMN}、{CEILING_COLUMN}）")
    if len(body) > MAX_ROWS:
        raise UnitsFileError(f"{label} 超过 {MAX_ROWS} 行，不像是单位清单")
    _header_line, header = body[0]
    keys = [unicodedata.normalize("NFKC", h).replace(" ", "") for h in header]
    names = [c for c in NAME_COLUMNS if c in keys]
    if not names:
        shown = "、".join(h[:MAX_SHORT] for h in header if h) or "空"
        raise UnitsFileError(f"{label} 缺少“{NAME_COLUMN}”列（或“{NAME_COLUMNS[1]}”列；表头为：{shown}）")
    if len(names) > 1:
        raise UnitsFileError(f"{label} 同时有“{names[0]}”和“{names[1]}”两列，请只保留一列作为单位名称")
    ceilings = [(j, keys[j]) for j in range(len(keys)) if keys[j].startswith(CEILING_COLUMN)]
    for j, key in ceilings:
        if key not in CEILING_COLUMNS:
            raise UnitsFileError(f"{label} 的列“{header[j][:MAX_SHORT]}”看不出控制数的单位：请把表头改为“控制数（元）”"
                                 "或“控制数（万元）”")
    if len(ceilings) > 1:
        raise UnitsFileError(f"{label} 有 {len(ceilings)} 个控制数列（{'、'.join(header[j] for j, _k in ceilings)}），"
                             "请只保留一列")
    at_name, at_code = keys.index(names[0]), keys.index(CODE_COLUMN) if CODE_COLUMN in keys else None
    at_ceiling, scale = (ceilings[0][0], CEILING_COLUMNS[ceilings[0][1]]) if ceilings else (None, 1)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for line, cells in body[1:]:
        def cell(j: int | None, cells: list[str] = cells) -> str:
            return cells[j] if j is not None and j < len(cells) else ""

        name, code, ceiling = cell(at_name), cell(at_code), cell(at_ceiling)
        if not name:
            raise UnitsFileError(f"{label} 第 {line} 行有内容但没有单位名称（“{names[0]}”列为空）。"
                                 "请补上单位名称，或删去这一行")
        for column, text, most in ((names[0], name, MAX_NAME), (CODE_COLUMN, code, MAX_SHORT),
                                   (CEILING_COLUMN, ceiling, MAX_SHORT)):
            if len(text) > most:
                raise UnitsFileError(f"{label} 第 {line} 行的“{column}”过长（{len(text)} 个字符），不像是单位清单的内容")
        key = name_key(name)
        if key in seen:
            raise UnitsFileError(f"{label} 中单位“{name}”重复（第 {seen[key]} 行和第 {line} 行）")
        seen[key] = line
        units.append(Unit(name, code, _ceiling(ceiling, scale, line, name, label)))
    return units


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _ceiling(raw: str, scale: int, line: int, name: str, label: str = "units.csv") -> float | None:
    """控制数 of one row in yuan (``scale``: yuan per unit of the column), or None when blank."""
    text = "".join(unicodedata.normalize("NFKC", raw).split()).replace(",", "")
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        what = "万元" if scale == 10_000 else "元"
        example = "1200" if scale == 10_000 else "12000000"
        raise UnitsFileError(f"{label} 第 {line} 行（单位“{name}”）的“{CEILING_COLUMN}”不是有效金额：“{raw}”。"
                             f"请填写以{what}为单位的非负数字，例如 {example}，或留空")
    return round(float(text) * scale, 2)


def closest(name: str, candidates: list[str], most: int = 3) -> list[str]:
    """The candidates most like ``name`` as Chinese names are shortened: 上海市药监局 keeps the characters of
    上海市药品监督管理局 in order. Scored by the longest common subsequence over the shorter name; only the best
    score counts, and only when at least 0.6 (most of the shorter name is there)."""
    key = name_key(name)
    scored = []
    for candidate in candidates:
        other = name_key(candidate)
        if not key or not other:
            continue
        common = _lcs(key, other)
        scored.append((common / min(len(key), len(other)), common / max(len(key), len(other)), candidate))
    if not scored:
        return []
    best = max(scored)
    if best[0] < 0.6:
        return []
    return [c for s, t, c in sorted(scored, reverse=True) if (s, t) == best[:2]][:most]


def _lcs(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for ch in a[:MAX_NAME]:
        current = [0]
        for j, other in enumerate(b[:MAX_NAME], start=1):
            current.append(previous[j - 1] + 1 if ch == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def safe_filename(stem: str, replacement: str = "_", max_len: int = MAX_STEM) -> str:
    """A file name stem that Windows, macOS and Linux all accept, keeping Chinese text as it is.

    Removes forbidden and control characters, trailing dots and spaces, avoids reserved device names
    (CON, NUL, COM1, ...) and limits the length. Never returns an empty string.
    """
    text = unicodedata.normalize("NFC", stem)
    text = re.sub(r"\s+", " ", text).strip()  # tabs and newlines are control characters too: make them spaces
    text = _FORBIDDEN.sub(replacement, text)
    text = text[:max_len].rstrip(". ")
    if not text:
        text = replacement
    if text.split(".")[0].upper().rstrip() in _RESERVED:
        text = replacement + text
    return text


def unit_filename(unit: Unit, base: str) -> str:
    """``<编码>_<单位名称>_<base>`` (code only when given), safe on Windows; a long unit name is shortened,
    never ``base``, so every file still says what it is."""
    base_path = Path(base)
    who = "_".join([unit.code, unit.name] if unit.code else [unit.name])
    who = safe_filename(who, max_len=MAX_STEM - len(base_path.stem) - 1)
    return f"{who}_{safe_filename(base_path.stem)}{base_path.suffix}"
