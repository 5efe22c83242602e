"""What one click on the add-in's ribbon runs in Python: ``pythonw.exe -I -B -m xltools.addin TOKEN``.

The VBA (``macros/XltLaunch.bas``) has written ``%LOCALAPPDATA%\\xltools\\run\\TOKEN.req`` (UTF-16): the button's
action, Excel's main window and the active workbook's name. Here the request is read (and removed), Excel is
reached through xlwings (:func:`xltools.excel.connect`) and the function :data:`ACTIONS` names for the action runs,
with a :class:`Context`. From then on every message is shown in Excel; only when Excel cannot be reached is a reply
written to ``TOKEN.out`` for the VBA to show, and the process ends with a non-zero code.

Nothing but the token comes from the command line, and the token is 32 hex digits or nothing runs: a workbook's
name or a chosen path never meets a command line, a shell or Python source. Kept light: the button's module is
imported only when its action runs (the staff check loads neither pandas nor the bureau's code).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xltools.addin.settings import run_folder, settings_path

if TYPE_CHECKING:
    from xltools.addin.ui import Ui

# Each ribbon button's action (macros/XltRibbon.bas) and the function that runs it, "module:function".
ACTIONS = {
    "check": "xltools.addin.staff:check",
    "clear": "xltools.addin.staff:clear",
    "templates": "xltools.addin.bureau:templates",
    "consolidate": "xltools.addin.bureau:consolidate",
    "copies": "xltools.addin.bureau:return_copies",
    "settings": "xltools.addin.configure:configure",
}
TOKEN = re.compile(r"[0-9A-F]{32}")
REQUEST_SUFFIX = ".req"
REPLY_SUFFIX = ".out"
ENCODING = "utf-16"
BAD_USAGE = 2
FAILED = 1


class RequestError(Exception):
    """A request file that is not what the add-in writes."""


@dataclass(frozen=True)
class Request:
    action: str
    hwnd: int
    book: str  # the active workbook's name; "" when none was active


@dataclass
class Context:
    """What a button's function gets: the way to speak in Excel, the active workbook (an ``xlwings.Book``, None
    when there was none) and the user's settings file."""

    ui: Ui
    book: Any
    settings: Path


def request_bytes(action: str, hwnd: int, book: str) -> bytes:
    """A request as XltLaunch.bas writes it (FileSystemObject's Unicode text file: UTF-16 LE with BOM, CRLF)."""
    return f"action={action}\r\nhwnd={hwnd}\r\nbook={book}\r\n".encode(ENCODING)


def read_request(data: bytes) -> Request:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise RequestError("not UTF-16") from exc
    values = {}
    for line in text.split("\r\n"):
        key, sep, value = line.partition("=")
        if sep:
            values[key] = value  # the book's name is taken as it is, spaces and all
    try:
        return Request(values["action"], int(values["hwnd"]), values["book"])
    except (KeyError, ValueError) as exc:
        raise RequestError(f"incomplete request: {sorted(values)}") from exc


def write_reply(path: Path, text: str) -> None:
    """What the VBA shows when Python could not speak in Excel itself."""
    with contextlib.suppress(OSError):  # the VBA then says that Python failed, with its exit code
        path.write_bytes(text.replace("\n", "\r\n").encode(ENCODING))


def resolve(action: str) -> Callable[[Context], Any]:
    """The function for ``action``; KeyError for an action no button has."""
    module, _, name = ACTIONS[action].partition(":")
    function: Callable[[Context], Any] = getattr(importlib.import_module(module), name)
    return function


def unexpected(exc: BaseException) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return (f"未能完成：{detail}\n请把本提示截图发给下发本加载项的部门。")


def main(argv: Sequence[str], *, home: Path | None = None,
         connect: Callable[[int, str], tuple[Any, Any]] | None = None) -> int:
    """Run the click whose token is ``argv[0]``. ``home``: the folder of the run files and settings (the user's
    ``%LOCALAPPDATA%\\xltools``); ``connect``: how Excel is reached (tests give xlwings' remote engine)."""
    _quiet_streams()
    if len(argv) != 1 or not TOKEN.fullmatch(argv[0]):
        return BAD_USAGE
    folder = run_folder(home)
    request_file = folder / (argv[0] + REQUEST_SUFFIX)
    reply = folder / (argv[0] + REPLY_SUFFIX)
    try:
        request = read_request(request_file.read_bytes())
    except (OSError, RequestError) as exc:
        write_reply(reply, f"xltools 读不到这次点击的请求（{exc}）。请再点一次；仍不成功请重新运行“安装.bat”。")
        return FAILED
    finally:
        request_file.unlink(missing_ok=True)
    if connect is None:
        from xltools import excel

        connect = excel.connect
    try:
        app, book = connect(request.hwnd, request.book)
    except Exception as exc:
        write_reply(reply, f"xltools 无法连接到 Excel：{str(exc).strip() or type(exc).__name__}\n"
                           "请保存并关闭其他 Excel 窗口后再试；仍不成功请重新运行“安装.bat”。")
        return FAILED
    from xltools.addin.ui import ExcelUi

    ui = ExcelUi(app)
    if request.action not in ACTIONS:
        ui.alert(f"加载项的按钮“{request.action}”在本机的 xltools 中没有：加载项与 xltools 的版本不一致。"
                 "请重新运行安装包中的“安装.bat”。", "xltools", critical=True)
        return 0
    try:
        resolve(request.action)(Context(ui, book, settings_path(home)))
    except Exception as exc:
        try:
            ui.status(None)
            ui.alert(unexpected(exc), "xltools", critical=True)
        except Exception:
            write_reply(reply, unexpected(exc))
            return FAILED
    return 0


def _quiet_streams() -> None:
    """pythonw has no console: sys.stdout and sys.stderr are None, and a library's stray print must not fail."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
