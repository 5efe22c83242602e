"""Indicator frameworks: the :class:`Framework` type, the TOML file format and its validating loader, and the
:class:`Frameworks` registry (shipped frameworks plus files a bureau supplies). Re-exported by :mod:`xltools.data`,
whose docstring documents the API; the file format is documented in README.md and in the shipped files.

Standard library only: the engine, the worker processes and the template all import it.
"""

from __future__ import annotations

import errno
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_FILE_BYTES = 1_000_000
# Excel's MATCH reads these as wildcards in a lookup text, so a 一级 holding one could pick the wrong 二级 list.
_WILDCARDS = "*?~"


def name_key(text: str) -> str:
    """How 一级/二级 names are compared: NFKC (full-width to half-width), no whitespace at all, case-folded.
    ``产出 指标`` and ``产出指标`` have the same key."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


class FrameworkFileError(ValueError):
    """A framework file cannot be used; ``str(error)`` is a Chinese message naming the file and the key or line."""


@dataclass(frozen=True)
class Level3:
    """A suggested 三级指标 and its usual unit ('' when it has none, e.g. a qualitative one)."""

    name: str
    unit: str = ""


@dataclass(frozen=True)
class Framework:
    """One indicator framework. See :mod:`xltools.data` for the API."""

    id: str
    name: str
    levels: dict[str, tuple[str, ...]]  # 一级 -> allowed 二级, in form order
    common_level3: tuple[str, ...]
    optional: frozenset[str] = frozenset()  # 一级 that need no indicator (every other one is required)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 一级 -> other accepted spellings
    level2_aliases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # 一级 -> 二级 -> spellings
    level3: tuple[Level3, ...] = ()  # common_level3 with their units
    source: str = ""
    path: str = field(default="", compare=False)  # the file it was read from ('' when built in code)
    # name_key -> canonical name, built once (the rules ask for every row of every form).
    _level1_keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _level2_keys: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __hash__(self) -> int:  # the dict fields are not hashable; equal frameworks share id and levels' names
        return hash((self.id, self.name, tuple(self.levels)))

    def __post_init__(self) -> None:
        keys1: dict[str, str] = {}
        keys2: dict[str, dict[str, str]] = {}
        for level1, level2 in self.levels.items():
            for spelling in (level1, *self.aliases.get(level1, ())):
                keys1.setdefault(name_key(spelling), level1)
            inner: dict[str, str] = {}
            extra = self.level2_aliases.get(level1, {})
            for name in level2:
                for spelling in (name, *extra.get(name, ())):
                    inner.setdefault(name_key(spelling), name)
            keys2[level1] = inner
        object.__setattr__(self, "_level1_keys", keys1)
        object.__setattr__(self, "_level2_keys", keys2)

    @property
    def level1(self) -> tuple[str, ...]:
        return tuple(self.levels)

    @property
    def required(self) -> tuple[str, ...]:
        """The 一级 every form must have at least one indicator of, in form order."""
        return tuple(name for name in self.levels if name not in self.optional)

    def canonical_level1(self, text: str) -> str | None:
        """The 一级 that ``text`` names (itself, an alias, or either with other spacing/width), or None."""
        return self._level1_keys.get(name_key(text or ""))

    def canonical_level2(self, level1: str, text: str) -> str | None:
        """The 二级 of 一级 ``level1`` (any spelling) that ``text`` names, or None when it is not allowed there."""
        canonical = self.canonical_level1(level1)
        if canonical is None:
            return None
        return self._level2_keys[canonical].get(name_key(text or ""))

    def spellings(self) -> dict[str, tuple[str, ...]]:
        """Every accepted pair as name keys: each spelling of a 一级 (its :func:`name_key`) -> the keys of every
        spelling of its 二级. For table-level checks (consolidation)."""
        return {key1: tuple(self._level2_keys[level1]) for key1, level1 in self._level1_keys.items()}

    def level1_spellings(self, level1: str) -> tuple[str, ...]:
        """The canonical name of a 一级 and its aliases, as written in the file."""
        return (level1, *self.aliases.get(level1, ()))

    def level2_spellings(self, level1: str, level2: str) -> tuple[str, ...]:
        return (level2, *self.level2_aliases.get(level1, {}).get(level2, ()))


# -- the file format --------------------------------------------------------------------------------------------

_TOP_KEYS = ("id", "name", "source", "level1", "common_level3")
_LEVEL1_KEYS = ("name", "level2", "required", "aliases", "level2_aliases")
_LEVEL3_KEYS = ("names", "units")
_KIND_NAMES = {str: "文字", bool: "true 或 false", list: "列表", dict: "表"}


class _Reader:
    """Validates the parsed TOML of one file; every problem raises FrameworkFileError naming key and line."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, problem: str, line: int | None = None) -> FrameworkFileError:
        where = f"第 {line} 行：" if line else ""
        return FrameworkFileError(f"指标体系文件“{self.path}”{where}{problem}")

    def line_of(self, key: str, index: int | None = None) -> int | None:
        """The line of top-level ``key = ...``, or of the ``index``-th ``[[level1]]`` header (0-based)."""
        if index is not None:
            header = re.compile(rf"^\s*\[\[\s*{key}\s*\]\]")
            hits = [n for n, line in enumerate(self.lines, start=1) if header.match(line)]
            return hits[index] if index < len(hits) else None
        pattern = re.compile(rf"^\s*(?:{key}\s*=|\[\s*{key}\s*\])")
        return next((n for n, line in enumerate(self.lines, start=1) if pattern.match(line)), None)

    def get(self, table: Mapping[str, Any], key: str, kind: type, where: str, line: int | None,
            required: bool = True) -> Any:
        if key not in table:
            if required:
                raise self.fail(f"缺少键 {where}{key}。", line)
            return None
        value = table[key]
        if not isinstance(value, kind):
            raise self.fail(f"键 {where}{key} 应为{_KIND_NAMES[kind]}，实为{_describe(value)}。", line)
        return value

    def unknown(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str, line: int | None) -> None:
        extra = [k for k in table if k not in allowed]
        if extra:
            raise self.fail(f"未知的键 {where}{extra[0]}（可用的键：{'、'.join(allowed)}）。", line)

    def text(self, value: Any, key: str, line: int | None) -> str:
        if not isinstance(value, str):
            raise self.fail(f"{key} 应为文字，实为{_describe(value)}。", line)
        text = value.strip()
        if not text:
            raise self.fail(f"{key} 为空。", line)
        return text

    def texts(self, value: Any, key: str, line: int | None, *, nonempty: bool = True) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(f"键 {key} 应为文字列表，实为{_describe(value)}。", line)
        if nonempty and not value:
            raise self.fail(f"键 {key} 为空列表：至少要有一项。", line)
        return tuple(self.text(item, f"{key}[{i + 1}]", line) for i, item in enumerate(value))

    def name(self, value: Any, key: str, line: int | None) -> str:
        text = self.text(value, key, line)
        if text.startswith("="):
            raise self.fail(f"{key}“{text}”不能以“=”开头（Excel 会当作公式）。", line)
        bad = [ch for ch in _WILDCARDS if ch in text]
        if bad:
            raise self.fail(f"{key}“{text}”含有“{bad[0]}”（Excel 查找时把 * ? ~ 当作通配符），请换用其他字符。", line)
        return text

    def distinct(self, spellings: Iterable[tuple[str, str]], what: str, line: int | None,
                 seen: dict[str, str] | None = None) -> None:
        """Each (spelling, where) must differ from every other (and from ``seen``) after spacing and width are
        ignored; ``seen`` collects them across calls."""
        seen = {} if seen is None else seen
        for spelling, where in spellings:
            key = name_key(spelling)
            if key in seen:
                raise self.fail(f"{what}“{spelling}”重复（{seen[key]} 与 {where}；比较时不计空格和全角半角）。", line)
            seen[key] = where

    def framework(self, raw: dict[str, Any]) -> Framework:
        self.unknown(raw, _TOP_KEYS, "", None)
        fid = self.get(raw, "id", str, "", self.line_of("id"))
        if not ID_RE.fullmatch(fid):
            raise self.fail(f"id“{fid}”无效：只能用英文字母、数字、- 和 _，不超过 40 个字符。", self.line_of("id"))
        title = self.text(self.get(raw, "name", str, "", self.line_of("name")), "name", self.line_of("name"))
        source = self.get(raw, "source", str, "", self.line_of("source"), required=False) or ""
        entries = self.get(raw, "level1", list, "", None)
        if not entries:
            raise self.fail("键 level1 为空：至少要有一个 [[level1]]。")
        levels: dict[str, tuple[str, ...]] = {}
        optional: set[str] = set()
        aliases: dict[str, tuple[str, ...]] = {}
        level2_aliases: dict[str, dict[str, tuple[str, ...]]] = {}
        seen1: dict[str, str] = {}
        for i, entry in enumerate(entries):
            where, line = f"level1[{i + 1}].", self.line_of("level1", i)
            if not isinstance(entry, dict):
                raise self.fail(f"level1[{i + 1}] 应为表（[[level1]]），实为{_describe(entry)}。", line)
            self.unknown(entry, _LEVEL1_KEYS, where, line)
            name = self.name(self.get(entry, "name", str, where, line), f"{where}name", line)
            level2 = tuple(self.name(v, f"{where}level2[{j + 1}]", line)
                           for j, v in enumerate(self.texts(self.get(entry, "level2", list, where, line),
                                                            f"{where}level2", line)))
            own = self.texts(self.get(entry, "aliases", list, where, line, required=False) or [],
                             f"{where}aliases", line, nonempty=False)
            if self.get(entry, "required", bool, where, line, required=False) is False:
                optional.add(name)
            self.distinct([(name, f"{where}name"), *((a, f"{where}aliases") for a in own)], "一级指标", line, seen1)
            extra = self.get(entry, "level2_aliases", dict, where, line, required=False) or {}
            inner: dict[str, tuple[str, ...]] = {}
            for target, values in extra.items():
                if target not in level2:
                    raise self.fail(f"{where}level2_aliases 中的“{target}”不是该一级指标的二级指标"
                                    f"（{'、'.join(level2)}）。", line)
                inner[target] = self.texts(values, f"{where}level2_aliases.{target}", line, nonempty=False)
            self.distinct([(n, f"{where}level2[{j + 1}]") for j, n in enumerate(level2)]
                          + [(a, f"{where}level2_aliases.{t}") for t, vs in inner.items() for a in vs],
                          "二级指标", line)
            levels[name], aliases[name] = level2, own
            if inner:
                level2_aliases[name] = inner
        names, units = self.level3(raw)
        return Framework(
            id=fid, name=title, levels=levels, common_level3=names, optional=frozenset(optional),
            aliases={k: v for k, v in aliases.items() if v}, level2_aliases=level2_aliases,
            level3=tuple(Level3(n, units.get(n, "")) for n in names), source=source.strip(), path=self.path,
        )

    def level3(self, raw: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, str]]:
        line = self.line_of("common_level3")
        table = self.get(raw, "common_level3", dict, "", line, required=False)
        if table is None:
            return (), {}
        self.unknown(table, _LEVEL3_KEYS, "common_level3.", line)
        names = self.texts(self.get(table, "names", list, "common_level3.", line), "common_level3.names", line,
                           nonempty=False)
        self.distinct([(n, "common_level3.names") for n in names], "三级指标", line)
        units = self.get(table, "units", dict, "common_level3.", line, required=False) or {}
        for name, unit in units.items():
            if name not in names:
                raise self.fail(f"common_level3.units 中的“{name}”不在 common_level3.names 中。", line)
            if not isinstance(unit, str):
                raise self.fail(f"common_level3.units.{name} 应为文字，实为{_describe(unit)}。", line)
        return names, {k: v.strip() for k, v in units.items()}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true 或 false（{str(value).lower()}）"
    if isinstance(value, int | float):
        return f"数字（{value}）"
    if isinstance(value, str):
        return f"文字（“{value}”）"
    for kind, label in _KIND_NAMES.items():
        if isinstance(value, kind):
            return label
    return f"日期或时间（{value}）"  # what else TOML can hold


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_framework(text: str, path: str) -> Framework:
    """Parse and validate the TOML ``text`` of a framework file; ``path`` is named in error messages."""
    reader = _Reader(path, text)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_WHERE.search(str(exc))
        detail = _TOML_WHERE.sub("", str(exc)).strip()
        if m:
            raise reader.fail(f"第 {m.group(2)} 列不是有效的 TOML（{detail}）。", int(m.group(1))) from None
        raise reader.fail(f"不是有效的 TOML（{detail}）。") from None
    return reader.framework(raw)


_READ_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
                 errno.EISDIR: "这是一个文件夹，不是文件"}


def load_framework_file(path: str | Path) -> Framework:
    """Read and validate a framework file (UTF-8, with or without BOM; GB18030 as Windows tools write it)."""
    shown = str(path)
    try:
        p = Path(path)
        if p.stat().st_size > MAX_FILE_BYTES:
            raise FrameworkFileError(f"指标体系文件“{shown}”过大（超过 1 MB），不像是指标体系文件。")
        raw = p.read_bytes()
    except FrameworkFileError:
        raise
    except OSError as exc:
        reason = _READ_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        raise FrameworkFileError(f"无法读取指标体系文件“{shown}”：{reason}。") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise FrameworkFileError(f"指标体系文件“{shown}”无法按 UTF-8 或 GB18030 编码读取，请另存为 UTF-8。")
    return parse_framework(text, shown)


# -- the registry -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frameworks:
    """The frameworks a run knows by id: the shipped ones plus ``supplied`` (files given with ``--framework``).
    Small and picklable: consolidation hands it to its worker processes."""

    supplied: tuple[Framework, ...] = ()

    def get(self, framework_id: str) -> Framework | None:
        from xltools import data

        for fw in self.supplied:
            if fw.id == framework_id:
                return fw
        if framework_id in data.framework_ids():
            return data.framework(framework_id)
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        from xltools import data

        return (*data.framework_ids(), *(fw.id for fw in self.supplied))


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
    from xltools import data

    if fw.id not in data.framework_ids():
        return fw
    if fw == data.framework(fw.id):
        return None
    raise FrameworkFileError(f"指标体系文件“{fw.path}”的 id“{fw.id}”与内置指标体系相同而内容不同："
                             "请为自己的指标体系另起一个 id。")


def resolve_framework(value: str) -> Framework:
    """``xltools template --framework``: a shipped id, or the path of a framework file."""
    from xltools import data

    if value in data.framework_ids():
        return data.framework(value)
    p = Path(value)
    if p.suffix.lower() == ".toml" or p.exists():
        fw = load_framework_file(p)
        return _checked_against_shipped(fw) or data.framework(fw.id)
    raise FrameworkFileError(f"未知的指标体系“{value}”：内置的有 {'、'.join(data.framework_ids())}，"
                             "也可给出指标体系文件（.toml）的路径。")
