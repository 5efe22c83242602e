"""Reading many inputs in a process pool, so that no file, and no interruption, costs more than itself.

* A worker converts anything a file makes it raise into a ``file-unreadable`` finding (a Chinese message, never
  an exception's class name): a Rust panic from a reader is a ``BaseException`` and may not pickle, and one such
  file must not fail the batch it travels in.
* A worker that dies (a native crash on a hostile file), or a batch whose results cannot come back, loses
  nothing: its files are read again batch by batch, then one by one, each in a process of its own.
* Workers ignore Ctrl-C: the main process alone is interrupted, stops them (terminated, not waited for) and
  leaves nothing behind. Without this, every worker would print its own traceback.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from xltools.consolidate import rows as reading
from xltools.consolidate.rows import FileRows
from xltools.data import Frameworks
from xltools.discover import Source
from xltools.findings import Finding

Progress = Callable[[int, int], None]
SHIPPED = Frameworks()
# Below this many files a pool costs more than it saves.
POOL_THRESHOLD = 8
INTERNAL_ERROR = "读取此文件时程序出错，未能检查。请把此文件交给技术支持；其余文件不受影响。"
CRASHED = "读取此文件时读取进程异常退出（文件可能被恶意构造或严重损坏），出于安全不予读取。"

Item = tuple[int, Source]


def work(item: Item, frameworks: Frameworks = SHIPPED, scratch: str | None = None) -> tuple[int, FileRows]:
    index, source = item
    try:
        return index, reading.read_source(source, frameworks, scratch)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:
        return index, unreadable(source, INTERNAL_ERROR)


def unreadable(source: Source, message: str) -> FileRows:
    return FileRows(source.display, [Finding.of("file-unreadable", message, file=source.display)])


def work_chunk(items: list[Item], frameworks: Frameworks = SHIPPED, scratch: str | None = None,
               ) -> list[tuple[int, FileRows]]:
    # ``frameworks`` travels with each batch (a few kB pickled): workers need no shared state, whatever the start
    # method, and a bureau's framework files are read once, in the main process.
    return [work(item, frameworks, scratch) for item in items]


def _context() -> multiprocessing.context.BaseContext:
    # fork: workers start in milliseconds and inherit the imported engine; elsewhere the platform default.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def executor(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool whose workers ignore Ctrl-C. Left normally, it is shut down and waited for; left by an exception
    (Ctrl-C included), its queued work is cancelled and its workers are terminated at once."""
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_ignore_interrupt)
    try:
        yield pool
    except BaseException:
        stop(pool)
        raise
    pool.shutdown(wait=True)


def stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers now (Python 3.11 has no public way: its process table)."""
    pool.shutdown(wait=False, cancel_futures=True)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


@contextmanager
def workers(jobs: int, total: int) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for reading ``total`` files (and rendering row sheets afterwards), or None to work here."""
    if jobs <= 1 or total < POOL_THRESHOLD:
        yield None
        return
    with executor(jobs) as pool:
        yield pool


def _alone(items: list[Item], frameworks: Frameworks, scratch: str | None) -> list[tuple[int, FileRows]]:
    """Read ``items`` in a process of their own; a crash or a result that cannot come back raises."""
    with executor(1) as one:
        return one.submit(work_chunk, items, frameworks, scratch).result()


def isolated(item: Item, frameworks: Frameworks, scratch: str | None) -> tuple[int, FileRows]:
    """Read one file in a process of its own: when even that process dies, the file is what killed it."""
    try:
        (result,) = _alone([item], frameworks, scratch)
        return result
    except BrokenProcessPool:
        return item[0], unreadable(item[1], CRASHED)
    except Exception:
        return item[0], unreadable(item[1], INTERNAL_ERROR)


def read_all(sources: Sequence[Source], pool: ProcessPoolExecutor | None, jobs: int = 1,
             progress: Progress | None = None, before_collect: Callable[[], object] | None = None,
             frameworks: Frameworks = SHIPPED, scratch: str | None = None) -> list[FileRows]:
    """Check every source (in ``pool`` of ``jobs`` processes, or here when None) against the framework it
    records, known in ``frameworks``; results in input order. ``before_collect`` runs while the workers work (the
    caller's imports). ``scratch``: the folder for forms taken out of zips."""
    total = len(sources)
    items = list(enumerate(sources))
    results: list[FileRows | None] = [None] * total
    done = 0

    def keep(pairs: Iterable[tuple[int, FileRows]]) -> None:
        nonlocal done
        for index, found in pairs:
            results[index] = found
            done += 1
            if progress:
                progress(done, total)

    if pool is None:
        if before_collect:
            before_collect()
        for item in items:
            keep([work(item, frameworks, scratch)])
    else:
        size = max(1, min(16, total // (jobs * 8)))
        chunks = [items[i:i + size] for i in range(0, total, size)]
        futures = {pool.submit(work_chunk, chunk, frameworks, scratch): chunk for chunk in chunks}
        if before_collect:
            before_collect()
        failed: list[list[Item]] = []
        for future in as_completed(futures):
            try:
                keep(future.result())
            except Exception:
                failed.append(futures[future])
        # A broken pool fails every pending batch, not only the one that crashed: retry each batch in a process
        # of its own, and only a batch that fails again file by file.
        for chunk in failed:
            try:
                keep(_alone(chunk, frameworks, scratch))
            except Exception:
                for item in chunk:
                    if results[item[0]] is None:
                        keep([isolated(item, frameworks, scratch)])
    return [r for r in results if r is not None]
