"""What the add-in's buttons show and ask, through the Excel that clicked: alerts, questions, file and folder
dialogs, a text box, the status bar, opening a workbook.

:class:`Ui` is what the buttons use; :class:`ExcelUi` does it with the ``xlwings.App`` of the click. Alerts go through
xlwings' ``App.alert`` (on Windows a MessageBox owned by Excel's window, which shows any text; xlwings' remote
engine records them, so tests see them); the dialogs are Excel's own (``Application.FileDialog``,
``Application.InputBox``) through COM, so a path chosen arrives in Python as the text Excel holds, whatever
characters it has, and never passes through a command line. Tests drive the buttons with a scripted Ui instead.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal, Protocol

Answer = Literal["yes", "no", "cancel"]
FILE_PICKER = 3  # msoFileDialogFilePicker
FOLDER_PICKER = 4  # msoFileDialogFolderPicker
CHOSEN = -1  # FileDialog.Show(): a choice was made
TEXT = 2  # Application.InputBox Type: text


class Ui(Protocol):
    def alert(self, message: str, title: str, critical: bool = False) -> None: ...

    def confirm(self, message: str, title: str) -> bool:
        """OK (True) or Cancel (False)."""
        ...

    def ask(self, message: str, title: str) -> Answer:
        """Yes, No or Cancel."""
        ...

    def choose_file(self, title: str, kinds: str, patterns: str, initial: str = "") -> str | None:
        """A file chosen in Excel's file dialog (``patterns`` like ``*.csv;*.xlsx``), or None when cancelled."""
        ...

    def choose_folder(self, title: str, initial: str = "") -> str | None: ...

    def text(self, prompt: str, title: str, default: str = "") -> str | None:
        """Text typed into a box, or None when cancelled."""
        ...

    def status(self, text: str | None) -> None:
        """Show ``text`` in Excel's status bar; None gives the bar back to Excel."""
        ...

    def open_book(self, path: Path) -> None: ...

    def release(self, path: Path) -> bool:
        """Make sure ``path`` is not open in this Excel, so it can be written: close it when it has no unsaved
        changes. False when it is open with changes (then it is left alone)."""
        ...


class ExcelUi:
    """:class:`Ui` through ``app``, the xlwings App of the Excel that clicked."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def alert(self, message: str, title: str, critical: bool = False) -> None:
        self.app.alert(message, title=title, buttons="ok", mode="critical" if critical else "info")

    def confirm(self, message: str, title: str) -> bool:
        return bool(self.app.alert(message, title=title, buttons="ok_cancel", mode="info") == "ok")

    def ask(self, message: str, title: str) -> Answer:
        answer = self.app.alert(message, title=title, buttons="yes_no_cancel", mode="info")
        return answer if answer in ("yes", "no") else "cancel"

    def _dialog(self, kind: int, title: str, initial: str) -> Any:
        dialog = self.app.api.FileDialog(kind)
        dialog.Title = title
        dialog.AllowMultiSelect = False
        if initial:
            dialog.InitialFileName = initial
        return dialog

    def choose_file(self, title: str, kinds: str, patterns: str, initial: str = "") -> str | None:
        dialog = self._dialog(FILE_PICKER, title, initial)
        dialog.Filters.Clear()
        dialog.Filters.Add(kinds, patterns)
        return str(dialog.SelectedItems(1)) if dialog.Show() == CHOSEN else None

    def choose_folder(self, title: str, initial: str = "") -> str | None:
        # A folder's InitialFileName ends with a backslash, or Excel opens its parent with the name typed in.
        start = initial if not initial or initial.endswith("\\") else initial + "\\"
        dialog = self._dialog(FOLDER_PICKER, title, start)
        return str(dialog.SelectedItems(1)) if dialog.Show() == CHOSEN else None

    def text(self, prompt: str, title: str, default: str = "") -> str | None:
        import pythoncom  # Windows only, as this class is: COM's "argument omitted"

        skip = pythoncom.Missing
        typed = self.app.api.InputBox(prompt, title, default, skip, skip, skip, skip, TEXT)
        return typed if isinstance(typed, str) else None  # Cancel gives False

    def status(self, text: str | None) -> None:
        self.app.status_bar = text if text else False

    def open_book(self, path: Path) -> None:
        self.app.books.open(str(path))

    def release(self, path: Path) -> bool:
        wanted = str(path).casefold()
        for book in self.app.books:
            if str(book.fullname).casefold() == wanted:
                if not book.api.Saved:
                    return False
                book.close()
        return True


class StatusProgress:
    """A consolidation's progress, ``(done, total)``, in the status bar; at most every ``interval`` seconds (each
    update is a call into Excel)."""

    def __init__(self, ui: Ui, label: str, interval: float = 0.25) -> None:
        self.ui = ui
        self.label = label
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        self.ui.status(f"{self.label}：已读取 {done}/{total} 个文件……")
