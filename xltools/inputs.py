"""Checking one found input (:class:`xltools.discover.Source`): a file, or a form inside a zip attachment.

Shared by ``xltools check`` and the consolidation workers. Before the engine reads a workbook, its bytes are
probed (:mod:`xltools.marks`): xltools' own outputs are skipped with a note, and the time the unit saved the
workbook is kept for deciding which of two copies counts. A form inside a zip is inflated within bounds (size,
compression ratio; a member's stated size is not trusted) into a scratch folder the caller owns and removes, and
read from there by the same engine, so every workbook goes through the one guarded opening path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass

from xltools import marks
from xltools.data import Frameworks
from xltools.discover import Source
from xltools.engine import CheckResult, check_file
from xltools.findings import Finding
from xltools.package import MAX_COMPRESSION_RATIO, MAX_FILE_BYTES

_CHUNK = 1 << 20


class MemberError(Exception):
    """A form inside a zip cannot be taken out; ``str(error)`` says why in Chinese."""


@dataclass
class Checked:
    """One input checked. ``result`` is None when the input was skipped: ``skipped`` then says why (an xltools
    output). ``saved``: when the unit saved it (POSIX seconds, from the workbook); ``file_time``: the file's (or
    zip entry's) modification time in nanoseconds; either None when unknown."""

    source: Source
    result: CheckResult | None
    skipped: str | None = None
    saved: float | None = None
    file_time: int | None = None


def check_source(source: Source, frameworks: Frameworks | None = None, scratch: str | None = None) -> Checked:
    """Check ``source`` with the engine. Never raises on bad input; ``scratch``: a folder for zip members
    (a temporary one of its own when None)."""
    if source.member is None:
        probe, file_time = marks.probe_file(source.path)
        return _check_path(source, source.path, frameworks, file_time, probe)
    try:
        data, file_time = member_bytes(source)
    except MemberError as exc:
        return Checked(source, _unreadable(source, str(exc)))
    if scratch is None:
        with tempfile.TemporaryDirectory(prefix="xltools-") as own:
            return _check_member(source, data, file_time, frameworks, own)
    return _check_member(source, data, file_time, frameworks, scratch)


def _check_member(source: Source, data: bytes, file_time: int | None, frameworks: Frameworks | None,
                  scratch: str) -> Checked:
    suffix = os.path.splitext(source.relative)[1].lower()
    tmp = os.path.join(scratch, f"{uuid.uuid4().hex}{suffix}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        return _check_path(source, tmp, frameworks, file_time, marks.probe(data))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _check_path(source: Source, path: str, frameworks: Frameworks | None, file_time: int | None,
                probe: marks.Probe) -> Checked:
    if probe.output is not None:
        return Checked(source, None, f"xltools 写出的{probe.output}，不作为申报表读取", file_time=file_time)
    result = check_file(path, source.display, frameworks)
    if result.declaration is None and result.selfeval is None and marks.consolidation_year(path)[0]:
        # A consolidation that was opened and saved (the zip comment is gone; its properties remain).
        return Checked(source, None, "xltools 写出的汇总表（已被另存），不作为申报表读取", file_time=file_time)
    return Checked(source, result, saved=probe.saved, file_time=file_time)


def _unreadable(source: Source, reason: str) -> CheckResult:
    return CheckResult(source.display, None, [Finding.of("file-unreadable", reason, file=source.display)])


def member_bytes(source: Source) -> tuple[bytes, int | None]:
    """The bytes of a zip member and its entry time (ns), within bounds; MemberError otherwise."""
    assert source.member is not None
    try:
        with zipfile.ZipFile(source.path) as zf:
            info = zf.getinfo(source.member)
            if info.flag_bits & 0x1:
                raise MemberError("压缩包中的此文件已加密（设置了解压密码），无法读取。请让单位发送未加密的文件。")
            if info.file_size > MAX_FILE_BYTES:
                raise MemberError(f"压缩包中的此文件过大（{info.file_size // (1024 * 1024)} MB），不像是一张申报表。")
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                    and info.file_size > 10 * 1024 * 1024:
                raise MemberError("压缩包中的此文件压缩比异常（疑似压缩炸弹），出于安全不予读取。")
            parts = []
            size = 0
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):  # the stated size is not trusted: count what comes out
                    size += len(chunk)
                    if size > MAX_FILE_BYTES:
                        raise MemberError("压缩包中的此文件解压后体积异常（疑似压缩炸弹），出于安全不予读取。")
                    parts.append(chunk)
            try:
                entry_time = int(time.mktime((*info.date_time, 0, 0, -1)) * 1_000_000_000)
            except (OverflowError, ValueError):
                entry_time = None
            return b"".join(parts), entry_time
    except MemberError:
        raise
    except OSError as exc:
        from xltools.atomic import os_reason

        raise MemberError(f"压缩包无法打开：{os_reason(exc, reading=True)}。") from exc
    except Exception as exc:  # damaged data, unknown compression, a changed zip: the reason, never a class name
        raise MemberError("压缩包中的此文件已损坏，无法解压。请让单位重新发送。") from exc
