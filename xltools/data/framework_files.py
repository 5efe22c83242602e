"""The framework file format (TOML) and its validating loader: every problem is a :class:`FrameworkFileError`
whose Chinese message names the file and the key or line. The format is documented in README.md and in the shipped
files.

Standard library only: the engine, the worker processes and the template all import it.
"""

from __future__ import annotations

import errno
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from xltools.data.framework import Framework, Level3, name_key

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_FILE_BYTES = 1_000_000
# Excel's MATCH reads these as wildcards in a lookup text, so a 一级 holding one could pick the wrong 二级 list.
_WILDCARDS = "*?~"


class FrameworkFileError(ValueError):
    """A framework file cannot be used; ``str(error)`` is a Chinese message naming the file and the key or line."""


# -- the file format --------------------------------------------------------------------------------------------

_TOP_KEYS = ("id", "name", "source", "level1", "common_level3")
_LEVEL1_KEYS = ("name", "level2", "required", "aliases", "level2_aliases")
_LEVEL3_KEYS = ("names", "units")
_KIND_NAMES = {str: "文字", bool: "true 或 false", list: "列表", dict: "表"}


class _Reader:
    """Validates the parsed TOML of one file; every problem raises FrameworkFileError naming key and line."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.source = text
        self.lines = text.splitlines()

    def parsed(self) -> dict[str, Any]:
        """The file's TOML; a syntax error fails naming its line and column."""
        try:
            return tomllib.loads(self.source)
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_WHERE.search(str(exc))
            detail = _TOML_WHERE.sub("", str(exc)).strip()
            if m:
                raise self.fail(f"第 {m.group(2)} 列不是有效的 TOML（{detail}）。", int(m.group(1))) from None
            raise self.fail(f"不是有效的 TOML（{detail}）。") from None

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
    return reader.framework(reader.parsed())


_READ_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
                 errno.EISDIR: "这是一个文件夹，不是文件"}


def load_framework_file(path: str | Path) -> Framework:
    """Read and validate a framework file (UTF-8, with or without BOM; GB18030 as Windows tools write it)."""
    return parse_framework(read_text(path, "指标体系文件", FrameworkFileError), str(path))


def read_text(path: str | Path, noun: str, error: type[ValueError]) -> str:
    """The text of a small data file a bureau writes (``noun``: what it is, for the messages), UTF-8 with or
    without BOM, or GB18030 as Windows tools write it; ``error`` with a Chinese reason otherwise."""
    shown = str(path)
    try:
        p = Path(path)
        if p.stat().st_size > MAX_FILE_BYTES:
            raise error(f"{noun}“{shown}”过大（超过 1 MB），不像是{noun}。")
        raw = p.read_bytes()
    except OSError as exc:
        reason = _READ_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        raise error(f"无法读取{noun}“{shown}”：{reason}。") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error(f"{noun}“{shown}”无法按 UTF-8 或 GB18030 编码读取，请另存为 UTF-8。")  # pragma: no cover
