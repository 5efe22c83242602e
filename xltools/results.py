"""What goes into the 校验结果 sheet: shared by `xltools check --annotate` (openpyxl) and the Excel button (xlwings).

The form sheet's conditional formats highlight every cell listed here, so writing these rows is all it takes to
mark problem cells: the protected form is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xltools import spec
from xltools.cells import column_letter, sort_key
from xltools.findings import CODE_TITLES, Finding

HEADER = tuple(label for _key, label, _width in spec.RESULTS_COLUMNS)
FIRST_ROW = spec.RESULTS_HEADER_ROW + 1
LAST_ROW = FIRST_ROW + spec.RESULTS_CAPACITY - 1
LAST_COL = column_letter(len(spec.RESULTS_COLUMNS))
# The block a writer clears before writing: summary line down to the last result row.
BLOCK = f"A{FIRST_ROW}:{LAST_COL}{LAST_ROW}"


def print_area() -> str:
    """The print area of 校验结果 as a formula: from A1 down to the last result row written (every row has a
    message), never less than the header. Defined once in the template, it follows whatever the check, the
    annotated copy or the button writes: the button cannot change the page setup of the protected sheet, and a
    fixed area would either cut the findings off or print up to 2,000 empty rows. Excel evaluates such a name when
    printing; LibreOffice ignores a formula print area and prints the used cells, which are the same rows."""
    sheet = "'" + spec.RESULTS_SHEET.replace("'", "''") + "'"
    keys = [key for key, _label, _width in spec.RESULTS_COLUMNS]
    message = column_letter(keys.index("message") + 1)
    return (f"OFFSET({sheet}!$A$1,0,0,{spec.RESULTS_HEADER_ROW}+COUNTA({sheet}!${message}${FIRST_ROW}:"
            f"${message}${LAST_ROW}),{len(spec.RESULTS_COLUMNS)})")


# Version 2's status line counts only what the template's formulas can check and never reads this sheet: beside a
# program's summary it could show another count, so the summary says which verdict holds. From version 3 on the
# status line shows this summary itself: one verdict per printout.
LIVE_APART = "（以本表为准：申报表顶部的“表内自查”只含表格公式能判断的规则，计数可能不同）"


def summary_line(summary: str, form: spec.FormSpec | None) -> str:
    """The summary a check writes into 校验结果 for a form of this layout (``form``: its version's spec, None when
    unknown)."""
    if form is not None and form.status is not None and not form.status.reads_results:
        return summary + LIVE_APART
    return summary


def row(finding: Finding) -> tuple[str, ...]:
    values = {
        "severity": spec.SEVERITY_LABELS[finding.severity],
        "sheet": finding.sheet,
        "cell": finding.cell,
        "code": finding.code,  # the contract code, so the sheet can be filtered like the JSON output
        "message": f"【{CODE_TITLES[finding.code]}】{finding.message}",
    }
    return tuple(values[key] for key, _label, _width in spec.RESULTS_COLUMNS)


def rows(findings: Iterable[Finding]) -> list[tuple[str, ...]]:
    """One row per finding, errors first, then in sheet order. Capped at the sheet's capacity."""
    ordered = sorted(findings, key=lambda f: (f.severity != "error", f.sheet != spec.FORM_SHEET,
                                               sort_key(f.cell)))
    out = [row(f) for f in ordered]
    if len(out) > spec.RESULTS_CAPACITY:
        more = len(ordered) - spec.RESULTS_CAPACITY + 1
        out = out[: spec.RESULTS_CAPACITY - 1] + [("",) * (len(HEADER) - 1) + (f"另有 {more} 条未列出",)]
    return out


def padded(findings: Sequence[Finding]) -> list[tuple[str, ...]]:
    """Rows for the whole result block: the findings, then blanks that clear what an earlier check left."""
    body = rows(findings)
    blank = ("",) * len(spec.RESULTS_COLUMNS)
    return body + [blank] * (spec.RESULTS_CAPACITY - len(body))
