"""Writing output files atomically: a reader (or a crash) never sees half a workbook."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, move it into place.

    The temporary file lives in the same folder, so the final ``os.replace`` is atomic. On any error it is
    removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".xltools-", suffix=target.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); outputs are meant to be shared like any saved file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


_REASONS = {
    errno.ENOENT: "路径不存在或无法创建", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
    errno.EROFS: "位置只读", errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
    errno.EEXIST: "路径中有一段是文件，不是文件夹",  # what mkdir says about a file in the way
    errno.EISDIR: "这是一个文件夹", errno.ENAMETOOLONG: "文件名或路径过长", errno.ELOOP: "路径中的链接形成了循环",
    errno.EIO: "读写设备出错",
}
_READ_REASONS = {
    errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
}


def os_reason(exc: OSError, *, reading: bool = False) -> str:
    """A Chinese reason for an operating-system error (the system's own wording otherwise). ``reading``: the
    error came from reading, not writing (a file that cannot be read is not told it cannot be written)."""
    code = exc.errno or 0
    if reading and code in _READ_REASONS:
        return _READ_REASONS[code]
    return _REASONS.get(code) or exc.strerror or str(exc)


class OutputError(Exception):
    """An output cannot be written where asked. ``str(error)`` is a Chinese reason for staff."""


# What a consolidation is written as; other formats are refused rather than given .xlsx content under their name.
WORKBOOK_SUFFIX = ".xlsx"
REFUSED_SUFFIXES = frozenset({".xls", ".xlsm", ".xlsb", ".xlt", ".xltx", ".xltm", ".ods", ".ots", ".fods", ".et",
                              ".ett", ".csv", ".tsv", ".txt", ".json", ".parquet", ".pdf", ".doc", ".docx", ".wps",
                              ".zip", ".rar", ".7z", ".html", ".htm", ".xml"})


def workbook_path(path: str | os.PathLike[str]) -> Path:
    """The output workbook ``path`` as it will be written: ``.xlsx`` added when the name has no such ending
    (``汇总`` becomes ``汇总.xlsx``); another format's ending is refused with OutputError."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == WORKBOOK_SUFFIX:
        return target
    if suffix in REFUSED_SUFFIXES:
        raise OutputError(f"输出文件“{target}”的扩展名是 {target.suffix}：汇总结果只能写成 .xlsx 工作簿。"
                          f"请改为 {target.with_suffix(WORKBOOK_SUFFIX).name}。")
    if not target.name or target.name in (".", ".."):
        raise OutputError(f"输出路径“{target}”没有文件名，请给出文件名（例如 {target / '汇总.xlsx'}）。")
    return target.with_name(target.name + WORKBOOK_SUFFIX)


def ensure_writable(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Fail before the work, not after it, when ``path`` (a file, or with ``folder`` a directory) cannot be
    written: its folder is created and a temporary file is tried there. An existing read-only file is refused as
    an unprivileged user would be refused (by its permission bits: the replacement would otherwise succeed, since
    replacing a file needs only the folder to be writable)."""
    target = Path(path)
    where = target if folder else target.parent
    try:
        if not folder:
            try:
                st = target.stat()
            except FileNotFoundError:
                pass
            else:
                if stat.S_ISDIR(st.st_mode):
                    raise OutputError(f"输出路径“{target}”是一个文件夹，请给出文件名（例如 {target / '汇总.xlsx'}）。")
                if not st.st_mode & 0o222:
                    raise OutputError(f"无法写入“{target}”：这是一个只读文件。请取消只读属性，或换一个文件名。")
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".xltools-")
        try:
            os.close(fd)
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"无法写入“{target}”：{os_reason(exc)}。请换一个有写入权限的位置。") from exc
    return target


def write_failed(target: str | os.PathLike[str], exc: OSError) -> OutputError:
    """The error for a write that failed part way (disk full, folder gone): it names the path the user chose,
    never the temporary file the failure happened on."""
    return OutputError(f"写出“{target}”失败：{os_reason(exc)}。原有的文件（如有）保持不变。")
