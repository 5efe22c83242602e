"""Write ``xltools.xlam``, the add-in, without Excel: the way the .xlsm is built (:mod:`xltools.xlsm`), compared part
by part with the Excel-made add-ins xlwings ships (``tests/test_addin.py``).

An .xlam is a macro-enabled workbook whose workbook part has the add-in content type
(``application/vnd.ms-excel.addin.macroEnabled.main+xml``): Excel opens it with its window hidden (the workbook
view says so too, as in the references), runs its ribbon and never shows its sheet. The parts:

* the workbook (openpyxl): one sheet recording what this add-in is (name, version, which ribbon); nothing reads it;
* ``xl/vbaProject.bin`` (:mod:`xltools.vba`): the document modules, and ``macros/XltLaunch.bas`` and
  ``macros/XltRibbon.bas``; the project references OLE Automation and the Office object library (where
  ``IRibbonControl`` lives) with the very records of xlwings' Excel-made add-in;
* ``customUI/customUI.xml`` (:mod:`xltools.addin.ribbon`), related from ``_rels/.rels``.

The VBA sources may hold Chinese in string literals (readable where they are kept); :func:`ascii_vba` stores each
such literal as ``Zh("<UTF-16 code units in hex>")``, so the stored module is ASCII and shows the same text on any
PC, whatever its code page.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from xltools import __version__, vba, xlsm
from xltools.addin import ADDIN_FILENAME, ribbon
from xltools.atomic import os_reason, write_bytes
from xltools.vba.project import read_vba_project

ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
MODULE_FILES = ("XltLaunch.bas", "XltRibbon.bas")
PROJECT_NAME = "xltools"
SHEET_NAME = "xltools"
ZH_FUNCTION = "Zh"  # in XltLaunch.bas
MAX_VBA_LINE = 1023  # characters: the VBA editor's limit for one physical line

_LITERAL = re.compile(r'"(?:[^"]|"")*"')


class AddinError(Exception):
    """The add-in cannot be written. ``str(error)`` is a Chinese reason."""


@dataclass(frozen=True)
class AddinBuild:
    """What :func:`build_addin` wrote."""

    path: Path
    bureau: bool  # with the 局里 group
    modules: tuple[str, ...]  # every module of the VBA project, in project order
    buttons: tuple[ribbon.Button, ...]

    def summary(self) -> str:
        return (f"已生成加载项（功能区：{'填报、局里' if self.bureau else '填报'}）。安装：运行 xltools bundle 生成的安装包中的"
                r" 安装.bat，或把它复制到 %APPDATA%\Microsoft\Excel\XLSTART 后重新打开 Excel。")


def ascii_vba(source: str) -> str:
    """``source`` with every string literal holding non-ASCII text written as ``Zh("<hex>")``. Non-ASCII outside a
    string literal (a comment, a name) is refused with ValueError: the VBA editor would show it garbled."""
    out = []
    for number, line in enumerate(source.splitlines(), start=1):
        code, comment = _split_comment(line)
        converted = _LITERAL.sub(_zh_literal, code)
        if not (converted + comment).isascii():
            raise ValueError(f"line {number}: non-ASCII text outside a string literal: {line.strip()!r}")
        if len(converted + comment) > MAX_VBA_LINE:
            raise ValueError(f"line {number}: longer than {MAX_VBA_LINE} characters once converted; split it")
        out.append(converted + comment)
    return "\r\n".join(out) + "\r\n"


def zh_hex(text: str) -> str:
    """The argument of ``Zh()`` for ``text``: its UTF-16 code units, four upper-case hex digits each."""
    data = text.encode("utf-16-be")
    return data.hex().upper()


def _zh_literal(match: re.Match[str]) -> str:
    literal = match.group(0)
    if literal.isascii():
        return literal
    text = literal[1:-1].replace('""', '"')
    return f'{ZH_FUNCTION}("{zh_hex(text)}")'


def _split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of one VBA line: the comment starts at the first ``'`` outside a string literal."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "'" and not quoted:
            return line[:i], line[i:]
    return line, ""


def module_sources() -> dict[str, str]:
    """The add-in's VBA sources (UTF-8) from ``macros/``, by file name."""
    return {name: (vba.MACROS_DIR / name).read_text(encoding="utf-8") for name in MODULE_FILES}


def addin_modules() -> list[vba.Module]:
    """The add-in's standard modules as stored (ASCII, CRLF)."""
    return [vba.standard_module(ascii_vba(source)) for source in module_sources().values()]


def _base_workbook(bureau: bool) -> bytes:
    """The add-in's workbook before its macros: one sheet saying what it is; its window hidden, as an add-in's is."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    for row in (("xltools 加载项", ADDIN_FILENAME), ("版本", __version__),
                ("功能区", "填报、局里" if bureau else "填报")):
        ws.append(row)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    wb.views[0].visibility = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_addin(out: str | os.PathLike[str], *, bureau: bool = True) -> AddinBuild:
    """Write the add-in to ``out`` (a folder: ``xltools.xlam`` in it; or a file path ending in .xlam). ``bureau``:
    with the 局里 group (the bureau's add-in); without it, the staff PCs' (填报 only). Raises AddinError."""
    target = Path(out)
    if target.suffix.lower() != ".xlam":
        target = target / ADDIN_FILENAME
    try:
        return _build(target, bureau)
    except FileNotFoundError as exc:
        raise AddinError(f"找不到加载项的宏源码 {exc.filename}（xltools 安装不完整，请重新安装）。") from exc
    except OSError as exc:
        raise AddinError(f"写出加载项失败：{os_reason(exc)}（{target}）。") from exc


def _build(target: Path, bureau: bool) -> AddinBuild:
    base = _base_workbook(bureau)
    book_code, sheet_codes = xlsm.codenames(base)
    vba_bin = vba.build_vba_project(addin_modules(), list(sheet_codes.values()), project_name=PROJECT_NAME,
                                    workbook_codename=book_code)
    package = xlsm.macro_package(base, vba_bin, main_type=ADDIN_MAIN)
    package[ribbon.RIBBON_PART] = ribbon.ribbon_xml(bureau)
    xlsm.add_relationship(package, "", "xltRibbon", ribbon.UI_RELATIONSHIP, ribbon.RIBBON_PART)
    write_bytes(target, xlsm.package_bytes(package))
    return AddinBuild(target, bureau, tuple(m.name for m in read_vba_project(vba_bin)), ribbon.buttons(bureau))
