"""An annotated copy of a returned workbook: what a bureau sends back to a unit.

The copy lists the findings in 校验结果; the form's own conditional formats then highlight the problem cells.
Only the 校验结果 worksheet part is rewritten inside the zip, and in workbook.xml that sheet's print area (so the
copy prints every finding, also when the form came from a template whose print area was the header alone) and,
for such a form, styles.xml gains wrapping twins of the result cells' styles (long messages wrap within the
printed width); in the form sheet, the rows whose text needs more room than they have get that height (the copy is
printed: long texts print whole, :mod:`xltools.rowfit`). Every other part is copied byte for byte, so validations,
protection, macros and buttons survive exactly (a load/save through openpyxl would drop form controls and rewrite
styles). The input file is never opened for writing.

One verdict per printout: from template version 3 on the form's status line shows the summary written here; on
version 2, whose status line counts only the template's own checks, the summary says it is the one that holds.

Copies of a whole batch mirror the input folders (:func:`plan_copies`): three units' ``绩效目标申报表.xlsx`` in
three folders stay three copies, and a copy never lands on an input.
"""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from xltools import marks, results, rowfit, spec
from xltools.atomic import OutputError, atomic_path
from xltools.cells import column_letter
from xltools.discover import Source, display
from xltools.engine import CheckResult
from xltools.findings import Finding, Report
from xltools.spec.selfeval import SELFEVAL
from xltools.text import LINE_HEIGHT, lines, xml_text
from xltools.workbook import MAX_FILE_BYTES, UnreadableError, sheet_member, sheet_members, verify_ooxml


class AnnotateError(Exception):
    """The copy cannot be made; ``str(error)`` says why in Chinese."""


ANNOTATABLE = (".xlsx", ".xlsm")
_ROW_RE = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL_STYLE_RE = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+)\d+\"[^>]*?\bs=\"(\d+)\"")
_SHEETDATA_RE = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
_SHEET_NAME_RE = re.compile(rb"<sheet\b[^>]*?\bname=\"([^\"]*)\"")
_DEFINED_NAMES_RE = re.compile(rb"<definedNames\s*/>|<definedNames>(.*?)</definedNames>", re.S)
_DEFINED_NAME_RE = re.compile(rb"<definedName\b([^>]*)>.*?</definedName>", re.S)
WORKBOOK_PART = "xl/workbook.xml"
STYLES_PART = "xl/styles.xml"
_CELL_XFS_RE = re.compile(rb"(<cellXfs\b[^>]*>)(.*?)</cellXfs>", re.S)
_XF_RE = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_WRAP = b'<alignment vertical="top" wrapText="1"/>'


def annotate(result: CheckResult, source: str | Path, out_dir: str | Path) -> Path:
    """Write ``out_dir/<source name>`` with the findings of ``result`` in 校验结果. Returns the new path."""
    src = Path(source)
    out = Path(out_dir) / src.name
    if out.resolve() == src.resolve():
        raise AnnotateError("输出目录不能是原文件所在目录：原文件不会被改动。")
    if result.declaration is None and result.selfeval is None:
        raise AnnotateError("文件无法按本模板读取，不能在其中标注；问题见检查报告。")
    if src.suffix.lower() not in ANNOTATABLE:
        raise AnnotateError(f"{src.suffix} 格式不能标注，请另存为 .xlsx 后再检查。")
    return write_copy(src.read_bytes(), out, result.findings)


def write_copy(data: bytes, out: Path, findings: Sequence[Finding]) -> Path:
    """Write ``out``: the workbook ``data`` with ``findings`` in 校验结果, marked as xltools' annotated copy (a zip
    comment that Excel drops on saving: an edited copy sent back is a return again)."""
    try:
        verify_ooxml(data)  # the bounded opening path: every member below then reads
    except UnreadableError as exc:
        raise AnnotateError(f"原文件无法读取，不能在其中标注：{exc}") from exc
    rows = results.rows(findings)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        member = sheet_member(zin, spec.RESULTS_SHEET)
        if member is None:
            raise AnnotateError(f"工作簿中没有“{spec.RESULTS_SHEET}”工作表，无法标注。")
        sheet_xml = zin.read(member)
        layout = _layout(zin)
        new_parts = _fitted_form(zin, layout)
        summary = results.summary_line(Report("", list(findings)).summary(), layout)
        restyle: dict[str, str] = {}
        if STYLES_PART in zin.namelist():
            styles_xml, restyle = wrapping_styles(zin.read(STYLES_PART), result_styles(sheet_xml))
            if restyle:
                new_parts[STYLES_PART] = styles_xml
        new_parts[member] = rewrite_results_xml(sheet_xml, summary, rows, restyle)
        if WORKBOOK_PART in zin.namelist():
            new_parts[WORKBOOK_PART] = with_results_print_area(zin.read(WORKBOOK_PART))
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            zout.comment = marks.ANNOTATED
            for info in zin.infolist():
                part = new_parts[info.filename] if info.filename in new_parts else zin.read(info.filename)
                zout.writestr(info, part, compress_type=zipfile.ZIP_DEFLATED)
    return out


def _strings(zin: zipfile.ZipFile) -> list[str]:
    return rowfit.shared_strings(zin.read(rowfit.SHARED_STRINGS)) if rowfit.SHARED_STRINGS in zin.namelist() else []


def _fitted_form(zin: zipfile.ZipFile, layout: spec.FormSpec | None) -> dict[str, bytes]:
    """The form sheet's part with its rows as tall as the texts typed into them need, when any row must grow."""
    member = sheet_members(zin).get(layout.sheet) if layout is not None else None
    if member is None or layout is None:
        return {}
    xml = zin.read(member)
    fitted = rowfit.fit_rows(xml, _strings(zin), set(layout.input_cells()))
    return {member: fitted} if fitted != xml else {}


def _layout(zin: zipfile.ZipFile) -> spec.FormSpec | None:
    """The form's layout: the family its meta sheet names (template id), in the version it records (None when there
    is none we know)."""
    member = sheet_members(zin).get(spec.META_SHEET)
    if member is None:
        return None
    texts = rowfit.cell_texts(zin.read(member), _strings(zin))
    meta = {key: texts.get(f"B{a[1:]}") for a, key in texts.items() if a.startswith("A")}
    family = next((f for f in (spec.DECLARATION, SELFEVAL) if f.template_id == meta.get("template_id")), None)
    version = meta.get("version")
    return family.form(version) if family is not None and version is not None and version in family.versions else None


def plan_copies(sources: Sequence[Source], out_dir: str | Path) -> dict[str, Path]:
    """Where the annotated copy of each source goes: ``out_dir`` mirrors the folders the sources were found in
    (relative paths kept; a form inside a zip goes to a folder named after the zip), and a name that would clash
    with another (also by case, as on Windows) gets " (2)", " (3)" ... Raises OutputError, before anything is
    read, when a copy would land on an input file (``out_dir`` is an input folder)."""
    base = Path(out_dir)
    taken: set[str] = set()
    planned: dict[str, Path] = {}
    for source in sources:
        target = base / source.relative
        if target.suffix.lower() not in ANNOTATABLE:
            target = target.with_name(target.name + ".xlsx")  # never annotated; keeps the plan one-to-one
        stem, suffix, n = target.name[: -len(target.suffix)], target.suffix, 2
        while str(target).casefold() in taken:
            target = target.with_name(f"{stem} ({n}){suffix}")
            n += 1
        taken.add(str(target).casefold())
        planned[source.display] = target
    inputs = {_identity(s.path) for s in sources} - {None}
    for source, target in zip(sources, planned.values(), strict=True):
        if _identity(target) in inputs and not _ours(target):
            raise OutputError(f"标注副本“{display(target)}”会覆盖输入文件：--annotate 的目录不能是回收文件夹本身"
                              f"（{source.display}）。请换一个目录，例如“退回”。")
    return planned


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _ours(path: Path) -> bool:
    return marks.probe_path(str(path)).output is not None


def source_bytes(source: Source) -> bytes:
    if source.member is not None:
        from xltools.inputs import MemberError, member_bytes

        try:
            return member_bytes(source)[0]
        except MemberError as exc:
            raise AnnotateError(str(exc)) from exc
    data = marks.read_head(source.path, MAX_FILE_BYTES)
    if data is None:
        raise AnnotateError("文件无法读取或过大，不能标注。")
    return data


def annotate_source(source: Source, target: Path, findings: Sequence[Finding]) -> Path:
    """The annotated copy of one found input (a file or a form inside a zip) at ``target``."""
    if os.path.splitext(source.relative)[1].lower() not in ANNOTATABLE:
        raise AnnotateError(f"{os.path.splitext(source.relative)[1]} 格式不能标注，请另存为 .xlsx 后再检查。")
    return write_copy(source_bytes(source), target, findings)


def write_copies(planned: dict[str, Path], sources: Sequence[Source], findings: Sequence[Finding],
                 ) -> tuple[dict[str, Path], dict[str, str]]:
    """The copies to send back: one per source with findings (those of the whole run: a consolidation's
    cross-file findings included), at its planned place. Returns file -> copy, and file -> why no copy could be
    made (an .xls cannot be annotated; its findings are in the report all the same). A write that fails (disk full,
    no permission) raises OutputError naming the copy."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    written, failed = {}, {}
    for source in sources:
        mine = by_file.get(source.display)
        if not mine:
            continue
        target = planned[source.display]
        try:
            written[source.display] = annotate_source(source, target, mine)
        except AnnotateError as exc:
            failed[source.display] = str(exc)
        except OSError as exc:
            from xltools.atomic import write_failed

            raise write_failed(display(target), exc) from exc
    return written, failed


def with_results_print_area(xml: bytes) -> bytes:
    """workbook.xml with 校验结果's print area set to :func:`xltools.results.print_area` (replaced, or added).
    A workbook.xml written with namespace prefixes, or without the sheet, is returned as it was."""
    names = [html.unescape(m.group(1).decode()) for m in _SHEET_NAME_RE.finditer(xml)]
    if spec.RESULTS_SHEET not in names or b"<sheets>" not in xml:
        return xml
    index = str(names.index(spec.RESULTS_SHEET))
    element = (f'<definedName name="_xlnm.Print_Area" localSheetId="{index}">{xml_text(results.print_area())}'
               "</definedName>").encode()
    block = _DEFINED_NAMES_RE.search(xml)
    if block is None:  # no names at all: the block goes right after the sheets (or external references)
        anchor = b"</externalReferences>" if b"</externalReferences>" in xml else b"</sheets>"
        return xml.replace(anchor, anchor + b"<definedNames>" + element + b"</definedNames>", 1)
    body = block.group(1) or b""
    current = next((m for m in _DEFINED_NAME_RE.finditer(body) if _is_print_area(m.group(1), index)), None)
    # Replaced where it was (the same bytes when it is already the formula), or added.
    new_body = body + element if current is None else body[:current.start()] + element + body[current.end():]
    return xml[:block.start()] + b"<definedNames>" + new_body + b"</definedNames>" + xml[block.end():]


def result_styles(xml: bytes) -> set[str]:
    """The cell style ids of the result rows of a 校验结果 sheet XML."""
    m = _SHEETDATA_RE.search(xml)
    body = (m.group(1) or b"") if m else b""
    return {s.decode() for r in _ROW_RE.finditer(body) if int(r.group(1)) >= results.FIRST_ROW
            for _col, s in _CELL_STYLE_RE.findall(r.group(0))}


def wrapping_styles(xml: bytes, ids: set[str]) -> tuple[bytes, dict[str, str]]:
    """styles.xml with a twin of each cell style of ``ids`` that does not wrap text yet, the twin aligned top and
    wrapping; returns the new styles.xml and old id -> twin id (empty, with ``xml`` unchanged, when all wrap)."""
    block = _CELL_XFS_RE.search(xml)
    if block is None:
        return xml, {}
    xfs = _XF_RE.findall(block.group(2))
    twins: list[bytes] = []
    mapping: dict[str, str] = {}
    for sid in sorted(ids, key=int):
        index = int(sid)
        if index >= len(xfs) or b'wrapText="1"' in xfs[index]:
            continue
        mapping[sid] = str(len(xfs) + len(twins))
        twins.append(_wrapping(xfs[index]))
    if not twins:
        return xml, {}
    head = re.sub(rb'\bcount="\d+"', f'count="{len(xfs) + len(twins)}"'.encode(), block.group(1))
    body = block.group(2) + b"".join(twins)
    return xml[:block.start()] + head + body + b"</cellXfs>" + xml[block.end():], mapping


def _wrapping(xf: bytes) -> bytes:
    """The same cell style, aligned top and wrapping (the alignment element comes first among an xf's children)."""
    xf = re.sub(rb'\sapplyAlignment="[^"]*"', b"", xf)
    xf = re.sub(rb"<xf\b", b'<xf applyAlignment="1"', xf, count=1)
    if xf.endswith(b"/>") and b"</xf>" not in xf:
        return xf[:-2].rstrip() + b">" + _WRAP + b"</xf>"
    if b"<alignment" in xf:
        xf = re.sub(rb'\s(?:wrapText|vertical)="[^"]*"', b"", xf)
        return xf.replace(b"<alignment", b'<alignment vertical="top" wrapText="1"', 1)
    start = xf.index(b">") + 1
    return xf[:start] + _WRAP + xf[start:]


def _is_print_area(attrs: bytes, index: str) -> bool:
    found = dict(re.findall(rb'(\w+)="([^"]*)"', attrs))
    return found.get(b"name") == b"_xlnm.Print_Area" and found.get(b"localSheetId") == index.encode()


def rewrite_results_xml(xml: bytes, summary: str, rows: Sequence[Sequence[str]],
                        restyle: dict[str, str] | None = None) -> bytes:
    """Replace the summary and result rows of the 校验结果 sheet XML, keeping each cell's style (or its twin in
    ``restyle``, for the result rows)."""
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
        out_rows[number] = _row_xml(number, values, existing.get(number, b""),
                                    restyle if number >= results.FIRST_ROW else None)
    new_body = b"".join(out_rows[n] for n in sorted(out_rows))
    return xml[: m.start()] + b"<sheetData>" + new_body + b"</sheetData>" + xml[m.end():]


def _row_number(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


def _row_xml(number: int, values: Sequence[str], old: bytes, restyle: dict[str, str] | None = None) -> bytes:
    styles = {col.decode(): s.decode() for col, s in _CELL_STYLE_RE.findall(old)}
    if restyle:
        styles = {col: restyle.get(s, s) for col, s in styles.items()}
    attrs = re.match(rb"<row\b([^>]*?)/?>", old)
    row_attrs = attrs.group(1).decode() if attrs else f' r="{number}"'
    # A long message wraps: the row gets the height it needs (LibreOffice does not measure it on opening).
    row_attrs = re.sub(r'\s(?:ht|customHeight)="[^"]*"', "", row_attrs)
    height = max((lines(v, width) for v, (_key, _label, width) in zip(values, spec.RESULTS_COLUMNS, strict=False)),
                 default=1)
    if height > 1:
        row_attrs += f' ht="{height * LINE_HEIGHT:g}" customHeight="1"'
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
