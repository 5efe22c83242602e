"""The workbook's VBA project, built without Excel: xlwings' standalone modules plus our own from ``macros/``.

The xlwings modules are read from the installed xlwings package at build time, so the embedded module and the
pinned Python package always agree (the module's ``RunPython`` checks that they do). xlwings is located, never
imported: the library imports xlwings only in ``xltools.excel``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from xltools.vba.project import (
    Module,
    Reference,
    build_vba_project,
    class_module,
    document_module,
    load_module,
    project_modules,
    standard_module,
)

__all__ = [
    "MACROS_DIR",
    "MACRO_FILE",
    "Module",
    "Reference",
    "XlwingsSources",
    "build_vba_project",
    "class_module",
    "document_module",
    "find_macro_file",
    "load_module",
    "our_modules",
    "project_modules",
    "standalone_modules",
    "standard_module",
    "xlwings_sources",
]



def find_macro_file(package_file: Path, prefix: Path) -> Path:
    """Our module's source (ASCII only): ``macros/`` beside the package in a source checkout (the editable install
    `make` does), else the copy an installed wheel puts under ``<prefix>/share/xltools/macros`` (pyproject's
    data-files). When neither exists, the checkout's path, for the error message."""
    beside = package_file.resolve().parents[2] / "macros" / "xltools.bas"
    installed = prefix / "share" / "xltools" / "macros" / "xltools.bas"
    return installed if not beside.is_file() and installed.is_file() else beside


MACRO_FILE = find_macro_file(Path(__file__), Path(sys.prefix))
MACROS_DIR = MACRO_FILE.parent
# What `xlwings quickstart --standalone` embeds: the all-in-one xlwings module and the Dictionary class it
# uses on macOS (xlwings' cli.py imports exactly these two files for standalone workbooks).
XLWINGS_FILES = ("xlwings.bas", "addin/Dictionary.cls")

_VERSION_LINE = re.compile(r"^'Version: (\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class XlwingsSources:
    version: str  # the installed xlwings, which is also the version the module names
    directory: Path
    modules: tuple[Module, ...]


def xlwings_sources() -> XlwingsSources:
    """The standalone xlwings modules of the installed xlwings. Raises if module and package disagree."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("xlwings is not installed")
    directory = Path(next(iter(spec.submodule_search_locations)))
    version = importlib.metadata.version("xlwings")
    modules = []
    for name in XLWINGS_FILES:
        source = (directory / name).read_bytes().decode("ascii")
        modules.append(load_module(name, source))
    m = _VERSION_LINE.search(modules[0].code)
    if not m or m.group(1) != version:
        found = m.group(1) if m else "none"
        raise RuntimeError(f"xlwings.bas names version {found} but xlwings {version} is installed")
    return XlwingsSources(version, directory, tuple(modules))


def our_modules() -> list[Module]:
    """Our own module(s) from ``macros/``; ASCII is enforced, as the VBA editor's code page is not ours."""
    raw = MACRO_FILE.read_bytes()
    try:
        source = raw.decode("ascii")
    except UnicodeDecodeError as e:
        raise ValueError(f"{MACRO_FILE.name} must be ASCII only: byte {e.start}") from None
    return [load_module(MACRO_FILE.name, source)]


def standalone_modules() -> list[Module]:
    """Every non-document module of the workbook: xlwings' standalone set, then ours."""
    return [*xlwings_sources().modules, *our_modules()]
