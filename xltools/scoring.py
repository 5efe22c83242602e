"""Scoring a year-end self-evaluation: the arithmetic, on plain numbers, that the engine and the template's live
formulas (:mod:`xltools.live.selfeval`) both follow step for step, in the same order, so they round alike.

* 执行率 = 全年执行数 ÷ 全年预算数 (a 全年预算数 above 0); its 得分 = ``ROUND(MIN(分值, 分值 × 执行率), 2)``, 0 without
  a rate.
* A quantitative indicator (its 年度指标值 a number with ≥ > ≤ < =; a bare number counts as the rules'
  ``bare_operator``): met, the full 分值; not met, ≥/> 分值 × 完成值 ÷ 指标值, ≤/< 分值 × 指标值 ÷ 完成值, = 分值 ×
  smaller ÷ larger; rounded to two decimals, never below 0 nor above 分值.
* 实际完成值 of a quantitative indicator (:func:`read_actual`): a number cell, or text that is a plain number after
  full-width digits, ``．`` and ``％`` become half-width and whitespace is trimmed, optionally followed by the
  target's unit (any percent unit for a percentage; a space before it is fine): ``98%``, ``１００％``, ``97 %``,
  ``300件``, ``98.5``. Anything else (an operator, a thousands separator, another unit, words, a space inside the
  number) is not read: the unit is asked for the bare figure.
* Default 分值 (:func:`allocate`): exact fractions, then cents by largest remainder, so they add up to the total.

Rounding is Excel's ``ROUND`` (half away from zero) on the number's shortest decimal form, as spreadsheet programs
round what they display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from xltools import data
from xltools.targets import Target

WHITESPACE = " \t\n\r\u3000\u00a0"  # what the live formula turns into spaces before TRIM (xltools.live.formulas)
FULLWIDTH_CHARS = ("０１２３４５６７８９．％", "0123456789.%")  # what a read actual turns half-width
FULLWIDTH = str.maketrans(*FULLWIDTH_CHARS)
DIGITS = frozenset("0123456789")
EPSILON = 1e-9  # comparisons of computed products (a band limit, a deviation) allow this much


def round2(x: float) -> float:
    """``ROUND(x, 2)`` as a spreadsheet computes it."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def execution(weight: float, budget: float | None, executed: float | None) -> tuple[float | None, float]:
    """(执行率, 得分): no rate without two amounts and a 全年预算数 above 0, and then a score of 0."""
    if budget is None or executed is None or budget <= 0:
        return None, 0.0
    rate = executed / budget
    return rate, max(0.0, round2(min(weight, weight * rate)))


def is_quantitative(target: Target) -> bool:
    return target.kind == "quantitative" and target.number is not None


def operator(target: Target, bare: str) -> str:
    return target.operator or bare


def met(op: str, target: float, actual: float) -> bool:
    return {"≥": actual >= target, ">": actual > target, "≤": actual <= target, "<": actual < target}.get(
        op, actual == target)


def ratio(op: str, target: float, actual: float) -> float:
    """How much of the target was reached, for an indicator not met."""
    if op in ("≥", ">"):
        return actual / target if target != 0 else 0.0
    if op in ("≤", "<"):
        return target / actual if actual != 0 else 0.0
    larger = max(actual, target)
    return min(actual, target) / larger if larger != 0 else 0.0


def indicator_score(op: str, target: float, actual: float, weight: float) -> float:
    share = 1.0 if met(op, target, actual) else ratio(op, target, actual)
    return max(0.0, round2(min(weight, weight * share)))


def beyond(target: float, actual: float, deviation: float) -> bool:
    """Whether the actual lies ``deviation`` percent or more away from a non-zero target."""
    return target != 0 and abs(actual - target) * 100 >= deviation * abs(target) - EPSILON


def needs_reason(op: str, target: float, actual: float, deviation: float) -> bool:
    """偏差原因分析 is required: the target not met, or met with a margin of ``deviation`` percent or more."""
    return not met(op, target, actual) or beyond(target, actual, deviation)


@dataclass(frozen=True)
class Actual:
    """A quantitative 实际完成值 as read: its number, or why it cannot be read."""

    number: float | None
    problem: str = ""
    normalised: str = ""  # the text after full-width digits and whitespace were dealt with ('' for a number cell)


def units_for(target: Target) -> tuple[str, ...]:
    """The units an actual may carry after its number: the target's own, and for a percentage any percent unit."""
    out = [target.unit] if target.unit else []
    if target.is_percent:
        out += [u.translate(FULLWIDTH) for u in data.targets().percent_units]
    return tuple(dict.fromkeys(u for u in out if u))


def read_actual(raw: Any, target: Target) -> Actual:
    """The number in a quantitative indicator's 实际完成值 (``raw`` not blank), or the reason it cannot be read."""
    if isinstance(raw, bool):
        return Actual(None, "是逻辑值，不是数值")
    if isinstance(raw, int | float):
        return Actual(float(raw))
    if not isinstance(raw, str):
        return Actual(None, "不是数值")
    text = _trim("".join(" " if ch in WHITESPACE else ch for ch in raw.translate(FULLWIDTH)))
    figure = text
    for unit in units_for(target):
        if figure.endswith(unit):
            figure = _trim(figure[: -len(unit)])
            break
    if _plain_number(figure):
        return Actual(float(figure), normalised=text)
    unit = f"（年度指标值的单位是“{target.unit}”）" if target.unit else ""
    return Actual(None, f"不是一个数值{unit}：请只填写实际达到的数值，可带年度指标值的单位，不带比较符、千位分隔符或文字",
                  normalised=text)


def _trim(text: str) -> str:
    """The spreadsheet TRIM: no spaces at either end, runs of spaces inside made one."""
    return " ".join(part for part in text.split(" ") if part)


def _plain_number(text: str) -> bool:
    """Digits with at most one decimal point, not ending in it, at least one digit (xltools.live.formulas'
    ``plain_number``)."""
    head, dot, tail = text.partition(".")
    if not text or "." in tail or text.endswith("."):
        return False
    return set(head) <= DIGITS and set(tail) <= DIGITS and bool(head or tail) and (bool(tail) or not dot)


def allocate(total: float, weights: dict[str, float], categories: Sequence[str | None]) -> list[float]:
    """Default 分值 for indicator rows of the given categories (None: unmapped), adding up to ``total`` exactly.

    Unmapped rows get ``total / n`` each; the categories present share the rest in proportion to their weights (a
    category without rows gives its weight away); within a category rows share evenly. Cents are then assigned by
    largest remainder, ties to the earlier row."""
    n = len(categories)
    if n == 0:
        return []
    whole = Fraction(str(total))
    present = {c: categories.count(c) for c in dict.fromkeys(categories) if c is not None}
    mapped = whole * (n - categories.count(None)) / n
    weight_sum = sum(Fraction(str(weights.get(c, 0))) for c in present)
    exact: list[Fraction] = []
    for c in categories:
        if c is None:
            exact.append(whole / n)
        elif weight_sum:
            exact.append(mapped * Fraction(str(weights.get(c, 0))) / weight_sum / present[c])
        else:
            exact.append(mapped / (n - categories.count(None)))
    cents = [int(x * 100) for x in exact]  # floor: every share is non-negative
    left = int(whole * 100) - sum(cents)
    order = sorted(range(n), key=lambda i: (-(exact[i] * 100 - cents[i]), i))
    for i in order[:left]:
        cents[i] += 1
    return [c / 100 for c in cents]
