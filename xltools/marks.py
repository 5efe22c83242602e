"""What a workbook's bytes say before it is read as a form: whether xltools wrote it, and when a unit saved it.

* **xltools' own outputs** (a consolidated workbook, an annotated copy) carry a zip archive comment
  (:data:`CONSOLIDATION`, :data:`ANNOTATED`). The comment is the right mark: Excel, WPS and LibreOffice drop it
  when they save, so a copy a unit edits and sends back is a return again, while an output left in the folder of
  returns is recognised and skipped. A consolidation also records its kind and budget year in its custom document
  properties, which survive a save (:func:`consolidation_year`).
* **The time a unit saved the workbook**: ``dcterms:modified`` in ``docProps/core.xml``, which Excel and WPS write
  on every save; unlike the file's time, it survives copying, mailing and unzipping.

Bytes and a few struct reads, no zipfile object: this runs once per file in the workers. Nothing here raises on
a damaged or hostile file; it answers "not marked" and "no saved time", and the reader reports what is wrong.
"""

from __future__ import annotations

import datetime as dt
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
_PROPERTY_RE = re.compile(rb'<(?:\w+:)?property\b[^>]*\bname="([^"]*)"[^>]*>\s*<(?:\w+:)?lpwstr>([^<]*)<', re.S)


@dataclass(frozen=True)
class Probe:
    """``output``: the kind of xltools output (a :data:`KINDS` value), or None for any other workbook.
    ``saved``: when the workbook was last saved (POSIX seconds), or None when it does not say."""

    output: str | None = None
    saved: float | None = None


def probe(data: bytes) -> Probe:
    comment = _comment(data)
    for mark, kind in KINDS.items():
        if comment.startswith(mark):
            return Probe(kind)
    return Probe(None, saved_time(data))


def _eocd(data: bytes) -> int:
    """Offset of the end-of-central-directory record, or -1."""
    return data.rfind(_EOCD, max(0, len(data) - 22 - 0xFFFF))


def _comment(data: bytes) -> bytes:
    at = _eocd(data)
    if at < 0 or at + 22 > len(data):
        return b""
    (length,) = struct.unpack_from("<H", data, at + 20)
    return data[at + 22:at + 22 + length]


def part(data: bytes, name: str) -> bytes | None:
    """The inflated bytes of zip member ``name`` (at most 64 kB), or None when absent, damaged or too large."""
    try:
        at = _eocd(data)
        if at < 0:
            return None
        (offset,) = struct.unpack_from("<I", data, at + 16)
        wanted = name.encode()
        hit = data.find(wanted, offset)
        while hit >= 0:
            entry = hit - 46
            if entry >= offset and data[entry:entry + 4] == _CENTRAL:
                name_len = struct.unpack_from("<H", data, entry + 28)[0]
                if data[hit:hit + name_len] == wanted and name_len == len(wanted):
                    return _inflate(data, entry)
            hit = data.find(wanted, hit + 1)
    except (struct.error, zlib.error, ValueError, IndexError, OverflowError):
        return None
    return None


def _inflate(data: bytes, entry: int) -> bytes | None:
    method, = struct.unpack_from("<H", data, entry + 10)
    packed, = struct.unpack_from("<I", data, entry + 20)
    local, = struct.unpack_from("<I", data, entry + 42)
    if data[local:local + 4] != _LOCAL or packed > _MAX_PART:
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_len + extra_len
    body = data[start:start + packed]
    if method == 0:
        return body
    if method != 8:
        return None
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(body, _MAX_PART)
    return None if inflater.unconsumed_tail else out


def saved_time(data: bytes) -> float | None:
    """``dcterms:modified`` of an OOXML workbook as POSIX seconds (a time without zone is taken as UTC, as the
    standard's W3CDTF requires a zone and Excel writes Z)."""
    core = part(data, "docProps/core.xml")
    if core is None:
        return None
    m = _MODIFIED_RE.search(core)
    if m is None:
        return None
    try:
        when = dt.datetime.fromisoformat(m.group(1).decode("ascii").replace("Z", "+00:00"))
    except (ValueError, UnicodeDecodeError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if not dt.datetime(1980, 1, 1, tzinfo=dt.UTC) <= when <= dt.datetime(9999, 1, 1, tzinfo=dt.UTC):
        return None
    return when.timestamp()


def properties(data: bytes) -> dict[str, str]:
    """Custom document properties with text values (docProps/custom.xml)."""
    custom = part(data, "docProps/custom.xml")
    if custom is None:
        return {}
    from html import unescape

    return {unescape(k.decode("utf-8", "replace")): unescape(v.decode("utf-8", "replace"))
            for k, v in _PROPERTY_RE.findall(custom)}


def consolidation_year(data: bytes) -> tuple[bool, int | None]:
    """Whether ``data`` is a consolidated workbook by its properties (also after Excel saved it), and the budget
    year it records (None when it records none)."""
    found = properties(data)
    if found.get(KIND_PROPERTY) != CONSOLIDATION_KIND:
        return False, None
    year = found.get(YEAR_PROPERTY, "")
    return True, int(year) if year.isdigit() else None


def read_head(path: str, limit: int) -> bytes | None:
    """The whole file when it is at most ``limit`` bytes, else None (the reader refuses such a file anyway)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None
