"""An annotated copy of a returned workbook: what a bureau sends back to a unit.

The copy lists the findings in 校验结果; the form's own conditional formats then highlight the problem cells.
Only the 校验结果 worksheet part is rewritten inside the zip; every other part is copied byte for byte, so
validations, protection, macros and buttons survive exactly (a load/save through openpyxl would drop form
controls and rewrite styles). The input file is never opened for writing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from xltools import results, spec
from xltools.atomic import atomic_path
from xltools.cells import column_letter
from xltools.engine import CheckResult
from xltools.text import xml_text
from xltools.workbook import sheet_member


class AnnotateError(Exception):
    """The copy cannot be made; ``str(error)`` says why in Chinese."""


_ROW_RE = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL_STYLE_RE = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+)\d+\"[^>]*?\bs=\"(\d+)\"")
_SHEETDATA_RE = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)


def annotate(result: CheckResult, source: str | Path, out_dir: str | Path) -> Path:
    """Write ``out_dir/<source name>`` with the findings of ``result`` in 校验结果. Returns the new path."""
    src = Path(source)
    out = Path(out_dir) / src.name
    if out.resolve() == src.resolve():
        raise AnnotateError("输出目录不能是原文件所在目录：原文件不会被改动。")
    if result.declaration is None:
        raise AnnotateError("文件无法按本模板读取，不能在其中标注；问题见检查报告。")
    if src.suffix.lower() not in (".xlsx", ".xlsm"):
        raise AnnotateError(f"{src.suffix} 格式不能标注，请另存为 .xlsx 后再检查。")
    summary = result.report.summary()
    rows = results.rows(result.findings)
    with zipfile.ZipFile(src) as zin:
        member = sheet_member(zin, spec.RESULTS_SHEET)
        if member is None:
            raise AnnotateError(f"工作簿中没有“{spec.RESULTS_SHEET}”工作表，无法标注。")
        new_xml = rewrite_results_xml(zin.read(member), summary, rows)
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = new_xml if info.filename == member else zin.read(info.filename)
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out


def rewrite_results_xml(xml: bytes, summary: str, rows: Sequence[Sequence[str]]) -> bytes:
    """Replace the summary and result rows of the 校验结果 sheet XML, keeping each cell's style."""
    m = _SHEETDATA_RE.search(xml)
    if m is None:
        raise AnnotateError(f"“{spec.RESULTS_SHEET}”工作表结构异常，无法标注。")
    body = m.group(1) or b""
    existing = {int(r.group(1)): r.group(0) for r in _ROW_RE.finditer(body)}
    summary_row = _row_number(spec.RESULTS_SUMMARY_CELL)
    written: dict[int, list[str]] = {summary_row: [summary]}
    for i, values in enumerate(rows):
        written[results.FIRST_ROW + i] = list(values)
    # Clear result rows an earlier annotation left behind (rows beyond this run's findings).
    for number in existing:
        if number >= results.FIRST_ROW and number not in written:
            written[number] = []
    out_rows: dict[int, bytes] = dict(existing)
    for number, values in written.items():
        out_rows[number] = _row_xml(number, values, existing.get(number, b""))
    new_body = b"".join(out_rows[n] for n in sorted(out_rows))
    return xml[: m.start()] + b"<sheetData>" + new_body + b"</sheetData>" + xml[m.end():]


def _row_number(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


def _row_xml(number: int, values: Sequence[str], old: bytes) -> bytes:
    styles = {col.decode(): s.decode() for col, s in _CELL_STYLE_RE.findall(old)}
    attrs = re.match(rb"<row\b([^>]*?)/?>", old)
    row_attrs = attrs.group(1).decode() if attrs else f' r="{number}"'
    cells = []
    for i in range(len(spec.RESULTS_COLUMNS)):
        col = column_letter(i + 1)
        style = f' s="{styles[col]}"' if col in styles else ""
        value = values[i] if i < len(values) else ""
        if value:
            cells.append(f'<c r="{col}{number}"{style} t="inlineStr"><is><t xml:space="preserve">'
                         f"{xml_text(value)}</t></is></c>")
        elif style:
            cells.append(f'<c r="{col}{number}"{style}/>')
    return f"<row{row_attrs}>{''.join(cells)}</row>".encode()
