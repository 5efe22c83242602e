"""The file under a workbook, read once and within bounds, its container recognised by content, not by name.

A returned workbook is untrusted: it may be empty, cut short by a download, a renamed text file, encrypted, a zip
bomb, or a zip whose members are damaged (bit flips, zeroed ranges), stored with a method Excel never uses, flagged
encrypted, or listed differently in the central directory than in their local headers. Every such problem becomes an
:class:`UnreadableError` with a Chinese reason; no exception of zipfile, zlib or the operating system reaches staff.

Members are read with :class:`Zip`: by name (exactly, else ignoring case, the first one listed), their CRC-32 and
local header checked by Python's zipfile, their size bounded before anything is inflated.
"""

from __future__ import annotations

import errno
import os
import struct

from xltools import ziparchive

# Bounds for untrusted files. A real form is ~90 KB zipped and ~1 MB unzipped.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 10_000  # a form has 13 parts; a zip listing a million makes the listing itself slow

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_EOCD = b"PK\x05\x06"

RESAVE = "请重新保存后再报送。"
DAMAGED = "文件已损坏或不完整（内部数据无法解压或校验不符），无法读取。" + RESAVE
ENCRYPTED = "工作簿已设置打开密码（已加密），无法读取。请取消打开密码后再报送。"


class UnreadableError(Exception):
    """The file cannot be read as a workbook. ``str(error)`` is a Chinese reason for staff."""


# Why a file could not be READ (atomic.os_reason words write failures).
_READ_REASONS = {
    errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件", errno.ENAMETOOLONG: "文件路径过长", errno.ELOOP: "路径中的链接循环",
    errno.EIO: "读取时发生磁盘或网络错误", errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
}


def read_reason(exc: OSError) -> str:
    """A Chinese reason why a file could not be read."""
    return _READ_REASONS.get(exc.errno or 0) or "操作系统拒绝读取"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The whole file, once, or UnreadableError: missing, unreadable, empty or too large."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise UnreadableError(f"文件过大（{size // (1024 * 1024)} MB），不像是一张申报表。")
            data = f.read(size + 1 if size else MAX_FILE_BYTES + 1)  # +1: a file that grew while read is seen
    except OSError as exc:
        raise UnreadableError(f"文件无法打开：{read_reason(exc)}。") from exc
    except ValueError as exc:  # a path the OS cannot even take (a NUL byte in it)
        raise UnreadableError("文件无法打开：文件路径无效。") from exc
    if len(data) > MAX_FILE_BYTES:  # it grew while being read (or fstat knew no size: a pipe)
        raise UnreadableError("文件过大，不像是一张申报表。")
    if not data:
        raise UnreadableError("文件为空（0 字节），不是 Excel 工作簿。请重新保存后再报送。")
    return data


def kind(data: bytes) -> str:
    """The container by its first bytes: "zip" (OOXML or OpenDocument) or "ole" (.xls, or encrypted OOXML)."""
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(b"PK"):
        raise UnreadableError("文件已损坏或不完整（压缩结构无效）。" + RESAVE)
    raise UnreadableError("文件不是 Excel 工作簿（内容不是 .xlsx/.xls/.ods 格式）。请用 Excel 或 WPS 另存为 .xlsx。")


class Zip:
    """The members of a zip archive held in memory, read strictly and within bounds (:mod:`xltools.ziparchive`)."""

    def __init__(self, data: bytes) -> None:
        entries = _listed_entries(data)
        if entries is not None and entries > MAX_MEMBERS:
            raise UnreadableError(f"文件内部包含 {entries} 个部件，不像是一张申报表，出于安全不予读取。")
        try:
            infos = ziparchive.directory(data)
        except ziparchive.ZipDamage as exc:
            raise UnreadableError("文件已损坏或不完整（压缩结构无效）。" + RESAVE) from exc
        if len(infos) > MAX_MEMBERS:
            raise UnreadableError(f"文件内部包含 {len(infos)} 个部件，不像是一张申报表，出于安全不予读取。")
        unzipped = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_COMPRESSION_RATIO * 10:
            raise UnreadableError("文件解压后体积异常（疑似压缩炸弹），出于安全不予读取。")
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                    and info.file_size > 10 * 1024 * 1024:
                raise UnreadableError("文件内部数据压缩比异常（疑似压缩炸弹），出于安全不予读取。")
        self._data = data
        self.infos = infos
        # The first of duplicate names wins, by exact name and ignoring case (as calamine looks parts up).
        self._exact: dict[str, ziparchive.Entry] = {}
        self._folded: dict[str, ziparchive.Entry] = {}
        for info in infos:
            self._exact.setdefault(info.filename, info)
            self._folded.setdefault(info.filename.lower(), info)

    def find(self, name: str) -> ziparchive.Entry | None:
        return self._exact.get(name) or self._folded.get(name.lower())

    def __contains__(self, name: str) -> bool:
        return self.find(name) is not None

    def read(self, name: str | ziparchive.Entry) -> bytes:
        """A member's bytes (KeyError when there is none), or UnreadableError when it cannot be read safely."""
        info = name if isinstance(name, ziparchive.Entry) else self.find(name)
        if info is None:
            raise KeyError(name)
        try:
            return ziparchive.read(self._data, info)
        except ziparchive.ZipDamage as exc:
            raise UnreadableError(_DAMAGE[exc.kind]) from exc

    def read_optional(self, name: str) -> bytes | None:
        return self.read(name) if name in self else None

    def close(self) -> None:
        self._data = b""


_DAMAGE = {
    "damaged": DAMAGED,
    "encrypted": "文件内部数据已加密，无法读取。请取消加密后重新保存再报送。",
    "method": "文件使用了 Excel 不使用的压缩方式，无法读取。请用 Excel 或 WPS 重新保存后再报送。",
}


def _listed_entries(data: bytes) -> int | None:
    """The number of members the end-of-central-directory record announces, read before anything is listed."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    total: int = struct.unpack_from("<H", data, at + 10)[0]
    return total
