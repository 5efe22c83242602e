"""Finding the returned workbooks under the paths a user names, and accounting for everything else found there.

Every file under a named folder ends up in exactly one place: a form to read (a :class:`Source`), a file skipped
with the reason and what to do (:class:`Skipped`: lock files, WPS ``.et``, Word, PDF ...), or a file or folder that
could not even be listed (:class:`Skipped` in ``unlisted``: no permission, a path too long), which the commands
report as ``file-unreadable``. Forms inside ``.zip`` attachments are sources too, shown as
``附件.zip/内部路径.xlsx``; their names are decoded as Chinese Windows zip tools write them (GBK, without the
UTF-8 flag).

Paths are carried as the operating system gives them (on Linux a name that is not UTF-8, as unzip leaves a GBK
name, is a ``str`` with surrogate escapes, which opens the file); what staff see is :func:`display`, valid
Unicode with replacement characters.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xltools.workbook import EXTENSIONS

ZIP_SUFFIX = ".zip"
MAX_ZIP_MEMBERS = 10_000  # an attachment of returns holds tens of files; more is not an attachment
_UTF8_FLAG = 0x800  # general purpose bit 11: the member name is UTF-8

# What a skipped file is, and what to do about it, by extension.
_WPS = "WPS 表格格式，不能直接读取：请在 WPS 中“另存为”Excel 工作簿（.xlsx）后放回"
_CONVERT = "不是 .xlsx 工作簿：请用 Excel 或 WPS“另存为”.xlsx 后放回"
_ARCHIVE = "此种压缩包不能读取：请解压后把其中的申报表（.xlsx）放入回收文件夹"
_DOCUMENT = "不是 Excel 工作簿（文档、PDF 或图片等）：申报表请以 .xlsx 报回"
_SKIP_REASONS = {
    ".et": _WPS, ".ett": _WPS, ".xlsb": _CONVERT, ".xlt": _CONVERT, ".xltx": _CONVERT, ".xltm": _CONVERT,
    ".csv": "CSV 文本，不是申报表：申报表请以 .xlsx 报回", ".rar": _ARCHIVE, ".7z": _ARCHIVE, ".gz": _ARCHIVE,
    ".tar": _ARCHIVE,
}
_OTHER = "不是 Excel 工作簿（扩展名不是 .xlsx、.xlsm、.xls、.ods）：如果是申报表，请改回 .xlsx 扩展名"
LOCK_FILE = "Excel/WPS 打开文件时生成的锁文件，不是申报表，无需处理"
MAC_RESOURCE = "macOS 压缩时附带的资源文件，不是申报表，无需处理"
NESTED_ZIP = "压缩包中的压缩包不展开：请解压后把其中的申报表（.xlsx）放入回收文件夹"
LINKED_FOLDER = "指向别处的文件夹链接，未进入（以免重复或循环）：如需读取，请直接给出该文件夹"


@dataclass(frozen=True)
class Source:
    """One workbook to read. ``path``: the file on disk (for a zip member, the zip). ``member``: the name inside the
    zip as :mod:`zipfile` lists it (None for a plain file). ``display``: what staff see (and findings carry).
    ``relative``: where it sits under the folder it was found in (a file named directly: its name), for mirroring
    annotated copies; zip members sit in a folder named after the zip, without ``.zip``."""

    path: str
    display: str
    relative: str
    member: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file not read (or a folder not listed), and why, in Chinese with what to do."""

    display: str
    reason: str


@dataclass
class Found:
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unlisted: list[Skipped] = field(default_factory=list)  # could not be looked into: may hide forms


def display(path: str | os.PathLike[str]) -> str:
    """A path as staff see it: the OS's bytes as UTF-8, anything else as replacement characters (never a crash
    when written to a workbook, JSON or a terminal)."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "replace")


def is_lock_file(name: str) -> bool:
    # Office writes "~$name.xlsx" while a file is open; WPS writes ".~name.xlsx".
    return name.startswith(("~$", ".~"))


def skip_reason(name: str) -> str | None:
    """Why a file called ``name``, found in a folder, is not read as a form; None when it is a workbook to read."""
    base = name.rsplit("/", 1)[-1]
    suffix = os.path.splitext(base)[1].lower()
    if is_lock_file(base):
        return LOCK_FILE
    if base.startswith("._"):
        return MAC_RESOURCE
    if suffix in EXTENSIONS:
        return None
    return _SKIP_REASONS.get(suffix) or (_DOCUMENT if suffix in (".doc", ".docx", ".wps", ".pdf", ".txt", ".jpg",
                                                                 ".jpeg", ".png", ".ofd", ".rtf") else _OTHER)


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its author saw it. Without the UTF-8 flag, :mod:`zipfile` decodes names as cp437;
    Chinese Windows tools wrote them in GBK (and some tools UTF-8 without the flag): the bytes are recovered and
    decoded as UTF-8, then GB18030, else left as they were. Backslashes (some Windows tools) become slashes."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:  # zipfile decoded it some other way (metadata_encoding): trust that
            raw = b""
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding) if raw else name
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def find(paths: Iterable[str | Path]) -> Found:
    """Files named directly are read whatever their extension (a renamed file must still be accounted for),
    except that a named ``.zip`` is looked into; named folders are searched recursively, in a stable order. A
    file reached twice (named twice, or through two folders or links) is listed once."""
    found = Found()
    seen: set[object] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            start = len(os.path.join(str(p), ""))  # every path found starts with the folder and a separator
            for f, identity in sorted(_walk(p, found), key=lambda pair: pair[0]):
                path = str(f)
                _add(found, seen, path, identity, path[start:])
        else:
            key: object
            try:
                st = p.stat()
                key = (st.st_dev, st.st_ino)
            except OSError:
                key = str(p.absolute())  # reported as unreadable by the reader, not lost here
            _add(found, seen, str(p), key, p.name, named=True)
    return found


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """The plain files :func:`find` would read (zip members aside), in order."""
    return [Path(s.path) for s in find(paths).sources if s.member is None]


def _add(found: Found, seen: set[object], path: str, key: object, relative: str, named: bool = False) -> None:
    if key in seen:
        return
    seen.add(key)
    if path.lower().endswith(ZIP_SUFFIX):
        _zip(found, path, relative)
        return
    reason = None if named else skip_reason(os.path.basename(path))
    if reason is None:
        found.sources.append(Source(path, display(path), relative))
    else:
        found.skipped.append(Skipped(display(path), reason))


def _walk(folder: Path, found: Found) -> Iterator[tuple[Path, object]]:
    """Every file under ``folder`` (recursively) with its identity. os.scandir, not Path.rglob + resolve: a
    bureau's folder holds thousands of files, and this runs before any of them can be read. A folder or entry
    that cannot be looked at is recorded in ``found.unlisted``, never silently dropped."""
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_symlink() and entry.is_dir():  # a linked folder could loop
                            found.skipped.append(Skipped(display(entry.path), LINKED_FOLDER))
                        elif entry.is_file():
                            yield Path(entry.path), _identity(entry)
                        else:  # a dangling link, a device, a pipe: not a file that can be read
                            found.unlisted.append(Skipped(display(entry.path), "无法作为文件打开（可能是失效的链接）"))
                    except OSError as exc:
                        found.unlisted.append(Skipped(display(entry.path), _reason(exc)))
        except OSError as exc:
            found.unlisted.append(Skipped(display(current), _reason(exc)))


def _identity(entry: os.DirEntry[str]) -> object:
    try:
        st = entry.stat()
        return (st.st_dev, st.st_ino)
    except OSError:  # the reader will say what is wrong with it
        return entry.path


def _reason(exc: OSError) -> str:
    from xltools.atomic import os_reason

    return f"无法打开（{os_reason(exc, reading=True)}），其中的文件没有读取。请检查权限或把文件移到较短的路径下再汇总"


def _zip(found: Found, path: str, relative: str) -> None:
    """The forms inside a zip attachment (its directory only: nothing is inflated here)."""
    shown = display(path)
    folder = relative[: -len(ZIP_SUFFIX)] if relative.lower().endswith(ZIP_SUFFIX) else relative
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        found.unlisted.append(Skipped(shown, _zip_reason(exc)))
        return
    if len(infos) > MAX_ZIP_MEMBERS:
        found.unlisted.append(Skipped(shown, f"压缩包内有 {len(infos)} 个文件，超过 {MAX_ZIP_MEMBERS} 个，出于安全不予展开"))
        return
    for info in infos:
        name = member_name(info)
        if info.is_dir() or name.endswith("/"):
            continue
        inner = f"{shown}/{name}"
        base = name.rsplit("/", 1)[-1]
        reason = MAC_RESOURCE if name.startswith("__MACOSX/") else (
            NESTED_ZIP if base.lower().endswith(ZIP_SUFFIX) else skip_reason(base))
        if reason is None:
            found.sources.append(Source(path, inner, f"{folder}/{name}", member=info.filename))
        else:
            found.skipped.append(Skipped(inner, reason))
    if not infos:
        found.skipped.append(Skipped(shown, "空的压缩包，其中没有文件"))


def _zip_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        from xltools.atomic import os_reason

        return f"压缩包无法打开（{os_reason(exc, reading=True)}），其中的文件没有读取"
    return "压缩包已损坏或不完整，无法查看其中的文件。请让单位重新发送"


class NoFormsError(ValueError):
    """The inputs hold no form to read; ``str(error)`` names the inputs and what was found instead."""

    SHOWN = 10

    def __init__(self, inputs: Iterable[str | Path], found: Found) -> None:
        named = "、".join(f"“{display(p)}”" for p in inputs) or "（未给出）"
        lines = [f"在 {named} 中没有找到申报表（.xlsx、.xlsm、.xls、.ods 文件，或 .zip 压缩包中的这些文件）。"]
        others = [*found.skipped, *found.unlisted]
        if others:
            lines.append(f"找到的其他文件（{len(others)} 个）：")
            lines += [f"  {s.display}：{s.reason}" for s in others[:self.SHOWN]]
            if len(others) > self.SHOWN:
                lines.append(f"  …… 另有 {len(others) - self.SHOWN} 个")
        else:
            lines.append("文件夹是空的。请检查路径是否正确。")
        super().__init__("\n".join(lines))
