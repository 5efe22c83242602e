"""The buttons inside the workbook: ``一键校验`` and ``清除标记``, called by the .xlsm's macros through xlwings::

    RunPython "import xltools.excel as x; x.check_button()"

The check is the same engine as ``xltools check`` (:func:`xltools.engine.check_grids`): the form and the meta
block are each read in one ``.value`` call (a self-evaluation's meta, named by its template id, in a second one that
takes its scoring and approved values too), and the findings go into ``校验结果`` in one ``.value`` call. The form
sheet is never written to: it is protected, and it holds the staff's input. Problem cells still light up, because
the template's conditional formats on the form highlight every cell listed in the result rows.

Only xlwings operations that desktop Excel and xlwings' remote engine both support are used (reading ``value``,
writing ``value``, ``clear_contents``, ``activate``, ``app.alert``), so tests can drive the buttons through
``xw.Book(json=...)``.

The add-in's ribbon (:mod:`xltools.addin`) runs the same work on the active workbook: :func:`check_book`,
:func:`clear_book` (with :func:`require_form` first, as the active workbook may be anything) and reaches Excel with
:func:`connect`.

This module imports xlwings only inside the buttons (and only when no book is passed in) and in :func:`connect`, and
never pandas or pandera, so importing it is cheap. Note that xlwings itself imports pandas and numpy when they are installed in
the interpreter RunPython starts (see docs/excel-button.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xltools import results, spec
from xltools.engine import CheckResult, check_grids
from xltools.reader import read_meta
from xltools.reader.selfeval import META_ROWS
from xltools.spec.selfeval import SELFEVAL

CHECK_TITLE = "一键校验"
CLEAR_TITLE = "清除标记"


class ButtonError(Exception):
    """Something the person can put right; ``str(error)`` is the Chinese text of the alert."""


def check_button(book: Any = None) -> CheckResult | None:
    """Check the workbook that called the button and write the findings into 校验结果.

    ``book`` is an ``xlwings.Book``; by default the calling workbook. Returns the check result, or None when the
    check could not run (the person then sees a Chinese alert instead of a traceback).
    """
    book = book if book is not None else _caller()
    try:
        return _check(book)
    except ButtonError as exc:
        _alert(book, str(exc), CHECK_TITLE, exc)
    except Exception as exc:
        _alert(book, unexpected_message(exc), CHECK_TITLE, exc)
    return None


def clear_button(book: Any = None) -> None:
    """Remove the summary and every result row; the form's highlights go with them."""
    book = book if book is not None else _caller()
    try:
        _clear(book)
    except ButtonError as exc:
        _alert(book, str(exc), CLEAR_TITLE, exc)
    except Exception as exc:
        _alert(book, unexpected_message(exc), CLEAR_TITLE, exc)


def check_book(book: Any) -> CheckResult:
    """What ``一键校验`` does, for any caller (the .xlsm's button, the add-in's ribbon): check ``book`` and write its
    校验结果. Raises ButtonError with the Chinese text to show."""
    return _check(book)


def clear_book(book: Any) -> None:
    """What ``清除标记`` does, for any caller. Raises ButtonError with the Chinese text to show."""
    _clear(book)


def require_form(book: Any, title: str) -> None:
    """The add-in acts on whatever workbook is active: raise ButtonError, before anything is read or written, when
    ``book`` has neither a form sheet nor the template's meta sheet (it is no form at all). A form with one of them
    renamed is left to the check, whose messages say which sheet is missing."""
    names = [s.name for s in book.sheets]
    if spec.META_SHEET not in names and spec.FORM_SHEET not in names and SELFEVAL.sheet not in names:
        raise ButtonError(f"当前工作簿“{book.name}”不是《{spec.TITLE}》或《{SELFEVAL.title}》（没有模板标识），"
                          f"没有写入任何内容。请打开申报表或自评表，再点“{title}”。")


# -- the check -------------------------------------------------------------------------------------------------


def form_block(family: spec.Family = spec.DECLARATION) -> str:
    """The form sheet's range the button reads: every label and input of any supported template version."""
    return f"A1:{family.last_col}{family.max_last_row()}"


def meta_block(rows: int = len(spec.META_KEYS)) -> str:
    """The meta sheet's range: key in column A, value in column B."""
    return f"A1:B{rows}"


def _check(book: Any) -> CheckResult:
    # Look for all three sheets before reading or writing anything; the meta names the form's family (the
    # declaration, or a year-end self-evaluation, whose meta also holds its scoring and approved values).
    family, meta_grid = spec.DECLARATION, []
    if spec.META_SHEET in [s.name for s in book.sheets]:
        meta_grid = grid(book.sheets[spec.META_SHEET].range(meta_block()).options(ndim=2).value)
        if read_meta(meta_grid).get("template_id") == SELFEVAL.template_id:
            family = SELFEVAL
    form = _sheet(book, family.sheet, _missing_form)
    meta = _sheet(book, spec.META_SHEET, _missing_meta)
    out = _sheet(book, spec.RESULTS_SHEET, _missing_results)
    if family is SELFEVAL:
        meta_grid = grid(meta.range(meta_block(META_ROWS)).options(ndim=2).value)
    form_grid = grid(form.range(form_block(family)).options(ndim=2).value)
    # No formulas: the remote engine cannot read them. Excel hands over computed values instead.
    result = check_grids(form_grid, meta_grid, file=book.name)
    layout = result.declaration.form if result.declaration is not None else None
    out[spec.RESULTS_SUMMARY_CELL].value = results.summary_line(result.report.summary(), layout)
    # One block, padded with blanks, so rows left by an earlier check disappear in the same write.
    out[results.BLOCK].value = [list(row) for row in results.padded(result.findings)]
    out.activate()
    return result


def _clear(book: Any) -> None:
    out = _sheet(book, spec.RESULTS_SHEET, _missing_results)
    out[spec.RESULTS_SUMMARY_CELL].clear_contents()
    out[results.BLOCK].clear_contents()


def grid(values: Sequence[Sequence[Any]] | None) -> list[list[Any]]:
    """xlwings' 2-D values as the reader's grid: empty cells (None) become ""; dates stay datetimes."""
    return [["" if v is None else v for v in row] for row in values or []]


# -- sheets and messages ---------------------------------------------------------------------------------------


def _sheet(book: Any, name: str, missing: Any) -> Any:
    names = [s.name for s in book.sheets]
    if name not in names:
        raise ButtonError(missing(names, name) if missing is _missing_form else missing(names))
    return book.sheets[name]


def _missing_form(names: list[str], sheet: str = spec.FORM_SHEET) -> str:
    return (f"找不到工作表“{sheet}”（现有：{'、'.join(names)}）。"
            f"工作表可能被改名或删除，请改回“{sheet}”后再校验，或在下发的模板中重新填写。")


def _missing_meta(names: list[str]) -> str:
    return (f"缺少模板标识（隐藏工作表“{spec.META_SHEET}”），无法确认这是本申报表模板。"
            f"请在下发的《{spec.TITLE}》模板中重新填写。")


def _missing_results(names: list[str]) -> str:
    return (f"找不到工作表“{spec.RESULTS_SHEET}”（现有：{'、'.join(names)}），无法写入校验结果。"
            f"请改回“{spec.RESULTS_SHEET}”后再试，或在下发的模板中重新填写。")


def unexpected_message(exc: Exception) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return (f"校验未能完成：{detail}\n"
            f"请确认没有改动“{spec.RESULTS_SHEET}”工作表和表格结构，保存并重新打开本文件后再试；"
            "仍不成功请将本提示截图发给下发模板的部门。")


def _alert(book: Any, message: str, title: str, cause: Exception) -> None:
    try:
        book.app.alert(message, title=title, mode="critical")
    except Exception:
        # Without an alert there is no other way to tell the person: let xlwings show the original error.
        raise cause from None


def _caller() -> Any:
    import xlwings as xw  # only here: importing xlwings is slow, and nothing else in xltools needs it

    return xw.Book.caller()


def connect(hwnd: int, book_name: str) -> tuple[Any, Any]:
    """The add-in's way to Excel (Windows): the ``xlwings.App`` whose main window is ``hwnd`` and its open workbook
    ``book_name`` (None when empty: no workbook was active). The App is found as ``Book.caller()`` finds it, from
    the window; with no workbook window open there is nothing to find it by, and the running Excel is asked for.
    The name comes from the add-in's request file, never from a command line (it may hold any character)."""
    import xlwings as xw
    import xlwings._xlwindows as xlwin

    app = xw.App(impl=xlwin.App(xl=hwnd))
    try:
        app.api  # noqa: B018 - resolves the window to Excel's Application object, or fails
    except Exception:
        import win32com.client

        running = xlwin.COMRetryObjectWrapper(win32com.client.GetActiveObject("Excel.Application"))
        app = xw.App(impl=xlwin.App(xl=running))
    return app, (app.books[book_name] if book_name else None)
