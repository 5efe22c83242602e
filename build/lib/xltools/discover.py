"""Finding the returned workbooks under the paths a user names."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from xltools.workbook import EXTENSIONS


def is_lock_file(name: str) -> bool:
    # Office writes "~$name.xlsx" while a file is open; WPS writes ".~name.xlsx".
    return name.startswith(("~$", ".~"))


def _walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every workbook file under ``folder`` (recursively) with its stat. os.scandir, not Path.rglob + resolve:
    a bureau's folder holds thousands of files, and this runs before any of them can be read."""
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):  # a linked folder could loop
                            stack.append(entry.path)
                        elif (entry.is_file() and os.path.splitext(entry.name)[1].lower() in EXTENSIONS
                              and not is_lock_file(entry.name)):
                            yield Path(entry.path), entry.stat()
                    except OSError:  # vanished or unreadable entry: it was never a readable input
                        continue
        except OSError:
            continue


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly (whatever their extension: a renamed file must still be accounted for), plus every
    workbook found recursively under named folders, in a stable order. Lock files are skipped. A file reached
    twice (named twice, or through two folders or links) is listed once."""
    found: list[Path] = []
    seen: set[tuple[int, int] | str] = set()
    for raw in paths:
        p = Path(raw)
        candidates: list[tuple[Path, os.stat_result | None]]
        if p.is_dir():
            candidates = sorted(_walk(p), key=lambda pair: pair[0])
        else:
            try:
                candidates = [(p, p.stat())]
            except OSError:
                candidates = [(p, None)]  # reported as unreadable by the reader, not lost here
        for f, st in candidates:
            key: tuple[int, int] | str = (st.st_dev, st.st_ino) if st is not None else str(p.absolute())
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found
