"""Consolidation: many returned workbooks into one bureau-wide workbook, validated with pandera.

* :mod:`.rows` turns one checked file into plain row tuples (runs in worker processes: no pandas);
* :mod:`.crossfile` finds what only the whole batch shows (duplicate submissions, units that sent nothing);
* :mod:`.tables` builds the pandas tables; :mod:`.schemas` validates them and maps failures back to cells;
* :mod:`.output` writes the formatted workbook (and parquet); :mod:`.run` orchestrates, with a process pool.

Importing this package is light on purpose: worker processes import :mod:`.rows` only, never pandas.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("consolidate", "Summary"):
        from xltools.consolidate import run

        return getattr(run, name)
    raise AttributeError(name)


__all__ = ["Summary", "consolidate"]
