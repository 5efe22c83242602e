"""Reading a 指标目标值 (indicator target value): what kind of target it is, after normalising how it was typed.

:func:`parse_target` never raises. It normalises first and records each change, so nothing is silently
reinterpreted:

* full-width digits, letters and operator signs become half-width (``１００％`` -> ``100%``, ``＞＝`` -> ``>=``),
  ``≧``/``≦`` become ``≥``/``≤``;
* ASCII ``>=``/``=>`` become ``≥``, ``<=``/``=<`` become ``≤``;
* stray spaces go (a space stays only between two Latin letters or digits), a trailing ``。``/``；`` goes;
* thousands separators inside a number go (``≥1,000`` -> ``≥1000``);
* an operator word before the number (``不低于``/``不少于``/``不小于``/``至少``/``达到`` -> ``≥``, ``不超过`` -> ``≤`` ...)
  or after it (``95%以上`` -> ``≥95%``, ``3个月以内`` -> ``≤3个月``) becomes the sign. The words are data
  (``xltools/data/targets.toml``). ``达到100%`` appears in an approved form: reaching a value means at least it.
  Operator words are only read as signs when the whole text is then one number: inside a sentence they stay words.

Then the text is judged, in this order:

1. ``blank``: nothing typed (the row rule ``indicator-incomplete`` speaks for it).
2. ``vague``: contains a relative marker (``较上年``, ``前列``, ``平均值`` ...: data), so it cannot be measured on its
   own. Checked before numbers, so ``≥前五年平均值的110%`` is vague, not a percentage.
3. ``unparseable`` (reason ``garbled``): a short text (no sentence punctuation) where a Chinese numeral touches a
   digit (``二100百分比``, ``100二``): typing or OCR damage (``二`` is often a misread ``=``). Guessing the number
   would silently change what the unit wrote, so a person must retype it.
4. ``deadline``: a time target (words: data, ``[deadline]``): a date, month, year, quarter or period, optionally
   after a recurring prefix (``每年``) or ``截至``, with a point (``底``, ``末``), a "no later than" word (``前``,
   ``内``) and a verb (``完成``): ``2023年12月31日前``, ``每年12月底前``, ``12月底前完成``, ``第三季度末``,
   ``2021年全年``. Measurable, so no finding; ``operator`` is ``≤`` with a "no later than" word (or a typed ``≤``/
   ``<``), else None; ``when`` is the time without those words. Checked before numbers: ``2021年全年`` is not
   the number 2021 with unit ``年全年``, nor ``12月底前完成`` the number 12.
5. ``quantitative``: an optional operator, one number, an optional short unit (``%``, ``件``, ``个月``, ``万元``,
   compound ``元/人·天``, ``元/人.每天``, ``万元/个``, ``公斤/亩``). ``operator`` is None for a bare number (``100%``):
   still quantitative, but worth a warning. An operator word in front and a matching one behind (``不低于95%以上``,
   ``≥95%以上``) say the same thing once more: read once, the repeat recorded as dropped.
6. ``qualitative``: exactly one accepted word (``健全``, ``有效`` ...: data), or one grading word (``好``, ``较好``,
   ``一般`` ...: data; ``reason`` is then ``grade``).
7. ``vague``: any other text with at least two Chinese characters: a phrase or a whole sentence. Approved forms
   contain such sentences (``获奖组织和个人年度表彰奖励下拨完成，完成率达到100%``), so this is a warning
   for a reviewer, never an error.
8. ``unparseable``: what is left carries no meaning a reviewer could accept: no Chinese word and no single
   number (``abc``, ``??``, ``100%%``, ``≥``), or one lone character (``高``, ``无``).

Ranges (``90%-95%``) are not read as quantities and fall under 8: the unit is asked for one bound.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from xltools import data
from xltools.bounds import number_text

Kind = Literal["quantitative", "qualitative", "deadline", "vague", "unparseable", "blank"]
OPERATORS = ("≥", "≤", "=", ">", "<")

# Full-width forms (U+FF01..U+FF5E) of the characters that matter in a target; Chinese punctuation such as
# "，" and "（" is left alone, it belongs to sentences.
_HALF = "0123456789%<>=.+-~/" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FULLWIDTH = str.maketrans({chr(ord(ch) + 0xFEE0): ch for ch in _HALF} | {"≧": "≥", "≦": "≤"})
_ASCII_OPS = ((">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤"), ("≥=", "≥"), ("≤=", "≤"))
_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d,])")
_TRAILING = "。；;"
_QUANTITY = re.compile(
    r"(?P<op>[≥≤=><])?"
    r"(?P<num>[+-]?(?:\d+(?:\.\d+)?|\.\d+))"
    # A unit is a percent sign or a short run of letters without digits, signs or punctuation; a compound unit
    # may also hold a dot between its parts (元/人.每天), never first.
    r"(?P<unit>[%‰]|[^\d\s%‰≥≤=<>,，。;；、:：?？!！()（）\"“”'‘’.+\-~][^\d\s%‰≥≤=<>,，。;；、:：?？!！()（）\"“”'‘’+\-~]{0,9})?"
)
# A Chinese numeral touching a digit: typing or OCR damage, not a number (二100百分比).
_GARBLED = re.compile(r"[〇零一二三四五六七八九十]\d|\d[〇零一二三四五六七八九十]")
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
              "十二": 12}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_MARKS = re.compile(r"[，,。；;、：:！!？?\n]")


@dataclass(frozen=True)
class Target:
    """A judged target value.

    ``operator``, ``number`` and ``unit`` are set for quantitative targets; ``word`` for qualitative ones;
    ``when`` (and ``operator`` ``≤`` for "no later than") for deadlines.
    ``normalisations`` lists, in Chinese, each change made to the typed text before judging.
    ``reason`` says, for vague and unparseable targets, why (``relative``, ``sentence``, ``phrase``, ``junk``,
    ``garbled``); for a qualitative grading word it is ``grade``.
    """

    text: str
    normalised: str
    kind: Kind
    operator: str | None = None
    number: float | None = None
    unit: str = ""
    word: str | None = None
    normalisations: tuple[str, ...] = ()
    reason: str = ""
    when: str = ""

    @property
    def is_percent(self) -> bool:
        return self.kind == "quantitative" and self.unit in data.targets().percent_units


def parse_target(text: object) -> Target:
    """Judge one target value. Accepts anything a cell may hold; never raises.

    Cached: the same few dozen targets (``≥99%``, ``健全`` ...) recur in every form, and both the reader (to record
    normalisations) and the rules ask.
    """
    try:
        return _parse_cached(text)
    except TypeError:  # unhashable: nothing a cell holds, but never raise
        return _parse(text)


@lru_cache(maxsize=8192)
def _parse_cached(text: object) -> Target:
    return _parse(text)


def _parse(text: object) -> Target:
    original = "" if text is None else _as_text(text)
    if not original.strip():
        return Target(original, "", "blank")
    s, notes = _normalise(original)
    vocab = data.targets()

    if any(marker in s for marker in vocab.vague_markers):
        return Target(original, s, "vague", normalisations=tuple(notes), reason="relative")

    if _GARBLED.search(s) and not _SENTENCE_MARKS.search(s):
        return Target(original, s, "unparseable", normalisations=tuple(notes), reason="garbled")

    deadline = _deadline(original, s, notes)
    if deadline is not None:
        return deadline

    quantity = _quantity(original, s, notes)
    if quantity is not None:
        return quantity

    if s in vocab.qualitative:
        return Target(original, s, "qualitative", word=s, normalisations=tuple(notes))
    if s in vocab.grades:
        return Target(original, s, "qualitative", word=s, normalisations=tuple(notes), reason="grade")

    if len(_CJK.findall(s)) >= 2:
        reason = "sentence" if _SENTENCE_MARKS.search(s) else "phrase"
        return Target(original, s, "vague", normalisations=tuple(notes), reason=reason)
    return Target(original, s, "unparseable", normalisations=tuple(notes), reason="junk")


def is_capped_rate(level3: str) -> bool:
    """Whether a percentage target of this 三级指标 reads as a rate that cannot exceed 100%.

    Most percentage targets in these forms are 完成率, 执行率, 覆盖率, 满意度: capped. A name that says the quantity
    grows against a base (增长率, 增幅, 提高 ..., data) may legitimately exceed 100%.
    """
    name = _SPACE.sub("", level3 or "")
    return not any(marker in name for marker in data.targets().uncapped_rate_markers)


def format_number(value: float) -> str:
    """A number as a person would write it in a target: no trailing zeros; beyond 15 digits (or infinite) as
    :func:`xltools.bounds.number_text` shows it (1E+308, not a 309-digit number)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return number_text(value)
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


# -- internals ---------------------------------------------------------------------------------------------


def _as_text(value: object) -> str:
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _normalise(text: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    s = text.strip()

    half = s.translate(_FULLWIDTH)
    if half != s:
        notes.append("全角数字、字母或符号改为半角")
        s = half

    # Spaces first, so that "> =" reads as ">=".
    tidy = _drop_spaces(s)
    if tidy != s:
        notes.append("去除多余空格")
        s = tidy

    for ascii_op, sign in _ASCII_OPS:
        if ascii_op in s:
            notes.append(f"“{ascii_op}”改为“{sign}”")
            s = s.replace(ascii_op, sign)

    trimmed = s.rstrip(_TRAILING)
    if trimmed and trimmed != s:
        notes.append("去除末尾标点")
        s = trimmed
    return s, notes


def _drop_spaces(s: str) -> str:
    """Remove whitespace, except a single space between two Latin letters or digits ("ISO 9001")."""

    def repl(m: re.Match[str]) -> str:
        before = s[m.start() - 1] if m.start() > 0 else ""
        after = s[m.end()] if m.end() < len(s) else ""
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            # Keep "ISO 9001", but not "100 %" or "≥ 99".
            return " " if not (before.isdigit() and after.isdigit()) else ""
        return ""

    return _SPACE.sub(repl, s)


def _quantity(original: str, s: str, notes: list[str]) -> Target | None:
    """Read ``s`` as operator + number + unit, reading operator words and thousands separators on the way."""
    vocab = data.targets()
    local: list[str] = []
    candidate = s

    plain = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), candidate)
    if plain != candidate:
        local.append("去除数字中的千位分隔符")
        candidate = plain

    if candidate[:1] not in OPERATORS:
        for word in sorted(vocab.operator_words, key=len, reverse=True):
            rest = candidate[len(word):]
            if candidate.startswith(word) and rest[:1].isdigit():
                sign = vocab.operator_words[word]
                local.append(f"“{word}”改为“{sign}”")
                candidate = sign + rest
                break
    for word in sorted(vocab.operator_suffixes, key=len, reverse=True):
        head = candidate[: -len(word)]
        if not candidate.endswith(word):
            continue
        sign = vocab.operator_suffixes[word]
        if head[:1].isdigit():
            local.append(f"“{word}”改为“{sign}”")
            candidate = sign + head
        elif head[:1] == sign and head[1:2].isdigit():
            # ≥95%以上 (or 不低于95%以上, read above): the same bound twice.
            local.append(f"去除重复的“{word}”")
            candidate = head
        break

    m = _QUANTITY.fullmatch(candidate)
    if not m:
        return None
    try:
        number = float(m.group("num"))
    except ValueError:  # pragma: no cover - the pattern only admits floats
        return None
    unit = m.group("unit") or ""
    return Target(original, candidate, "quantitative", operator=m.group("op"), number=number, unit=unit,
                     normalisations=tuple(notes + local))


@lru_cache(maxsize=1)
def _deadline_pattern() -> re.Pattern[str]:
    words = data.targets().deadline

    def alt(key: str) -> str:
        return "|".join(re.escape(w) for w in sorted(words.get(key, ()), key=len, reverse=True)) or "(?!)"

    month = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
    return re.compile(
        rf"(?P<op>[≤<])?(?P<by>{alt('before_prefixes')})?(?P<prefix>{alt('prefixes')})?"
        rf"(?:(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}})"
        rf"|(?:(?P<y>\d{{4}})年)?(?:(?P<q>第?[一二三四1-4]季度)|(?P<m>{month})月(?:(?P<d>\d{{1,2}})[日号])?)?)"
        rf"(?P<period>{alt('periods')})?(?P<point>{alt('points')})?"
        rf"(?P<before>{alt('before')})?(?P<verb>{alt('verbs')})?"
    )


def _deadline(original: str, s: str, notes: list[str]) -> Target | None:
    """Read ``s`` as a time target (see the module docstring), or None."""
    m = _deadline_pattern().fullmatch(s)
    if not m:
        return None
    g = m.groupdict()
    year = g["y"] or g["iy"]
    month, day = g["m"] or g["im"], g["d"] or g["id"]
    dated = year or g["q"] or month
    if not (dated or g["period"] or (g["prefix"] and g["point"])):
        return None
    if g["point"] and (day or g["period"]):  # 12月31日底, 全年底: not a time anyone writes
        return None
    if g["period"] and (month or g["q"]):
        return None
    if year and not 1990 <= int(year) <= 2100:
        return None
    if month:
        number = int(month) if month.isdigit() else _CN_MONTHS[month]
        try:
            dt.date(int(year or 2000), number, int(day or 1))
        except ValueError:
            return None
    before = g["op"] or ("≤" if g["before"] or g["by"] else None)
    # The time itself: without a leading sign or 截至, and without the "no later than" word and the verb.
    start = max(0, m.end("op"), m.end("by"))
    end = next((i for i in (m.start("before"), m.start("verb")) if i >= 0), len(s))
    when = s[start:end]
    return Target(original, s, "deadline", operator=before, when=when, normalisations=tuple(notes))
