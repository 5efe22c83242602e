"""The declaration's values, typed: its fields, its sub-projects and its indicator rows.

Blank 一级/二级 under a filled indicator row mean "same as the row above": paper forms merge those cells, so staff
leave them blank. The reader carries the value down, flags it on the row and records a normalisation.
"""

from __future__ import annotations

from xltools import spec
from xltools.model import CellValue, Declaration, Indicator, Normalisation, SubProject
from xltools.reader.cells import FormCells
from xltools.reader.grids import plain
from xltools.reader.identify import Identity
from xltools.reader.kinds import typed
from xltools.reader.tables import filled_rows
from xltools.targets import parse_target


def read_declaration(found: Identity, cells: FormCells, file: str) -> Declaration:
    form = found.form
    fields = {key: typed(cells, f.cell, f.kind) for key, f in form.fields.items()}
    return Declaration(
        file=file,
        sheet=form.sheet,
        template_version=form.version,
        year=found.year,
        framework=found.framework.id,
        framework_def=found.framework,
        fields=fields,
        subprojects=_subprojects(cells, form),
        indicators=_indicators(cells, form),
        normalisations=cells.normalisations,
        form=form,
    )


def _subprojects(cells: FormCells, form: spec.FormSpec) -> list[SubProject]:
    out = []
    for row, raw in filled_rows(cells, form, "subprojects"):
        name = typed(cells, row.cells["name"], spec.TEXT, raw["name"])
        amount = typed(cells, row.cells["amount"], spec.MONEY, raw["amount"])
        out.append(SubProject(row.index + 1, name, amount))
    return out


def _indicators(cells: FormCells, form: spec.FormSpec) -> list[Indicator]:
    out: list[Indicator] = []
    above: dict[str, CellValue] = {}
    for row, raw in filled_rows(cells, form, "indicators"):
        values = {key: typed(cells, row.cells[key], spec.TEXT, value) for key, value in raw.items()}
        inherited = {"level1": False, "level2": False}
        for key in ("level1", "level2"):
            prev = above.get(key)
            if key == "level2" and values["level1"].value != above.get("level1", CellValue("")).value:
                prev = None  # a new 一级 starts a new group: its 二级 is not carried across
            if values[key].blank and prev is not None and prev.value is not None:
                # Keep this row's address so a finding points at the cell the person sees blank.
                values[key] = CellValue(values[key].cell, "", prev.value)
                inherited[key] = True
                cells.note(values[key].cell, "", prev.value, "一级/二级指标留空，沿用上一行")
        above = {"level1": values["level1"], "level2": values["level2"]}
        target = values["target"]
        parsed = parse_target(target.raw)
        for reason in parsed.normalisations:
            # The rules judge the normalised text; record what that changed, never silently.
            cells.normalisations.append(Normalisation(target.cell, plain(target.raw), parsed.normalised, reason))
        out.append(Indicator(row.index + 1, values["level1"], values["level2"], values["level3"],
                             values["target"], inherited["level1"], inherited["level2"]))
    return out
