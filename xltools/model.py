"""The typed declaration a reader makes of one returned form. Plain data: no I/O, no Excel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xltools.data import Framework
from xltools.spec import FormSpec


@dataclass(frozen=True)
class CellValue:
    """One cell as typed by a person and as understood by the reader.

    ``raw`` is what the workbook held (``""`` for a blank). ``value`` is the typed value: ``str`` for text and
    choices, ``float`` for money, ``datetime.date`` for dates; None when blank or when ``raw`` could not be
    typed, in which case ``problem`` says why (in Chinese, for the message).
    """

    cell: str
    raw: Any = ""
    value: Any = None
    problem: str | None = None

    @property
    def blank(self) -> bool:
        return self.raw is None or (isinstance(self.raw, str) and not self.raw.strip())

    @property
    def text(self) -> str:
        return self.value if isinstance(self.value, str) else ""

    @property
    def number(self) -> float | None:
        return self.value if isinstance(self.value, int | float) and not isinstance(self.value, bool) else None

    @property
    def date(self) -> dt.date | None:
        return self.value if isinstance(self.value, dt.date) else None


@dataclass(frozen=True)
class Normalisation:
    """A change the reader made to what a person typed, recorded so it is never silent."""

    cell: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class SubProject:
    row: int
    name: CellValue
    amount: CellValue


@dataclass(frozen=True)
class Indicator:
    """One row of 分解目标.

    A blank 一级/二级 under a filled row means "same as above" (paper forms merge those cells, so staff leave
    them blank): the reader carries the value down and sets ``level1_inherited`` / ``level2_inherited``.
    """

    row: int
    level1: CellValue
    level2: CellValue
    level3: CellValue
    target: CellValue
    level1_inherited: bool = False
    level2_inherited: bool = False


@dataclass
class Declaration:
    """One form as read. ``framework`` is the id the form records; ``framework_def`` the framework it names, as the
    reader resolved it (shipped or supplied with ``--framework``), and ``form`` the spec of its template version,
    resolved once by the reader and used by every rule and by consolidation. Built without a reader (tests), both
    are None: the rules then look ``framework`` up among the shipped frameworks and the version's spec up by its
    number."""

    file: str
    sheet: str
    template_version: str
    year: int | None
    framework: str
    fields: dict[str, CellValue]
    subprojects: list[SubProject] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    normalisations: list[Normalisation] = field(default_factory=list)
    framework_def: Framework | None = None
    form: FormSpec | None = None

    def __getitem__(self, key: str) -> CellValue:
        return self.fields[key]
