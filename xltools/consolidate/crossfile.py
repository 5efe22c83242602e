"""Findings only the whole batch shows: the same project sent twice, and units that sent nothing."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from xltools import spec
from xltools.consolidate.rows import SUMMARY_FIELDS, FileRows
from xltools.findings import Finding
from xltools.units import Unit

_UNIT = SUMMARY_FIELDS.index("unit")
_PROJECT = SUMMARY_FIELDS.index("project")


def name_key(text: str | None) -> str:
    """Names compared as a reviewer would: full-width/half-width and whitespace do not make a different name."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def duplicates(files: Sequence[FileRows]) -> list[Finding]:
    """A ``duplicate-submission`` warning on every file of a group that shares 申报单位名称 and 项目名称."""
    groups: dict[tuple[str, str], list[FileRows]] = defaultdict(list)
    for rows in files:
        if rows.summary is None:
            continue
        key = (name_key(rows.summary[_UNIT]), name_key(rows.summary[_PROJECT]))
        if key[0] and key[1]:
            groups[key].append(rows)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for rows in group:
            others = _listed([o.file for o in group if o is not rows])
            assert rows.summary is not None
            out.append(Finding.of(
                "duplicate-submission",
                f"“{rows.summary[_UNIT]}”的项目“{rows.summary[_PROJECT]}”重复报送，另见：{others}。请确认保留哪一份。",
                file=rows.file, sheet=spec.FORM_SHEET, cell=spec.build_for(rows.version).fields["project"].cell,
            ))
    return out


SHOWN_OTHERS = 5  # a unit that sent one form a hundred times gets a readable message, not a hundred names


def _listed(names: list[str]) -> str:
    if len(names) <= SHOWN_OTHERS:
        return "、".join(names)
    return "、".join(names[:SHOWN_OTHERS]) + f" 等共 {len(names)} 个文件"


def not_returned(files: Sequence[FileRows], units: Sequence[Unit], units_file: str) -> list[Finding]:
    """A ``unit-not-returned`` warning for each unit on the list with no readable form among ``files``."""
    returned = {name_key(rows.summary[_UNIT]) for rows in files if rows.summary is not None}
    unreadable = sum(1 for rows in files if rows.summary is None)
    hint = f"（另有 {unreadable} 个文件无法读取或不是本模板，可能含该单位的申报表）" if unreadable else ""
    out = []
    for unit in units:
        if name_key(unit.name) not in returned:
            who = f"{unit.code} {unit.name}" if unit.code else unit.name
            out.append(Finding.of("unit-not-returned", f"单位“{who}”未报送申报表{hint}。", file=units_file))
    return out
