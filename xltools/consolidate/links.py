"""Where each row of the consolidated workbook came from: the name a cell shows, and the link that opens the file.

A row sheet's source column shows the file's *name* (``绩效目标申报表.xlsx``; a form inside a zip
``附件.zip/内部/表.xlsx``), which prints on one line; in 项目汇总 and 问题清单 a hyperlink keeps the full path,
relative to the output's folder so that the output and the folder of returns can move together. Links are computed
once per distinct file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pandas as pd

from xltools.consolidate import sheetxml
from xltools.consolidate import tables as t
from xltools.discover import Source, display


@dataclass(frozen=True)
class Place:
    """What a source cell shows (``name``) and the file its link opens (``path``, as the OS names it; for a form
    inside a zip, the zip)."""

    name: str
    path: str


def place_of(source: Source) -> Place:
    if source.member is None:
        return Place(os.path.basename(source.display) or source.display, source.path)
    zip_shown = display(source.path)
    inner = source.display[len(zip_shown) + 1:]
    return Place(f"{display(os.path.basename(source.path))}/{inner}", source.path)


def place_of_path(path: str) -> Place:
    return Place(os.path.basename(display(path)) or display(path), path)


# Characters a relationship target (a URI reference) cannot hold as they are; other text, Chinese included, stays.
# Surrogates are the bytes of a file name that is not UTF-8: they are written as those bytes.
_URI_UNSAFE = re.compile('[\x00-\x20%#?"<>\\[\\]^`{|}\x7f\ud800-\udfff]')


def link_target(file: str, base: str) -> str:
    """A URL for ``file`` relative to the folder ``base`` (so both can move together); an absolute file URL
    when no relative path exists (another drive on Windows)."""
    path = os.path.abspath(file)
    try:
        ref = os.path.relpath(path, base)
    except ValueError:
        ref = "file:///" + path.lstrip("/")
    ref = ref.replace(os.sep, "/")
    return _URI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogateescape")),
                           ref)


class Links:
    """The places of a run's files by what findings and tables call them (their display path), and the links to
    them from an output in folder ``base``."""

    def __init__(self, places: dict[str, Place], base: str) -> None:
        self.places = places
        self.base = base
        self._targets: dict[str, str] = {}

    def place(self, file: str) -> Place:
        return self.places.get(file) or Place(os.path.basename(file) or file, file)

    def target(self, file: str) -> str:
        if file not in self._targets:
            self._targets[file] = link_target(self.place(file).path, self.base)
        return self._targets[file]

    def coded(self, files: pd.Series, locations: pd.Series | None = None) -> sheetxml.Coded:
        """One link per row (None without a file); "#location" appended where a location is given."""
        codes, uniques = pd.factorize(files, use_na_sentinel=True)
        targets = [self.target(str(f)) if f else None for f in uniques]
        links = [targets[c] if c >= 0 else None for c in codes.tolist()]
        if locations is not None:
            links = [f"{link}#{where}" if link and where else link
                     for link, where in zip(links, locations, strict=True)]
        return sheetxml.code(links)

    def names(self, files: pd.Series) -> sheetxml.Coded:
        """The source column as its cells show it: each file's name."""
        codes, uniques = pd.factorize(files, use_na_sentinel=True)
        return sheetxml.Coded(codes.tolist(), [self.place(str(u)).name for u in uniques])

    def sheet_links(self, name: str, df: pd.DataFrame) -> tuple[sheetxml.Coded, int] | None:
        """Hyperlinks of row sheet ``name`` and the column they sit on: the source column."""
        if name not in t.LINKED_SHEETS:
            return None
        column = t.SOURCE_COLUMNS[name]
        kinds = t.SHEET_KINDS[name]
        if name == t.FINDINGS_SHEET:
            sheet, cell = df["工作表"].fillna(""), df["单元格"].fillna("")
            # A cell of another workbook, as Excel writes it: '申报表'!D15.
            location = ("'" + sheet.str.replace("'", "''") + "'!" + cell).where((sheet != "") & (cell != ""), "")
            return self.coded(df[column], location), list(kinds).index(column)
        return self.coded(df[column]), list(kinds).index(column)
