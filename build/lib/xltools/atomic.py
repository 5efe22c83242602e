"""Writing output files atomically: a reader (or a crash) never sees half a workbook."""

from __future__ import annotations

import contextlib
import errno
import os
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
    errno.EROFS: "位置只读", errno.ENOSPC: "磁盘空间不足", errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
    errno.EEXIST: "路径中有一段是文件，不是文件夹",  # what mkdir says about a file in the way
    errno.EISDIR: "这是一个文件夹",
}


def os_reason(exc: OSError) -> str:
    """A Chinese reason for an operating-system error (the system's own wording otherwise)."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


class OutputError(Exception):
    """An output cannot be written where asked. ``str(error)`` is a Chinese reason for staff."""


def ensure_writable(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Fail before the work, not after it, when ``path`` (a file, or with ``folder`` a directory) cannot be
    written: its folder is created and a temporary file is tried there."""
    target = Path(path)
    if not folder and target.is_dir():
        raise OutputError(f"输出路径“{target}”是一个文件夹，请给出文件名（例如 {target / '汇总.xlsx'}）。")
    where = target if folder else target.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".xltools-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"无法写入“{target}”：{os_reason(exc)}。请换一个有写入权限的位置。") from exc
    return target
