"""Deterministic mutants of real returns: byte, zip-structure, XML and value faults.

Every recipe is a function ``(data, rng) -> bytes`` of the original file's bytes and a seeded ``random.Random``;
:func:`generate` picks recipes and sources round-robin from a seed, so the same seed always makes the same files.
The sources are real returns of every template version (examples/returns: the current one; examples/versions: the
earlier ones).
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.faults import zips
from xltools import spec

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "examples" / "returns").glob("*.xlsx")) + sorted((ROOT / "examples" / "versions").glob("*.xlsx"))
FAR = "XFD1048576"
WORKBOOK, RELS, STYLES = "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"

Recipe = Callable[[bytes, random.Random], bytes]


@dataclass(frozen=True)
class Mutant:
    name: str  # recipe-source-index, a file name
    kind: str  # byte, zip, xml, value
    recipe: str
    source: Path
    data: bytes


# -- XML of the form sheet -------------------------------------------------------------------------------------

def in_sheet(snippet: bytes, sheet: str = spec.FORM_SHEET) -> Recipe:
    """``snippet`` inserted just before the sheet's </sheetData>."""
    def recipe(data: bytes, _rng: random.Random) -> bytes:
        return zips.edit(data, zips.member_of(data, sheet), lambda x: x.replace(b"</sheetData>", snippet + b"</sheetData>", 1))
    return recipe


def sheet_xml(fn: Callable[[bytes, random.Random], bytes], sheet: str = spec.FORM_SHEET) -> Recipe:
    def recipe(data: bytes, rng: random.Random) -> bytes:
        return zips.edit(data, zips.member_of(data, sheet), lambda x: fn(x, rng))
    return recipe


def part_xml(name: str, fn: Callable[[bytes, random.Random], bytes]) -> Recipe:
    def recipe(data: bytes, rng: random.Random) -> bytes:
        return zips.edit(data, name, lambda x: fn(x, rng))
    return recipe


def set_cell(ref: str, xml: str) -> Callable[[bytes, random.Random], bytes]:
    """The cell ``ref`` of a sheet replaced by ``xml`` (``{r}`` in it is the address, ``{s}`` its style)."""
    def fn(x: bytes, _rng: random.Random) -> bytes:
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)

        def cell(m: re.Match[bytes]) -> bytes:
            style = re.search(rb'\bs="([0-9]+)"', m.group(1))
            return xml.format(r=ref, s=style.group(1).decode() if style else "0").encode()
        return pattern.sub(cell, x, count=1)
    return fn


@functools.cache
def version(source: Path) -> str:
    from xltools.engine import check_file

    decl = check_file(source).declaration
    assert decl is not None, source
    return decl.template_version


def field_cell(source: Path, key: str) -> str:
    """The address of field ``key`` in the template version ``source`` was made on."""
    return spec.build_for(version(source)).fields[key].cell


FAR_CELLS = {  # one value at XFD1048576, written in every way an XML reader accepts
    "far-plain": f'<row r="1048576"><c r="{FAR}"><v>1</v></c></row>',
    "far-single-quotes": f"<row r='1048576'><c r='{FAR}'><v>1</v></c></row>",
    "far-tab": f'<row r="1048576"><c\tr="{FAR}"><v>1</v></c></row>',
    "far-newline": f'<row r="1048576"><c\nr="{FAR}"><v>1</v></c></row>',
    "far-spaces": f'<row r = "1048576"><c r = "{FAR}" ><v>1</v></c></row>',
    "far-prefix": f'<x:row r="1048576"><x:c r="{FAR}"><x:v>1</x:v></x:c></x:row>',
    "far-second-r": f'<row r="1048576"><c r="A1048576" s="0" r="{FAR}"><v>1</v></c></row>',
    "far-string": f'<row r="1048576"><c r="{FAR}" t="str"><v></v></c></row>',
    "far-inline": f'<row r="1048576"><c r="{FAR}" t="inlineStr"><is><t>x</t></is></c></row>',
    "far-counted": '<row r="1048576">' + "<c><v>1</v></c>" * 2000 + "</row>",
}
NOT_CELLS = {  # looks like a far cell to a pattern, is none to XML
    "far-in-comment": f'<!-- <row r="1048576"><c r="{FAR}"><v>1</v></c></row> -->',
    "far-in-cdata": f'<row r="200"><c r="A200" t="inlineStr"><is><t><![CDATA[<c r="{FAR}"><v>1</v></c>]]></t></is></c></row>',
    "far-in-pi": f'<?xltools <c r="{FAR}"><v>1</v></c>?>',
    "far-empty": f'<row r="1048576"><c r="{FAR}" s="1"/></row>',
}
BOMBS = {  # scans that went quadratic
    "comment-c": "<!-- " + "<c " * 100_000 + " -->",
    "comment-row": "<!-- " + "<row " * 100_000 + " -->",
    "comment-f": "<!-- " + "<f " * 100_000 + " -->",
    "comment-v": "<!-- " + "<v>" * 100_000 + " -->",
}


def _lying_dimension(x: bytes, _rng: random.Random) -> bytes:
    return re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>", f'<dimension ref="A1:{FAR}"/>'.encode(), x, count=1)


def _break_tags(x: bytes, rng: random.Random) -> bytes:
    """A few tags damaged: a letter changed, an end tag dropped, a '<' removed."""
    out = bytearray(x)
    for _ in range(rng.randint(1, 4)):
        at = out.find(b"<", rng.randrange(len(out)))
        if at < 0:
            continue
        how = rng.randrange(3)
        if how == 0:
            out[at + 1] = rng.choice(b"abcxyz/!?")
        elif how == 1:
            end = out.find(b">", at)
            del out[at:end + 1]
        else:
            del out[at]
    return bytes(out)


def _truncate_xml(x: bytes, rng: random.Random) -> bytes:
    return x[:rng.randrange(len(x))]


def _entities(x: bytes, _rng: random.Random) -> bytes:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    return bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", x).replace(b"</sheetData>", b'<row r="300"><c r="A300" t="str"><v>&d;</v></c></row></sheetData>', 1)


def _unaddressed(x: bytes, _rng: random.Random) -> bytes:
    """Every r attribute of rows and cells removed: cells are placed by counting."""
    return re.sub(rb'(<(?:c|row)) r="[A-Z]*[0-9]+"', rb"\1", x)


def _shuffle_rows(x: bytes, rng: random.Random) -> bytes:
    rows = re.findall(rb"<row\b.*?</row>", x, re.S)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    body = b"".join(shuffled)
    return re.sub(rb"<sheetData>.*</sheetData>", lambda _m: b"<sheetData>" + body + b"</sheetData>", x, count=1, flags=re.S)


# -- values ----------------------------------------------------------------------------------------------------

MONEY, DATE, TEXT = "total_budget", "start", "overview"  # 项目总预算, 开始时间, 项目概况
VALUES = {  # field key, the cell written instead ({r}: its address, {s}: its style)
    "money-inf": (MONEY, '<c r="{r}" s="{s}"><v>inf</v></c>'),
    "money-1e309": (MONEY, '<c r="{r}" s="{s}"><v>1e309</v></c>'),
    "money-1e308": (MONEY, '<c r="{r}" s="{s}"><v>1e308</v></c>'),
    "money-nan": (MONEY, '<c r="{r}" s="{s}"><v>nan</v></c>'),
    "money-40-digits": (MONEY, '<c r="{r}" s="{s}" t="inlineStr"><is><t>' + "1" * 40 + "</t></is></c>"),
    "money-5mb": (MONEY, '<c r="{r}" s="{s}" t="inlineStr"><is><t>' + "9" * (5 << 20) + "</t></is></c>"),
    "money-garbage-number": (MONEY, '<c r="{r}" s="{s}"><v>1.2.3</v></c>'),
    "date-minus-1e308": (DATE, '<c r="{r}" s="{s}"><v>-1e308</v></c>'),
    "date-1e308": (DATE, '<c r="{r}" s="{s}"><v>1e308</v></c>'),
    "date-iso-garbage": (DATE, '<c r="{r}" s="{s}" t="d"><v>2019-13-45T99:99</v></c>'),
    "text-40k": (TEXT, '<c r="{r}" s="{s}" t="inlineStr"><is><t>' + "长" * 40_000 + "</t></is></c>"),
    "text-1e308": (TEXT, '<c r="{r}" s="{s}"><v>1e308</v></c>'),
    "bad-type": (TEXT, '<c r="{r}" s="{s}" t="zz"><v>1</v></c>'),
    "bad-shared-index": (TEXT, '<c r="{r}" s="{s}" t="s"><v>999999</v></c>'),
    "bad-error": (TEXT, '<c r="{r}" s="{s}" t="e"><v>#WHAT?</v></c>'),
}


def value_in(key: str, xml: str) -> Recipe:
    """Field ``key``'s cell (where the source's template version has it) written as ``xml``."""
    def recipe(data: bytes, rng: random.Random, source: Path | None = None) -> bytes:
        assert source is not None
        return sheet_xml(set_cell(field_cell(source, key), xml))(data, rng)
    recipe.needs_source = True  # type: ignore[attr-defined]
    return recipe


def _random_value(x: bytes, rng: random.Random) -> bytes:
    """A few random cells of the form get random numbers: serials far out, negatives, huge, tiny."""
    refs = re.findall(rb'<c r="([A-Z][0-9]+)"', x)
    for _ in range(rng.randint(1, 5)):
        ref = rng.choice(refs).decode()
        number = rng.choice([rng.uniform(-1e308, 1e308), rng.uniform(-1e6, 1e7), -rng.random() * 10 ** rng.randint(0, 308),
                             rng.random() * 10 ** rng.randint(0, 308), float(rng.randint(-3_000_000, 3_000_000))])
        x = set_cell(ref, f'<c r="{{r}}" s="{rng.randint(0, 20)}"><v>{number!r}</v></c>')(x, rng)
    return x


def _duration_styles(x: bytes, _rng: random.Random) -> bytes:
    return x.replace(b'formatCode="yyyy-mm-dd"', b'formatCode="[h]:mm:ss"')


def _duration_dates(data: bytes, rng: random.Random, source: Path | None = None) -> bytes:
    """The date format made a duration ([h]:mm:ss), the start date 1E+308: calamine overflows converting it."""
    data = part_xml(STYLES, _duration_styles)(data, rng)
    return value_in(DATE, '<c r="{r}" s="{s}"><v>1e308</v></c>')(data, rng, source)


_duration_dates.needs_source = True  # type: ignore[attr-defined]


# -- workbook.xml ----------------------------------------------------------------------------------------------

def _duplicate_sheet(first: bool) -> Recipe:
    """A second sheet named 申报表 in workbook.xml, pointing at a new part with a far cell, before or after."""
    def recipe(data: bytes, _rng: random.Random) -> bytes:
        far = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData>' + FAR_CELLS["far-plain"].encode() + b"</sheetData></worksheet>")
        entry = f'<sheet name="{spec.FORM_SHEET}" sheetId="99" r:id="rIdFar"/>'.encode()
        rel = (b'<Relationship Id="rIdFar" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               b'worksheet" Target="worksheets/far.xml"/>')
        out = zips.edit(data, WORKBOOK, lambda x: x.replace(b"<sheets>", b"<sheets>" + entry, 1) if first
                        else x.replace(b"</sheets>", entry + b"</sheets>", 1))
        out = zips.edit(out, RELS, lambda x: x.replace(b"</Relationships>", rel + b"</Relationships>", 1))
        return zips.add(out, "xl/worksheets/far.xml", far)
    return recipe


def _comment_sheets(x: bytes, _rng: random.Random) -> bytes:
    return x.replace(b"<sheets>", b"<!-- " + b"<sheet " * 100_000 + b" --><sheets>", 1)


# -- zip structure ---------------------------------------------------------------------------------------------

def _form(data: bytes) -> str:
    return zips.member_of(data)


def _any_member(data: bytes, rng: random.Random) -> str:
    return rng.choice([n for n, _d in zips.parts(data)])


def _flip_compressed(data: bytes, rng: random.Random) -> bytes:
    start, end = zips.compressed_span(data, _form(data))
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
    return bytes(out)


def _zero_compressed(data: bytes, rng: random.Random) -> bytes:
    start, end = zips.compressed_span(data, _form(data))
    at = rng.randrange(start, end - 1)
    length = rng.randint(1, min(4096, end - at))
    return data[:at] + b"\0" * length + data[at + length:]


def _flipper(counts: list[int]) -> Callable[[bytes, random.Random], bytes]:
    """Bits flipped at random places (one of ``counts`` of them), as a damaged disk or download leaves them."""
    def flip(data: bytes, rng: random.Random) -> bytes:
        out = bytearray(data)
        for _ in range(rng.choice(counts)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    return flip


_flip_xml = _flipper([1, 2, 4, 16])  # in an XML part, the zip around it intact


def _inject_cells(x: bytes, rng: random.Random) -> bytes:
    """Cells at random places of random rows: random addresses (near, far, lower case, garbage), types, values."""
    cells = []
    for _ in range(rng.randint(1, 6)):
        ref = rng.choice([f"{rng.choice('ABCDEFGZ')}{rng.randint(1, 200)}", f"XFD{rng.randint(1, 1048576)}",
                          f"{rng.choice(['AA', 'ZZ', 'XFD', 'a', 'b'])}{rng.randint(1, 99999)}", "A0", "1A", ""])
        typ = rng.choice(["", ' t="n"', ' t="s"', ' t="str"', ' t="b"', ' t="e"', ' t="d"', ' t="inlineStr"'])
        value = rng.choice(["1", "-1e308", "1e309", "nan", "#N/A", "2019-01-01", "x" * rng.randint(0, 40_000),
                            str(rng.uniform(-1e300, 1e300)), "0", ""])
        inner = f"<is><t>{value}</t></is>" if "inline" in typ else f"<v>{value}</v>"
        cells.append(f'<c{f" r={chr(34)}{ref}{chr(34)}" if ref else ""}{typ} s="{rng.randint(0, 30)}">{inner}</c>')
    rows = [m.end() for m in re.finditer(rb"<row\b[^>]*>", x)]
    for cell in cells:
        at = rng.choice(rows)
        x = x[:at] + cell.encode() + x[at:]
        rows = [r + len(cell) if r > at else r for r in rows]
    return x


# -- bytes -----------------------------------------------------------------------------------------------------

_flip_bits = _flipper([1, 2, 8, 64])  # anywhere in the file


def _zero_range(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    length = rng.randint(1, 8192)
    return data[:at] + b"\0" * min(length, len(data) - at) + data[at + length:]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data))]


def _insert_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 512)) + data[at:]


RECIPES: dict[str, tuple[str, Recipe]] = {
    **{name: ("xml", in_sheet(xml.encode())) for name, xml in FAR_CELLS.items()},
    **{name: ("xml", in_sheet(xml.encode())) for name, xml in NOT_CELLS.items()},
    **{name: ("xml", in_sheet(xml.encode())) for name, xml in BOMBS.items()},
    "far-meta": ("xml", in_sheet(FAR_CELLS["far-tab"].encode(), spec.META_SHEET)),
    "lying-dimension": ("xml", sheet_xml(_lying_dimension)),
    "broken-tags": ("xml", sheet_xml(_break_tags)),
    "truncated-xml": ("xml", sheet_xml(_truncate_xml)),
    "entity-bomb": ("xml", sheet_xml(_entities)),
    "unaddressed": ("xml", sheet_xml(_unaddressed)),
    "shuffled-rows": ("xml", sheet_xml(_shuffle_rows)),
    "duplicate-sheet-first": ("xml", _duplicate_sheet(True)),
    "duplicate-sheet-last": ("xml", _duplicate_sheet(False)),
    "comment-sheet": ("xml", part_xml(WORKBOOK, _comment_sheets)),
    "workbook-broken": ("xml", part_xml(WORKBOOK, _break_tags)),
    "styles-broken": ("xml", part_xml(STYLES, _break_tags)),
    **{name: ("value", value_in(key, xml)) for name, (key, xml) in VALUES.items()},
    "random-values": ("value", sheet_xml(_random_value)),
    "duration-dates": ("value", _duration_dates),
    "zip-encrypted-flag": ("zip", lambda d, r: zips.set_flag(d, _any_member(d, r), 0)),
    "zip-encrypted-form": ("zip", lambda d, _r: zips.set_flag(d, _form(d), 0)),
    "zip-unknown-method": ("zip", lambda d, r: zips.set_method(d, _form(d), r.choice([1, 6, 9, 12, 14, 98, 99]))),
    "zip-local-name": ("zip", lambda d, _r: zips.rename_local(d, _form(d))),
    "zip-crc": ("zip", lambda d, r: zips.set_crc(d, _form(d), r.getrandbits(32))),
    "zip-flip-deflate": ("zip", _flip_compressed),
    "zip-zero-deflate": ("zip", _zero_compressed),
    "zip-duplicate-first": ("zip", lambda d, _r: zips.duplicate(d, _form(d), _far_part(d), True)),
    "zip-duplicate-last": ("zip", lambda d, _r: zips.duplicate(d, _form(d), _far_part(d), False)),
    "zip-missing-form": ("zip", lambda d, _r: zips.rezip([(n, x) for n, x in zips.parts(d) if n != _form(d)])),
    "zip-stored": ("zip", lambda d, _r: zips.rezip(zips.parts(d), 0)),
    "flip-bits": ("byte", _flip_bits),
    "zero-range": ("byte", _zero_range),
    "truncate": ("byte", _truncate),
    "insert-garbage": ("byte", _insert_garbage),
    "xml-flip-form": ("xml", sheet_xml(_flip_xml)),
    "xml-flip-meta": ("xml", sheet_xml(_flip_xml, spec.META_SHEET)),
    "xml-flip-workbook": ("xml", part_xml(WORKBOOK, _flip_xml)),
    "xml-flip-rels": ("xml", part_xml(RELS, _flip_xml)),
    "xml-flip-styles": ("xml", part_xml(STYLES, _flip_xml)),
    "xml-inject-cells": ("value", sheet_xml(_inject_cells)),
}
# Recipes that draw on their randomness: the long run repeats these with fresh seeds, the others once a source.
RANDOM = frozenset(["broken-tags", "truncated-xml", "shuffled-rows", "workbook-broken", "styles-broken",
                    "random-values", "zip-encrypted-flag", "zip-unknown-method", "zip-crc", "zip-flip-deflate",
                    "zip-zero-deflate", "flip-bits", "zero-range", "truncate", "insert-garbage", "xml-flip-form",
                    "xml-flip-meta", "xml-flip-workbook", "xml-flip-rels", "xml-flip-styles", "xml-inject-cells"])


def _far_part(data: bytes) -> bytes:
    name = _form(data)
    original = dict(zips.parts(data))[name]
    return original.replace(b"</sheetData>", FAR_CELLS["far-plain"].encode() + b"</sheetData>", 1)


def make(recipe: str, source: Path, index: int = 0) -> Mutant:
    kind, fn = RECIPES[recipe]
    rng = random.Random(f"{recipe}/{source.name}/{index}")
    data = source.read_bytes()
    mutated = fn(data, rng, source) if getattr(fn, "needs_source", False) else fn(data, rng)  # type: ignore[call-arg]
    return Mutant(f"{recipe}-{SOURCES.index(source)}-{index}.xlsx", kind, recipe, source, mutated)


def generate(count: int, seed: int = 0) -> Iterator[Mutant]:
    """``count`` mutants: every fixed recipe once on every source, then the random ones in turn, each on a source
    drawn from ``seed`` and with its own seeded randomness."""
    fixed = [(name, source) for name in sorted(set(RECIPES) - RANDOM) for source in SOURCES]
    drawn = sorted(RANDOM)
    rng = random.Random(seed)
    for i in range(count):
        if i < len(fixed):
            recipe, source = fixed[i]
        else:
            recipe, source = drawn[(i - len(fixed)) % len(drawn)], rng.choice(SOURCES)
        yield make(recipe, source, seed * 1_000_000 + i)
