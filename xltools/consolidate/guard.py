"""The consolidation never overwrites what it reads: the output must not be an input (or last year's table).

An output path that is a file found among the inputs is refused before anything is read, unless that file is
xltools' own output (a consolidation written there by an earlier run, which is skipped as an input anyway).
"""

from __future__ import annotations

import os
from pathlib import Path

from xltools import marks
from xltools.atomic import OutputError
from xltools.discover import Found, display


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def check_output(target: Path, found: Found, previous: str | os.PathLike[str] | None = None) -> None:
    """Raise OutputError when writing ``target`` would replace an input form (or a zip of forms) or ``previous``."""
    here = _identity(target)
    if here is None:  # not there yet: it cannot be an input
        return
    if previous is not None and _identity(previous) == here:
        raise OutputError(f"输出文件“{display(target)}”就是 --previous 给出的上年汇总表：汇总不会覆盖它。"
                          "请把本年的汇总表写到另一个文件。")
    for path in dict.fromkeys(s.path for s in found.sources):
        if _identity(path) != here:
            continue
        if marks.probe_path(str(target)).output is not None:
            return  # an earlier consolidation or copy of ours: replacing it loses no return
        raise OutputError(f"输出文件“{display(target)}”是要汇总的输入文件之一：汇总不会覆盖报回的申报表。"
                          "请把汇总表写到另一个文件（例如回收文件夹之外）。")
