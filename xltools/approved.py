"""What was approved, read for the year-end round (``xltools selfeval --from APPROVED...``): the projects to
evaluate, each with its unit, year, framework, 项目当年预算, 年度绩效目标 and indicator rows exactly as written.

APPROVED is any mix of:

* declaration files or folders: each read with the engine; a form with errors was not approved as it stands and is
  skipped (with the reason), as is a file that is not a readable declaration; a project sent twice counts once, the
  newest file (then the path sorting last; a note names the other), as consolidation counts it;
* a consolidated workbook (``xltools consolidate``'s output, known by its document properties): its counted forms
  (计入汇总 是). Each row's source file is followed through its link (relative to the workbook, as the workbook writes it) and
  read as above; where the file is no longer there, the workbook's own rows give the project (unit, project,
  项目当年预算, indicators) and 预期目标 stays blank, which the result says.

Standard library plus the engine: no pandas, so a staff install can run it too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from xltools import data, marks
from xltools.discover import discover
from xltools.engine import check_file
from xltools.evaluation import Approved, ApprovedRow, Project, project_from
from xltools.reader.grids import plain
from xltools.units import Unit
from xltools.workbook import open_values, sheet_member

# The consolidated workbook's contract (sheet and column names: README, 汇总).
SUMMARY_SHEET, INDICATORS_SHEET = "项目汇总", "绩效指标"
UNIT, PROJECT, ANNUAL, COUNTED, YES, SOURCE = "申报单位名称", "项目名称", "项目当年预算（元）", "计入汇总", "是", "来源文件"
LEVELS = ("一级指标", "二级指标", "三级指标", "指标目标值")
FRAMEWORK = "指标体系"
START = "开始时间"  # a project's start: its budget year where the workbook does not record one


@dataclass
class Approvals:
    """The projects to evaluate, and every input that gave none, with the reason (Chinese)."""

    projects: list[Project] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # made, but with something missing


def _key(unit: str, project: str) -> tuple[str, str]:
    return data.name_key(unit), data.name_key(project)


def is_consolidated(path: Path) -> bool:
    """Whether ``path`` is a consolidated workbook: xltools records that in its document properties, which survive
    Excel's saving (:mod:`xltools.marks`); read from the zip's directory, without opening the workbook."""
    return marks.consolidation_year(str(path))[0]


def read_approved(inputs: Iterable[str | Path], frameworks: data.Frameworks | None = None,
                  units: Sequence[Unit] = ()) -> Approvals:
    """The projects approved in ``inputs``; ``units`` (units.csv) gives each unit its code for the file name."""
    out = Approvals()
    declarations: list[Path] = []
    from_rows: list[Project] = []
    for path in discover(inputs):
        if is_consolidated(path):
            files, projects = _from_consolidated(path, out)
            declarations.extend(files)
            from_rows.extend(projects)
        else:
            declarations.append(path)
    newest: dict[tuple[str, str], tuple[tuple[float, str], Project]] = {}
    seen: set[str] = set()
    for path in declarations:
        real = os.path.realpath(path)
        if real in seen:  # named directly and reached through a workbook's link too
            continue
        seen.add(real)
        result = check_file(path, frameworks=frameworks)
        if result.declaration is None:
            reason = result.findings[0].message if result.findings else "不是申报表"
            out.skipped.append((str(path), f"不是可读取的申报表：{reason}"))
            continue
        errors = [f for f in result.findings if f.severity == "error"]
        if errors:
            out.skipped.append((str(path), f"申报表有 {len(errors)} 个错误（如 {errors[0].cell} {errors[0].code}），"
                                           "按批复修改后再生成自评表"))
            continue
        project = project_from(result.declaration)
        order = (_mtime(path), str(path))
        key = _key(project.unit, project.project)
        if key in newest:
            older, newer = sorted([newest[key], (order, project)], key=lambda pair: pair[0])
            out.notes.append((older[1].source, f"同一单位同一项目另有较新的申报表 {newer[1].source}，按较新的一份生成"))
            newest[key] = newer
        else:
            newest[key] = (order, project)
    codes = {data.name_key(u.name): u.code for u in units}
    for project in [*(p for _order, p in newest.values()), *from_rows]:
        out.projects.append(dataclasses.replace(project, code=codes.get(data.name_key(project.unit), "")))
    return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# -- a consolidated workbook ------------------------------------------------------------------------------------

def _from_consolidated(path: Path, out: Approvals) -> tuple[list[Path], list[Project]]:
    """The source files of the counted forms that are still there, and projects made of the workbook's own rows
    for the others."""
    book = open_values(path)
    try:
        summary = book.grid(SUMMARY_SHEET)
        indicators = book.grid(INDICATORS_SHEET)
    finally:
        book.close()
    if not summary or any(c not in [plain(v) for v in summary[0]] for c in (UNIT, PROJECT, ANNUAL, COUNTED, SOURCE)):
        out.skipped.append((str(path), f"汇总表的“{SUMMARY_SHEET}”缺少列（需要 {UNIT}、{PROJECT}、{ANNUAL}、"
                                       f"{COUNTED}、{SOURCE}）"))
        return [], []
    head = {plain(v): i for i, v in enumerate(summary[0])}
    recorded = marks.consolidation_year(str(path))[1]  # the budget year the consolidation records
    links = _links(path)
    rows_of = _indicator_rows(indicators)
    found: list[Path] = []
    projects: list[Project] = []
    for number, row in enumerate(summary[1:], start=2):
        if plain(row[head[COUNTED]]) != YES:
            continue
        source = plain(row[head[SOURCE]])
        target = links.get(number)
        candidates = [path.parent / target] if target else []
        candidates += [Path(source), path.parent / source]
        file = next((c for c in candidates if c.is_file()), None)
        if file is not None:
            found.append(Path(os.path.normpath(file)))
            continue
        unit, name = plain(row[head[UNIT]]), plain(row[head[PROJECT]])
        rows, framework = rows_of.get((unit, name, source), ((), ""))
        budget = row[head[ANNUAL]]
        start = row[head[START]] if START in head else None
        year = recorded or (start.year if isinstance(start, dt.date) else dt.date.today().year)
        project = Project(unit, name, year, framework or data.DEFAULT_FRAMEWORK,
                          Approved(float(budget) if isinstance(budget, int | float) else None, "", tuple(rows)),
                          source=f"{path}（{SUMMARY_SHEET}第 {number} 行）")
        projects.append(project)
        out.notes.append((project.source, f"来源文件“{source}”已不在，按汇总表中的数据生成，预期目标（年度绩效目标）留空"))
    return found, projects


def _indicator_rows(grid: Sequence[Sequence[object]]) -> dict[tuple[str, str, str], tuple[list[ApprovedRow], str]]:
    if not grid:
        return {}
    head = {plain(v): i for i, v in enumerate(grid[0])}
    if any(c not in head for c in (UNIT, PROJECT, SOURCE, *LEVELS)):
        return {}
    out: dict[tuple[str, str, str], tuple[list[ApprovedRow], str]] = {}
    for row in grid[1:]:
        key = (plain(row[head[UNIT]]), plain(row[head[PROJECT]]), plain(row[head[SOURCE]]))
        rows, _fw = out.setdefault(key, ([], plain(row[head[FRAMEWORK]]) if FRAMEWORK in head else ""))
        rows.append(ApprovedRow(*(plain(row[head[c]]) for c in LEVELS)))
    return out


_LINK = re.compile(rb'<hyperlink\b[^>]*\bref="[A-Z]+(\d+)"[^>]*\br:id="([^"]+)"')
_REL = re.compile(rb'<Relationship\b[^>]*\bId="([^"]+)"[^>]*\bTarget="([^"]*)"')


def _links(path: Path) -> dict[int, str]:
    """Row -> the file its 来源文件 link points at (relative to the workbook's folder), from the sheet XML."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = sheet_member(zf, SUMMARY_SHEET)
            if member is None:
                return {}
            sheet = zf.read(member)
            folder, name = os.path.split(member)
            rels_name = f"{folder}/_rels/{name}.rels"
            rels = zf.read(rels_name) if rels_name in zf.namelist() else b""
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}
    targets = {rid.decode(): html.unescape(t.decode()) for rid, t in _REL.findall(rels)}
    out = {}
    for row, rid in _LINK.findall(sheet):
        target = targets.get(rid.decode(), "")
        if target and not target.startswith(("http:", "https:")):
            out[int(row)] = unquote(target.removeprefix("file:///").split("#")[0])
    return out
