"""A year-end self-evaluation workbook for one project, generated from what was approved (``xltools selfeval``).

Sheets, as the declaration's template: the form (``绩效自评表``), ``自查说明`` (the live checks' reasons, rule by rule,
:mod:`xltools.live.explain`), ``校验结果`` (where a check writes; its listed cells light up on the form), the hidden ``_xltools`` (template id, version, year, framework, the scoring the form was made
with and the approved values, all text; the live counts beside them) and ``_checks`` (the live checks' working
cells, :mod:`xltools.live.selfeval`). The default 分值 are the rules' (:func:`default_weights`).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from xltools import data, spec
from xltools.data.selfeval_rules import SelfEvalRules, selfeval_rules
from xltools.evaluation import Project, meta_rows
from xltools.live import Layout
from xltools.live import selfeval as live_selfeval
from xltools.scoring import allocate
from xltools.spec.selfeval import SELFEVAL, SELFEVAL_FILENAME
from xltools.template.build import lock_structure, new_workbook, save_atomic
from xltools.template.names import flag_names
from xltools.template.selfeval_form import form_sheet
from xltools.template.sheets import RESULTS_NOTE, TemplateError, checks_sheet, explain_sheet, results_sheet
from xltools.template.styles import HIDDEN_PROTECTION, protect
from xltools.units import Unit, safe_filename, unit_filename


def default_weights(project: Project, rules: SelfEvalRules) -> list[float]:
    """The 分值 each approved indicator starts with: the rules' categories by the framework's 一级 (and 二级)."""
    fw = data.framework(project.framework) if project.framework in data.framework_ids() else None
    categories = [rules.category(project.framework, fw, r.level1, r.level2) for r in project.approved.rows]
    return allocate(rules.scoring.indicator_total, rules.categories, categories)


def base_meta(project: Project) -> dict[str, str]:
    fw = data.framework(project.framework) if project.framework in data.framework_ids() else None
    values = {"template_id": SELFEVAL.template_id, "version": SELFEVAL.current, "year": str(project.year),
              "framework": project.framework, "unit_locked": "1", "framework_digest": fw.digest if fw else ""}
    assert tuple(values) == spec.META_KEYS
    return values


def build_selfeval(project: Project, rules: SelfEvalRules | None = None,
                   password: str = spec.DEFAULT_PASSWORD) -> Workbook:
    """The self-evaluation workbook of ``project`` scored with ``rules`` (default: the shipped ones)."""
    rules = rules or selfeval_rules()
    if not 1900 < project.year < 10000:
        raise TemplateError(f"预算年度无效：{project.year}")
    if len(project.approved.rows) > SELFEVAL.form(SELFEVAL.current).tables["indicators"].capacity:
        raise TemplateError(f"“{project.project}”的指标超过 {SELFEVAL.form(SELFEVAL.current).tables['indicators'].capacity} 行。")
    form = SELFEVAL.form(SELFEVAL.current)
    rows = meta_rows(base_meta(project), rules.scoring, rules.id, project.approved)
    checks = live_selfeval.build(form, rules.scoring, project.approved, rows)
    wb, (form_ws, explain_ws, results_ws, meta_ws, checks_ws) = new_workbook(
        form.sheet, spec.EXPLAIN_SHEET, spec.RESULTS_SHEET, spec.META_SHEET, spec.CHECKS_SHEET)
    for name, ref in (flag_names() | checks.layout.names).items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    form_sheet(form_ws, form, project, default_weights(project, rules), rules.scoring, checks.shown, password)
    explain_sheet(explain_ws, checks.layout, password)
    results_sheet(results_ws, password)
    note = results_ws.cell(row=spec.RESULTS_HEADER_ROW - 1, column=1)
    note.value = RESULTS_NOTE.replace(spec.FORM_SHEET, form.sheet)  # the cells light up on this form
    _meta_sheet(meta_ws, rows, checks.layout, password)
    checks_sheet(checks_ws, checks.layout, password)
    lock_structure(wb, password)
    return wb


def _meta_sheet(ws: Worksheet, rows: list[tuple[str, str]], layout: Layout, password: str) -> None:
    for address, value in layout.meta.items():
        ws[address] = value
    for address, text in layout.meta_texts.items():
        ws[address] = text
        ws[address].data_type = "s"
    for row, (key, value) in enumerate(rows, start=1):
        ws.cell(row=row, column=1, value=key)
        cell = ws.cell(row=row, column=2, value=value)
        cell.data_type = "s"
        cell.number_format = "@"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 28
    ws.sheet_state = "hidden"
    protect(ws, password, HIDDEN_PROTECTION)


def selfeval_filename(project: Project) -> str:
    """``[单位编码_]单位名称_项目名称_绩效自评表.xlsx``, safe on Windows."""
    return unit_filename(Unit(project.unit, project.code), f"{safe_filename(project.project)}_{SELFEVAL_FILENAME}")


def write_selfeval(project: Project, out_dir: str | Path, rules: SelfEvalRules | None = None,
                   password: str = spec.DEFAULT_PASSWORD, name: str | None = None) -> Path:
    return save_atomic(build_selfeval(project, rules, password), Path(out_dir) / (name or selfeval_filename(project)))


def write_selfevals(projects: list[Project], out_dir: str | Path, rules: SelfEvalRules | None = None,
                    password: str = spec.DEFAULT_PASSWORD) -> list[Path]:
    """One self-evaluation per project into ``out_dir`` (:func:`selfeval_filename`); two projects whose names
    collide get ``(2)``, ``(3)`` rather than overwriting each other (Windows names ignore case)."""
    written: list[Path] = []
    used: set[str] = set()
    for project in projects:
        name = selfeval_filename(project)
        stem, n = name[: -len(".xlsx")], 1
        while name.casefold() in used:
            n += 1
            name = f"{stem}({n}).xlsx"
        used.add(name.casefold())
        written.append(write_selfeval(project, out_dir, rules, password, name=name))
    return written
