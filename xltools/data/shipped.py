"""The indicator frameworks shipped as data files (``frameworks/*.toml``): ``sh2019`` the default, ``national``,
``cost2021``. Each is read and validated like any framework file, once."""

from __future__ import annotations

from functools import cache
from importlib import resources

from xltools.data.framework import Framework
from xltools.data.framework_files import FrameworkFileError, parse_framework

DEFAULT_FRAMEWORK = "sh2019"


@cache
def framework_ids() -> tuple[str, ...]:
    """Ids of the indicator frameworks shipped as data files."""
    folder = resources.files(__package__).joinpath("frameworks")
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


@cache
def framework(framework_id: str = DEFAULT_FRAMEWORK) -> Framework:
    """A shipped framework; KeyError for an unknown id."""
    if framework_id not in framework_ids():
        raise KeyError(framework_id)
    name = f"frameworks/{framework_id}.toml"
    fw = parse_framework(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"), name)
    if fw.id != framework_id:  # pragma: no cover - a packaging mistake, caught by the tests
        raise FrameworkFileError(f"{name} 的 id 是“{fw.id}”，应为“{framework_id}”。")
    return fw
