"""Reading a returned form into a typed :class:`~xltools.model.Declaration`.

Two entry points share one core, so a file and the Excel button read the same way:

* :func:`read_file` opens a workbook (xlsx/xlsm/xls/ods) with python-calamine;
* :func:`read_grids` takes value grids that someone else fetched (the button gets them from xlwings).

Before anything is typed, the template id and version on the meta sheet and every fixed label of the spec are
verified: a foreign workbook, an unknown version or a layout with inserted rows yields ``template-mismatch`` and
no declaration, rather than values read from the wrong cells. So does a form whose indicator framework (meta key
``framework``) is neither shipped nor among the frameworks passed in (files given with ``--framework``): it is never
checked against another framework. The framework found goes into ``Declaration.framework_def`` for the rules.

Formula cells are never trusted: the reader ignores the template's check formulas (rules recompute them), and a
formula a person typed into an input cell is read as its formula text (and is invalid in a money or date cell).

Blank 一级/二级 under a filled indicator row mean "same as the row above": paper forms merge those cells, so staff
leave them blank. The reader carries the value down, flags it on the row and records a normalisation.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from xltools import data, spec
from xltools.bounds import OutOfRange, amount_problem, number_text
from xltools.cells import coords, sort_key
from xltools.findings import Finding
from xltools.model import CellValue, Declaration, Indicator, Normalisation, SubProject
from xltools.targets import parse_target
from xltools.text import yuan
from xltools.workbook import UnreadableError, open_values

Grid = Sequence[Sequence[Any]]


@dataclass
class ReadResult:
    """A declaration, or the findings that explain why there is none (file-unreadable, template-mismatch)."""

    file: str
    declaration: Declaration | None
    findings: list[Finding] = field(default_factory=list)


def read_file(path: str | Path, display_name: str | None = None, frameworks: data.Frameworks | None = None,
              ) -> ReadResult:
    """Read one returned workbook. Never raises on bad input: problems come back as findings. ``frameworks``: the
    frameworks known by id (default: the shipped ones)."""
    name = display_name if display_name is not None else str(path)
    try:
        book = open_values(path, (spec.META_SHEET, spec.FORM_SHEET))
    except UnreadableError as exc:
        return ReadResult(name, None, [Finding.of("file-unreadable", str(exc), file=name)])
    try:
        missing = _missing_sheets(book.sheet_names)
        if missing:
            return ReadResult(name, None, [missing.with_file(name)])
        meta_grid = book.grid(spec.META_SHEET, nrows=len(spec.META_KEYS) + 5)
        form_grid = book.grid(spec.FORM_SHEET, nrows=spec.max_last_row() + 5)
        formulas = book.formulas(spec.FORM_SHEET)
    except UnreadableError as exc:
        return ReadResult(name, None, [Finding.of("file-unreadable", str(exc), file=name)])
    finally:
        book.close()
    return read_grids(form_grid, meta_grid, file=name, formulas=formulas, frameworks=frameworks or SHIPPED)


SHIPPED = data.Frameworks()


@dataclass(frozen=True)
class _Mismatch:
    cell: str
    message: str
    sheet: str = ""

    def with_file(self, file: str) -> Finding:
        return Finding.of("template-mismatch", self.message, file=file, sheet=self.sheet, cell=self.cell)


def _missing_sheets(names: Sequence[str]) -> _Mismatch | None:
    if spec.FORM_SHEET in names and spec.META_SHEET in names:
        return None
    if spec.FORM_SHEET not in names and spec.META_SHEET not in names:
        return _Mismatch("", f"不是本申报表模板生成的工作簿（工作表：{'、'.join(names) or '无'}）。"
                             f"请使用下发的《{spec.TITLE}》模板填写。")
    if spec.FORM_SHEET not in names:
        return _Mismatch("", f"找不到工作表“{spec.FORM_SHEET}”（现有：{'、'.join(names)}）。"
                             "工作表可能被改名或删除，请改回原名或使用下发的模板重新填写。")
    return _Mismatch("", f"缺少模板标识（隐藏工作表“{spec.META_SHEET}”），无法确认模板版本。请使用下发的模板重新填写。")


def read_meta(meta_grid: Grid) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in meta_grid:
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            out[row[0].strip()] = _plain(row[1])
    return out


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return number_text(value)
    return "" if value is None else str(value).strip()


def _at(grid: Grid, cell: str) -> Any:
    col, row = coords(cell)
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return ""


def _label_text(value: Any) -> str:
    # LibreOffice and WPS may add or drop whitespace inside labels; compare without it.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _plain(value)))


def verify_layout(form_grid: Grid, meta: Mapping[str, str], frameworks: data.Frameworks = SHIPPED,
                  ) -> _Mismatch | None:
    """Return the first reason this is not our form in our version, or None."""
    if meta.get("template_id") != spec.TEMPLATE_ID:
        return _Mismatch("", f"模板标识不符（{meta.get('template_id') or '无'}），不是本申报表模板。"
                             "请使用下发的模板重新填写。", spec.META_SHEET)
    version = meta.get("version", "")
    if version not in spec.SUPPORTED_VERSIONS:
        return _Mismatch("", f"模板版本 {version or '未知'} 不受支持（支持：{'、'.join(spec.SUPPORTED_VERSIONS)}）。"
                             "请使用最新下发的模板。", spec.META_SHEET)
    framework = meta.get("framework") or data.DEFAULT_FRAMEWORK
    if frameworks.get(framework) is None:
        return _Mismatch("", _unknown_framework(framework, frameworks), spec.META_SHEET)
    year = _year(meta)
    for cell, expected in _labels(version, year):
        found = _at(form_grid, cell)
        if found != expected and _label_text(found) != _label_text(expected):
            shown = _plain(found) or "（空）"
            return _Mismatch(cell, f"表格结构被改动：{cell} 应为“{expected}”，实为“{shown}”。"
                                   "可能插入、删除或移动了行列。请在下发的模板中重新填写，不要改动表格结构。",
                             spec.FORM_SHEET)
    return None


def _unknown_framework(framework: str, frameworks: data.Frameworks) -> str:
    supplied = [fw.id for fw in frameworks.supplied]
    given = f"本次提供的指标体系文件（{'、'.join(supplied)}）中也没有它" if supplied else "本次也没有提供它的指标体系文件"
    return (f"本表使用的指标体系“{framework}”不是内置指标体系（内置：{'、'.join(data.framework_ids())}），"
            f"{given}，无法按它检查。请向下发模板的部门索取该指标体系文件（.toml），"
            "检查或汇总时用 --framework 文件.toml 提供。")


@cache
def _labels(version: str, year: int | None) -> tuple[tuple[str, str], ...]:
    """The fixed labels of template ``version``, topmost first: the first difference is where the layout was
    changed."""
    labels = spec.build(version).labels(year)
    return tuple((cell, labels[cell]) for cell in sorted(labels, key=sort_key))


def _year(meta: Mapping[str, str]) -> int | None:
    try:
        return int(meta.get("year", ""))
    except ValueError:
        return None


def read_grids(form_grid: Grid, meta_grid: Grid, *, file: str, formulas: Mapping[str, str] | None = None,
               frameworks: data.Frameworks = SHIPPED) -> ReadResult:
    """Build a declaration from value grids of the form and meta sheets (rows from A1)."""
    meta = read_meta(meta_grid)
    mismatch = verify_layout(form_grid, meta, frameworks)
    if mismatch:
        return ReadResult(file, None, [mismatch.with_file(file)])
    year = _year(meta)
    framework = meta.get("framework") or data.DEFAULT_FRAMEWORK
    s = spec.build(meta["version"])
    typer = _Typer(s, form_grid, formulas or {}, year)
    fields = {key: typer.field(f) for key, f in s.fields.items()}
    decl = Declaration(
        file=file,
        sheet=spec.FORM_SHEET,
        template_version=s.version,
        year=year,
        framework=framework,
        framework_def=frameworks.get(framework),
        fields=fields,
        subprojects=typer.subprojects(),
        indicators=typer.indicators(),
        normalisations=typer.normalisations,
    )
    return ReadResult(file, decl, [])


# -- typing values ---------------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－　", "0123456789,.- ")
_MONEY_RE = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?")
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100


class _Typer:
    def __init__(self, form: spec.FormSpec, grid: Grid, formulas: Mapping[str, str], year: int | None) -> None:
        self.form = form
        self.grid = grid
        self.formulas = formulas
        # Grid rows holding a formula: a table row with one is never skipped as blank (the formula is the value).
        self.formula_rows = {coords(cell)[1] for cell in formulas}
        self.year = year
        self.normalisations: list[Normalisation] = []

    def note(self, cell: str, before: Any, after: Any, reason: str) -> None:
        self.normalisations.append(Normalisation(cell, _plain(before), _plain(after), reason))

    def raw(self, cell: str) -> Any:
        if cell in self.formulas:
            # Never trust a cached value: what the person typed is the formula.
            return self.formulas[cell]
        return _at(self.grid, cell)

    def field(self, f: spec.Field) -> CellValue:
        return self.typed(f.cell, f.kind)

    def typed(self, cell: str, kind: str, raw: Any = None) -> CellValue:
        """Type the value of ``cell``; ``raw`` is its grid value when the caller has it already (tables)."""
        if raw is None or cell in self.formulas:
            raw = self.raw(cell)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return CellValue(cell, "" if raw is None else raw, None)
        if isinstance(raw, OutOfRange):  # a value Excel cannot hold (xltools.bounds): invalid, shown short
            return CellValue(cell, raw, None if kind in (spec.MONEY, spec.DATE) else str(raw), raw.reason)
        if kind == spec.MONEY:
            return self.money(cell, raw)
        if kind == spec.DATE:
            return self.date(cell, raw)
        return self.text(cell, raw)

    def text(self, cell: str, raw: Any) -> CellValue:
        if type(raw) is str:  # the common case first
            text = raw
        elif isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        elif isinstance(raw, dt.datetime):
            text = raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
        elif isinstance(raw, dt.date):
            text = raw.isoformat()
        else:
            text = str(raw)
        if cell in self.formulas:
            self.note(cell, raw, text, "单元格中填写了公式，按文字读取，不计算")
            return CellValue(cell, raw, text)
        stripped = _tidy(text)
        if stripped != text and stripped != text.strip():
            self.note(cell, text, stripped, "去除多余空格")
        return CellValue(cell, raw, stripped)

    def money(self, cell: str, raw: Any) -> CellValue:
        if cell in self.formulas:
            return CellValue(cell, raw, None, "金额单元格中是公式，请直接填写数值")
        if isinstance(raw, bool):
            return CellValue(cell, raw, None, "不是数值")
        if isinstance(raw, int | float):
            if raw < 0:
                return CellValue(cell, raw, None, "金额为负数")
            problem = amount_problem(raw)  # beyond Excel, or no plausible amount (xltools.bounds)
            return CellValue(cell, raw, None if problem else float(raw), problem)
        if isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
            return CellValue(cell, raw, None, "不是金额而是日期/时间")
        text = str(raw)
        cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
        if _MONEY_RE.fullmatch(cleaned):
            value = float(cleaned.replace(",", ""))
            problem = amount_problem(value)
            if problem:
                return CellValue(cell, raw, None, problem)
            reasons = []
            if cleaned != text.strip():
                reasons.append("全角数字或空格转为半角")
            if "," in cleaned:
                reasons.append("去除以文字输入的千位分隔符")
            reasons.append("以文字输入的数字转为数值")
            self.note(cell, text, yuan(value), "，".join(reasons))
            return CellValue(cell, raw, value)
        return CellValue(cell, raw, None, "不是有效的金额数字")

    def date(self, cell: str, raw: Any) -> CellValue:
        if cell in self.formulas:
            return CellValue(cell, raw, None, "日期单元格中是公式，请直接填写日期")
        if isinstance(raw, dt.date):
            day = raw.date() if isinstance(raw, dt.datetime) else raw
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                # A small number in a date-formatted cell shows as a day in 1900.
                return CellValue(cell, raw, None, f"日期超出合理范围（{day.year}年）")
            return CellValue(cell, raw, day)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # A date typed into a cell whose format was lost reads as an Excel serial number.
            if 20000 <= raw <= 80000 and float(raw).is_integer():
                value = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
                self.note(cell, raw, value.isoformat(), "Excel 日期序号转为日期")
                return CellValue(cell, raw, value)
            return CellValue(cell, raw, None, "不是日期")
        text = str(raw).translate(_FULLWIDTH).strip()
        for pattern in _DATE_PATTERNS:
            m = pattern.fullmatch(text)
            if not m:
                continue
            groups = m.groupdict()
            year = int(groups["y"]) if groups.get("y") else self.year
            if year is None:
                break
            try:
                value = dt.date(year, int(groups["m"]), int(groups["d"]))
            except ValueError:
                break
            reason = "文字日期转为日期" if groups.get("y") else f"未写年份的日期按预算年度 {year} 年读取"
            self.note(cell, raw, value.isoformat(), reason)
            return CellValue(cell, raw, value)
        return CellValue(cell, raw, None, "不是有效日期")

    def row_values(self, row: _TableRow) -> tuple[Any, ...] | None:
        """The grid values of a table row's input cells, or None when all are empty (the common case: most rows
        of a table are spare, and they are skipped without typing)."""
        line = self.grid[row.index] if row.index < len(self.grid) else ()
        if len(line) > row.last_col:
            values = row.get(line)
        else:
            values = tuple(line[c] if c < len(line) else "" for c in row.cols)
        if values == row.empty or values == row.nones:  # calamine gives "", xlwings None
            if row.index not in self.formula_rows:
                return None
        elif any(not isinstance(v, str) or v.strip() for v in values if v is not None and v != ""):
            return values
        if any(address in self.formulas for address in row.addresses):
            return values
        return None

    def subprojects(self) -> list[SubProject]:
        out = []
        for row in _table_rows(self.form.version, "subprojects"):
            values = self.row_values(row)
            if values is None:
                continue
            raw = dict(zip(row.keys, values, strict=True))
            name = self.typed(row.cells["name"], spec.TEXT, raw["name"])
            amount = self.typed(row.cells["amount"], spec.MONEY, raw["amount"])
            out.append(SubProject(row.index + 1, name, amount))
        return out

    def indicators(self) -> list[Indicator]:
        out: list[Indicator] = []
        above: dict[str, CellValue] = {}
        for row in _table_rows(self.form.version, "indicators"):
            values = self.row_values(row)
            if values is None:
                continue
            cells = {key: self.typed(address, spec.TEXT, value)
                     for key, address, value in zip(row.keys, row.addresses, values, strict=True)}
            inherited = {"level1": False, "level2": False}
            for key in ("level1", "level2"):
                prev = above.get(key)
                if key == "level2" and cells["level1"].value != above.get("level1", CellValue("")).value:
                    prev = None  # a new 一级 starts a new group: its 二级 is not carried across
                if cells[key].blank and prev is not None and prev.value is not None:
                    # Keep this row's address so a finding points at the cell the person sees blank.
                    cells[key] = CellValue(cells[key].cell, "", prev.value)
                    inherited[key] = True
                    self.note(cells[key].cell, "", prev.value, "一级/二级指标留空，沿用上一行")
            above = {"level1": cells["level1"], "level2": cells["level2"]}
            target = cells["target"]
            parsed = parse_target(target.raw)
            for reason in parsed.normalisations:
                # The rules judge the normalised text; record what that changed, never silently.
                self.normalisations.append(Normalisation(target.cell, _plain(target.raw), parsed.normalised, reason))
            out.append(Indicator(row.index + 1, cells["level1"], cells["level2"], cells["level3"],
                                 cells["target"], inherited["level1"], inherited["level2"]))
        return out


@dataclass(frozen=True)
class _TableRow:
    """One input row of a table, precomputed once per table: where its input cells are in the grid."""

    index: int  # 0-based grid row
    keys: tuple[str, ...]  # input column keys
    addresses: tuple[str, ...]  # A1 addresses, same order
    cols: tuple[int, ...]  # 0-based grid columns, same order
    cells: Mapping[str, str]  # key -> address
    last_col: int
    get: Callable[[Sequence[Any]], tuple[Any, ...]]  # a grid row -> the values of ``cols`` (one C call)
    empty: tuple[str, ...]  # the values of an empty row, as calamine ...
    nones: tuple[None, ...]  # ... and as xlwings gives them


@cache
def _table_rows(version: str, table_key: str) -> tuple[_TableRow, ...]:
    """The input rows of a table in template ``version``, topmost first. Computed once per version."""
    t = spec.build(version).tables[table_key]
    keys = tuple(c.key for c in t.input_columns)
    out = []
    for i in range(t.capacity):
        addresses = tuple(t.cell(key, i) for key in keys)
        places = [coords(a) for a in addresses]
        cols = tuple(col for col, _r in places)
        get = itemgetter(*cols) if len(cols) > 1 else (lambda line, c=cols[0]: (line[c],))
        out.append(_TableRow(places[0][1], keys, addresses, cols, dict(zip(keys, addresses, strict=True)),
                             max(cols), get, ("",) * len(cols), (None,) * len(cols)))
    return tuple(out)


_SPACES = re.compile(r"[ \t\u3000]+")
_UNTIDY = re.compile(r"[\t\u3000\r\n]|  |^\s|\s$")


def _tidy(text: str) -> str:
    """Strip ends and collapse runs of spaces inside a line; keep line breaks (paragraphs matter)."""
    if not _UNTIDY.search(text):  # the common case: nothing to do
        return text
    lines = [_SPACES.sub(" ", line).strip() for line in text.strip().splitlines()]
    return "\n".join(lines)
