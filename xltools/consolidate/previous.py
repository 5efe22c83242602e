"""Last year's consolidation (``xltools consolidate --previous``): the figures units copy into 同名项目上年预算额.

The previous consolidation is a workbook written by ``xltools consolidate`` (its 项目汇总 sheet is read) or the
folder of parquet files written with ``--parquet`` (its ``summary.parquet``). Anything else is refused with a
Chinese reason before a single form is read. Last year's rows that did not count (计入汇总 = 否) are left out; in
a consolidation written before that column existed, the last row of a unit and project wins.

Light on purpose (no pandas): it runs in the main process before the workers fork.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltools import marks, spec
from xltools.consolidate.crossfile import name_key, project_key
from xltools.consolidate.rows import SUMMARY_FIELDS, FileRows
from xltools.discover import display
from xltools.findings import ERROR, Finding
from xltools.text import yuan

_F = spec.build().fields
SUMMARY_SHEET = "项目汇总"  # the sheet name of xltools.consolidate.tables (not imported: that module needs pandas)
COUNTED = "计入汇总"
SOURCE = "来源文件"
UNIT, PROJECT, ANNUAL = _F["unit"].label, _F["project"].label, _F["annual_budget"].label
REQUIRED = (UNIT, PROJECT, ANNUAL, SOURCE)
PARQUET = "summary.parquet"
_PRIOR = SUMMARY_FIELDS.index("prior_budget")


class PreviousError(ValueError):
    """The previous consolidation cannot be used; ``str(error)`` says why in Chinese."""


@dataclass(frozen=True)
class Prior:
    """Last year's 项目当年预算 of one unit's project, and where it was read."""

    unit: str
    project: str
    annual: float
    source: str  # last year's 来源文件


def _refuse(path: Path, why: str) -> PreviousError:
    return PreviousError(f"--previous “{display(path)}” 不是 xltools 汇总结果：{why}。请给出上一年用 xltools consolidate 写出的"
                         f"汇总工作簿（.xlsx），或其 --parquet 文件夹。")


def read(path: str | Path) -> dict[tuple[str, str], Prior]:
    """Last year's counted projects by (unit, project) as :func:`~.crossfile.name_key` compares them."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".parquet":
        header, rows = _parquet(path)
    else:
        header, rows = _workbook(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _refuse(path, f"“{SUMMARY_SHEET}”缺少列 {'、'.join(missing)}")
    at = {name: header.index(name) for name in (*REQUIRED, COUNTED) if name in header}
    prior: dict[tuple[str, str], Prior] = {}
    for row in rows:
        if COUNTED in at and row[at[COUNTED]] == "否":
            continue
        unit, project, annual = row[at[UNIT]], row[at[PROJECT]], row[at[ANNUAL]]
        key = (name_key(_text(unit)), name_key(_text(project)))
        if not key[0] or not key[1] or not isinstance(annual, int | float) or annual != annual:
            continue
        prior[key] = Prior(_text(unit), _text(project), float(annual), _text(row[at[SOURCE]]))
    return prior


def year_of(path: str | Path) -> int | None:
    """The budget year a consolidation records (its document properties, or its parquet metadata); None when it
    records none (written before xltools recorded it)."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        file = path / PARQUET if path.is_dir() else path
        try:
            meta = pq.read_schema(file).metadata or {}
        except Exception:  # read() has already refused a file that cannot be read
            return None
        year = meta.get(b"xltools.year", b"").decode("ascii", "replace")
        return int(year) if year.isdigit() else None
    return marks.consolidation_year(str(path))[1]


def check_year(path: str | Path, prior_year: int | None, year: int | None) -> None:
    """Refuse last year's consolidation unless it is of an earlier budget year than this batch's."""
    if prior_year is None or year is None or prior_year < year:
        return
    raise PreviousError(f"--previous “{display(path)}” 是 {prior_year} 年度的汇总，本次汇总的申报表是 {year} 年度的："
                        f"上年汇总应早于本年度。请给出 {year - 1} 年度的汇总表。")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _workbook(path: Path) -> tuple[list[str], list[list[Any]]]:
    """项目汇总 through the one bounded opening path of every workbook xltools reads (size, zip and extent
    bounds): a hostile or damaged file is refused with its reason, never a crash or an abort. A city-wide table
    has thousands of rows, so the row bound is the cell bound of the opening path, not the form's."""
    from xltools.workbook import UnreadableError, open_values

    try:
        book = open_values(path, (SUMMARY_SHEET,))
        try:
            if SUMMARY_SHEET not in book.sheet_names:
                raise _refuse(path, f"没有“{SUMMARY_SHEET}”工作表（现有：{'、'.join(book.sheet_names) or '无'}）")
            grid = book.grid(SUMMARY_SHEET, max_rows=1_000_000, max_cols=1_000)
        finally:
            book.close()
    except UnreadableError as exc:
        raise _refuse(path, f"无法作为 Excel 工作簿读取（{str(exc).split('。')[0]}）") from exc
    if not grid:
        raise _refuse(path, f"“{SUMMARY_SHEET}”是空的")
    return [_text(h) for h in grid[0]], grid[1:]


def _parquet(path: Path) -> tuple[list[str], list[list[Any]]]:
    file = path / PARQUET if path.is_dir() else path
    if not file.is_file():
        raise _refuse(path, f"文件夹中没有 {PARQUET}")
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(file)
    except Exception as exc:
        raise _refuse(path, f"{display(file.name)} 无法读取") from exc
    header = list(table.column_names)
    wanted = [c for c in (*REQUIRED, COUNTED) if c in header]
    if len(wanted) < len(REQUIRED):
        return header, []
    columns = [table.column(c).to_pylist() for c in wanted]
    rows = [[None] * len(header) for _ in range(table.num_rows)]
    for name, values in zip(wanted, columns, strict=True):
        j = header.index(name)
        for row, value in zip(rows, values, strict=True):
            row[j] = value
    return header, rows


def mismatches(files: Sequence[FileRows], dropped: set[str], prior: dict[tuple[str, str], Prior],
               ) -> list[Finding]:
    """``prior-budget-mismatch`` at 同名项目上年预算额 of every counted form whose project was in last year's
    consolidation and whose figure differs from last year's 项目当年预算, or is blank. An invalid amount is
    left alone: it already has its ``amount-invalid`` error."""
    out = []
    for rows in files:
        if rows.summary is None or rows.file in dropped:
            continue
        cell = spec.build_for(rows.version).fields["prior_budget"].cell  # in the form's own template version
        last = prior.get(project_key(rows.summary))
        if last is None:
            continue
        figure = rows.summary[_PRIOR]
        where = f"上年汇总（来源文件 {last.source}）" if last.source else "上年汇总"
        if figure is None:
            if any(f.cell == cell and f.severity == ERROR for f in rows.findings):
                continue
            text = (f"{where}中有此项目，项目当年预算为 {yuan(last.annual)} 元，但本表“{_F['prior_budget'].label}”"
                    f"未填写。")
        elif abs(figure - last.annual) > spec.MONEY_TOLERANCE:
            text = (f"“{_F['prior_budget'].label}”为 {yuan(figure)} 元，与{where}中此项目的项目当年预算 "
                    f"{yuan(last.annual)} 元不一致（相差 {yuan(figure - last.annual)} 元）。")
        else:
            continue
        out.append(Finding.of("prior-budget-mismatch", text, file=rows.file, sheet=spec.FORM_SHEET, cell=cell))
    return out
