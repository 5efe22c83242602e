"""The frameworks a run knows by id: the shipped ones plus the files a bureau supplies with ``--framework``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xltools.data.framework import Framework
from xltools.data.framework_files import FrameworkFileError, load_framework_file
from xltools.data.shipped import framework, framework_ids


@dataclass(frozen=True)
class Frameworks:
    """The frameworks a run knows by id: the shipped ones plus ``supplied`` (files given with ``--framework``).
    Small and picklable: consolidation hands it to its worker processes."""

    supplied: tuple[Framework, ...] = ()

    def get(self, framework_id: str) -> Framework | None:
        for fw in self.supplied:
            if fw.id == framework_id:
                return fw
        if framework_id in framework_ids():
            return framework(framework_id)
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        return (*framework_ids(), *(fw.id for fw in self.supplied))


def load_frameworks(paths: Iterable[str | Path] = ()) -> Frameworks:
    """A registry of the shipped frameworks and the files at ``paths``. Raises FrameworkFileError for a bad file,
    a file whose id is taken by a shipped framework it differs from, or two files with the same id."""
    supplied: dict[str, Framework] = {}
    for path in paths:
        fw = _checked_against_shipped(load_framework_file(path))
        if fw is None:
            continue
        if fw.id in supplied:
            raise FrameworkFileError(f"指标体系文件“{supplied[fw.id].path}”和“{fw.path}”的 id 都是“{fw.id}”："
                                     "同一次只能提供一个。")
        supplied[fw.id] = fw
    return Frameworks(tuple(supplied.values()))


def _checked_against_shipped(fw: Framework) -> Framework | None:
    """None when ``fw`` is a shipped framework read from a copy of its file (nothing to add)."""
    if fw.id not in framework_ids():
        return fw
    if fw == framework(fw.id):
        return None
    raise FrameworkFileError(f"指标体系文件“{fw.path}”的 id“{fw.id}”与内置指标体系相同而内容不同："
                             "请为自己的指标体系另起一个 id。")


def resolve_framework(value: str) -> Framework:
    """``xltools template --framework``: a shipped id, or the path of a framework file."""
    if value in framework_ids():
        return framework(value)
    p = Path(value)
    if p.suffix.lower() == ".toml" or p.exists():
        fw = load_framework_file(p)
        return _checked_against_shipped(fw) or framework(fw.id)
    raise FrameworkFileError(f"未知的指标体系“{value}”：内置的有 {'、'.join(framework_ids())}，"
                             "也可给出指标体系文件（.toml）的路径。")
