"""Finding the returned workbooks under the paths a user names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xltools.workbook import EXTENSIONS


def is_lock_file(path: Path) -> bool:
    # Office writes "~$name.xlsx" while a file is open; WPS writes ".~name.xlsx".
    return path.name.startswith(("~$", ".~"))


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly (whatever their extension: a renamed file must still be accounted for), plus every
    workbook found recursively under named folders, in a stable order. Lock files are skipped."""
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            candidates = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in EXTENSIONS and not is_lock_file(f)
            )
        else:
            candidates = [p]
        for f in candidates:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found
