"""Parsing untrusted XML parts with expat: one linear pass, comments and CDATA understood, no DTDs, no entities.

Expat is a real tokenizer in C: whatever a part holds (a comment with 100,000 ``<c `` in it, CDATA, odd spacing,
single quotes, namespace prefixes), it is read as XML reads it, in time linear in its size. A part that declares a
document type is refused: a workbook never needs one, and entity expansion is how XML bombs work.
"""

from __future__ import annotations

import re
from typing import Any
from xml.parsers import expat

from xltools.package import UnreadableError


class XmlRefused(Exception):
    """The part is not well-formed XML, or declares a DTD or entities."""


def _refuse(*_args: Any) -> int:
    raise XmlRefused("DTD")


def parser() -> Any:
    """An expat parser (no namespace processing: names come as written, ``x:c``) that refuses DTDs."""
    p: Any = expat.ParserCreate()
    p.buffer_text = True
    p.StartDoctypeDeclHandler = _refuse
    p.EntityDeclHandler = _refuse
    p.ExternalEntityRefHandler = _refuse
    return p


def parse(p: Any, data: bytes, what: str) -> None:
    """Feed ``data`` to ``p``; a malformed part becomes UnreadableError naming ``what`` (a sheet or part)."""
    try:
        p.Parse(data, True)
    except (expat.ExpatError, XmlRefused, UnicodeError, ValueError, RecursionError) as exc:
        raise UnreadableError(f"{what}已损坏（内部 XML 格式错误），无法读取。请重新保存后再报送。") from exc


def local(name: str) -> str:
    """The local part of a qualified name, as calamine's XML reader takes it (after the first colon)."""
    return name[name.find(":") + 1:]


def text(value: str) -> str:
    """Character data escaped for an element."""
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return value


_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


def attr(value: str) -> str:
    """An attribute value escaped for double quotes (tabs and line ends kept as they were read)."""
    if _ATTR_SPECIAL.search(value) is None:  # the common case
        return value
    return text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def start_tag(name: str, attrs: dict[str, str], close: bool = False) -> str:
    inner = "".join(f' {k}="{attr(v)}"' for k, v in attrs.items())
    return f"<{name}{inner}{'/' if close else ''}>"


