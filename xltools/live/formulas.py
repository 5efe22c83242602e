"""Formula text that reads a cell the way the reader does: tidy text, amounts, dates, targets, list membership.

Pure string building, Excel 2010 functions only and nothing volatile; every live rule (declaration or any other
form) is made of these.
"""

from __future__ import annotations

from collections.abc import Sequence

from xltools import data

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


def quoted(text: str) -> str:
    """``text`` as a formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def spaced(x: str) -> str:
    """``x`` as text with every kind of whitespace the reader strips turned into a space."""
    out = x
    for code in _CTRL:
        out = f'SUBSTITUTE({out},CHAR({code})," ")'
    for ch in _WIDE_SPACES:
        out = f'SUBSTITUTE({out},{quoted(ch)}," ")'
    return out


def tidy(x: str) -> str:
    """The reader's tidy text: whitespace collapsed and stripped (numbers become their text)."""
    return f"TRIM({spaced(x)})"


def strip_chars(x: str, chars: str) -> str:
    """``x`` with every character of ``chars`` removed."""
    out = x
    for ch in dict.fromkeys(chars):
        out = f"SUBSTITUTE({out},{quoted(ch)},\"\")"
    return out


def _no_digits(x: str) -> str:
    return f"LEN({strip_chars(x, DIGITS)})=LEN({x})"


def _ends_in(text: str, chars: str, side: str) -> str:
    """True when the first (LEFT) or last (RIGHT) character of the non-empty ``text`` is one of ``chars``."""
    return f"ISNUMBER(FIND({side}({text},1),{quoted(chars)}))"


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
    return "OR(" + ",".join(f"RIGHT({t},{len(u)})={quoted(u)}" for u in data.targets().percent_units) + ")"


def without_percent(t: str) -> str:
    """``t`` without a trailing percent sign."""
    out = t
    for unit in data.targets().percent_units:
        out = f"IF(RIGHT({t},{len(unit)})={quoted(unit)},LEFT({t},LEN({t})-{len(unit)}),{out})"
    return out


def without_at_least_sign(t: str) -> str:
    """``t`` without a leading ≥, = or > sign (in any of the spellings the reader normalises)."""
    out = t
    for sign in reversed(_AT_LEAST_SIGNS):
        out = f"IF(LEFT({t},{len(sign)})={quoted(sign)},MID({t},{len(sign) + 1},255),{out})"
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


def count_of(*conditions: str) -> str:
    """How many of ``conditions`` are true. IFERROR: an error value pasted into an input never turns the counts
    into errors; the rule stays silent."""
    return "IFERROR(" + "+".join(f"IF({c},1,0)" for c in conditions) + ",0)"
