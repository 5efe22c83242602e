"""Small helpers the rule modules share: building findings, labels and number formats for messages."""

from __future__ import annotations

from xltools import spec
from xltools.bounds import number_text
from xltools.findings import CODE_ADVICE, Finding
from xltools.model import CellValue, Declaration
from xltools.text import yuan as yuan  # re-exported for the rule modules

TOLERANCE = spec.MONEY_TOLERANCE  # yuan: below half a fen is rounding, not a mistake


def form(decl: Declaration) -> spec.FormSpec:
    """The spec of the template version the form was made on, as the reader resolved it: addresses differ between
    versions, labels not. A declaration made without a reader (tests) has none: its version's spec then."""
    return decl.form or spec.build_for(decl.template_version)


def finding(decl: Declaration, code: str, cell: str, message: str) -> Finding:
    return Finding.of(code, message, file=decl.file, sheet=decl.sheet, cell=cell)


def advice(code: str) -> str:
    """The rule's one-sentence advice (xltools.findings.CODE_ADVICE): every message of the rule carries it word for
    word, and the form's explanation list shows the same sentence."""
    return CODE_ADVICE[code]


# Labels and titles are the same in every template version: looked up once, here, for the messages.
_LABELS = {key: f.label for key, f in spec.build().fields.items()}
_TABLES = {key: t for key, t in spec.build().tables.items()}


def label(key: str) -> str:
    """The label a person sees beside field ``key``."""
    return _LABELS[key]


def column_label(table: str, column: str) -> str:
    return _TABLES[table].column(column).label


def table_title(table: str) -> str:
    return _TABLES[table].title


def field_value(decl: Declaration, key: str) -> CellValue:
    """The reader's value of field ``key``; a blank at the spec's cell when the reader left it out."""
    cv = decl.fields.get(key)
    return cv if isinstance(cv, CellValue) else CellValue(form(decl).fields[key].cell)


def shown(cv: CellValue) -> str:
    """What the person typed, for quoting in a message."""
    raw = cv.raw
    if isinstance(raw, float) and (raw.is_integer() or abs(raw) >= 1e15):
        return number_text(raw)  # 1E+308, not a 309-digit number
    return "" if raw is None else str(raw).strip()


def number(cv: CellValue) -> float | None:
    """A usable non-negative amount, or None (blank, invalid, or the reader flagged a problem)."""
    if cv.problem:
        return None
    value = cv.number
    if value is None or value != value or value < 0:  # value != value: NaN
        return None
    return float(value)


def compact(text: str) -> str:
    """Text compared without any whitespace (labels typed with stray spaces still match)."""
    return "".join(text.split())
