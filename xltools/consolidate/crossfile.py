"""Findings only the whole batch shows: the same project sent more than once (and which copy counts), units that
sent nothing, and units whose forms add up to more than their budget ceiling (控制数)."""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence

from xltools import spec
from xltools.consolidate.rows import SUMMARY_FIELDS, FileRows
from xltools.findings import Finding
from xltools.text import yuan
from xltools.units import Unit

_UNIT = SUMMARY_FIELDS.index("unit")
_PROJECT = SUMMARY_FIELDS.index("project")
_ANNUAL = SUMMARY_FIELDS.index("annual_budget")


def name_key(text: str | None) -> str:
    """Names compared as a reviewer would: full-width/half-width and whitespace do not make a different name."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def project_key(summary: Sequence[object]) -> tuple[str, str]:
    """(unit, project) of a 项目汇总 row, compared as :func:`name_key` does."""
    return name_key(summary[_UNIT]), name_key(summary[_PROJECT])  # type: ignore[arg-type]


def mtime(path: str) -> int:
    """Modification time in nanoseconds; -1 when the file cannot be looked at any more."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def resubmissions(files: Sequence[FileRows], modified: Callable[[str], int] = mtime,
                  ) -> tuple[set[str], list[Finding]]:
    """Which forms do not count, and a ``duplicate-submission`` warning on every file of a group that shares
    申报单位名称 and 项目名称.

    One form of each group counts (计入汇总): the newest file by modification time; of files modified at the same
    moment, the one whose path sorts last. Only files of a group are looked at (one ``stat`` each), after reading.
    Returns the files that do not count, and the findings.
    """
    groups: dict[tuple[str, str], list[FileRows]] = defaultdict(list)
    for rows in files:
        if rows.summary is None:
            continue
        key = project_key(rows.summary)
        if key[0] and key[1]:
            groups[key].append(rows)
    dropped: set[str] = set()
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        kept = max(group, key=lambda r: (modified(r.file), r.file))
        for rows in group:
            assert rows.summary is not None
            what = f"“{rows.summary[_UNIT]}”的项目“{rows.summary[_PROJECT]}”重复报送（共 {len(group)} 份）"
            if rows is kept:
                others = _listed([o.file for o in group if o is not rows])
                text = f"{what}，计入汇总的是本文件（修改时间最新的一份）；不计入的：{others}。请确认保留哪一份。"
            else:
                dropped.add(rows.file)
                text = (f"{what}，本文件不计入统计和合计；计入汇总的是：{kept.file}（修改时间最新的一份）。"
                        f"请确认保留哪一份。")
            out.append(Finding.of("duplicate-submission", text, file=rows.file, sheet=spec.FORM_SHEET,
                                  cell=spec.build_for(rows.version).fields["project"].cell))
    return dropped, out


SHOWN_OTHERS = 5  # a unit that sent one form a hundred times gets a readable message, not a hundred names


def _listed(names: list[str]) -> str:
    if len(names) <= SHOWN_OTHERS:
        return "、".join(names)
    return "、".join(names[:SHOWN_OTHERS]) + f" 等共 {len(names)} 个文件"


def not_returned(files: Sequence[FileRows], units: Sequence[Unit], units_file: str) -> list[Finding]:
    """A ``unit-not-returned`` warning for each unit on the list with no readable form among ``files``."""
    returned = {name_key(rows.summary[_UNIT]) for rows in files if rows.summary is not None}
    unreadable = sum(1 for rows in files if rows.summary is None)
    hint = f"（另有 {unreadable} 个文件无法读取或不是本模板，可能含该单位的申报表）" if unreadable else ""
    out = []
    for unit in units:
        if name_key(unit.name) not in returned:
            out.append(Finding.of("unit-not-returned", f"单位“{_who(unit)}”未报送申报表{hint}。", file=units_file))
    return out


def _who(unit: Unit) -> str:
    return f"{unit.code} {unit.name}" if unit.code else unit.name


def over_ceiling(files: Sequence[FileRows], dropped: set[str], units: Sequence[Unit]) -> list[Finding]:
    """One ``unit-over-ceiling`` warning per unit whose counted forms' 项目当年预算 add up to more than its 控制数.

    The finding sits at 项目当年预算 of the unit's largest counted form (the first file of equal ones), so it is
    linked, counted and annotated with a form; its message gives the ceiling, the sum, the excess and every
    counted form of the unit with its amount.
    """
    ceilings = {name_key(u.name): u for u in units if u.ceiling is not None}
    forms: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for rows in files:
        if rows.summary is None or rows.file in dropped:
            continue
        key = name_key(rows.summary[_UNIT])
        if key in ceilings:
            forms[key].append((rows.file, rows.summary[_ANNUAL]))
    versions = {rows.file: rows.version for rows in files}  # the cell is where the form's own template has it
    out = []
    for key, unit in ceilings.items():
        counted = forms.get(key, [])
        amounts = [(file, a) for file, a in counted if a is not None]
        total = sum(a for _file, a in amounts)
        assert unit.ceiling is not None
        if not amounts or total <= unit.ceiling + spec.MONEY_TOLERANCE:
            continue
        largest = max(amounts, key=lambda fa: fa[1])[0]  # max keeps the first of equal amounts
        listed = "、".join(f"{file}（{yuan(a)} 元）" for file, a in amounts[:SHOWN_OTHERS])
        if len(amounts) > SHOWN_OTHERS:
            listed += f" 等共 {len(amounts)} 份"
        invalid = len(counted) - len(amounts)
        note = f"；另有 {invalid} 份的项目当年预算无效，未计入" if invalid else ""
        out.append(Finding.of(
            "unit-over-ceiling",
            f"单位“{_who(unit)}”计入汇总的 {len(amounts)} 份申报表项目当年预算合计 {yuan(total)} 元，"
            f"超过控制数 {yuan(unit.ceiling)} 元（超出 {yuan(total - unit.ceiling)} 元）：{listed}{note}。",
            file=largest, sheet=spec.FORM_SHEET, cell=spec.build_for(versions[largest]).fields["annual_budget"].cell))
    return out
