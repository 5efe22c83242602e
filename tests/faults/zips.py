"""Editing a zip (an .xlsx) at the level of its bytes: members, local headers, the central directory.

What a damaged download, a buggy writer or a hostile sender can produce: a member rewritten, flagged encrypted,
stored with an unknown method, named differently in its local header than in the directory, its CRC-32 wrong, its
compressed bytes flipped or zeroed, a member listed twice.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

from xltools import spec
from xltools.workbook import sheet_member

_LOCAL, _CENTRAL, _EOCD = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"


def rezip(parts: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts:
            z.writestr(name, data)
    return buf.getvalue()


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def member_of(data: bytes, sheet: str = spec.FORM_SHEET) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        member = sheet_member(z, sheet)
    assert member is not None
    return member


def edit(data: bytes, name: str, fn: Callable[[bytes], bytes]) -> bytes:
    """``data`` with member ``name`` replaced by ``fn(its bytes)`` (the zip written anew)."""
    return rezip([(n, fn(d) if n == name else d) for n, d in parts(data)])


def add(data: bytes, name: str, content: bytes) -> bytes:
    return rezip([*parts(data), (name, content)])


def _central(data: bytes) -> list[tuple[int, str, int]]:
    """(offset of the central directory entry, name, offset of its local header) of every member."""
    eocd = data.rfind(_EOCD)
    count, _size, start = struct.unpack_from("<HII", data, eocd + 10)
    out, pos = [], start
    for _ in range(count):
        assert data[pos:pos + 4] == _CENTRAL
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        out.append((pos, data[pos + 46:pos + 46 + name_len].decode("utf-8", "replace"), local))
        pos += 46 + name_len + extra_len + comment_len
    return out


def _entry(data: bytes, name: str) -> tuple[int, int]:
    for central, member, local in _central(data):
        if member == name:
            return central, local
    raise KeyError(name)


def set_flag(data: bytes, name: str, bit: int) -> bytes:
    """Set general-purpose flag ``bit`` (0: encrypted) of member ``name``, in its local header and the directory."""
    central, local = _entry(data, name)
    out = bytearray(data)
    for at in (local + 6, central + 8):
        struct.pack_into("<H", out, at, struct.unpack_from("<H", out, at)[0] | (1 << bit))
    return bytes(out)


def set_method(data: bytes, name: str, method: int) -> bytes:
    central, local = _entry(data, name)
    out = bytearray(data)
    struct.pack_into("<H", out, local + 8, method)
    struct.pack_into("<H", out, central + 10, method)
    return bytes(out)


def rename_local(data: bytes, name: str) -> bytes:
    """Member ``name`` keeps its name in the directory; its local header names another part (same length)."""
    _central_at, local = _entry(data, name)
    out = bytearray(data)
    name_len = struct.unpack_from("<H", out, local + 26)[0]
    at = local + 30 + name_len - 5  # "1.xml" -> "9.xml": a sibling part, as a buggy writer mixes them up
    out[at] = ord("9") if out[at] != ord("9") else ord("8")
    return bytes(out)


def set_crc(data: bytes, name: str, crc: int) -> bytes:
    """The directory's CRC-32 of ``name`` replaced (the local header keeps the true one)."""
    central, _local = _entry(data, name)
    out = bytearray(data)
    struct.pack_into("<I", out, central + 16, crc)
    return bytes(out)


def compressed_span(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of member ``name``'s compressed bytes."""
    central, local = _entry(data, name)
    size = struct.unpack_from("<I", data, central + 20)[0]
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_len + extra_len
    return start, start + size


def duplicate(data: bytes, name: str, content: bytes, first: bool) -> bytes:
    """A second member called ``name`` holding ``content``, listed before or after the original."""
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in parts(data):
                if n == name and first:
                    z.writestr(n, content)
                z.writestr(n, d)
                if n == name and not first:
                    z.writestr(n, content)
    return buf.getvalue()
