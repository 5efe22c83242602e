"""Minimal wheel files for offline tests: a name, a version, a tag and Requires-Dist lines, as pip reads them.

pip resolves a folder of these exactly as it resolves real wheels (it reads only the file name and the
``*.dist-info/METADATA``), so ``xltools bundle --wheels`` can be tested without a network.
"""

from __future__ import annotations

import zipfile
from pathlib import Path


def make_wheel(folder: Path, name: str, version: str, tag: str = "py3-none-any", requires: tuple[str, ...] = ()) -> Path:
    """Write ``{name}-{version}-{tag}.whl`` into ``folder`` with the given requirements."""
    stem = name.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    metadata = "".join([
        "Metadata-Version: 2.1\n", f"Name: {name}\n", f"Version: {version}\n",
        *(f"Requires-Dist: {req}\n" for req in requires),
    ])
    wheel = f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {'true' if tag.endswith('any') else 'false'}\n"
    wheel += "".join(f"Tag: {t}\n" for t in _expand(tag))
    record = f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{stem}/__init__.py", "")
        zf.writestr(f"{info}/METADATA", metadata)
        zf.writestr(f"{info}/WHEEL", wheel)
        zf.writestr(f"{info}/RECORD", record)
    return path


def _expand(tag: str) -> list[str]:
    interpreters, abis, platforms = tag.split("-")
    return [f"{i}-{a}-{p}" for i in interpreters.split(".") for a in abis.split(".") for p in platforms.split(".")]
