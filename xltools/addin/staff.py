"""The 填报 group: 一键校验 and 清除标记 on the ACTIVE workbook, whichever it is.

The same work as the .xlsm's buttons (:func:`xltools.excel.check_book`, :func:`xltools.excel.clear_book`): any
supported form, any template version, .xlsx or .xlsm, the results written into its 校验结果 exactly as the .xlsm's
button writes them. A workbook that is no form at all is told so, and nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xltools import excel

if TYPE_CHECKING:
    from xltools.addin.launch import Context
    from xltools.engine import CheckResult

NO_BOOK = ("没有可以{action}的工作簿：请先打开申报表，再点“{action}”。"
           "如果表格上方有“受保护的视图”黄条，请先点其中的“启用编辑”。")


def check(ctx: Context) -> CheckResult | None:
    """一键校验: the findings into the active workbook's 校验结果. None when nothing was checked (an alert said why)."""
    title = excel.CHECK_TITLE
    if ctx.book is None:
        ctx.ui.alert(NO_BOOK.format(action=title), title, critical=True)
        return None
    try:
        excel.require_form(ctx.book, title)
        return excel.check_book(ctx.book)
    except excel.ButtonError as exc:
        ctx.ui.alert(str(exc), title, critical=True)
    except Exception as exc:
        ctx.ui.alert(excel.unexpected_message(exc), title, critical=True)
    return None


def clear(ctx: Context) -> bool:
    """清除标记: the active workbook's summary and result rows emptied. False when nothing was cleared."""
    title = excel.CLEAR_TITLE
    if ctx.book is None:
        ctx.ui.alert(NO_BOOK.format(action=title), title, critical=True)
        return False
    try:
        excel.require_form(ctx.book, title)
        excel.clear_book(ctx.book)
        return True
    except excel.ButtonError as exc:
        ctx.ui.alert(str(exc), title, critical=True)
    except Exception as exc:
        ctx.ui.alert(excel.unexpected_message(exc), title, critical=True)
    return False
