"""The sheets every xltools template has beside its form, whatever the family: the results sheet a check writes,
the hidden lists, meta and live-check sheets, and the names that tie them to the form."""

from __future__ import annotations

RESULTS_SHEET = "校验结果"
LISTS_SHEET = "_lists"
META_SHEET = "_xltools"
CHECKS_SHEET = "_checks"  # the live checks' working cells (version 2 on); see xltools.live
EXPLAIN_SHEET = "自查说明"  # the live checks' reasons, rule by rule, in words (version 3 on; xltools.live.explain)

DEFAULT_PASSWORD = "xltools"

# The meta sheet: key in column A, value in column B, one row each, in this order. Read by key, never by row, so a
# key added later (framework_digest) is simply absent from older forms.
META_KEYS = ("template_id", "version", "year", "framework", "unit_locked", "framework_digest")

# The results sheet, written by `xltools check --annotate` and the Excel button.
RESULTS_SUMMARY_CELL = "A1"
RESULTS_UNCHECKED = "尚未校验。"  # the summary cell of a template nobody has checked yet
RESULTS_HEADER_ROW = 3
RESULTS_COLUMNS = (
    ("severity", "严重程度", 10.0),
    ("sheet", "工作表", 12.0),
    ("cell", "单元格", 10.0),
    ("code", "规则", 24.0),
    ("message", "说明", 80.0),
)
RESULTS_CAPACITY = 2000
# Conditional formats on the form highlight every cell listed in these result columns, so the check never has
# to touch the protected form sheet.
FLAG_SHEETS_NAME = "xlt_flag_sheets"
FLAG_CELLS_NAME = "xlt_flag_cells"
FLAG_SEVERITIES_NAME = "xlt_flag_severities"

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
