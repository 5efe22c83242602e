"""The canonical workbook, assembled, and written to disk (one template, or one per unit)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from xltools import data, live, spec
from xltools.atomic import atomic_path
from xltools.template.form import form_sheet
from xltools.template.names import flag_names
from xltools.template.sheets import (
    TemplateError,
    checks_sheet,
    explain_sheet,
    lists_sheet,
    meta_sheet,
    meta_values,
    results_sheet,
)
from xltools.units import Unit, read_units, unit_filename


def build_template(
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    unit: str | None = None,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> Workbook:
    """The canonical workbook for budget ``year``; with ``unit``, 申报单位名称 is filled in and locked.
    ``framework`` is a shipped framework id or a :class:`~xltools.data.Framework` (e.g. read from a file)."""
    if not 1900 < year < 10000:
        raise TemplateError(f"预算年度无效：{year}")
    if unit is not None and not unit.strip():
        raise TemplateError("单位名称为空")
    unit = unit.strip() if unit is not None else None
    form = spec.build()
    if isinstance(framework, str):
        framework = data.framework(framework)
    wb, (form_ws, explain_ws, results_ws, lists_ws, meta_ws, checks_ws) = new_workbook(
        form.sheet, spec.EXPLAIN_SHEET, spec.RESULTS_SHEET, spec.LISTS_SHEET, spec.META_SHEET, spec.CHECKS_SHEET)

    lists = lists_sheet(wb, lists_ws, framework, password)
    checks = live.build(form, framework, lists, unit_locked=unit is not None)
    for name, ref in (flag_names() | checks.names).items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    form_sheet(form_ws, form, year, unit, framework, password)
    explain_sheet(explain_ws, checks, password)
    results_sheet(results_ws, password)
    meta_sheet(meta_ws, meta_values(year, framework, unit is not None), password, checks)
    checks_sheet(checks_ws, checks, password)
    lock_structure(wb, password)
    return wb


def new_workbook(*sheets: str) -> tuple[Workbook, list[Worksheet]]:
    """A workbook with these sheets in this order (the first, the form, is the active one)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = sheets[0]
    return wb, [first] + [wb.create_sheet(name) for name in sheets[1:]]


def lock_structure(wb: Workbook, password: str) -> None:
    """Open on the form; no sheet can be added, removed, renamed or unhidden without the password."""
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.security.workbookPassword = password


def save_atomic(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` to ``path`` through a temporary file in the same folder, so no reader sees half a file."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def write_template(
    out_dir: str | Path = ".",
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    unit: str | None = None,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> Path:
    """Write 绩效目标申报表.xlsx into ``out_dir`` (for a unit: ``<单位名称>_绩效目标申报表.xlsx``)."""
    name = spec.TEMPLATE_FILENAME if unit is None else unit_filename(Unit(unit.strip()), spec.TEMPLATE_FILENAME)
    return save_atomic(build_template(year, password, unit, framework), Path(out_dir) / name)


def write_unit_templates(
    units_csv: str | Path,
    out_dir: str | Path = ".",
    year: int = spec.DEFAULT_YEAR,
    password: str = spec.DEFAULT_PASSWORD,
    framework: str | data.Framework = data.DEFAULT_FRAMEWORK,
) -> list[Path]:
    """One template per unit of ``units_csv`` (see :mod:`xltools.units`), 申报单位名称 filled in and locked.

    File names: ``[<单位编码>_]<单位名称>_绩效目标申报表.xlsx``, made safe for Windows. Two units whose names
    collide after that get ``(2)``, ``(3)`` suffixes rather than overwriting each other.
    """
    out = Path(out_dir)
    written: list[Path] = []
    used: set[str] = set()
    for unit in read_units(units_csv):
        name = unit_filename(unit, spec.TEMPLATE_FILENAME)
        stem, suffix = name[: -len(".xlsx")], ".xlsx"
        n = 1
        while name.casefold() in used:  # Windows file names are case-insensitive
            n += 1
            name = f"{stem}({n}){suffix}"
        used.add(name.casefold())
        written.append(save_atomic(build_template(year, password, unit.name, framework), out / name))
    return written
