"""Is this our form, in a version we read, with a framework we know? Template id and version on the meta sheet,
the framework it records, and every fixed label of that version's layout.

A foreign workbook, an unknown version or a layout with inserted rows yields ``template-mismatch`` and no
declaration, rather than values read from the wrong cells. So does a form whose indicator framework (meta key
``framework``) is neither shipped nor among the frameworks passed in (files given with ``--framework``): it is never
checked against another framework. What is found is resolved here once (:class:`Identity`) and handed down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from xltools import data, spec
from xltools.cells import sort_key
from xltools.findings import Finding
from xltools.reader.grids import Grid, at, label_text, plain


@dataclass(frozen=True)
class Mismatch:
    """Why a workbook is not a form we read: a template-mismatch finding once the file's name is known."""

    cell: str
    message: str
    sheet: str = ""

    def with_file(self, file: str) -> Finding:
        return Finding.of("template-mismatch", self.message, file=file, sheet=self.sheet, cell=self.cell)


@dataclass(frozen=True)
class Identity:
    """A verified form: the spec of its version, its framework as this run knows it, its budget year and meta."""

    form: spec.FormSpec
    framework: data.Framework
    year: int | None
    meta: Mapping[str, str]


def missing_sheets(names: Sequence[str], family: spec.Family = spec.DECLARATION) -> Mismatch | None:
    form_sheet = family.sheet
    if form_sheet in names and spec.META_SHEET in names:
        return None
    if form_sheet not in names and spec.META_SHEET not in names:
        return Mismatch("", f"不是本申报表模板生成的工作簿（工作表：{'、'.join(names) or '无'}）。"
                            f"请使用下发的《{family.title}》模板填写。")
    if form_sheet not in names:
        return Mismatch("", f"找不到工作表“{form_sheet}”（现有：{'、'.join(names)}）。"
                            "工作表可能被改名或删除，请改回原名或使用下发的模板重新填写。")
    return Mismatch("", f"缺少模板标识（隐藏工作表“{spec.META_SHEET}”），无法确认模板版本。请使用下发的模板重新填写。")


def read_meta(meta_grid: Grid) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in meta_grid:
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            out[row[0].strip()] = plain(row[1])
    return out


def identify(form_grid: Grid, meta: Mapping[str, str], frameworks: data.Frameworks,
             family: spec.Family = spec.DECLARATION) -> Identity | Mismatch:
    """The verified form, or the first reason this is not our form in a version we read."""
    wrong = family_mismatch(meta, family)
    if wrong is not None:
        return wrong
    version = meta.get("version", "")
    framework_id = meta.get("framework") or data.DEFAULT_FRAMEWORK
    framework = frameworks.get(framework_id)
    if framework is None:
        return Mismatch("", _unknown_framework(framework_id, frameworks), spec.META_SHEET)
    form = family.form(version)  # the one lookup of the version's spec in a read: handed down from here
    year = year_of(meta)
    changed = layout_mismatch(form, year, form_grid)
    return changed if changed is not None else Identity(form, framework, year, meta)


def family_mismatch(meta: Mapping[str, str], family: spec.Family) -> Mismatch | None:
    """Why the meta does not name ``family`` in a version this release reads, or None."""
    if meta.get("template_id") != family.template_id:
        return Mismatch("", f"模板标识不符（{meta.get('template_id') or '无'}），不是本申报表模板。"
                            "请使用下发的模板重新填写。", spec.META_SHEET)
    version = meta.get("version", "")
    if version not in family.versions:
        return Mismatch("", f"模板版本 {version or '未知'} 不受支持（支持：{'、'.join(family.supported)}）。"
                            "请使用最新下发的模板。", spec.META_SHEET)
    return None


def layout_mismatch(form: spec.FormSpec, year: int | None, form_grid: Grid) -> Mismatch | None:
    """The first fixed label of ``form`` that the grid does not hold (rows or columns moved), or None."""
    for cell, expected in _labels(form, year):
        found = at(form_grid, cell)
        if found != expected and label_text(found) != label_text(expected):
            shown = plain(found) or "（空）"
            return Mismatch(cell, f"表格结构被改动：{cell} 应为“{expected}”，实为“{shown}”。"
                                  "可能插入、删除或移动了行列。请在下发的模板中重新填写，不要改动表格结构。",
                            form.sheet)
    return None


def _unknown_framework(framework: str, frameworks: data.Frameworks) -> str:
    supplied = [fw.id for fw in frameworks.supplied]
    given = f"本次提供的指标体系文件（{'、'.join(supplied)}）中也没有它" if supplied else "本次也没有提供它的指标体系文件"
    return (f"本表使用的指标体系“{framework}”不是内置指标体系（内置：{'、'.join(data.framework_ids())}），"
            f"{given}，无法按它检查。请向下发模板的部门索取该指标体系文件（.toml），"
            "检查或汇总时用 --framework 文件.toml 提供。")


@cache
def _labels(form: spec.FormSpec, year: int | None) -> tuple[tuple[str, str], ...]:
    """The fixed labels of ``form``, topmost first: the first difference is where the layout was changed. Cached
    by the form (one object per version) and the year."""
    labels = form.labels(year)
    return tuple((cell, labels[cell]) for cell in sorted(labels, key=sort_key))


def year_of(meta: Mapping[str, str]) -> int | None:
    try:
        return int(meta.get("year", ""))
    except ValueError:
        return None
