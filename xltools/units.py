"""The bureau's distribution list (units.csv) and file names that are safe on Windows.

units.csv: a header row, then one unit per row. Columns (header text exactly):

- ``单位名称`` or ``申报单位名称`` (the form's own label; one of the two is required): the unit's name, written
  into 申报单位名称 of its template.
- ``单位编码`` (optional): the unit's code; when present it leads the file name so files sort by code.
- ``控制数`` (optional): the unit's budget ceiling in yuan, a plain number (thousands separators and full-width
  digits are accepted); blank means no ceiling. Consolidation warns ``unit-over-ceiling`` above it.

Other columns are ignored. Blank rows and rows with a blank name are skipped. The file may be UTF-8 (with or
without BOM) or GB18030/GBK, which is what Excel on Chinese Windows writes by default for "CSV".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

NAME_COLUMN = "单位名称"
NAME_COLUMNS = (NAME_COLUMN, "申报单位名称")  # the list's own header, or the form's label
CODE_COLUMN = "单位编码"
CEILING_COLUMN = "控制数"

# Windows forbids these characters and control characters in file names.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
# NTFS allows 255 UTF-16 units per name; stay well below so a long path prefix and a suffix still fit.
MAX_STEM = 120


@dataclass(frozen=True)
class Unit:
    name: str
    code: str = ""
    ceiling: float | None = None  # 控制数 in yuan; None: no ceiling given


class UnitsFileError(ValueError):
    """units.csv cannot be used (missing column, unreadable encoding, duplicate unit)."""


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnitsFileError("units.csv 无法按 UTF-8 或 GB18030 编码读取")


def read_units(path: str | Path) -> list[Unit]:
    """The units listed in ``path``, in file order. Raises UnitsFileError on a malformed file."""
    text = _decode(Path(path).read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    names = [c for c in NAME_COLUMNS if c in header]
    if not names:
        raise UnitsFileError(f"units.csv 缺少“{NAME_COLUMN}”列（或“{NAME_COLUMNS[1]}”列；"
                             f"表头为：{'、'.join(header) or '空'}）")
    if len(names) > 1:
        raise UnitsFileError(f"units.csv 同时有“{names[0]}”和“{names[1]}”两列，请只保留一列作为单位名称")
    name_column = names[0]
    reader.fieldnames = header
    units: list[Unit] = []
    seen: set[str] = set()
    for row in reader:
        name = (row.get(name_column) or "").strip()
        if not name:
            continue
        code = (row.get(CODE_COLUMN) or "").strip()
        if name in seen:
            raise UnitsFileError(f"units.csv 中单位“{name}”重复")
        seen.add(name)
        ceiling = _ceiling(row.get(CEILING_COLUMN), reader.line_num, name)
        units.append(Unit(name, code, ceiling))
    return units


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _ceiling(raw: str | None, line: int, name: str) -> float | None:
    """控制数 of one row: a non-negative number of yuan, or None when blank."""
    text = "".join(unicodedata.normalize("NFKC", raw or "").split()).replace(",", "")
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise UnitsFileError(f"units.csv 第 {line} 行（单位“{name}”）的“{CEILING_COLUMN}”不是有效金额："
                             f"“{(raw or '').strip()}”。请填写以元为单位的非负数字，例如 12000000，或留空")
    return float(text)


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
