"""What differs between two versions of a framework's 一级/二级 lists: added, removed, renamed.

A rename is a guess made plainly: a name replaced in place (the names around it unchanged) is renamed; where more
names replace fewer, the first ones pair up as renames and the rest are added (or removed). Names compare as
written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

ADDED, REMOVED, RENAMED = "added", "removed", "renamed"


@dataclass(frozen=True)
class Change:
    kind: str  # ADDED, REMOVED or RENAMED
    level: int  # 1 (一级) or 2 (二级)
    name: str  # the name now (added, renamed) or as it was (removed)
    old: str = ""  # renamed: the name it had
    parent: str = ""  # a 二级's 一级, as it is named now


def _compare(old: Sequence[str], new: Sequence[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(renamed pairs, removed, added), each in list order."""
    renamed: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        before, after = list(old[i1:i2]), list(new[j1:j2])
        if tag == "replace":
            n = min(len(before), len(after))
            renamed += zip(before[:n], after[:n], strict=True)
            before, after = before[n:], after[n:]
        if tag != "equal":
            removed += before
            added += after
    return renamed, removed, added


def level_changes(old: Mapping[str, Sequence[str]], new: Mapping[str, Sequence[str]]) -> list[Change]:
    """Every difference from ``old`` to ``new`` (一级 -> its 二级 in form order): 一级 first, then the 二级 of each
    一级 both have (under its new name), in the new order."""
    renamed, removed, added = _compare(list(old), list(new))
    out = [Change(RENAMED, 1, after, before) for before, after in renamed]
    out += [Change(REMOVED, 1, name) for name in removed]
    out += [Change(ADDED, 1, name) for name in added]
    former = {after: before for before, after in renamed}
    for level1, level2 in new.items():
        before = former.get(level1, level1)
        if before not in old:
            continue
        renamed2, removed2, added2 = _compare(list(old[before]), list(level2))
        out += [Change(RENAMED, 2, b, a, level1) for a, b in renamed2]
        out += [Change(REMOVED, 2, name, parent=level1) for name in removed2]
        out += [Change(ADDED, 2, name, parent=level1) for name in added2]
    return out
