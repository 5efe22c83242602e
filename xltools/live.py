"""Live checks: the rules a worksheet formula can decide, as formulas inside the template (no Python needed).

Staff on WPS, LibreOffice, a Mac or a locked-down PC never run the Python engine, so the workbook checks itself.
Everything here is derived from the spec (:mod:`xltools.spec`), the framework and the data files: no address or
list is written by hand. The formulas use the Excel 2010 function set only (no dynamic arrays, no LET/FILTER/
TEXTJOIN/XLOOKUP) and nothing volatile, so Excel, WPS and LibreOffice compute the same thing.

Where the work happens: two hidden sheets.

* ``_xltools`` (beside the template's meta values in A:B), ``D``/``E`` from row 1: one row per live rule, the rule
  code in D and in E the number of findings that rule reports now, counted per cell like the engine (two missing
  一级 are two ``level1-missing`` findings); ``G1:G4`` started (any input filled), the numbers of errors and
  warnings, the budget year. This small block is public: tests, the button and consolidation read it.
* ``_checks``: a row-aligned area (row r of ``_checks`` describes row r of the form): per rule and form column, a *flag* cell
  holding how many findings of that rule sit on that form cell; helper cells that read each table row the way the
  reader does (blank test, 一级/二级 carried down from the row above, compact names); and three grids of four
  columns mirroring the form's A:D: errors, warnings, and required-missing. The form's conditional formats read
  those grids with ``INDEX(grid,ROW(),COLUMN())``, so a cell turns red or orange exactly where a rule names it.
  Kept off ``_xltools`` so a reader of the meta values never parses thousands of formulas (readers of returned
  forms only ever open the form and ``_xltools``).

Parity with the engine (tests/test_live_libreoffice.py recalculates real workbooks in LibreOffice and compares, rule
by rule and cell by cell): a live rule never names a cell the engine does not. Where a formula cannot follow the
engine all the way, the live rule covers a documented subset (see ``COVERAGE``): it then stays silent rather than
guess. Rules beyond a formula (the full target grammar, vague wording) are the button's and the bureau's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xltools import data, spec
from xltools.cells import column_letter, split
from xltools.findings import CODES

# Live rules in form order, with how much of the engine's rule a formula covers (README's table comes from here).
FULL, SUBSET = "full", "subset"
COVERAGE: dict[str, tuple[str, str]] = {
    "required-missing": (FULL, ""),
    "amount-invalid": (SUBSET, "负数、TRUE/FALSE、含文字或符号的金额（如“约100”“1,200万”）；不含公式、数字格式错乱的文字（如“1,2”）"),
    "date-invalid": (SUBSET, "TRUE/FALSE、离谱的日期序号、含文字的日期（如“2019年上半年”）；不含格式错乱的日期文字（如“2019-13-45”）、公式"),
    "date-order": (SUBSET, "以日期格式填写的日期；以文字填写的日期不比较"),
    "date-outside-year": (SUBSET, "以日期格式填写的日期；以文字填写的日期不比较"),
    "project-type-invalid": (FULL, ""),
    "annual-exceeds-total": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "subtotal-mismatch": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "prior-exceeds-budget": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "prior-execution-low": (SUBSET, "以数字填写的金额；以文字填写的数字（如“1,000”）不比较"),
    "level1-missing": (FULL, ""),
    "level2-invalid": (FULL, ""),
    "indicator-incomplete": (FULL, ""),
    "indicator-duplicate": (SUBSET, "名称相同（不计空格和大小写）；全角与半角字母视为不同"),
    "target-no-operator": (SUBSET, "只有数字或百分数（如“100%”“80”）；不含带单位的数（如“300件”）和全角数字"),
    "target-percent-over-100": (SUBSET, "三级指标名称含“率”“满意度”等比率字样时（targets.toml 的 rate_markers）"),
}
LIVE_CODES: tuple[str, ...] = tuple(COVERAGE)
LIVE_ERRORS = tuple(c for c in LIVE_CODES if CODES[c] == "error")
LIVE_WARNINGS = tuple(c for c in LIVE_CODES if CODES[c] == "warning")

# Defined names the form's conditional formats and the status line read.
ERRORS_NAME = "xlt_live_errors"
WARNINGS_NAME = "xlt_live_warnings"
REQUIRED_NAME = "xlt_live_required"
STARTED_NAME = "xlt_live_started"
ERROR_COUNT_NAME = "xlt_live_error_count"
WARNING_COUNT_NAME = "xlt_live_warning_count"

CODE_COL, COUNT_COL = "D", "E"  # the machine-readable counts (a public contract: tests, button, consolidation)
STATE_COL = "G"  # G1 started, G2 errors, G3 warnings, G4 the budget year as a number
STATE_LABEL_COL = "F"
FIRST_AREA_COL = 1  # the row-aligned area fills _checks from column A

_FORM_COLS = tuple(column_letter(i) for i in range(1, len(spec.COLUMN_WIDTHS) + 1))  # A..D
# Whitespace the reader strips besides the ASCII space: a formula turns them into spaces, then TRIMs.
_CTRL = (9, 10, 13)
_WIDE_SPACES = ("\u3000", "\u00a0")
DIGITS = "0123456789０１２３４５６７８９"
# What a money cell may hold and still be read as a number by the reader (digits, separators, spaces).
MONEY_CHARS = DIGITS + ",，.． \u3000"
# What a date typed as text may hold and still be a date to the reader.
DATE_CHARS = DIGITS + "-－/.．年月日 \u3000"
DATE_SEPARATORS = "-－/.．年月"
# Leading signs that read as ≥, = or > (the ones that can demand more than 100%); longest first.
_AT_LEAST_SIGNS = (">=", "＞＝", "≥", "≧", ">", "＞", "=", "＝")
# Serial numbers of 1990-01-01 and 2100-12-31: the reader's range for a date held as a date.
FIRST_DATE, LAST_DATE = 32874, 73415
# A number in a date cell outside these serials is not a date whatever the cell's format.
LOW_SERIAL, HIGH_SERIAL = 20000, 80000


# --- formula text helpers ------------------------------------------------------------------------------------


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def spaced(x: str) -> str:
    """``x`` as text with every kind of whitespace the reader strips turned into a space."""
    out = x
    for code in _CTRL:
        out = f'SUBSTITUTE({out},CHAR({code})," ")'
    for ch in _WIDE_SPACES:
        out = f'SUBSTITUTE({out},{_q(ch)}," ")'
    return out


def tidy(x: str) -> str:
    """The reader's tidy text: whitespace collapsed and stripped (numbers become their text)."""
    return f"TRIM({spaced(x)})"


def strip_chars(x: str, chars: str) -> str:
    """``x`` with every character of ``chars`` removed."""
    out = x
    for ch in dict.fromkeys(chars):
        out = f"SUBSTITUTE({out},{_q(ch)},\"\")"
    return out


def _no_digits(x: str) -> str:
    return f"LEN({strip_chars(x, DIGITS)})=LEN({x})"


def _ends_in(text: str, chars: str, side: str) -> str:
    """True when the first (LEFT) or last (RIGHT) character of the non-empty ``text`` is one of ``chars``."""
    return f"ISNUMBER(FIND({side}({text},1),{_q(chars)}))"


def bad_amount(x: str, t: str) -> str:
    """True when the money cell ``x`` (not blank; ``t`` its tidy text) holds what the reader can never type as
    an amount: a logical, a negative number, or text with a character no number has, without digits, with two
    decimal points, or starting or ending with a separator (each a necessary condition of the reader's number
    pattern)."""
    packed = strip_chars(t, " ")
    seps = ",，.．"
    return (f"OR(ISLOGICAL({x}),AND(ISNUMBER({x}),{x}<0),"
            f"AND(ISTEXT({x}),OR(LEN({strip_chars(t, MONEY_CHARS)})>0,{_no_digits(t)},"
            f"LEN({packed})-LEN({strip_chars(packed, '.．')})>1,"
            f"{_ends_in(packed, seps, 'LEFT')},{_ends_in(packed, seps, 'RIGHT')})))")


def bad_date(x: str, t: str) -> str:
    """True when the date cell ``x`` (not blank; ``t`` its tidy text) holds what the reader can never read as a
    date: a logical, a serial number far from any date, or text with a character no date has, without digits,
    without any separator, or not ending in a digit or 日 (necessary conditions of the reader's date patterns)."""
    return (f"OR(ISLOGICAL({x}),AND(ISNUMBER({x}),OR({x}<{LOW_SERIAL},{x}>{HIGH_SERIAL})),"
            f"AND(ISTEXT({x}),OR(LEN({strip_chars(t, DATE_CHARS)})>0,{_no_digits(t)},"
            f"LEN({strip_chars(t, DATE_SEPARATORS)})=LEN({t}),NOT({_ends_in(t, DIGITS + '日', 'RIGHT')}))))")


def date_ok(x: str) -> str:
    """True when ``x`` is a whole-day date the reader accepts however the cell is formatted."""
    return f"AND(ISNUMBER({x}),{x}>={FIRST_DATE},{x}<={LAST_DATE},{x}=INT({x}))"


def num_ok(x: str) -> str:
    """True when ``x`` is a usable amount: a number, not negative."""
    return f"AND(ISNUMBER({x}),{x}>=0)"


def plain_number(u: str) -> str:
    """True when the text ``u`` is digits with at most one decimal point (``100``, ``99.5``, ``.5``)."""
    return (f'AND(LEN({u})>0,LEN({strip_chars(u, "0123456789.")})=0,'
            f'LEN({u})-LEN(SUBSTITUTE({u},".",""))<=1,RIGHT({u},1)<>".",LEN(SUBSTITUTE({u},".",""))>0)')


def is_percent(t: str) -> str:
    """True when ``t`` ends in a percent sign (targets.toml's ``percent_units``)."""
    return "OR(" + ",".join(f"RIGHT({t},{len(u)})={_q(u)}" for u in data.targets().percent_units) + ")"


def without_percent(t: str) -> str:
    """``t`` without a trailing percent sign."""
    out = t
    for unit in data.targets().percent_units:
        out = f"IF(RIGHT({t},{len(unit)})={_q(unit)},LEFT({t},LEN({t})-{len(unit)}),{out})"
    return out


def without_at_least_sign(t: str) -> str:
    """``t`` without a leading ≥, = or > sign (in any of the spellings the reader normalises)."""
    out = t
    for sign in reversed(_AT_LEAST_SIGNS):
        out = f"IF(LEFT({t},{len(sign)})={_q(sign)},MID({t},{len(sign) + 1},255),{out})"
    return out


# Membership is spelled out item by item with scalar functions (no SUMPRODUCT over EXACT or FIND of a range):
# whether a function nested in SUMPRODUCT is evaluated over the whole range differs between spreadsheet programs
# (Gnumeric does not; Excel and LibreOffice do), and the lists are short.


def one_of(x: str, items: Sequence[str]) -> str:
    """True when ``x`` equals one of the ``items`` (cell references), case-sensitive like Python's ``in``."""
    return "OR(" + ",".join(f"EXACT({x},{item})" for item in items) + ")" if items else "FALSE"


def position(x: str, items: Sequence[tuple[str, int]]) -> str:
    """The number paired with the item (a cell reference) that ``x`` equals, 0 when none does (items distinct)."""
    return "+".join(f"EXACT({x},{item})*{n}" for item, n in items) or "0"


def contains_any(text: str, words: Sequence[str]) -> str:
    """True when one of ``words`` (cell references) occurs in ``text`` (case-sensitive, like Python's ``in``)."""
    return "OR(" + ",".join(f"ISNUMBER(FIND({w},{text}))" for w in words) + ")" if words else "FALSE"


def _flag(*conditions: str) -> str:
    # IFERROR: an error value pasted into an input never turns the counts into errors; the rule stays silent.
    return "IFERROR(" + "+".join(f"IF({c},1,0)" for c in conditions) + ",0)"


# --- layout ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lists:
    """Where the template put the dropdown lists the live checks read (the framework's names come from the
    framework itself, keyed as the engine compares them: see ``_framework_keys``)."""

    choices: dict[str, tuple[str, ...]]  # choices key -> one reference per item (INDEX into the dropdown list)


@dataclass
class Layout:
    """The live-check cells: the working area on ``_checks`` (``cells``, ``texts``) and the public block on
    ``_xltools`` (``meta``, ``meta_texts``), address -> formula (with ``=``), number or text; defined names."""

    form: spec.FormSpec
    sheet: str = spec.CHECKS_SHEET
    cells: dict[str, str | int] = field(default_factory=dict)  # formulas (``=...``) and numbers
    texts: dict[str, str] = field(default_factory=dict)  # literal text (codes, keys, words): never a formula
    # The small public part on the meta sheet: rule codes and counts (D:E), state (F:G).
    meta: dict[str, str | int] = field(default_factory=dict)
    meta_texts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> absolute reference
    columns: dict[str, int] = field(default_factory=dict)  # helper key -> column index
    flags: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # code -> [(form letter, helper key)]

    def col(self, key: str) -> str:
        if key not in self.columns:
            self.columns[key] = FIRST_AREA_COL + len(self.columns)
        return column_letter(self.columns[key])

    def at(self, key: str, row: int) -> str:
        """Absolute address of helper ``key`` in row ``row`` (same sheet)."""
        return f"${self.col(key)}${row}"

    def span(self, key: str, first: int, last: int) -> str:
        return f"${self.col(key)}${first}:${self.col(key)}${last}"

    def put(self, key: str, row: int, formula: str) -> None:
        self.cells[f"{self.col(key)}{row}"] = "=" + formula

    def flag(self, code: str, letter: str, row: int, condition: str, *more: str) -> None:
        """How many findings of ``code`` sit on the form cell ``letter``/``row``: one per true condition."""
        key = f"{code}@{letter}"
        if (letter, key) not in self.flags.setdefault(code, []):
            self.flags[code].append((letter, key))
        self.put(key, row, _flag(condition, *more))

    def ref(self, address: str) -> str:
        """Absolute reference to a form cell, from this sheet."""
        letters, row = split(address)
        return f"'{spec.FORM_SHEET}'!${letters}${row}"

    @staticmethod
    def on_meta(local: str) -> str:
        """A reference to the meta sheet's ``local`` range, from another sheet (defined names, the checks)."""
        return f"'{spec.META_SHEET}'!{local}"

    def full(self, local: str) -> str:
        """A reference to this sheet's ``local`` range, from another sheet (defined names)."""
        return f"'{self.sheet}'!{local}"


def build(form: spec.FormSpec, framework: data.Framework, lists: Lists, *, unit_locked: bool) -> Layout:
    """Every live-check cell for ``form`` (the current template version) and ``framework``."""
    lay = Layout(form)
    # Grids first, so they sit at the left of the area where a person inspecting the sheet looks first.
    for grid in ("err", "warn", "req"):
        for letter in _FORM_COLS:
            lay.col(f"{grid}@{letter}")
    _fields(lay, form, lists)
    _subprojects(lay, form)
    _indicators(lay, form, framework)
    _started(lay, form, unit_locked)
    _grids(lay, form)
    _counts(lay)
    return lay


def _fields(lay: Layout, form: spec.FormSpec, lists: Lists) -> None:
    f = form.fields

    def letter_row(key: str) -> tuple[str, int]:
        return column_letter(f[key].first_col), f[key].row

    def on(code: str, key: str, condition: str) -> None:
        letter, row = letter_row(key)
        lay.flag(code, letter, row, condition)

    def text(key: str) -> str:
        """The field's tidy text, computed once in a helper cell on the field's own row."""
        letter, row = letter_row(key)
        return lay.at(f"f_text@{letter}", row)

    def blank(key: str) -> str:
        return f'{text(key)}=""'

    for key, fld in f.items():
        letter, row = letter_row(key)
        lay.put(f"f_text@{letter}", row, tidy(lay.ref(fld.cell)))
    for key, fld in f.items():
        x = lay.ref(fld.cell)
        if fld.required:
            on("required-missing", key, blank(key))
        if fld.kind == spec.MONEY:
            on("amount-invalid", key, f"AND(NOT({blank(key)}),{bad_amount(x, text(key))})")
        elif fld.kind == spec.DATE:
            on("date-invalid", key, f"AND(NOT({blank(key)}),{bad_date(x, text(key))})")
        elif fld.kind == spec.CHOICE and fld.choices:
            on("project-type-invalid", key,
               f"AND(NOT({blank(key)}),NOT({one_of(text(key), lists.choices[fld.choices])}))")
    # 同名项目上年预算额 and 执行数 come as a pair (xltools.rules.fields._prior_pair).
    pb, pe = "prior_budget", "prior_executed"
    on("required-missing", pb, f"AND({blank(pb)},NOT({blank(pe)}))")
    on("required-missing", pe, f"AND({blank(pe)},NOT({blank(pb)}))")

    start, end = lay.ref(f["start"].cell), lay.ref(f["end"].cell)
    both = f"{date_ok(start)},{date_ok(end)}"
    on("date-order", "end", f"AND({both},{start}>{end})")
    year = lay.on_meta(f"${STATE_COL}$4")
    on("date-outside-year", "start",
       f"AND({both},{start}<={end},ISNUMBER({year}),OR({end}<DATE({year},1,1),{start}>DATE({year},12,31)))")

    tol = spec.MONEY_TOLERANCE
    total, annual = lay.ref(f["total_budget"].cell), lay.ref(f["annual_budget"].cell)
    on("annual-exceeds-total", "annual_budget", f"AND({num_ok(total)},{num_ok(annual)},{annual}>{total}+{tol})")
    budget, executed = lay.ref(f[pb].cell), lay.ref(f[pe].cell)
    pair = f"{num_ok(budget)},{num_ok(executed)}"
    on("prior-exceeds-budget", pe, f"AND({pair},{executed}>{budget}+{tol})")
    on("prior-execution-low", pe,
       f"AND({pair},{executed}<={budget}+{tol},{budget}>0,{executed}<{spec.PRIOR_EXECUTION_LOW}*{budget}-{tol})")


def _subprojects(lay: Layout, form: spec.FormSpec) -> None:
    t = form.tables["subprojects"]
    name_col, amount_col = t.column("name").letter, t.column("amount").letter
    rows = t.rows
    for i, r in enumerate(rows):
        name, amount = lay.ref(f"{name_col}{r}"), lay.ref(f"{amount_col}{r}")
        n, a = lay.at("s_name", r), lay.at("s_amount", r)
        lay.put("s_name", r, tidy(name))
        lay.put("s_amount", r, tidy(amount))
        lay.put("s_filled", r, f'IF(OR({n}<>"",{a}<>""),1,0)')
        lay.put("s_ok", r, f'IF(AND({lay.at("s_filled", r)}=1,{num_ok(amount)}),1,0)')
        # An empty table is one finding at its first 子项目名称 (it never coincides with a row's own finding).
        empty = (f'SUM({lay.span("s_filled", rows.start, rows.stop - 1)})=0',) if i == 0 else ()
        lay.flag("required-missing", name_col, r, f'AND({n}="",{a}<>"")', *empty)
        lay.flag("required-missing", amount_col, r, f'AND({a}="",{n}<>"")')
        lay.flag("amount-invalid", amount_col, r, f'AND({a}<>"",{bad_amount(amount, a)})')
    first, last = rows.start, rows.stop - 1
    f = form.fields
    annual = lay.ref(f["annual_budget"].cell)
    filled, ok = f"SUM({lay.span('s_filled', first, last)})", f"SUM({lay.span('s_ok', first, last)})"
    amounts = f"'{spec.FORM_SHEET}'!${amount_col}${first}:${amount_col}${last}"
    letter, row = column_letter(f["annual_budget"].first_col), f["annual_budget"].row
    lay.flag("subtotal-mismatch", letter, row,
             f"AND({num_ok(annual)},{filled}>0,{ok}={filled},ABS(SUM({amounts})-{annual})>{spec.MONEY_TOLERANCE})")


def _indicators(lay: Layout, form: spec.FormSpec, fw: data.Framework) -> None:
    t = form.tables["indicators"]
    letters = {key: t.column(key).letter for key in ("level1", "level2", "level3", "target")}
    first, last = t.first_row, t.last_row
    keys, pairs = _framework_keys(lay, fw)
    vocab_rate, vocab_uncapped = _marker_cells(lay)
    for i, r in enumerate(t.rows):
        cell = {k: lay.ref(f"{letter}{r}") for k, letter in letters.items()}
        t1, t2, t3, t4 = (lay.at(k, r) for k in ("i_l1", "i_l2", "i_l3", "i_target"))
        for k, key in (("i_l1", "level1"), ("i_l2", "level2"), ("i_l3", "level3"), ("i_target", "target")):
            lay.put(k, r, tidy(cell[key]))
        filled = lay.at("i_filled", r)
        lay.put("i_filled", r, f'IF(OR({t1}<>"",{t2}<>"",{t3}<>"",{t4}<>""),1,0)')
        # 一级/二级 left blank mean "same as the row above" (xltools.reader): carried through empty rows too.
        prev1 = lay.at("i_eff1", r - 1) if i else '""'
        prev2 = lay.at("i_eff2", r - 1) if i else '""'
        eff1, eff2 = lay.at("i_eff1", r), lay.at("i_eff2", r)
        lay.put("i_eff1", r, f'IF(AND({filled}=1,{t1}<>""),{t1},{prev1})')
        lay.put("i_eff2", r, f'IF({filled}=1,IF({t2}<>"",{t2},IF(EXACT({eff1},{prev1}),{prev2},"")),{prev2})')
        lay.put("i_inh1", r, f'IF(AND({filled}=1,{t1}="",{prev1}<>""),1,0)')
        lay.put("i_inh2", r, f'IF(AND({filled}=1,{t2}="",EXACT({eff1},{prev1}),{prev2}<>""),1,0)')
        c1, c2 = lay.at("i_c1", r), lay.at("i_c2", r)
        lay.put("i_c1", r, fold(eff1, fw))
        lay.put("i_c2", r, fold(eff2, fw))
        idx = lay.at("i_idx", r)
        lay.put("i_idx", r, f'IF(AND({filled}=1,{c1}<>""),{position(c1, keys)},0)')
        pair_key = f'{idx}&"|"&{c2}'
        lay.put("i_pair", r, f"IF({idx}>0,IF({one_of(pair_key, pairs)},1,0),0)")
        a, b, c, d = letters["level1"], letters["level2"], letters["level3"], letters["target"]
        lay.flag("indicator-incomplete", a, r, f'AND({filled}=1,{c1}="")')
        lay.flag("indicator-incomplete", b, r, f'AND({filled}=1,{c2}="")')
        lay.flag("indicator-incomplete", c, r, f'AND({filled}=1,{t3}="")')
        lay.flag("indicator-incomplete", d, r, f'AND({filled}=1,{t4}="")')
        lay.flag("level2-invalid", a, r, f'AND({filled}=1,{c1}<>"",{idx}=0,{lay.at("i_inh1", r)}=0)')
        lay.flag("level2-invalid", b, r,
                 f'AND({filled}=1,{idx}>0,{c2}<>"",{lay.at("i_pair", r)}=0,{lay.at("i_inh2", r)}=0)')
        key3 = lay.at("i_key3", r)
        lay.put("i_key3", r, f'IF({filled}=1,LOWER(SUBSTITUTE({t3}," ","")),"")')
        if i:
            lay.flag("indicator-duplicate", c, r,
                     f'AND({key3}<>"",{one_of(key3, [lay.at("i_key3", above) for above in range(first, r)])})')
        target = cell["target"]
        bare = without_percent(t4)
        number_cell = f"AND(ISNUMBER({target}),OR({target}=INT({target}),ABS({target})>=0.0001))"
        lay.flag("target-no-operator", d, r,
                 f'AND({t4}<>"",OR({number_cell},AND(ISTEXT({target}),{plain_number(bare)})))')
        signless = lay.at("i_signless", r)
        lay.put("i_signless", r, without_at_least_sign(t4))
        value = without_percent(signless)
        name3 = f'SUBSTITUTE({t3}," ","")'
        lay.flag("target-percent-over-100", d, r,
                 f"AND(ISTEXT({target}),{is_percent(signless)},{plain_number(value)},VALUE({value})>100,"
                 f"{contains_any(name3, vocab_rate)},NOT({contains_any(name3, vocab_uncapped)}))")
    filled_all = f"SUM({lay.span('i_filled', first, last)})"
    idx_all = lay.span("i_idx", first, last)
    # One level1-missing per framework 一级 without a row; none when the table is empty (required-missing).
    lay.flag("level1-missing", letters["level1"], first,
             *(f"AND({filled_all}>0,COUNTIF({idx_all},{fw.level1.index(name) + 1})=0)" for name in fw.required))
    lay.flag("required-missing", letters["level1"], first, f"{filled_all}=0")


def _framework_keys(lay: Layout, fw: data.Framework) -> tuple[list[tuple[str, int]], list[str]]:
    """Cells holding every accepted spelling of each 一级 (canonical name and aliases, as comparison keys) with the
    一级's position, and every accepted ``position|二级`` pair: the framework file's lists, keyed as the engine
    compares names (:func:`xltools.data.name_key`: NFKC, no whitespace, case-folded)."""
    keys: list[tuple[str, int]] = []
    for i, level1 in enumerate(fw.level1, start=1):
        for spelling in dict.fromkeys(data.name_key(s) for s in fw.level1_spellings(level1)):
            row = len(keys) + 1
            lay.texts[f"{lay.col('fw_key')}{row}"] = spelling
            keys.append((lay.at("fw_key", row), i))
    pairs: list[str] = []
    for i, level1 in enumerate(fw.level1, start=1):
        for level2 in fw.levels[level1]:
            for spelling in dict.fromkeys(data.name_key(s) for s in fw.level2_spellings(level1, level2)):
                row = len(pairs) + 1
                lay.texts[f"{lay.col('fw_pair')}{row}"] = f"{i}|{spelling}"
                pairs.append(lay.at("fw_pair", row))
    return keys, pairs


def fold(x: str, fw: data.Framework) -> str:
    """``x`` (tidy text) as a comparison key like :func:`xltools.data.name_key`: no spaces, lower case, and the
    full-width forms of the characters the framework's names use turned half-width (what NFKC does to them), so a
    spelling the engine accepts is never marked here."""
    used = {ch for level1 in fw.level1 for s in (*fw.level1_spellings(level1),
                                                   *(n for l2 in fw.levels[level1]
                                                     for n in fw.level2_spellings(level1, l2)))
            for ch in data.name_key(s)}
    out = f'LOWER(SUBSTITUTE({x}," ",""))'
    for ch in sorted(c for c in used if "!" <= c <= "~"):
        wide = chr(ord(ch) + 0xFEE0)
        out = f"SUBSTITUTE({out},{_q(wide)},{_q(ch)})"
    return out


def _marker_cells(lay: Layout) -> tuple[list[str], list[str]]:
    vocab = data.targets()
    out: list[list[str]] = []
    for key, words in (("rate_words", vocab.rate_markers), ("uncapped_words", vocab.uncapped_rate_markers)):
        for i, word in enumerate(words, start=1):
            lay.texts[f"{lay.col(key)}{i}"] = word
        out.append([lay.at(key, i) for i in range(1, len(words) + 1)])
    return out[0], out[1]


def _started(lay: Layout, form: spec.FormSpec, unit_locked: bool) -> None:
    """G1: has anyone typed anything yet (the unit's name, filled in by the bureau, does not count)."""
    parts = [f'IF({lay.full(lay.at("f_text@" + column_letter(f.first_col), f.row))}<>"",1,0)'
             for key, f in form.fields.items() if not (unit_locked and key == "unit")]
    for key, table in (("s_filled", form.tables["subprojects"]), ("i_filled", form.tables["indicators"])):
        parts.append(f"SUM({lay.full(lay.span(key, table.first_row, table.last_row))})")
    lay.meta_texts[f"{STATE_LABEL_COL}1"] = "started"
    lay.meta[f"{STATE_COL}1"] = f"=IF(({'+'.join(parts)})>0,1,0)"
    year_row = spec.META_KEYS.index("year") + 1
    lay.meta_texts[f"{STATE_LABEL_COL}4"] = "year"
    lay.meta[f"{STATE_COL}4"] = f'=IFERROR(VALUE($B${year_row}),"")'
    lay.names[STARTED_NAME] = lay.on_meta(f"${STATE_COL}$1")


def _grids(lay: Layout, form: spec.FormSpec) -> None:
    """Per form cell: live errors (required-missing apart), warnings, and required-missing."""
    by_cell: dict[tuple[str, str], list[str]] = {}
    for code, places in lay.flags.items():
        grid = "req" if code == "required-missing" else ("err" if CODES[code] == "error" else "warn")
        for letter, key in places:
            by_cell.setdefault((grid, letter), []).append(key)
    for (grid, letter), keys in by_cell.items():
        for r in range(1, form.last_row + 1):
            present = [lay.at(k, r) for k in keys if f"{lay.col(k)}{r}" in lay.cells]
            if present:
                lay.put(f"{grid}@{letter}", r, "+".join(present))
    for grid, name in (("err", ERRORS_NAME), ("warn", WARNINGS_NAME), ("req", REQUIRED_NAME)):
        cols = [lay.col(f"{grid}@{letter}") for letter in _FORM_COLS]
        lay.names[name] = lay.full(f"${cols[0]}$1:${cols[-1]}${form.last_row}")


def _counts(lay: Layout) -> None:
    last = lay.form.last_row
    for row, code in enumerate(LIVE_CODES, start=1):
        lay.meta_texts[f"{CODE_COL}{row}"] = code
        parts = [f"SUM({lay.full(lay.span(key, 1, last))})" for _letter, key in lay.flags.get(code, [])]
        lay.meta[f"{COUNT_COL}{row}"] = "=" + ("+".join(parts) or "0")
    rows = {code: row for row, code in enumerate(LIVE_CODES, start=1)}

    def total(codes: Iterable[str]) -> str:
        return "+".join(f"${COUNT_COL}${rows[c]}" for c in codes) or "0"

    lay.meta_texts[f"{STATE_LABEL_COL}2"] = "errors"
    lay.meta[f"{STATE_COL}2"] = "=" + total(LIVE_ERRORS)
    lay.meta_texts[f"{STATE_LABEL_COL}3"] = "warnings"
    lay.meta[f"{STATE_COL}3"] = "=" + total(LIVE_WARNINGS)
    lay.names[ERROR_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$2")
    lay.names[WARNING_COUNT_NAME] = lay.on_meta(f"${STATE_COL}$3")


# --- what the form shows ------------------------------------------------------------------------------------

STATUS_NOT_STARTED = "表内自查：尚未开始填写。浅黄色为必填项；填写时本表自动检查，有问题的单元格标红（错误）或标橙（警告）。"
STATUS_CLEAN = "表内自查：未发现问题。完整校验以“一键校验”或主管部门审核为准。"
STATUS_ERRORS = "表内自查：{errors} 处错误、{warnings} 处警告，已在表中标红/标橙。完整校验请点“一键校验”或交主管部门审核。"
STATUS_WARNINGS = "表内自查：未发现错误；{warnings} 处警告已标橙，请核对。完整校验请点“一键校验”或交主管部门审核。"


def status_formula() -> str:
    """The status line at the top of the form (version 2 on), from the counts on ``_xltools``."""
    started, errors, warnings = STARTED_NAME, ERROR_COUNT_NAME, WARNING_COUNT_NAME
    return (f"=IF({started}<>1,{_q(STATUS_NOT_STARTED)},"
            f"IF({errors}>0,{_filled_in(STATUS_ERRORS)},"
            f"IF({warnings}>0,{_filled_in(STATUS_WARNINGS)},{_q(STATUS_CLEAN)})))")


def _filled_in(template: str) -> str:
    """A status template as a formula: its ``{errors}``/``{warnings}`` become the live counts."""
    parts = re.split(r"(\{errors\}|\{warnings\})", template)
    names = {"{errors}": ERROR_COUNT_NAME, "{warnings}": WARNING_COUNT_NAME}
    return "&".join(names.get(p, _q(p)) for p in parts if p)


def status_text(started: bool, errors: int, warnings: int) -> str:
    """What the status line shows for these counts (tests compare it with what LibreOffice computed)."""
    if not started:
        return STATUS_NOT_STARTED
    if errors:
        return STATUS_ERRORS.format(errors=errors, warnings=warnings)
    if warnings:
        return STATUS_WARNINGS.format(warnings=warnings)
    return STATUS_CLEAN


def cell_formula(grid: str) -> str:
    """Conditional-format condition: the form's current cell has a count in ``grid`` (a defined name)."""
    return f"INDEX({grid},ROW(),COLUMN())>0"


def red_formula() -> str:
    return (f"OR({cell_formula(ERRORS_NAME)},"
            f"AND({STARTED_NAME}=1,{cell_formula(REQUIRED_NAME)}))")


def orange_formula() -> str:
    return cell_formula(WARNINGS_NAME)


def todo_formula() -> str:
    return f"AND({STARTED_NAME}<>1,{cell_formula(REQUIRED_NAME)})"


def status_conditions() -> dict[str, str]:
    """The status line's own colour: red with errors, orange with warnings only, green when clean."""
    started, errors, warnings = STARTED_NAME, ERROR_COUNT_NAME, WARNING_COUNT_NAME
    return {
        "error": f"AND({started}=1,{errors}>0)",
        "warning": f"AND({started}=1,{errors}=0,{warnings}>0)",
        "clean": f"AND({started}=1,{errors}+{warnings}=0)",
    }

