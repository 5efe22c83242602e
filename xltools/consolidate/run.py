"""Consolidation from start to end: find, check each file (in a process pool), build, validate, write.

Everything that can be refused is refused before the first form is read: an output that is an input (or cannot be
written, or is not an .xlsx), annotated copies that would land on inputs, a bad units list or last year's table,
inputs without a single form. pandas, pandera and the writer are imported only after the worker processes have
started: the workers (forked where the platform allows) stay small, and the import overlaps with their work.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xltools.atomic import ensure_writable, workbook_path, write_failed
from xltools.consolidate import crossfile, evalrows, sheetxml  # noqa: F401 - sheetxml: imported before the workers fork
from xltools.consolidate import previous as last_year
from xltools.consolidate.guard import check_output
from xltools.consolidate.pool import POOL_THRESHOLD, SHIPPED, Progress, read_all, workers
from xltools.consolidate.rows import FileRows
from xltools.data import Frameworks
from xltools.discover import Found, NoFormsError, Skipped, Source, display, find
from xltools.findings import ERROR, Finding

if TYPE_CHECKING:
    from xltools.consolidate.evalrun import Evaluated
    from xltools.consolidate.tables import Tables
    from xltools.units import Unit

__all__ = ["POOL_THRESHOLD", "Summary", "consolidate"]


@dataclass
class Summary:
    """What a consolidation run did. ``findings`` lists every finding written to 问题清单 (of both workbooks, when a
    batch also held self-evaluations)."""

    files: int
    forms: int  # files that gave a declaration (rows in 项目汇总)
    with_errors: int  # files with at least one error finding
    unreadable: int  # files that gave no declaration: file-unreadable or template-mismatch
    findings: list[Finding]
    output: Path
    parquet: list[Path] = field(default_factory=list)
    tables: Tables | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, tables, write
    not_counted: int = 0  # forms in 项目汇总 that another copy of the same project replaces (计入汇总 = 否)
    skipped: list[Skipped] = field(default_factory=list)  # files found and not read (listed in 报送情况)
    units: int | None = None  # units on the units list (None without one)
    not_returned: int = 0  # of them, those that sent nothing
    year: int | None = None  # the budget year of the batch
    annotated: dict[str, Path] = field(default_factory=dict)  # file -> its annotated copy (--annotate)
    unlisted: int = 0  # folders and zips that could not be looked into (file-unreadable in 问题清单)
    not_annotated: dict[str, str] = field(default_factory=dict)  # file -> why it has no annotated copy
    evaluations: int = 0  # year-end self-evaluations, consolidated apart (consolidate/evalrun.py)
    evaluation_output: Path | None = None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def line(self) -> str:
        again = f"（其中 {self.not_counted} 份为重复报送，不计入合计）" if self.not_counted else ""
        codes = [f.code for f in self.findings]
        batch = "".join(f"，{label} {codes.count(code)} 条" for code, label in
                        (("unit-over-ceiling", "超过控制数"), ("prior-budget-mismatch", "上年预算额与上年汇总不符"),
                         ("resubmission-undecided", "无法判断计入哪一份"), ("unit-not-listed", "单位不在清单中"))
                        if code in codes)
        units = (f"单位清单 {self.units} 个单位中 {self.not_returned} 个未报送；" if self.units is not None else "")
        skipped = f"另跳过 {len(self.skipped)} 个不是申报表的文件（见“报送情况”）；" if self.skipped else ""
        unlisted = f"{self.unlisted} 个文件夹或压缩包无法打开（见“问题清单”）；" if self.unlisted else ""
        forms = f"{self.forms} 份申报表已汇总{again}，"
        evaluations = ""
        if self.evaluation_output is not None and self.evaluation_output != self.output:
            evaluations = f"；{self.evaluations} 份绩效自评表另行汇总，已写出：{display(self.evaluation_output)}"
        elif self.evaluation_output is not None:
            forms = f"{self.evaluations} 份绩效自评表已汇总，"
        return (f"共读取 {self.files} 个文件：{forms}{self.with_errors} 个文件有错误，"
                f"{self.unreadable} 个无法读取或不是本模板；{unlisted}{units}{skipped}"
                f"错误 {self.errors} 条，警告 {self.warnings} 条{batch}。已写出：{display(self.output)}{evaluations}")


def _validated(files: list[FileRows], built: Tables, batch: list[Finding], unit_list: Sequence[Unit] | None,
               units_file: str, frameworks: Frameworks, folders: list[FileRows]) -> list[Finding]:
    """Every finding of the run, in 问题清单 order; completes ``built`` with the findings table, statistics and
    报送情况. ``batch``: the findings of the cross-file steps that belong to a form (duplicates, ceilings, last year,
    units not listed). ``folders``: folders and zips that could not be looked into (file-unreadable)."""
    from xltools.consolidate import schemas, status, tables

    engine = [f for rows in files for f in rows.findings]
    extra = list(batch)
    frames = {"summary": built.summary, "subprojects": built.subprojects, "indicators": built.indicators}
    extra += schemas.validate(frames, engine + extra, frameworks,
                              {rows.file: rows.version for rows in files if rows.version})
    # Findings of a file stay together, in input order; the batch-wide ones (units not returned) come last.
    by_file: dict[str, list[Finding]] = {}
    for f in extra:
        by_file.setdefault(f.file, []).append(f)
    findings = [f for rows in (*files, *folders) for f in (*rows.findings, *by_file.pop(rows.file, []))]
    findings += [f for group in by_file.values() for f in group]
    units_of: dict[Finding, str] = {}
    if unit_list is not None:
        units_of = crossfile.not_returned(files, unit_list, units_file)
        findings += units_of
    ceilings = {crossfile.name_key(u.name): u.ceiling for u in unit_list or () if u.ceiling is not None}
    tables.finish(built, findings, ceilings, units_of)
    # The findings table is validated too; a failure there would be a bug in this package, reported all the same.
    findings += schemas.validate({"findings": built.findings}, findings)
    if len(findings) != len(built.findings):
        tables.finish(built, findings, ceilings, units_of)
    built.status = status.table(built.summary, unit_list)
    return findings


def _load_heavy() -> None:
    from xltools.consolidate import output, schemas, tables  # noqa: F401


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector. A run allocates hundreds of thousands of small acyclic objects (cells,
    rows, findings); the collector would traverse them again and again (~0.2 s at 1,000 forms) and find nothing.
    Reference counting still frees everything; the forked workers inherit the pause (a worker reading 1,000 files
    leaves no cyclic garbage)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def consolidate(
    inputs: Iterable[str | Path],
    output: str | Path,
    *,
    units: str | Path | None = None,
    jobs: int | None = None,
    parquet: str | Path | None = None,
    previous: str | Path | None = None,
    progress: Progress | None = None,
    frameworks: Frameworks = SHIPPED,
    annotate: str | Path | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Consolidate every workbook under ``inputs`` into ``output`` (.xlsx; the ending is added when missing).
    Never raises on a bad input file. Raises, before reading any form, :class:`xltools.atomic.OutputError` for an
    output that cannot or must not be written (another format, an input, read-only, no permission),
    :class:`xltools.discover.NoFormsError` when the inputs hold no form, :class:`xltools.units.UnitsFileError`
    for a units list that cannot be used and :class:`xltools.consolidate.previous.PreviousError` for a
    ``previous`` that is not an xltools consolidation (or, after reading, not of an earlier year). A failure while
    writing is an OutputError naming ``output``. Each form is checked against the framework it records, looked up
    in ``frameworks`` (shipped ones by default, plus a bureau's files: :func:`xltools.data.load_frameworks`).
    ``annotate``: a folder for the copies to send back (counted forms with findings, the batch's findings
    included), mirroring the input folders."""
    with _no_cyclic_gc():
        return _consolidate(inputs, output, units=units, jobs=jobs, parquet=parquet, previous=previous,
                            progress=progress, frameworks=frameworks, annotate=annotate,
                            today=today or dt.date.today())


def _consolidate(inputs: Iterable[str | Path], output: str | Path, *, units: str | Path | None, jobs: int | None,
                 parquet: str | Path | None, previous: str | Path | None, progress: Progress | None,
                 frameworks: Frameworks, annotate: str | Path | None, today: dt.date) -> Summary:
    inputs = list(inputs)
    target = workbook_path(output)
    found = find(inputs)
    if not found.sources and not found.unlisted:
        raise NoFormsError(inputs, found)
    check_output(target, found, previous)
    ensure_writable(target)
    if parquet is not None:
        ensure_writable(parquet, folder=True)
    copies = None
    if annotate is not None:
        from xltools.annotate import plan_copies

        copies = plan_copies(found.sources, annotate)
    unit_list = None
    if units is not None:
        from xltools.units import read_units

        unit_list = read_units(units)
    prior, prior_year = None, None
    if previous is not None:
        prior, prior_year = last_year.read(previous), last_year.year_of(previous)
    started = time.perf_counter()
    sources = found.sources
    jobs = min(jobs or os.cpu_count() or 1, len(sources))
    # The scratch folder outlives the pool (left first): no worker writes into it after it is removed.
    with tempfile.TemporaryDirectory(prefix="xltools-") as scratch, workers(jobs, len(sources)) as pool:
        read = read_all(sources, pool, jobs, progress, before_collect=_load_heavy, frameworks=frameworks,
                        scratch=scratch)
        files = [rows for rows in read if rows.skipped is None]
        skipped = found.skipped + [Skipped(rows.file, rows.skipped) for rows in read if rows.skipped is not None]
        if not files and not found.unlisted:
            raise NoFormsError(inputs, Found([], skipped, found.unlisted))
        # Year-end self-evaluations are consolidated apart (their own workbook), never into the declarations'.
        files, evaluations = evalrows.split(files)
        alone = bool(evaluations) and not any(rows.summary is not None for rows in files)
        evaluation_target = evalrows.target_for(target, alone) if evaluations else None
        if evaluation_target is not None and not alone:
            check_output(evaluation_target, found, previous)
            ensure_writable(evaluation_target)

        from xltools.consolidate import layout, status, tables
        from xltools.consolidate import output as out
        from xltools.consolidate.links import Links, place_of, place_of_path

        read_done = time.perf_counter()
        year = tables.batch_year(files)
        if previous is not None:
            last_year.check_year(previous, prior_year, year)
        # The cross-file steps, here after reading: per-file work stays what `xltools check` does.
        dropped, batch = crossfile.resubmissions(files)
        units_file = display(units) if units is not None else ""
        if unit_list is not None:
            batch += crossfile.over_ceiling(files, dropped, unit_list)
            batch += crossfile.not_listed(files, unit_list, units_file)
        if prior is not None:
            batch += last_year.mismatches(files, dropped, prior)
        built = tables.build(files, dropped, frameworks)
        built.skipped = status.skipped_table(skipped)
        folders = [FileRows(s.display, [Finding.of("file-unreadable", s.reason, file=s.display)])
                   for s in found.unlisted]
        places = {s.display: place_of(s) for s in sources}
        places.update({s.display: place_of_path(s.display) for s in found.unlisted})
        if units is not None:
            places[units_file] = place_of_path(str(units))
        links = Links(places, os.path.abspath(target.parent))
        heading = layout.heading(year, today)
        evaluated = None
        if evaluation_target is not None:
            from xltools.consolidate import evalrun

            try:
                evaluated = evalrun.consolidate_evaluations(
                    evaluations, files if alone else [], evaluation_target, links, today, scratch,
                    pool.submit if pool is not None else None, Path(parquet) if parquet is not None else None)
            except OSError as exc:
                raise write_failed(evaluation_target, exc) from exc
            if alone:
                return _evaluations_only(evaluated, files, evaluations, skipped, found, sources, copies)
        try:
            with out.Writer(target, links, heading, scratch, pool.submit if pool is not None else None) as writer:
                # These two sheets are final now (validation adds findings, not rows): the idle workers render
                # them while this process validates.
                for name in (tables.SUBPROJECTS_SHEET, tables.INDICATORS_SHEET):
                    writer.ahead(name, *built.sheets()[name])
                findings = _validated(files, built, batch, unit_list, units_file, frameworks, folders)
                # The other two are final now too: they render while this process builds the skeleton.
                for name in (tables.SUMMARY_SHEET, tables.FINDINGS_SHEET):
                    writer.ahead(name, *built.sheets()[name])
                tables_done = time.perf_counter()
                written = writer.write(built)
        except OSError as exc:  # the disk filled up or the folder vanished while writing: nothing half-written
            raise write_failed(target, exc) from exc
    parquet_files: list[Path] = []
    if parquet is not None:
        try:
            parquet_files = out.write_parquet(built, parquet)
        except OSError as exc:
            raise write_failed(parquet, exc) from exc
    annotated: dict[str, Path] = {}
    not_annotated: dict[str, str] = {}
    if copies is not None:
        from xltools.annotate import write_copies

        counted = {rows.file for rows in files if rows.summary is not None and rows.file not in dropped}
        counted |= evaluated.counted if evaluated is not None else set()
        every = [*findings, *(evaluated.findings if evaluated is not None else [])]
        annotated, not_annotated = write_copies(copies, [s for s in sources if s.display in counted], every)
    # A mixed batch: the self-evaluations' findings are in their own workbook, and count in this summary too.
    findings = [*findings, *(evaluated.findings if evaluated is not None else [])]
    inputs_seen = {rows.file for rows in (*files, *evaluations)}
    with_errors = {f.file for f in findings if f.severity == ERROR and f.file in inputs_seen}
    return Summary(
        files=len(inputs_seen),
        forms=sum(1 for rows in files if rows.summary is not None),
        with_errors=len(with_errors),
        unreadable=sum(1 for rows in files if rows.summary is None),
        unlisted=len(folders),
        findings=findings,
        output=written,
        parquet=parquet_files,
        tables=built,
        timings={"read": read_done - started, "tables": tables_done - read_done,
                 "write": time.perf_counter() - tables_done},
        not_counted=len(dropped),
        skipped=skipped,
        units=len(unit_list) if unit_list is not None else None,
        not_returned=status.not_returned(built.status) if unit_list is not None else 0,
        year=year,
        annotated=annotated,
        not_annotated=not_annotated,
        evaluations=len(evaluations),
        evaluation_output=evaluated.output if evaluated is not None else None,
    )


def _evaluations_only(evaluated: Evaluated, others: list[FileRows], evaluations: list[FileRows],
                      skipped: list[Skipped], found: Found, sources: Sequence[Source], copies: dict[str, Path] | None,
                      ) -> Summary:
    """The summary of a run that read self-evaluations and no declaration (its one workbook is theirs)."""
    annotated: dict[str, Path] = {}
    not_annotated: dict[str, str] = {}
    if copies is not None:
        from xltools.annotate import write_copies

        annotated, not_annotated = write_copies(copies, [s for s in sources if s.display in evaluated.counted],
                                                evaluated.findings)
    read = {rows.file for rows in (*others, *evaluations)}
    return Summary(
        files=len(read), forms=0, unreadable=len(others), findings=evaluated.findings, output=evaluated.output,
        with_errors=len({f.file for f in evaluated.findings if f.severity == ERROR and f.file in read}),
        parquet=evaluated.parquet, skipped=skipped, unlisted=len(found.unlisted), year=evaluated.tables.year,
        annotated=annotated, not_annotated=not_annotated, evaluations=len(evaluations),
        evaluation_output=evaluated.output, not_counted=len(evaluated.dropped),
    )

