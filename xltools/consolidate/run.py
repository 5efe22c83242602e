"""Consolidation from start to end: discover, check each file (in a process pool), build, validate, write.

pandas, pandera and the writer are imported only after the worker processes have started: the workers (forked
where the platform allows) stay small, and the import overlaps with their work.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xltools.atomic import ensure_writable
from xltools.consolidate import crossfile, sheetxml  # noqa: F401 - sheetxml: imported before the workers fork
from xltools.consolidate.rows import FileRows, read
from xltools.data import Frameworks
from xltools.discover import discover
from xltools.findings import ERROR, Finding

if TYPE_CHECKING:
    from xltools.consolidate.tables import Tables
    from xltools.units import Unit

Progress = Callable[[int, int], None]
SHIPPED = Frameworks()
# Below this many files a pool costs more than it saves.
POOL_THRESHOLD = 8


@dataclass
class Summary:
    """What a consolidation run did. ``findings`` lists every finding written to 问题清单."""

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
                        (("unit-over-ceiling", "超过控制数"), ("prior-budget-mismatch", "上年预算额与上年汇总不符"))
                        if code in codes)
        return (f"共读取 {self.files} 个文件：{self.forms} 份申报表已汇总{again}，{self.with_errors} 个文件有错误，"
                f"{self.unreadable} 个无法读取或不是本模板；错误 {self.errors} 条，警告 {self.warnings} 条{batch}。"
                f"已写出：{self.output}")


def _work(item: tuple[int, str], frameworks: Frameworks = SHIPPED) -> tuple[int, FileRows]:
    index, path = item
    try:
        return index, read(path, path, frameworks)
    except Exception as exc:  # the engine never raises on bad input; this keeps a bug from losing a file
        return index, FileRows(path, [Finding.of("file-unreadable", f"读取时发生内部错误（{type(exc).__name__}）。",
                                                 file=path)])


def _work_chunk(items: list[tuple[int, str]], frameworks: Frameworks = SHIPPED) -> list[tuple[int, FileRows]]:
    # ``frameworks`` travels with each batch (a few kB pickled): workers need no shared state, whatever the start
    # method, and a bureau's framework files are read once, in the main process.
    return [_work(item, frameworks) for item in items]


def _context() -> multiprocessing.context.BaseContext:
    # fork: workers start in milliseconds and inherit the imported engine; elsewhere the platform default.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _isolated(item: tuple[int, str], frameworks: Frameworks) -> tuple[int, FileRows]:
    """Read one file in a process of its own: when even that process dies, the file is what killed it."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as one:
            return one.submit(_work, item, frameworks).result()
    except BrokenProcessPool:
        index, path = item
        return index, FileRows(path, [Finding.of(
            "file-unreadable", "读取此文件时读取进程异常退出（文件可能被恶意构造或严重损坏），出于安全不予读取。",
            file=path)])


@contextmanager
def _workers(jobs: int, total: int) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for reading ``total`` files (and rendering row sheets afterwards), or None to work here."""
    if jobs <= 1 or total < POOL_THRESHOLD:
        yield None
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context()) as pool:
        yield pool


def read_all(paths: Sequence[str], pool: ProcessPoolExecutor | None, jobs: int = 1, progress: Progress | None = None,
             before_collect: Callable[[], object] | None = None, frameworks: Frameworks = SHIPPED,
             ) -> list[FileRows]:
    """Check every file (in ``pool`` of ``jobs`` processes, or here when None) against the framework it records,
    known in ``frameworks``; results in input order.
    ``before_collect`` runs while the workers work (the caller's imports). A worker that dies (a native crash on a
    hostile file) loses nothing: the files of its batch are read again one by one, each in a process of its own."""
    total = len(paths)
    items = list(enumerate(paths))
    results: list[FileRows | None] = [None] * total
    done = 0

    def keep(pairs: Iterable[tuple[int, FileRows]]) -> None:
        nonlocal done
        for index, rows in pairs:
            results[index] = rows
            done += 1
            if progress:
                progress(done, total)

    if pool is None:
        if before_collect:
            before_collect()
        for item in items:
            keep([_work(item, frameworks)])
    else:
        size = max(1, min(16, total // (jobs * 8)))
        chunks = [items[i:i + size] for i in range(0, total, size)]
        futures = {pool.submit(_work_chunk, chunk, frameworks): chunk for chunk in chunks}
        if before_collect:
            before_collect()
        failed: list[list[tuple[int, str]]] = []
        for future in as_completed(futures):
            try:
                keep(future.result())
            except BrokenProcessPool:
                failed.append(futures[future])
        # A broken pool fails every pending batch, not only the one that crashed: retry each batch in a process
        # of its own, and only a batch that crashes again file by file.
        for chunk in failed:
            try:
                with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as one:
                    keep(one.submit(_work_chunk, chunk, frameworks).result())
            except BrokenProcessPool:
                for item in chunk:
                    if results[item[0]] is None:
                        keep([_isolated(item, frameworks)])
    return [r for r in results if r is not None]


def _validated(files: list[FileRows], built: Tables, batch: list[Finding], unit_list: Sequence[Unit] | None,
               units: str | Path | None, frameworks: Frameworks) -> list[Finding]:
    """Every finding of the run, in 问题清单 order; completes ``built`` with the findings table and statistics.
    ``batch``: the findings of the cross-file steps that belong to a form (duplicates, ceilings, last year)."""
    from xltools.consolidate import schemas, tables

    engine = [f for rows in files for f in rows.findings]
    extra = list(batch)
    frames = {"summary": built.summary, "subprojects": built.subprojects, "indicators": built.indicators}
    extra += schemas.validate(frames, engine + extra, frameworks,
                              {rows.file: rows.version for rows in files if rows.version})
    # Findings of a file stay together, in input order; the batch-wide ones (units not returned) come last.
    by_file: dict[str, list[Finding]] = {}
    for f in extra:
        by_file.setdefault(f.file, []).append(f)
    findings = [f for rows in files for f in (*rows.findings, *by_file.pop(rows.file, []))]
    findings += [f for group in by_file.values() for f in group]
    if unit_list is not None:
        findings += crossfile.not_returned(files, unit_list, str(units))
    ceilings = {crossfile.name_key(u.name): u.ceiling for u in unit_list or () if u.ceiling is not None}
    tables.finish(built, findings, ceilings)
    # The findings table is validated too; a failure there would be a bug in this package, reported all the same.
    findings += schemas.validate({"findings": built.findings}, findings)
    if len(findings) != len(built.findings):
        tables.finish(built, findings, ceilings)
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
) -> Summary:
    """Consolidate every workbook under ``inputs`` into ``output`` (.xlsx). Never raises on a bad input file;
    raises :class:`xltools.units.UnitsFileError` for a malformed units list,
    :class:`xltools.consolidate.previous.PreviousError` for a ``previous`` that is not an xltools consolidation and
    :class:`xltools.atomic.OutputError` for an output that cannot be written (all before reading any form).
    Each form is checked against the framework it records, looked up in ``frameworks`` (shipped ones by default,
    plus a bureau's files: :func:`xltools.data.load_frameworks`)."""
    with _no_cyclic_gc():
        return _consolidate(inputs, output, units=units, jobs=jobs, parquet=parquet, previous=previous,
                            progress=progress, frameworks=frameworks)


def _consolidate(
    inputs: Iterable[str | Path],
    output: str | Path,
    *,
    units: str | Path | None,
    jobs: int | None,
    parquet: str | Path | None,
    previous: str | Path | None,
    progress: Progress | None,
    frameworks: Frameworks,
) -> Summary:
    ensure_writable(output)
    if parquet is not None:
        ensure_writable(parquet, folder=True)
    unit_list = None
    if units is not None:
        from xltools.units import read_units

        unit_list = read_units(units)
    prior = None
    if previous is not None:
        from xltools.consolidate import previous as last_year

        prior = last_year.read(previous)
    started = time.perf_counter()
    paths = [str(p) for p in discover(inputs)]
    jobs = min(jobs or os.cpu_count() or 1, len(paths))
    with _workers(jobs, len(paths)) as pool:
        files = read_all(paths, pool, jobs, progress, before_collect=_load_heavy, frameworks=frameworks)

        from xltools.consolidate import output as out
        from xltools.consolidate import tables

        read_done = time.perf_counter()
        # The cross-file steps, here after reading: per-file work stays what `xltools check` does.
        dropped, batch = crossfile.resubmissions(files)
        if unit_list is not None:
            batch += crossfile.over_ceiling(files, dropped, unit_list)
        if prior is not None:
            batch += last_year.mismatches(files, dropped, prior)
        built = tables.build(files, dropped, frameworks)
        with out.Writer(output, pool.submit if pool is not None else None) as writer:
            # These two sheets are final now (validation adds findings, not rows): the idle workers render them
            # while this process validates.
            for name in (tables.SUBPROJECTS_SHEET, tables.INDICATORS_SHEET):
                writer.ahead(name, *built.sheets()[name])
            findings = _validated(files, built, batch, unit_list, units, frameworks)
            # The other two are final now too: they render while this process builds the skeleton.
            for name in (tables.SUMMARY_SHEET, tables.FINDINGS_SHEET):
                writer.ahead(name, *built.sheets()[name])
            tables_done = time.perf_counter()
            written = writer.write(built)
    parquet_files = out.write_parquet(built, parquet) if parquet is not None else []
    inputs_seen = set(paths)
    with_errors = {f.file for f in findings if f.severity == ERROR and f.file in inputs_seen}
    return Summary(
        files=len(files),
        forms=sum(1 for rows in files if rows.summary is not None),
        with_errors=len(with_errors),
        unreadable=sum(1 for rows in files if rows.summary is None),
        findings=findings,
        output=written,
        parquet=parquet_files,
        tables=built,
        timings={"read": read_done - started, "tables": tables_done - read_done,
                 "write": time.perf_counter() - tables_done},
        not_counted=len(dropped),
    )
