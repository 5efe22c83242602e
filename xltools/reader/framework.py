"""Was the form made with the framework it is checked against? The template records the digest of its framework
(meta ``framework_digest``, :attr:`xltools.data.Framework.digest`); when the framework this run knows by the form's
id has another digest, the form gets ``framework-changed`` (a warning: it is still checked, against this run's
framework), naming the 一级/二级 added, removed or renamed.

What the form was made with is read from its own ``_lists`` sheet (the 一级 and 二级 lists its dropdowns offered),
only when the digests differ. A form made before digests were recorded has none: for a shipped framework it was made
with the framework's first recorded content (``data/framework_digests.toml``: shipped files were never edited before
digests were recorded), so its lists are read only once that framework has changed; for a bureau's file its lists
are compared. Either way it is silent when its lists agree (or cannot be read), and warned when they do not.
"""

from __future__ import annotations

from collections.abc import Mapping

from xltools import data, spec
from xltools.data.changes import ADDED, REMOVED, Change, level_changes
from xltools.findings import Finding
from xltools.reader.grids import Grid, plain
from xltools.reader.identify import Identity

DIGEST_KEY = "framework_digest"
LEVEL1_HEADER = "一级指标"  # the header of the 一级 list on _lists; the 二级 lists follow it, one per 一级
FRAMEWORK_CELL = f"B{spec.META_KEYS.index('framework') + 1}"


def _shipped(fw: data.Framework) -> bool:
    # The registry hands out the one cached object of a shipped framework (a file equal to it is dropped).
    return fw.id in data.framework_ids() and fw is data.framework(fw.id)


def made_with(meta: Mapping[str, str], fw: data.Framework) -> str:
    """The digest of the framework content the form was made with: the one it records; for a form made before
    digests were recorded, a shipped framework's first recorded content; else unknown ('')."""
    recorded = meta.get(DIGEST_KEY, "")
    if not recorded and _shipped(fw):
        return data.shipped_digests()[fw.id][0]
    return recorded


def needs_lists(meta: Mapping[str, str], frameworks: data.Frameworks) -> bool:
    """Whether the form's ``_lists`` are needed: its framework is known, and made with another content of it (or
    an unknown one)."""
    fw = frameworks.get(meta.get("framework") or data.DEFAULT_FRAMEWORK)
    return fw is not None and made_with(meta, fw) != fw.digest


def recorded_levels(lists: Grid) -> dict[str, tuple[str, ...]] | None:
    """一级 -> 二级 as the form's ``_lists`` sheet holds them, or None when it holds no such lists."""
    header = [plain(v) for v in lists[0]] if lists else []
    if LEVEL1_HEADER not in header:
        return None
    first = header.index(LEVEL1_HEADER)

    def column(col: int) -> tuple[str, ...]:
        out = []
        for row in lists[1:]:
            value = plain(row[col]) if col < len(row) else ""
            if not value:
                break
            out.append(value)
        return tuple(out)

    level1 = column(first)
    return {name: column(first + 1 + i) for i, name in enumerate(level1)}


def framework_changed(found: Identity, lists: Grid | None, file: str) -> Finding | None:
    fw = found.framework
    if made_with(found.meta, fw) == fw.digest:
        return None
    recorded = found.meta.get(DIGEST_KEY, "")
    old = recorded_levels(lists) if lists is not None else None
    changes = level_changes(old, fw.levels) if old is not None else None
    if not recorded and not changes:
        return None  # made before digests were recorded, and its lists agree (or are not there to compare)
    source = ("内置的同名指标体系" if _shipped(fw) else f"指标体系文件“{fw.path}”" if fw.path else "本次提供的同名指标体系")
    if changes:
        what = "：" + "；".join(_describe(c) for c in changes)
    elif changes == []:
        what = "：一级、二级指标的名称相同，别名或必填设置不同"
    else:
        what = f"（表中记录的摘要为 {recorded}，现为 {fw.digest}；表中没有可比对的指标清单）"
    message = (f"本表按指标体系“{fw.id}”制作，与本次检查所用的{source}内容不同{what}。"
               "已按本次的指标体系检查；请核对表中的一级、二级指标是否仍然适用。")
    return Finding.of("framework-changed", message, file=file, sheet=spec.META_SHEET, cell=FRAMEWORK_CELL)


def _describe(change: Change) -> str:
    if change.level == 1:
        if change.kind == ADDED:
            return f"新增一级指标“{change.name}”"
        if change.kind == REMOVED:
            return f"删除一级指标“{change.name}”"
        return f"一级指标“{change.old}”改名为“{change.name}”"
    under = f"一级指标“{change.parent}”下"
    if change.kind == ADDED:
        return f"{under}新增二级指标“{change.name}”"
    if change.kind == REMOVED:
        return f"{under}删除二级指标“{change.name}”"
    return f"{under}二级指标“{change.old}”改名为“{change.name}”"
