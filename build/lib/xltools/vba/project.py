"""Build a vbaProject.bin from module sources, the way MS-OVBA says a writer should: source only, no p-code.

The ``_VBA_PROJECT`` stream is the 7-byte version-independent header, so Office finds no compiled code and
recompiles from source on open. Layout and records mirror the ``quickstart_standalone.xlsm`` that xlwings ships:
streams PROJECT, PROJECTwm, VBA/_VBA_PROJECT, VBA/dir and one VBA/<module> per module, each module's compressed
source at offset 0.
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from xltools.vba import cfb, ovba

ModuleKind = Literal["module", "class", "document"]

CODEPAGE = 1252
LCID = 0x0409
SYSKIND = 3  # 64-bit Windows, as in the reference; Office recompiles on any platform since there is no p-code
# The first 7 bytes of _VBA_PROJECT, byte for byte as in xlwings' standalone workbook.
VBA_PROJECT_HEADER = bytes.fromhex("CC61FFFF000100")
# Written by Office into every project's dir stream; the values only matter to compiled code, which we omit.
PROJECT_VERSION = (0x68FBFAC5, 4)
VERSION_COMPATIBLE32 = "393222000"
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"

# VB_Base of the three kinds of class-like modules (the Excel Workbook and Worksheet classes, the VBA class).
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


@dataclass(frozen=True)
class Reference:
    """A REFERENCEREGISTERED record: a type library the project references by registry id."""

    name: str
    libid: str


# What Excel puts into a new workbook's project. The xlwings reference project has Office (the same record)
# and an MSForms reference left over from a form; nothing in the modules uses MSForms, so it is not copied.
DEFAULT_REFERENCES = (
    Reference(
        "stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation"
    ),
    Reference(
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files\Microsoft Shared"
        r"\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]*)"\s*$')
_ATTRIBUTE = re.compile(r"^Attribute (VB_\w+) = (.*)$")


@dataclass(frozen=True)
class Module:
    """One VBA module as stored: ``code`` is the full stored text, attribute lines included, CRLF line ends."""

    name: str
    kind: ModuleKind
    code: str

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"module name {self.name!r}: ASCII letter, then letters, digits or _, at most 31")

    @property
    def body(self) -> str:
        """The code without its leading ``Attribute`` lines: what the VBA editor shows."""
        lines = self.code.split("\r\n")
        i = 0
        while i < len(lines) and lines[i].startswith("Attribute "):
            i += 1
        return "\r\n".join(lines[i:])


def _crlf(text: str) -> str:
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def standard_module(source: str) -> Module:
    """A standard module from the text of an exported ``.bas`` file (it starts with ``Attribute VB_Name``)."""
    code = _crlf(source)
    m = _VB_NAME.match(code.split("\r\n", 1)[0])
    if not m:
        raise ValueError('a .bas file must start with: Attribute VB_Name = "<name>"')
    return Module(m.group(1), "module", code)


def class_module(source: str) -> Module:
    """A class module from the text of an exported ``.cls`` file.

    The export starts with a ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block that the VBA editor turns into
    attributes on import. The stored module starts instead with VB_Name, VB_Base (the VBA class), the standard
    class attributes, then any further attributes of the file (VB_Description), as Excel saves them.
    """
    lines = _crlf(source).split("\r\n")
    i = 0
    if lines and lines[0].startswith("VERSION "):
        try:
            i = lines.index("END", 1) + 1
        except ValueError:
            raise ValueError(".cls header: VERSION ... BEGIN without END") from None
    attrs: dict[str, str] = {}
    while i < len(lines) and (m := _ATTRIBUTE.match(lines[i])):
        attrs[m.group(1)] = m.group(2)
        i += 1
    name = attrs.pop("VB_Name", "").strip('"')
    if not name:
        raise ValueError("a .cls file needs Attribute VB_Name")
    standard = {
        "VB_Base": f'"{CLASS_BASE}"',
        "VB_GlobalNameSpace": "False",
        "VB_Creatable": "False",
        "VB_PredeclaredId": "False",
        "VB_Exposed": "False",
        "VB_TemplateDerived": "False",
        "VB_Customizable": "False",
    }
    head = [f'Attribute VB_Name = "{name}"']
    for key, default in standard.items():
        head.append(f"Attribute {key} = {attrs.pop(key, default)}")
    head.extend(f"Attribute {key} = {value}" for key, value in attrs.items())
    return Module(name, "class", "\r\n".join(head + lines[i:]))


def document_module(name: str, base: str = WORKSHEET_BASE) -> Module:
    """An empty document module (ThisWorkbook, a worksheet), with the attributes Excel gives it."""
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "document", "\r\n".join(attrs) + "\r\n")


def load_module(filename: str, source: str) -> Module:
    """A module from an exported file's name (its extension decides the kind) and text."""
    if filename.lower().endswith(".cls"):
        return class_module(source)
    if filename.lower().endswith(".bas"):
        return standard_module(source)
    raise ValueError(f"{filename}: only .bas and .cls modules are supported")


# -- streams -----------------------------------------------------------------------------------------------------


def _mbcs(text: str) -> bytes:
    return text.encode(f"cp{CODEPAGE}")


def _record(rid: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _text_records(rid: int, text: str, reserved: int) -> bytes:
    """A record with an MBCS string followed by its UTF-16 twin under the ``reserved`` id."""
    return _record(rid, _mbcs(text)) + _record(reserved, text.encode("utf-16-le"))


def _dir_stream(name: str, modules: Sequence[Module], references: Sequence[Reference]) -> bytes:
    out = bytearray()
    # PROJECTINFORMATION (2.3.4.2.1)
    out += _record(0x0001, struct.pack("<I", SYSKIND))
    out += _record(0x0002, struct.pack("<I", LCID))
    out += _record(0x0014, struct.pack("<I", LCID))
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, _mbcs(name))
    out += _text_records(0x0005, "", 0x0040)  # doc string
    out += _text_records(0x0006, "", 0x003D)  # help file
    out += _record(0x0007, struct.pack("<I", 0))  # help context
    out += _record(0x0008, struct.pack("<I", 0))  # lib flags
    # PROJECTVERSION: its "size" field is a fixed Reserved value 4 although 6 bytes follow.
    out += struct.pack("<HIIH", 0x0009, 4, *PROJECT_VERSION)
    out += _text_records(0x000C, "", 0x003C)  # constants
    # PROJECTREFERENCES (2.3.4.2.2)
    for ref in references:
        out += _text_records(0x0016, ref.name, 0x003E)
        libid = _mbcs(ref.libid)
        out += _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    # PROJECTMODULES (2.3.4.2.3)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _text_records(0x0019, m.name, 0x0047)  # MODULENAME, MODULENAMEUNICODE
        out += _text_records(0x001A, m.name, 0x0032)  # MODULESTREAMNAME
        out += _text_records(0x001C, "", 0x0048)  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source starts the stream
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if m.kind == "module" else 0x0022)  # MODULETYPE
        out += _record(0x002B)  # terminator
    out += _record(0x0010)
    return bytes(out)


def _project_stream(name: str, project_id: str, modules: Sequence[Module]) -> bytes:
    kinds = {"document": "Document", "module": "Module", "class": "Class"}
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind == "document" else f"{kinds[m.kind]}={m.name}")
    seed = ovba.project_key(project_id)  # fixed per project: reproducible, and the values are not secret
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        f'VersionCompatible32="{VERSION_COMPATIBLE32}"',
        f'CMG="{ovba.encrypt(bytes(4), project_id, seed)}"',  # protection state: none
        f'DPB="{ovba.encrypt(bytes(1), project_id, seed)}"',  # password: none
        f'GC="{ovba.encrypt(bytes([0xFF]), project_id, seed)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def _project_wm(modules: Sequence[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


def project_modules(
    modules: Sequence[Module], sheet_codenames: Sequence[str], workbook_codename: str = "ThisWorkbook"
) -> list[Module]:
    """All modules in project order: the workbook's, one per worksheet, then ``modules``."""
    documents = [document_module(workbook_codename, WORKBOOK_BASE)]
    documents += [document_module(code) for code in sheet_codenames]
    everything = documents + list(modules)
    seen: set[str] = set()
    for m in everything:
        if m.name.lower() in seen:
            raise ValueError(f"duplicate module name {m.name!r} (names are case-insensitive)")
        seen.add(m.name.lower())
        if m.kind == "document" and m not in documents:
            raise ValueError(f"{m.name}: document modules come from the workbook, not from sources")
    return everything


def build_vba_project(
    modules: Sequence[Module],
    sheet_codenames: Sequence[str],
    project_name: str = "VBAProject",
    workbook_codename: str = "ThisWorkbook",
    references: Sequence[Reference] = DEFAULT_REFERENCES,
) -> bytes:
    """The bytes of a vbaProject.bin holding ``modules`` plus the document modules of a workbook.

    ``sheet_codenames`` lists the code name of every worksheet in workbook order; they and ``workbook_codename``
    must equal the ``codeName`` attributes in the workbook's XML, or Excel will not pair modules with sheets.
    The result is deterministic: the same inputs give the same bytes.
    """
    if not _NAME.fullmatch(project_name):
        raise ValueError(f"project name {project_name!r} must be an ASCII identifier")
    everything = project_modules(modules, sheet_codenames, workbook_codename)
    signature = "\0".join([project_name, *(f"{m.kind}:{m.name}" for m in everything)])
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "xltools-vba:" + signature)).upper() + "}"
    streams = {
        "PROJECT": _project_stream(project_name, project_id, everything),
        "PROJECTwm": _project_wm(everything),
        "VBA/_VBA_PROJECT": VBA_PROJECT_HEADER,
        "VBA/dir": ovba.compress(_dir_stream(project_name, everything, references)),
    }
    for m in everything:
        streams[f"VBA/{m.name}"] = ovba.compress(_mbcs(m.code))
    return cfb.write_cfb(streams)


# -- reading back ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredModule:
    name: str
    kind: ModuleKind
    stream: str
    offset: int
    code: str


def read_dir_stream(dir_data: bytes) -> list[StoredModule]:
    """The modules a decompressed ``dir`` stream lists (codes left empty). Only what a reader needs is parsed."""
    modules: list[StoredModule] = []
    pos = 0
    current: dict[str, object] = {}
    while pos + 6 <= len(dir_data):
        rid, size = struct.unpack_from("<HI", dir_data, pos)
        if rid == 0x0009:  # PROJECTVERSION: the size field is a constant, 6 bytes follow
            size = 6
        value = dir_data[pos + 6 : pos + 6 + size]
        pos += 6 + size
        if rid == 0x0019:
            current = {"name": value.decode(f"cp{CODEPAGE}"), "kind": "module", "offset": 0}
        elif rid == 0x001A:
            current["stream"] = value.decode(f"cp{CODEPAGE}")
        elif rid == 0x0031:
            current["offset"] = struct.unpack("<I", value)[0]
        elif rid == 0x0022:
            current["kind"] = "class"
        elif rid == 0x002B:
            modules.append(
                StoredModule(
                    str(current["name"]),
                    "class" if current["kind"] == "class" else "module",
                    str(current.get("stream", current["name"])),
                    int(str(current["offset"])),
                    "",
                )
            )
        elif rid == 0x0010:
            break
    return modules


def read_vba_project(data: bytes) -> list[StoredModule]:
    """Every module of a vbaProject.bin with its source, read with olefile and our decompressor.

    MODULETYPE cannot tell a document module from a class module; the PROJECT stream's ``Document=`` lines do,
    and are used here, so the kinds match :class:`Module`'s.
    """
    import io

    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        listed = read_dir_stream(ovba.decompress(ole.openstream("VBA/dir").read()))
        project_text = ole.openstream("PROJECT").read().decode(f"cp{CODEPAGE}")
        documents = {
            line.split("=", 1)[1].split("/", 1)[0] for line in project_text.splitlines() if line.startswith("Document=")
        }
        result = []
        for m in listed:
            raw = ole.openstream(f"VBA/{m.stream}").read()
            code = ovba.decompress(raw[m.offset :]).decode(f"cp{CODEPAGE}")
            kind: ModuleKind = "document" if m.name in documents else m.kind
            result.append(StoredModule(m.name, kind, m.stream, m.offset, code))
    return result
