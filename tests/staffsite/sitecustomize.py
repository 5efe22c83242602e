"""Turns the interpreter into a staff install: put this folder first on PYTHONPATH.

A staff install (`pip install xltools`) has no pandas, numpy, pandera or pyarrow. Python runs this module at
start-up (``site`` imports ``sitecustomize``), and from then on any import of those packages fails exactly as it
would where they are absent (ModuleNotFoundError), however and by whom it is attempted. ``XLTOOLS_BLOCK`` (comma
separated) names other modules to block instead. Each attempt is appended to the file ``XLTOOLS_BLOCKED_LOG``
names, if any, so a test can tell what tried.
"""

import os
import sys

BLOCKED = tuple(filter(None, os.environ.get("XLTOOLS_BLOCK", "pandas,numpy,pandera,pyarrow").split(",")))


class StaffInstall:
    """A meta path finder ahead of all others that refuses the blocked packages and everything inside them."""

    @staticmethod
    def find_spec(name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.partition(".")[0] not in BLOCKED:
            return None
        log = os.environ.get("XLTOOLS_BLOCKED_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(name + "\n")
        raise ModuleNotFoundError(f"No module named {name!r} (blocked: a staff install)", name=name)


sys.meta_path.insert(0, StaffInstall)
