"""Zip archives in memory: the directory and members of an untrusted one read strictly, a stored one written.

Python's zipfile does the same checks, but costs ~0.2 ms a form in objects and calls; reading a form's few parts
is what every consolidation does a thousand times. The usual archive (one directory at the end, no Zip64, no data
before it) is read here directly; anything else is listed by zipfile and then read here the same way.

A member is read only when its local header agrees with the directory (same name), it is neither encrypted nor
patched, it is stored or deflated, its data inflates to exactly the size the directory declares (never more: the
output is capped), and its CRC-32 matches. Otherwise :class:`ZipDamage` says which of these it was.
"""

from __future__ import annotations

import io
import struct
import zlib

_EOCD, _CENTRAL, _LOCAL = b"PK\x05\x06", b"PK\x01\x02", b"PK\x03\x04"
_EOCD_FMT, _CENTRAL_FMT, _LOCAL_FMT = "<4s4H2LH", "<4s6H3L5H2L", "<4s5H3L2H"
_UTF8 = 0x800
_STORED, _DEFLATED = 0, 8


class ZipDamage(Exception):
    """A member (or the directory) cannot be read: ``kind`` is "damaged", "encrypted" or "method"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Entry:
    """One member as the central directory lists it (``offset``: of its local header, from the start)."""

    __slots__ = ("compress_size", "crc", "file_size", "filename", "flags", "method", "offset", "raw_name")

    def __init__(self, filename: str, raw_name: bytes, flags: int, method: int, crc: int, compress_size: int,
                 file_size: int, offset: int) -> None:
        self.filename, self.raw_name, self.flags, self.method = filename, raw_name, flags, method
        self.crc, self.compress_size, self.file_size, self.offset = crc, compress_size, file_size, offset


def directory(data: bytes) -> list[Entry]:
    """The members the central directory lists, in its order; ZipDamage("damaged") when it cannot be read."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        raise ZipDamage("damaged")
    _sig, _disk, _cd_disk, _here, total, size, start, _comment = struct.unpack_from(_EOCD_FMT, data, at)
    if total == 0xFFFF or size == 0xFFFFFFFF or start == 0xFFFFFFFF or start + size != at:
        return _by_zipfile(data)  # Zip64, or data before the archive: zipfile knows these
    out: list[Entry] = []
    pos = start
    for _ in range(total):
        if pos + 46 > at or data[pos:pos + 4] != _CENTRAL:
            raise ZipDamage("damaged")
        (_s, _made, _need, flags, method, _t, _d, crc, csize, usize, nlen, elen, clen, _disk_start, _ia, _ea,
         offset) = struct.unpack_from(_CENTRAL_FMT, data, pos)
        raw = data[pos + 46:pos + 46 + nlen]
        if usize == 0xFFFFFFFF or csize == 0xFFFFFFFF or offset == 0xFFFFFFFF:
            return _by_zipfile(data)
        name = raw.decode("utf-8" if flags & _UTF8 else "cp437", "replace")
        out.append(Entry(name, raw, flags, method, crc, csize, usize, offset))
        pos += 46 + nlen + elen + clen
    return out


def _by_zipfile(data: bytes) -> list[Entry]:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:  # header offsets come out absolute
            return [Entry(i.filename, i.orig_filename.encode("utf-8" if i.flag_bits & _UTF8 else "cp437"),
                          i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size, i.header_offset)
                    for i in zf.infolist()]
    except Exception as exc:  # BadZipFile, struct.error, OverflowError, ... on a damaged directory
        raise ZipDamage("damaged") from exc


def read(data: bytes, entry: Entry) -> bytes:
    """The member's bytes, checked as the module says."""
    if entry.flags & 0x1:
        raise ZipDamage("encrypted")
    if entry.method not in (_STORED, _DEFLATED) or entry.flags & 0x60:  # patched, strong
        raise ZipDamage("method")
    at = entry.offset
    if at < 0 or at + 30 > len(data) or data[at:at + 4] != _LOCAL:
        raise ZipDamage("damaged")
    _s, _v, _flags, _method, _t, _d, _crc, _cs, _us, nlen, elen = struct.unpack_from(_LOCAL_FMT, data, at)
    if data[at + 30:at + 30 + nlen] != entry.raw_name:
        raise ZipDamage("damaged")  # the local header names another part than the directory does
    start = at + 30 + nlen + elen
    packed = data[start:start + entry.compress_size]
    if len(packed) != entry.compress_size:
        raise ZipDamage("damaged")
    if entry.method == _STORED:
        content = packed
    else:
        try:
            inflate = zlib.decompressobj(-15)
            content = inflate.decompress(packed, entry.file_size + 1)
        except zlib.error as exc:
            raise ZipDamage("damaged") from exc
    if len(content) != entry.file_size or zlib.crc32(content) != entry.crc:
        raise ZipDamage("damaged")
    return content


def stored(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``members`` (ASCII names), stored uncompressed: what calamine reads fastest."""
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, content in members:
        raw = name.encode("ascii")
        crc, size = zlib.crc32(content), len(content)
        local = struct.pack(_LOCAL_FMT, _LOCAL, 20, 0, 0, 0, 0x21, crc, size, size, len(raw), 0) + raw
        central.append(struct.pack(_CENTRAL_FMT, _CENTRAL, 20, 20, 0, 0, 0, 0x21, crc, size, size, len(raw), 0, 0,
                                   0, 0, 0, offset) + raw)
        chunks += (local, content)
        offset += len(local) + size
    directory_bytes = b"".join(central)
    end = struct.pack(_EOCD_FMT, _EOCD, 0, 0, len(members), len(members), len(directory_bytes), offset, 0)
    return b"".join(chunks) + directory_bytes + end
