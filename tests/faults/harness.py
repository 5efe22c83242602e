"""Running inputs through the command line as staff do, and judging what comes back.

An input is answered when ``xltools check`` ends within the time bound with findings about it (exit 0 or 1, the
JSON names the file when there is an error) or refuses it with a Chinese message (exit 2), and nothing it prints
is a traceback, a panic, an abort or a Python/Rust class name. A batch is consolidated when ``xltools
consolidate`` ends within its bound, every input is in 项目汇总 or 问题清单 (none lost), every good form is in
项目汇总, and the workbook written is one Excel can hold: openpyxl loads it, no number is infinite, NaN or beyond
±9.99E+307, no text is longer than 32,767 characters.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

XLTOOLS = str(Path(sys.executable).with_name("xltools"))
BOUND = 5.0  # seconds per input
# What must never reach staff: tracebacks, panics, aborts, class names of Python or Rust.
FORBIDDEN = re.compile(r"Traceback|panicked|memory allocation|stack backtrace|Aborted|core dumped"
                       r"|\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|zlib\.error|BadZipFile")
CJK = re.compile(r"[\u4e00-\u9fff]")
EXCEL_MAX, MAX_TEXT = 9.99999999999999e307, 32_767


@dataclass
class Answer:
    verdict: str  # answered, refused (exit 2, Chinese), crash, hang, lost, broken
    seconds: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict in ("answered", "refused")


def _run(args: Sequence[str], bound: float) -> tuple[subprocess.CompletedProcess[bytes], float, Answer | None]:
    """The finished process, its seconds, and an Answer when it hung or crashed."""
    start = time.perf_counter()
    try:
        done = subprocess.run(list(args), capture_output=True, timeout=bound, check=False)
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - start
        return subprocess.CompletedProcess(args, -1), seconds, Answer("hang", seconds, f"no answer within {bound:.0f} s")
    seconds = time.perf_counter() - start
    crash = _crash(done)
    return done, seconds, Answer("crash", seconds, crash) if crash else None


def _crash(done: subprocess.CompletedProcess[bytes]) -> str | None:
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    if done.returncode not in (0, 1, 2):
        return f"exit {done.returncode}: {text[-300:]}"
    found = FORBIDDEN.search(text)
    if found:
        return f"prints {found.group(0)!r}: {text[max(0, found.start() - 150):found.end() + 150]}"
    return None


def check(path: Path, bound: float = BOUND) -> Answer:
    """``xltools check --json PATH`` as a new process."""
    done, seconds, failed = _run([XLTOOLS, "check", "--json", str(path)], bound)
    if failed:
        return failed
    if done.returncode == 2:
        message = done.stderr.decode("utf-8", "replace")
        return Answer("refused" if CJK.search(message) else "crash", seconds, message[-200:])
    try:
        findings = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Answer("broken", seconds, f"--json output is not UTF-8 JSON: {exc}")
    if done.returncode == 1 and not any(f["file"] == str(path) and f["severity"] == "error" for f in findings):
        return Answer("lost", seconds, "exit 1 without an error about the file")
    bad = [f["message"] for f in findings if not CJK.search(f["message"])]
    if bad:
        return Answer("crash", seconds, f"a message without Chinese: {bad[0][:200]}")
    return Answer("answered", seconds)


def consolidate(folder: Path, out: Path, good: Sequence[Path], bound: float, jobs: int = 2) -> Answer:
    """``xltools consolidate FOLDER -o OUT --jobs J`` as a new process, judged as the module says."""
    done, seconds, failed = _run([XLTOOLS, "consolidate", str(folder), "-o", str(out), "--jobs", str(jobs)], bound)
    if failed:
        return failed
    if done.returncode == 2:
        return Answer("lost", seconds, "the batch was refused: " + done.stderr.decode("utf-8", "replace")[-300:])
    broken = unfit(out)
    if broken:
        return Answer("broken", seconds, broken)
    named = named_files(out)
    inputs = {str(p) for p in folder.rglob("*") if p.is_file()}
    lost = sorted(inputs - named["项目汇总"] - named["问题清单"])
    missing = sorted({str(p) for p in good} - named["项目汇总"])
    if lost or missing:
        return Answer("lost", seconds, f"not in the output: {lost[:3]}; good forms not summarised: {missing[:3]}")
    return Answer("answered", seconds)


def unfit(path: Path) -> str | None:
    """Why the workbook at ``path`` is not one Excel can hold, or None."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # any failure to load is the finding
        return f"openpyxl cannot load it: {type(exc).__name__}: {str(exc)[:200]}"
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= EXCEL_MAX):
                        return f"{ws.title} holds the number {value!r}"
                    if isinstance(value, str) and len(value) > MAX_TEXT:
                        return f"{ws.title} holds a text of {len(value)} characters"
    finally:
        wb.close()
    return None


def named_files(path: Path) -> dict[str, set[str]]:
    """The files the consolidated workbook names: in 项目汇总 (来源文件) and in 问题清单 (文件). Those cells show the
    file name; the path is the cell's link, relative to the workbook's folder (a form inside a zip links to the zip)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: dict[str, set[str]] = {}
    for sheet, column in (("项目汇总", "来源文件"), ("问题清单", "文件")):
        rows = wb[sheet].iter_rows(min_row=1)
        header = [c.value for c in next(rows, ())]
        at = header.index(column)
        named = set()
        for row in rows:
            cell = row[at]
            if cell.hyperlink is not None and cell.hyperlink.target:
                named.add(os.path.normpath(path.parent / cell.hyperlink.target.split("#")[0]))
            elif cell.value is not None:
                named.add(str(cell.value))
        out[sheet] = named
    wb.close()
    return out
