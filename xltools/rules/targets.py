"""指标目标值: target-unparseable, target-no-operator, target-percent-over-100, target-vague.

How a target is read is :func:`xltools.targets.parse_target` (normalisation, then kind). Decisions here:

* Blank targets are ``indicator-incomplete`` (see :mod:`xltools.rules.indicators`), not judged here.
* ``target-unparseable`` (error) only for kind ``unparseable``: no number and no Chinese word a reviewer could
  accept (``abc``, ``??``, ``100%%``, a lone ``高``), or a number garbled by typing or OCR (``二100百分比``: the
  message says so). The five approved forms never hit it.
* Deadlines (``2023年12月31日前``, ``第三季度末``) and grading words (``好``, ``较好``, ``一般``) are measurable or
  accepted: no finding.
* ``target-vague`` (warning) for relative phrases (``较上年增长``, ``位于…前列``, ``≥前五年平均值的110%``), whole
  sentences and unknown phrases. Approved forms contain these: a reviewer may push back, the form is not wrong.
* ``target-no-operator`` (warning) for a bare number (``100%``, ``80%``): the reviewer cannot tell ≥ from =.
* ``target-percent-over-100`` (warning) for a percentage above 100 with ``≥``, ``>``, ``=`` or no operator, when
  the 三级指标 reads as a capped rate (:func:`xltools.targets.is_capped_rate`: everything except names marked as
  growth or ratio, e.g. ``…增长率``). An upper bound (``≤110%``) demands nothing impossible and is not flagged.
  A bare ``120%`` gets both this and ``target-no-operator``: two different things to fix.
* All findings are at the 指标目标值 cell.
"""

from __future__ import annotations

from xltools import data
from xltools.findings import Finding
from xltools.model import Declaration, Indicator
from xltools.rules._common import advice, finding, shown
from xltools.targets import Target, format_number, is_capped_rate, parse_target

_EXAMPLES = "如“≥95%”“=100%”“≤3个月”"


def check(decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    for row in decl.indicators:
        if row.target.blank:
            continue
        text = row.target.text or shown(row.target)
        out.extend(judge(decl, row, parse_target(text)))
    return out


def judge(decl: Declaration, row: Indicator, target: Target) -> list[Finding]:
    cell = row.target.cell
    quoted = _quote(target.text)
    words = "、".join(data.targets().qualitative)
    if target.kind == "unparseable":
        damaged = "：数字与汉字数字连在一起，疑似录入或扫描识别错误" if target.reason == "garbled" else ""
        return [finding(decl, "target-unparseable", cell,
                        f"指标目标值“{quoted}”无法识别{damaged}。{advice('target-unparseable')}"
                        f"比较符加数值{_EXAMPLES}；规范用语：{words}。")]
    if target.kind == "vague":
        if target.reason == "relative":
            what, more = "是相对表述，无法单独衡量", f"{_EXAMPLES}，必要时在备注中说明基数。"
        elif target.reason == "sentence":
            what, more = "是一段描述，不是可衡量的目标值", f"{_EXAMPLES}或“健全”“及时”；多项要求请拆成多行指标。"
        else:
            what, more = "不是规范用语，难以衡量", f"比较符加数值{_EXAMPLES}；规范用语：{words}。"
        return [finding(decl, "target-vague", cell, f"指标目标值“{quoted}”{what}。{advice('target-vague')}{more}")]
    out: list[Finding] = []
    if target.kind != "quantitative" or target.number is None:
        return out
    value = format_number(target.number) + target.unit
    if target.operator is None:
        out.append(finding(decl, "target-no-operator", cell,
                           f"指标目标值“{quoted}”缺少比较符。{advice('target-no-operator')}"
                           f"如“≥{value}”或“={value}”。"))
    if (target.is_percent and target.number > 100 and target.operator not in ("≤", "<")
            and is_capped_rate(row.level3.text)):
        name = row.level3.text or "该指标"
        out.append(finding(decl, "target-percent-over-100", cell,
                           f"“{name}”的指标目标值“{quoted}”超过 100%，而比率一般不超过 100%。"
                           f"{advice('target-percent-over-100')}"))
    return out


def _quote(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
