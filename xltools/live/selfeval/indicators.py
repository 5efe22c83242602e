"""The self-evaluation's live rules and scores on 绩效指标 (mirroring :mod:`xltools.rules.selfeval.indicators` and
:mod:`xltools.scoring`, step for step). Each approved row's kind, comparison, target number and unit are known when
the form is generated (the 年度指标值 are the approved ones, locked), so they are written into its formulas:

* quantitative: 实际完成值 read as :func:`xltools.scoring.read_actual` reads it (a number, or text that is a plain
  number after full-width digits and whitespace, with the target's unit at most), the rules' score, whether a reason
  is needed and whether the target was exceeded far enough to lower the score;
* qualitative: the band chosen (its position among the rules' bands) and whether the typed score lies in it;
* every row: 分值 usable, the score that counts (``x_eff``), the approved texts unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from xltools import spec
from xltools.data.selfeval_rules import Scoring
from xltools.evaluation import Approved, ApprovedRow, approved_key
from xltools.live.formulas import plain_number, position, quoted, tidy
from xltools.live.layout import Layout
from xltools.scoring import FULLWIDTH_CHARS, is_quantitative, operator, units_for
from xltools.targets import Target, parse_target

TOL = spec.MONEY_TOLERANCE
EPS = "1E-9"
TEXT_KEYS = ("level1", "level2", "level3", "target")


def number(x: float) -> str:
    """A float as a formula literal (the same double)."""
    return repr(float(x)).upper()


def normalised(x: str) -> str:
    """The text of ``x`` trimmed as the reader trims (every whitespace a space, TRIM), full-width digits, ``．`` and
    ``％`` made half-width."""
    out = tidy(x)
    for wide, half in zip(*FULLWIDTH_CHARS, strict=True):
        out = f"SUBSTITUTE({out},{quoted(wide)},{quoted(half)})"
    return out


def without_unit(n: str, units: tuple[str, ...]) -> str:
    """``n`` without the first of ``units`` it ends with (case-sensitive, like Python's ``endswith``), trimmed."""
    out = n
    for unit in reversed(units):
        out = f"IF(EXACT(RIGHT({n},{len(unit)}),{quoted(unit)}),TRIM(LEFT({n},LEN({n})-{len(unit)})),{out})"
    return out


class Row:
    """The helper cells of one form row of the table (row-aligned on ``_checks``)."""

    def __init__(self, lay: Layout, letters: dict[str, str], r: int) -> None:
        self.lay, self.letters, self.r = lay, letters, r

    def ref(self, key: str) -> str:
        return self.lay.ref(f"{self.letters[key]}{self.r}")

    def put(self, key: str, formula: str) -> str:
        self.lay.put(key, self.r, formula)
        return self.lay.at(key, self.r)

    def flag(self, code: str, column: str, condition: str, *more: str) -> None:
        self.lay.flag(code, self.letters[column], self.r, condition, *more)


def check_indicators(lay: Layout, scoring: Scoring, approved: Approved, meta_ref: Callable[[str], str]) -> dict[str, str]:
    """Every row's flags and scores; returns the formulas of the 得分 cells of quantitative rows (form cell ->
    formula). ``meta_ref(key)``: the reference of a meta value (the approved texts)."""
    t = lay.form.tables["indicators"]
    letters = {c.key: c.letter for c in t.input_columns}
    shown: dict[str, str] = {}
    for i, r in enumerate(t.rows):
        row = Row(lay, letters, r)
        if i >= len(approved.rows):
            texts = ",".join(f'{tidy(row.ref(k))}<>""' for k in letters)
            row.flag("target-changed", "level3", f"OR({texts})")  # a row the approval does not have
            continue
        _row(row, scoring, approved.rows[i], i, meta_ref, shown)
    return shown


def _row(row: Row, scoring: Scoring, approved: ApprovedRow, i: int, meta_ref: Callable[[str], str],
         shown: dict[str, str]) -> None:
    for key in TEXT_KEYS:
        row.flag("target-changed", key, f"NOT(EXACT({tidy(row.ref(key))},{meta_ref(approved_key(i + 1, key))}))")
    a, h, g = row.put("x_a", tidy(row.ref("actual"))), row.put("x_h", tidy(row.ref("reason"))), row.put(
        "x_g", tidy(row.ref("score")))
    weight_cell, score_cell = row.ref("weight"), row.ref("score")
    w = row.put("x_w", f'IF(AND(ISNUMBER({weight_cell}),{weight_cell}>=0),{weight_cell},"")')
    f = tidy(weight_cell)
    row.flag("required-missing", "weight", f'{f}=""')
    row.flag("weights-not-100", "weight", f'AND({f}<>"",NOT(ISNUMBER({w})))')
    row.flag("actual-missing", "actual", f'{a}=""')
    target = parse_target(approved.target)
    g_num = f"ISNUMBER({score_cell})"
    # One flag cell per rule and cell: every way a score can be out of its band is one condition of it.
    outside = [f'AND({g}<>"",NOT({g_num}))', f"AND({g_num},{score_cell}<0)"]
    usable = f"{g_num},{score_cell}>=0,ISNUMBER({w})"
    row.flag("score-over-weight", "score", f"AND({usable},{score_cell}>{w}+{TOL})")
    within = f"{usable},{score_cell}<={w}+{TOL}"
    if is_quantitative(target) and target.number is not None:
        calc, met, beyond = _quantitative(row, target, operator(target, scoring.bare_operator), scoring.deviation)
        outside.append(f"AND({within},ISNUMBER({calc}),ABS({score_cell}-{calc})>{TOL},"
                       f"NOT(AND({met},{beyond},{score_cell}<={calc}+{TOL})))")
        row.flag("score-outside-band", "score", *outside)
        shown[f"{row.letters['score']}{row.r}"] = "=" + row.lay.full(calc)
        row.put("x_eff", f'IF({g_num},{score_cell},IF({g}="",IF(ISNUMBER({calc}),{calc},0),0))')
        row.put("x_touched", f'IF(OR({a}<>"",{h}<>""),1,0)')
        return
    bands = [(quoted(b.name), k) for k, b in enumerate(scoring.bands, start=1)]
    band = row.put("x_band", position(a, bands))
    row.flag("actual-unparseable", "actual", f'AND({a}<>"",{band}=0)')
    row.flag("deviation-reason-missing", "reason", f'AND({band}>1,{h}="")')
    row.flag("required-missing", "score", f'{g}=""')
    inside = []
    for k, b in enumerate(scoring.bands):
        low = f"{score_cell}>={number(b.low)}/100*{w}-{EPS}"
        high = f"{score_cell}<={w}+{EPS}" if k == 0 else f"{score_cell}<{number(b.high)}/100*{w}-{EPS}"
        inside.append(f"AND({low},{high})")
    outside.append(f"AND({within},{band}>0,NOT(CHOOSE({band},{','.join(inside)})))")
    row.flag("score-outside-band", "score", *outside)
    row.put("x_eff", f"IF({g_num},{score_cell},0)")
    row.put("x_touched", f'IF(OR({a}<>"",{h}<>"",{g}<>""),1,0)')


def _quantitative(row: Row, target: Target, op: str, deviation: float) -> tuple[str, str, str]:
    """The helpers of a quantitative row: returns the cells of its score, met and beyond-the-deviation."""
    assert target.number is not None
    t = number(target.number)
    actual = row.ref("actual")
    a, h, w = (row.lay.at(k, row.r) for k in ("x_a", "x_h", "x_w"))
    n = row.put("x_norm", normalised(actual))
    fig = row.put("x_fig", without_unit(n, units_for(target)))
    x = row.put("x_num", f'IF(ISNUMBER({actual}),{actual},IF(AND(ISTEXT({actual}),{plain_number(fig)}),VALUE({fig}),""))')
    comparison = {"≥": f"{x}>={t}", ">": f"{x}>{t}", "≤": f"{x}<={t}", "<": f"{x}<{t}"}.get(op, f"{x}={t}")
    met = row.put("x_met", f"AND(ISNUMBER({x}),{comparison})")
    if op in ("≥", ">"):
        share = f"{x}/{t}" if target.number != 0 else "0"
    elif op in ("≤", "<"):
        share = f"IF({x}<>0,{t}/{x},0)"
    else:
        share = f"IF(MAX({x},{t})<>0,MIN({x},{t})/MAX({x},{t}),0)"
    calc = row.put("x_calc", f'IF(AND(ISNUMBER({x}),ISNUMBER({w})),MAX(0,ROUND(MIN({w},{w}*IF({met},1,{share})),2)),"")')
    far = (f"AND(ISNUMBER({x}),ABS({x}-{t})*100>={number(deviation)}*ABS({t})-{EPS})" if target.number != 0
           else "FALSE")
    beyond = row.put("x_bey", far)
    row.flag("actual-unparseable", "actual", f'AND({a}<>"",NOT(ISNUMBER({x})))')
    row.flag("deviation-reason-missing", "reason", f'AND(ISNUMBER({x}),OR(NOT({met}),{beyond}),{h}="")')
    return calc, met, beyond
