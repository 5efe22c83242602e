"""The VBA project writer: MS-OVBA compression and encryption, the CFB container, the project streams, and
a comparison with the standalone workbook xlwings ships (built the same way: source only, no p-code)."""

from __future__ import annotations

import importlib
import importlib.metadata
import io
import random
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from xltools import vba
from xltools.vba import cfb, ovba
from xltools.vba.project import (
    CLASS_BASE,
    VBA_PROJECT_HEADER,
    build_vba_project,
    class_module,
    read_dir_stream,
    read_vba_project,
)

XLWINGS_DIR = vba.xlwings_sources().directory
REFERENCE_XLSM = XLWINGS_DIR / "quickstart_standalone.xlsm"
SHEETS = ["Sheet1", "Sheet2"]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.fixture(scope="module")
def reference_bin() -> bytes:
    with zipfile.ZipFile(REFERENCE_XLSM) as z:
        return z.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def ours() -> bytes:
    return build_vba_project(vba.standalone_modules(), SHEETS)


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        raw = ovba.decompress(ole.openstream("VBA/dir").read())
    out, pos = [], 0
    while pos < len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        size = 6 if rid == 0x0009 else size
        out.append((rid, raw[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return out


# -- MS-OVBA 3.2 examples ----------------------------------------------------------------------------------------

NO_COMPRESSION = (
    b"abcdefghijklmnopqrstuv.",
    "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
)
NORMAL_TEXT = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
# As printed in MS-OVBA 3.2.2. It decompresses correctly, but the spec's own compression procedure yields the
# second form (copy tokens 0x2000/0x0004/0x2C00 instead of 0x3000/0x1004/0x3C00: it finds the nearer match).
NORMAL_PUBLISHED = "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
NORMAL_PROCEDURE = "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
MAXIMUM = (b"a" * 73, "01 03 B0 02 61 45 00")


@pytest.mark.parametrize("text,compressed", [NO_COMPRESSION, MAXIMUM, (NORMAL_TEXT, NORMAL_PROCEDURE)])
def test_compress_matches_spec_examples(text: bytes, compressed: str) -> None:
    assert ovba.compress(text) == _hex(compressed)
    assert ovba.decompress(_hex(compressed)) == text


def test_published_normal_example_decompresses() -> None:
    assert ovba.decompress(_hex(NORMAL_PUBLISHED)) == NORMAL_TEXT
    assert bytes(decompress_stream(bytearray(_hex(NORMAL_PUBLISHED)))) == NORMAL_TEXT


def _samples() -> list[bytes]:
    rng = random.Random(4)
    words = [b"Dim ", b"x", b" As ", b"String", b"\r\n", b"    ", b"End Sub", b"'", b"RunPython"]
    text = b"".join(rng.choice(words) for _ in range(6000))
    noise = bytes(rng.randrange(256) for _ in range(4096 * 2 + 100))
    return [
        b"",
        b"a",
        b"ab" * 2048,  # exactly one chunk
        b"ab" * 2048 + b"c",  # one byte into a second chunk
        text,
        noise,  # incompressible full chunks are stored raw
        (XLWINGS_DIR / "xlwings.bas").read_bytes(),
        (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes(),
    ]


@pytest.mark.parametrize("data", _samples(), ids=lambda d: f"{len(d)}B")
def test_compression_round_trips_and_oletools_agrees(data: bytes) -> None:
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


def test_incompressible_chunk_is_stored_raw() -> None:
    rng = random.Random(1)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    packed = ovba.compress(noise)
    assert packed[1:3] == (0x3FFF).to_bytes(2, "little")  # raw chunk header
    assert len(packed) == 1 + 2 + 4096


def test_decompress_rejects_bad_signature() -> None:
    with pytest.raises(ValueError, match="signature"):
        ovba.decompress(b"\x02\x00\x00")


# -- MS-OVBA 2.4.3 data encryption -------------------------------------------------------------------------------


def test_decrypts_reference_protection_values(reference_bin: bytes) -> None:
    with olefile.OleFileIO(io.BytesIO(reference_bin)) as ole:
        text = ole.openstream("PROJECT").read().decode("cp1252")
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.MULTILINE))
    assert ovba.decrypt(values["CMG"]) == bytes(4)  # not protected
    assert ovba.decrypt(values["DPB"]) == b"\x00"  # no password
    assert ovba.decrypt(values["GC"]) == b"\xff"  # visible


@pytest.mark.parametrize("seed", range(0, 256, 17))
def test_encryption_round_trips(seed: int) -> None:
    pid = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    for data in (bytes(4), b"\x00", b"\xff", b"secret"):
        text = ovba.encrypt(data, pid, seed)
        assert text[:2] == f"{seed:02X}"
        assert ovba.decrypt(text) == data


# -- CFB container -----------------------------------------------------------------------------------------------


def _check_red_black(ole: olefile.OleFileIO) -> None:
    entries = ole.direntries

    def walk(sid: int) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        e = entries[sid]
        for side in (e.sid_left, e.sid_right):
            if e.color == 0 and side != olefile.NOSTREAM:
                assert entries[side].color == 1, f"red {e.name} has a red child"
        if e.sid_left != olefile.NOSTREAM:
            left = entries[e.sid_left].name
            assert (len(left), left.upper()) < (len(e.name), e.name.upper())
        if e.sid_right != olefile.NOSTREAM:
            right = entries[e.sid_right].name
            assert (len(right), right.upper()) > (len(e.name), e.name.upper())
        lh, rh = walk(e.sid_left), walk(e.sid_right)
        assert lh == rh, f"unequal black heights under {e.name}"
        return lh + (1 if e.color == 1 else 0)

    for e in entries:
        if e is not None and e.sid_child != olefile.NOSTREAM:
            assert entries[e.sid_child].color == 1
            walk(e.sid_child)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 40])
def test_cfb_round_trips_and_tree_is_red_black(n: int) -> None:
    rng = random.Random(n)
    streams = {
        f"S/m{i:02d}{'x' * (i % 5)}": bytes(rng.randrange(256) for _ in range(rng.choice([10, 700, 5000])))
        for i in range(n)
    }
    streams["top"] = b"t" * 4096  # exactly the mini-stream cutoff: a regular stream
    data = cfb.write_cfb(streams)
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
        for path, content in streams.items():
            assert ole.openstream(path).read() == content
        _check_red_black(ole)


def _storages(data: bytes) -> list[tuple[str, int, int]]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return [(e.name, e.isectStart, e.size) for e in ole.direntries
                if e is not None and e.entry_type == olefile.STGTY_STORAGE]


def test_storage_entries_have_start_sector_and_size_zero(ours: bytes, reference_bin: bytes) -> None:
    """MS-CFB 2.6.3: a storage object's starting sector location and stream size MUST be 0, as Excel writes."""
    assert _storages(reference_bin) == [("VBA", 0, 0)]
    assert _storages(ours) == [("VBA", 0, 0)]
    assert _storages(cfb.write_cfb({"A/B/c": b"x", "A/d": b"y" * 5000})) == [("A", 0, 0), ("B", 0, 0)]


def test_cfb_rejects_bad_names() -> None:
    with pytest.raises(ValueError, match="invalid"):
        cfb.write_cfb({"x" * 32: b""})
    with pytest.raises(ValueError, match="duplicate"):
        cfb.write_cfb({"VBA/a": b"1", "VBA/A": b"2"})


# -- the project -------------------------------------------------------------------------------------------------


def test_project_is_valid_cfb_with_reference_stream_layout(ours: bytes, reference_bin: bytes) -> None:
    with olefile.OleFileIO(io.BytesIO(ours), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        mine = sorted("/".join(p) for p in ole.listdir())
        _check_red_black(ole)
    with olefile.OleFileIO(io.BytesIO(reference_bin)) as ole:
        theirs = sorted("/".join(p) for p in ole.listdir())
    # The reference has the quickstart's Module1 where we have our xltools module; nothing else differs.
    assert mine == sorted([*(s for s in theirs if s != "VBA/Module1"), "VBA/xltools"])
    assert mine == sorted(
        [
            "PROJECT",
            "PROJECTwm",
            "VBA/_VBA_PROJECT",
            "VBA/dir",
            "VBA/ThisWorkbook",
            "VBA/Sheet1",
            "VBA/Sheet2",
            "VBA/xlwings",
            "VBA/Dictionary",
            "VBA/xltools",
        ]
    )


def test_oletools_extracts_every_module_equal_to_its_source(ours: bytes) -> None:
    parser = VBA_Parser("vbaProject.bin", data=ours)
    extracted = {stream: code for (_, stream, _, code) in parser.extract_macros()}
    parser.close()
    expected = {f"VBA/{m.name}": m.code for m in vba.project_modules(vba.standalone_modules(), SHEETS)}
    assert extracted == expected
    # And against the files themselves: xlwings.bas is stored byte for byte (it has CRLF line ends already),
    # ours with its line ends made CRLF.
    assert extracted["VBA/xlwings"] == (XLWINGS_DIR / "xlwings.bas").read_bytes().decode("ascii")
    assert extracted["VBA/xltools"] == vba.MACRO_FILE.read_bytes().decode("ascii").replace("\n", "\r\n")
    # The class keeps its code after the export header; only the attribute block changes (see below).
    cls = (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes().decode("ascii")
    assert extracted["VBA/Dictionary"].split("\r\n''\r\n", 1)[1] == cls.split("\r\n''\r\n", 1)[1]


def test_raw_module_streams_hold_compressed_source_at_offset_zero(ours: bytes) -> None:
    stored = read_vba_project(ours)
    assert [(m.name, m.kind, m.offset) for m in stored] == [
        ("ThisWorkbook", "document", 0),
        ("Sheet1", "document", 0),
        ("Sheet2", "document", 0),
        ("xlwings", "module", 0),
        ("Dictionary", "class", 0),
        ("xltools", "module", 0),
    ]
    with olefile.OleFileIO(io.BytesIO(ours)) as ole:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_HEADER
        for m in stored:
            raw = ole.openstream(f"VBA/{m.stream}").read()
            assert bytes(decompress_stream(bytearray(raw))).decode("cp1252") == m.code


def test_class_module_attributes_match_what_excel_saved(ours: bytes, reference_bin: bytes) -> None:
    mine = {m.name: m for m in read_vba_project(ours)}
    theirs = {m.name: m for m in read_vba_project(reference_bin)}
    ours_head = mine["Dictionary"].code.split("\r\n''\r\n", 1)[0]
    assert ours_head == theirs["Dictionary"].code.split("\r\n''\r\n", 1)[0]
    # Excel also re-cased the identifier `Err` in four places; otherwise the class is the same text.
    assert mine["Dictionary"].code.lower() == theirs["Dictionary"].code.lower()
    for name in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert mine[name].code == theirs[name].code
    # The reference's xlwings module is the installed xlwings.bas (stored with LF line ends there).
    assert theirs["xlwings"].code.replace("\n", "\r\n") == mine["xlwings"].code


def test_dir_records_mirror_the_reference(ours: bytes, reference_bin: bytes) -> None:
    mine, theirs = _dir_records(ours), _dir_records(reference_bin)

    def first(records: list[tuple[int, bytes]], rid: int) -> bytes:
        return next(v for r, v in records if r == rid)

    # SYSKIND, LCID, LCIDINVOKE, CODEPAGE, NAME, HELPCONTEXT, LIBFLAGS, VERSION
    for rid in (0x0001, 0x0002, 0x0014, 0x0003, 0x0004, 0x0007, 0x0008, 0x0009):
        assert first(mine, rid) == first(theirs, rid), hex(rid)
    # The Office reference record is byte-identical; MSForms (a leftover in the reference) is not copied,
    # stdole is added as in every new Excel project.
    office = [v for r, v in theirs if r == 0x000D]
    assert office == [v for r, v in mine if r == 0x000D][1:]
    assert [v for r, v in mine if r == 0x0016] == [b"stdole", b"Office"]
    assert first(mine, 0x000F) == struct.pack("<H", 6)
    names = [m.name for m in read_dir_stream(ovba.decompress(_stream(ours, "VBA/dir")))]
    assert names == ["ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary", "xltools"]
    assert [m.kind for m in read_dir_stream(ovba.decompress(_stream(ours, "VBA/dir")))] == [
        "class",
        "class",
        "class",
        "module",
        "class",
        "module",
    ]
    assert [rid for rid, _ in mine].count(0x0031) == 6
    assert all(v == bytes(4) for rid, v in mine if rid == 0x0031)  # every MODULEOFFSET is 0
    assert mine[-1] == (0x0010, b"")


def _stream(data: bytes, name: str) -> bytes:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return ole.openstream(name).read()


def test_project_stream_lists_modules_and_is_unprotected(ours: bytes) -> None:
    text = _stream(ours, "PROJECT").decode("cp1252")
    lines = text.split("\r\n")
    assert re.fullmatch(r'ID="\{[0-9A-F-]{36}\}"', lines[0])
    assert lines[1:7] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Module=xlwings",
        "Class=Dictionary",
        "Module=xltools",
    ]
    assert 'Name="VBAProject"' in lines
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.MULTILINE))
    assert (ovba.decrypt(values["CMG"]), ovba.decrypt(values["DPB"]), ovba.decrypt(values["GC"])) == (
        bytes(4),
        b"\x00",
        b"\xff",
    )
    wm = _stream(ours, "PROJECTwm")
    assert wm.startswith(b"ThisWorkbook\x00T\x00h\x00i\x00s\x00") and wm.endswith(
        b"x\x00l\x00t\x00o\x00o\x00l\x00s\x00\x00\x00\x00\x00"
    )


def test_build_is_deterministic_and_follows_sheet_codenames() -> None:
    modules = vba.standalone_modules()
    assert build_vba_project(modules, SHEETS) == build_vba_project(modules, SHEETS)
    other = read_vba_project(build_vba_project(modules, ["Form", "Results", "Lists"], workbook_codename="Book"))
    assert [m.name for m in other if m.kind == "document"] == ["Book", "Form", "Results", "Lists"]


def test_rejects_duplicate_and_non_ascii_module_names() -> None:
    modules = vba.standalone_modules()
    with pytest.raises(ValueError, match="duplicate"):
        build_vba_project(modules, ["XLWINGS"])
    with pytest.raises(ValueError, match="ASCII"):
        vba.standard_module('Attribute VB_Name = "校验"\r\n')


def test_class_header_becomes_attributes() -> None:
    m = class_module(
        'VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  \'True\r\nEND\r\nAttribute VB_Name = "Thing"\r\n'
        'Attribute VB_Exposed = True\r\nAttribute VB_Description = "d"\r\nOption Explicit\r\n'
    )
    assert (m.name, m.kind) == ("Thing", "class")
    assert m.code.split("\r\n") == [
        'Attribute VB_Name = "Thing"',
        f'Attribute VB_Base = "{CLASS_BASE}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = False",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
        'Attribute VB_Description = "d"',
        "Option Explicit",
        "",
    ]
    assert m.body == "Option Explicit\r\n"


# -- xlwings pin and our module ----------------------------------------------------------------------------------


def test_xlwings_module_is_the_pinned_version() -> None:
    sources = vba.xlwings_sources()
    assert sources.version == importlib.metadata.version("xlwings") == "0.37.8"
    code = sources.modules[0].code
    assert "'Version: 0.37.8\r\n" in code
    assert '"xlwings64-0.37.8.dll"' in code
    assert [m.name for m in sources.modules] == ["xlwings", "Dictionary"]


RUNPYTHON = re.compile(r'^\s*RunPython\s+"import ([\w.]+) as (\w+); \2\.(\w+)\(\)"\s*$', re.MULTILINE)


def _our_code() -> str:
    return vba.our_modules()[0].code


def test_our_module_is_ascii_and_never_uses_the_file_name() -> None:
    raw = vba.MACRO_FILE.read_bytes()
    assert raw.decode("ascii")
    code = _our_code()
    assert "ThisWorkbook.Name" not in code and "ActiveWorkbook" not in code
    assert not re.search(r"\.xls[mxb]?\b", code, re.IGNORECASE)
    # Each Sub is exactly one fixed RunPython call.
    assert RUNPYTHON.findall(code) == [
        ("xltools.excel", "x", "check_button"),
        ("xltools.excel", "x", "clear_button"),
    ]
    assert re.findall(r"^Sub (\w+)\(\)", code, re.MULTILINE) == ["CheckButton", "ClearButton"]


def test_runpython_commands_import_existing_functions() -> None:
    commands = RUNPYTHON.findall(_our_code())
    assert [(module, func) for module, _, func in commands] == [("xltools.excel", "check_button"),
                                                               ("xltools.excel", "clear_button")]
    for module, _, func in commands:
        imported = importlib.import_module(module)
        assert callable(getattr(imported, func, None)), f"{module}.{func}"


def test_macro_file_lives_in_macros() -> None:
    assert Path(__file__).resolve().parents[1] / "macros" / "xltools.bas" == vba.MACRO_FILE


def test_the_macro_source_is_found_in_a_checkout_or_where_a_wheel_installs_it(tmp_path: Path) -> None:
    checkout = tmp_path / "repo"
    package_file = checkout / "xltools" / "vba" / "__init__.py"
    prefix = tmp_path / "venv"
    installed = prefix / "share" / "xltools" / "macros" / "xltools.bas"
    beside = checkout / "macros" / "xltools.bas"
    assert vba.find_macro_file(package_file, prefix) == beside  # neither: the checkout's path, for the message
    installed.parent.mkdir(parents=True)
    installed.write_text("Sub x()\nEnd Sub\n")
    assert vba.find_macro_file(package_file, prefix) == installed  # an installed wheel
    beside.parent.mkdir(parents=True)
    beside.write_text("Sub x()\nEnd Sub\n")
    assert vba.find_macro_file(package_file, prefix) == beside  # a checkout wins over an older installed copy


@pytest.mark.slow
def test_the_wheel_carries_the_macro_source(tmp_path: Path) -> None:
    """Built as pip builds it (isolated, from pyproject.toml): the .bas lands where find_macro_file looks."""
    import zipfile

    from xltools.bundle import build_wheel

    root = Path(__file__).resolve().parents[1]
    wheel = build_wheel(root, tmp_path, isolated=True)
    with zipfile.ZipFile(wheel) as zf:
        for name in ("xltools.bas", "XltLaunch.bas", "XltRibbon.bas"):  # the .xlsm's, then the add-in's
            data = [n for n in zf.namelist() if n.endswith(f"/data/share/xltools/macros/{name}")]
            assert len(data) == 1
            assert zf.read(data[0]) == (root / "macros" / name).read_bytes()
        assert not [n for n in zf.namelist() if n.startswith(("tests/", "macros/", "examples/"))]
