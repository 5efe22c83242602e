"""Findings only the whole batch shows: the same project sent more than once (and which copy counts), units that
sent nothing, forms of units not on the list, and units whose forms add up to more than their budget ceiling
(控制数)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from xltools import spec
from xltools.consolidate.rows import SUMMARY_FIELDS, FileRows
from xltools.findings import Finding
from xltools.text import yuan
from xltools.units import Unit, closest, name_key

__all__ = ["name_key", "not_listed", "not_returned", "over_ceiling", "project_key", "resubmissions"]

_UNIT = SUMMARY_FIELDS.index("unit")
_PROJECT = SUMMARY_FIELDS.index("project")
_ANNUAL = SUMMARY_FIELDS.index("annual_budget")


def project_key(summary: Sequence[object]) -> tuple[str, str]:
    """(unit, project) of a 项目汇总 row, compared as :func:`name_key` does."""
    return name_key(summary[_UNIT]), name_key(summary[_PROJECT])


def when(seconds: float | None) -> str:
    """A time as staff read it (local time, to the second)."""
    if seconds is None:
        return "未知"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _natural(path: str) -> list[object]:
    """Path order with numbers compared as numbers: "3月12日" after "3月5日"."""
    return [int(part) if part.isdigit() else part for part in _DIGITS.split(path)]


_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Decision:
    """Which copy of a group counts, on what basis (a Chinese phrase), and the copies it could not tell apart."""

    kept: FileRows
    basis: str
    tied: tuple[FileRows, ...] = ()


def decide(group: Sequence[FileRows]) -> Decision:
    """The copy the unit saved last counts: by the time saved in the workbook (``dcterms:modified``), then by the
    file's time. When neither tells them apart, the path in natural order decides, and ``tied`` lists them."""
    if all(r.saved is not None for r in group):
        top = max(r.saved for r in group if r.saved is not None)
        latest = [r for r in group if r.saved == top]
        if len(latest) == 1:
            return Decision(latest[0], f"保存时间最新：{when(top)}")
        saved = f"保存时间同为 {when(top)}，"
    else:
        latest, saved = list(group), "部分文件没有记录保存时间，"
    newest = max((r.file_time if r.file_time is not None else -1) for r in latest)
    last = [r for r in latest if (r.file_time if r.file_time is not None else -1) == newest]
    shown = when(newest / 1e9) if newest >= 0 else "未知"
    if len(last) == 1:
        return Decision(last[0], f"{saved}按文件修改时间，最新：{shown}")
    kept = max(last, key=lambda r: _natural(r.file))
    return Decision(kept, f"{saved}文件修改时间也相同（{shown}），无法判断哪份在后，暂计入此份", tuple(last))


def resubmissions(files: Sequence[FileRows]) -> tuple[set[str], list[Finding]]:
    """Which forms do not count, and a ``duplicate-submission`` warning on every file of a group that shares
    申报单位名称 and 项目名称 (plus one ``resubmission-undecided`` when the times cannot tell the copies apart).

    One form of each group counts (计入汇总): see :func:`decide`; every message states the basis used.
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
        decision = decide(group)
        kept = decision.kept
        for rows in group:
            assert rows.summary is not None
            what = f"“{rows.summary[_UNIT]}”的项目“{rows.summary[_PROJECT]}”重复报送（共 {len(group)} 份）"
            cell = spec.build_for(rows.version).fields["project"].cell
            if rows is kept:
                others = _listed([o.file for o in group if o is not rows])
                text = f"{what}，计入汇总的是本文件（{decision.basis}）；不计入的：{others}。请确认保留哪一份。"
            else:
                dropped.add(rows.file)
                text = (f"{what}，本文件（保存时间 {when(rows.saved)}）不计入统计和合计；计入汇总的是：{kept.file}"
                        f"（{decision.basis}）。请确认保留哪一份。")
            out.append(Finding.of("duplicate-submission", text, file=rows.file, sheet=spec.FORM_SHEET, cell=cell))
            if rows is kept and decision.tied:
                out.append(Finding.of(
                    "resubmission-undecided",
                    f"“{rows.summary[_UNIT]}”的项目“{rows.summary[_PROJECT]}”有 {len(decision.tied)} 份的保存时间和文件"
                    f"修改时间都相同：{_listed([r.file for r in decision.tied])}。无法判断哪一份是更正后的，暂计入本文件。"
                    "请删去不要的一份后重新汇总。", file=rows.file, sheet=spec.FORM_SHEET, cell=cell))
    return dropped, out


SHOWN_OTHERS = 5  # a unit that sent one form a hundred times gets a readable message, not a hundred names


def _listed(names: list[str]) -> str:
    if len(names) <= SHOWN_OTHERS:
        return "、".join(names)
    return "、".join(names[:SHOWN_OTHERS]) + f" 等共 {len(names)} 个文件"


def not_returned(files: Sequence[FileRows], units: Sequence[Unit], units_file: str) -> dict[Finding, str]:
    """A ``unit-not-returned`` warning for each unit on the list with no readable form among ``files`` (in list
    order, with the unit's name); when a form of an unlisted unit looks like it (:func:`xltools.units.closest`),
    the message names that form."""
    returned = {name_key(rows.summary[_UNIT]) for rows in files if rows.summary is not None}
    unreadable = sum(1 for rows in files if rows.summary is None and rows.skipped is None)
    hint = f"（另有 {unreadable} 个文件无法读取或不是本模板，可能含该单位的申报表）" if unreadable else ""
    maybe = _lookalikes(files, units)
    out = {}
    for unit in units:
        if name_key(unit.name) not in returned:
            seen = maybe.get(unit.name)
            like = (f"；申报单位名称填为“{seen[0]}”的申报表 {_listed(seen[1])} 可能就是该单位的（见 unit-not-listed）"
                    if seen else "")
            found = Finding.of("unit-not-returned", f"单位“{_who(unit)}”未报送申报表{hint}{like}。", file=units_file)
            out[found] = unit.name
    return out


def _unlisted(files: Sequence[FileRows], units: Sequence[Unit]) -> dict[str, tuple[str, list[FileRows]]]:
    """Forms whose unit is not on the list, by unit name key: (the name as first typed, its forms)."""
    listed = {name_key(u.name) for u in units}
    found: dict[str, tuple[str, list[FileRows]]] = {}
    for rows in files:
        if rows.summary is None or not rows.summary[_UNIT]:
            continue
        key = name_key(rows.summary[_UNIT])
        if key and key not in listed:
            found.setdefault(key, (str(rows.summary[_UNIT]), []))[1].append(rows)
    return found


def _lookalikes(files: Sequence[FileRows], units: Sequence[Unit]) -> dict[str, tuple[str, list[str]]]:
    """Listed unit name -> (an unlisted name that resembles it, the files of that name)."""
    names = [u.name for u in units]
    out: dict[str, tuple[str, list[str]]] = {}
    for typed, forms in _unlisted(files, units).values():
        for name in closest(typed, names)[:1]:
            out.setdefault(name, (typed, [r.file for r in forms]))
    return out


def not_listed(files: Sequence[FileRows], units: Sequence[Unit], units_file: str) -> list[Finding]:
    """A ``unit-not-listed`` warning at 申报单位名称 of every form whose unit is not on the units list, suggesting
    the closest listed names."""
    names = [u.name for u in units]
    out = []
    for typed, forms in _unlisted(files, units).values():
        like = closest(typed, names)
        hint = f"最接近的是：{'、'.join(f'“{n}”' for n in like)}。" if like else ""
        for rows in forms:
            out.append(Finding.of(
                "unit-not-listed",
                f"申报单位名称“{typed}”不在单位清单（{units_file}）中。{hint}如是简称或笔误，请单位改为清单上的名称后重新报送；"
                "如确是清单外的单位，请把它补入单位清单。",
                file=rows.file, sheet=spec.FORM_SHEET, cell=spec.build_for(rows.version).fields["unit"].cell))
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
