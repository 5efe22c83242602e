"""What a workbook's bytes say before it is read as a form: whether xltools wrote it, and when a unit saved it.

* **xltools' own outputs** (a consolidated workbook, an annotated copy) carry a zip archive comment
  (:data:`CONSOLIDATION`, :data:`ANNOTATED`). The comment is the right mark: Excel, WPS and LibreOffice drop it
  when they save, so a copy a unit edits and sends back is a return again, while an output left in the folder of
  returns is recognised and skipped. A consolidation also records its kind and budget year in its custom document
  properties, which survive a save (:func:`consolidation_year`).
* **The time a unit saved the workbook**: ``dcterms:modified`` in ``docProps/core.xml``, which Excel and WPS write
  on every save; unlike the file's time, it survives copying, mailing and unzipping (LibreOffice writes its
  local time there with a Z: taken as Shanghai time when docProps/app.xml names LibreOffice). An .ods says it in
  ``meta.xml`` (``dc:date``; LibreOffice writes local time without a zone, taken as Shanghai time), an .xls in its
  SummaryInformation stream (last saved time, UTC).

Bytes and a few struct reads, no zipfile object: this runs once per file in the workers. Nothing here raises on
a damaged or hostile file; it answers "not marked" and "no saved time", and the reader reports what is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import zlib
from dataclasses import dataclass

ANNOTATED = b"xltools:annotated-copy"
CONSOLIDATION = b"xltools:consolidation"
KINDS = {ANNOTATED: "标注副本", CONSOLIDATION: "汇总表"}
# Custom document properties of a consolidated workbook (docProps/custom.xml).
KIND_PROPERTY, YEAR_PROPERTY = "xltools.kind", "xltools.year"
CONSOLIDATION_KIND = "consolidation"

_EOCD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_MAX_PART = 1 << 16  # core.xml is ~0.5 kB; custom.xml a few hundred bytes
_MODIFIED_RE = re.compile(rb"<(?:\w+:)?modified\b[^>]*>\s*([^<]{10,40}?)\s*<")
_ODF_DATE_RE = re.compile(rb"<(?:\w+:)?date\b[^>]*>\s*([^<]{10,40}?)\s*<")  # dc:date, not meta:creation-date
_LIBREOFFICE_RE = re.compile(rb"<(?:\w+:)?Application>\s*LibreOffice")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_OLE = 16 << 20  # a form saved as .xls is ~0.3 MB; a bigger file is not probed (the reader refuses it anyway)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_PROPERTY_RE = re.compile(rb'<(?:\w+:)?property\b[^>]*\bname="([^"]*)"[^>]*>\s*<(?:\w+:)?lpwstr>([^<]*)<', re.S)


@dataclass(frozen=True)
class Probe:
    """``output``: the kind of xltools output (a :data:`KINDS` value), or None for any other workbook.
    ``saved``: when the workbook was last saved (POSIX seconds), or None when it does not say."""

    output: str | None = None
    saved: float | None = None


class _Bytes:
    """A workbook's bytes, read at offsets (a form taken out of a zip is already in memory)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def read(self, offset: int, n: int) -> bytes:
        return self.data[offset:offset + n]


class _File:
    """A workbook on disk, read at offsets: the few hundred bytes a probe needs, not the whole file."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        st = os.fstat(fd)
        self.size, self.mtime_ns = st.st_size, st.st_mtime_ns

    def read(self, offset: int, n: int) -> bytes:
        return os.pread(self.fd, n, offset) if offset >= 0 and n > 0 else b""


Source = _Bytes | _File


def probe(data: bytes) -> Probe:
    """What the bytes of a workbook say (see :class:`Probe`)."""
    return _probe(_Bytes(data))


def probe_file(path: str) -> tuple[Probe, int | None]:
    """What the workbook at ``path`` says, and the file's modification time (ns); reads only the zip's end, its
    directory and docProps/core.xml. An unreadable file says nothing (the reader reports it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return Probe(), None
    try:
        src = _File(fd)
        return _probe(src), src.mtime_ns
    except OSError:
        return Probe(), None
    finally:
        os.close(fd)


def _probe(src: Source) -> Probe:
    if src.read(0, len(_OLE)) == _OLE:
        return Probe(None, _ole_saved(src))
    tail, at = _eocd(src)
    comment = _comment(tail, at)
    for mark, kind in KINDS.items():
        if comment.startswith(mark):
            return Probe(kind)
    return Probe(None, _saved(src, tail, at))


def _eocd(src: Source) -> tuple[bytes, int]:
    """The end of the file and the offset in it of the end-of-central-directory record (-1 when absent): first
    the last 4 kB, the whole comment's reach only when needed."""
    for reach in (4096, 22 + 0xFFFF):
        n = min(src.size, reach)
        tail = src.read(src.size - n, n)
        at = tail.rfind(_EOCD)
        if at >= 0 or n == src.size:
            return tail, at
    return tail, -1


def _comment(tail: bytes, at: int) -> bytes:
    if at < 0 or at + 22 > len(tail):
        return b""
    (length,) = struct.unpack_from("<H", tail, at + 20)
    return tail[at + 22:at + 22 + length]


_MAX_DIRECTORY = 1 << 20


def part(data: bytes | Source, name: str, tail: bytes | None = None, at: int = -1) -> bytes | None:
    """The inflated bytes of zip member ``name`` (at most 64 kB), or None when absent, damaged or too large."""
    src = _Bytes(data) if isinstance(data, bytes) else data
    try:
        if tail is None:
            tail, at = _eocd(src)
        if at < 0:
            return None
        size, offset = struct.unpack_from("<II", tail, at + 12)
        if size > _MAX_DIRECTORY:
            return None
        directory = src.read(offset, size)
        wanted = name.encode()
        hit = directory.find(wanted)
        while hit >= 0:
            entry = hit - 46
            if entry >= 0 and directory[entry:entry + 4] == _CENTRAL:
                name_len = struct.unpack_from("<H", directory, entry + 28)[0]
                if name_len == len(wanted):
                    return _inflate(src, directory, entry)
            hit = directory.find(wanted, hit + 1)
    except (struct.error, zlib.error, ValueError, IndexError, OverflowError, OSError):
        return None
    return None


def _inflate(src: Source, directory: bytes, entry: int) -> bytes | None:
    method, = struct.unpack_from("<H", directory, entry + 10)
    packed, = struct.unpack_from("<I", directory, entry + 20)
    local, = struct.unpack_from("<I", directory, entry + 42)
    header = src.read(local, 30)
    if header[:4] != _LOCAL or packed > _MAX_PART:
        return None
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    body = src.read(local + 30 + name_len + extra_len, packed)
    if method == 0:
        return body
    if method != 8:
        return None
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(body, _MAX_PART)
    return None if inflater.unconsumed_tail else out


def _saved(src: Source, tail: bytes, at: int) -> float | None:
    """``dcterms:modified`` of an OOXML workbook (a time without zone is taken as UTC, as the standard's W3CDTF
    requires a zone and Excel writes Z; LibreOffice's is local time), else ``dc:date`` of an .ods (without zone:
    Shanghai time)."""
    core = part(src, "docProps/core.xml", tail, at)
    if core is not None:
        m = _MODIFIED_RE.search(core)
        if m is None:
            return None
        app = part(src, "docProps/app.xml", tail, at) or b""
        if _LIBREOFFICE_RE.search(app):
            # LibreOffice writes its local time followed by Z (seen with 7.4 here; OnlyOffice reports the same):
            # the users are in Shanghai, so that is the zone. An explicit offset, should it write one, still counts.
            return _timestamp(m.group(1).rstrip(b"Z"), SHANGHAI)
        return _timestamp(m.group(1), dt.UTC)
    meta = part(src, "meta.xml", tail, at)
    if meta is not None:
        m = _ODF_DATE_RE.search(meta)
        return _timestamp(m.group(1), SHANGHAI) if m else None
    return None


def _timestamp(raw: bytes, zone: dt.tzinfo) -> float | None:
    try:
        text = raw.decode("ascii").replace("Z", "+00:00")
        # LibreOffice writes nanoseconds; fromisoformat takes at most microseconds.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        when = dt.datetime.fromisoformat(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return _checked(when if when.tzinfo else when.replace(tzinfo=zone))


def _checked(when: dt.datetime) -> float | None:
    if not dt.datetime(1980, 1, 1, tzinfo=dt.UTC) <= when <= dt.datetime(9999, 1, 1, tzinfo=dt.UTC):
        return None
    return when.timestamp()


def _ole_saved(src: Source) -> float | None:
    """The last saved time of an .xls (SummaryInformation, PID_LASTSAVE_DTM, a FILETIME in UTC)."""
    if src.size > _MAX_OLE:
        return None
    import olefile

    try:
        with olefile.OleFileIO(src.read(0, src.size)) as ole:
            when = ole.get_metadata().last_saved_time
    except Exception:  # olefile raises several types on a damaged container; the reader reports it
        return None
    return _checked(when.replace(tzinfo=dt.UTC)) if isinstance(when, dt.datetime) else None


def properties(data: bytes) -> dict[str, str]:
    """Custom document properties with text values (docProps/custom.xml)."""
    return _properties(_Bytes(data))


def _properties(src: Source) -> dict[str, str]:
    custom = part(src, "docProps/custom.xml")
    if custom is None:
        return {}
    from html import unescape

    return {unescape(k.decode("utf-8", "replace")): unescape(v.decode("utf-8", "replace"))
            for k, v in _PROPERTY_RE.findall(custom)}


def consolidation_year(data: bytes | str) -> tuple[bool, int | None]:
    """Whether ``data`` (a workbook's bytes, or its path) is a consolidated workbook by its properties (also after
    Excel saved it), and the budget year it records (None when it records none)."""
    if isinstance(data, str):
        try:
            fd = os.open(data, os.O_RDONLY)
        except OSError:
            return False, None
        try:
            found = _properties(_File(fd))
        except OSError:
            return False, None
        finally:
            os.close(fd)
    else:
        found = _properties(_Bytes(data))
    if found.get(KIND_PROPERTY) != CONSOLIDATION_KIND:
        return False, None
    year = found.get(YEAR_PROPERTY, "")
    return True, int(year) if year.isdigit() else None


def probe_path(path: str) -> Probe:
    return probe_file(path)[0]


def read_head(path: str, limit: int) -> bytes | None:
    """The whole file when it is at most ``limit`` bytes, else None (the reader refuses such a file anyway). The
    size is asked first: ``read(limit + 1)`` would allocate the whole limit for every small file."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > limit:
                return None
            data = fh.read()
    except OSError:
        return None
    return data if len(data) <= limit else None
