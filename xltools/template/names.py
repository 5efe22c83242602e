"""The workbook's defined names: the dropdown lists (choice lists, the framework's 一级/二级, suggested 三级) and
the result columns the form's highlight rule reads."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from xltools import results, spec

LEVEL1_NAME = "xlt_level1"
LEVEL2_PREFIX = "xlt_l2_"
LEVEL3_NAME = "xlt_level3"
PRINT_AREA = "_xlnm.Print_Area"  # a sheet's print area, as workbook.xml names it


def choice_name(choices_key: str) -> str:
    """Defined name of a choice list of data/choices.toml."""
    return f"xlt_{choices_key}"


def level2_name(position: int) -> str:
    """Defined name of the 二级 list of the ``position``-th 一级 (1-based, form order)."""
    return f"{LEVEL2_PREFIX}{position}"


def level2_formula(level1_cell: str) -> str:
    """The 二级 dropdown's list: the 二级 names of the 一级 chosen in ``level1_cell`` (a relative reference such as
    ``$A76``). MATCH finds its position in xlt_level1; INDIRECT turns "xlt_l2_<n>" into that list. A blank or
    unknown 一级 makes MATCH fail, and the dropdown offers nothing, as a blank INDIRECT did before."""
    return f'INDIRECT("{LEVEL2_PREFIX}"&MATCH({level1_cell},{LEVEL1_NAME},0))'


def cell_ref(sheet: str, col: str, first: int, last: int | None = None) -> str:
    ref = f"'{sheet}'!${col}${first}"
    return ref if last is None else f"{ref}:${col}${last}"


def _results_col(key: str) -> str:
    keys = [k for k, _label, _width in spec.RESULTS_COLUMNS]
    return get_column_letter(keys.index(key) + 1)


def results_rows() -> range:
    """Rows of the result block on the results sheet."""
    return range(results.FIRST_ROW, results.LAST_ROW + 1)


def results_range(key: str) -> str:
    """Absolute range (with sheet) of one result column, e.g. ``'校验结果'!$A$4:$A$2003``."""
    rows = results_rows()
    return cell_ref(spec.RESULTS_SHEET, _results_col(key), rows.start, rows.stop - 1)


def flag_names() -> dict[str, str]:
    """The defined names the highlight rule reads, mapped to their ranges."""
    return {
        spec.FLAG_SHEETS_NAME: results_range("sheet"),
        spec.FLAG_CELLS_NAME: results_range("cell"),
        spec.FLAG_SEVERITIES_NAME: results_range("severity"),
    }


def highlight_formula(severity: str, sheet: str = spec.FORM_SHEET) -> str:
    """CF formula: true when the current cell of the form ``sheet`` is listed in 校验结果 with ``severity``."""
    return (
        f'COUNTIFS({spec.FLAG_SHEETS_NAME},"{sheet}",'
        f"{spec.FLAG_CELLS_NAME},ADDRESS(ROW(),COLUMN(),4),"
        f'{spec.FLAG_SEVERITIES_NAME},"{spec.SEVERITY_LABELS[severity]}")>0'
    )
