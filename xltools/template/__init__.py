"""The canonical workbook of a form, generated with openpyxl from :mod:`xltools.spec`.

Sheets, in order:

- the form (``申报表``): locked except the spec's input cells; live check formulas with conditional formats (what
  WPS users get without Python); a second set of conditional formats that paints any input cell listed in
  ``校验结果``.
- ``校验结果``: where a check (``xltools check --annotate``, the Excel button) writes its findings. Protected like
  every sheet, but its summary cell and result block are unlocked and cell formatting is allowed.
- ``_lists`` (hidden): the dropdown lists and their defined names. The 二级 lists are named by the position of
  their 一级 (``xlt_l2_1`` ...), so any 一级 text works (digits first, spaces, brackets, full-width characters):
  the 二级 dropdown is ``INDIRECT("xlt_l2_"&MATCH(<一级 cell>,xlt_level1,0))``.
- ``_xltools`` (hidden): template id, version, year, framework, unit_locked; all stored as text so any value
  reader (python-calamine) reads them back unchanged. Beside them, the live checks' counts.
- ``_checks`` (hidden): the live checks' working cells (:mod:`xltools.live`).

One module per concern: :mod:`~xltools.template.styles` (look, locks, page), :mod:`~xltools.template.names`
(defined names), :mod:`~xltools.template.validations`, :mod:`~xltools.template.form` (the form sheet),
:mod:`~xltools.template.sheets` (the sheets beside it), :mod:`~xltools.template.build` (assembling and writing),
:mod:`~xltools.template.dump` (inspecting a written workbook). :func:`build_template` returns the openpyxl workbook
so a caller (the .xlsm variant) can post-process it.
"""

from __future__ import annotations

from xltools.template.build import build_template, save_atomic, write_template, write_unit_templates
from xltools.template.dump import print_areas, semantic_dump, unlocked_cells
from xltools.template.names import (
    LEVEL1_NAME,
    LEVEL2_PREFIX,
    LEVEL3_NAME,
    PRINT_AREA,
    choice_name,
    flag_names,
    highlight_formula,
    level2_formula,
    level2_name,
    results_range,
    results_rows,
)
from xltools.template.sheets import RESULTS_NOTE, RESULTS_SUMMARY_TEXT, TemplateError, meta_values
from xltools.template.styles import (
    BAD_FILL_RGB,
    BAD_FONT_RGB,
    CLEAN_FILL_RGB,
    CLEAN_FONT_RGB,
    FORM_PROTECTION,
    TODO_FILL_RGB,
    WARN_FILL_RGB,
    WARN_FONT_RGB,
)
from xltools.template.validations import DATE_SPAN_YEARS, date_bounds

__all__ = [
    "BAD_FILL_RGB", "BAD_FONT_RGB", "CLEAN_FILL_RGB", "CLEAN_FONT_RGB", "DATE_SPAN_YEARS", "FORM_PROTECTION",
    "LEVEL1_NAME", "LEVEL2_PREFIX", "LEVEL3_NAME", "PRINT_AREA", "RESULTS_NOTE", "RESULTS_SUMMARY_TEXT",
    "TODO_FILL_RGB", "WARN_FILL_RGB", "WARN_FONT_RGB", "TemplateError", "build_template", "choice_name",
    "date_bounds", "flag_names", "highlight_formula", "level2_formula", "level2_name", "meta_values", "print_areas",
    "results_range", "results_rows", "save_atomic", "semantic_dump", "unlocked_cells", "write_template",
    "write_unit_templates",
]
